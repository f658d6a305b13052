//! Pluggable strategies (PRODUCT.md §3): how data moves between tasks ([`storage`]),
//! how the project's code reaches the pods ([`code`]) and how their environment is set
//! up ([`environment`]). Each concern is a `typetag` trait read from a
//! `soopervisor.yaml` value (`storage: fetch` or `storage: {kind: fetch, ...}`, see
//! [`choice`]) and each strategy registers a description with `inventory`
//! ([`registry`]).
//!
//! Strategies never name an engine. They contribute engine-neutral pieces (this
//! module's types: volumes, setup steps, transfers, an image, a working folder) that
//! [`compose::Composer`] merges per task; each backend maps the result into its own spec and
//! refuses, through [`Capabilities`], the combinations it cannot honour. [`pod`] builds
//! the script a container task runs from that result, for every container engine.

pub mod choice;
pub mod code;
pub mod compose;
pub mod environment;
pub mod files;
pub mod git;
pub mod image;
pub mod package;
pub mod pod;
pub mod registry;
pub mod storage;

use serde::Serialize;

pub use choice::Choice;
pub use code::CodeStrategy;
pub use compose::{Capabilities, Composer, Refusal, Strategies};
pub use environment::EnvironmentStrategy;
pub use registry::{Concern, StrategyDescription};
pub use storage::StorageStrategy;

use crate::plan::PlannedTask;

/// A persistent volume claim every pod mounts (the shared disk).
///
/// ```
/// use soopervisor_core::strategy::SharedDisk;
///
/// let disk = SharedDisk::new("nfs", "nfs-claim", "/mnt/vol").with_sub_path("shop");
/// assert_eq!(disk.sub_path.as_deref(), Some("shop"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SharedDisk {
    /// Name of the volume in the engine's spec.
    pub volume_name: String,
    /// The claim in the cluster.
    pub claim_name: String,
    /// Where the volume's `sub_path` is mounted in the pod.
    pub mount_path: String,
    /// Folder of the volume mounted; `None` = the whole volume.
    pub sub_path: Option<String>,
}

impl SharedDisk {
    /// The claim `claim_name`, declared as `volume_name` and mounted whole at
    /// `mount_path`.
    pub fn new(
        volume_name: impl Into<String>,
        claim_name: impl Into<String>,
        mount_path: impl Into<String>,
    ) -> Self {
        SharedDisk {
            volume_name: volume_name.into(),
            claim_name: claim_name.into(),
            mount_path: mount_path.into(),
            sub_path: None,
        }
    }

    /// Mounts only this folder of the volume.
    pub fn with_sub_path(mut self, sub_path: impl Into<String>) -> Self {
        self.sub_path = Some(sub_path.into());
        self
    }

    /// `mount_path` is absolute and has no `..` component: a place an engine can
    /// mount the volume at without escaping it.
    ///
    /// ```
    /// use soopervisor_core::strategy::SharedDisk;
    /// assert!(SharedDisk::new("nfs", "data", "/mnt/vol").mount_path_is_safe());
    /// assert!(!SharedDisk::new("nfs", "data", "mnt/vol").mount_path_is_safe());
    /// assert!(!SharedDisk::new("nfs", "data", "/mnt/../etc").mount_path_is_safe());
    /// ```
    pub fn mount_path_is_safe(&self) -> bool {
        self.mount_path.starts_with('/') && !has_parent_component(&self.mount_path)
    }

    /// `sub_path` (when set) is relative to the volume and has no `..` component, so
    /// the mount stays inside the volume.
    ///
    /// ```
    /// use soopervisor_core::strategy::SharedDisk;
    /// let disk = SharedDisk::new("nfs", "data", "/mnt/vol");
    /// assert!(disk.sub_path_is_safe());
    /// assert!(disk.clone().with_sub_path("team/shop").sub_path_is_safe());
    /// assert!(!disk.clone().with_sub_path("/shop").sub_path_is_safe());
    /// assert!(!disk.with_sub_path("shop/../..").sub_path_is_safe());
    /// ```
    pub fn sub_path_is_safe(&self) -> bool {
        let sub = self.sub_path.as_deref().unwrap_or_default();
        !sub.starts_with('/') && !has_parent_component(sub)
    }
}

/// A `/`-separated path with a `..` component.
fn has_parent_component(path: &str) -> bool {
    path.split('/').any(|p| p == "..")
}

/// When a setup step runs, relative to the others. Steps are ordered by phase, then
/// by the order strategies contributed them. New phases may be added in a minor
/// release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub enum Phase {
    /// Make the project's files available (download a package, ...).
    FetchCode,
    /// Create or activate the environment (conda, pip).
    Environment,
    /// Install the project itself into the environment.
    InstallCode,
    /// Bring the upstream tasks' products into the working folder.
    FetchInputs,
    /// After the task: store its products and metadata.
    UploadProducts,
}

/// Shell lines one strategy needs in the pod, with a comment saying why. Every value
/// in `shell_lines` is quoted with [`crate::output::shell::quote`] by its author.
///
/// ```
/// use soopervisor_core::output::shell::quote;
/// use soopervisor_core::strategy::{Phase, SetupStep};
///
/// let step = SetupStep::new(
///     Phase::Environment,
///     "install the pinned requirements",
///     vec![format!("pip install -r {}", quote("requirements lock.txt"))],
/// );
/// assert_eq!(step.shell_lines, ["pip install -r 'requirements lock.txt'"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SetupStep {
    /// When it runs.
    pub phase: Phase,
    /// One line, written as a comment above the lines.
    pub description: String,
    /// The lines, every value already quoted.
    pub shell_lines: Vec<String>,
}

impl SetupStep {
    /// The lines `lines` run in `phase`, under the comment `description`.
    pub fn new(phase: Phase, description: impl Into<String>, lines: Vec<String>) -> Self {
        SetupStep {
            phase,
            description: description.into(),
            shell_lines: lines,
        }
    }
}

/// One file (or folder) moved between a task and the object store: a product or its
/// `.metadata` file.
///
/// ```
/// let t = soopervisor_core::strategy::Transfer::new("out/.a.csv.metadata", "load", true);
/// assert!(t.metadata);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub struct Transfer {
    /// Root-relative, `/`-separated path in the project.
    pub path: String,
    /// The task that produces it.
    pub from_task: String,
    /// True for a `.metadata` file, false for the product itself.
    pub metadata: bool,
}

impl Transfer {
    /// `path` (root-relative), produced by `from_task`; `metadata` for a `.metadata`
    /// file.
    pub fn new(path: impl Into<String>, from_task: impl Into<String>, metadata: bool) -> Self {
        Transfer {
            path: path.into(),
            from_task: from_task.into(),
            metadata,
        }
    }
}

/// Code checked out from git by the engine before the pod script runs.
///
/// ```
/// use soopervisor_core::strategy::GitCheckout;
///
/// let g = GitCheckout::new("https://example.com/shop.git", "4f2a9c1", "/src/shop");
/// assert_eq!(g.path, "/src/shop");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct GitCheckout {
    /// The repository URL.
    pub repo: String,
    /// The commit to check out.
    pub revision: String,
    /// Absolute folder the repository is checked out into.
    pub path: String,
}

impl GitCheckout {
    /// `repo` at `revision`, checked out into `path` (absolute, in the pod).
    pub fn new(
        repo: impl Into<String>,
        revision: impl Into<String>,
        path: impl Into<String>,
    ) -> Self {
        GitCheckout {
            repo: repo.into(),
            revision: revision.into(),
            path: path.into(),
        }
    }
}

/// A reference to the object store configured in the cluster (never credentials).
///
/// ```
/// use soopervisor_core::strategy::ObjectStore;
///
/// let store = ObjectStore::default().with_repository("artifact-repositories").with_key("s3");
/// assert_eq!(store.key.as_deref(), Some("s3"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[non_exhaustive]
pub struct ObjectStore {
    /// The engine's name for the store's configuration (Argo: a config map).
    pub repository: Option<String>,
    /// The entry in that configuration.
    pub key: Option<String>,
}

impl ObjectStore {
    /// The engine's name for the store's configuration.
    pub fn with_repository(mut self, repository: impl Into<String>) -> Self {
        self.repository = Some(repository.into());
        self
    }

    /// The entry in that configuration.
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }
}

/// Everything the strategies need for one task, merged by [`compose`].
///
/// Fields are public: start from `Contribution::default()` and set or extend them
/// (new fields may be added in a minor release).
///
/// ```
/// use soopervisor_core::strategy::{Contribution, Phase, SetupStep};
///
/// let mut base = Contribution::default();
/// base.image = Some("python:3.12".into());
/// let mut env = Contribution::default();
/// env.setup.push(SetupStep::new(Phase::Environment, "pip", vec!["pip install -r requirements.txt".into()]));
/// env.setup.push(SetupStep::new(Phase::FetchCode, "code", vec!["true".into()]));
/// base.merge(env);
/// let order: Vec<Phase> = base.ordered_setup().iter().map(|s| s.phase).collect();
/// assert_eq!(order, [Phase::FetchCode, Phase::Environment]);
/// assert_eq!(base.image.as_deref(), Some("python:3.12"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[non_exhaustive]
pub struct Contribution {
    /// The image the pod runs.
    pub image: Option<String>,
    /// The pod's working folder (the project root in the pod).
    pub workdir: Option<String>,
    /// Volumes to declare and mount.
    pub volumes: Vec<SharedDisk>,
    /// Environment variables (name, literal value).
    pub env: Vec<(String, String)>,
    /// A git checkout the engine performs before the script.
    pub git: Option<GitCheckout>,
    /// Shell steps, run in [`Phase`] order.
    pub setup: Vec<SetupStep>,
    /// Files the engine downloads before the script (upstream products, metadata).
    pub downloads: Vec<Transfer>,
    /// Files the engine uploads after the script (own products, metadata).
    pub uploads: Vec<Transfer>,
    /// The object store transfers go through, when the storage names one.
    pub object_store: Option<ObjectStore>,
    /// Things to tell the user once (not per task): how the strategies work together.
    pub notes: Vec<String>,
}

impl Contribution {
    /// Adds `other`'s pieces; `other`'s image and workdir win when set.
    pub fn merge(&mut self, other: Contribution) {
        if other.image.is_some() {
            self.image = other.image;
        }
        if other.workdir.is_some() {
            self.workdir = other.workdir;
        }
        if other.git.is_some() {
            self.git = other.git;
        }
        if other.object_store.is_some() {
            self.object_store = other.object_store;
        }
        self.volumes.extend(other.volumes);
        self.env.extend(other.env);
        self.setup.extend(other.setup);
        self.downloads.extend(other.downloads);
        self.uploads.extend(other.uploads);
        self.notes.extend(other.notes);
    }

    /// The setup steps in run order (stable within a phase).
    pub fn ordered_setup(&self) -> Vec<&SetupStep> {
        let mut v: Vec<&SetupStep> = self.setup.iter().collect();
        v.sort_by_key(|s| s.phase);
        v
    }
}

/// What a strategy knows when contributing for one task. Built by
/// [`Composer::task`]; fields are public for reading (new ones may be added in a minor
/// release).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TaskContext<'a> {
    /// The task.
    pub task: &'a PlannedTask,
    /// Upstream tasks whose products this task reads (every upstream in the full DAG).
    pub upstream: Vec<&'a PlannedTask>,
    /// The shared disk, when the storage provides one.
    pub disk: Option<&'a SharedDisk>,
    /// The project root in the pod.
    pub workdir: &'a str,
    /// True when the code lives on the shared disk (the working folder is on it).
    pub code_on_disk: bool,
    /// True when the environment is baked into the image the code strategy builds.
    pub env_baked: bool,
}

/// Joins a pod folder and a root-relative path.
pub fn in_pod(workdir: &str, rel: &str) -> String {
    format!("{}/{}", workdir.trim_end_matches('/'), rel)
}
