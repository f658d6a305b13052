//! Production settings (`defaults:`/`tasks:` in soopervisor.yaml, issue 14) through the
//! binary: read for every backend by the CLI, errors at their line, and each backend
//! either mapping a setting into its spec or refusing it.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, fixtures, run, snapshot_tree};

/// A copy of the shell-tasks fixture (download_logs → split → count, archive) with
/// `soopervisor.yaml` set to `config`.
fn project(config: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("logs");
    copy_dir(&fixtures().join("shell-tasks"), &root);
    std::fs::write(root.join("soopervisor.yaml"), config).unwrap();
    (tmp, root)
}

/// Runs `export TARGET --output -` and returns (exit code, stdout, stderr).
fn export(root: &Path, target: &str) -> (i32, String, String) {
    let out = run(
        root,
        &["export", target, "--mode", "regular", "--output", "-"],
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A clean failure: exit 1, the phrase and the line in the error, nothing written.
fn fails_at(config: &str, target: &str, line: usize, phrase: &str) {
    let (_tmp, root) = project(config);
    let before = snapshot_tree(&root);
    let (code, out, err) = export(&root, target);
    assert_eq!(code, 1, "stderr:\n{err}");
    assert!(out.is_empty());
    assert!(
        err.contains(&format!("soopervisor.yaml:{line}: ")),
        "not at line {line}:\n{err}"
    );
    assert!(err.contains(phrase), "no '{phrase}' in:\n{err}");
    assert!(!err.contains("panicked"));
    assert_eq!(before, snapshot_tree(&root));
}

#[test]
fn unknown_keys_are_errors_at_their_line_naming_the_valid_ones() {
    for backend in ["argo", "slurm"] {
        let config = format!("t:\n  backend: {backend}\n  defaults:\n    cpu: 1\n    mem: 2Gi\n");
        fails_at(&config, "t", 5, "unknown setting 'mem'");
        let (_tmp, root) = project(&config);
        let (_, _, err) = export(&root, "t");
        assert!(
            err.contains("'memory'") && err.contains("'retry_backoff'"),
            "{err}"
        );
    }
}

#[test]
fn bad_units_are_errors_at_their_line() {
    fails_at(
        "t:\n  backend: argo\n  tasks:\n    count:\n      memory: 2GB\n",
        "t",
        5,
        "not a memory quantity",
    );
    fails_at(
        "t:\n  backend: slurm\n  defaults: {timeout: 1.5h}\n",
        "t",
        3,
        "not a duration",
    );
    fails_at(
        "t:\n  backend: argo\n  defaults:\n    cpu: 0.0001\n",
        "t",
        4,
        "millicores",
    );
}

#[test]
fn a_pattern_matching_no_task_is_an_error_listing_the_tasks() {
    let config = "t:\n  backend: argo\n  tasks:\n    split: {cpu: 1}\n    \"fit-*\": {cpu: 8}\n";
    fails_at(
        config,
        "t",
        5,
        "the pattern 'fit-*' in 'tasks' matches no task",
    );
    let (_tmp, root) = project(config);
    let (_, _, err) = export(&root, "t");
    assert!(err.contains("'download_logs'"), "{err}");
}

#[test]
fn other_commands_read_sections_with_settings() {
    // `status` and `add` deserialise sections too: the settings keys must not reach
    // the backend's own config type as unknown fields.
    let (_tmp, root) =
        project("t:\n  backend: slurm\n  defaults: {cpu: 1}\n  tasks:\n    split: {cpu: 2}\n");
    let out = run(&root, &["status", "t"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("unknown field"), "{err}");
}

#[test]
fn argo_maps_the_settings_through_the_binary() {
    let (_tmp, root) = project(
        "t:\n  backend: argo\n  pod_gc: OnPodSuccess\n  defaults: {cpu: 1, memory: 2Gi, retries: 2, timeout: 1h}\n  tasks:\n    count: {cpu: 8, memory: 32Gi, gpu: 1, timeout: 6h}\n    \"download*\": {retries: 5, retry_backoff: 30s, env: {TOKEN: {secret: api, key: token}}}\n",
    );
    let (code, out, err) = export(&root, "t");
    assert_eq!(code, 0, "{err}");
    let wf: serde_json::Value = serde_yaml::from_str(&out).unwrap();
    let templates = wf["spec"]["templates"].as_array().unwrap();
    // the DAG, then one template per distinct setting: download_logs, split+archive, count
    assert_eq!(templates.len(), 4, "{out}");
    let count = templates
        .iter()
        .find(|t| t["script"]["resources"]["limits"]["nvidia.com/gpu"] == "1")
        .unwrap();
    assert_eq!(count["activeDeadlineSeconds"], 21600);
    assert_eq!(count["script"]["resources"]["requests"]["memory"], "32Gi");
    assert_eq!(wf["spec"]["podGC"]["strategy"], "OnPodSuccess");
    assert!(out.contains("secretKeyRef"));
}

#[test]
fn credential_like_literals_are_warnings_naming_the_key_and_the_secret_form() {
    let (_tmp, root) = project(
        "t:\n  backend: argo\n  defaults:\n    env:\n      LOG_LEVEL: debug\n      AWS_SECRET_ACCESS_KEY: abc123xyz\n      KEY_ID: AKIAABCDEFGHIJKLMNOP\n      API_TOKEN: {secret: api, key: token}\n",
    );
    std::fs::write(root.join("env.yaml"), "db:\n  password: hunter2\n").unwrap();
    let (code, out, err) = export(&root, "t");
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("env 'AWS_SECRET_ACCESS_KEY' is a literal that looks like a credential"),
        "{err}"
    );
    assert!(
        err.contains(
            "AWS_SECRET_ACCESS_KEY: {secret: aws-secret-access-key, key: aws_secret_access_key}"
        ),
        "{err}"
    );
    assert!(
        err.contains("'KEY_ID'") && err.contains("AWS access key id"),
        "{err}"
    );
    assert!(!err.contains("LOG_LEVEL"), "{err}");
    assert!(
        !err.contains("'API_TOKEN'"),
        "a secret reference is not a finding: {err}"
    );
    assert!(
        err.contains("env.yaml:2: 'db.password' in the env file looks like a credential"),
        "{err}"
    );
    assert!(
        !err.contains("hunter2") && !err.contains("abc123xyz"),
        "values are never printed: {err}"
    );
    // the reference stays a reference: no value of the secret in the spec
    assert!(out.contains("secretKeyRef"));
}

#[test]
fn kind_flag_exports_templates_and_crons_for_argo_only() {
    let (_tmp, root) = project(
        "t:\n  backend: argo\n  schedule: \"0 3 * * *\"\n  kind: cron\ns:\n  backend: slurm\n",
    );
    let (code, out, err) = export(&root, "t");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\n"),
        "{out}"
    );
    let out = run(
        &root,
        &[
            "export", "t", "--mode", "regular", "--kind", "template", "--output", "-",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a schedule on a template is refused: {err}"
    );
    assert!(err.contains("schedule applies to CronWorkflows"), "{err}");
    let out = run(
        &root,
        &["export", "s", "--mode", "regular", "--kind", "cron"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--kind does not apply to the slurm backend"),
        "{err}"
    );
}
