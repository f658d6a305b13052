//! # soopervisor-cli
//!
//! The `soopervisor` command line as a library, so that third-party binaries can link
//! their own backends and reuse it unchanged: depend on this crate and on your backend
//! crate, mention the backend crate once (`use my_backend as _;`) so its `inventory`
//! registrations are linked, and call [`main`].
//!
//! One module per subcommand under [`commands`]; [`config`] reads `soopervisor.yaml`;
//! [`pipeline`] loads a project into a checked DAG. No backend is named here: backends
//! are found through the registry in `soopervisor-core`.

pub mod commands;
pub mod config;
pub mod pipeline;
pub mod shown;

use std::process::ExitCode;

use clap::Parser;

use soopervisor_core::diagnostics::{UserError, Warning};

// The catalogue of the errors of the core and the bundled commands: cli/errors.md
// (docs/errors.md links to it), kept inside this crate so the published crate carries
// it. Backends in their own crates submit their own chunk the same way.
inventory::submit! {
    soopervisor_core::catalogue::ErrorCatalogue {
        markdown: include_str!("../errors.md"),
    }
}

/// Runs the CLI with the process arguments and returns the exit code: 0 on success,
/// 1 on a failure, 2 on wrong usage.
pub fn main() -> ExitCode {
    run(std::env::args_os())
}

/// Runs the CLI with the given arguments (the first is the program name).
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match commands::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match commands::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report_error(&e);
            ExitCode::from(1)
        }
    }
}

/// Prints an error as one paragraph: the user's problem with location and fix, or the
/// context chain of an internal failure. A catalogued error carries its code
/// (`error[SV0101]: ...`, as rustc does) and how to read its catalogue entry. Styled
/// like clap's own errors; `anstream` drops the colours for NO_COLOR, a pipe or a file
/// and keeps them for CLICOLOR_FORCE.
pub fn report_error(e: &anyhow::Error) {
    let shell = std::env::current_dir().ok();
    let text = if let Some(user) = e.downcast_ref::<UserError>() {
        shown_error(user, shell.as_deref())
    } else if let Some(user) = e.chain().find_map(|c| c.downcast_ref::<UserError>()) {
        format!("{e}\n  caused by: {}", shown_error(user, shell.as_deref()))
    } else {
        format!("{e:#}")
    };
    // the code comes from the message alone (a file name is no clue to the error)
    let entry = e
        .chain()
        .find_map(|c| c.downcast_ref::<UserError>())
        .and_then(|u| soopervisor_core::catalogue::entry_for(&u.message));
    let error = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Red.into()));
    let label = match &entry {
        Some(entry) => format!("error[{}]", entry.code),
        None => "error".to_string(),
    };
    let mut out = format!("{error}{label}:{error:#} {}", style_help(&text));
    if let Some(entry) = &entry {
        let dim = anstyle::Style::new().dimmed();
        out.push_str(&format!(
            "\n{dim}  more: soopervisor explain {}{dim:#}",
            entry.code
        ));
    }
    anstream::eprintln!("{out}");
}

/// A user error with its file shown relative to the user's shell (see [`shown`]).
fn shown_error(user: &UserError, shell: Option<&std::path::Path>) -> String {
    let mut user = user.clone();
    if let (Some(file), Some(shell)) = (&user.file, shell) {
        if file.is_absolute() {
            let rel = shown::relative(file, &soopervisor_core::project::paths::normalize(shell));
            if !rel.as_os_str().is_empty() && rel.is_relative() {
                user.file = Some(rel);
            }
        }
    }
    user.to_string()
}

/// `help:` lines in clap's style (bold green label).
fn style_help(text: &str) -> String {
    let help = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Green.into()));
    text.replace("\n  help: ", &format!("\n  {help}help:{help:#} "))
}

/// Frees `value` on another thread. A command's last step: the big structures of a
/// large pipeline take a noticeable share of the run to free one allocation at a time
/// (5% of a 10,000-task export), and when the command is the process, exiting ends
/// that thread and the OS takes the memory back at once.
pub(crate) fn drop_in_background<T: Send + 'static>(value: T) {
    // if no thread can be started, `value` is freed here, as it would have been anyway
    let _ = std::thread::Builder::new()
        .name("drop".into())
        .spawn(move || drop(value));
}

/// Prints warnings to stderr, sorted and without repeats, styled like clap's.
pub fn print_warnings(warnings: &[Warning]) {
    let warning = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Yellow.into()));
    let shell = std::env::current_dir()
        .ok()
        .map(|s| soopervisor_core::project::paths::normalize(&s));
    let mut seen = std::collections::BTreeSet::new();
    for w in warnings {
        let mut w = w.clone();
        if let (Some(file), Some(shell)) = (&w.file, &shell) {
            if file.is_absolute() {
                w.file = Some(shown::relative(file, shell));
            }
        }
        if seen.insert(w.to_string()) {
            anstream::eprintln!("{warning}warning:{warning:#} {w}");
        }
    }
}
