//! The export plan: which tasks go to the engine, in which order, with which
//! dependencies and command, plus the project facts every backend needs. Built from the
//! DAG by task selection ([`select`]: modes and `--task`), consumed by backends.

pub mod build;
pub mod command;
pub mod select;
pub mod status;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use crate::diagnostics::Warning;

/// How tasks are chosen, as Ploomber and the Python tool define the modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Only outdated tasks (judged from products and their `.metadata` files).
    #[default]
    Incremental,
    /// Every task; a pod whose task is up to date when it starts skips it (as
    /// `ploomber build` does), so the tasks downstream of an edit run.
    Regular,
    /// Every task, run with `ploomber task --force`.
    Force,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Incremental => "incremental",
            Mode::Regular => "regular",
            Mode::Force => "force",
        }
    }
}

/// The conda environment file of the project (`environment.yml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CondaEnvironment {
    /// File name relative to the project root.
    pub file: String,
    /// Its `name:`.
    pub name: String,
}

/// Facts about the project that backends and strategies need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectInfo {
    /// Absolute project root (the folder of `pipeline.yaml`, or of `setup.py`).
    #[serde(skip)]
    pub root: PathBuf,
    /// Name of the project root folder.
    pub name: String,
    /// The spec path relative to the root, `/`-separated (`pipeline.yaml`,
    /// `src/pkg/pipeline.yaml`).
    pub entry_point: String,
    /// True when the root holds `setup.py` or `pyproject.toml` (install it in pods).
    pub is_package: bool,
    /// `environment.yml`, when present and readable.
    pub conda: Option<CondaEnvironment>,
    /// `requirements.lock.txt` or `requirements.txt`, when present (root-relative).
    pub pip_requirements: Option<String>,
}

/// One task sent to the engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedTask {
    /// The exact Ploomber name (passed to `ploomber task`).
    pub name: String,
    /// Ploomber task class (`NotebookRunner`, `PythonCallable`, ...).
    pub class: String,
    /// Upstream tasks that are also exported, sorted.
    pub upstream: Vec<String>,
    /// Every upstream task in the full DAG, sorted (for data fetching).
    pub all_upstream: Vec<String>,
    /// File products, root-relative, `/`-separated, sorted.
    pub products: Vec<String>,
    /// The source file, root-relative and `/`-separated (`../x.py` when it lies outside
    /// the project folder); `None` for a function (dotted path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// `out/a.csv` → `out/.a.csv.metadata` (Ploomber's rule, §10.1).
pub fn metadata_path(product: &str) -> String {
    match product.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/.{file}.metadata"),
        None => format!(".{product}.metadata"),
    }
}

/// Everything a backend needs to write its files.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub project: ProjectInfo,
    pub mode: Mode,
    /// Tasks in a deterministic topological order.
    pub tasks: Vec<PlannedTask>,
    /// Machine-dependent placeholders (`now`, `user`, `git`, ...) pinned at export
    /// time: the pods must see these values, not recompute them. Empty when the spec
    /// uses none.
    pub pinned_placeholders: BTreeMap<String, String>,
    /// Findings to print before exporting.
    #[serde(skip)]
    pub warnings: Vec<Warning>,
}

impl Plan {
    /// The command each pod runs for `task`, as separate arguments (quote them for a
    /// shell): `ploomber task NAME --entry-point SPEC [--force]`, or in regular mode
    /// the same loading through `python -c` so that an up-to-date task is skipped
    /// instead of failing ([`command`]).
    pub fn task_command(&self, task: &str) -> Vec<String> {
        command::task_command(self.mode, task, &self.project.entry_point)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_sits_beside_the_product_with_a_dot() {
        assert_eq!(metadata_path("out/a.csv"), "out/.a.csv.metadata");
        assert_eq!(metadata_path("a.csv"), ".a.csv.metadata");
        assert_eq!(metadata_path("out/raw"), "out/.raw.metadata");
    }
}
