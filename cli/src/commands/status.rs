//! `soopervisor status TARGET`: the state of the jobs a backend submitted from a target
//! (backends that track submissions, such as slurm).

use serde_yaml::Mapping;

use soopervisor_core::backend::ExportTarget;

use crate::config;
use crate::pipeline::ProjectArgs;

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The target section of soopervisor.yaml
    pub target: String,
    #[command(flatten)]
    pub project: ProjectArgs,
}

pub fn run(args: StatusArgs) -> anyhow::Result<()> {
    let cwd = args.project.cwd()?;
    let project = soopervisor_core::project::load(&soopervisor_core::project::LoadOptions {
        cwd,
        entry_point: args.project.entry_point.clone(),
    })?;
    let file = config::path(&project.root);
    let section = config::section(&file, &args.target)?;
    let backend = config::backend_config(section, &Mapping::new(), Some(&file))?;
    let target = ExportTarget::new(project.root.join(&args.target)).with_name(&args.target);
    println!("{}", backend.status(&target)?);
    Ok(())
}
