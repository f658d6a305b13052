//! Hand-built plans for backend tests (cargo feature `testing`, off by default).
//!
//! Every bundled backend's integration tests build their plans here, and a third-party
//! backend can do the same in its own tests: enable the feature for tests only,
//!
//! ```toml
//! [dev-dependencies]
//! soopervisor-core = { version = "0.1", features = ["testing"] }
//! ```
//!
//! then build plans without a Ploomber project on disk:
//!
//! ```
//! use soopervisor_core::plan::Mode;
//! use soopervisor_core::testing;
//!
//! let plan = testing::diamond(Mode::Regular);
//! let names: Vec<&str> = plan.tasks.iter().map(|t| t.name.as_str()).collect();
//! assert_eq!(names, ["load", "clean", "features", "train"]);
//! assert_eq!(plan.tasks[3].upstream, ["clean", "features"]);
//!
//! // the same shape with a backend's own tasks (here: with a source file)
//! let plan = testing::shaped(testing::project("ml-basic"), Mode::Force, testing::DIAMOND, |n, up| {
//!     testing::task(n, up).with_source(Some(format!("scripts/{n}.py")))
//! });
//! assert_eq!(plan.tasks[0].source.as_deref(), Some("scripts/load.py"));
//! ```
//!
//! Nothing here reads or writes files; the paths are made up (`/home/user/NAME`).
//! [`with_settings`] adds production settings written as YAML, and
//! [`assert_refused_at`] checks that a refusal points at their line; [`read_section`] reads a config section through the backend registry, as the CLI
//! does, for tests of a backend's keys.

use std::path::{Path, PathBuf};

use crate::backend::BackendConfig;
use crate::diagnostics::UserError;
use crate::plan::{CondaEnvironment, Mode, Plan, PlannedTask, ProjectInfo};

/// A pipeline's shape: `(task, upstream tasks)` pairs, upstream tasks first.
pub type Shape = &'static [(&'static str, &'static [&'static str])];

/// load → (clean, features) → train: a fan-out and a fan-in.
pub const DIAMOND: Shape = &[
    ("load", &[]),
    ("clean", &["load"]),
    ("features", &["load"]),
    ("train", &["clean", "features"]),
];

/// Names that need sanitising for most engines: `_` and `-` variants that collide
/// once sanitised, a dot, and YAML 1.1 booleans and numbers (`yes`, `on`, `1_000`).
pub const ODD_NAMES: Shape = &[
    ("get_data", &[]),
    ("clean_1", &["get_data"]),
    ("clean-1", &["get_data"]),
    ("Fit.Model", &["clean_1", "clean-1"]),
    ("yes", &["Fit.Model"]),
    ("1_000", &["Fit.Model"]),
    ("on", &["yes", "1_000"]),
];

/// The project `/home/user/NAME` with spec `pipeline.yaml` and the conda environment
/// `my-env` (from `environment.yml`).
pub fn project(name: &str) -> ProjectInfo {
    ProjectInfo::new(PathBuf::from(format!("/home/user/{name}")), "pipeline.yaml")
        .with_conda(CondaEnvironment::new("environment.yml", "my-env"))
}

/// A `NotebookRunner` task with the product `products/NAME.ipynb`.
pub fn task(name: &str, upstream: &[&str]) -> PlannedTask {
    PlannedTask::new(name, "NotebookRunner")
        .with_upstream(upstream.iter().copied())
        .with_products([format!("products/{name}.ipynb")])
}

/// The plan of `tasks` (in order) of `project` in `mode`.
pub fn plan(project: ProjectInfo, mode: Mode, tasks: Vec<PlannedTask>) -> Plan {
    Plan::new(project, mode, tasks)
}

/// The plan of `shape`, each task built by `task` from its name and upstream tasks.
pub fn shaped(
    project: ProjectInfo,
    mode: Mode,
    shape: Shape,
    task: impl Fn(&str, &[&str]) -> PlannedTask,
) -> Plan {
    plan(
        project,
        mode,
        shape.iter().map(|(name, up)| task(name, up)).collect(),
    )
}

/// [`DIAMOND`] of [`task`]s in the project `ml-basic`.
pub fn diamond(mode: Mode) -> Plan {
    shaped(project("ml-basic"), mode, DIAMOND, task)
}

/// [`ODD_NAMES`] of [`task`]s in the project `My_Project`, in regular mode.
pub fn odd_names() -> Plan {
    shaped(project("My_Project"), Mode::Regular, ODD_NAMES, task)
}

/// Reads `json`, a target's section of `soopervisor.yaml` written as JSON with its
/// `backend` key, through the backend registry as the CLI does: the config's `Debug`
/// text, or the refusal's message (an unknown key, a bad value).
///
/// ```
/// // a backend registered by a crate linked into the test (here: none, so refused)
/// let err = soopervisor_core::testing::read_section(r#"{"backend": "nope"}"#).unwrap_err();
/// assert!(err.contains("nope"), "{err}");
/// ```
pub fn read_section(json: &str) -> Result<String, String> {
    serde_json::from_str::<Box<dyn BackendConfig>>(json)
        .map(|cfg| format!("{cfg:?}"))
        .map_err(|e| e.to_string())
}

/// `plan` with the production settings (`defaults:`/`tasks:`) of section `target` of
/// `yaml`, the text of a `soopervisor.yaml` at `file`, parsed and resolved against the
/// plan's tasks as the CLI does; errors name `file` and the line.
///
/// ```
/// use soopervisor_core::plan::Mode;
/// use soopervisor_core::testing;
///
/// let yaml = "t:\n  defaults: {retries: 2}\n  tasks:\n    train: {cpu: 4}\n";
/// let file = std::path::Path::new("/p/soopervisor.yaml");
/// let plan = testing::with_settings(testing::diamond(Mode::Regular), yaml, "t", file).unwrap();
/// assert_eq!(plan.settings("load").retries, Some(2));
/// assert_eq!(plan.settings("train").cpu_millis, Some(4000));
/// let err = testing::with_settings(testing::diamond(Mode::Regular), "t:\n  defaults: {cpus: 1}\n", "t", file)
///     .unwrap_err();
/// assert!(err.to_string().contains("soopervisor.yaml:2"), "{err}");
/// ```
pub fn with_settings(plan: Plan, yaml: &str, target: &str, file: &Path) -> Result<Plan, UserError> {
    let spec = crate::settings::SettingsSpec::from_yaml(yaml, target, file)?;
    let names: Vec<&str> = plan.tasks.iter().map(|t| t.name.as_str()).collect();
    let settings = crate::settings::resolve(&spec, names.clone(), names)?;
    Ok(plan.with_settings(settings))
}

/// Checks that `result` (a backend's `check` or `export` of a plan built by
/// [`with_settings`]) is a refusal that points at line `line` of `soopervisor.yaml`
/// and contains `phrase`; panics naming `what` (the YAML tried) otherwise.
///
/// ```
/// use soopervisor_core::plan::Mode;
/// use soopervisor_core::testing;
///
/// let yaml = "t:\n  defaults: {cpus: 1}\n";
/// let file = std::path::Path::new("/p/soopervisor.yaml");
/// let refused = testing::with_settings(testing::diamond(Mode::Regular), yaml, "t", file);
/// testing::assert_refused_at(refused.map_err(anyhow::Error::from), yaml, 2, "cpus");
/// ```
pub fn assert_refused_at<T>(result: anyhow::Result<T>, what: &str, line: usize, phrase: &str) {
    let err = match result {
        Ok(_) => panic!("accepted: {what}"),
        Err(e) => format!("{e:#}"),
    };
    assert!(
        err.contains(&format!("soopervisor.yaml:{line}: ")),
        "{what}\n{err}"
    );
    assert!(err.contains(phrase), "{what}\n{err}");
}
