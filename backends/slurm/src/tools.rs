//! The SLURM commands the backend runs (`sbatch`, `squeue`, `sacct`), found on `PATH`
//! once; tests point them at fakes. Finding and running them is the core's
//! (`soopervisor_core::backend::command`), shared with every backend that submits.

use std::path::PathBuf;

pub use soopervisor_core::backend::command::{run, which, Run};

/// Paths of the SLURM client programs (`None` when not installed).
#[derive(Debug, Clone, Default)]
pub struct Tools {
    pub sbatch: Option<PathBuf>,
    pub squeue: Option<PathBuf>,
    pub sacct: Option<PathBuf>,
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
