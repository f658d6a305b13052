//! soopervisor backend: AWS Batch.
//!
//! `export` writes `TARGET/batch.json`: the AWS Batch API requests for the pipeline in
//! the API's own shapes, a `RegisterJobDefinition` and one `SubmitJob` per task in
//! dependency order, with `dependsOn` placeholders `${<jobName>}` (and barrier jobs
//! where a task has more than 20 upstream jobs). `export --submit` sends them with the
//! AWS SDK for Rust and records every job in `TARGET/.soopervisor-aws-batch-jobs.tsv`;
//! `status` and `cancel` read that record.
//!
//! Modules: [`config`] (the section, validation, the trait impl), [`model`] (the
//! requests), [`names`] (job names), [`resources`] (`task_resources`), [`settings`] (the production settings), [`export`]
//! (plan → requests, the files), [`client`] (what the engine must answer), `sdk` (the
//! AWS SDK client; feature `sdk`, on by default), [`state`] (the job record),
//! [`submit`], [`status`], [`cancel`]. Without the `sdk` feature (the fuzz targets)
//! the crate exports but cannot submit.

pub mod cancel;
pub mod client;
pub mod config;
pub mod export;
pub mod model;
pub mod names;
pub mod resources;
#[cfg(feature = "sdk")]
pub mod sdk;
pub mod settings;
pub mod state;
pub mod status;
pub mod submit;

pub use config::BatchConfig;
