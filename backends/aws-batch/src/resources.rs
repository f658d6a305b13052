//! `task_resources`: per-task vCPUs, memory and GPUs, keyed by glob patterns over the
//! exact Ploomber task names (the Python tool's key, with one rule everywhere):
//!
//! * a pattern is a shell glob matched against the whole name: `*` any characters
//!   (including `/`), `?` one character, `[abc]`/`[!abc]` a class; case-sensitive;
//! * the first pattern in file order that matches a task gives all its values;
//! * every pattern must match at least one task of the pipeline (the exported tasks
//!   and their upstream tasks), else the export stops naming it: a typo never
//!   silently drops a setting.
//!
//! The values become the job's `containerOverrides.resourceRequirements` (`VCPU`,
//! `MEMORY` in MiB, `GPU`, each a string as the API wants).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use soopervisor_core::diagnostics::UserError;
use soopervisor_core::plan::Plan;

use crate::model::ResourceRequirement;

/// What one task (or pattern of tasks) needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskResource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vcpus: Option<u32>,
    /// MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu: Option<u32>,
}

impl TaskResource {
    /// The API's `resourceRequirements` (zero values are left out).
    pub fn requirements(&self) -> Vec<ResourceRequirement> {
        let mut out = Vec::new();
        let mut push = |kind: &str, v: Option<u64>| {
            if let Some(v) = v.filter(|v| *v > 0) {
                out.push(ResourceRequirement {
                    kind: kind.to_string(),
                    value: v.to_string(),
                });
            }
        };
        push("VCPU", self.vcpus.map(u64::from));
        push("MEMORY", self.memory);
        push("GPU", self.gpu.map(u64::from));
        out
    }
}

/// The patterns, compiled and checked against the plan.
pub struct Matcher<'a> {
    patterns: Vec<(glob::Pattern, &'a TaskResource)>,
}

impl<'a> Matcher<'a> {
    /// Compiles every pattern and checks that each matches a task of the pipeline.
    pub fn new(
        task_resources: &'a IndexMap<String, TaskResource>,
        plan: &Plan,
    ) -> Result<Self, UserError> {
        let mut patterns = Vec::with_capacity(task_resources.len());
        for (key, res) in task_resources {
            let p = glob::Pattern::new(key).map_err(|e| {
                UserError::new(format!(
                    "task_resources: '{key}' is not a valid glob pattern: {e}"
                ))
                .with_hint("patterns are shell globs over task names: `*` any characters, `?` one, `[abc]` a class")
            })?;
            if *res == TaskResource::default() {
                return Err(UserError::new(format!(
                    "task_resources: '{key}' sets none of vcpus, memory, gpu"
                ))
                .with_hint(
                    "for example: task_resources: {\"fit-*\": {vcpus: 4, memory: 16384, gpu: 1}}",
                ));
            }
            patterns.push((p, res));
        }
        let names: std::collections::BTreeSet<&str> = plan
            .tasks
            .iter()
            .flat_map(|t| std::iter::once(&t.name).chain(&t.all_upstream))
            .map(String::as_str)
            .collect();
        let unmatched: Vec<&str> = patterns
            .iter()
            .filter(|(p, _)| !names.iter().any(|n| p.matches(n)))
            .map(|(p, _)| p.as_str())
            .collect();
        if !unmatched.is_empty() {
            return Err(UserError::new(format!(
                "task_resources: these patterns match no task: {}",
                unmatched
                    .iter()
                    .map(|p| format!("'{p}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .with_hint("fix or remove them; `soopervisor inspect` lists the task names"));
        }
        Ok(Matcher { patterns })
    }

    /// The resources of `task`: the first matching pattern's, if any.
    pub fn for_task(&self, task: &str) -> Option<&'a TaskResource> {
        self.patterns
            .iter()
            .find(|(p, _)| p.matches(task))
            .map(|(_, r)| *r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use soopervisor_core::plan::{Mode, PlannedTask, ProjectInfo};

    fn plan(names: &[&str]) -> Plan {
        Plan {
            project: ProjectInfo {
                root: "/p".into(),
                name: "p".into(),
                entry_point: "pipeline.yaml".into(),
                is_package: false,
                conda: None,
                pip_requirements: None,
            },
            mode: Mode::Regular,
            tasks: names
                .iter()
                .map(|n| PlannedTask {
                    name: n.to_string(),
                    class: "ShellScript".into(),
                    upstream: vec![],
                    all_upstream: vec![],
                    products: vec![],
                })
                .collect(),
            pinned_placeholders: Default::default(),
            warnings: vec![],
        }
    }

    fn res(vcpus: u32) -> TaskResource {
        TaskResource {
            vcpus: Some(vcpus),
            ..TaskResource::default()
        }
    }

    #[test]
    fn first_match_wins_and_globs_cover_slashes() {
        let mut m = IndexMap::new();
        m.insert("fit-*".to_string(), res(4));
        m.insert("*".to_string(), res(1));
        let p = plan(&["fit-a/b", "load"]);
        let matcher = Matcher::new(&m, &p).unwrap();
        assert_eq!(matcher.for_task("fit-a/b").unwrap().vcpus, Some(4));
        assert_eq!(matcher.for_task("load").unwrap().vcpus, Some(1));
    }

    #[test]
    fn every_pattern_must_match() {
        let mut m = IndexMap::new();
        m.insert("fit-*".to_string(), res(4));
        m.insert("tran?".to_string(), res(4));
        let err = Matcher::new(&m, &plan(&["load"]))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("'fit-*', 'tran?'"), "{err}");
        let mut bad = IndexMap::new();
        bad.insert("[".to_string(), res(1));
        let err = Matcher::new(&bad, &plan(&["load"]))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("not a valid glob"), "{err}");
    }

    #[test]
    fn requirements_are_strings_and_skip_zeros() {
        let r = TaskResource {
            vcpus: Some(2),
            memory: Some(2048),
            gpu: Some(0),
        };
        let v = serde_json::to_value(r.requirements()).unwrap();
        assert_eq!(
            v,
            serde_json::json!([{"type": "VCPU", "value": "2"}, {"type": "MEMORY", "value": "2048"}])
        );
    }
}
