//! `task_resources`: the Python tool's per-task vCPUs, memory and GPUs, keyed by
//! patterns over the exact Ploomber task names, matched by the same rule as the core's
//! settings (`soopervisor_core::settings::resolve::matches`):
//!
//! * a pattern matches a task whose name equals it, or that it matches as a shell glob
//!   over the whole name (`*` any characters including `/`, `?` one, `[abc]` a class);
//! * the first pattern in file order that matches a task gives all its values;
//! * every pattern must match at least one task of the pipeline (the exported tasks
//!   and their upstream tasks), else the export stops naming it: a typo never
//!   silently drops a setting.
//!
//! [`crate::settings`] translates the values into the core's settings (`cpu`, `memory`
//! in MiB, `gpu`), which become the job's `resourceRequirements`.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use soopervisor_core::diagnostics::UserError;
use soopervisor_core::plan::Plan;

use soopervisor_core::settings::resolve::matches;

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

/// The patterns, compiled and checked against the plan.
pub struct Matcher<'a> {
    patterns: Vec<(&'a str, Option<glob::Pattern>, &'a TaskResource)>,
}

impl<'a> Matcher<'a> {
    /// Compiles every pattern and checks that each matches a task of the pipeline.
    pub fn new(
        task_resources: &'a IndexMap<String, TaskResource>,
        plan: &Plan,
    ) -> Result<Self, UserError> {
        let mut patterns = Vec::with_capacity(task_resources.len());
        for (key, res) in task_resources {
            // not a glob (`fit[1`): it can still equal a task's name
            let p = glob::Pattern::new(key).ok();
            if *res == TaskResource::default() {
                return Err(UserError::new(format!(
                    "task_resources: '{key}' sets none of vcpus, memory, gpu"
                ))
                .with_hint(
                    "for example: task_resources: {\"fit-*\": {vcpus: 4, memory: 16384, gpu: 1}}",
                ));
            }
            patterns.push((key.as_str(), p, res));
        }
        let names: std::collections::BTreeSet<&str> = plan
            .tasks
            .iter()
            .flat_map(|t| std::iter::once(&t.name).chain(&t.all_upstream))
            .map(String::as_str)
            .collect();
        let unmatched: Vec<&str> = patterns
            .iter()
            .filter(|(key, p, _)| !names.iter().any(|n| matches(key, p.as_ref(), n)))
            .map(|(key, _, _)| *key)
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
            .find(|(key, p, _)| matches(key, p.as_ref(), task))
            .map(|(_, _, r)| *r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use soopervisor_core::plan::{Mode, PlannedTask, ProjectInfo};

    fn plan(names: &[&str]) -> Plan {
        Plan::new(
            ProjectInfo::new("/p", "pipeline.yaml"),
            Mode::Regular,
            names
                .iter()
                .map(|n| PlannedTask::new(*n, "ShellScript"))
                .collect(),
        )
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
        // not a glob: it still matches the task it names
        let mut literal = IndexMap::new();
        literal.insert("fit[1".to_string(), res(1));
        let m = Matcher::new(&literal, &plan(&["fit[1"])).unwrap();
        assert_eq!(m.for_task("fit[1").unwrap().vcpus, Some(1));
    }
}
