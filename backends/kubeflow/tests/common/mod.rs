//! Plans (from `soopervisor_core::testing`) and helpers shared by the Kubeflow backend's integration tests.
#![allow(dead_code, unused_imports)] // each test crate uses some of these

use std::path::PathBuf;

use soopervisor_core::backend::{BackendConfig, ExportTarget, OutputFormat};
use soopervisor_core::plan::Plan;
// the plans: the core's shared test builders, as they are
pub use soopervisor_core::testing::{diamond, odd_names, plan, project, task};
pub use soopervisor_kubeflow::KubeflowConfig;

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
