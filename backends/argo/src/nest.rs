//! Laying the planned tasks out as DAG templates within Argo v4's limits (≤ 200 tasks
//! per DAG template, ≤ 200 templates per spec).
//!
//! Up to 200 tasks: one DAG template `dag`. Beyond: the tasks, in the plan's
//! topological order, are cut into chunks of ≤ 200; each chunk is a DAG template
//! `chunk-NNN` keeping the per-task `depends` among its own tasks, and the entry DAG
//! `dag` runs the chunks, each depending on every chunk that holds one of its tasks'
//! upstream tasks. Since upstream tasks always sit in the same or an earlier chunk,
//! every task starts only after all its upstream tasks have finished.
//!
//! [`nest`] does the same for any DAG nodes: the parent of a split pipeline
//! ([`crate::split`]) lays out its parts with it.

use std::collections::{BTreeSet, HashMap};

use anyhow::{anyhow, bail};
use soopervisor_core::output::names::NameMap;
use soopervisor_core::plan::PlannedTask;

use crate::model::{Arguments, DagTask, DagTemplate, Parameter, Template};

/// Argo v4 CRD limit on tasks in one DAG template.
pub const MAX_DAG_TASKS: usize = 200;
/// Argo v4 CRD limit on templates in one Workflow spec.
pub const MAX_TEMPLATES: usize = 200;
/// Name of the entry DAG template.
pub const ENTRY_DAG: &str = "dag";
/// Name of the script template every task runs.
pub const RUN_TASK: &str = "run-task";
/// Name of the input parameter carrying the Ploomber task name.
pub const TASK_PARAM: &str = "task_name";
/// The most tasks one Workflow holds: the entry DAG and the `run-task` template leave
/// room for 198 chunk DAG templates of 200 tasks.
pub const MAX_WORKFLOW_TASKS: usize = (MAX_TEMPLATES - 2) * MAX_DAG_TASKS;

/// One node of a DAG to lay out: its DAG task (`depends` is filled in by [`nest`])
/// and the keys of the nodes it waits for, all of them earlier nodes.
pub struct Node {
    /// Unique among the nodes (the Ploomber name of a task, the name of a part).
    pub key: String,
    pub upstream: Vec<String>,
    pub task: DagTask,
}

/// The DAG templates for `tasks` (entry DAG first), with tasks of at most `chunk`
/// each.
pub fn dag_templates(
    tasks: &[PlannedTask],
    names: &NameMap,
    chunk: usize,
) -> anyhow::Result<Vec<Template>> {
    let name_of = |t: &str| {
        names
            .get(t)
            .map(str::to_string)
            .ok_or_else(|| anyhow!("internal error: task '{t}' has no Argo name"))
    };
    let nodes = tasks
        .iter()
        .map(|t| {
            Ok(Node {
                key: t.name.clone(),
                upstream: t.upstream.clone(),
                task: task_node(t, &name_of)?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    nest(nodes, chunk)
}

/// Lays out `nodes` (in topological order) as DAG templates, entry DAG first: one DAG
/// `dag` up to `chunk` nodes, else chunks `chunk-NNN` of at most `chunk` nodes run by
/// `dag`, each chunk waiting for the chunks that hold its nodes' upstream nodes. The
/// nodes' `depends` keep only the dependencies inside their own DAG template.
pub fn nest(nodes: Vec<Node>, chunk: usize) -> anyhow::Result<Vec<Template>> {
    let chunk = chunk.clamp(1, MAX_DAG_TASKS);
    let task_name: HashMap<&str, &str> = nodes
        .iter()
        .map(|n| (n.key.as_str(), n.task.name.as_str()))
        .collect();
    let name_of = |key: &str, of: &str| {
        task_name
            .get(key)
            .map(|s| s.to_string())
            .ok_or_else(|| anyhow!("internal error: upstream '{key}' of '{of}' is not exported"))
    };
    if nodes.len() <= chunk {
        let mut all = Vec::with_capacity(nodes.len());
        for n in &nodes {
            let deps = n
                .upstream
                .iter()
                .map(|u| name_of(u, &n.key))
                .collect::<anyhow::Result<_>>()?;
            let mut task = n.task.clone();
            task.depends = depends_expr(deps);
            all.push(task);
        }
        return Ok(vec![dag_template(ENTRY_DAG, all)]);
    }
    let n_chunks = nodes.len().div_ceil(chunk);
    if n_chunks + 2 > MAX_TEMPLATES {
        bail!(
            "{} tasks need {n_chunks} nested DAG templates, more than Argo's limit of {MAX_TEMPLATES} templates per Workflow; \
             export part of the pipeline with --task, or split it",
            nodes.len()
        );
    }
    let width = n_chunks.to_string().len().max(3);
    let chunk_name = |i: usize| format!("chunk-{:0width$}", i + 1);
    let chunk_of = Groups::new(nodes.iter().map(|n| n.key.as_str()), chunk);
    let mut entry_tasks = Vec::with_capacity(n_chunks);
    let mut templates = vec![];
    for (c, group) in nodes.chunks(chunk).enumerate() {
        let mut upstream_chunks = BTreeSet::new();
        let mut tasks = Vec::with_capacity(group.len());
        for n in group {
            let mut local = Vec::new();
            for u in &n.upstream {
                let uc = chunk_of.of_upstream(&n.key, c, u)?;
                if uc < c {
                    upstream_chunks.insert(uc);
                } else {
                    // only dependencies inside this chunk; the chunk waits for the others
                    local.push(name_of(u, &n.key)?);
                }
            }
            let mut task = n.task.clone();
            task.depends = depends_expr(local);
            tasks.push(task);
        }
        entry_tasks.push(DagTask {
            name: chunk_name(c),
            template: chunk_name(c),
            depends: depends_expr(upstream_chunks.into_iter().map(chunk_name).collect()),
            arguments: None,
        });
        templates.push(dag_template(&chunk_name(c), tasks));
    }
    let mut out = vec![dag_template(ENTRY_DAG, entry_tasks)];
    out.extend(templates);
    Ok(out)
}

/// Items in topological order cut into consecutive groups of `size` (DAG chunks, or
/// the parts of a split pipeline): which group holds each item.
pub struct Groups<'a> {
    of: HashMap<&'a str, usize>,
}

impl<'a> Groups<'a> {
    pub fn new(keys: impl Iterator<Item = &'a str>, size: usize) -> Self {
        Groups {
            of: keys.enumerate().map(|(i, k)| (k, i / size)).collect(),
        }
    }

    /// The group of `upstream`, an upstream of `item` in group `group`: checked to be
    /// among the items, in that group or an earlier one.
    pub fn of_upstream(&self, item: &str, group: usize, upstream: &str) -> anyhow::Result<usize> {
        let g = *self.of.get(upstream).ok_or_else(|| {
            anyhow!("internal error: upstream '{upstream}' of '{item}' is not exported")
        })?;
        if g > group {
            bail!(
                "internal error: tasks are not in topological order ('{item}' before its upstream '{upstream}')"
            );
        }
        Ok(g)
    }
}

fn dag_template(name: &str, tasks: Vec<DagTask>) -> Template {
    Template {
        name: name.to_string(),
        dag: Some(DagTemplate { tasks }),
        ..Template::default()
    }
}

/// One DAG task running `run-task` for `t` (its `depends` is set by [`nest`]).
fn task_node(
    t: &PlannedTask,
    name_of: &dyn Fn(&str) -> anyhow::Result<String>,
) -> anyhow::Result<DagTask> {
    Ok(DagTask {
        name: name_of(&t.name)?,
        template: RUN_TASK.to_string(),
        depends: None,
        arguments: Some(Arguments {
            parameters: vec![Parameter {
                name: TASK_PARAM.to_string(),
                value: Some(t.name.clone()),
                ..Parameter::default()
            }],
            artifacts: Vec::new(),
        }),
    })
}

/// `a && b && c` over the sorted, de-duplicated names; `None` when empty.
pub fn depends_expr(mut names: Vec<String>) -> Option<String> {
    names.sort();
    names.dedup();
    (!names.is_empty()).then(|| names.join(" && "))
}
