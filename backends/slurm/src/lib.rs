//! soopervisor backend: SLURM.
//!
//! One batch script per Ploomber task (`TARGET/jobs/<job>.sh`, rendered from the
//! user's templates with the Python tool's `{{name}}`/`{{command}}` placeholders) and a
//! `TARGET/submit.sh` that submits them with `sbatch --parsable` in dependency order,
//! chaining `--dependency=afterok:ID:ID` and `--kill-on-invalid-dep=yes`. The same
//! submission runs from Rust for `export --submit`; `status` asks SLURM about the jobs
//! recorded in `TARGET/.soopervisor-slurm-jobs.tsv`.
//!
//! Modules: [`config`] (the `soopervisor.yaml` section and the trait impl), [`names`]
//! (safe, unique job/file names), [`templates`] (resolution and rendering),
//! [`jobs`] (plan → jobs and paths), [`export`] (the files), [`tools`] (finding and
//! running the SLURM commands), [`state`] (the job-id file), [`submit`], [`status`],
//! [`settings`] (production settings as sbatch options and job-script lines).

pub mod config;
pub mod export;
pub mod jobs;
pub mod names;
pub mod settings;
pub mod state;
pub mod status;
pub mod submit;
pub mod templates;
pub mod tools;

pub use config::SlurmConfig;
