//! Production settings, engine-neutral: what each task needs (CPU, memory, GPUs),
//! how it is retried, how long it may run, where it may be scheduled, its environment
//! and metadata. Written once per target in `soopervisor.yaml`, beside `backend:`:
//!
//! ```yaml
//! training:
//!   backend: argo
//!   defaults: {cpu: 1, memory: 2Gi, retries: 2, timeout: 1h}
//!   tasks:
//!     "fit-*":  {cpu: 8, memory: 32Gi, gpu: 1, timeout: 6h}
//!     download: {retries: 5, retry_backoff: 30s}
//! ```
//!
//! [`parse`](mod@parse) reads and validates the two keys once (units, names, unknown keys; every
//! error at its line); [`resolve`](mod@resolve) matches the patterns against the pipeline's tasks and
//! gives one [`TaskSettings`] per task, which every backend reads through
//! [`crate::plan::Plan::settings`]. Backends map the typed values; none re-parses.
//!
//! The matching rule, in full: a pattern matches a task whose name equals it, or that
//! it matches as a glob (`*`, `?`, `[abc]`). Each task takes the keys of the first
//! pattern (in file order) that matches it; keys that pattern does not set come from
//! `defaults`, and a key set to `null` in a pattern drops the default. A key replaces
//! the default whole (a pattern's `env` replaces the default `env`, it is not merged).
//! A pattern that matches no task of the pipeline is an error.

pub mod parse;
pub mod resolve;
pub mod secrets;
pub mod units;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

pub use parse::{parse, SettingsSpec};
pub use resolve::{resolve, Settings};

/// The GPUs a task needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct Gpu {
    /// How many (0 asks for none, which clears a default).
    pub count: u32,
    /// The Kubernetes extended resource to request (`gpu: {resource: amd.com/gpu}`);
    /// `None` means the engine's usual one (`nvidia.com/gpu` on Kubernetes).
    pub resource: Option<String>,
    /// The GPU model (`gpu: {type: a100}`), for engines that schedule by model
    /// (SLURM's `--gres=gpu:a100:N`).
    pub kind: Option<String>,
}

impl Gpu {
    /// `count` GPUs of the engine's usual kind (backends translating their own keys,
    /// such as AWS Batch's `task_resources`, build settings with it).
    ///
    /// ```
    /// let g = soopervisor_core::settings::Gpu::new(2);
    /// assert_eq!((g.count, g.kind, g.resource), (2, None, None));
    /// ```
    pub fn new(count: u32) -> Self {
        Gpu {
            count,
            resource: None,
            kind: None,
        }
    }
}

/// Which taint a task tolerates (Kubernetes' `tolerations`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct Toleration {
    pub key: Option<String>,
    /// `Equal` (the default) or `Exists`.
    pub operator: Option<String>,
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`; `None` tolerates every effect.
    pub effect: Option<String>,
    /// For `NoExecute`: how long the pod stays after the taint appears.
    pub toleration_seconds: Option<i64>,
}

/// An environment variable's value: a literal, or a reference to a secret the engine
/// holds (never its value).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum EnvValue {
    Literal(String),
    Secret {
        /// The secret's name (a Kubernetes Secret, an AWS secret, ...).
        secret: String,
        /// The key inside it.
        key: String,
    },
}

/// How urgent a task is: a named class (Kubernetes `priorityClassName`, SLURM QOS) or
/// a number (engines with numeric priorities).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum Priority {
    Class(String),
    Value(i64),
}

/// The resolved settings of one task: `defaults` with its pattern's keys on top. Every
/// field is `None`/empty when not set; backends map what is set and refuse what their
/// engine cannot honour.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct TaskSettings {
    /// CPU in millicores (`cpu: 0.5` is 500).
    pub cpu_millis: Option<u64>,
    /// Memory in bytes.
    pub memory_bytes: Option<u64>,
    pub gpu: Option<Gpu>,
    /// How many times a failed task runs again (0: never).
    pub retries: Option<u32>,
    /// Wait before each retry.
    pub retry_backoff: Option<Duration>,
    /// Longest a run may take; the engine kills it then.
    pub timeout: Option<Duration>,
    pub node_selector: BTreeMap<String, String>,
    pub tolerations: Vec<Toleration>,
    pub env: BTreeMap<String, EnvValue>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub priority: Option<Priority>,
    /// The engine's queue (an Airflow queue, an AWS Batch job queue).
    pub queue: Option<String>,
    /// A SLURM partition.
    pub partition: Option<String>,
}

/// Every key of a settings block, in the order the docs list them.
pub const KEYS: [&str; 14] = [
    "cpu",
    "memory",
    "gpu",
    "retries",
    "retry_backoff",
    "timeout",
    "node_selector",
    "tolerations",
    "env",
    "labels",
    "annotations",
    "priority",
    "queue",
    "partition",
];

/// The keys a Kubernetes pod spec expresses on its own (resources, retries, timeouts,
/// scheduling constraints, environment, labels and annotations): the first eleven of
/// [`KEYS`]. A pod-running backend honours these and refuses the rest unless its engine
/// has a field for them (Argo adds `priority`, see [`keys_up_to`]).
///
/// ```
/// use soopervisor_core::settings::POD_KEYS;
/// assert_eq!(POD_KEYS.first(), Some(&"cpu"));
/// assert_eq!(POD_KEYS.last(), Some(&"annotations"));
/// ```
pub const POD_KEYS: &[&str] = keys_up_to("annotations");

/// [`KEYS`] up to and including `last`, in their documented order: how a backend
/// names the keys it honours when they are a prefix of the list (evaluated at compile
/// time; a `last` that is not a key fails the build).
///
/// ```
/// use soopervisor_core::settings::keys_up_to;
/// const HONOURED: &[&str] = keys_up_to("priority");
/// assert_eq!(HONOURED.len(), 12);
/// ```
pub const fn keys_up_to(last: &str) -> &'static [&'static str] {
    const ALL: &[&str] = &KEYS;
    let mut i = 0;
    while i < ALL.len() {
        if same(ALL[i].as_bytes(), last.as_bytes()) {
            return ALL.split_at(i + 1).0;
        }
        i += 1;
    }
    panic!("keys_up_to: not a settings key")
}

/// Byte-wise equality usable in a `const fn`.
const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The Kubernetes extended resource a `gpu` setting requests when it names none.
pub const DEFAULT_GPU_RESOURCE: &str = "nvidia.com/gpu";

impl TaskSettings {
    /// Nothing set (a backend writes exactly what it wrote before settings existed).
    pub const EMPTY: TaskSettings = TaskSettings {
        cpu_millis: None,
        memory_bytes: None,
        gpu: None,
        retries: None,
        retry_backoff: None,
        timeout: None,
        node_selector: BTreeMap::new(),
        tolerations: Vec::new(),
        env: BTreeMap::new(),
        labels: BTreeMap::new(),
        annotations: BTreeMap::new(),
        priority: None,
        queue: None,
        partition: None,
    };

    pub fn is_empty(&self) -> bool {
        self == &Self::EMPTY
    }

    /// A shared empty value, for tasks without settings.
    pub fn none() -> &'static TaskSettings {
        static NONE: TaskSettings = TaskSettings::EMPTY;
        &NONE
    }

    /// `cpu` as a Kubernetes quantity (`2`, `500m`).
    pub fn cpu_quantity(&self) -> Option<String> {
        self.cpu_millis.map(units::cpu_quantity)
    }

    /// `cpu` in whole CPUs, rounded up (engines that count whole CPUs).
    pub fn cpu_whole(&self) -> Option<u64> {
        self.cpu_millis.map(|m| m.div_ceil(1000))
    }

    /// `memory` as a Kubernetes quantity (`32Gi`).
    pub fn memory_quantity(&self) -> Option<String> {
        self.memory_bytes.map(units::memory_quantity)
    }

    /// `memory` in mebibytes, rounded up (engines that count MiB).
    pub fn memory_mebibytes(&self) -> Option<u64> {
        self.memory_bytes.map(|b| b.div_ceil(1 << 20))
    }

    /// GPUs asked for (0 when none).
    pub fn gpu_count(&self) -> u32 {
        self.gpu.as_ref().map_or(0, |g| g.count)
    }

    /// The keys that are set, in [`KEYS`] order (for refusals: "slurm cannot honour
    /// labels").
    pub fn keys_set(&self) -> Vec<&'static str> {
        let set = [
            self.cpu_millis.is_some(),
            self.memory_bytes.is_some(),
            self.gpu.is_some(),
            self.retries.is_some(),
            self.retry_backoff.is_some(),
            self.timeout.is_some(),
            !self.node_selector.is_empty(),
            !self.tolerations.is_empty(),
            !self.env.is_empty(),
            !self.labels.is_empty(),
            !self.annotations.is_empty(),
            self.priority.is_some(),
            self.queue.is_some(),
            self.partition.is_some(),
        ];
        KEYS.iter()
            .zip(set)
            .filter(|(_, s)| *s)
            .map(|(k, _)| *k)
            .collect()
    }
}
