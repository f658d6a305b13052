//! The backend's own lint of the objects it built, against the rules in the Argo notes
//! (`argo.md` §2): kinds, object names and lengths, unique names, `depends` that
//! reference existing earlier tasks and never the task itself, Argo v4 item limits,
//! parameter names, the parameters and artifacts each call passes, declared volumes
//! and inputs, resource templates and the inputs their manifests use, and
//! `workflowTemplateRef` specs. A split pipeline is linted whole ([`lint_split`]): the
//! parent, every part, and the child Workflows the parent creates. Everything here is
//! our own output, so a finding is a bug: the functions return an error.
//!
//! Scalars are not walked here: every string reaches the file through
//! `soopervisor_core::output::yaml`, whose quoting is checked by property tests over
//! arbitrary strings (read back identically under YAML 1.1 and 1.2,
//! `core/tests/properties.rs`). Walking a JSON copy of every object on every export
//! cost 8% of a 100,000-task export for a check those tests already make.

use std::collections::{BTreeSet, HashMap, HashSet};

use anyhow::bail;

use crate::model::{ObjectMeta, Template, Workflow, WorkflowSpec, WorkflowTemplate};
use crate::nest::{MAX_DAG_TASKS, MAX_TEMPLATES};
use crate::split::{child_workflow, PART_PARAM, RUN_PART};

/// Longest template/task name we emit (Argo allows 128; 63 keeps pod names valid).
const MAX_NAME: usize = 63;
/// Longest Workflow / WorkflowTemplate `metadata.name` (Argo uses it as a label value).
const MAX_OBJECT_NAME: usize = 63;
/// Longest `generateName` Kubernetes keeps whole.
const MAX_GENERATE_NAME: usize = 58;
/// Actions of a resource template (`validate.go` `validateLeaf`).
const RESOURCE_ACTIONS: [&str; 6] = ["get", "create", "apply", "delete", "replace", "patch"];

/// Checks `wf`; `Err` lists every problem found.
pub fn lint(wf: &Workflow) -> anyhow::Result<()> {
    report(
        "the generated Argo Workflow breaks Argo's rules",
        workflow_problems(wf),
    )
}

/// Checks a WorkflowTemplate; `Err` lists every problem found.
pub fn lint_template(wft: &WorkflowTemplate) -> anyhow::Result<()> {
    report(
        "the generated Argo WorkflowTemplate breaks Argo's rules",
        template_problems(wft),
    )
}

/// Checks a split pipeline: the parent, every part, the child Workflows the parent
/// creates (one per part, each running an existing part), and that every part runs
/// exactly once.
pub fn lint_split(parent: &Workflow, parts: &[WorkflowTemplate]) -> anyhow::Result<()> {
    let mut problems: Vec<String> = workflow_problems(parent)
        .into_iter()
        .map(|p| format!("parent Workflow: {p}"))
        .collect();
    let mut names = HashSet::new();
    for part in parts {
        let name = part.metadata.name.clone().unwrap_or_default();
        problems.extend(
            template_problems(part)
                .into_iter()
                .map(|p| format!("WorkflowTemplate '{name}': {p}")),
        );
        if !names.insert(name.clone()) {
            problems.push(format!("two WorkflowTemplates are named '{name}'"));
        }
    }
    // what the parent passes to run-part, over all of its DAG templates
    let mut run: HashMap<String, usize> = HashMap::new();
    for t in &parent.spec.templates {
        for task in t.dag.iter().flat_map(|d| &d.tasks) {
            if task.template != RUN_PART {
                continue;
            }
            for p in task.arguments.iter().flat_map(|a| &a.parameters) {
                if p.name == PART_PARAM {
                    *run.entry(p.value.clone().unwrap_or_default()).or_default() += 1;
                }
            }
        }
    }
    for (part, count) in &run {
        if !names.contains(part) {
            problems.push(format!(
                "the parent runs '{part}', which is no WorkflowTemplate"
            ));
        } else if *count != 1 {
            problems.push(format!("the parent runs '{part}' {count} times"));
        }
        let child = child_workflow(part);
        problems.extend(
            workflow_problems(&child)
                .into_iter()
                .map(|p| format!("child Workflow of '{part}': {p}")),
        );
    }
    for name in &names {
        if !run.contains_key(name) {
            problems.push(format!("the parent never runs WorkflowTemplate '{name}'"));
        }
    }
    problems.sort();
    report(
        "the generated Argo workflow of workflows breaks Argo's rules",
        problems,
    )
}

fn report(what: &str, problems: Vec<String>) -> anyhow::Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        bail!(
            "internal error: {what} (please report this bug):\n  - {}",
            problems.join("\n  - ")
        )
    }
}

fn workflow_problems(wf: &Workflow) -> Vec<String> {
    let mut problems = Vec::new();
    if wf.api_version != "argoproj.io/v1alpha1" || wf.kind != "Workflow" {
        problems.push("apiVersion/kind must be argoproj.io/v1alpha1 Workflow".into());
    }
    lint_metadata(&wf.metadata, false, &mut problems);
    lint_templates(&wf.spec, &mut problems);
    problems
}

fn template_problems(wft: &WorkflowTemplate) -> Vec<String> {
    let mut problems = Vec::new();
    if wft.api_version != "argoproj.io/v1alpha1" || wft.kind != "WorkflowTemplate" {
        problems.push("apiVersion/kind must be argoproj.io/v1alpha1 WorkflowTemplate".into());
    }
    if wft.spec.workflow_template_ref.is_some() {
        problems.push("a WorkflowTemplate cannot reference another one".into());
    }
    lint_metadata(&wft.metadata, true, &mut problems);
    lint_templates(&wft.spec, &mut problems);
    problems
}

/// A DNS-1123 label: what Kubernetes object names we write must be (a subdomain
/// without dots), alphanumeric at both ends.
fn is_dns_label(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_param_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `metadata`: a Workflow has `generateName` (or a name), a WorkflowTemplate
/// (`named`) a name, since Workflows reference it by name.
fn lint_metadata(meta: &ObjectMeta, named: bool, problems: &mut Vec<String>) {
    match (&meta.name, &meta.generate_name) {
        (None, None) => problems.push("metadata needs name or generateName".into()),
        (_, Some(_)) if named => {
            problems.push("a WorkflowTemplate needs metadata.name, not generateName".into())
        }
        (_, Some(g)) => {
            let body = g.trim_end_matches('-');
            if g.len() > MAX_GENERATE_NAME
                || body.is_empty()
                || !body
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                || !body.starts_with(|c: char| c.is_ascii_alphanumeric())
            {
                problems.push(format!("invalid generateName '{g}'"));
            }
        }
        (Some(n), None) if !is_dns_label(n, MAX_OBJECT_NAME) => {
            problems.push(format!("invalid name '{n}'"))
        }
        _ => {}
    }
    let total: usize = meta
        .annotations
        .iter()
        .map(|(k, v)| k.len() + v.len())
        .sum();
    if total > 256 * 1024 {
        problems.push("annotations exceed 256 KiB".into());
    }
}

fn lint_templates(spec: &WorkflowSpec, problems: &mut Vec<String>) {
    if spec.workflow_template_ref.is_some() {
        // the referenced template brings the entrypoint and the templates (C3)
        if !spec.templates.is_empty() {
            problems.push("a spec with workflowTemplateRef must not have templates".into());
        }
        if spec
            .workflow_template_ref
            .as_ref()
            .is_some_and(|r| !is_dns_label(&r.name, MAX_OBJECT_NAME))
        {
            problems.push("workflowTemplateRef names no valid WorkflowTemplate".into());
        }
        return;
    }
    if spec.templates.len() > MAX_TEMPLATES {
        problems.push(format!(
            "{} templates, more than {MAX_TEMPLATES}",
            spec.templates.len()
        ));
    }
    let mut by_name: HashMap<&str, &Template> = HashMap::new();
    for t in &spec.templates {
        if !is_name(&t.name) {
            problems.push(format!("invalid template name '{}'", t.name));
        }
        if by_name.insert(&t.name, t).is_some() {
            problems.push(format!("duplicate template '{}'", t.name));
        }
        let kinds = [t.dag.is_some(), t.script.is_some(), t.resource.is_some()];
        if kinds.iter().filter(|k| **k).count() != 1 {
            problems.push(format!(
                "template '{}' must be exactly one of dag/script/resource",
                t.name
            ));
        }
        for p in t.inputs.iter().flat_map(|i| &i.parameters) {
            if !is_param_name(&p.name) {
                problems.push(format!("invalid parameter name '{}'", p.name));
            }
        }
        lint_resource(t, problems);
    }
    if !by_name.contains_key(spec.entrypoint.as_str()) {
        problems.push(format!(
            "entrypoint '{}' is not a template",
            spec.entrypoint
        ));
    }
    let volumes: HashSet<&str> = spec.volumes.iter().map(|v| v.name.as_str()).collect();
    if volumes.len() != spec.volumes.len() {
        problems.push("duplicate volume names".into());
    }
    for t in &spec.templates {
        if let Some(script) = &t.script {
            let mut paths = HashSet::new();
            for m in &script.volume_mounts {
                if !volumes.contains(m.name.as_str()) {
                    problems.push(format!("volume mount '{}' has no volume", m.name));
                }
                if !paths.insert(&m.mount_path) {
                    problems.push(format!("mount path '{}' used twice", m.mount_path));
                }
                if let Some(sp) = &m.sub_path {
                    if sp.starts_with('/') || sp.split('/').any(|p| p == "..") {
                        problems.push(format!("invalid subPath '{sp}'"));
                    }
                }
            }
        }
        let Some(dag) = &t.dag else { continue };
        if dag.tasks.is_empty() || dag.tasks.len() > MAX_DAG_TASKS {
            problems.push(format!(
                "DAG '{}' has {} tasks (allowed 1..={MAX_DAG_TASKS})",
                t.name,
                dag.tasks.len()
            ));
        }
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        for task in &dag.tasks {
            if !is_name(&task.name) {
                problems.push(format!("invalid task name '{}'", task.name));
            }
            if let Some(dep) = &task.depends {
                for d in dep.split(" && ") {
                    if d == task.name {
                        problems.push(format!("task '{}' depends on itself", task.name));
                    } else if !seen.contains(d) {
                        // tasks are listed in topological order, so this also rules
                        // out references to missing tasks and cycles
                        problems.push(format!(
                            "task '{}' depends on '{d}', which is not an earlier task of DAG '{}'",
                            task.name, t.name
                        ));
                    }
                }
            }
            if !seen.insert(&task.name) {
                problems.push(format!(
                    "duplicate task '{}' in DAG '{}'",
                    task.name, t.name
                ));
            }
            match by_name.get(task.template.as_str()) {
                None => problems.push(format!(
                    "task '{}' uses undefined template '{}'",
                    task.name, task.template
                )),
                Some(callee) => {
                    let declared: BTreeSet<&str> = callee
                        .inputs
                        .iter()
                        .flat_map(|i| &i.parameters)
                        .map(|p| p.name.as_str())
                        .collect();
                    let needed: BTreeSet<&str> = callee
                        .inputs
                        .iter()
                        .flat_map(|i| &i.parameters)
                        .filter(|p| p.default.is_none())
                        .map(|p| p.name.as_str())
                        .collect();
                    let given: BTreeSet<&str> = task
                        .arguments
                        .iter()
                        .flat_map(|a| &a.parameters)
                        .map(|p| p.name.as_str())
                        .collect();
                    if !given.is_subset(&declared) || !needed.is_subset(&given) {
                        problems.push(format!(
                            "task '{}' passes {given:?} but template '{}' declares {declared:?}",
                            task.name, callee.name
                        ));
                    }
                    // input artifacts without a location of their own come from the caller
                    let takes: BTreeSet<&str> = callee
                        .inputs
                        .iter()
                        .flat_map(|i| &i.artifacts)
                        .filter(|a| a.git.is_none())
                        .map(|a| a.name.as_str())
                        .collect();
                    let wanted: BTreeSet<&str> = callee
                        .inputs
                        .iter()
                        .flat_map(|i| &i.artifacts)
                        .filter(|a| a.git.is_none() && !a.optional)
                        .map(|a| a.name.as_str())
                        .collect();
                    let passed: BTreeSet<&str> = task
                        .arguments
                        .iter()
                        .flat_map(|a| &a.artifacts)
                        .map(|a| a.name.as_str())
                        .collect();
                    if !wanted.is_subset(&passed) || !passed.is_subset(&takes) {
                        problems.push(format!(
                            "task '{}' passes artifacts {passed:?} but template '{}' takes {wanted:?}",
                            task.name, callee.name
                        ));
                    }
                }
            }
        }
    }
}

/// A resource template (`validate.go` `validateLeaf`, C18): a known action, a
/// manifest unless the action is get or delete, conditions that say something, and
/// only `{{inputs.parameters.X}}` references to declared inputs in the manifest.
fn lint_resource(t: &Template, problems: &mut Vec<String>) {
    let Some(r) = &t.resource else { return };
    if !RESOURCE_ACTIONS.contains(&r.action.as_str()) {
        problems.push(format!(
            "template '{}': unknown resource action '{}'",
            t.name, r.action
        ));
    }
    let manifest = r.manifest.as_deref().unwrap_or_default();
    if manifest.trim().is_empty() && !matches!(r.action.as_str(), "get" | "delete") {
        problems.push(format!("template '{}': resource without manifest", t.name));
    }
    for c in [&r.success_condition, &r.failure_condition]
        .into_iter()
        .flatten()
    {
        if c.trim().is_empty() {
            problems.push(format!("template '{}': empty resource condition", t.name));
        }
    }
    let declared: BTreeSet<&str> = t
        .inputs
        .iter()
        .flat_map(|i| &i.parameters)
        .map(|p| p.name.as_str())
        .collect();
    let mut rest = manifest;
    while let Some(at) = rest.find("{{") {
        let Some(len) = rest[at..].find("}}") else {
            problems.push(format!(
                "template '{}': unclosed '{{{{' in the manifest",
                t.name
            ));
            break;
        };
        let tag = rest[at + 2..at + len].trim();
        match tag.strip_prefix("inputs.parameters.") {
            Some(p) if declared.contains(p) => {}
            _ => problems.push(format!(
                "template '{}': the manifest uses '{{{{{tag}}}}}', which is no declared input",
                t.name
            )),
        }
        rest = &rest[at + len + 2..];
    }
}
