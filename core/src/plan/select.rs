//! Task selection: modes (`incremental`, `regular`, `force`) and `--task NAME`, as the
//! Python tool selects tasks (soopervisor-reference.md §3.4): dependencies are limited
//! to the exported tasks.

use std::collections::{BTreeSet, HashSet};

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
    let chosen: Chosen = match only {
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
            Chosen::Some([name].into_iter().collect())
        }
        None => match &outdated {
            None => Chosen::All,
            Some(o) => Chosen::Some(o.iter().map(String::as_str).collect()),
        },
    };
    // An empty selection (every task up to date) is not an error: the caller says so.
    Ok(dag
        .topological()
        .filter(|t| chosen.contains(&t.name))
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
                    .filter(|u| chosen.contains(u))
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

/// The tasks a plan takes: all of them (regular and force modes without `--task`, the
/// common case, which needs no lookups) or a set of names.
enum Chosen<'a> {
    All,
    Some(HashSet<&'a str>),
}

impl Chosen<'_> {
    fn contains(&self, name: &str) -> bool {
        match self {
            Chosen::All => true,
            Chosen::Some(set) => set.contains(name),
        }
    }
}
