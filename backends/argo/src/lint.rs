//! The backend's own lint of the Workflow it built, against the rules in the Argo notes
//! (`argo.md` §2): names and lengths, unique names, `depends` that reference existing
//! earlier tasks and never the task itself, Argo v4 item limits, parameter names,
//! declared volumes and inputs, and scalars that YAML 1.1 would read differently.
//! Everything here is our own output, so a finding is a bug: [`lint`] returns an error.

use std::collections::{BTreeSet, HashMap, HashSet};

use anyhow::bail;
use serde_json::Value;
use soopervisor_core::output::yaml;

use crate::model::{Template, Workflow};
use crate::nest::{MAX_DAG_TASKS, MAX_TEMPLATES};

/// Longest template/task name we emit (Argo allows 128; 63 keeps pod names valid).
const MAX_NAME: usize = 63;

/// Checks `wf`; `Err` lists every problem found.
pub fn lint(wf: &Workflow) -> anyhow::Result<()> {
    let mut problems = Vec::new();
    lint_metadata(wf, &mut problems);
    lint_templates(wf, &mut problems);
    match serde_json::to_value(wf) {
        Ok(v) => lint_scalars(&v, "", &mut problems),
        Err(e) => problems.push(format!("cannot serialise: {e}")),
    }
    if problems.is_empty() {
        Ok(())
    } else {
        bail!(
            "internal error: the generated Argo Workflow breaks Argo's rules (please report this bug):\n  - {}",
            problems.join("\n  - ")
        )
    }
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

fn lint_metadata(wf: &Workflow, problems: &mut Vec<String>) {
    if wf.api_version != "argoproj.io/v1alpha1" || wf.kind != "Workflow" {
        problems.push("apiVersion/kind must be argoproj.io/v1alpha1 Workflow".into());
    }
    match (&wf.metadata.name, &wf.metadata.generate_name) {
        (None, None) => problems.push("metadata needs name or generateName".into()),
        (_, Some(g)) => {
            let body = g.trim_end_matches('-');
            if g.len() > 58
                || body.is_empty()
                || !body
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                || !body.starts_with(|c: char| c.is_ascii_alphanumeric())
            {
                problems.push(format!("invalid generateName '{g}'"));
            }
        }
        (Some(n), None) if !is_name(n) => problems.push(format!("invalid name '{n}'")),
        _ => {}
    }
    let total: usize = wf
        .metadata
        .annotations
        .iter()
        .map(|(k, v)| k.len() + v.len())
        .sum();
    if total > 256 * 1024 {
        problems.push("annotations exceed 256 KiB".into());
    }
}

fn lint_templates(wf: &Workflow, problems: &mut Vec<String>) {
    let spec = &wf.spec;
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
        if t.dag.is_some() == t.script.is_some() {
            problems.push(format!(
                "template '{}' must be exactly one of dag/script",
                t.name
            ));
        }
        for p in t.inputs.iter().flat_map(|i| &i.parameters) {
            if !is_param_name(&p.name) {
                problems.push(format!("invalid parameter name '{}'", p.name));
            }
        }
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
                    let given: BTreeSet<&str> = task
                        .arguments
                        .iter()
                        .flat_map(|a| &a.parameters)
                        .map(|p| p.name.as_str())
                        .collect();
                    if declared != given {
                        problems.push(format!(
                            "task '{}' passes {given:?} but template '{}' declares {declared:?}",
                            task.name, callee.name
                        ));
                    }
                }
            }
        }
    }
}

/// Would YAML 1.1 (go-yaml v2, PyYAML) resolve this plain scalar to a non-string?
/// An independent, deliberately broad check of the emitter's quoting decision.
fn yaml11_special(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "" | "~" | "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
    ) || s.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.'))
        || s == "<<"
        || s == "="
}

fn lint_scalars(v: &Value, path: &str, problems: &mut Vec<String>) {
    let check = |s: &str, problems: &mut Vec<String>| {
        if yaml::is_plain_safe(s) && yaml11_special(s) {
            problems.push(format!(
                "{path}: '{s}' would be written as an ambiguous plain scalar"
            ));
        }
    };
    match v {
        Value::String(s) => check(s, problems),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                lint_scalars(item, &format!("{path}[{i}]"), problems);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                check(k, problems);
                lint_scalars(item, &format!("{path}.{k}"), problems);
            }
        }
        _ => {}
    }
}
