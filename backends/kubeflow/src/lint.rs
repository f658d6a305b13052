//! The backend's own lint of the IR it built, against what KFP requires and what its
//! SDK checks (`../shared/engines/README.md`, Kubeflow section): the pipeline name's
//! pattern, task keys and `comp-`/`exec-` names in the form the SDK writes, every
//! reference resolving (component, executor, dependent task, artifact producer and
//! key), no dependency cycle, an image and the task name in every executor, and
//! platform settings only for executors that exist. Everything here is our own output,
//! so a finding is a bug: the function returns an error listing every problem.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::bail;
use soopervisor_core::strategy::pod::TASK_ENV;

use crate::config::is_pipeline_name;
use crate::model::{PipelineSpec, PlatformSpec, TaskSpec};

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`: the names the SDK writes for tasks.
pub fn is_k8s_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// Checks `spec` and `platform`; `Err` lists every problem found.
pub fn lint(spec: &PipelineSpec, platform: Option<&PlatformSpec>) -> anyhow::Result<()> {
    let problems = problems(spec, platform);
    if problems.is_empty() {
        return Ok(());
    }
    bail!(
        "the generated Kubeflow pipeline breaks KFP's rules (a bug in soopervisor, please report it):\n  {}",
        problems.join("\n  ")
    )
}

/// Every problem of `spec` and `platform`, in a stable order.
pub fn problems(spec: &PipelineSpec, platform: Option<&PlatformSpec>) -> Vec<String> {
    let mut p = Vec::new();
    if !is_pipeline_name(&spec.pipeline_info.name) {
        p.push(format!(
            "pipelineInfo.name '{}' does not match ^[a-z0-9][a-z0-9-]{{0,127}}$",
            spec.pipeline_info.name
        ));
    }
    if spec.schema_version.is_empty() {
        p.push("schemaVersion is empty".into());
    }
    let executors = &spec.deployment_spec.executors;
    for (label, e) in executors {
        if !(label.starts_with("exec-") && is_k8s_name(label)) {
            p.push(format!("executor label '{label}' is not exec-<name>"));
        }
        if e.container.image.trim().is_empty() {
            p.push(format!("executor {label}: no image"));
        }
        if e.container.command.is_empty() {
            p.push(format!("executor {label}: no command"));
        }
        if e.container
            .env
            .iter()
            .filter(|v| v.name == TASK_ENV)
            .count()
            != 1
        {
            p.push(format!(
                "executor {label}: {TASK_ENV} must be set exactly once"
            ));
        }
    }
    for (name, c) in &spec.components {
        if !(name.starts_with("comp-") && is_k8s_name(name)) {
            p.push(format!("component name '{name}' is not comp-<name>"));
        }
        if !executors.contains_key(&c.executor_label) {
            p.push(format!(
                "component {name}: executorLabel '{}' names no executor",
                c.executor_label
            ));
        }
    }
    let tasks = &spec.root.dag.tasks;
    for (key, t) in tasks {
        if !is_k8s_name(key) {
            p.push(format!("task key '{key}' is not [a-z0-9-]"));
        }
        if t.task_info.name != *key {
            p.push(format!(
                "task {key}: taskInfo.name '{}' differs from its key",
                t.task_info.name
            ));
        }
        if !spec.components.contains_key(&t.component_ref.name) {
            p.push(format!(
                "task {key}: componentRef '{}' names no component",
                t.component_ref.name
            ));
        }
        for d in &t.dependent_tasks {
            if d == key || !tasks.contains_key(d) {
                p.push(format!(
                    "task {key}: dependentTasks entry '{d}' is not another task"
                ));
            }
        }
        p.extend(artifact_problems(spec, key, t));
    }
    if let Some(cycle) = cycle(tasks) {
        p.push(format!("dependency cycle among {cycle:?}"));
    }
    if let Some(platform) = platform {
        for label in platform
            .platforms
            .kubernetes
            .deployment_spec
            .executors
            .keys()
        {
            if !executors.contains_key(label) {
                p.push(format!("platform spec: executor '{label}' does not exist"));
            }
        }
    }
    p
}

/// A task's input artifacts come from a task it depends on, which outputs that key,
/// and its component declares them.
fn artifact_problems(spec: &PipelineSpec, key: &str, t: &TaskSpec) -> Vec<String> {
    let mut p = Vec::new();
    let Some(inputs) = &t.inputs else {
        return p;
    };
    let declared = spec
        .components
        .get(&t.component_ref.name)
        .and_then(|c| c.input_definitions.as_ref())
        .map(|d| d.artifacts.keys().collect::<BTreeSet<_>>())
        .unwrap_or_default();
    for (name, a) in &inputs.artifacts {
        let o = &a.task_output_artifact;
        if !declared.contains(name) {
            p.push(format!(
                "task {key}: input artifact '{name}' is not declared by its component"
            ));
        }
        if !t.dependent_tasks.contains(&o.producer_task) {
            p.push(format!(
                "task {key}: input artifact '{name}' comes from '{}', which it does not depend on",
                o.producer_task
            ));
        }
        let produces = spec
            .root
            .dag
            .tasks
            .get(&o.producer_task)
            .and_then(|pt| spec.components.get(&pt.component_ref.name))
            .and_then(|c| c.output_definitions.as_ref())
            .is_some_and(|d| d.artifacts.contains_key(&o.output_artifact_key));
        if !produces {
            p.push(format!(
                "task {key}: '{}' has no output artifact '{}'",
                o.producer_task, o.output_artifact_key
            ));
        }
    }
    p
}

/// The tasks left in a cycle (Kahn's algorithm), if any.
fn cycle(tasks: &BTreeMap<String, TaskSpec>) -> Option<Vec<String>> {
    let mut indegree: BTreeMap<&str, usize> = tasks
        .iter()
        .map(|(k, t)| {
            let n = t
                .dependent_tasks
                .iter()
                .filter(|d| tasks.contains_key(*d))
                .count();
            (k.as_str(), n)
        })
        .collect();
    let mut dependents: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (k, t) in tasks {
        for d in &t.dependent_tasks {
            dependents.entry(d.as_str()).or_default().push(k.as_str());
        }
    }
    let mut ready: Vec<&str> = indegree
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(k, _)| *k)
        .collect();
    let mut seen = 0;
    while let Some(k) = ready.pop() {
        seen += 1;
        for m in dependents.get(k).into_iter().flatten() {
            let n = indegree.get_mut(m).expect("a task");
            *n -= 1;
            if *n == 0 {
                ready.push(m);
            }
        }
    }
    (seen != tasks.len()).then(|| {
        indegree
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, _)| k.to_string())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k8s_names() {
        assert!(is_k8s_name("a-1"));
        assert!(is_k8s_name("1a"));
        assert!(!is_k8s_name("-a"));
        assert!(!is_k8s_name("a-"));
        assert!(!is_k8s_name("A"));
        assert!(!is_k8s_name("a_b"));
        assert!(!is_k8s_name(""));
    }
}
