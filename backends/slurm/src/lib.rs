//! soopervisor backend: slurm (being written).
