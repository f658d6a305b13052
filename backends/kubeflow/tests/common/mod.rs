//! Hand-built plans and helpers shared by the Kubeflow backend's integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use soopervisor_core::backend::{BackendConfig, ExportTarget, OutputFormat};
use soopervisor_core::plan::{CondaEnvironment, Mode, Plan, PlannedTask, ProjectInfo};
pub use soopervisor_kubeflow::KubeflowConfig;

pub fn project(name: &str) -> ProjectInfo {
    ProjectInfo::new(PathBuf::from(format!("/home/user/{name}")), "pipeline.yaml")
        .with_conda(CondaEnvironment::new("environment.yml", "my-env"))
}

pub fn task(name: &str, upstream: &[&str]) -> PlannedTask {
    PlannedTask::new(name, "NotebookRunner")
        .with_upstream(upstream.iter().copied())
        .with_products([format!("products/{name}.ipynb")])
}

pub fn plan(project: ProjectInfo, mode: Mode, tasks: Vec<PlannedTask>) -> Plan {
    Plan::new(project, mode, tasks)
}

/// load → (clean, features) → train: a fan-out and a fan-in.
pub fn diamond(mode: Mode) -> Plan {
    plan(
        project("ml-basic"),
        mode,
        vec![
            task("load", &[]),
            task("clean", &["load"]),
            task("features", &["load"]),
            task("train", &["clean", "features"]),
        ],
    )
}

/// Names that need sanitising, colliding names, and YAML 1.1 traps.
pub fn odd_names() -> Plan {
    plan(
        project("My_Project"),
        Mode::Regular,
        vec![
            task("get_data", &[]),
            task("clean_1", &["get_data"]),
            task("clean-1", &["get_data"]),
            task("Fit.Model", &["clean_1", "clean-1"]),
            task("yes", &["Fit.Model"]),
            task("1_000", &["Fit.Model"]),
            task("on", &["yes", "1_000"]),
        ],
    )
}

/// A config from its `soopervisor.yaml` section, as JSON.
pub fn config(json: &str) -> KubeflowConfig {
    serde_json::from_str(json).unwrap()
}

pub fn target(format: OutputFormat) -> ExportTarget {
    ExportTarget::new(PathBuf::from("/home/user/project")).with_format(format)
}

/// The exported `kubeflow.yaml` as text.
pub fn yaml_of(cfg: &KubeflowConfig, plan: &Plan) -> String {
    let out = cfg.export(plan, &target(OutputFormat::Yaml)).unwrap();
    assert_eq!(out.files[0].path(), PathBuf::from("kubeflow.yaml"));
    String::from_utf8(out.files[0].contents().to_vec()).unwrap()
}

/// The YAML documents of an export, read back with serde_yaml (YAML 1.2).
pub fn documents(text: &str) -> Vec<serde_json::Value> {
    use serde::Deserialize;
    serde_yaml::Deserializer::from_str(text)
        .map(|d| serde_json::Value::deserialize(d).unwrap())
        .collect()
}
