//! The command line itself: usage errors exit 2, failures exit 1 with nothing written,
//! the registry drives `backends`, and `add` + `export TARGET` round-trip through
//! soopervisor.yaml.

mod common;

use common::*;

#[test]
fn backends_lists_every_linked_backend() {
    let out = run(&repo(), &["backends"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().any(|l| l.starts_with("argo ") && l.contains("argo-workflows")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("slurm ")), "{text}");
}

#[test]
fn wrong_usage_exits_2() {
    assert_eq!(run(&repo(), &["export", "--mode", "sometimes"]).status.code(), Some(2));
    assert_eq!(run(&repo(), &["frobnicate"]).status.code(), Some(2));
}

#[test]
fn missing_project_exits_1_with_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: ") && err.contains("--entry-point"), "{err}");
}

#[test]
fn unknown_backend_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("p");
    copy_dir(&fixtures().join("percent-scripts"), &p);
    let out = run(&p, &["export", "--backend", "kubernetes-nope"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("kubernetes-nope") && err.contains("argo"), "{err}");
    assert!(!p.join("argo.yaml").exists());
}

#[test]
fn add_then_export_a_target() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("p");
    copy_dir(&fixtures().join("percent-scripts"), &p);
    let out = run(&p, &["add", "training", "--backend", "argo-workflows"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let config = std::fs::read_to_string(p.join("soopervisor.yaml")).unwrap();
    assert!(config.contains("training:") && config.contains("backend: argo"), "{config}");
    // Adding twice is refused.
    let again = run(&p, &["add", "training", "--backend", "argo"]);
    assert_eq!(again.status.code(), Some(1));
    let out = run(&p, &["export", "training", "--mode", "force"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(p.join("training/argo.yaml").is_file());
    assert!(!p.join("argo.yaml").exists());
}

#[test]
fn unknown_key_in_a_section_is_an_error_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("p");
    copy_dir(&fixtures().join("percent-scripts"), &p);
    std::fs::write(p.join("soopervisor.yaml"), "prod:\n  backend: argo-workflows\n  colour: blue\n").unwrap();
    let out = run(&p, &["export", "prod"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("colour") && err.contains("soopervisor.yaml"), "{err}");
    assert!(!p.join("prod").exists());
    let missing = run(&p, &["export", "staging"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("'prod'"));
}

#[test]
fn json_format_is_valid_json() {
    let out = run(&fixtures().join("percent-scripts"), &["export", "--format", "json", "--output", "-", "--mode", "force"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "Workflow");
}

#[test]
fn inspect_text_is_a_readable_tree() {
    let out = run(&fixtures().join("percent-scripts"), &["inspect"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("in run order") && text.contains("source") && text.contains("product"), "{text}");
}
