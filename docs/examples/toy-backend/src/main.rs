//! `soopervisor-toy`: the whole soopervisor command line, with the toy backend linked
//! next to the bundled ones. Nothing here but linking: each `use CRATE as _;` keeps
//! that crate's `inventory` registrations in the binary (the linker drops crates that
//! nothing mentions), and `soopervisor_cli::main` does the rest.
use soopervisor_argo as _;
use soopervisor_slurm as _;
use soopervisor_toy_backend as _;

fn main() -> std::process::ExitCode {
    soopervisor_cli::main()
}
