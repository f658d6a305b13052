//! # soopervisor-core
//!
//! Everything engine-neutral in soopervisor. Data flows through the modules in order:
//!
//! 1. [`project`]: find the entry point, read `pipeline.yaml` with PyYAML's YAML 1.1
//!    rules, pick and expand env files and placeholders, and turn each task entry into a
//!    typed [`model::Task`] exactly as Ploomber would;
//! 2. [`analysis`]: static analysis of every source (never importing user code);
//! 3. [`dag`]: the dependency graph (petgraph), wildcards, cycles, duplicates;
//! 4. [`plan`]: task selection (modes, `--task`) into a [`plan::Plan`];
//! 5. [`backend`]: the plugin trait and registry engines implement;
//! 6. [`strategy`]: storage, code delivery and environment strategies (plugins too);
//! 7. [`settings`]: production settings per task (resources, retries, timeouts,
//!    scheduling, env), parsed once and resolved for every backend;
//! 8. [`output`]: engine-neutral writers: atomic files, YAML safe under 1.1 and 1.2,
//!    shell quoting, engine-safe names;
//! 9. [`python`]: the one module that runs user code, through the project's own
//!    Ploomber in a subprocess, and only when (a) static analysis cannot read the
//!    project (a `location:` factory, a dotted-path or `package::file` entry point:
//!    [`project::assisted`]) and `--no-python` was not given, or (b) `export --exact`
//!    asks Ploomber which tasks are outdated;
//! 10. `testing` (cargo feature `testing`, for tests only): hand-built plans that
//!     backend tests, bundled or third-party, share.
//!
//! Boundaries: this crate never names an engine, and runs user code only in the two
//! cases of [`python`]; everything else reads files.

pub mod analysis;
pub mod backend;
pub mod catalogue;
pub mod dag;
pub mod diagnostics;
pub mod model;
pub mod output;
pub mod plan;
pub mod project;
pub mod python;
pub mod settings;
pub mod strategy;
#[cfg(feature = "testing")]
pub mod testing;
