//! `soopervisor status TARGET [--watch]`: the state of the jobs a backend submitted
//! from a target (backends that track submissions, such as slurm and aws-batch).
//! `--watch` asks again every few seconds, printing the table whenever it changes,
//! until every job has ended, and fails when any job failed.

use std::time::Duration;

use serde_yaml::Mapping;

use soopervisor_core::backend::{BackendConfig, ExportTarget};
use soopervisor_core::diagnostics::UserError;

use crate::config;
use crate::pipeline::ProjectArgs;

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The target section of soopervisor.yaml
    pub target: String,
    /// Refresh until every job has ended; exit 1 if any failed
    #[arg(long)]
    pub watch: bool,
    /// Seconds between two refreshes with --watch
    #[arg(long, default_value_t = 5.0, value_parser = positive_seconds)]
    pub interval: f64,
    #[command(flatten)]
    pub project: ProjectArgs,
}

fn positive_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 3600.0 => Ok(v),
        _ => Err(format!("expected seconds between 0 and 3600, got '{s}'")),
    }
}

/// The backend of a named target and where its files are (shared with `cancel`).
pub fn load_target(
    name: &str,
    project: &ProjectArgs,
) -> anyhow::Result<(Box<dyn BackendConfig>, ExportTarget)> {
    let cwd = project.cwd()?;
    let loaded = soopervisor_core::project::load(&soopervisor_core::project::LoadOptions {
        cwd,
        entry_point: project.entry_point.clone(),
    })?;
    let file = config::path(&loaded.root);
    let section = config::section(&file, name)?;
    let backend = config::backend_config(section, &Mapping::new(), Some(&file))?;
    let target = ExportTarget::new(loaded.root.join(name)).with_name(name);
    Ok((backend, target))
}

pub fn run(args: StatusArgs) -> anyhow::Result<()> {
    let (backend, target) = load_target(&args.target, &args.project)?;
    if !args.watch {
        println!("{}", backend.status(&target)?);
        return Ok(());
    }
    let mut last = String::new();
    loop {
        let report = backend.status_report(&target)?;
        if report.text != last {
            println!("{}", report.text);
            last = report.text.clone();
        }
        if report.ended {
            if report.failed > 0 {
                return Err(UserError::new(format!(
                    "{} job(s) of target '{}' failed",
                    report.failed, args.target
                ))
                .with_hint("the table above shows which; their logs are in the engine")
                .into());
            }
            return Ok(());
        }
        std::thread::sleep(Duration::from_secs_f64(args.interval));
    }
}
