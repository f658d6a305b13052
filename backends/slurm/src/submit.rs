//! `export --submit`: the same submission as `submit.sh`, run from Rust. One
//! `sbatch --parsable` per job in plan order, from the project root, with no shell;
//! ids are recorded in the state file as they arrive. A failure halfway returns an
//! error listing what was submitted and the `scancel` command that undoes it.

use soopervisor_core::backend::ExportTarget;
use soopervisor_core::diagnostics::UserError;
use soopervisor_core::plan::Plan;

use crate::config::SlurmConfig;
use crate::jobs::{jobs, sbatch_args, Layout, STATE_FILE};
use crate::tools::{run, Tools};

/// Parses `sbatch --parsable` output: `ID` or `ID;CLUSTER`.
pub fn parse_job_id(stdout: &str) -> Option<String> {
    let id = stdout.trim().split(';').next()?.trim();
    let valid = !id.is_empty()
        && id.split('_').count() <= 2
        && id
            .split('_')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    valid.then(|| id.to_string())
}

/// The `sbatch` to submit with, or the error that says it is missing.
pub fn require_sbatch(tools: &Tools) -> anyhow::Result<&std::path::PathBuf> {
    tools.sbatch.as_ref().ok_or_else(|| {
        UserError::new("`sbatch` was not found on PATH, so the jobs cannot be submitted")
            .with_hint(
                "run this on a SLURM login node, or export without --submit and run submit.sh there",
            )
            .into()
    })
}

/// Submits every job of `plan` (exported beforehand into `target`).
pub fn submit(
    config: &SlurmConfig,
    plan: &Plan,
    target: &ExportTarget,
    tools: &Tools,
) -> anyhow::Result<String> {
    let sbatch = require_sbatch(tools)?;
    let layout = Layout::new(config, plan, target)?;
    let jobs = jobs(plan, &layout)?;
    let root = &plan.project.root;
    for job in &jobs {
        if !root.join(&job.script).is_file() {
            anyhow::bail!(
                "the job script {} does not exist; export before submitting",
                root.join(&job.script).display()
            );
        }
    }
    std::fs::create_dir_all(root.join(&layout.log_dir))?;
    let state_path = target.dir.join(STATE_FILE);
    let mut state = soopervisor_core::backend::tracking::StateWriter::create(&state_path)?;
    let mut ids: Vec<String> = Vec::with_capacity(jobs.len());
    let mut report = String::new();
    for job in &jobs {
        let mut args = vec!["--parsable".to_string()];
        if !job.upstream.is_empty() {
            let deps: String = job
                .upstream
                .iter()
                .map(|&u| format!(":{}", ids[u]))
                .collect();
            args.push(format!("--dependency=afterok{deps}"));
            args.push("--kill-on-invalid-dep=yes".to_string());
        }
        args.extend(sbatch_args(job, config, plan));
        let failure = match run(sbatch, &args, Some(root)) {
            Err(e) => Some(e.to_string()),
            Ok(r) if !r.ok => Some(format!("sbatch {}: {}", r.how_it_ended(), r.stderr.trim())),
            Ok(r) => match parse_job_id(&r.stdout) {
                Some(id) => {
                    state.push(&[&job.task, &id])?;
                    report.push_str(&format!("submitted {} as job {id}\n", job.task));
                    ids.push(id);
                    None
                }
                None => Some(format!("unexpected sbatch output '{}'", r.stdout.trim())),
            },
        };
        if let Some(why) = failure {
            return Err(halfway_error(&job.task, &why, &jobs, &ids, &state_path));
        }
    }
    report.push_str(&format!(
        "submitted {} job(s); job ids in {}\n",
        ids.len(),
        state_path.display()
    ));
    Ok(report)
}

fn halfway_error(
    task: &str,
    why: &str,
    jobs: &[crate::jobs::Job],
    ids: &[String],
    state: &std::path::Path,
) -> anyhow::Error {
    let mut msg = format!("submitting task '{task}' failed: {why}");
    let hint = if ids.is_empty() {
        msg.push_str("\nnothing was submitted");
        "fix the problem and submit again".to_string()
    } else {
        msg.push_str(&format!(
            "\nalready submitted (also in {}):",
            state.display()
        ));
        for (job, id) in jobs.iter().zip(ids) {
            msg.push_str(&format!("\n  {}  {id}", job.task));
        }
        format!("cancel them with: scancel {}", ids.join(" "))
    };
    UserError::new(msg).with_hint(hint).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parsable_output() {
        assert_eq!(parse_job_id("12\n").as_deref(), Some("12"));
        assert_eq!(parse_job_id("12;cluster\n").as_deref(), Some("12"));
        assert_eq!(parse_job_id("12_3").as_deref(), Some("12_3"));
        assert_eq!(parse_job_id("Submitted batch job 12"), None);
        assert_eq!(parse_job_id(""), None);
        assert_eq!(parse_job_id("1;2 x").as_deref(), Some("1"));
    }
}
