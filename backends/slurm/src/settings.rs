//! Maps the engine-neutral production settings (`soopervisor_core::settings`) onto
//! SLURM: `sbatch` options (`--cpus-per-task`, `--mem`, `--gres=gpu[:type]:N`,
//! `--time`, `--partition`, `--qos`) and, in the job script, the environment and a
//! retry loop that re-runs a failed task after the backoff. What SLURM has no notion
//! of (Kubernetes scheduling and metadata, queues, secret references) is refused at
//! its line.

use std::time::Duration;

use soopervisor_core::diagnostics::UserError;
use soopervisor_core::output::shell::{join, quote};
use soopervisor_core::plan::Plan;
use soopervisor_core::settings::{EnvValue, Priority, TaskSettings};

/// The settings keys SLURM honours.
pub const HONOURED: [&str; 9] = [
    "cpu",
    "memory",
    "gpu",
    "retries",
    "retry_backoff",
    "timeout",
    "env",
    "priority",
    "partition",
];

/// Refuses what SLURM cannot take, at its line of `soopervisor.yaml`.
pub fn check(plan: &Plan) -> Result<(), UserError> {
    let settings = &plan.settings;
    for (i, s) in settings.groups().iter().enumerate() {
        let task = settings.first_task_of(i);
        let refused = |key: &str, why: &str, hint: &str| {
            settings
                .refusal(
                    task,
                    key,
                    format!(
                        "the slurm backend cannot honour '{key}' (set for task '{task}'): {why}"
                    ),
                )
                .with_hint(hint.to_string())
        };
        if !s.node_selector.is_empty() || !s.tolerations.is_empty() {
            let key = if s.node_selector.is_empty() {
                "tolerations"
            } else {
                "node_selector"
            };
            return Err(refused(key, "SLURM picks nodes by partition and features, not Kubernetes labels and taints", "use partition: NAME, or node features through the section's sbatch_args: [\"--constraint=FEATURE\"]"));
        }
        if !s.labels.is_empty() || !s.annotations.is_empty() {
            let key = if s.labels.is_empty() {
                "annotations"
            } else {
                "labels"
            };
            return Err(refused(
                key,
                "SLURM jobs have no labels or annotations",
                "remove it; a free-text note fits in sbatch_args: [\"--comment=TEXT\"]",
            ));
        }
        if s.queue.is_some() {
            return Err(refused(
                "queue",
                "SLURM's queues are partitions",
                "write partition: NAME instead",
            ));
        }
        if let Some(Priority::Value(v)) = &s.priority {
            return Err(refused("priority", &format!("SLURM ranks jobs by QOS, not by a number ({v})"), "name a QOS of the cluster: priority: NAME (sacctmgr show qos), or lower your own jobs with sbatch_args: [\"--nice=100\"]"));
        }
        if let Some(r) = s.gpu.as_ref().and_then(|g| g.resource.as_deref()) {
            return Err(refused("gpu", &format!("'{r}' is a Kubernetes resource; SLURM asks for GPUs as a generic resource (gres) by type"), "use gpu: {count: N, type: TYPE} (e.g. type: a100, as in --gres=gpu:a100:N), or gpu: N for any GPU"));
        }
        if let Some((name, _)) = s
            .env
            .iter()
            .find(|(_, v)| matches!(v, EnvValue::Secret { .. }))
        {
            return Err(refused("env", &format!("SLURM has no secret store to read '{name}' from"), "keep the value in a file only you can read (chmod 600 ~/.secrets/api.sh) and source it in a job template before {{command}}, or export it in the shell that runs submit.sh (sbatch passes your environment to the job by default); never write it in soopervisor.yaml"));
        }
    }
    Ok(())
}

/// `--time` in SLURM's `D-HH:MM:SS` form (SLURM rounds up to whole minutes).
pub fn time_limit(d: Duration) -> String {
    let s = d.as_secs();
    format!(
        "{}-{:02}:{:02}:{:02}",
        s / 86_400,
        (s % 86_400) / 3_600,
        (s % 3_600) / 60,
        s % 60
    )
}

/// The `sbatch` options of `s`, before the section's own `sbatch_args` (which come
/// later and so win when both set one).
pub fn sbatch_options(s: &TaskSettings) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(c) = s.cpu_whole() {
        args.push(format!("--cpus-per-task={c}"));
    }
    if let Some(m) = s.memory_mebibytes() {
        args.push(format!("--mem={m}M"));
    }
    if let Some(g) = s.gpu.as_ref().filter(|g| g.count > 0) {
        match &g.kind {
            Some(kind) => args.push(format!("--gres=gpu:{kind}:{}", g.count)),
            None => args.push(format!("--gres=gpu:{}", g.count)),
        }
    }
    if let Some(t) = s.timeout {
        args.push(format!("--time={}", time_limit(t)));
    }
    if let Some(p) = &s.partition {
        args.push(format!("--partition={p}"));
    }
    if let Some(Priority::Class(q)) = &s.priority {
        args.push(format!("--qos={q}"));
    }
    args
}

/// What replaces `{{command}}` in the job script: the task's command with its
/// environment (`NAME=value ploomber task ...`), inside a retry loop when `retries`
/// is set. Every word is shell-quoted.
pub fn command_text(task: &str, command: &[String], s: &TaskSettings) -> String {
    let mut words: Vec<String> = s
        .env
        .iter()
        .filter_map(|(k, v)| match v {
            EnvValue::Literal(v) => Some(format!("{k}={}", quote(v))),
            EnvValue::Secret { .. } => None,
        })
        .collect();
    words.push(join(command));
    let line = words.join(" ");
    let retries = s.retries.unwrap_or(0);
    if retries == 0 {
        return line;
    }
    let attempts = retries + 1;
    let backoff = s.retry_backoff.map_or(0, |d| d.as_secs());
    let shown = quote(task);
    format!(
        "# retries: {retries}, backoff: {backoff}s (soopervisor.yaml)\n\
         soopervisor_failures=0\n\
         until {line}; do\n  \
         soopervisor_failures=$((soopervisor_failures + 1))\n  \
         if [ \"$soopervisor_failures\" -ge {attempts} ]; then\n    \
         echo \"soopervisor: task \"{shown}\" failed {attempts} time(s); giving up\" >&2\n    \
         exit 1\n  \
         fi\n  \
         echo \"soopervisor: task \"{shown}\" failed (attempt $soopervisor_failures of {attempts}); retrying in {backoff}s\" >&2\n  \
         sleep {backoff}\n\
         done"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_limits_use_days_hours_minutes_seconds() {
        assert_eq!(time_limit(Duration::from_secs(90)), "0-00:01:30");
        assert_eq!(time_limit(Duration::from_secs(6 * 3600)), "0-06:00:00");
        assert_eq!(
            time_limit(Duration::from_secs(2 * 86_400 + 61)),
            "2-00:01:01"
        );
    }
}
