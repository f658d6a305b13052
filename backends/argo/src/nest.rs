//! Laying the planned tasks out as DAG templates within Argo v4's limits (≤ 200 tasks
//! per DAG template, ≤ 200 templates per spec).
//!
//! Up to 200 tasks: one DAG template `dag`. Beyond: the tasks, in the plan's
//! topological order, are cut into chunks of ≤ 200; each chunk is a DAG template
//! `chunk-NNN` keeping the per-task `depends` among its own tasks, and the entry DAG
//! `dag` runs the chunks, each depending on every chunk that holds one of its tasks'
//! upstream tasks. Since upstream tasks always sit in the same or an earlier chunk,
//! every task starts only after all its upstream tasks have finished.

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

/// The DAG templates for `tasks` (entry DAG first), with tasks of at most `chunk`
/// each.
pub fn dag_templates(
    tasks: &[PlannedTask],
    names: &NameMap,
    chunk: usize,
) -> anyhow::Result<Vec<Template>> {
    let chunk = chunk.clamp(1, MAX_DAG_TASKS);
    let name_of = |t: &str| {
        names
            .get(t)
            .map(str::to_string)
            .ok_or_else(|| anyhow!("internal error: task '{t}' has no Argo name"))
    };
    if tasks.len() <= chunk {
        let all: Vec<DagTask> = tasks
            .iter()
            .map(|t| task_node(t, &name_of))
            .collect::<anyhow::Result<_>>()?;
        return Ok(vec![dag_template(ENTRY_DAG, all)]);
    }
    let n_chunks = tasks.len().div_ceil(chunk);
    if n_chunks + 2 > MAX_TEMPLATES {
        bail!(
            "{} tasks need {n_chunks} nested DAG templates, more than Argo's limit of {MAX_TEMPLATES} templates per Workflow; \
             export part of the pipeline with --task, or split it",
            tasks.len()
        );
    }
    let width = n_chunks.to_string().len().max(3);
    let chunk_name = |i: usize| format!("chunk-{:0width$}", i + 1);
    let mut chunk_of: HashMap<&str, usize> = HashMap::new();
    for (i, t) in tasks.iter().enumerate() {
        chunk_of.insert(t.name.as_str(), i / chunk);
    }
    let mut entry_tasks = Vec::with_capacity(n_chunks);
    let mut templates = vec![];
    for (c, group) in tasks.chunks(chunk).enumerate() {
        let mut upstream_chunks = BTreeSet::new();
        let mut nodes = Vec::with_capacity(group.len());
        for t in group {
            for u in &t.upstream {
                let uc = *chunk_of.get(u.as_str()).ok_or_else(|| {
                    anyhow!(
                        "internal error: upstream '{u}' of '{}' is not exported",
                        t.name
                    )
                })?;
                if uc > c {
                    bail!(
                        "internal error: tasks are not in topological order ('{}' before its upstream '{u}')",
                        t.name
                    );
                }
                if uc < c {
                    upstream_chunks.insert(uc);
                }
            }
            let mut node = task_node(t, &name_of)?;
            // keep only dependencies inside this chunk; the chunk waits for the others
            let local: Vec<String> = t
                .upstream
                .iter()
                .filter(|u| chunk_of[u.as_str()] == c)
                .map(|u| name_of(u))
                .collect::<anyhow::Result<_>>()?;
            node.depends = depends_expr(local);
            nodes.push(node);
        }
        entry_tasks.push(DagTask {
            name: chunk_name(c),
            template: chunk_name(c),
            depends: depends_expr(upstream_chunks.into_iter().map(chunk_name).collect()),
            arguments: None,
        });
        templates.push(dag_template(&chunk_name(c), nodes));
    }
    let mut out = vec![dag_template(ENTRY_DAG, entry_tasks)];
    out.extend(templates);
    Ok(out)
}

fn dag_template(name: &str, tasks: Vec<DagTask>) -> Template {
    Template {
        name: name.to_string(),
        dag: Some(DagTemplate { tasks }),
        ..Template::default()
    }
}

/// One DAG task running `run-task` for `t`, depending on all its upstream tasks.
fn task_node(
    t: &PlannedTask,
    name_of: &dyn Fn(&str) -> anyhow::Result<String>,
) -> anyhow::Result<DagTask> {
    let deps: Vec<String> = t
        .upstream
        .iter()
        .map(|u| name_of(u))
        .collect::<anyhow::Result<_>>()?;
    Ok(DagTask {
        name: name_of(&t.name)?,
        template: RUN_TASK.to_string(),
        depends: depends_expr(deps),
        arguments: Some(Arguments {
            parameters: vec![Parameter {
                name: TASK_PARAM.to_string(),
                value: Some(t.name.clone()),
            }],
            artifacts: Vec::new(),
        }),
    })
}

/// `a && b && c` over the sorted, de-duplicated names; `None` when empty.
fn depends_expr(mut names: Vec<String>) -> Option<String> {
    names.sort();
    names.dedup();
    (!names.is_empty()).then(|| names.join(" && "))
}
