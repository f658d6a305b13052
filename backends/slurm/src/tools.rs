//! The SLURM commands the backend runs (`sbatch`, `squeue`, `sacct`), found on `PATH`
//! once; tests point them at fakes. Commands run directly (no shell).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Paths of the SLURM client programs (`None` when not installed).
#[derive(Debug, Clone, Default)]
pub struct Tools {
    pub sbatch: Option<PathBuf>,
    pub squeue: Option<PathBuf>,
    pub sacct: Option<PathBuf>,
}

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

impl Tools {
    /// Looks every tool up on `PATH`.
    pub fn from_path() -> Tools {
        Tools {
            sbatch: which("sbatch"),
            squeue: which("squeue"),
            sacct: which("sacct"),
        }
    }
}

/// Output of one command run.
pub struct Run {
    pub ok: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `program args...` in `dir` (or the current folder) and captures its output.
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
