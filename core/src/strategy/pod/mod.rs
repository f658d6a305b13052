//! What a container task runs, built once for every container engine (Argo pods,
//! Kubeflow executors, Airflow's Kubernetes pods, AWS Batch jobs): [`script`] turns the
//! strategies' merged [`Contribution`](super::Contribution) into the bash script a
//! container runs, and [`pinned`] ships export-time placeholder values into it. A
//! backend only decides how the script and the task name reach its container.

pub mod pinned;
pub mod script;

pub use script::{pod_script, ScriptInputs, TASK_ENV};
