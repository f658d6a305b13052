//! Helpers shared by the integration tests: hand-built plans, writing an export to
//! disk, and fake programs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use soopervisor_core::backend::{BackendConfig, Export, ExportTarget};
use soopervisor_core::plan::{Mode, Plan, PlannedTask, ProjectInfo};

/// A plan over `root` with `(task, upstream)` pairs in topological order.
pub fn plan(root: &Path, tasks: &[(&str, &[&str])], mode: Mode) -> Plan {
    Plan::new(
        ProjectInfo::new(root, "pipeline.yaml").with_name("proj"),
        mode,
        tasks
            .iter()
            .map(|(name, up)| {
                PlannedTask::new(*name, "ShellScript").with_upstream(up.iter().copied())
            })
            .collect(),
    )
}

/// Fan-out and fan-in: `a` → `b`, `c` → `d`.
pub fn diamond(root: &Path) -> Plan {
    plan(
        root,
        &[("a", &[]), ("b", &["a"]), ("c", &["a"]), ("d", &["b", "c"])],
        Mode::Regular,
    )
}

/// The named target `hpc` of `root`.
pub fn target(root: &Path) -> ExportTarget {
    ExportTarget::new(root.join("hpc")).with_name("hpc")
}

/// Writes the export's files under the target folder.
pub fn write(export: &Export, target: &ExportTarget) {
    for f in &export.files {
        let p = target.dir.join(f.path());
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, f.contents()).unwrap();
        set_exec(&p);
    }
}

pub fn set_exec(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Writes an executable script `dir/name` and returns its path.
pub fn fake(dir: &Path, name: &str, body: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/bash\n{body}")).unwrap();
    set_exec(&p);
    p
}

/// A fake `sbatch` that appends its argv (one NUL-separated record per call) to
/// `dir/sbatch.argv` and prints ids 101, 102, ...; it fails on call number `fail_at`
/// (1-based, 0 = never).
pub fn fake_sbatch(dir: &Path, fail_at: u32) -> PathBuf {
    let log = dir.join("sbatch.argv");
    let count = dir.join("sbatch.count");
    fake(
        dir,
        "sbatch",
        &format!(
            r#"n=$(( $(cat '{c}' 2>/dev/null || echo 0) + 1 ))
echo "$n" > '{c}'
if [[ $n == {fail_at} ]]; then echo "sbatch: error: Batch job submission failed" >&2; exit 1; fi
printf '%s\0' "$@" >> '{l}'
printf '\n' >> '{l}'
echo $((100 + n))
"#,
            c = count.display(),
            l = log.display()
        ),
    )
}

/// The recorded `sbatch` calls, one argv per call.
pub fn sbatch_calls(dir: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(dir.join("sbatch.argv")).unwrap_or_default();
    text.split_terminator('\n')
        .map(|rec| {
            rec.split_terminator('\0')
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

pub fn config(yaml_json: &str) -> soopervisor_slurm::SlurmConfig {
    serde_json::from_str(yaml_json).unwrap()
}

pub fn export(cfg: &soopervisor_slurm::SlurmConfig, plan: &Plan, t: &ExportTarget) -> Export {
    cfg.export(plan, t).unwrap()
}
