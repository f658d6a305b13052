//! soopervisor backend for Argo Workflows: exports a Ploomber plan as one Argo
//! `Workflow` (a DAG task per Ploomber task, every pod running `ploomber task` from the
//! project copied to a shared NFS volume), or, above `max_tasks_per_workflow` tasks, as
//! a parent Workflow running one `WorkflowTemplate` per part of the pipeline.
//!
//! Modules: [`config`] (the `argo` section of `soopervisor.yaml` and the registration),
//! [`model`] (typed Argo objects), [`nest`] (DAG templates within Argo's limits),
//! [`split`] (cutting big pipelines into parts), [`settings`] and [`params`]
//! (production settings as template copies or as parameters), [`fetch`] (shared
//! templates for artifacts above 199 tasks), [`export`] (building and encoding the
//! objects), [`lint`] (checking what we emit); for `export --submit`, `status` and
//! `cancel`: [`client`] (the `argo`/`kubectl` commands), [`live`] (the objects the
//! cluster returns), [`submit`], [`state`] (what was submitted), [`status`] (task
//! phases, stopping). The pod script comes from the
//! core (`soopervisor_core::strategy::pod`), shared with every container engine.

pub mod client;
pub mod config;
pub mod export;
pub mod fetch;
pub mod kind;
pub mod lint;
pub mod live;
pub mod model;
pub mod nest;
pub mod params;
pub mod settings;
pub mod split;
pub mod state;
pub mod status;
pub mod submit;

pub use config::{ArgoConfig, MountedVolume};
