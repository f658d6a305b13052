//! Loading a project into a checked DAG, shared by every subcommand that reads one.

use std::path::PathBuf;

use soopervisor_core::dag::Dag;
use soopervisor_core::diagnostics::UserError;
use soopervisor_core::project::{self, LoadOptions, Project};

/// Options every project-reading subcommand takes.
#[derive(Debug, Clone, clap::Args)]
pub struct ProjectArgs {
    /// The pipeline spec (default: pipeline.yaml found in this folder or a parent, or
    /// src/<pkg>/pipeline.yaml next to setup.py)
    #[arg(short = 'e', long = "entry-point", value_name = "FILE")]
    pub entry_point: Option<String>,
    /// Run as if started in DIR
    #[arg(short = 'C', long = "directory", value_name = "DIR")]
    pub directory: Option<PathBuf>,
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
    let cwd = args.cwd()?;
    let mut project = project::load(&LoadOptions {
        cwd,
        entry_point: args.entry_point.clone(),
    })?;
    let dag = Dag::build(std::mem::take(&mut project.tasks))?;
    Ok((project, dag))
}
