//! `export --submit`: sends the written spec to the cluster and records what was
//! created. The parts of a split pipeline (its WorkflowTemplates) are applied first
//! with `kubectl apply --server-side`, then the main file is created with the `argo`
//! CLI (`submit`, `template create` or `cron create`, by kind) or `kubectl create`.
//! The name the cluster gave the object (Argo's `generateName`) and the export's name
//! map go to the state file ([`crate::state`]) for `status` and `cancel`.
//! [`check`] runs before anything is written.

use soopervisor_core::backend::ExportTarget;
use soopervisor_core::diagnostics::UserError;
use soopervisor_core::plan::Plan;

use crate::client::Clients;
use crate::config::ArgoConfig;
use crate::kind::Kind;
use crate::live::Object;
use crate::state::{Submitted, TaskRow, STATE_FILE};

/// Everything `--submit` needs that can be checked before the export is written: a
/// namespace Kubernetes accepts, a client program, and `kubectl` for a split
/// pipeline.
pub fn check(cfg: &ArgoConfig, plan: &Plan, clients: &Clients) -> anyhow::Result<()> {
    let ns = &cfg.namespace;
    let label = !ns.is_empty()
        && ns.len() <= 63
        && ns
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !ns.starts_with('-')
        && !ns.ends_with('-');
    if !label {
        return Err(UserError::new(format!(
            "namespace '{ns}' is not a Kubernetes namespace name, so nothing can be submitted to it"
        ))
        .with_hint("namespaces are lowercase letters, digits and '-', at most 63 characters: namespace: argo")
        .into());
    }
    clients.require_any("the Workflow cannot be submitted")?;
    if plan.tasks.len() > cfg.max_tasks_per_workflow() && !split_parts(cfg, plan)?.is_empty() {
        clients.apply_parts(ns, "")?;
    }
    Ok(())
}

/// The part of each task of a split pipeline (empty when it fits one Workflow).
fn split_parts(cfg: &ArgoConfig, plan: &Plan) -> anyhow::Result<Vec<crate::split::Part>> {
    let built = crate::export::build(cfg, plan)?;
    if built.parts.is_empty() {
        return Ok(Vec::new());
    }
    crate::split::partition(
        &plan.tasks,
        cfg.max_tasks_per_workflow(),
        &plan.project.name,
    )
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Workflow => "Workflow",
        Kind::Template => "WorkflowTemplate",
        Kind::Cron => "CronWorkflow",
    }
}

/// Submits the files of the export written into `target` and records the result.
pub fn submit(
    cfg: &ArgoConfig,
    plan: &Plan,
    target: &ExportTarget,
    clients: &Clients,
) -> anyhow::Result<String> {
    let ns = cfg.namespace.as_str();
    let main = target.dir.join(crate::export::file_name(target.format));
    let parts = split_parts(cfg, plan)?;
    let mut report = String::new();
    let failed = |e: anyhow::Error, what: &str| -> anyhow::Error {
        UserError::new(format!("failed to submit {what}: {e}"))
            .with_hint("the exported files are written; fix the cause (cluster access, namespace, permissions), then run `export --submit` again or the printed commands")
            .into()
    };
    if !parts.is_empty() {
        let file = target
            .dir
            .join(crate::export::parts_file_name(target.format));
        let call = clients.apply_parts(ns, &file.display().to_string())?;
        call.run()
            .map_err(|e| failed(e, "the WorkflowTemplates of the parts"))?;
        report.push_str(&format!(
            "applied {} WorkflowTemplates (one per part) with {}\n",
            parts.len(),
            call.name
        ));
    }
    let call = clients.create(cfg.kind, ns, &main.display().to_string())?;
    let created: Object = call
        .json()
        .map_err(|e| failed(e, &format!("the {}", kind_name(cfg.kind))))?;
    if created.metadata.name.is_empty() {
        return Err(failed(
            anyhow::anyhow!("`{}` printed an object without metadata.name", call.shown()),
            &format!("the {}", kind_name(cfg.kind)),
        ));
    }
    let names =
        soopervisor_core::output::names::NameMap::new(plan.tasks.iter().map(|t| t.name.as_str()));
    let mut part_of = vec![None; plan.tasks.len()];
    for p in &parts {
        for i in p.range.clone() {
            part_of[i] = Some(p.name.clone());
        }
    }
    let submitted = Submitted {
        kind: kind_name(cfg.kind).to_string(),
        name: created.metadata.name.clone(),
        namespace: ns.to_string(),
        tasks: plan
            .tasks
            .iter()
            .zip(part_of)
            .map(|(t, part)| TaskRow {
                task: t.name.clone(),
                argo: names.get(&t.name).unwrap_or_default().to_string(),
                part,
            })
            .collect(),
    };
    let state = target.dir.join(STATE_FILE);
    crate::state::write(&state, &submitted)?;
    report.push_str(&format!(
        "submitted {} {} (namespace {}) with {}; recorded in {}\n",
        submitted.kind,
        submitted.name,
        submitted.namespace,
        call.name,
        state.display()
    ));
    let status = match &target.name {
        Some(n) => format!(
            "soopervisor status {}",
            soopervisor_core::output::shell::quote(n)
        ),
        None => "soopervisor status --backend argo".to_string(),
    };
    if cfg.kind == Kind::Workflow {
        report.push_str(&format!("follow it with: {status} --watch\n"));
    }
    Ok(report)
}
