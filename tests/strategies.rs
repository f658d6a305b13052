//! End-to-end: strategies chosen with `--storage`, `--code`, `--env` or in
//! `soopervisor.yaml` (a name or a `{kind: ...}` mapping), refused combinations, and
//! `soopervisor upload --dry-run`, on copies of the demo project and a packaged
//! fixture turned into git repositories.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn git(root: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .current_dir(root)
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// A copy of `src` committed to a fresh repository with an `origin`.
fn repo_copy(src: &Path, parent: &Path, name: &str) -> PathBuf {
    let root = parent.join(name);
    copy_dir(src, &root);
    std::fs::write(root.join("requirements.txt"), "ploomber\n").unwrap();
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "init"]);
    git(
        &root,
        &[
            "remote",
            "add",
            "origin",
            "https://github.com/example/demo.git",
        ],
    );
    root
}

fn demo(parent: &Path) -> PathBuf {
    repo_copy(&repo().join("docs/examples/demo"), parent, "demo")
}

fn yaml(out: &std::process::Output) -> serde_yaml::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_yaml::from_slice(&out.stdout).unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn flags_pick_the_strategies_and_export_touches_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let root = demo(tmp.path());
    let before = snapshot_tree(&root);
    let out = run(
        &root,
        &[
            "export",
            "--storage",
            "fetch",
            "--code",
            "git",
            "--env",
            "pip",
            "--mode",
            "regular",
            "--output",
            "-",
        ],
    );
    let wf = yaml(&out);
    assert_eq!(before, snapshot_tree(&root), "export modified the project");
    let templates = wf["spec"]["templates"].as_sequence().unwrap();
    let tasks = wf["spec"]["templates"][0]["dag"]["tasks"]
        .as_sequence()
        .unwrap();
    assert_eq!(templates.len(), tasks.len() + 1, "one template per task");
    let head = String::from_utf8(
        Command::new("git")
            .args(["rev-parse", "HEAD"])
            .current_dir(&root)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let code = &templates[1]["inputs"]["artifacts"][0];
    assert_eq!(code["git"]["revision"].as_str().unwrap(), head.trim());
    assert_eq!(code["git"]["repo"], "https://github.com/example/demo.git");
    assert_eq!(templates[1]["script"]["image"], "python:3.12-slim");
    assert!(wf["spec"].get("volumes").is_none());
    assert!(stderr(&out).contains("push it before submitting"));
}

#[test]
fn sections_take_names_or_mappings_and_flags_keep_matching_settings() {
    let tmp = tempfile::tempdir().unwrap();
    let root = demo(tmp.path());
    std::fs::write(
        root.join("soopervisor.yaml"),
        "prod:\n  backend: argo-workflows\n  storage: {kind: fetch, repository: team-artifacts}\n  code: git\n  env: {kind: image, image: registry.example.com/env:1}\n",
    )
    .unwrap();
    let args = ["export", "prod", "--mode", "regular", "--output", "-"];
    let wf = yaml(&run(&root, &args));
    assert_eq!(
        wf["spec"]["artifactRepositoryRef"]["configMap"],
        "team-artifacts"
    );
    assert_eq!(
        wf["spec"]["templates"][1]["script"]["image"],
        "registry.example.com/env:1"
    );
    // naming the configured storage keeps its settings
    let mut with_flag = args.to_vec();
    with_flag.extend(["--storage", "fetch"]);
    let wf = yaml(&run(&root, &with_flag));
    assert_eq!(
        wf["spec"]["artifactRepositoryRef"]["configMap"],
        "team-artifacts"
    );
    // another one replaces them
    let mut nfs = args.to_vec();
    nfs.extend(["--storage", "nfs", "--code", "shared-disk"]);
    let wf = yaml(&run(&root, &nfs));
    assert!(wf["spec"].get("artifactRepositoryRef").is_none());
    assert_eq!(
        wf["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"],
        "nfs"
    );
}

#[test]
fn unknown_strategy_keys_and_names_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let root = demo(tmp.path());
    std::fs::write(
        root.join("soopervisor.yaml"),
        "a:\n  backend: argo\n  storage: {kind: fetch, bucket: data}\n",
    )
    .unwrap();
    let out = run(&root, &["export", "a", "--output", "-"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("bucket"), "{}", stderr(&out));
    let out = run(&root, &["export", "--code", "svn", "--output", "-"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("unknown code strategy 'svn'") && err.contains("shared-disk"),
        "{err}"
    );
}

#[test]
fn refused_combination_names_the_conflict_and_an_alternative() {
    let tmp = tempfile::tempdir().unwrap();
    let root = demo(tmp.path());
    let out = run(&root, &["export", "--storage", "fetch", "--output", "-"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("--storage fetch --code shared-disk --env conda cannot be combined"),
        "{err}"
    );
    assert!(err.contains("--storage fetch --code git"), "{err}");
    assert!(!root.join("argo.yaml").exists());
}

#[test]
fn upload_dry_run_copies_only_what_the_project_needs() {
    let tmp = tempfile::tempdir().unwrap();
    let root = demo(tmp.path());
    std::fs::write(root.join("notes.txt"), "untracked\n").unwrap();
    std::fs::create_dir_all(root.join("products/raw")).unwrap();
    std::fs::write(root.join("products/raw/beans.csv"), "a,b\n").unwrap();
    let before = snapshot_tree(&root);
    let out = run(&root, &["upload", "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("kubectl get pods -l role=nfs-server"),
        "{text}"
    );
    assert!(
        text.contains("pipeline.yaml") && text.contains("environment.yml"),
        "{text}"
    );
    assert!(!text.contains("notes.txt"), "untracked file copied: {text}");
    assert!(!text.contains("beans.csv"), "product copied: {text}");
    assert!(
        text.contains("kubectl cp soopervisor-upload.tar.gz"),
        "{text}"
    );
    assert!(
        text.contains("mkdir -p /exports/demo && tar -xzf"),
        "{text}"
    );
    assert_eq!(before, snapshot_tree(&root));
}

#[test]
fn upload_dry_run_builds_and_uploads_the_stamped_package() {
    let tmp = tempfile::tempdir().unwrap();
    let root = repo_copy(&fixtures().join("packaged-layout"), tmp.path(), "pk");
    std::fs::write(
        root.join("soopervisor.yaml"),
        "t:\n  backend: argo\n  code: {kind: package, index_url: 'https://pypi.example.com/simple', upload_url: 'https://pypi.example.com/'}\n",
    )
    .unwrap();
    let out = run(&root, &["upload", "t", "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("python -m build --sdist"), "{text}");
    assert!(
        text.contains("twine upload --repository-url https://pypi.example.com/ dist/*.tar.gz"),
        "{text}"
    );
    // the export pins the same version the upload builds
    let version = text
        .split("SETUPTOOLS_SCM_PRETEND_VERSION=")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap()
        .to_string();
    assert!(version.starts_with("0.0.0+"), "{version}");
    let wf = yaml(&run(
        &root,
        &["export", "t", "--mode", "regular", "--output", "-"],
    ));
    let src = wf["spec"]["templates"][1]["script"]["source"]
        .as_str()
        .unwrap();
    assert!(src.contains(&format!("=={version}")), "{src}");
}
