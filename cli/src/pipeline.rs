//! Loading a project into a checked DAG, shared by every subcommand that reads one.

use std::collections::BTreeSet;
use std::path::PathBuf;

use soopervisor_core::dag::Dag;
use soopervisor_core::diagnostics::UserError;
use soopervisor_core::project::assisted::{self, PythonOptions};
use soopervisor_core::project::{self, LoadOptions, Project};

/// Options every project-reading subcommand takes.
#[derive(Debug, Clone, clap::Args)]
pub struct ProjectArgs {
    /// The pipeline spec (default: pipeline.yaml found in this folder or a parent, or
    /// src/PACKAGE/pipeline.yaml next to setup.py)
    #[arg(short = 'e', long = "entry-point", value_name = "FILE")]
    pub entry_point: Option<String>,
    /// Run as if started in DIR
    #[arg(short = 'C', long = "directory", value_name = "DIR")]
    pub directory: Option<PathBuf>,
    /// The Python of the project's environment, run only for projects that static
    /// analysis cannot read (a location: factory, a dotted-path entry point) and for
    /// --exact (default: $SOOPERVISOR_PYTHON, else the active environment's python)
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Never run Python: refuse projects that need it, saying why
    #[arg(long, conflicts_with = "python")]
    pub no_python: bool,
}

impl ProjectArgs {
    /// The working directory these options select.
    pub fn cwd(&self) -> anyhow::Result<PathBuf> {
        let here = std::env::current_dir()?;
        Ok(match &self.directory {
            None => here,
            Some(d) => {
                let d = here.join(d);
                if !d.is_dir() {
                    return Err(
                        UserError::new(format!("-C {}: no such folder", d.display()))
                            .with_hint("pass the folder that holds the project")
                            .into(),
                    );
                }
                project::paths::normalize(&d)
            }
        })
    }
}

/// Loads the project and builds its DAG. The tasks move into the DAG (read them with
/// [`Dag::tasks`]); the returned project's `tasks` is empty.
pub fn load(args: &ProjectArgs) -> anyhow::Result<(Project, Dag)> {
    let (project, dag, _) = load_with_status(args, false)?;
    Ok((project, dag))
}

/// [`load`], and with `exact` also the tasks Ploomber says `ploomber build` would run.
/// Says on stderr when the project's Python was run, and why.
pub fn load_with_status(
    args: &ProjectArgs,
    exact: bool,
) -> anyhow::Result<(Project, Dag, Option<BTreeSet<String>>)> {
    let cwd = args.cwd()?;
    let loaded = assisted::load(
        &LoadOptions {
            cwd,
            entry_point: args.entry_point.clone(),
        },
        &PythonOptions {
            interpreter: args.python.clone(),
            forbidden: args.no_python,
        },
        exact,
    )?;
    if let Some(note) = &loaded.python_note {
        eprintln!("{note}");
    }
    let mut project = loaded.project;
    let dag = Dag::build(std::mem::take(&mut project.tasks))?;
    Ok((project, dag, loaded.would_run))
}
