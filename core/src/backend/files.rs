//! What an export produces: the [`OutputFile`]s a backend declares, each with its
//! [`FileRole`], gathered in an [`Export`] with the next steps and warnings. The CLI
//! decides where each file goes from its role alone (never from its name): the main
//! file is what `--output FILE` replaces and `--output -` prints, companions follow it,
//! everything else stays in the target folder.

use std::path::{Path, PathBuf};

use crate::diagnostics::Warning;

/// What a file is to the export; decides what the CLI does with it.
///
/// | role | without `--output` | `--output FILE` | `--output -` |
/// |---|---|---|---|
/// | [`Main`](FileRole::Main) | target folder | written as `FILE` | printed |
/// | [`Companion`](FileRole::Companion) | target folder | next to `FILE`, named `<FILE stem><suffix>.<own ext>` | refused (two files) |
/// | [`Script`](FileRole::Script), [`Support`](FileRole::Support), [`State`](FileRole::State) | target folder | refused (they belong in the folder) | refused |
///
/// New roles may be added in a minor release (the enum is `#[non_exhaustive]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum FileRole {
    /// The file the export is about (`argo.yaml`, `submit.sh`). Exactly one per export.
    Main,
    /// A file that travels with the main one under `--output FILE` (Argo's
    /// `argo-templates.yaml` beside `argo.yaml`); see [`OutputFile::companion`].
    Companion,
    /// A script run by the engine or the user (SLURM job scripts, `build-image.sh`):
    /// written executable.
    Script,
    /// Any other file the main one needs in the target folder (a `Dockerfile`).
    Support,
    /// Bookkeeping the backend reads back later (`submit`, `status`): written like the
    /// others but not announced in the CLI's "Wrote" lines.
    State,
}

impl FileRole {
    /// True for the roles that move with `--output FILE`.
    pub fn follows_output(self) -> bool {
        matches!(self, FileRole::Main | FileRole::Companion)
    }
}

/// One file a backend produces, in memory; the CLI writes it atomically.
///
/// Build it with the constructor of its role; the fields are private so that roles
/// and their data stay consistent, and are read through accessors.
///
/// ```
/// use soopervisor_core::backend::{FileRole, OutputFile};
///
/// let main = OutputFile::main("toy-plan.txt", "1. load\n");
/// assert_eq!(main.role(), FileRole::Main);
/// assert_eq!(main.path(), std::path::Path::new("toy-plan.txt"));
/// assert_eq!(main.contents(), b"1. load\n");
/// assert!(!main.is_executable());
///
/// let job = OutputFile::script("jobs/load.sh", "#!/bin/bash\n");
/// assert!(job.is_executable());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutputFile {
    path: PathBuf,
    contents: Vec<u8>,
    role: FileRole,
    executable: bool,
    companion_suffix: Option<String>,
}

impl OutputFile {
    fn with_role(path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>, role: FileRole) -> Self {
        OutputFile {
            path: path.into(),
            contents: contents.into(),
            role,
            executable: role == FileRole::Script,
            companion_suffix: None,
        }
    }

    /// The main file, at `path` relative to the target folder.
    pub fn main(path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) -> Self {
        Self::with_role(path, contents, FileRole::Main)
    }

    /// A companion of the main file: at `path` in the target folder; under
    /// `--output DIR/NAME.EXT` it is written to `DIR/NAME<suffix>.X` instead, where
    /// `X` is the extension of `path`.
    ///
    /// ```
    /// use soopervisor_core::backend::{FileRole, OutputFile};
    ///
    /// let parts = OutputFile::companion("argo-templates.yaml", "kind: List\n", "-templates");
    /// assert_eq!(parts.role(), FileRole::Companion);
    /// assert_eq!(parts.companion_suffix(), Some("-templates"));
    /// ```
    pub fn companion(
        path: impl Into<PathBuf>,
        contents: impl Into<Vec<u8>>,
        suffix: impl Into<String>,
    ) -> Self {
        let mut f = Self::with_role(path, contents, FileRole::Companion);
        f.companion_suffix = Some(suffix.into());
        f
    }

    /// An executable script that stays in the target folder.
    pub fn script(path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) -> Self {
        Self::with_role(path, contents, FileRole::Script)
    }

    /// A supporting file that stays in the target folder.
    pub fn support(path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) -> Self {
        Self::with_role(path, contents, FileRole::Support)
    }

    /// Bookkeeping for the backend's later commands, not announced when written.
    pub fn state(path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) -> Self {
        Self::with_role(path, contents, FileRole::State)
    }

    /// Marks the file executable (a main file that is a script, such as `submit.sh`).
    ///
    /// ```
    /// let submit = soopervisor_core::backend::OutputFile::main("submit.sh", "#!/bin/bash\n")
    ///     .executable();
    /// assert!(submit.is_executable());
    /// ```
    pub fn executable(mut self) -> Self {
        self.executable = true;
        self
    }

    /// Path relative to [`ExportTarget::dir`](super::ExportTarget::dir).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The bytes to write.
    pub fn contents(&self) -> &[u8] {
        &self.contents
    }

    /// What the file is to the export.
    pub fn role(&self) -> FileRole {
        self.role
    }

    /// Whether the file is written with execute permission.
    pub fn is_executable(&self) -> bool {
        self.executable
    }

    /// For a [`FileRole::Companion`], what its name adds to the `--output` file's stem.
    pub fn companion_suffix(&self) -> Option<&str> {
        self.companion_suffix.as_deref()
    }
}

/// What [`BackendConfig::export`](super::BackendConfig::export) produced.
///
/// Fields are public for reading and extending; build one with [`Export::new`] and
/// the `with_*` methods (new fields may be added in a minor release).
///
/// ```
/// use soopervisor_core::backend::{Export, OutputFile};
/// use soopervisor_core::diagnostics::Warning;
///
/// let export = Export::new(vec![
///     OutputFile::main("argo.yaml", "kind: Workflow\n"),
///     OutputFile::companion("argo-templates.yaml", "kind: List\n", "-templates"),
/// ])
/// .with_next_steps(vec!["argo submit argo.yaml".into()])
/// .with_warnings(vec![Warning::new("the workflow is large")]);
/// assert_eq!(export.main_file().unwrap().path(), std::path::Path::new("argo.yaml"));
/// assert_eq!(export.companions().count(), 1);
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Export {
    /// Files to write, each with its role; exactly one is [`FileRole::Main`].
    pub files: Vec<OutputFile>,
    /// Shell commands the user runs next, in order.
    pub next_steps: Vec<String>,
    /// Findings about the export itself (sizes, limits).
    pub warnings: Vec<Warning>,
}

impl Export {
    /// An export of `files`, with no next steps and no warnings.
    pub fn new(files: Vec<OutputFile>) -> Self {
        Export {
            files,
            next_steps: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The commands printed after writing, in order.
    pub fn with_next_steps(mut self, next_steps: Vec<String>) -> Self {
        self.next_steps = next_steps;
        self
    }

    /// Findings that do not stop the export.
    pub fn with_warnings(mut self, warnings: Vec<Warning>) -> Self {
        self.warnings = warnings;
        self
    }

    /// The file declared [`FileRole::Main`] (the first, if a backend declared several).
    pub fn main_file(&self) -> Option<&OutputFile> {
        self.files.iter().find(|f| f.role() == FileRole::Main)
    }

    /// The files declared [`FileRole::Companion`], in order.
    pub fn companions(&self) -> impl Iterator<Item = &OutputFile> {
        self.files
            .iter()
            .filter(|f| f.role() == FileRole::Companion)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_scripts_are_executable_by_default() {
        assert!(OutputFile::script("a.sh", "").is_executable());
        for f in [
            OutputFile::main("a", ""),
            OutputFile::companion("b", "", "-b"),
            OutputFile::support("c", ""),
            OutputFile::state("d", ""),
        ] {
            assert!(!f.is_executable(), "{f:?}");
        }
    }

    #[test]
    fn only_main_and_companions_follow_output() {
        let follows: Vec<FileRole> = [
            FileRole::Main,
            FileRole::Companion,
            FileRole::Script,
            FileRole::Support,
            FileRole::State,
        ]
        .into_iter()
        .filter(|r| r.follows_output())
        .collect();
        assert_eq!(follows, [FileRole::Main, FileRole::Companion]);
    }

    #[test]
    fn the_main_file_is_found_by_role_not_position() {
        let e = Export::new(vec![
            OutputFile::support("Dockerfile", ""),
            OutputFile::main("spec.yaml", ""),
        ]);
        assert_eq!(e.main_file().unwrap().path(), Path::new("spec.yaml"));
        assert_eq!(e.companions().count(), 0);
    }
}
