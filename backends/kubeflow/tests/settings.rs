//! Per-task production settings (`defaults:`/`tasks:`) in the KFP IR: resources as
//! request and limit, GPUs as accelerators, retry policy, and in the Kubernetes
//! platform spec the timeout, node selector, tolerations, secret references and pod
//! metadata; literal env in the container; what KFP cannot honour is refused at its
//! line.

mod common;

use std::path::Path;

use common::*;
use soopervisor_core::backend::{BackendConfig, OutputFormat};
use soopervisor_core::plan::{Mode, Plan};
use soopervisor_kubeflow::model::{PipelineSpec, PlatformSpec};

fn with_settings(plan: Plan, yaml: &str) -> Result<Plan, soopervisor_core::diagnostics::UserError> {
    let file = Path::new("/home/user/soopervisor.yaml");
    soopervisor_core::testing::with_settings(plan, yaml, "t", file)
}

const TRAINING: &str = r#"t:
  backend: kubeflow
  defaults: {cpu: 1, memory: 2Gi, retries: 2, retry_backoff: 30s, timeout: 1h}
  tasks:
    train:
      cpu: 8
      memory: 32Gi
      gpu: 1
      node_selector: {pool: gpu}
      tolerations: [{key: gpu, operator: Exists, effect: NoSchedule}]
      env: {TOKEN: {secret: creds, key: token}, MODE: fast}
      labels: {team: ml}
      annotations: {note: nightly}
    load: {retries: 0, timeout: null, cpu: 500m}
"#;

#[test]
fn settings_reach_the_containers_tasks_and_platform_spec() {
    let p = with_settings(diamond(Mode::Force), TRAINING).unwrap();
    let cfg = config(
        r#"{"storage": "fetch", "code": {"kind": "image", "repository": "r/x", "tag": "1"}}"#,
    );
    let text = yaml_of(&cfg, &p);
    insta::assert_snapshot!("diamond_settings", text);
    let docs = documents(&text);
    assert_eq!(
        docs.len(),
        2,
        "settings need the platform spec even without a volume"
    );
    let spec: PipelineSpec = serde_json::from_value(docs[0].clone()).unwrap();
    let platform: PlatformSpec = serde_json::from_value(docs[1].clone()).unwrap();

    let train = &spec.deployment_spec.executors["exec-train"].container;
    let r = train.resources.as_ref().unwrap();
    assert_eq!(r.resource_cpu_limit.as_deref(), Some("8"));
    assert_eq!(r.resource_cpu_request.as_deref(), Some("8"));
    assert_eq!(r.resource_memory_limit.as_deref(), Some("32Gi"));
    let gpu = r.accelerator.as_ref().unwrap();
    assert_eq!(
        (gpu.resource_count.as_str(), gpu.resource_type.as_str()),
        ("1", "nvidia.com/gpu")
    );
    assert!(train
        .env
        .iter()
        .any(|e| e.name == "MODE" && e.value == "fast"));
    assert!(
        !train.env.iter().any(|e| e.name == "TOKEN"),
        "secrets never in the file"
    );
    let load = &spec.deployment_spec.executors["exec-load"].container;
    assert_eq!(
        load.resources
            .as_ref()
            .unwrap()
            .resource_cpu_limit
            .as_deref(),
        Some("500m")
    );

    let retry = spec.root.dag.tasks["train"].retry_policy.as_ref().unwrap();
    assert_eq!(
        (retry.max_retry_count, retry.backoff_duration.as_str()),
        (2, "30s")
    );
    assert!(
        spec.root.dag.tasks["load"].retry_policy.is_none(),
        "retries: 0"
    );

    let k8s = &platform.platforms.kubernetes.deployment_spec.executors;
    let t = &k8s["exec-train"];
    assert_eq!(t.active_deadline_seconds.as_deref(), Some("3600"));
    assert_eq!(t.node_selector.as_ref().unwrap().labels["pool"], "gpu");
    assert_eq!(t.tolerations[0].operator.as_deref(), Some("Exists"));
    assert_eq!(t.secret_as_env[0].secret_name, "creds");
    assert_eq!(t.secret_as_env[0].key_to_env[0].env_var, "TOKEN");
    assert_eq!(t.secret_as_env[0].key_to_env[0].secret_key, "token");
    assert_eq!(t.pod_metadata.as_ref().unwrap().labels["team"], "ml");
    assert!(
        !k8s.contains_key("exec-load"),
        "load has no Kubernetes setting"
    );
    assert_eq!(
        k8s["exec-clean"].active_deadline_seconds.as_deref(),
        Some("3600")
    );

    // JSON cannot hold the platform spec
    assert!(cfg.export(&p, &target(OutputFormat::Json)).is_err());
}

#[test]
fn what_kfp_cannot_honour_is_refused_at_its_line() {
    for (yaml, phrase, line) in [
        (
            "t:\n  backend: kubeflow\n  defaults: {priority: high}\n",
            "cannot honour the setting 'priority'",
            3,
        ),
        (
            "t:\n  backend: kubeflow\n  tasks:\n    train: {queue: fast}\n",
            "cannot honour the setting 'queue'",
            4,
        ),
        (
            "t:\n  backend: kubeflow\n  tasks:\n    train: {gpu: {count: 1, type: a100}}\n",
            "cannot request a GPU model",
            4,
        ),
        (
            "t:\n  backend: kubeflow\n  defaults:\n    env: {PLOOMBER_TASK: x}\n",
            "must not set PLOOMBER_TASK",
            4,
        ),
    ] {
        let p = with_settings(diamond(Mode::Force), yaml).unwrap();
        let refused = KubeflowConfig::default().check(&p);
        soopervisor_core::testing::assert_refused_at(refused, yaml, line, phrase);
    }
}
