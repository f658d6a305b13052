//! The subcommands, one module each, and the clap definition that ties them together.

pub mod add;
pub mod backends;
pub mod cancel;
pub mod completions;
pub mod explain;
pub mod export;
pub mod inspect;
pub mod placement;
pub mod status;
pub mod upload;

use clap::{Parser, Subcommand};

/// Export Ploomber pipelines to distributed engines (Argo Workflows, SLURM, ...).
///
/// soopervisor reads a Ploomber project (pipeline.yaml and its sources) exactly as
/// Ploomber does, infers the DAG without importing or running your code, checks that
/// the pipeline is ready to run, and writes the spec the engine runs (an Argo
/// Workflow, SLURM batch scripts, ...). Settings per target live in soopervisor.yaml.
#[derive(Debug, Parser)]
#[command(
    name = "soopervisor",
    version,
    after_long_help = examples(&[
        ("soopervisor inspect", "the DAG soopervisor infers from ./pipeline.yaml"),
        ("soopervisor export --backend argo --storage nfs", "write argo.yaml"),
        ("soopervisor add training --backend slurm", "a target in soopervisor.yaml"),
        ("soopervisor explain SV0101", "what an error code means and how to fix it"),
    ])
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the DAG soopervisor infers from the project (the one Ploomber builds)
    #[command(after_long_help = examples(&[
        ("soopervisor inspect", "tasks in run order, with sources and products"),
        ("soopervisor inspect -C my-project --format json", "the same DAG as data"),
        ("soopervisor inspect -e pipeline.serve.yaml", "another spec of the project"),
    ]))]
    Inspect(inspect::InspectArgs),
    /// Check the pipeline and write the engine's spec
    #[command(after_long_help = examples(&[
        ("soopervisor export --backend argo --storage nfs", "argo.yaml at the project root"),
        ("soopervisor export training --mode force", "the 'training' target of soopervisor.yaml"),
        ("soopervisor export --task clean --output -", "one task, printed"),
        ("soopervisor export training --submit", "export, then submit (slurm, argo, aws-batch)"),
    ]))]
    Export(export::ExportArgs),
    /// Add a target section to soopervisor.yaml
    #[command(after_long_help = examples(&[
        ("soopervisor add training", "an Argo target with its default settings"),
        ("soopervisor add cluster --backend slurm", "a SLURM target"),
        ("soopervisor add training -C my-project", "in another folder"),
    ]))]
    Add(add::AddArgs),
    /// List the backends this binary can export to
    #[command(after_long_help = examples(&[
        ("soopervisor backends", "names, aliases and what each writes"),
        ("soopervisor add training --backend slurm", "then use one of them"),
    ]))]
    Backends,
    /// Explain an error code (SV0101): its cause and its fix
    #[command(after_long_help = examples(&[
        ("soopervisor explain SV0101", "the cause and fix of error SV0101"),
        ("soopervisor explain", "every error code, by stage"),
    ]))]
    Explain(explain::ExplainArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    #[command(after_long_help = examples(&[
        ("soopervisor completions bash > ~/.local/share/bash-completion/completions/soopervisor", "bash"),
        ("soopervisor completions zsh > ~/.zfunc/_soopervisor", "zsh (with ~/.zfunc in fpath)"),
        ("soopervisor completions fish > ~/.config/fish/completions/soopervisor.fish", "fish"),
    ]))]
    Completions(completions::CompletionsArgs),
    /// Print the man page, or write every page into a folder
    #[command(after_long_help = examples(&[
        ("soopervisor man | man -l -", "read it now"),
        ("soopervisor man --dir ~/.local/share/man/man1", "install the pages for `man soopervisor`"),
    ]))]
    Man(completions::ManArgs),
    /// Show the state of the jobs (or Argo Workflow tasks) submitted from a target
    #[command(after_long_help = examples(&[
        ("soopervisor status cluster", "the jobs of the last submission (slurm)"),
        ("soopervisor status --watch", "after export --backend slurm --submit: until all end"),
        ("soopervisor status batch --watch", "refresh until every job ended (aws-batch)"),
        ("soopervisor status training --watch", "each task's node phase until the Workflow ends (argo)"),
    ]))]
    Status(status::StatusArgs),
    /// Stop every job submitted from a target that has not ended
    #[command(after_long_help = examples(&[
        ("soopervisor cancel batch", "terminate the jobs of the last submission (aws-batch)"),
        ("soopervisor cancel training", "argo stop the submitted Workflow (argo)"),
        ("soopervisor status batch", "then check that they ended"),
    ]))]
    Cancel(cancel::CancelArgs),
    /// Deliver the project's code as the target's code strategy says (copy to the
    /// shared disk, or build and upload a package)
    #[command(after_long_help = examples(&[
        ("soopervisor upload --dry-run", "print the commands it would run"),
        ("soopervisor upload training", "deliver the code of the 'training' target"),
        ("soopervisor upload --code package", "build the package and upload it"),
    ]))]
    Upload(upload::UploadArgs),
}

/// The `Examples:` section that ends a command's long help (`--help`): each command
/// with what it does, in clap's heading style.
pub fn examples(items: &[(&str, &str)]) -> String {
    let heading = anstyle::Style::new().bold().underline();
    let width = items.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    let mut out = format!("{}Examples:{}\n", heading.render(), heading.render_reset());
    for (command, what) in items {
        out.push_str(&format!("  {command:<width$}  # {what}\n"));
    }
    out.trim_end().to_string()
}

/// Runs one parsed command.
pub fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Inspect(a) => inspect::run(a),
        Command::Export(a) => export::run(a),
        Command::Add(a) => add::run(a),
        Command::Backends => backends::run(),
        Command::Explain(a) => explain::run(a),
        Command::Completions(a) => completions::completions(a),
        Command::Man(a) => completions::man(a),
        Command::Status(a) => status::run(a),
        Command::Cancel(a) => cancel::run(a),
        Command::Upload(a) => upload::run(a),
    }
}
