//! The backend plugin machinery. A backend is a crate that implements
//! [`BackendConfig`] (its `soopervisor.yaml` section, read through `typetag` with the
//! tag `backend`) and submits a [`BackendDescription`] to `inventory`. The CLI and the
//! rest of the core never name a backend: they look it up here.
//!
//! Every type a backend builds or reads is `#[non_exhaustive]`: constructors and
//! builders ([`BackendDescription::new`], [`ExportTarget::new`], [`OutputFile::main`],
//! [`Export::new`]) keep a backend compiling when the core adds a field. The files of
//! an export declare their [`FileRole`], which alone decides where the CLI writes them.

pub mod command;
pub mod files;
pub mod registry;
pub mod target;
pub mod tracking;

use std::fmt::Debug;

pub use files::{Export, FileRole, OutputFile};
pub use registry::{all, find, BackendDescription};
pub use target::{ExportTarget, OutputFormat};

use crate::plan::Plan;

/// What `status` found about the jobs submitted from a target: the table to print,
/// whether every job has ended (`status --watch` stops then) and how many failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusReport {
    pub text: String,
    pub ended: bool,
    pub failed: usize,
}

impl StatusReport {
    pub fn new(text: impl Into<String>, ended: bool, failed: usize) -> Self {
        StatusReport {
            text: text.into(),
            ended,
            failed,
        }
    }
}

/// A backend's configuration and behaviour. Each backend's config type deserialises
/// from its `soopervisor.yaml` section (`backend: <name>` selects the type).
#[typetag::serde(tag = "backend")]
pub trait BackendConfig: Debug + Send + Sync {
    /// Checks that need only the config and the plan (names, combinations, files).
    /// Runs before [`BackendConfig::export`]; an error stops the export.
    fn check(&self, plan: &Plan) -> anyhow::Result<Vec<crate::diagnostics::Warning>> {
        let _ = plan;
        Ok(Vec::new())
    }

    /// Builds the engine's files in memory. Nothing is written here.
    fn export(&self, plan: &Plan, target: &ExportTarget) -> anyhow::Result<Export>;

    /// Checks, before anything is written, that `export --submit` can work here (the
    /// engine's tools are installed, ...). Backends that cannot submit keep the default,
    /// which refuses, so `--submit` fails before any file is written.
    fn check_submit(&self, plan: &Plan, target: &ExportTarget) -> anyhow::Result<()> {
        let _ = (plan, target);
        anyhow::bail!(
            crate::diagnostics::UserError::new("this backend cannot submit jobs itself")
                .with_hint("drop --submit and run the printed next steps instead")
        )
    }

    /// Submits the exported files to the engine (`export --submit`). Backends that
    /// cannot submit keep the default, which refuses.
    fn submit(&self, plan: &Plan, target: &ExportTarget) -> anyhow::Result<String> {
        let _ = (plan, target);
        anyhow::bail!("this backend cannot submit jobs itself; run the printed next steps instead")
    }

    /// The encodings `export --format` may ask of this backend's main file. Backends
    /// whose files have one fixed format (scripts) keep the default, an empty list: the
    /// command line then refuses `--format json` instead of silently ignoring it.
    fn formats(&self) -> &'static [OutputFormat] {
        &[]
    }

    /// The names `soopervisor add --preset` accepts for this backend (none by default:
    /// `--preset` is then refused at `add` time, before anything is written).
    fn presets(&self) -> &'static [&'static str] {
        &[]
    }

    /// Reports the state of what was submitted from `target` (`soopervisor status`).
    fn status(&self, target: &ExportTarget) -> anyhow::Result<String> {
        let _ = target;
        anyhow::bail!("this backend does not track submitted jobs")
    }

    /// [`BackendConfig::status`] with whether every job has ended, for `status
    /// --watch`. The default reports the table as final (a backend that cannot tell
    /// is watched once).
    fn status_report(&self, target: &ExportTarget) -> anyhow::Result<StatusReport> {
        Ok(StatusReport::new(self.status(target)?, true, 0))
    }

    /// Stops every job submitted from `target` that has not ended (`soopervisor
    /// cancel`) and returns what was done. Backends that cannot keep the default,
    /// which refuses.
    fn cancel(&self, target: &ExportTarget) -> anyhow::Result<String> {
        let _ = target;
        anyhow::bail!(
            crate::diagnostics::UserError::new("this backend cannot cancel jobs itself")
                .with_hint("cancel them with the engine's own tools")
        )
    }
}
