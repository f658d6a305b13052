//! `soopervisor status TARGET`: one line per task (its exact Ploomber name, job id and
//! AWS Batch state, with the reason for a failure) from `DescribeJobs`, asked in
//! batches of [`DESCRIBE_LIMIT`] ids. Barrier jobs are not shown but count for
//! "every job has ended".

use std::collections::HashMap;

use soopervisor_core::backend::tracking::{escape, table};
use soopervisor_core::backend::{ExportTarget, StatusReport};

use crate::client::{Batch, JobState};
use crate::state::Submitted;

/// The most job ids one `DescribeJobs` call takes.
pub const DESCRIBE_LIMIT: usize = 100;

/// States after which a job never changes.
pub fn has_ended(status: &str) -> bool {
    matches!(status, "SUCCEEDED" | "FAILED")
}

/// The state of every job in `jobs`, by id (jobs AWS Batch no longer knows are absent).
pub fn describe_all(
    api: &dyn Batch,
    jobs: &[Submitted],
) -> anyhow::Result<HashMap<String, JobState>> {
    let ids: Vec<String> = jobs.iter().map(|j| j.job_id.clone()).collect();
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(DESCRIBE_LIMIT) {
        for s in api.describe(chunk)? {
            out.insert(s.job_id.clone(), s);
        }
    }
    Ok(out)
}

/// The status table of the jobs submitted from `target`.
pub fn status(api: &dyn Batch, target: &ExportTarget) -> anyhow::Result<StatusReport> {
    report(api, &crate::state::read(&crate::state::path(target))?)
}

/// The status table of `jobs` (read from a state file).
pub fn report(api: &dyn Batch, jobs: &[Submitted]) -> anyhow::Result<StatusReport> {
    let states = describe_all(api, jobs)?;
    let mut rows = Vec::new();
    let mut ended = true;
    let mut failed = 0;
    for j in jobs {
        let state = states.get(&j.job_id);
        let status = state.map_or("UNKNOWN", |s| s.status.as_str());
        // a job AWS Batch has forgotten (after about a week) has ended
        ended &= state.is_none() || has_ended(status);
        let Some(task) = &j.task else { continue };
        failed += usize::from(status == "FAILED");
        let shown = match state {
            None => "UNKNOWN (AWS Batch no longer knows this job)".to_string(),
            Some(s) => match (&s.reason, status) {
                (Some(r), "FAILED") if !r.is_empty() => format!("FAILED ({r})"),
                _ => status.to_string(),
            },
        };
        rows.push(vec![escape(task), j.job_id.clone(), shown]);
    }
    Ok(StatusReport::new(
        table(&["TASK", "JOB-ID", "STATE"], &rows),
        ended,
        failed,
    ))
}
