//! `soopervisor status [TARGET]`: the state of the jobs a backend submitted from a
//! target (backends that track submissions: slurm, aws-batch, argo). Without a target, the
//! export without one (`export --backend slurm --submit`) is looked up in the backend's
//! default folder, so the two agree on where the state is. `--watch` refreshes until
//! every job has ended (redrawn in place on a terminal, a new table only when it
//! changes otherwise) and fails when any job failed.

use std::io::IsTerminal;
use std::time::Duration;

use serde_yaml::{Mapping, Value};

use soopervisor_core::backend::{self, BackendConfig, ExportTarget, OutputFormat, StatusReport};
use soopervisor_core::diagnostics::UserError;

use crate::config;
use crate::pipeline::ProjectArgs;

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The target section of soopervisor.yaml; without it: the export without a target
    /// (--backend, default slurm)
    pub target: Option<String>,
    /// The backend of an export without a target [default: slurm]
    #[arg(short = 'b', long, value_parser = config::backend_arg)]
    pub backend: Option<String>,
    /// Refresh until every job has ended; exit 1 if any failed
    #[arg(short = 'w', long)]
    pub watch: bool,
    /// Seconds between refreshes with --watch
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    pub interval: u64,
    #[command(flatten)]
    pub project: ProjectArgs,
}

pub fn run(args: StatusArgs) -> anyhow::Result<()> {
    let cwd = args.project.cwd()?;
    let project = soopervisor_core::project::load(&soopervisor_core::project::LoadOptions {
        cwd,
        entry_point: args.project.entry_point.clone(),
    })?;
    let shown = crate::shown::Shown::new(&args.project)?;
    let (backend, target) = match &args.target {
        Some(name) => named_target(&project.root, name)?,
        None => {
            let name = args.backend.as_deref().unwrap_or("slurm");
            let canonical = config::canonical_backend(name)?;
            let folder = backend::find(canonical).map_or("", |d| d.default_folder());
            let mut section = Mapping::new();
            section.insert(Value::String("backend".into()), Value::String(name.into()));
            let backend = config::backend_config(section, &Mapping::new(), None)?;
            (backend, target(project.root.join(folder), None))
        }
    };
    let show = |r: &StatusReport| shown.command(&r.text, &project.root);
    if !args.watch {
        print!("{}", show(&backend.status_report(&target)?));
        return Ok(());
    }
    let tty = std::io::stdout().is_terminal();
    let mut last = String::new();
    loop {
        let report = backend.status_report(&target)?;
        let text = show(&report);
        if tty {
            // redraw in place: clear the screen, then the table and a progress line
            let ended = if report.ended {
                "every job has ended"
            } else {
                "watching"
            };
            print!(
                "\x1b[H\x1b[2J{text}\n{ended}: {} failed so far (every {}s, Ctrl-C to stop)\n",
                report.failed, args.interval
            );
        } else if text != last {
            println!("{text}");
        }
        last = text;
        if report.ended {
            if report.failed > 0 {
                return Err(UserError::new(format!("{} job(s) failed", report.failed))
                    .with_hint(
                        "read the log lines above, fix the task, then export and submit again",
                    )
                    .into());
            }
            return Ok(());
        }
        std::thread::sleep(Duration::from_secs(args.interval.max(1)));
    }
}

/// The backend of a named target and where its files are (shared with `cancel`).
pub fn load_target(
    name: &str,
    project: &ProjectArgs,
) -> anyhow::Result<(Box<dyn BackendConfig>, ExportTarget)> {
    let loaded = soopervisor_core::project::load(&soopervisor_core::project::LoadOptions {
        cwd: project.cwd()?,
        entry_point: project.entry_point.clone(),
    })?;
    named_target(&loaded.root, name)
}

fn named_target(
    root: &std::path::Path,
    name: &str,
) -> anyhow::Result<(Box<dyn BackendConfig>, ExportTarget)> {
    let file = config::path(root);
    let section = config::section(&file, name)?;
    let backend = config::backend_config(section, &Mapping::new(), Some(&file))?;
    Ok((backend, target(root.join(name), Some(name.to_string()))))
}

fn target(dir: std::path::PathBuf, name: Option<String>) -> ExportTarget {
    let target = ExportTarget::new(dir).with_format(OutputFormat::Yaml);
    match name {
        Some(n) => target.with_name(n),
        None => target,
    }
}
