//! Where an export goes: the [`ExportTarget`] the CLI hands to a backend, and the
//! [`OutputFormat`] requested with `--format`.

use std::path::PathBuf;

/// Output encoding for backends whose spec can be YAML or JSON (`--format`).
///
/// Deliberately exhaustive: a new encoding is a decision every backend must make, so
/// adding one is a breaking (major) change of `soopervisor-core`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    #[default]
    Yaml,
    Json,
}

/// Where an export goes and how it is requested. Built by the CLI; backends read it.
///
/// Fields are public for reading; build one with [`ExportTarget::new`] and the
/// `with_*` methods (new fields may be added in a minor release).
///
/// ```
/// use soopervisor_core::backend::{ExportTarget, OutputFormat};
///
/// let target = ExportTarget::new("/work/project/training")
///     .with_name("training")
///     .with_format(OutputFormat::Json);
/// assert_eq!(target.dir, std::path::Path::new("/work/project/training"));
/// assert_eq!(target.name.as_deref(), Some("training"));
/// assert_eq!(target.format, OutputFormat::Json);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportTarget {
    /// Absolute folder the backend's files are written to (the project root, the
    /// backend's default folder, or `ROOT/TARGET` for a named target).
    pub dir: PathBuf,
    /// The `soopervisor.yaml` section name, when exporting a named target.
    pub name: Option<String>,
    /// YAML or JSON, for backends that offer both.
    pub format: OutputFormat,
}

impl ExportTarget {
    /// An export into `dir`, without a section name, in YAML.
    ///
    /// ```
    /// let t = soopervisor_core::backend::ExportTarget::new("/p");
    /// assert!(t.name.is_none());
    /// ```
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ExportTarget {
            dir: dir.into(),
            name: None,
            format: OutputFormat::default(),
        }
    }

    /// The `soopervisor.yaml` section this export comes from.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The encoding asked for with `--format`.
    pub fn with_format(mut self, format: OutputFormat) -> Self {
        self.format = format;
        self
    }
}
