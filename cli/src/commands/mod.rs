//! The subcommands, one module each, and the clap definition that ties them together.

pub mod add;
pub mod backends;
pub mod cancel;
pub mod export;
pub mod inspect;
pub mod status;
pub mod upload;

use clap::{Parser, Subcommand};

/// Export Ploomber pipelines to distributed engines (Argo Workflows, SLURM, ...).
#[derive(Debug, Parser)]
#[command(name = "soopervisor", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the DAG soopervisor infers from the project (the one Ploomber builds)
    Inspect(inspect::InspectArgs),
    /// Check the pipeline and write the engine's spec
    Export(export::ExportArgs),
    /// Add a target section to soopervisor.yaml
    Add(add::AddArgs),
    /// List the backends this binary can export to
    Backends,
    /// Show the state of the jobs submitted from a target
    Status(status::StatusArgs),
    /// Stop every job submitted from a target that has not ended
    Cancel(cancel::CancelArgs),
    /// Deliver the project's code as the target's code strategy says (copy to the
    /// shared disk, or build and upload a package)
    Upload(upload::UploadArgs),
}

/// Runs one parsed command.
pub fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Inspect(a) => inspect::run(a),
        Command::Export(a) => export::run(a),
        Command::Add(a) => add::run(a),
        Command::Backends => backends::run(),
        Command::Status(a) => status::run(a),
        Command::Cancel(a) => cancel::run(a),
        Command::Upload(a) => upload::run(a),
    }
}
