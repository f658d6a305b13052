//! soopervisor backend for Kubeflow Pipelines: exports a Ploomber plan as a compiled
//! KFP v2 pipeline (the `PipelineSpec` IR, schema 2.1.0, that `kfp compile` writes and
//! any KFP 2 cluster accepts for upload), with no Python step in between. Each Ploomber
//! task becomes one container component and executor running the core's pod script;
//! `storage: nfs` adds the Kubernetes `PlatformSpec` (a PVC mount per executor, as the
//! kfp-kubernetes extension writes it) as a second YAML document.
//!
//! Modules: [`config`] (the `kubeflow` section and the registration), [`model`]
//! (typed IR), [`settings`] (per-task production settings → IR), [`build`] (plan → IR), [`lint`] (checking what we emit), [`export`]
//! (encoding, file names, next steps).

pub mod build;
pub mod config;
pub mod export;
pub mod lint;
pub mod model;
pub mod settings;

pub use config::KubeflowConfig;
