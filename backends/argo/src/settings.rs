//! Maps the engine-neutral production settings (`soopervisor_core::settings`) onto
//! Argo: each distinct setting becomes one script template (`run-task` for the first,
//! `run-task-2`, ... for the others), with container `resources` (every value as both
//! request and limit), `retryStrategy` with backoff, `activeDeadlineSeconds`,
//! `nodeSelector`, `tolerations`, `env` (`valueFrom.secretKeyRef` for secrets),
//! pod metadata and priority. Tasks with equal settings share a template, so a
//! pipeline without settings is exported exactly as before.

use std::collections::HashMap;

use indexmap::IndexMap;
use soopervisor_core::diagnostics::UserError;
use soopervisor_core::plan::Plan;
use soopervisor_core::settings::{EnvValue, Priority, TaskSettings};
use soopervisor_core::strategy::pod::TASK_ENV;

use crate::model::{
    Backoff, DagTask, EnvVar, EnvVarSource, IntOrString, PodMetadata, ResourceRequirements,
    RetryStrategy, SecretKeySelector, Template, Toleration,
};
use crate::nest::{RUN_TASK, TASK_PARAM};

/// The settings keys Argo honours (`queue` and `partition` have no Argo meaning).
pub const HONOURED: &[&str] = soopervisor_core::settings::keys_up_to("priority");

/// The GPU resource requested when `gpu` names none.
pub use soopervisor_core::settings::DEFAULT_GPU_RESOURCE;

/// Refuses what Argo cannot take: keys it has no field for, and values of honoured
/// keys it cannot express. Every refusal points at the line of `soopervisor.yaml`.
pub fn check(plan: &Plan) -> Result<(), UserError> {
    let settings = &plan.settings;
    settings.check_honoured("argo", HONOURED)?;
    for (i, s) in settings.groups().iter().enumerate() {
        let task = settings.first_task_of(i);
        if let Some(kind) = s.gpu.as_ref().and_then(|g| g.kind.as_deref()) {
            return Err(settings
                .refusal(task, "gpu", format!("Kubernetes schedules GPUs by resource, not by type ('{kind}')"))
                .with_hint(format!("drop type and pick the nodes with node_selector, e.g. node_selector: {{cloud.google.com/gke-accelerator: nvidia-tesla-{kind}}}, or name the resource: gpu: {{count: N, resource: nvidia.com/gpu}}")));
        }
        if let Some(Priority::Value(v)) = &s.priority {
            return Err(settings
                .refusal(task, "priority", format!("Argo (v4) has no numeric pod priority ({v}): Kubernetes ranks pods by PriorityClass"))
                .with_hint("name a PriorityClass of the cluster instead: priority: high-priority (kubectl get priorityclasses)"));
        }
        let literals = s.env.iter().filter_map(|(k, v)| match v {
            EnvValue::Literal(v) => Some(("env", k, v)),
            EnvValue::Secret { .. } => None,
        });
        let annotations = s.annotations.iter().map(|(k, v)| ("annotations", k, v));
        if let Some((key, name, _)) = literals
            .chain(annotations)
            .find(|(_, _, v)| v.contains("{{"))
        {
            return Err(settings
                .refusal(task, key, format!("the value of {key} '{name}' contains '{{{{', which Argo reads as the start of a template expression"))
                .with_hint("remove the '{{' (Argo has no escape for it), or put the value in a Kubernetes secret and reference it: {secret: NAME, key: KEY}"));
        }
        if s.env.contains_key(TASK_ENV) {
            return Err(settings
                .refusal(
                    task,
                    "env",
                    format!("{TASK_ENV} is set by soopervisor in every pod (the task to run)"),
                )
                .with_hint(format!("rename your variable; {TASK_ENV} is reserved")));
        }
    }
    Ok(())
}

/// Name of the script template for settings group `index` (0: `run-task`).
pub fn template_name(index: usize) -> String {
    if index == 0 {
        RUN_TASK.to_string()
    } else {
        format!("{RUN_TASK}-{}", index + 1)
    }
}

/// The distinct settings of `tasks` in order of first appearance (tasks without any
/// included, as the empty setting), and each task's index into that list.
pub fn template_groups<'a>(
    plan: &'a Plan,
    tasks: impl IntoIterator<Item = &'a str>,
) -> (Vec<&'a TaskSettings>, HashMap<&'a str, usize>) {
    let mut order: Vec<Option<usize>> = Vec::new();
    let mut slot: HashMap<Option<usize>, usize> = HashMap::new();
    let mut of_task = HashMap::new();
    for t in tasks {
        let g = plan.settings.group_of(t);
        let i = *slot.entry(g).or_insert_with(|| {
            order.push(g);
            order.len() - 1
        });
        of_task.insert(t, i);
    }
    let groups = order
        .iter()
        .map(|g| match g {
            Some(i) => &plan.settings.groups()[*i],
            None => TaskSettings::none(),
        })
        .collect();
    (groups, of_task)
}

/// Every DAG node of `templates` that runs the shared `run-task` template.
pub fn run_task_nodes(templates: &mut [Template]) -> impl Iterator<Item = &mut DagTask> {
    templates
        .iter_mut()
        .filter_map(|t| t.dag.as_mut())
        .flat_map(|d| d.tasks.iter_mut())
        .filter(|n| n.template == RUN_TASK)
}

/// The Ploomber task a `run-task` node runs (its task parameter).
pub fn node_task(node: &DagTask) -> Option<&str> {
    node.arguments
        .as_ref()
        .and_then(|a| a.parameters.iter().find(|p| p.name == TASK_PARAM))
        .and_then(|p| p.value.as_deref())
}

/// Points every `run-task` node of `templates` at its task's settings template.
pub fn route(templates: &mut [Template], of_task: &HashMap<&str, usize>) {
    for node in run_task_nodes(templates) {
        if let Some(&i) = node_task(node).and_then(|t| of_task.get(t)) {
            node.template = template_name(i);
        }
    }
}

/// The container resources of `s`: every quantity as both request and limit.
pub fn resources(s: &TaskSettings) -> Option<ResourceRequirements> {
    let mut quantities: IndexMap<String, String> = IndexMap::new();
    if let Some(cpu) = s.cpu_quantity() {
        quantities.insert("cpu".into(), cpu);
    }
    if let Some(memory) = s.memory_quantity() {
        quantities.insert("memory".into(), memory);
    }
    if let Some(gpu) = s.gpu.as_ref().filter(|g| g.count > 0) {
        let resource = gpu.resource.as_deref().unwrap_or(DEFAULT_GPU_RESOURCE);
        quantities.insert(resource.to_string(), gpu.count.to_string());
    }
    // requests = limits: the pod gets exactly what it asked for (Guaranteed QoS when
    // cpu and memory are both set), and quotas accept it
    (!quantities.is_empty()).then(|| ResourceRequirements {
        requests: quantities.clone(),
        limits: quantities,
    })
}

/// The environment variables of `s` (secrets as `valueFrom.secretKeyRef`).
pub fn env_vars(s: &TaskSettings) -> Vec<EnvVar> {
    s.env
        .iter()
        .map(|(name, value)| match value {
            EnvValue::Literal(v) => EnvVar {
                name: name.clone(),
                value: Some(v.clone()),
                value_from: None,
            },
            EnvValue::Secret { secret, key } => EnvVar {
                name: name.clone(),
                value: None,
                value_from: Some(EnvVarSource {
                    secret_key_ref: SecretKeySelector {
                        name: secret.clone(),
                        key: key.clone(),
                    },
                }),
            },
        })
        .collect()
}

/// The tolerations of `s`.
pub fn tolerations(s: &TaskSettings) -> Vec<Toleration> {
    s.tolerations
        .iter()
        .map(|t| Toleration {
            key: t.key.clone(),
            operator: t.operator.clone(),
            value: t.value.clone(),
            effect: t.effect.clone(),
            toleration_seconds: t.toleration_seconds,
        })
        .collect()
}

/// The PriorityClass `s` names, if any.
pub fn priority_class(s: &TaskSettings) -> Option<&str> {
    match &s.priority {
        Some(Priority::Class(c)) => Some(c),
        _ => None,
    }
}

/// How often a failed task runs again, when it does.
pub fn retries(s: &TaskSettings) -> Option<u32> {
    s.retries.filter(|r| *r > 0)
}

/// The backoff of `s` as a Go duration (Argo parses it with time.ParseDuration: no
/// days), when it retries at all.
pub fn backoff(s: &TaskSettings) -> Option<String> {
    retries(s)
        .and(s.retry_backoff)
        .map(|d| format!("{}s", d.as_secs()))
}

/// The retry strategy for `limit` retries: failed tasks and lost pods alike (Argo's
/// default policy retries only failures, not a node that disappeared).
pub fn retry_strategy(limit: IntOrString, backoff: Option<String>) -> RetryStrategy {
    RetryStrategy {
        limit,
        retry_policy: "Always".to_string(),
        backoff: backoff.map(|duration| Backoff { duration }),
    }
}

/// Sets `s` on a script template (nothing changes for empty settings).
pub fn apply(template: &mut Template, s: &TaskSettings) {
    if let Some(script) = template.script.as_mut() {
        if let Some(r) = resources(s) {
            script.resources = Some(r);
        }
        script.env.extend(env_vars(s));
    }
    if !s.labels.is_empty() || !s.annotations.is_empty() {
        template.metadata = Some(PodMetadata {
            labels: s
                .labels
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            annotations: s
                .annotations
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        });
    }
    template.node_selector = s
        .node_selector
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    template.tolerations = tolerations(s);
    if let Some(c) = priority_class(s) {
        template.priority_class_name = Some(c.to_string());
    }
    template.active_deadline_seconds = s.timeout.map(|d| IntOrString::Int(d.as_secs()));
    if let Some(limit) = retries(s) {
        template.retry_strategy = Some(retry_strategy(IntOrString::Int(limit.into()), backoff(s)));
    }
}
