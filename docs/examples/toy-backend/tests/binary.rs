//! The `soopervisor-toy` binary, run as a user would: the toy backend is listed next
//! to the bundled ones, exports a fixture project through the unchanged CLI (with and
//! without a `soopervisor.yaml` section), and its section refuses unknown keys. The
//! plain `soopervisor` binary, which does not link this crate, knows nothing of it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn toy_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_soopervisor-toy"))
}

/// The workspace root (this crate is `docs/examples/toy-backend`).
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

fn run(bin: &Path, cwd: &Path, args: &[&str]) -> Output {
    Command::new(bin)
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_LOG")
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", bin.display()))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

/// A copy of the `shell-tasks` fixture (download_logs -> split -> {count, archive}).
fn fixture() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("logs-project");
    copy_dir(&repo().join("tests/fixtures/shell-tasks"), &p);
    (tmp, p)
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const SHELL_TASKS_PLAN: &str = "\
# soopervisor toy plan: 4 task(s) in run order (incremental mode, entry point pipeline.yaml)
1. download_logs  after: -  run: ploomber task download_logs --entry-point pipeline.yaml
2. split  after: download_logs  run: ploomber task split --entry-point pipeline.yaml
3. count  after: split  run: ploomber task count --entry-point pipeline.yaml
4. archive  after: split  run: ploomber task archive --entry-point pipeline.yaml
";

#[test]
fn backends_lists_toy_next_to_the_bundled_ones() {
    let out = run(&toy_bin(), &repo(), &["backends"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let names: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names, ["argo", "slurm", "toy"], "{stdout}");
    let toy = stdout.lines().find(|l| l.starts_with("toy ")).unwrap();
    assert!(
        toy.contains("Toy example") && toy.contains("(also: toy-plan)"),
        "{toy}"
    );
}

#[test]
fn export_backend_toy_writes_the_plan_at_the_project_root() {
    let (_tmp, p) = fixture();
    let before = listing(&p);
    let out = run(
        &toy_bin(),
        &p,
        &["export", "--backend", "toy", "--mode", "incremental"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let plan = std::fs::read_to_string(p.join("toy-plan.txt")).unwrap();
    assert_eq!(plan, SHELL_TASKS_PLAN);
    // default_folder "" puts the single file at the root, and nothing else is written.
    let mut expected = before;
    expected.push("toy-plan.txt".into());
    expected.sort();
    assert_eq!(listing(&p), expected);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("Wrote toy-plan.txt") && stderr.contains("cat toy-plan.txt"),
        "{stderr}"
    );
    // The alias resolves through the registry, `--output -` prints the one file.
    let out = run(
        &toy_bin(),
        &p,
        &[
            "export",
            "-b",
            "toy-plan",
            "-m",
            "incremental",
            "--output",
            "-",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), SHELL_TASKS_PLAN);
}

/// `index: true` declares `toy-index.json` a companion of the plan file: it follows
/// `--output FILE` under the declared suffix (its name shares neither stem nor
/// extension with the plan file, so nothing but the declaration can say so), and
/// `--output -` is refused because there are two files. Nothing is written on refusal.
#[test]
fn the_declared_companion_follows_output() {
    let (_tmp, p) = fixture();
    std::fs::write(
        p.join("soopervisor.yaml"),
        "plan:\n  backend: toy\n  index: true\n",
    )
    .unwrap();
    let out = run(&toy_bin(), &p, &["export", "plan", "-m", "incremental"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(listing(&p.join("plan")), ["toy-index.json", "toy-plan.txt"]);
    let index = std::fs::read_to_string(p.join("plan/toy-index.json")).unwrap();

    std::fs::create_dir(p.join("out")).unwrap();
    let out = run(
        &toy_bin(),
        &p,
        &[
            "export",
            "plan",
            "-m",
            "incremental",
            "--output",
            "out/p.txt",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(listing(&p.join("out")), ["p-index.json", "p.txt"]);
    assert_eq!(
        std::fs::read_to_string(p.join("out/p.txt")).unwrap(),
        SHELL_TASKS_PLAN
    );
    assert_eq!(
        std::fs::read_to_string(p.join("out/p-index.json")).unwrap(),
        index
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("p-index.json"), "{stderr}");

    let before = listing(&p);
    let out = run(
        &toy_bin(),
        &p,
        &["export", "plan", "-m", "regular", "--output", "-"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(
        err.contains("--output - prints one file") && err.contains("toy-index.json"),
        "{err}"
    );
    assert_eq!(listing(&p), before);
}

#[test]
fn add_then_export_a_named_target_with_settings() {
    let (_tmp, p) = fixture();
    let out = run(&toy_bin(), &p, &["add", "plan", "--backend", "toy"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let yaml = std::fs::read_to_string(p.join("soopervisor.yaml")).unwrap();
    assert_eq!(yaml, "plan:\n  backend: toy\n  format: text\n");

    std::fs::write(
        p.join("soopervisor.yaml"),
        "plan:\n  backend: toy\n  format: json\n  prefix: [nice, -n, '10']\n",
    )
    .unwrap();
    let out = run(&toy_bin(), &p, &["export", "plan", "--mode", "force"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !p.join("toy-plan.json").exists(),
        "a named target writes into its folder"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.join("plan/toy-plan.json")).unwrap())
            .unwrap();
    assert_eq!(doc["mode"], "force");
    let steps = doc["steps"].as_array().unwrap();
    let tasks: Vec<&str> = steps.iter().map(|s| s["task"].as_str().unwrap()).collect();
    assert_eq!(tasks, ["download_logs", "split", "count", "archive"]);
    assert_eq!(steps[2]["after"], serde_json::json!(["split"]));
    assert_eq!(
        steps[2]["command"],
        serde_json::json!([
            "nice",
            "-n",
            "10",
            "ploomber",
            "task",
            "count",
            "--entry-point",
            "pipeline.yaml",
            "--force"
        ])
    );
    assert!(text(&out.stderr).contains("cat plan/toy-plan.json"));

    // The toy backend keeps the trait's default `submit`: refused, with a reason.
    let out = run(
        &toy_bin(),
        &p,
        &["export", "plan", "--mode", "force", "--submit"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cannot submit"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn unknown_keys_and_bad_values_are_refused_naming_them() {
    let (_tmp, p) = fixture();
    std::fs::write(
        p.join("soopervisor.yaml"),
        "plan:\n  backend: toy\n  colour: red\n",
    )
    .unwrap();
    let before = listing(&p);
    let out = run(&toy_bin(), &p, &["export", "plan"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("error: ") && err.contains("soopervisor.yaml"),
        "{err}"
    );
    assert!(
        err.contains("toy backend") && err.contains("colour") && err.contains("prefix"),
        "{err}"
    );
    assert_eq!(listing(&p), before, "nothing is written on an error");

    // A command-line flag goes through the same path: --storage is a key this
    // backend does not have.
    let out = run(
        &toy_bin(),
        &p,
        &["export", "--backend", "toy", "--storage", "nfs"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("storage"),
        "{}",
        text(&out.stderr)
    );

    // A value serde cannot refuse is refused by check() as a UserError with a hint.
    std::fs::write(
        p.join("soopervisor.yaml"),
        "plan:\n  backend: toy\n  prefix: [srun, '']\n",
    )
    .unwrap();
    let out = run(&toy_bin(), &p, &["export", "plan"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("empty word (position 2)") && err.contains("help: "),
        "{err}"
    );
    assert!(!p.join("plan").exists());
}

/// The plain `soopervisor` binary of the repository: `SOOPERVISOR_PLAIN_BIN` when set
/// (CI passes the one it built), else built here from the repository's workspace into
/// a target folder of its own beside this crate's (this crate is not a member of that
/// workspace, so its build never produces that binary).
fn plain_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("SOOPERVISOR_PLAIN_BIN") {
        return PathBuf::from(bin);
    }
    let toy = toy_bin();
    let profile_dir = toy.parent().unwrap();
    let target_dir = profile_dir.parent().unwrap().join("plain-soopervisor");
    let release = profile_dir.file_name().is_some_and(|n| n == "release");
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args([
        "build",
        "-q",
        "-p",
        "soopervisor-cli",
        "--bin",
        "soopervisor",
    ])
    .arg("--manifest-path")
    .arg(repo().join("Cargo.toml"))
    .arg("--target-dir")
    .arg(&target_dir);
    if release {
        cmd.arg("--release");
    }
    let status = cmd.status().expect("running cargo");
    assert!(status.success(), "building the soopervisor binary failed");
    target_dir
        .join(if release { "release" } else { "debug" })
        .join(format!("soopervisor{}", std::env::consts::EXE_SUFFIX))
}

#[test]
fn the_plain_soopervisor_binary_does_not_know_toy() {
    let plain = plain_bin();
    let out = run(&plain, &repo(), &["backends"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.lines().any(|l| l.starts_with("argo ")), "{stdout}");
    assert!(!stdout.lines().any(|l| l.starts_with("toy ")), "{stdout}");

    let (_tmp, p) = fixture();
    let out = run(&plain, &p, &["export", "--backend", "toy"]);
    // an unknown --backend is wrong usage (exit 2), reported before the project is read
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "invalid value 'toy' for '--backend <BACKEND>': not a backend this binary knows"
        ),
        "{err}"
    );
    assert!(!p.join("toy-plan.txt").exists());
}
