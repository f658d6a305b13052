//! `soopervisor status`: the state of every job recorded in the state file, as a
//! `task  job-id  state` table. Asks `squeue --states=all` first (it knows running
//! jobs and, for a few minutes, finished ones), then `sacct` for jobs `squeue` no
//! longer knows (when accounting is on); otherwise the state is `UNKNOWN`. Each job
//! that ended without success is followed by its log file and the log's last lines.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use soopervisor_core::backend::{ExportTarget, StatusReport};
use soopervisor_core::diagnostics::UserError;

use crate::jobs::STATE_FILE;
use crate::tools::{run, Tools};

/// States of jobs that ended without success.
const FAILED: [&str; 8] = [
    "FAILED",
    "TIMEOUT",
    "OUT_OF_MEMORY",
    "NODE_FAIL",
    "CANCELLED",
    "BOOT_FAIL",
    "DEADLINE",
    "PREEMPTED",
];

/// How many log lines a failed job shows.
const LOG_TAIL: usize = 10;

/// The folder the job logs of `target` go to (`log_dir` is relative to the target).
pub fn log_dir(config: &crate::config::SlurmConfig, target: &ExportTarget) -> PathBuf {
    match &config.log_dir {
        None => target.dir.join("logs"),
        Some(p) => target.dir.join(p),
    }
}

/// The status table, with each failed job's log, and whether every job has ended.
pub fn report(target: &ExportTarget, logs: &Path, tools: &Tools) -> anyhow::Result<StatusReport> {
    let table_text = status(target, tools)?;
    let jobs = crate::state::read(&target.dir.join(STATE_FILE))?;
    let mut text = table_text.clone();
    let states: Vec<&str> = table_text
        .lines()
        .skip(1)
        .map(|l| l.rsplit("  ").next().unwrap_or("").trim())
        .collect();
    let mut failed = 0;
    let mut ended = 0;
    for ((task, id), state) in jobs.iter().zip(&states) {
        let word = state.split_whitespace().next().unwrap_or("");
        let is_failed = FAILED.contains(&word);
        if is_failed || word == "COMPLETED" {
            ended += 1;
        }
        if !is_failed {
            continue;
        }
        failed += 1;
        match find_log(logs, id) {
            Some(log) => {
                text.push_str(&format!(
                    "\n{} (job {id}) {word}: log {}\n",
                    crate::state::escape(task),
                    log.display()
                ));
                for line in tail(&log, LOG_TAIL) {
                    text.push_str(&format!("  | {line}\n"));
                }
            }
            None => text.push_str(&format!(
                "\n{} (job {id}) {word}: no log file ending in -{id}.out in {}\n",
                crate::state::escape(task),
                logs.display()
            )),
        }
    }
    Ok(StatusReport::new(text, ended == jobs.len(), failed))
}

/// The log of job `id` (`NAME-ID.out`, as `#SBATCH --output` names it).
fn find_log(dir: &Path, id: &str) -> Option<PathBuf> {
    let suffix = format!("-{id}.out");
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(&suffix))
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

/// The last `n` lines of a file (lossy UTF-8; nothing when unreadable).
fn tail(path: &Path, n: usize) -> Vec<String> {
    let text = std::fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| l.to_string())
        .collect()
}

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
