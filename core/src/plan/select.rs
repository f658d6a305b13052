//! Task selection: modes (`incremental`, `regular`, `force`) and `--task NAME`, as the
//! Python tool selects tasks (soopervisor-reference.md §3.4): dependencies are limited
//! to the exported tasks.

use std::collections::BTreeSet;

use crate::dag::Dag;
use crate::diagnostics::{pretty_list, UserError, UserResult};
use crate::model::Source;

use super::{status, Mode, PlannedTask};

/// Picks the tasks to export, in topological order.
pub fn select(dag: &Dag, mode: Mode, only: Option<&str>) -> UserResult<Vec<PlannedTask>> {
    select_with(dag, mode, only, None)
}

/// [`select`], with Ploomber's own answer to "which tasks would `ploomber build` run"
/// (`--exact`) replacing the static status in incremental mode.
pub fn select_with(
    dag: &Dag,
    mode: Mode,
    only: Option<&str>,
    would_run: Option<&BTreeSet<String>>,
) -> UserResult<Vec<PlannedTask>> {
    let outdated: Option<BTreeSet<String>> = match (mode, would_run) {
        (Mode::Incremental, Some(w)) => Some(w.clone()),
        (Mode::Incremental, None) => Some(status::outdated(dag).into_keys().collect()),
        _ => None,
    };
    let chosen: BTreeSet<&str> = match only {
        Some(name) => {
            if dag.get(name).is_none() {
                let mut names: Vec<&str> = dag.tasks().iter().map(|t| t.name.as_str()).collect();
                names.sort();
                return Err(
                    UserError::new(format!("'{name}' is not a task of this pipeline"))
                        .with_hint(format!("tasks are: {}", pretty_list(names.iter().take(50))))
                        .suggest(name, &names),
                );
            }
            if let Some(out) = &outdated {
                if !out.contains(name) {
                    return Err(UserError::new(format!(
                        "task '{name}' is up to date, so incremental mode has nothing to export"
                    ))
                    .with_hint(format!(
                        "to run it anyway: soopervisor export ... --task {name} --mode force"
                    )));
                }
            }
            [name].into_iter().collect()
        }
        None => dag
            .tasks()
            .iter()
            .filter(|t| outdated.as_ref().is_none_or(|o| o.contains(&t.name)))
            .map(|t| t.name.as_str())
            .collect(),
    };
    // An empty selection (every task up to date) is not an error: the caller says so.
    Ok(dag
        .topological()
        .filter(|t| chosen.contains(t.name.as_str()))
        .map(|t| {
            let mut products: Vec<String> =
                t.product.files().into_iter().map(str::to_string).collect();
            products.sort();
            PlannedTask {
                name: t.name.clone(),
                class: t.class.clone(),
                upstream: t
                    .upstream
                    .iter()
                    .filter(|u| chosen.contains(u.as_str()))
                    .cloned()
                    .collect(),
                all_upstream: t.upstream.clone(),
                products,
                source: match &t.source {
                    Source::File { relative, .. } => Some(relative.clone()),
                    Source::DottedPath(_) => None,
                },
            }
        })
        .collect())
}
