//! `soopervisor cancel TARGET`: stops every job submitted from a target that has not
//! ended yet (backends that track submissions and can cancel: aws-batch, argo).

use crate::commands::status::load_target;
use crate::pipeline::ProjectArgs;

#[derive(Debug, clap::Args)]
pub struct CancelArgs {
    /// The target section of soopervisor.yaml
    pub target: String,
    #[command(flatten)]
    pub project: ProjectArgs,
}

pub fn run(args: CancelArgs) -> anyhow::Result<()> {
    let (backend, target) = load_target(&args.target, &args.project)?;
    print!("{}", backend.cancel(&target)?);
    Ok(())
}
