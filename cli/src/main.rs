//! The `soopervisor` binary: links the bundled backends and runs the CLI library.
use soopervisor_airflow as _;
use soopervisor_argo as _;
use soopervisor_aws_batch as _;
use soopervisor_kubeflow as _;
use soopervisor_slurm as _;

/// mimalloc rather than glibc's malloc: a 100,000-task export makes millions of small
/// allocations from rayon's threads, where glibc's per-thread arenas cost about a
/// quarter of the CPU time and a third more resident memory (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    soopervisor_cli::main()
}
