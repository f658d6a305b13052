//! Drives the SLURM backend without the CLI, for `tests/slurm-e2e.sh`: builds a fixed
//! plan by hand (fan-out and fan-in, an unrelated task, and a task whose name tries
//! shell injection), exports it into `ROOT/hpc`, and optionally submits it from Rust
//! or prints the status table.
//!
//! ```text
//! cargo run -p soopervisor-slurm --example slurm_e2e -- export ROOT [--submit]
//! cargo run -p soopervisor-slurm --example slurm_e2e -- status ROOT
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use soopervisor_core::backend::{BackendConfig, ExportTarget, OutputFormat};
use soopervisor_core::output::atomic::{write_all, PendingFile};
use soopervisor_core::plan::{Mode, Plan, PlannedTask, ProjectInfo};
use soopervisor_slurm::SlurmConfig;

/// The fixture: `(task, upstream)` in topological order.
const TASKS: &[(&str, &[&str])] = &[
    ("load", &[]),
    ("clean a/1", &["load"]),
    ("clean-b", &["load"]),
    ("fit", &["clean a/1", "clean-b"]),
    ("report", &["fit"]),
    ("side", &[]),
    ("x$(touch MARKER)y'\"; echo pwned", &[]),
];

fn plan(root: PathBuf) -> Plan {
    Plan {
        project: ProjectInfo {
            name: "e2e".into(),
            root,
            entry_point: "pipeline.yaml".into(),
            is_package: false,
            conda: None,
            pip_requirements: None,
        },
        mode: Mode::Regular,
        tasks: TASKS
            .iter()
            .map(|(name, up)| PlannedTask {
                name: name.to_string(),
                class: "ShellScript".into(),
                upstream: up.iter().map(|s| s.to_string()).collect(),
                all_upstream: up.iter().map(|s| s.to_string()).collect(),
                products: vec![],
            })
            .collect(),
        pinned_placeholders: BTreeMap::new(),
        warnings: vec![],
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, root) = match args.as_slice() {
        [cmd, root, ..] => (cmd.as_str(), std::fs::canonicalize(root)?),
        _ => anyhow::bail!("usage: slurm_e2e export|status ROOT [--submit]"),
    };
    let target = ExportTarget {
        dir: root.join("hpc"),
        name: Some("hpc".into()),
        format: OutputFormat::Yaml,
    };
    let config = SlurmConfig::default();
    let plan = plan(root);
    match cmd {
        "export" => {
            config.check(&plan)?;
            let export = config.export(&plan, &target)?;
            let files: Vec<PendingFile> = export
                .files
                .iter()
                .map(|f| PendingFile {
                    path: target.dir.join(&f.path),
                    contents: f.contents.clone(),
                    executable: f.executable,
                })
                .collect();
            write_all(&files)?;
            if args.iter().any(|a| a == "--submit") {
                print!("{}", config.submit(&plan, &target)?);
            } else {
                for step in &export.next_steps {
                    println!("next: {step}");
                }
            }
        }
        "status" => print!("{}", config.status(&target)?),
        other => anyhow::bail!("unknown command {other}"),
    }
    Ok(())
}
