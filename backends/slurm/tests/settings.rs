//! Production settings on SLURM: sbatch options in `submit.sh` and the Rust
//! submission, the environment and the retry loop in the job script (run by bash with
//! a `ploomber` that fails once), and refusals at their line.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use soopervisor_core::backend::BackendConfig;
use soopervisor_core::plan::{Mode, Plan};
use soopervisor_slurm::tools::Tools;

fn with_settings(plan: Plan, yaml: &str) -> Plan {
    let file = Path::new("/p/soopervisor.yaml");
    soopervisor_core::testing::with_settings(plan, yaml, "t", file).unwrap()
}

const SETTINGS: &str = "t:\n  backend: slurm\n  defaults: {cpu: 500m, memory: 1.5Gi, timeout: 1h30m, partition: debug}\n  tasks:\n    b:\n      gpu: {count: 2, type: a100}\n      priority: high\n      retries: 2\n      retry_backoff: 1s\n      env: {LEVEL: \"a b,c\", EMPTY: \"\"}\n";

fn exported(root: &Path) -> (Plan, soopervisor_core::backend::ExportTarget) {
    let root = root.join("proj");
    let mut plan = with_settings(diamond(&root), SETTINGS);
    // the jobs run the plain `ploomber task` command that the fake ploomber records
    plan.mode = Mode::Incremental;
    let t = target(&root);
    let e = export(&config("{\"sbatch_args\": [\"--time=5\"]}"), &plan, &t);
    write(&e, &t);
    (plan, t)
}

#[test]
fn settings_become_sbatch_options_before_the_sections_own() {
    let dir = tempfile::tempdir().unwrap();
    let (_, t) = exported(dir.path());
    let submit = std::fs::read_to_string(t.dir.join("submit.sh")).unwrap();
    let line_b = submit.lines().find(|l| l.starts_with("submit b ")).unwrap();
    for opt in [
        "--cpus-per-task=1",
        "--mem=1536M",
        "--gres=gpu:a100:2",
        "--time=0-01:30:00",
        "--partition=debug",
        "--qos=high",
    ] {
        assert!(line_b.contains(opt), "{opt} missing: {line_b}");
    }
    // the section's own sbatch_args come later, so sbatch lets them win
    assert!(line_b.find("--time=0-01:30:00") < line_b.find("--time=5"));
    let line_a = submit.lines().find(|l| l.starts_with("submit a ")).unwrap();
    assert!(
        !line_a.contains("--gres") && !line_a.contains("--qos"),
        "{line_a}"
    );
}

#[test]
fn the_rust_submission_passes_the_same_options() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, t) = exported(dir.path());
    let bin = dir.path().join("bin");
    let tools = Tools {
        sbatch: Some(fake_sbatch(&bin, 0)),
        ..Tools::default()
    };
    let cfg = config("{\"sbatch_args\": [\"--time=5\"]}");
    soopervisor_slurm::submit::submit(&cfg, &plan, &t, &tools).unwrap();
    let calls = sbatch_calls(&bin);
    assert!(
        calls[1].ends_with(&[
            "--output=hpc/logs/b-%j.out".to_string(),
            "--cpus-per-task=1".into(),
            "--mem=1536M".into(),
            "--gres=gpu:a100:2".into(),
            "--time=0-01:30:00".into(),
            "--partition=debug".into(),
            "--qos=high".into(),
            "--time=5".into(),
            "hpc/jobs/b.sh".into(),
        ]),
        "{:?}",
        calls[1]
    );
}

#[test]
fn a_task_that_fails_once_is_run_again_after_the_backoff_with_its_environment() {
    let dir = tempfile::tempdir().unwrap();
    let (_, t) = exported(dir.path());
    let bin = dir.path().join("bin");
    let runs = dir.path().join("runs");
    // fails the first time, succeeds the second; records the environment it saw
    fake(
        &bin,
        "ploomber",
        &format!(
            "echo \"$LEVEL|$EMPTY|$(date +%s)\" >> '{r}'\n[ $(wc -l < '{r}') -ge 2 ]\n",
            r = runs.display()
        ),
    );
    let job = t.dir.join("jobs/b.sh");
    let out = Command::new("bash")
        .arg(&job)
        .current_dir(dir.path().join("proj"))
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env_remove("SLURM_SUBMIT_DIR")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("failed (attempt 1 of 3); retrying in 1s"),
        "{err}"
    );
    let runs = std::fs::read_to_string(&runs).unwrap();
    let lines: Vec<&str> = runs.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l.starts_with("a b,c||")), "{runs}");
    let at = |l: &str| l.rsplit('|').next().unwrap().parse::<u64>().unwrap();
    assert!(at(lines[1]) > at(lines[0]), "no backoff: {runs}");
}

#[test]
fn a_task_that_keeps_failing_stops_after_its_retries() {
    let dir = tempfile::tempdir().unwrap();
    let (_, t) = exported(dir.path());
    let bin = dir.path().join("bin");
    let runs = dir.path().join("runs");
    fake(
        &bin,
        "ploomber",
        &format!("echo x >> '{}'; exit 3\n", runs.display()),
    );
    let out = Command::new("bash")
        .arg(t.dir.join("jobs/b.sh"))
        .current_dir(dir.path().join("proj"))
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(std::fs::read_to_string(&runs).unwrap().lines().count(), 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains("failed 3 time(s); giving up"));
}

#[test]
fn what_slurm_cannot_honour_is_refused_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    for (yaml, line, phrase) in [
        (
            "t:\n  defaults:\n    node_selector: {pool: gpu}\n",
            3,
            "not Kubernetes labels",
        ),
        ("t:\n  defaults:\n    labels: {team: x}\n", 3, "no labels"),
        (
            "t:\n  tasks:\n    b:\n      queue: fast\n",
            4,
            "partition: NAME",
        ),
        ("t:\n  defaults:\n    priority: 5\n", 3, "by QOS"),
        (
            "t:\n  defaults:\n    gpu: {count: 1, resource: nvidia.com/gpu}\n",
            3,
            "type",
        ),
        (
            "t:\n  defaults:\n    env: {TOKEN: {secret: api, key: token}}\n",
            3,
            "no secret store",
        ),
    ] {
        let plan = with_settings(diamond(dir.path()), yaml);
        let refused = config("{}").check(&plan);
        soopervisor_core::testing::assert_refused_at(refused, yaml, line, phrase);
    }
}
