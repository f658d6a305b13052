//! `soopervisor cancel TARGET`: terminates every recorded job that has not ended
//! (`TerminateJob` cancels a job still waiting and stops a running one; its dependents
//! then fail without running). Jobs that already ended are left alone.

use soopervisor_core::backend::tracking::escape;
use soopervisor_core::backend::ExportTarget;

use crate::client::Batch;
use crate::state::Submitted;
use crate::status::{describe_all, has_ended};

/// The reason recorded on each terminated job.
pub const REASON: &str = "cancelled by soopervisor cancel";

/// Terminates what has not ended; returns one line per terminated job.
pub fn cancel(api: &dyn Batch, target: &ExportTarget) -> anyhow::Result<String> {
    terminate(api, &crate::state::read(&crate::state::path(target))?)
}

/// Terminates what has not ended among `jobs` (read from a state file).
pub fn terminate(api: &dyn Batch, jobs: &[Submitted]) -> anyhow::Result<String> {
    let states = describe_all(api, jobs)?;
    let mut report = String::new();
    let mut terminated = 0;
    for j in jobs {
        let Some(state) = states.get(&j.job_id) else {
            continue;
        };
        if has_ended(&state.status) {
            continue;
        }
        api.terminate(&j.job_id, REASON)?;
        terminated += 1;
        let who = j
            .task
            .as_deref()
            .map(escape)
            .unwrap_or_else(|| format!("(barrier {})", j.job_name));
        report.push_str(&format!(
            "terminated {who} (job {}, was {})\n",
            j.job_id, state.status
        ));
    }
    report.push_str(&format!(
        "terminated {terminated} job(s); {} had already ended\n",
        jobs.len() - terminated
    ));
    Ok(report)
}
