//! The `soopervisor` binary: links the bundled backends and runs the CLI library.
use soopervisor_airflow as _;
use soopervisor_argo as _;
use soopervisor_aws_batch as _;
use soopervisor_kubeflow as _;
use soopervisor_slurm as _;

mod allocator;

fn main() -> std::process::ExitCode {
    #[cfg(not(target_os = "linux"))]
    allocator::tune();
    soopervisor_cli::main()
}
