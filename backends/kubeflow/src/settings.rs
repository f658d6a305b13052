//! The core's per-task production settings (`defaults:`/`tasks:` in the target's
//! section) mapped onto KFP: container resources (`cpu`, `memory` as request and
//! limit, `gpu` as an accelerator), the task's retry policy (`retries`,
//! `retry_backoff`), and in the Kubernetes platform spec the timeout
//! (`activeDeadlineSeconds`), `node_selector`, `tolerations`, secret references of
//! `env` (`secretAsEnv`) and pod `labels`/`annotations`. Literal `env` values go into
//! the container's environment. `priority`, `queue`, `partition` and a GPU model have
//! no KFP field and are refused by [`check`].

use soopervisor_core::diagnostics::UserError;
use soopervisor_core::plan::Plan;
use soopervisor_core::settings::{EnvValue, TaskSettings};
use soopervisor_core::strategy::pod::TASK_ENV;

use crate::model::{
    Accelerator, EnvVar, KubernetesExecutorConfig, NodeSelector, ParameterInput, PodMetadata,
    ResourceSpec, RetryPolicy, SecretAsEnv, SecretKeyToEnv, Toleration,
};

/// The settings keys this backend maps: what a Kubernetes pod expresses on its own.
pub const HONOURED: &[&str] = soopervisor_core::settings::POD_KEYS;

/// The GPU resource when the settings name none.
pub use soopervisor_core::settings::DEFAULT_GPU_RESOURCE;

/// Refuses, at its line, a setting KFP cannot honour.
pub fn check(plan: &Plan) -> Result<(), UserError> {
    plan.settings.check_honoured("kubeflow", HONOURED)?;
    for t in &plan.tasks {
        let s = plan.settings(&t.name);
        if s.gpu.as_ref().is_some_and(|g| g.kind.is_some()) {
            return Err(plan
                .settings
                .refusal(&t.name, "gpu", format!("the kubeflow backend cannot request a GPU model (gpu type, set for task '{}')", t.name))
                .with_hint("drop the type and select the nodes instead: node_selector: {cloud.google.com/gke-accelerator: nvidia-tesla-a100}, or name the resource: gpu: {count: 1, resource: nvidia.com/gpu}"));
        }
        if s.env.contains_key(TASK_ENV) {
            return Err(plan
                .settings
                .refusal(
                    &t.name,
                    "env",
                    format!("env must not set {TASK_ENV}: it carries the task's Ploomber name"),
                )
                .with_hint(format!(
                    "rename the variable; {TASK_ENV} is set by soopervisor"
                )));
        }
    }
    Ok(())
}

/// The container's resources (each value as request and limit).
pub fn resources(s: &TaskSettings) -> Option<ResourceSpec> {
    let gpu = s.gpu.as_ref().filter(|g| g.count > 0);
    let r = ResourceSpec {
        accelerator: gpu.map(|g| Accelerator {
            resource_count: g.count.to_string(),
            resource_type: g
                .resource
                .clone()
                .unwrap_or_else(|| DEFAULT_GPU_RESOURCE.to_string()),
        }),
        resource_cpu_limit: s.cpu_quantity(),
        resource_cpu_request: s.cpu_quantity(),
        resource_memory_limit: s.memory_quantity(),
        resource_memory_request: s.memory_quantity(),
    };
    (r != ResourceSpec::default()).then_some(r)
}

/// Literal environment variables (secret references go to the platform spec).
pub fn literal_env(s: &TaskSettings) -> Vec<EnvVar> {
    s.env
        .iter()
        .filter_map(|(name, v)| match v {
            EnvValue::Literal(value) => Some(EnvVar {
                name: name.clone(),
                value: value.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// The retry policy: `retries` more runs, the first after `retry_backoff` (default
/// 0s), then doubling up to an hour, as the SDK's `set_retry` writes it.
pub fn retry_policy(s: &TaskSettings) -> Option<RetryPolicy> {
    let retries = s.retries.filter(|r| *r > 0)?;
    Some(RetryPolicy {
        backoff_duration: format!("{}s", s.retry_backoff.map_or(0, |d| d.as_secs())),
        backoff_factor: 2.0,
        backoff_max_duration: "3600s".to_string(),
        max_retry_count: i32::try_from(retries).unwrap_or(i32::MAX),
    })
}

/// The Kubernetes settings of the task's executor (without volumes).
pub fn kubernetes(s: &TaskSettings) -> KubernetesExecutorConfig {
    let mut secrets: Vec<SecretAsEnv> = Vec::new();
    for (name, v) in &s.env {
        if let EnvValue::Secret { secret, key } = v {
            let entry = SecretKeyToEnv {
                env_var: name.clone(),
                secret_key: key.clone(),
            };
            match secrets.iter_mut().find(|e| e.secret_name == *secret) {
                Some(e) => e.key_to_env.push(entry),
                None => secrets.push(SecretAsEnv {
                    key_to_env: vec![entry],
                    optional: false,
                    secret_name: secret.clone(),
                    secret_name_parameter: ParameterInput::constant(secret.clone()),
                }),
            }
        }
    }
    KubernetesExecutorConfig {
        active_deadline_seconds: s.timeout.map(|d| d.as_secs().max(1).to_string()),
        node_selector: (!s.node_selector.is_empty()).then(|| NodeSelector {
            labels: s.node_selector.clone(),
        }),
        pod_metadata: (!s.labels.is_empty() || !s.annotations.is_empty()).then(|| PodMetadata {
            annotations: s.annotations.clone(),
            labels: s.labels.clone(),
        }),
        pvc_mount: Vec::new(),
        secret_as_env: secrets,
        tolerations: s
            .tolerations
            .iter()
            .map(|t| Toleration {
                effect: t.effect.clone(),
                key: t.key.clone(),
                operator: t.operator.clone(),
                toleration_seconds: t.toleration_seconds.map(|n| n.to_string()),
                value: t.value.clone(),
            })
            .collect(),
    }
}
