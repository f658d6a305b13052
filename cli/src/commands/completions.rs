//! `soopervisor completions SHELL` (clap_complete) and `soopervisor man` (clap_mangen):
//! shell completion scripts and man pages generated from the same clap definition as
//! the parser, so they never drift from the real options.

use std::io::Write;
use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;

use soopervisor_core::output::atomic::{self, PendingFile};

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, powershell or elvish
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write soopervisor.1 and one page per subcommand (soopervisor-export.1, ...)
    /// into DIR instead of printing soopervisor.1
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn completions(args: CompletionsArgs) -> anyhow::Result<()> {
    let mut cmd = super::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "soopervisor", &mut out);
    std::io::stdout().write_all(&out)?;
    Ok(())
}

pub fn man(args: ManArgs) -> anyhow::Result<()> {
    let cmd = super::Cli::command();
    let Some(dir) = args.dir else {
        let mut out = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut out)?;
        std::io::stdout().write_all(&out)?;
        return Ok(());
    };
    let mut pages = Vec::new();
    let mut main = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut main)?;
    pages.push(PendingFile {
        path: dir.join("soopervisor.1"),
        contents: main.into(),
        executable: false,
    });
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("soopervisor-{}", sub.get_name());
        let mut page = Vec::new();
        clap_mangen::Man::new(sub.clone().name(name.clone())).render(&mut page)?;
        pages.push(PendingFile {
            path: dir.join(format!("{name}.1")),
            contents: page.into(),
            executable: false,
        });
    }
    std::fs::create_dir_all(&dir)?;
    atomic::write_all(&pages)?;
    eprintln!("Wrote {} man pages to {}", pages.len(), dir.display());
    Ok(())
}
