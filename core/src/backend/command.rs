//! Running an engine's client programs (`sbatch`, `argo`, `kubectl`, ...) for the
//! backends that submit and watch: finding an executable on `PATH`, running it
//! directly (no shell) with its output captured, and the error that says which
//! command failed, how, and what it printed. Moved here from the slurm backend when
//! the Argo backend needed the same.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The first executable file called `name` on `PATH`.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// Output of one command run.
#[derive(Debug, Clone)]
pub struct Run {
    pub ok: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// `exited with 2` or `was killed by a signal`.
    pub fn how_it_ended(&self) -> String {
        match self.code {
            Some(c) => format!("exited with {c}"),
            None => "was killed by a signal".to_string(),
        }
    }
}

/// Runs `program args...` in `dir` (or the current folder) and captures its output.
/// Only a program that cannot be started is an error; a failing one is a [`Run`] whose
/// `ok` is false.
pub fn run(program: &Path, args: &[String], dir: Option<&Path>) -> anyhow::Result<Run> {
    let mut cmd = Command::new(program);
    cmd.args(args);
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let out = cmd
        .output()
        .map_err(|e| anyhow::anyhow!("cannot run {}: {e}", program.display()))?;
    Ok(Run {
        ok: out.status.success(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// `name arg arg ...` as the user would type it (for messages).
pub fn shown(name: &str, args: &[String]) -> String {
    std::iter::once(name.to_string())
        .chain(args.iter().map(|a| crate::output::shell::quote(a)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `program args...` and returns its standard output; a program that cannot start
/// or exits with an error is an error naming the command (as `name ...`), how it
/// ended and the last lines it printed on standard error.
pub fn run_ok(name: &str, program: &Path, args: &[String]) -> anyhow::Result<String> {
    let r = run(program, args, None)?;
    if r.ok {
        return Ok(r.stdout);
    }
    let said = r.stderr.trim();
    let said = if said.is_empty() {
        r.stdout.trim()
    } else {
        said
    };
    let last: Vec<&str> = said.lines().rev().take(5).collect();
    let last: Vec<&str> = last.into_iter().rev().collect();
    anyhow::bail!(
        "`{}` {}: {}",
        shown(name, args),
        r.how_it_ended(),
        if last.is_empty() {
            "(it printed nothing)".to_string()
        } else {
            last.join("\n  ")
        }
    )
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    #[test]
    fn run_ok_returns_stdout_or_says_what_failed() {
        let dir = tempfile::tempdir().unwrap();
        let good = script(dir.path(), "good", "echo \"out $1\"\n");
        assert_eq!(
            run_ok("good", &good, &["a b".to_string()]).unwrap(),
            "out a b\n"
        );
        let bad = script(dir.path(), "bad", "echo one >&2\necho two >&2\nexit 3\n");
        let err = run_ok("bad", &bad, &["x y".to_string()])
            .unwrap_err()
            .to_string();
        assert_eq!(err, "`bad 'x y'` exited with 3: one\n  two");
        let missing = run_ok("nope", &dir.path().join("nope"), &[]).unwrap_err();
        assert!(missing.to_string().starts_with("cannot run"), "{missing}");
    }

    #[test]
    fn which_finds_only_executables() {
        let dir = tempfile::tempdir().unwrap();
        script(dir.path(), "tool", "");
        std::fs::write(dir.path().join("plain"), "x").unwrap();
        assert!(!is_executable(&dir.path().join("plain")));
        assert!(is_executable(&dir.path().join("tool")));
    }
}
