//! `export --submit`: registers the job definition, then sends every `SubmitJob` of
//! [`Built`] in order, replacing each `${<jobName>}` placeholder by the id AWS Batch
//! returned for that job, and records each job in the state file as it is accepted. A
//! failure halfway returns an error listing what was submitted and how to cancel it.

use std::collections::HashMap;

use soopervisor_core::backend::tracking::StateWriter;
use soopervisor_core::backend::ExportTarget;
use soopervisor_core::diagnostics::UserError;
use soopervisor_core::output::shell::quote;

use crate::client::Batch;
use crate::export::Built;
use crate::model::{JobDependency, SubmitJob};
use crate::state::Submitted;

/// Submits everything; returns the report to print.
pub fn submit(api: &dyn Batch, built: &Built, target: &ExportTarget) -> anyhow::Result<String> {
    let mut report = String::new();
    let mut arns: HashMap<&str, String> = HashMap::new();
    for def in &built.requests.register_job_definition {
        let arn = api.register(def).map_err(|e| {
            UserError::new(format!("{e:#}"))
                .with_hint("nothing was submitted; check the queue, region and credentials (aws sts get-caller-identity)")
        })?;
        report.push_str(&format!("registered job definition {arn}\n"));
        arns.insert(def.job_definition_name.as_str(), arn);
    }
    let state_path = crate::state::path(target);
    let mut state = StateWriter::create(&state_path)?;
    let mut ids: HashMap<&str, String> = HashMap::new();
    let mut submitted: Vec<Submitted> = Vec::new();
    for (job, task) in built.requests.submit_job.iter().zip(&built.tasks) {
        let resolved = resolve(job, &ids)?;
        let arn = arns
            .get(job.job_definition.as_str())
            .cloned()
            .unwrap_or_else(|| job.job_definition.clone());
        match api.submit(&resolved, &arn) {
            Ok(id) => {
                let s = Submitted {
                    task: task.clone(),
                    job_name: job.job_name.clone(),
                    job_id: id.clone(),
                };
                state.push(&s.fields())?;
                if let Some(t) = task {
                    report.push_str(&format!("submitted {t} as job {id}\n"));
                }
                ids.insert(job.job_name.as_str(), id);
                submitted.push(s);
            }
            Err(e) => return Err(halfway_error(job, &e, &submitted, target).into()),
        }
    }
    report.push_str(&format!(
        "submitted {} job(s) to {}; job ids in {}\n",
        submitted.len(),
        built
            .requests
            .submit_job
            .first()
            .map(|j| j.job_queue.as_str())
            .unwrap_or_default(),
        state_path.display()
    ));
    Ok(report)
}

/// `job` with its placeholders replaced by the ids of jobs already submitted.
pub fn resolve(job: &SubmitJob, ids: &HashMap<&str, String>) -> anyhow::Result<SubmitJob> {
    let mut out = job.clone();
    out.depends_on = job
        .depends_on
        .iter()
        .map(|d| match d.placeholder_name() {
            Some(name) => ids
                .get(name)
                .map(|id| JobDependency { job_id: id.clone() })
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "job {} depends on {name}, which is not submitted before it",
                        job.job_name
                    )
                }),
            None => Ok(d.clone()),
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(out)
}

fn halfway_error(
    job: &SubmitJob,
    why: &anyhow::Error,
    submitted: &[Submitted],
    target: &ExportTarget,
) -> UserError {
    let mut msg = format!("submitting job {} failed: {why:#}", job.job_name);
    if submitted.is_empty() {
        msg.push_str("\nnothing was submitted");
        return UserError::new(msg).with_hint("fix the problem and submit again");
    }
    msg.push_str(&format!(
        "\nalready submitted (also in {}):",
        crate::state::path(target).display()
    ));
    for s in submitted {
        let who = s.task.as_deref().unwrap_or("(barrier)");
        msg.push_str(&format!("\n  {who}  {}  {}", s.job_name, s.job_id));
    }
    let hint = match &target.name {
        Some(name) => format!(
            "cancel them with: soopervisor cancel {}",
            quote(name)
        ),
        None => format!(
            "cancel them with: aws batch terminate-job --reason cancelled --job-id ID (for each id above, e.g. {})",
            submitted[0].job_id
        ),
    };
    UserError::new(msg).with_hint(hint)
}
