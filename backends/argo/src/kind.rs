//! What object the export is (`kind:` in the section, or `--kind`): a `Workflow` to
//! submit once (the default), a `WorkflowTemplate` stored in the cluster and run with
//! `argo submit --from workflowtemplate/NAME`, or a `CronWorkflow` that runs on the
//! section's `schedule:` string or `schedules:` list (Argo v4's `schedules`), with
//! `timezone` and `concurrency_policy`. The Workflow is built and linted the same way
//! for every kind, then wrapped.

use serde::{Deserialize, Serialize};
use soopervisor_core::diagnostics::{pretty_list, UserError};
use soopervisor_core::output::shell::quote;

use crate::config::ArgoConfig;
use crate::model::{CronWorkflow, CronWorkflowSpec, Submittable, Workflow, WorkflowTemplate};

/// The kind of object exported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Workflow,
    Template,
    Cron,
}

impl Kind {
    pub fn is_workflow(&self) -> bool {
        *self == Kind::Workflow
    }
}

/// Argo's concurrency policies for CronWorkflows.
pub const CONCURRENCY_POLICIES: [&str; 3] = ["Allow", "Forbid", "Replace"];

/// Longest CronWorkflow name (Argo appends a timestamp to name each run).
const MAX_CRON_NAME: usize = 52;

/// The schedules of the section (`schedule:` and `schedules:` together).
pub fn schedules(cfg: &ArgoConfig) -> Vec<String> {
    cfg.schedule
        .iter()
        .chain(cfg.schedules.iter())
        .cloned()
        .collect()
}

/// Checks `kind` against the scheduling keys.
pub fn validate(cfg: &ArgoConfig) -> Result<(), UserError> {
    let schedules = schedules(cfg);
    if cfg.kind != Kind::Cron {
        let set = [
            ("schedule", cfg.schedule.is_some()),
            ("schedules", !cfg.schedules.is_empty()),
            ("timezone", cfg.timezone.is_some()),
            ("concurrency_policy", cfg.concurrency_policy.is_some()),
        ];
        if let Some((key, _)) = set.iter().find(|(_, s)| *s) {
            return Err(UserError::new(format!(
                "{key} applies to CronWorkflows, but this export is kind: {}",
                kind_name(cfg.kind)
            ))
            .with_hint("add kind: cron to the section (or pass --kind cron), or remove the key"));
        }
        return Ok(());
    }
    if schedules.is_empty() {
        return Err(UserError::new("kind: cron needs a schedule")
            .with_hint("add schedule: \"0 3 * * *\" (cron syntax: minute hour day month weekday), or schedules: [...] for several"));
    }
    for s in &schedules {
        let fields = s.split_whitespace().count();
        let ok = s.starts_with('@') && fields == 1 || fields == 5;
        if !ok || s.chars().any(char::is_control) {
            return Err(UserError::new(format!("'{s}' is not a cron schedule"))
                .with_hint("five fields: minute hour day-of-month month day-of-week, e.g. \"0 3 * * *\" (every day at 03:00), or @hourly, @daily, @weekly"));
        }
    }
    if let Some(p) = &cfg.concurrency_policy {
        if !CONCURRENCY_POLICIES.contains(&p.as_str()) {
            return Err(
                UserError::new(format!("concurrency_policy '{p}' is not one of Argo's"))
                    .with_hint(format!("use one of: {}", pretty_list(CONCURRENCY_POLICIES))),
            );
        }
    }
    if let Some(tz) = &cfg.timezone {
        let ok = !tz.is_empty()
            && tz
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/_+-".contains(&b));
        if !ok {
            return Err(
                UserError::new(format!("'{tz}' is not an IANA time zone name"))
                    .with_hint("e.g. timezone: Europe/Madrid or timezone: America/New_York"),
            );
        }
    }
    Ok(())
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Workflow => "workflow",
        Kind::Template => "template",
        Kind::Cron => "cron",
    }
}

/// The object's name: the Workflow's `generateName` without its dash.
fn object_name(wf: &Workflow, max: usize) -> String {
    let base = wf.metadata.generate_name.clone().unwrap_or_default();
    let name: String = base.trim_end_matches('-').chars().take(max).collect();
    name.trim_end_matches('-').to_string()
}

/// Wraps the built Workflow into the configured kind.
pub fn wrap(cfg: &ArgoConfig, wf: Workflow) -> Submittable {
    match cfg.kind {
        Kind::Workflow => Submittable::Workflow(wf),
        Kind::Template => {
            let mut metadata = wf.metadata.clone();
            metadata.name = Some(object_name(&wf, 63));
            metadata.generate_name = None;
            Submittable::Template(WorkflowTemplate {
                api_version: wf.api_version,
                kind: "WorkflowTemplate".to_string(),
                metadata,
                spec: wf.spec,
            })
        }
        Kind::Cron => {
            let mut metadata = wf.metadata.clone();
            metadata.name = Some(object_name(&wf, MAX_CRON_NAME));
            metadata.generate_name = None;
            Submittable::Cron(CronWorkflow {
                api_version: wf.api_version,
                kind: "CronWorkflow".to_string(),
                metadata,
                spec: CronWorkflowSpec {
                    schedules: schedules(cfg),
                    timezone: cfg.timezone.clone(),
                    concurrency_policy: cfg.concurrency_policy.clone(),
                    workflow_spec: wf.spec,
                },
            })
        }
    }
}

/// The command that sends `file` to the cluster, for the object `obj`.
pub fn next_steps(cfg: &ArgoConfig, obj: &Submittable, file: &str) -> Vec<String> {
    let ns = quote(&cfg.namespace);
    let file = quote(file);
    match obj {
        Submittable::Workflow(_) => vec![format!("argo submit -n {ns} {file}")],
        Submittable::Template(t) => vec![
            format!("argo template create -n {ns} {file}"),
            format!(
                "argo submit -n {ns} --from workflowtemplate/{}",
                t.metadata.name.as_deref().unwrap_or_default()
            ),
        ],
        Submittable::Cron(_) => vec![format!("argo cron create -n {ns} {file}")],
    }
}
