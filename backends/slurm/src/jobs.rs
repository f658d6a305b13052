//! From a plan to SLURM jobs: each task's job name, its upstream jobs, and the paths
//! every submitter uses. Paths are relative to the project root (both submitters run
//! `sbatch` there), so exported files do not depend on where the project sits; a
//! target folder outside the project falls back to absolute paths.

use std::path::{Component, Path, PathBuf};

use soopervisor_core::backend::ExportTarget;
use soopervisor_core::diagnostics::UserError;
use soopervisor_core::plan::Plan;

use crate::config::SlurmConfig;
use crate::names::JobNames;

/// The state file, in the target folder.
pub const STATE_FILE: &str = ".soopervisor-slurm-jobs.tsv";

/// One task to submit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The exact Ploomber name.
    pub task: String,
    /// Safe job and file name ([`crate::names`]).
    pub name: String,
    /// Indices (into the job list) of the jobs this one waits for.
    pub upstream: Vec<usize>,
    /// The batch script, root-relative (`hpc/jobs/load.sh`).
    pub script: String,
    /// The log pattern, root-relative (`hpc/logs/load-%j.out`).
    pub output: String,
}

/// Where things go, as seen from the project root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The target folder (`hpc`, `.`, or absolute).
    pub target: String,
    /// The project root as seen from the target folder (`..`, `.`, or absolute).
    pub root_from_target: String,
    /// The log folder (`hpc/logs`).
    pub log_dir: String,
    /// The state file (`hpc/.soopervisor-slurm-jobs.tsv`).
    pub state: String,
}

fn to_str(p: &Path) -> anyhow::Result<String> {
    p.to_str()
        .map(|s| s.replace('\\', "/"))
        .ok_or_else(|| anyhow::anyhow!("the path {} is not valid UTF-8", p.display()))
}

/// `base/rel` written relative, without a leading `./`.
fn under(base: &str, rel: &str) -> String {
    if base == "." {
        rel.to_string()
    } else {
        format!("{base}/{rel}")
    }
}

impl Layout {
    /// Computes the layout for `target` of `plan` with `config`.
    pub fn new(config: &SlurmConfig, plan: &Plan, target: &ExportTarget) -> anyhow::Result<Layout> {
        let (target_s, root_from_target) = match target.dir.strip_prefix(&plan.project.root) {
            Ok(rel) if rel.components().all(|c| matches!(c, Component::Normal(_))) => {
                let n = rel.components().count();
                if n == 0 {
                    (".".to_string(), ".".to_string())
                } else {
                    (to_str(rel)?, vec![".."; n].join("/"))
                }
            }
            _ => (to_str(&target.dir)?, to_str(&plan.project.root)?),
        };
        let log_dir = match &config.log_dir {
            None => under(&target_s, "logs"),
            Some(p) if p.is_absolute() => to_str(p)?,
            Some(p) => under(&target_s, to_str(p)?.trim_end_matches('/')),
        };
        if log_dir.is_empty()
            || log_dir
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '%' || c == '\\')
        {
            return Err(UserError::new(format!(
                "the SLURM log folder '{log_dir}' cannot be used in `#SBATCH --output`: it holds whitespace, '%' or '\\'"
            ))
            .with_hint("set `log_dir` in the slurm section of soopervisor.yaml to a simple path")
            .into());
        }
        Ok(Layout {
            state: under(&target_s, STATE_FILE),
            target: target_s,
            root_from_target,
            log_dir,
        })
    }
}

/// The jobs of `plan`, in its (topological) order.
pub fn jobs(plan: &Plan, layout: &Layout) -> anyhow::Result<Vec<Job>> {
    let names = JobNames::new(plan.tasks.iter().map(|t| t.name.as_str()))?;
    let mut index = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(plan.tasks.len());
    for (i, task) in plan.tasks.iter().enumerate() {
        let mut upstream = Vec::with_capacity(task.upstream.len());
        for up in &task.upstream {
            match index.get(up.as_str()) {
                Some(&j) => upstream.push(j),
                None => anyhow::bail!(
                    "internal error: task '{}' comes before its upstream task '{up}' in the plan",
                    task.name
                ),
            }
        }
        let name = names.get(&task.name).to_string();
        out.push(Job {
            task: task.name.clone(),
            script: under(&layout.target, &format!("jobs/{name}.sh")),
            output: format!("{}/{name}-%j.out", layout.log_dir),
            name,
            upstream,
        });
        index.insert(task.name.as_str(), i);
    }
    Ok(out)
}

/// The template folder: `template` resolved against the target folder, else the
/// target folder itself. `None` when the target is the project root and no folder is
/// configured: the root holds the user's own `.sh` task sources (`load.sh` for task
/// `load`), which must never be mistaken for templates, so the built-in one is used.
pub fn template_dir(config: &SlurmConfig, plan: &Plan, target: &ExportTarget) -> Option<PathBuf> {
    match &config.template {
        Some(p) => Some(target.dir.join(p)),
        None if target.dir == plan.project.root => None,
        None => Some(target.dir.clone()),
    }
}

/// The `sbatch` arguments of `job` after `--parsable` and the dependency options:
/// the log file, the task's production settings, the configured extra arguments
/// (last, so they win), and the script.
pub fn sbatch_args(job: &Job, config: &SlurmConfig, plan: &Plan) -> Vec<String> {
    let mut args = vec![format!("--output={}", job.output)];
    args.extend(crate::settings::sbatch_options(plan.settings(&job.task)));
    args.extend(config.sbatch_args.iter().cloned());
    args.push(job.script.clone());
    args
}
