//! Fuzz target: the Kubeflow backend's IR. Arbitrary task names and dependencies are
//! exported (storage nfs or fetch); the export must succeed, read back with serde_yaml
//! into the typed model, and carry every exact name in exactly one executor's
//! `PLOOMBER_TASK` with its dependencies intact.
#![no_main]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use soopervisor_core::backend::{BackendConfig, ExportTarget, OutputFormat};
use soopervisor_core::plan::{Mode, Plan, PlannedTask, ProjectInfo};
use soopervisor_kubeflow::model::PipelineSpec;
use soopervisor_kubeflow::KubeflowConfig;

#[derive(Debug, Arbitrary)]
struct Input {
    tasks: Vec<(String, Vec<u8>)>,
    fetch: bool,
    force: bool,
}

fuzz_target!(|input: Input| {
    let mut names = BTreeSet::new();
    let mut tasks: Vec<PlannedTask> = Vec::new();
    for (name, ups) in input.tasks.into_iter().take(24) {
        if name.is_empty() || !names.insert(name.clone()) {
            continue;
        }
        let mut upstream: Vec<String> = if tasks.is_empty() {
            vec![]
        } else {
            ups.iter()
                .map(|u| tasks[*u as usize % tasks.len()].name.clone())
                .collect()
        };
        upstream.sort();
        upstream.dedup();
        let i = tasks.len();
        tasks.push(
            PlannedTask::new(name, "NotebookRunner")
                .with_upstream(upstream)
                .with_products([format!("out/t{i}.csv")]),
        );
    }
    if tasks.is_empty() {
        return;
    }
    let mode = if input.force { Mode::Force } else { Mode::Regular };
    let plan = Plan::new(ProjectInfo::new("/p/proj", "pipeline.yaml"), mode, tasks);
    let cfg: KubeflowConfig = if input.fetch {
        serde_json::from_str(r#"{"storage": "fetch", "code": {"kind": "image", "repository": "r/x", "tag": "1"}, "env": {"kind": "image", "image": "i:1"}}"#).unwrap()
    } else {
        serde_json::from_str(r#"{"env": {"kind": "image", "image": "i:1"}}"#).unwrap()
    };
    let target = ExportTarget::new(PathBuf::from("/p/proj")).with_format(OutputFormat::Yaml);
    let out = cfg.export(&plan, &target).expect("export of a valid plan");
    let text = String::from_utf8(out.files[0].contents().to_vec()).unwrap();
    let first = serde_yaml::Deserializer::from_str(&text).next().unwrap();
    let value = serde_json::Value::deserialize(first).expect("YAML reads back");
    let spec: PipelineSpec = serde_json::from_value(value).expect("typed model reads back");
    let mut exact = BTreeMap::new();
    for (key, t) in &spec.root.dag.tasks {
        let label = &spec.components[&t.component_ref.name].executor_label;
        let env = &spec.deployment_spec.executors[label].container.env;
        let n: Vec<&str> = env
            .iter()
            .filter(|e| e.name == "PLOOMBER_TASK")
            .map(|e| e.value.as_str())
            .collect();
        assert_eq!(n.len(), 1);
        exact.insert(key.clone(), n[0].to_string());
    }
    for (key, t) in &spec.root.dag.tasks {
        let ploomber = plan.tasks.iter().find(|p| p.name == exact[key]).unwrap();
        let mut deps: Vec<&str> = t.dependent_tasks.iter().map(|d| exact[d].as_str()).collect();
        deps.sort();
        assert_eq!(deps, ploomber.upstream.iter().map(String::as_str).collect::<Vec<_>>());
    }
    assert_eq!(exact.len(), plan.tasks.len());
});
