//! soopervisor backend for Apache Airflow: exports a Ploomber plan as one
//! self-contained DAG file, `<dag_id>.py`, with one operator per Ploomber task wired
//! by the plan's edges. Three presets choose the operator: `kubernetes` (the default:
//! a `KubernetesPodOperator` running the core pod script with the strategies' image,
//! environment and shared volume), `bash` (a `BashOperator` on the Airflow worker, in
//! the project folder) and `docker` (a `DockerOperator` with the project bind-mounted).
//!
//! Modules: [`config`] (the `airflow` section and the registration), [`python`] (the
//! Python emitter: string literals and black-like layout), [`jinja`] (making values
//! inert for Airflow's templating), [`model`] (the typed DAG file), [`export`]
//! (plan → model → file).

pub mod config;
pub mod export;
pub mod jinja;
pub mod model;
pub mod python;

pub use config::{AirflowConfig, Preset};
