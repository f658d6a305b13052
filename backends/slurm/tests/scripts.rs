//! Running the generated scripts: job scripts with a recording `ploomber`, `submit.sh`
//! and the Rust submission with a recording `sbatch`, and `status` with a fake `squeue`.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use soopervisor_core::backend::BackendConfig;
use soopervisor_core::plan::Mode;
use soopervisor_slurm::tools::Tools;

const NASTY: &str = "x$(touch MARKER)y'\"; echo pwned";

fn bash(script: &Path, cwd: &Path, path_prefix: &Path) -> std::process::Output {
    let path = format!(
        "{}:{}",
        path_prefix.display(),
        std::env::var("PATH").unwrap()
    );
    Command::new("bash")
        .arg(script)
        .current_dir(cwd)
        .env("PATH", path)
        .env_remove("SLURM_SUBMIT_DIR")
        .output()
        .unwrap()
}

#[test]
fn nasty_task_name_reaches_ploomber_exactly_and_injects_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    std::fs::create_dir_all(&root).unwrap();
    let bin = dir.path().join("bin");
    let argv = dir.path().join("ploomber.argv");
    fake(
        &bin,
        "ploomber",
        &format!("printf '%s\\0' \"$@\" > '{}'\n", argv.display()),
    );
    let plan = plan(&root, &[(NASTY, &[])], Mode::Force);
    let t = target(&root);
    let e = export(&config("{}"), &plan, &t);
    write(&e, &t);
    let job = t.dir.join(e.files[1].path());
    let text = std::fs::read_to_string(&job).unwrap();
    for line in text.lines().filter(|l| l.starts_with("#SBATCH")) {
        let (_, value) = line.split_once('=').unwrap();
        assert!(
            value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/%".contains(c)),
            "{line}"
        );
    }
    let out = bash(&job, &root, &bin);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("pwned"));
    for place in [&root, &t.dir, dir.path(), &t.dir.join("jobs")] {
        assert!(
            !place.join("MARKER").exists(),
            "MARKER created in {}",
            place.display()
        );
    }
    let got = std::fs::read_to_string(&argv).unwrap();
    let got: Vec<&str> = got.split_terminator('\0').collect();
    assert_eq!(
        got,
        ["task", NASTY, "--entry-point", "pipeline.yaml", "--force"]
    );
}

#[test]
fn submit_sh_submits_in_order_and_chains_dependencies() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    let bin = dir.path().join("bin");
    fake_sbatch(&bin, 0);
    let plan = diamond(&root);
    let t = target(&root);
    write(
        &export(&config(r#"{"sbatch_args": ["--time=5"]}"#), &plan, &t),
        &t,
    );
    // run from elsewhere: the script finds the project root by itself
    let out = bash(&t.dir.join("submit.sh"), dir.path(), &bin);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let calls = sbatch_calls(&bin);
    let expected = [
        vec![
            "--parsable",
            "--output=hpc/logs/a-%j.out",
            "--time=5",
            "hpc/jobs/a.sh",
        ],
        vec![
            "--parsable",
            "--dependency=afterok:101",
            "--kill-on-invalid-dep=yes",
            "--output=hpc/logs/b-%j.out",
            "--time=5",
            "hpc/jobs/b.sh",
        ],
        vec![
            "--parsable",
            "--dependency=afterok:101",
            "--kill-on-invalid-dep=yes",
            "--output=hpc/logs/c-%j.out",
            "--time=5",
            "hpc/jobs/c.sh",
        ],
        vec![
            "--parsable",
            "--dependency=afterok:102:103",
            "--kill-on-invalid-dep=yes",
            "--output=hpc/logs/d-%j.out",
            "--time=5",
            "hpc/jobs/d.sh",
        ],
    ];
    assert_eq!(calls, expected);
    assert!(root.join("hpc/logs").is_dir());
    let state = std::fs::read_to_string(t.dir.join(".soopervisor-slurm-jobs.tsv")).unwrap();
    assert_eq!(state, "a\t101\nb\t102\nc\t103\nd\t104\n");
    // nothing lands in the project root but the target folder
    let mut top: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    top.sort();
    assert_eq!(top, ["hpc"]);
}

#[test]
fn submit_sh_failing_halfway_says_how_to_cancel() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    let bin = dir.path().join("bin");
    fake_sbatch(&bin, 3);
    let plan = plan(
        &root,
        &[
            ("a", &[]),
            ("b c", &["a"]),
            ("it's", &["a"]),
            ("d", &["b c"]),
        ],
        Mode::Regular,
    );
    let t = target(&root);
    write(&export(&config("{}"), &plan, &t), &t);
    let out = bash(&t.dir.join("submit.sh"), &root, &bin);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sbatch failed (task it's)"), "{err}");
    assert!(err.contains("  a\t101\n  b c\t102\n"), "{err}");
    assert!(err.contains("scancel 101 102"), "{err}");
    let state = std::fs::read_to_string(t.dir.join(".soopervisor-slurm-jobs.tsv")).unwrap();
    assert_eq!(state, "a\t101\nb c\t102\n");
}

#[test]
fn rust_submit_matches_submit_sh() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    let bin = dir.path().join("bin");
    let tools = Tools {
        sbatch: Some(fake_sbatch(&bin, 0)),
        ..Tools::default()
    };
    let plan = diamond(&root);
    let t = target(&root);
    let cfg = config("{}");
    write(&export(&cfg, &plan, &t), &t);
    let report = soopervisor_slurm::submit::submit(&cfg, &plan, &t, &tools).unwrap();
    assert!(report.contains("submitted d as job 104"), "{report}");
    let calls = sbatch_calls(&bin);
    assert_eq!(calls.len(), 4);
    assert_eq!(
        calls[3][1..3],
        ["--dependency=afterok:102:103", "--kill-on-invalid-dep=yes"]
    );
    assert_eq!(
        calls[0],
        ["--parsable", "--output=hpc/logs/a-%j.out", "hpc/jobs/a.sh"]
    );
    let state = std::fs::read_to_string(t.dir.join(".soopervisor-slurm-jobs.tsv")).unwrap();
    assert_eq!(state, "a\t101\nb\t102\nc\t103\nd\t104\n");
}

#[test]
fn rust_submit_failing_halfway_lists_jobs_and_scancel() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    let bin = dir.path().join("bin");
    let tools = Tools {
        sbatch: Some(fake_sbatch(&bin, 4)),
        ..Tools::default()
    };
    let plan = diamond(&root);
    let t = target(&root);
    let cfg = config("{}");
    write(&export(&cfg, &plan, &t), &t);
    let err = soopervisor_slurm::submit::submit(&cfg, &plan, &t, &tools)
        .unwrap_err()
        .to_string();
    assert!(err.contains("submitting task 'd' failed"), "{err}");
    assert!(err.contains("Batch job submission failed"), "{err}");
    assert!(err.contains("scancel 101 102 103"), "{err}");
    let state = std::fs::read_to_string(t.dir.join(".soopervisor-slurm-jobs.tsv")).unwrap();
    assert_eq!(state, "a\t101\nb\t102\nc\t103\n");
}

#[test]
fn rust_submit_needs_sbatch() {
    let root = Path::new("/nonexistent/p");
    let err = soopervisor_slurm::submit::submit(
        &config("{}"),
        &diamond(root),
        &target(root),
        &Tools::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("`sbatch` was not found on PATH"), "{err}");
}

#[test]
fn status_table_from_squeue_and_sacct() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    let t = target(&root);
    std::fs::create_dir_all(&t.dir).unwrap();
    std::fs::write(
        t.dir.join(".soopervisor-slurm-jobs.tsv"),
        "a\t7\nb c\t8\nd\t9\n",
    )
    .unwrap();
    let bin = dir.path().join("bin");
    let squeue = fake(
        &bin,
        "squeue",
        "echo '7|COMPLETED|None'\necho '8|PENDING|Dependency'\n",
    );
    let sacct = fake(&bin, "sacct", "[[ $5 == 9 ]] && echo 'CANCELLED by 0'\n");
    let tools = Tools {
        sbatch: None,
        squeue: Some(squeue),
        sacct: Some(sacct),
    };
    let table = soopervisor_slurm::status::status(&t, &tools).unwrap();
    assert_eq!(
        table,
        "TASK  JOB-ID  STATE\na     7       COMPLETED\nb c   8       PENDING (Dependency)\nd     9       CANCELLED by 0\n"
    );
    let err = config("{}")
        .status(&soopervisor_core::backend::ExportTarget::new(dir.path()).with_name("hpc"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("no submitted SLURM jobs"), "{err}");
}
