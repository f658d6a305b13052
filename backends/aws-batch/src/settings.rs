//! The production settings (`defaults:`/`tasks:`, the core's engine-neutral model,
//! `soopervisor_core::settings`) on AWS Batch, with the Python tool's `task_resources`
//! translated into the same model: each task's [`TaskSettings`] become its job's
//!
//! | setting | AWS Batch |
//! | --- | --- |
//! | `cpu`, `memory`, `gpu` (count) | `containerOverrides.resourceRequirements` `VCPU` (fractions for Fargate), `MEMORY` (MiB, rounded up), `GPU` |
//! | `retries` | `retryStrategy.attempts` = retries + 1 (at most 9 retries) |
//! | `timeout` | `timeout.attemptDurationSeconds` (at least 60 s) |
//! | `env` (literal values) | `containerOverrides.environment` |
//! | `queue` | the job's `jobQueue` |
//! | `labels` | the job's `tags` |
//! | `priority` (a number) | `schedulingPriorityOverride` (fair-share queues) |
//!
//! Everything else (`retry_backoff`, `node_selector`, `tolerations`, `annotations`,
//! `partition`, a GPU model or resource name, secret `env` values, a priority class)
//! is refused at its line: AWS Batch has no place for it.

use soopervisor_core::diagnostics::UserError;
use soopervisor_core::plan::Plan;
use soopervisor_core::settings::{EnvValue, Gpu, Priority, TaskSettings};
use soopervisor_core::strategy::pod::TASK_ENV;

use crate::config::BatchConfig;
use crate::resources::Matcher;

/// The settings keys this backend maps.
pub const HONOURED: &[&str] = &[
    "cpu", "memory", "gpu", "retries", "timeout", "env", "queue", "labels", "priority",
];

/// Most attempts AWS Batch allows (`retryStrategy.attempts`).
pub const MAX_ATTEMPTS: u32 = 10;

/// Shortest timeout AWS Batch allows.
pub const MIN_TIMEOUT_SECONDS: u64 = 60;

/// Each task's settings (plan order), `task_resources` included, checked for what AWS
/// Batch can honour.
pub fn task_settings(cfg: &BatchConfig, plan: &Plan) -> Result<Vec<TaskSettings>, UserError> {
    plan.settings.check_honoured("aws-batch", HONOURED)?;
    let matcher = Matcher::new(&cfg.task_resources, plan)?;
    let mut out = Vec::with_capacity(plan.tasks.len());
    for t in &plan.tasks {
        let mut s = plan.settings(&t.name).clone();
        if let Some(r) = matcher.for_task(&t.name) {
            if s.cpu_millis.is_some() || s.memory_bytes.is_some() || s.gpu.is_some() {
                return Err(UserError::new(format!(
                    "task '{}' gets cpu/memory/gpu from both task_resources and the settings (defaults/tasks)",
                    t.name
                ))
                .with_hint("keep one: task_resources is the Python tool's key; `tasks: {\"fit-*\": {cpu: 8, memory: 32Gi, gpu: 1}}` is the same for every backend"));
            }
            s.cpu_millis = r.vcpus.map(|v| u64::from(v) * 1000);
            s.memory_bytes = r.memory.map(|m| m << 20);
            if let Some(g) = r.gpu {
                s.gpu = Some(Gpu::new(g));
            }
        }
        check(plan, &t.name, &s)?;
        out.push(s);
    }
    Ok(out)
}

fn check(plan: &Plan, task: &str, s: &TaskSettings) -> Result<(), UserError> {
    let refuse = |key: &str, msg: String, hint: &str| {
        plan.settings
            .refusal(task, key, msg)
            .with_hint(hint.to_string())
    };
    if let Some(g) = &s.gpu {
        if g.kind.is_some() || g.resource.is_some() {
            return Err(refuse(
                "gpu",
                format!("AWS Batch takes a GPU count only, but task '{task}' names a GPU model or resource"),
                "set gpu: N, and pick the GPU model through the compute environment's instance types",
            ));
        }
    }
    if let Some(r) = s.retries {
        if r >= MAX_ATTEMPTS {
            return Err(refuse(
                "retries",
                format!("AWS Batch runs a job at most {MAX_ATTEMPTS} times, but task '{task}' asks for {r} retries"),
                "use retries: 9 or fewer",
            ));
        }
    }
    if let Some(t) = s.timeout {
        if t.as_secs() < MIN_TIMEOUT_SECONDS {
            return Err(refuse(
                "timeout",
                format!("AWS Batch timeouts are at least {MIN_TIMEOUT_SECONDS} seconds, but task '{task}' sets {} s", t.as_secs()),
                "use timeout: 1m or more",
            ));
        }
    }
    for (name, value) in &s.env {
        if name == TASK_ENV || name.starts_with("AWS_BATCH") {
            return Err(refuse(
                "env",
                format!("env {name} of task '{task}' is set by soopervisor or AWS Batch itself"),
                "rename the variable",
            ));
        }
        if let EnvValue::Secret { .. } = value {
            return Err(refuse(
                "env",
                format!("AWS Batch cannot pass the secret env {name} per job (task '{task}')"),
                "put it in the job definition: container_properties: {secrets: [{name: NAME, valueFrom: arn:aws:secretsmanager:...}]}",
            ));
        }
    }
    if let Some(Priority::Class(c)) = &s.priority {
        return Err(refuse(
            "priority",
            format!("AWS Batch priorities are numbers (schedulingPriorityOverride), but task '{task}' names the class '{c}'"),
            "use priority: N (for fair-share job queues)",
        ));
    }
    Ok(())
}

/// `cpu` as AWS Batch's `VCPU` value: whole numbers for whole CPUs, decimals otherwise
/// (`500` millicores is `0.5`, which Fargate accepts).
pub fn vcpus(millis: u64) -> String {
    if millis % 1000 == 0 {
        (millis / 1000).to_string()
    } else {
        let s = format!("{}.{:03}", millis / 1000, millis % 1000);
        s.trim_end_matches('0').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vcpus_are_whole_or_decimal() {
        assert_eq!(vcpus(2000), "2");
        assert_eq!(vcpus(500), "0.5");
        assert_eq!(vcpus(250), "0.25");
        assert_eq!(vcpus(1500), "1.5");
    }
}
