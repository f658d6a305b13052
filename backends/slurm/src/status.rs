//! `soopervisor status`: the state of every job recorded in the state file, as a
//! `task  job-id  state` table. Asks `squeue --states=all` first (it knows running
//! jobs and, for a few minutes, finished ones), then `sacct` for jobs `squeue` no
//! longer knows (when accounting is on); otherwise the state is `UNKNOWN`.

use std::collections::HashMap;

use soopervisor_core::backend::ExportTarget;
use soopervisor_core::diagnostics::UserError;

use crate::jobs::STATE_FILE;
use crate::tools::{run, Tools};

/// The status table for the jobs submitted from `target`.
pub fn status(target: &ExportTarget, tools: &Tools) -> anyhow::Result<String> {
    let jobs = crate::state::read(&target.dir.join(STATE_FILE))?;
    if tools.squeue.is_none() && tools.sacct.is_none() {
        return Err(
            UserError::new("neither `squeue` nor `sacct` was found on PATH")
                .with_hint("run `soopervisor status` on a SLURM login node")
                .into(),
        );
    }
    let ids: Vec<String> = jobs.iter().map(|(_, id)| id.clone()).collect();
    let mut states = squeue_states(tools, &ids);
    for id in &ids {
        if !states.contains_key(id) {
            if let Some(s) = sacct_state(tools, id) {
                states.insert(id.clone(), s);
            }
        }
    }
    let rows: Vec<Vec<String>> =
        jobs.iter()
            .map(|(task, id)| {
                let state = states.get(id).cloned().unwrap_or_else(|| {
                    "UNKNOWN (no longer known to squeue; sacct unavailable)".into()
                });
                vec![crate::state::escape(task), id.clone(), state]
            })
            .collect();
    Ok(soopervisor_core::backend::tracking::table(
        &["TASK", "JOB-ID", "STATE"],
        &rows,
    ))
}

/// `ID -> STATE` (with the pending reason when it tells something) from one squeue call.
fn squeue_states(tools: &Tools, ids: &[String]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let Some(squeue) = &tools.squeue else {
        return out;
    };
    let args = vec![
        "-h".to_string(),
        "--states=all".to_string(),
        format!("--jobs={}", ids.join(",")),
        "--format=%i|%T|%r".to_string(),
    ];
    let Ok(r) = run(squeue, &args, None) else {
        return out;
    };
    for line in r.stdout.lines() {
        let mut f = line.trim().splitn(3, '|');
        let (Some(id), Some(state)) = (f.next(), f.next()) else {
            continue;
        };
        let reason = f.next().unwrap_or("").trim();
        let shown = if state == "PENDING" && !reason.is_empty() && reason != "None" {
            format!("{state} ({reason})")
        } else {
            state.to_string()
        };
        out.insert(id.trim().to_string(), shown);
    }
    if !r.ok && out.is_empty() && ids.len() > 1 {
        // one unknown id can fail the whole call: ask one by one
        for id in ids {
            out.extend(squeue_states(tools, std::slice::from_ref(id)));
        }
    }
    out
}

/// The job's state from accounting, if `sacct` works here.
fn sacct_state(tools: &Tools, id: &str) -> Option<String> {
    let sacct = tools.sacct.as_ref()?;
    let args: Vec<String> = ["-n", "-X", "-P", "-j", id, "-o", "State"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let r = run(sacct, &args, None).ok()?;
    let state = r.stdout.lines().next()?.trim().to_string();
    (r.ok && !state.is_empty()).then_some(state)
}
