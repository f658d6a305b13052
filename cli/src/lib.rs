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

use std::process::ExitCode;

use clap::Parser;

use soopervisor_core::diagnostics::{UserError, Warning};

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
/// context chain of an internal failure.
pub fn report_error(e: &anyhow::Error) {
    if let Some(user) = e.downcast_ref::<UserError>() {
        eprintln!("error: {user}");
    } else if let Some(user) = e.chain().find_map(|c| c.downcast_ref::<UserError>()) {
        eprintln!("error: {e}\n  caused by: {user}");
    } else {
        eprintln!("error: {e:#}");
    }
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

/// Prints warnings to stderr, sorted and without repeats.
pub fn print_warnings(warnings: &[Warning]) {
    let mut seen = std::collections::BTreeSet::new();
    for w in warnings {
        if seen.insert(w.to_string()) {
            eprintln!("warning: {w}");
        }
    }
}
