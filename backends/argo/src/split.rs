//! Splitting a plan too big for one Workflow into a workflow of workflows.
//!
//! One Workflow holds at most [`MAX_WORKFLOW_TASKS`] tasks (Argo v4's template and
//! DAG limits), and etcd refuses objects above about 1.5 MiB, which a Workflow
//! reaches near 10,000 tasks. Above `max_tasks_per_workflow` tasks, the plan's tasks
//! (already in topological order) are cut into contiguous parts. Each part becomes a
//! `WorkflowTemplate` `<project>-part-NNN` that runs its tasks exactly as a single
//! Workflow would (nested DAG templates, `depends` among its own tasks only). A parent
//! `Workflow` runs one DAG task per part, each creating a child Workflow from its part
//! (a `resource` template) and waiting until it has succeeded; a part waits for every
//! earlier part holding an upstream task of one of its tasks. Upstream tasks always
//! sit in the same or an earlier part, so every task still starts only after all of
//! its upstream tasks have finished.
//!
//! Only when every task runs the one shared `run-task` template: artifacts cannot
//! pass from one Workflow to another.

use std::collections::{BTreeSet, HashSet};
use std::ops::Range;

use soopervisor_core::diagnostics::UserError;
use soopervisor_core::output::names::dns_label;
use soopervisor_core::output::yaml;
use soopervisor_core::plan::PlannedTask;

use crate::model::{
    Arguments, DagTask, Inputs, ObjectMeta, Parameter, ResourceTemplate, Template, Workflow,
    WorkflowSpec, WorkflowTemplateRef,
};
use crate::nest::{nest, Groups, Node, MAX_WORKFLOW_TASKS};

/// Tasks per Workflow above which a plan is split, unless configured.
pub const DEFAULT_MAX_TASKS_PER_WORKFLOW: usize = 2000;
/// The most parts one parent Workflow runs (its DAG nests like a plan's tasks).
pub const MAX_PARTS: usize = MAX_WORKFLOW_TASKS;
/// Longest part name: the child Workflows' `generateName` is `<part>-`, and
/// Kubernetes keeps at most 58 characters of a `generateName`.
pub const MAX_PART_NAME: usize = 57;
/// The parent's template that creates one child Workflow and waits for it.
pub const RUN_PART: &str = "run-part";
/// The input parameter of [`RUN_PART`]: the WorkflowTemplate to run.
pub const PART_PARAM: &str = "part";
/// Condition under which [`RUN_PART`] succeeds (a child Workflow's phase).
pub const SUCCESS_CONDITION: &str = "status.phase == Succeeded";
/// Condition under which [`RUN_PART`] fails.
pub const FAILURE_CONDITION: &str = "status.phase in (Failed, Error)";

/// One part of a split plan: a contiguous run of the plan's tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The WorkflowTemplate's `metadata.name` (`<project>-part-NNN`).
    pub name: String,
    /// The parent's DAG task running it (`part-NNN`).
    pub node: String,
    /// Indexes of its tasks in the plan.
    pub range: Range<usize>,
    /// Earlier parts holding an upstream task of one of its tasks.
    pub upstream: BTreeSet<usize>,
}

/// The part names for a project split in `n` parts: the project's DNS label cut so
/// that `<label>-part-NNN` has at most [`MAX_PART_NAME`] characters. NNN has at least
/// 3 digits, more when there are more parts, so names sort in order.
pub fn part_names(project: &str, n: usize) -> Vec<String> {
    let width = n.to_string().len().max(3);
    let keep = MAX_PART_NAME - "-part-".len() - width;
    let label: String = dns_label(project).chars().take(keep).collect();
    let label = label.trim_end_matches('-');
    (1..=n)
        .map(|i| format!("{label}-part-{i:0width$}"))
        .collect()
}

/// Cuts `tasks` (in topological order) into parts of at most `max` tasks.
pub fn partition(tasks: &[PlannedTask], max: usize, project: &str) -> anyhow::Result<Vec<Part>> {
    let max = max.max(1);
    let n = tasks.len().div_ceil(max);
    if n > MAX_PARTS {
        return Err(UserError::new(format!(
            "{} tasks in Workflows of at most {max} tasks (max_tasks_per_workflow) make {n} parts, \
             more than the {MAX_PARTS} one parent Workflow can run",
            tasks.len()
        ))
        .with_hint(format!(
            "raise max_tasks_per_workflow to at least {}",
            tasks.len().div_ceil(MAX_PARTS)
        ))
        .into());
    }
    let width = n.to_string().len().max(3);
    let names = part_names(project, n);
    let part_of = Groups::new(tasks.iter().map(|t| t.name.as_str()), max);
    let mut parts = Vec::with_capacity(n);
    for (k, name) in names.into_iter().enumerate() {
        let range = k * max..((k + 1) * max).min(tasks.len());
        let mut upstream = BTreeSet::new();
        for t in &tasks[range.clone()] {
            for u in &t.upstream {
                let uk = part_of.of_upstream(&t.name, k, u)?;
                if uk < k {
                    upstream.insert(uk);
                }
            }
        }
        parts.push(Part {
            name,
            node: format!("part-{:0width$}", k + 1),
            range,
            upstream,
        });
    }
    Ok(parts)
}

/// `tasks` with each one's upstream cut to the tasks among them: what a part's
/// Workflow waits for itself (the parent waits for the other parts).
pub fn local_tasks(tasks: &[PlannedTask]) -> Vec<PlannedTask> {
    let here: HashSet<&str> = tasks.iter().map(|t| t.name.as_str()).collect();
    tasks
        .iter()
        .map(|t| {
            let mut local = t.clone();
            local.upstream.retain(|u| here.contains(u.as_str()));
            local
        })
        .collect()
}

/// The parent Workflow's templates: its DAG over the parts (nested in chunks of at
/// most `chunk` like a plan's tasks), then [`RUN_PART`].
pub fn parent_templates(parts: &[Part], chunk: usize) -> anyhow::Result<Vec<Template>> {
    let nodes = parts
        .iter()
        .map(|p| Node {
            key: p.name.clone(),
            upstream: p.upstream.iter().map(|&k| parts[k].name.clone()).collect(),
            task: DagTask {
                name: p.node.clone(),
                template: RUN_PART.to_string(),
                depends: None,
                arguments: Some(Arguments {
                    parameters: vec![Parameter {
                        name: PART_PARAM.to_string(),
                        value: Some(p.name.clone()),
                        ..Parameter::default()
                    }],
                    artifacts: Vec::new(),
                }),
            },
        })
        .collect();
    let mut templates = nest(nodes, chunk)?;
    templates.push(run_part_template()?);
    Ok(templates)
}

/// The child Workflow that runs the WorkflowTemplate `part` (`generateName: <part>-`).
pub fn child_workflow(part: &str) -> Workflow {
    Workflow {
        api_version: "argoproj.io/v1alpha1".to_string(),
        kind: "Workflow".to_string(),
        metadata: ObjectMeta {
            generate_name: Some(format!("{part}-")),
            ..ObjectMeta::default()
        },
        spec: WorkflowSpec {
            workflow_template_ref: Some(WorkflowTemplateRef {
                name: part.to_string(),
            }),
            ..WorkflowSpec::default()
        },
    }
}

/// [`RUN_PART`]: creates the child Workflow of the part named by its input (owned by
/// the parent, so deleting the parent deletes it) and waits for its phase.
pub fn run_part_template() -> anyhow::Result<Template> {
    let manifest = yaml::to_string_from(&child_workflow(&format!(
        "{{{{inputs.parameters.{PART_PARAM}}}}}"
    )))?;
    Ok(Template {
        name: RUN_PART.to_string(),
        inputs: Some(Inputs {
            parameters: vec![Parameter {
                name: PART_PARAM.to_string(),
                value: None,
                ..Parameter::default()
            }],
            artifacts: Vec::new(),
        }),
        resource: Some(ResourceTemplate {
            action: "create".to_string(),
            set_owner_reference: true,
            success_condition: Some(SUCCESS_CONDITION.to_string()),
            failure_condition: Some(FAILURE_CONDITION.to_string()),
            manifest: Some(manifest),
        }),
        ..Template::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(name: &str, upstream: &[&str]) -> PlannedTask {
        PlannedTask::new(name, "NotebookRunner").with_upstream(upstream.iter().copied())
    }

    /// t0 → t1 → ... plus every task i ≥ 3 also depends on t(i-3); t7 on t0.
    fn tasks(n: usize) -> Vec<PlannedTask> {
        (0..n)
            .map(|i| {
                let mut up = Vec::new();
                if i >= 1 {
                    up.push(format!("t{}", i - 1));
                }
                if i >= 3 {
                    up.push(format!("t{}", i - 3));
                }
                if i == 7 {
                    up.push("t0".to_string());
                }
                let up: Vec<&str> = up.iter().map(String::as_str).collect();
                task(&format!("t{i}"), &up)
            })
            .collect()
    }

    #[test]
    fn parts_are_contiguous_and_at_most_max() {
        let ts = tasks(10);
        for max in 1..=11 {
            let parts = partition(&ts, max, "proj").unwrap();
            assert_eq!(parts.len(), 10usize.div_ceil(max), "max {max}");
            let mut next = 0;
            for p in &parts {
                assert_eq!(p.range.start, next);
                assert!(!p.range.is_empty() && p.range.len() <= max);
                next = p.range.end;
            }
            assert_eq!(next, 10, "every task is in exactly one part");
        }
    }

    #[test]
    fn part_dependencies_are_the_cross_part_edges() {
        let ts = tasks(10);
        let parts = partition(&ts, 3, "proj").unwrap();
        let part_of = |name: &str| {
            let i: usize = name[1..].parse().unwrap();
            parts.iter().position(|p| p.range.contains(&i)).unwrap()
        };
        for (k, p) in parts.iter().enumerate() {
            let want: BTreeSet<usize> = ts[p.range.clone()]
                .iter()
                .flat_map(|t| t.upstream.iter().map(|u| part_of(u)))
                .filter(|&uk| uk != k)
                .collect();
            assert_eq!(p.upstream, want, "{}", p.name);
            assert!(p.upstream.iter().all(|&u| u < k));
        }
        // t7 (part 2) needs t0 (part 0) directly, not only through part 1
        assert_eq!(parts[2].upstream, BTreeSet::from([0, 1]));
        assert_eq!(parts[1].upstream, BTreeSet::from([0]));
        assert!(parts[0].upstream.is_empty());
    }

    #[test]
    fn local_tasks_keep_only_dependencies_inside_the_part() {
        let ts = tasks(10);
        let local = local_tasks(&ts[3..6]);
        assert_eq!(local[0].upstream, Vec::<String>::new());
        assert_eq!(local[1].upstream, ["t3"]);
        assert_eq!(local[2].upstream, ["t4"]);
        assert_eq!(local[2].all_upstream, ["t2", "t4"], "the rest is kept");
    }

    #[test]
    fn out_of_order_tasks_are_an_internal_error() {
        let mut ts = tasks(4);
        ts.swap(0, 3);
        let err = partition(&ts, 2, "p").unwrap_err().to_string();
        assert!(err.contains("topological order"), "{err}");
    }

    #[test]
    fn names_are_deterministic_dns_labels_that_leave_room_for_generate_name() {
        assert_eq!(
            part_names("My_Project", 3),
            [
                "my-project-part-001",
                "my-project-part-002",
                "my-project-part-003"
            ]
        );
        assert_eq!(part_names("x", 1000)[999], "x-part-1000");
        assert_eq!(part_names("", 1), ["project-part-001"]);
        assert_eq!(part_names("100k", 1), ["100k-part-001"]);
        let long = "A".repeat(40) + "_" + &"b".repeat(40);
        for n in [1, 999, 1000, 100_000] {
            let names = part_names(&long, n);
            assert_eq!(names, part_names(&long, n), "deterministic");
            for name in [&names[0], &names[n - 1]] {
                assert!(name.len() <= MAX_PART_NAME, "{name}");
                assert!(
                    name.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                        && !name.contains("--"),
                    "{name}"
                );
            }
            let distinct: BTreeSet<&String> = names.iter().collect();
            assert_eq!(distinct.len(), n);
        }
    }

    #[test]
    fn too_many_parts_is_refused_with_the_fix() {
        let ts: Vec<PlannedTask> = (0..MAX_PARTS + 1)
            .map(|i| task(&format!("t{i}"), &[]))
            .collect();
        let err = partition(&ts, 1, "p").unwrap_err().to_string();
        assert!(
            err.contains("max_tasks_per_workflow") && err.contains("39600"),
            "{err}"
        );
        assert_eq!(partition(&ts, 2, "p").unwrap().len(), ts.len().div_ceil(2));
    }

    #[test]
    fn parent_waits_for_exactly_the_upstream_parts() {
        let ts = tasks(10);
        let parts = partition(&ts, 3, "proj").unwrap();
        let templates = parent_templates(&parts, 200).unwrap();
        assert_eq!(templates.len(), 2);
        let dag = templates[0].dag.as_ref().unwrap();
        let depends: Vec<Option<&str>> = dag.tasks.iter().map(|t| t.depends.as_deref()).collect();
        assert_eq!(
            depends,
            [
                None,
                Some("part-001"),
                Some("part-001 && part-002"),
                Some("part-003")
            ]
        );
        assert_eq!(templates[1].name, RUN_PART);
        // nested like tasks when the parts do not fit one DAG
        let nested = parent_templates(&parts, 2).unwrap();
        let names: Vec<&str> = nested.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["dag", "chunk-001", "chunk-002", RUN_PART]);
    }

    #[test]
    fn the_manifest_is_a_child_workflow_of_the_part_given_as_input() {
        let t = run_part_template().unwrap();
        let r = t.resource.unwrap();
        assert_eq!(r.action, "create");
        assert!(r.set_owner_reference);
        assert_eq!(
            r.manifest.unwrap(),
            "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: \"{{inputs.parameters.part}}-\"\nspec:\n  workflowTemplateRef:\n    name: \"{{inputs.parameters.part}}\"\n"
        );
    }
}
