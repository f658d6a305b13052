//! Storage strategies: where products and their `.metadata` files live between tasks.
//!
//! * `nfs` (the default): a persistent volume claim mounted in every pod. When the
//!   code lives on that disk too (`code: shared-disk`) tasks read and write products
//!   in place; with any other code delivery the pod works in its own copy of the code
//!   and copies its inputs from the disk before the task and its products back after.
//! * `fetch`: no shared disk. Each pod receives the products (and metadata) of its
//!   upstream tasks from object storage and sends its own back: engine-neutral
//!   [`Transfer`]s that a backend maps to its mechanism (Argo: artifacts against an
//!   artifact repository). When the project configures a Ploomber `File` client,
//!   Ploomber moves the products itself and no transfer is declared.

use std::fmt::Debug;

use serde::{Deserialize, Serialize};

use super::choice::StrategyObject;
use super::registry::{Concern, StrategyDescription};
use super::{Contribution, Phase, SetupStep, SharedDisk, TaskContext, Transfer};
use crate::diagnostics::{UserError, UserResult, Warning};
use crate::output::shell::quote;
use crate::plan::{build::require_products_inside_root, metadata_path, Plan, PlannedTask};

/// How data moves between tasks.
#[typetag::serde(tag = "kind")]
pub trait StorageStrategy: Debug + Send + Sync {
    /// The shared disk every pod mounts, if any.
    fn shared_disk(&self, plan: &Plan) -> Option<SharedDisk>;
    /// Checks that need only the plan.
    fn check(&self, plan: &Plan) -> UserResult<Vec<Warning>>;
    /// What one task needs.
    fn contribute(&self, plan: &Plan, ctx: &TaskContext<'_>) -> Contribution;
}

impl StrategyObject for dyn StorageStrategy {
    const CONCERN: Concern = Concern::Storage;
    fn kind_name(&self) -> &'static str {
        self.typetag_name()
    }
}

/// `storage: nfs`: a persistent volume claim mounted in every pod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Nfs {
    /// The claim in the cluster.
    pub claim_name: String,
    /// Where the project's folder of the volume is mounted.
    pub mount_path: String,
    /// Folder of the volume that holds the project; default: the project folder name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_path: Option<String>,
    /// Name of the volume in the spec.
    pub volume_name: String,
}

impl Default for Nfs {
    fn default() -> Self {
        Nfs {
            claim_name: "nfs".into(),
            mount_path: "/mnt/vol".into(),
            sub_path: None,
            volume_name: "nfs".into(),
        }
    }
}

#[typetag::serde(name = "nfs")]
impl StorageStrategy for Nfs {
    fn shared_disk(&self, plan: &Plan) -> Option<SharedDisk> {
        Some(SharedDisk {
            volume_name: self.volume_name.clone(),
            claim_name: self.claim_name.clone(),
            mount_path: self.mount_path.clone(),
            sub_path: Some(
                self.sub_path
                    .clone()
                    .unwrap_or_else(|| plan.project.name.clone()),
            )
            .filter(|s| !s.is_empty()),
        })
    }

    fn check(&self, plan: &Plan) -> UserResult<Vec<Warning>> {
        // Pods mount only the project folder of the volume: a product outside it
        // (`../x.csv`) lands in the pod's own filesystem and is lost to its
        // downstream tasks, so it is refused with the explanation.
        require_products_inside_root(plan)?;
        Ok(Vec::new())
    }

    fn contribute(&self, plan: &Plan, ctx: &TaskContext<'_>) -> Contribution {
        let _ = plan;
        let mut c = Contribution::default();
        let Some(disk) = ctx.disk.filter(|_| !ctx.code_on_disk) else {
            return c;
        };
        let mut fetch = Vec::new();
        for up in &ctx.upstream {
            for rel in files_of(up) {
                fetch.extend(copy_lines(&super::in_pod(&disk.mount_path, &rel), &rel));
            }
        }
        if !fetch.is_empty() {
            c.setup.push(SetupStep::new(
                Phase::FetchInputs,
                "copy the upstream products and their metadata from the shared disk",
                fetch,
            ));
        }
        let mut upload = Vec::new();
        for rel in files_of(ctx.task) {
            upload.extend(copy_lines(&rel, &super::in_pod(&disk.mount_path, &rel)));
        }
        if !upload.is_empty() {
            c.setup.push(SetupStep::new(
                Phase::UploadProducts,
                "copy this task's products and their metadata to the shared disk",
                upload,
            ));
        }
        c
    }
}

/// A task's products, each followed by its metadata file.
fn files_of(t: &PlannedTask) -> Vec<String> {
    t.products
        .iter()
        .flat_map(|p| [p.clone(), metadata_path(p)])
        .collect()
}

/// Shell lines that replace `to` by a copy of `from` (a file or a folder), creating
/// its folder; both quoted.
pub fn copy_lines(from: &str, to: &str) -> Vec<String> {
    let mut v = Vec::new();
    if let Some((dir, _)) = to.rsplit_once('/').filter(|(d, _)| !d.is_empty()) {
        v.push(format!("mkdir -p -- {}", quote(dir)));
    }
    v.push(format!("rm -rf -- {}", quote(to)));
    v.push(format!("cp -R -- {} {}", quote(from), quote(to)));
    v
}

/// `storage: fetch`: products travel through object storage, never a shared disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Fetch {
    /// The config map that describes the artifact repository (S3-compatible or GCS,
    /// with its credentials as secrets); default: the namespace's default repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// The key in that config map; default: the one the config map marks as default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository_key: Option<String>,
    /// Never use the project's Ploomber `File` client, even when it configures one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ignore_file_client: bool,
}

impl Fetch {
    /// True when the spec configures a `File` client Ploomber uses to move products.
    pub fn uses_file_client(&self, plan: &Plan) -> bool {
        !self.ignore_file_client && project_has_file_client(plan)
    }
}

/// Whether the entry point's spec has `clients: {File: ...}`.
pub fn project_has_file_client(plan: &Plan) -> bool {
    let path = plan.project.root.join(&plan.project.entry_point);
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let Ok(doc) = crate::project::yaml::parse(&text) else {
        return false;
    };
    doc.get("clients").and_then(|c| c.get("File")).is_some()
}

#[typetag::serde(name = "fetch")]
impl StorageStrategy for Fetch {
    fn shared_disk(&self, _plan: &Plan) -> Option<SharedDisk> {
        None
    }

    fn check(&self, plan: &Plan) -> UserResult<Vec<Warning>> {
        let mut warnings = Vec::new();
        if self.uses_file_client(plan) {
            warnings.push(Warning::new(
                "storage fetch: the project configures a Ploomber File client (clients: File), so Ploomber itself downloads and uploads the products; no engine transfers are declared (set ignore_file_client: true to use the engine's instead)",
            ).in_file(plan.project.root.join(&plan.project.entry_point)));
            return Ok(warnings);
        }
        require_products_inside_root(plan)?;
        let exported: std::collections::HashSet<&str> =
            plan.tasks.iter().map(|t| t.name.as_str()).collect();
        for t in &plan.tasks {
            if let Some(u) = t
                .all_upstream
                .iter()
                .find(|u| !exported.contains(u.as_str()))
            {
                return Err(UserError::new(format!(
                    "storage fetch passes products between the tasks of one run, but task '{}' reads the products of '{u}', which this export leaves out (mode {})",
                    t.name,
                    plan.mode.as_str()
                ))
                .with_hint("export its upstream tasks too (--mode regular or --mode force, without --task), configure a Ploomber File client, or use --storage nfs"));
            }
        }
        Ok(warnings)
    }

    fn contribute(&self, plan: &Plan, ctx: &TaskContext<'_>) -> Contribution {
        let mut c = Contribution::default();
        if self.uses_file_client(plan) {
            c.notes
                .push("products move through the project's Ploomber File client".into());
            return c;
        }
        for up in &ctx.upstream {
            c.downloads.extend(transfers(up));
        }
        if self.repository.is_some() || self.repository_key.is_some() {
            c.object_store = Some(super::ObjectStore {
                repository: self.repository.clone(),
                key: self.repository_key.clone(),
            });
        }
        c.uploads = transfers(ctx.task);
        c
    }
}

/// A task's products and metadata files as transfers.
pub fn transfers(t: &PlannedTask) -> Vec<Transfer> {
    t.products
        .iter()
        .flat_map(|p| {
            [
                Transfer {
                    path: p.clone(),
                    from_task: t.name.clone(),
                    metadata: false,
                },
                Transfer {
                    path: metadata_path(p),
                    from_task: t.name.clone(),
                    metadata: true,
                },
            ]
        })
        .collect()
}

inventory::submit! {
    StrategyDescription { concern: Concern::Storage, name: "nfs",
        summary: "a persistent volume claim mounted in every pod (the default)" }
}
inventory::submit! {
    StrategyDescription { concern: Concern::Storage, name: "fetch",
        summary: "no shared disk: each pod downloads its inputs and uploads its products and metadata (object storage)" }
}
