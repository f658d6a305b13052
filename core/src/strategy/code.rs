//! Code delivery strategies: how the project's files reach the pods. The trait, plus
//! `shared-disk` (the project is copied to the NFS volume and pods work there) and
//! `git` (the engine checks out the exported commit). `package` and `image` live in
//! [`super::package`] and [`super::image`].

use std::fmt::Debug;

use serde::{Deserialize, Serialize};

use super::choice::StrategyObject;
use super::environment::EnvironmentStrategy;
use super::registry::{Concern, StrategyDescription};
use super::{Contribution, GitCheckout, Phase, SetupStep, SharedDisk, TaskContext};
use crate::backend::OutputFile;
use crate::diagnostics::{UserError, UserResult, Warning};
use crate::output::shell::quote;
use crate::plan::Plan;

/// How the code reaches the pods.
#[typetag::serde(tag = "kind")]
pub trait CodeStrategy: Debug + Send + Sync {
    /// True when the pods run the project from the shared disk itself.
    fn on_shared_disk(&self) -> bool {
        false
    }
    /// True when the environment is installed into an image this strategy builds.
    fn bakes_environment(&self) -> bool {
        false
    }
    /// What this strategy ships beyond the project folder, as the number of folders
    /// above it that reach the pods (a git checkout ships the whole repository);
    /// `None` when only the project folder is shipped (the default). Sources outside
    /// that are refused by [`Strategies::check`](super::Strategies::check).
    fn folders_above_project(&self, plan: &Plan) -> Option<usize> {
        let _ = plan;
        None
    }
    /// The project root inside the pod.
    fn workdir(&self, plan: &Plan, disk: Option<&SharedDisk>) -> String;
    /// Checks that need only the plan (may read git).
    fn check(&self, plan: &Plan) -> UserResult<Vec<Warning>>;
    /// What one task needs.
    fn contribute(&self, plan: &Plan, ctx: &TaskContext<'_>) -> Contribution;
    /// Files written beside the spec (paths relative to the export folder).
    fn files(
        &self,
        plan: &Plan,
        env: &dyn EnvironmentStrategy,
        rel_root: &str,
    ) -> UserResult<Vec<OutputFile>> {
        let _ = (plan, env, rel_root);
        Ok(Vec::new())
    }
    /// Commands to run before submitting; `target` is the export's target name and
    /// `dir` the export folder as the user sees it.
    fn next_steps(&self, plan: &Plan, target: Option<&str>, dir: &str) -> Vec<String> {
        let _ = (plan, target, dir);
        Vec::new()
    }
}

impl StrategyObject for dyn CodeStrategy {
    const CONCERN: Concern = Concern::Code;
    fn kind_name(&self) -> &'static str {
        self.typetag_name()
    }
}

/// The lines that install a packaged project from the working folder.
pub fn install_project_lines(shared: bool) -> SetupStep {
    if shared {
        SetupStep::new(
            Phase::InstallCode,
            "install the project; pip builds in the shared folder, one pod at a time",
            vec![
                "if command -v flock >/dev/null 2>&1; then".into(),
                "  flock .soopervisor-pip.lock pip install --no-deps .".into(),
                "else".into(),
                "  pip install --no-deps .".into(),
                "fi".into(),
            ],
        )
    } else {
        SetupStep::new(
            Phase::InstallCode,
            "install the project",
            vec!["pip install --no-deps .".into()],
        )
    }
}

/// `code: shared-disk`: the project is copied to the shared disk (`soopervisor
/// upload`) and every pod works in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct SharedDiskCode {
    /// Extra files to copy besides the git-tracked ones (globs, root-relative).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// Files or folders never copied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// Label selector of the NFS server pod.
    pub nfs_server_selector: String,
    /// The folder the NFS server exports (the volume's root in that pod).
    pub exports_dir: String,
}

impl Default for SharedDiskCode {
    fn default() -> Self {
        SharedDiskCode {
            include: Vec::new(),
            exclude: Vec::new(),
            nfs_server_selector: "role=nfs-server".into(),
            exports_dir: "/exports".into(),
        }
    }
}

#[typetag::serde(name = "shared-disk")]
impl CodeStrategy for SharedDiskCode {
    fn on_shared_disk(&self) -> bool {
        true
    }

    fn workdir(&self, _plan: &Plan, disk: Option<&SharedDisk>) -> String {
        disk.map(|d| d.mount_path.clone()).unwrap_or_default()
    }

    fn check(&self, plan: &Plan) -> UserResult<Vec<Warning>> {
        let _ = plan;
        if !self.exports_dir.starts_with('/') {
            return Err(UserError::new(format!(
                "code shared-disk: exports_dir must be an absolute path in the NFS server pod, got '{}'",
                self.exports_dir
            )));
        }
        Ok(Vec::new())
    }

    fn contribute(&self, plan: &Plan, _ctx: &TaskContext<'_>) -> Contribution {
        let mut c = Contribution::default();
        if plan.project.is_package {
            c.setup.push(install_project_lines(true));
        }
        c
    }

    fn next_steps(&self, _plan: &Plan, target: Option<&str>, _dir: &str) -> Vec<String> {
        let t = target.map(|t| format!(" {}", quote(t))).unwrap_or_default();
        vec![format!(
            "soopervisor upload{t}   # copies the project to the NFS volume (--dry-run prints the kubectl commands)"
        )]
    }
}

/// `code: git`: the engine checks out the exported commit before the task runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct GitCode {
    /// Repository URL; default: `git remote get-url origin`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// Commit, branch or tag; default: the commit checked out now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Export even when tracked files have uncommitted changes (pods will not see them).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_dirty: bool,
    /// Where the repository is checked out in the pod.
    pub checkout_path: String,
    /// git's answers, read once per export.
    #[serde(skip)]
    pub cache: std::sync::OnceLock<Option<super::git::GitInfo>>,
}

impl Default for GitCode {
    fn default() -> Self {
        GitCode {
            repo: None,
            revision: None,
            allow_dirty: false,
            checkout_path: "/src".into(),
            cache: std::sync::OnceLock::new(),
        }
    }
}

/// Repository, revision and the project's folder in it.
struct Resolved {
    repo: String,
    revision: String,
    prefix: String,
}

impl GitCode {
    fn resolve(&self, plan: &Plan) -> UserResult<(Resolved, Vec<Warning>)> {
        let info = self
            .cache
            .get_or_init(|| super::git::info(&plan.project.root))
            .clone();
        let mut warnings = Vec::new();
        let Some(info) = info else {
            return match (&self.repo, &self.revision) {
                (Some(r), Some(v)) => Ok((
                    Resolved {
                        repo: r.clone(),
                        revision: v.clone(),
                        prefix: String::new(),
                    },
                    warnings,
                )),
                _ => Err(UserError::new(
                    "code git: the project is not in a git repository with a commit (or git is not installed)",
                )
                .in_file(&plan.project.root)
                .with_hint("commit the project to a git repository, or set both repo and revision under code")),
            };
        };
        if info.dirty {
            if !self.allow_dirty {
                return Err(UserError::new(
                    "code git: the working tree has uncommitted changes to tracked files; pods check out the commit and would not see them",
                )
                .in_file(&info.toplevel)
                .with_hint("commit (and push) the changes, or set allow_dirty: true under code to export anyway"));
            }
            warnings.push(Warning::new(
                "code git: uncommitted changes are not part of the exported commit (allow_dirty)",
            ));
        }
        let repo = match (&self.repo, &info.remote) {
            (Some(r), _) => r.clone(),
            (None, Some(r)) => r.clone(),
            (None, None) => {
                return Err(UserError::new(
                    "code git: the repository has no 'origin' remote, so the pods cannot know where to fetch it from",
                )
                .with_hint("add one (git remote add origin URL) or set repo under code"))
            }
        };
        if repo.starts_with('/') || repo.starts_with("file:") {
            warnings.push(Warning::new(format!(
                "code git: '{repo}' is a local path, which pods cannot reach; set repo under code to a URL"
            )));
        }
        let revision = self.revision.clone().unwrap_or_else(|| info.head.clone());
        if self.revision.is_none() {
            warnings.push(Warning::new(format!(
                "code git: pods check out commit {}; push it before submitting",
                info.short()
            )));
        }
        Ok((
            Resolved {
                repo,
                revision,
                prefix: info.prefix,
            },
            warnings,
        ))
    }
}

#[typetag::serde(name = "git")]
impl CodeStrategy for GitCode {
    fn folders_above_project(&self, plan: &Plan) -> Option<usize> {
        let prefix = self
            .resolve(plan)
            .map(|(r, _)| r.prefix)
            .unwrap_or_default();
        Some(prefix.split('/').filter(|p| !p.is_empty()).count())
    }

    fn workdir(&self, plan: &Plan, _disk: Option<&SharedDisk>) -> String {
        let base = self.checkout_path.trim_end_matches('/').to_string();
        match self.resolve(plan) {
            Ok((r, _)) if !r.prefix.is_empty() => format!("{base}/{}", r.prefix),
            _ => base,
        }
    }

    fn check(&self, plan: &Plan) -> UserResult<Vec<Warning>> {
        if !self.checkout_path.starts_with('/') || self.checkout_path.contains("..") {
            return Err(UserError::new(format!(
                "code git: checkout_path must be an absolute path without '..', got '{}'",
                self.checkout_path
            )));
        }
        self.resolve(plan).map(|(_, w)| w)
    }

    fn contribute(&self, plan: &Plan, _ctx: &TaskContext<'_>) -> Contribution {
        let mut c = Contribution::default();
        if let Ok((r, _)) = self.resolve(plan) {
            c.git = Some(GitCheckout {
                repo: r.repo,
                revision: r.revision,
                path: self.checkout_path.trim_end_matches('/').to_string(),
            });
        }
        if plan.project.is_package {
            c.setup.push(install_project_lines(false));
        }
        c
    }
}

inventory::submit! {
    StrategyDescription { concern: Concern::Code, name: "shared-disk",
        summary: "the project is copied to the shared disk (soopervisor upload) and pods run it there (the default)" }
}
inventory::submit! {
    StrategyDescription { concern: Concern::Code, name: "git",
        summary: "pods check out the exported commit (repository URL and revision)" }
}
