//! Where an export goes: the [`ExportTarget`] the CLI hands to a backend, and the
//! [`OutputFormat`] requested with `--format`.

use std::path::{Path, PathBuf};

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

    /// The export folder relative to `project_root` (`/`-separated, empty when they
    /// are the same or the folder lies outside the root), and the root seen from the
    /// folder (`..` per level, empty at the root): the two paths
    /// [`CodeStrategy::next_steps`](crate::strategy::CodeStrategy::next_steps) and
    /// [`CodeStrategy::files`](crate::strategy::CodeStrategy::files) take.
    ///
    /// ```
    /// use soopervisor_core::backend::ExportTarget;
    ///
    /// let t = ExportTarget::new("/work/project/deploy/argo");
    /// let (dir, root) = t.relative_dirs(std::path::Path::new("/work/project"));
    /// assert_eq!((dir.as_str(), root.as_str()), ("deploy/argo", "../.."));
    /// let (dir, root) = t.relative_dirs(std::path::Path::new("/work/project/deploy/argo"));
    /// assert_eq!((dir.as_str(), root.as_str()), ("", ""));
    /// ```
    pub fn relative_dirs(&self, project_root: &Path) -> (String, String) {
        let rel_dir = self
            .dir
            .strip_prefix(project_root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let rel_root = rel_dir
            .split('/')
            .filter(|c| !c.is_empty())
            .map(|_| "..")
            .collect::<Vec<_>>()
            .join("/");
        (rel_dir, rel_root)
    }
}
