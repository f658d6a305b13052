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

use crate::diagnostics::{UserError, Warning};
use crate::settings::{Settings, TaskSettings};

/// How tasks are chosen, as Ploomber and the Python tool define the modes.
///
/// Deliberately exhaustive: a new mode changes what every backend exports, so adding
/// one is a breaking (major) change of `soopervisor-core`.
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
    /// The name used on the command line (`--mode force`).
    ///
    /// ```
    /// assert_eq!(soopervisor_core::plan::Mode::Force.as_str(), "force");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Incremental => "incremental",
            Mode::Regular => "regular",
            Mode::Force => "force",
        }
    }
}

/// The conda environment file of the project (`environment.yml`).
///
/// ```
/// let env = soopervisor_core::plan::CondaEnvironment::new("environment.yml", "ml");
/// assert_eq!((env.file.as_str(), env.name.as_str()), ("environment.yml", "ml"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CondaEnvironment {
    /// File name relative to the project root.
    pub file: String,
    /// Its `name:`.
    pub name: String,
}

impl CondaEnvironment {
    /// The environment file `file` (root-relative) whose `name:` is `name`.
    pub fn new(file: impl Into<String>, name: impl Into<String>) -> Self {
        CondaEnvironment {
            file: file.into(),
            name: name.into(),
        }
    }
}

/// Facts about the project that backends and strategies need.
///
/// Fields are public for reading; build one with [`ProjectInfo::new`] and the `with_*`
/// methods (new fields may be added in a minor release).
///
/// ```
/// use soopervisor_core::plan::{CondaEnvironment, ProjectInfo};
///
/// let info = ProjectInfo::new("/work/shop", "pipeline.yaml")
///     .with_conda(CondaEnvironment::new("environment.yml", "shop"))
///     .with_pip_requirements("requirements.txt");
/// assert_eq!(info.name, "shop");
/// assert!(!info.is_package);
/// assert_eq!(info.conda.unwrap().name, "shop");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
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

impl ProjectInfo {
    /// The project at `root` (absolute) whose spec is `entry_point` (root-relative,
    /// `/`-separated). Its `name` is the root folder's name; not a package; no conda
    /// or pip file.
    pub fn new(root: impl Into<PathBuf>, entry_point: impl Into<String>) -> Self {
        let root = root.into();
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        ProjectInfo {
            root,
            name,
            entry_point: entry_point.into(),
            is_package: false,
            conda: None,
            pip_requirements: None,
        }
    }

    /// Another project name than the root folder's.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Whether the root holds `setup.py` or `pyproject.toml`.
    pub fn with_package(mut self, is_package: bool) -> Self {
        self.is_package = is_package;
        self
    }

    /// The project's conda environment file.
    pub fn with_conda(mut self, conda: CondaEnvironment) -> Self {
        self.conda = Some(conda);
        self
    }

    /// The project's pip requirements file (root-relative).
    pub fn with_pip_requirements(mut self, file: impl Into<String>) -> Self {
        self.pip_requirements = Some(file.into());
        self
    }
}

/// One task sent to the engine.
///
/// Fields are public for reading; build one with [`PlannedTask::new`] and the `with_*`
/// methods (new fields may be added in a minor release).
///
/// ```
/// use soopervisor_core::plan::PlannedTask;
///
/// let fit = PlannedTask::new("fit", "NotebookRunner")
///     .with_upstream(["clean", "load"])
///     .with_products(["out/model.pkl"]);
/// assert_eq!(fit.upstream, ["clean", "load"]);
/// assert_eq!(fit.all_upstream, fit.upstream);
///
/// // `--task fit`: nothing upstream is exported, but its data is still fetched
/// let alone = fit.clone().with_upstream(Vec::<String>::new()).with_all_upstream(["clean", "load"]);
/// assert!(alone.upstream.is_empty());
/// assert_eq!(alone.all_upstream, ["clean", "load"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
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

impl PlannedTask {
    /// The task `name` (exact Ploomber name) of class `class`, with no upstream tasks
    /// and no products.
    pub fn new(name: impl Into<String>, class: impl Into<String>) -> Self {
        PlannedTask {
            name: name.into(),
            class: class.into(),
            upstream: Vec::new(),
            all_upstream: Vec::new(),
            products: Vec::new(),
            source: None,
        }
    }

    /// Its source file, root-relative and `/`-separated (`None` for a function).
    pub fn with_source(mut self, source: Option<String>) -> Self {
        self.source = source;
        self
    }

    /// Its upstream tasks, sorted; sets both `upstream` and `all_upstream` (the case
    /// of a whole-DAG export). Call [`PlannedTask::with_all_upstream`] after it when
    /// some are not exported.
    pub fn with_upstream<I, S>(mut self, upstream: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.upstream = sorted(upstream);
        self.all_upstream = self.upstream.clone();
        self
    }

    /// Every upstream task in the full DAG, sorted.
    pub fn with_all_upstream<I, S>(mut self, all_upstream: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.all_upstream = sorted(all_upstream);
        self
    }

    /// Its file products (root-relative, `/`-separated), sorted.
    pub fn with_products<I, S>(mut self, products: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.products = sorted(products);
        self
    }
}

fn sorted<I, S>(items: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut v: Vec<String> = items.into_iter().map(Into::into).collect();
    v.sort();
    v
}

/// `out/a.csv` → `out/.a.csv.metadata` (Ploomber's rule, §10.1).
pub fn metadata_path(product: &str) -> String {
    match product.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/.{file}.metadata"),
        None => format!(".{product}.metadata"),
    }
}

/// Everything a backend needs to write its files.
///
/// Fields are public for reading; build one (in a backend's unit tests) with
/// [`Plan::new`] and the `with_*` methods (new fields may be added in a minor release).
///
/// ```
/// use soopervisor_core::plan::{Mode, Plan, PlannedTask, ProjectInfo};
///
/// let plan = Plan::new(
///     ProjectInfo::new("/work/shop", "pipeline.yaml"),
///     Mode::Force,
///     vec![
///         PlannedTask::new("load", "PythonCallable"),
///         PlannedTask::new("fit", "NotebookRunner").with_upstream(["load"]),
///     ],
/// );
/// assert_eq!(
///     plan.task_command("fit"),
///     ["ploomber", "task", "fit", "--entry-point", "pipeline.yaml", "--force"]
/// );
/// assert!(plan.pinned_placeholders.is_empty());
/// ```
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
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
    /// The production settings of each task (`defaults`/`tasks` in the target's
    /// section), resolved; empty when the section sets none. Read them with
    /// [`Plan::settings`].
    #[serde(skip)]
    pub settings: Settings,
}

impl Plan {
    /// The plan for `tasks` (in a topological order: upstream tasks first) of
    /// `project` in `mode`, with no pinned placeholders and no warnings.
    pub fn new(project: ProjectInfo, mode: Mode, tasks: Vec<PlannedTask>) -> Self {
        Plan {
            project,
            mode,
            tasks,
            pinned_placeholders: BTreeMap::new(),
            warnings: Vec::new(),
            settings: Settings::default(),
        }
    }

    /// Placeholder values pinned at export time (`now`, `user`, `git`, ...).
    pub fn with_pinned_placeholders(mut self, pinned: BTreeMap<String, String>) -> Self {
        self.pinned_placeholders = pinned;
        self
    }

    /// Findings to print before exporting.
    pub fn with_warnings(mut self, warnings: Vec<Warning>) -> Self {
        self.warnings = warnings;
        self
    }

    /// The resolved production settings of every task (see [`Plan::settings`]).
    pub fn with_settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// The resolved production settings of `task`: `defaults` with its first matching
    /// pattern on top. Every backend maps these same values (empty when none apply).
    pub fn settings(&self, task: &str) -> &TaskSettings {
        self.settings.get(task)
    }

    /// The command each pod runs for `task`, as separate arguments (quote them for a
    /// shell): `ploomber task NAME --entry-point SPEC [--force]`, or in regular mode
    /// the same loading through `python -c` so that an up-to-date task is skipped
    /// instead of failing ([`command`]).
    pub fn task_command(&self, task: &str) -> Vec<String> {
        command::task_command(self.mode, task, &self.project.entry_point)
    }

    /// Refuses a plan with no task to run, the way every backend does before building
    /// anything: an engine file without a single job is never what the user wants.
    ///
    /// ```
    /// use soopervisor_core::plan::{Mode, Plan, PlannedTask, ProjectInfo};
    ///
    /// let project = ProjectInfo::new("/p", "pipeline.yaml");
    /// let empty = Plan::new(project.clone(), Mode::Incremental, vec![]);
    /// let err = empty.require_tasks().unwrap_err();
    /// assert!(err.to_string().contains("nothing to export"));
    /// let one = Plan::new(project, Mode::Force, vec![PlannedTask::new("a", "ShellScript")]);
    /// assert!(one.require_tasks().is_ok());
    /// ```
    pub fn require_tasks(&self) -> Result<(), UserError> {
        if !self.tasks.is_empty() {
            return Ok(());
        }
        Err(UserError::new(format!(
            "there is nothing to export: no task needs to run (mode {})",
            self.mode.as_str()
        ))
        .with_hint(
            "use --mode regular to run every task, or --mode force to also overwrite products",
        ))
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
