//! `soopervisor export` of a pipeline split into several Argo Workflows
//! (`max_tasks_per_workflow`): the parent `argo.yaml` and the parts in
//! `argo-templates.yaml` are written together (also under `--output`, the templates
//! named after the output file), snapshotted, deterministic, with the next steps in
//! the order they must run; below the threshold nothing changes.

mod common;

use common::*;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A copy of `fixture` with a target `split` (max tasks per workflow `max`).
fn project(fixture: &str, parent: &Path, max: i64) -> PathBuf {
    let dest = parent.join(fixture);
    copy_dir(&fixtures().join(fixture), &dest);
    std::fs::write(
        dest.join("soopervisor.yaml"),
        format!("split:\n  backend: argo\n  storage: nfs\n  max_tasks_per_workflow: {max}\n"),
    )
    .unwrap();
    dest
}

fn ok(out: &std::process::Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{err}");
    err
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn docs(text: &str) -> Vec<serde_json::Value> {
    serde_yaml::Deserializer::from_str(text)
        .map(|d| serde_json::Value::deserialize(d).unwrap())
        .collect()
}

/// The Ploomber task names a part runs.
fn part_tasks(part: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for t in part["spec"]["templates"].as_array().unwrap() {
        for task in t["dag"]["tasks"].as_array().into_iter().flatten() {
            if task["template"] == "run-task" {
                out.push(
                    task["arguments"]["parameters"][0]["value"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                );
            }
        }
    }
    out
}

#[test]
fn a_small_split_is_snapshotted_with_its_next_steps() {
    let tmp = tempfile::tempdir().unwrap();
    let p = project("grid-wildcard", tmp.path(), 3);
    let err = ok(&run(&p, &["export", "split", "--mode", "force"]));
    let parent = read(&p.join("split/argo.yaml"));
    let templates = read(&p.join("split/argo-templates.yaml"));
    insta::assert_snapshot!("grid-wildcard-split-parent", parent);
    insta::assert_snapshot!("grid-wildcard-split-templates", templates);
    // every task exactly once, in parts of at most 3
    let parts = docs(&templates);
    assert_eq!(parts.len(), 4);
    let mut all = Vec::new();
    for part in &parts {
        assert_eq!(part["kind"], "WorkflowTemplate");
        let ts = part_tasks(part);
        assert!(!ts.is_empty() && ts.len() <= 3);
        all.extend(ts);
    }
    let distinct: BTreeSet<&String> = all.iter().collect();
    assert_eq!((all.len(), distinct.len()), (10, 10));
    // the templates are applied before the parent is submitted
    let apply = err
        .find("kubectl apply --server-side -n argo -f split/argo-templates.yaml")
        .unwrap_or_else(|| panic!("{err}"));
    let submit = err
        .find("argo submit -n argo split/argo.yaml")
        .unwrap_or_else(|| panic!("{err}"));
    assert!(apply < submit, "{err}");
    assert!(err.contains("Wrote split/argo-templates.yaml"), "{err}");
}

#[test]
fn split_exports_are_deterministic_wherever_the_project_sits() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let deeper = b.path().join("some/deeper/place");
    std::fs::create_dir_all(&deeper).unwrap();
    let pa = project("percent-scripts", a.path(), 2);
    let pb = project("percent-scripts", &deeper, 2);
    for format in ["yaml", "json"] {
        let args = ["export", "split", "--mode", "force", "--format", format];
        ok(&run(&pa, &args));
        let first = (
            read(&pa.join(format!("split/argo.{format}"))),
            read(&pa.join(format!("split/argo-templates.{format}"))),
        );
        ok(&run(&pa, &args));
        ok(&run(&pb, &args));
        for p in [&pa, &pb] {
            let again = (
                read(&p.join(format!("split/argo.{format}"))),
                read(&p.join(format!("split/argo-templates.{format}"))),
            );
            assert_eq!(first, again, "{format}");
        }
    }
}

#[test]
fn below_the_threshold_the_export_is_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let p = project("grid-wildcard", tmp.path(), 10);
    ok(&run(&p, &["export", "split", "--mode", "force"]));
    assert!(!p.join("split/argo-templates.yaml").exists());
    let plain = run(
        &p,
        &[
            "export",
            "--backend",
            "argo",
            "--storage",
            "nfs",
            "--mode",
            "force",
            "--output",
            "-",
        ],
    );
    ok(&plain);
    assert_eq!(
        read(&p.join("split/argo.yaml")).as_bytes(),
        &plain.stdout[..]
    );
}

#[test]
fn output_puts_the_templates_next_to_the_named_file() {
    let tmp = tempfile::tempdir().unwrap();
    let p = project("grid-wildcard", tmp.path(), 3);
    ok(&run(&p, &["export", "split", "--mode", "force"]));
    let default = (
        read(&p.join("split/argo.yaml")),
        read(&p.join("split/argo-templates.yaml")),
    );
    std::fs::remove_dir_all(p.join("split")).unwrap();
    std::fs::create_dir_all(p.join("out")).unwrap();
    for _ in 0..2 {
        // twice: an earlier export is replaced
        let err = ok(&run(
            &p,
            &[
                "export",
                "split",
                "--mode",
                "force",
                "--output",
                "out/x.yaml",
            ],
        ));
        assert_eq!(
            (
                read(&p.join("out/x.yaml")),
                read(&p.join("out/x-templates.yaml"))
            ),
            default
        );
        assert!(
            err.contains("kubectl apply --server-side -n argo -f out/x-templates.yaml")
                && err.contains("argo submit -n argo out/x.yaml"),
            "{err}"
        );
    }
    assert!(!p.join("split").exists(), "nothing in the target folder");
    // JSON: the templates are a Kubernetes List
    ok(&run(
        &p,
        &[
            "export",
            "split",
            "--mode",
            "force",
            "--format",
            "json",
            "--output",
            "out/y.json",
        ],
    ));
    let list: serde_json::Value =
        serde_json::from_str(&read(&p.join("out/y-templates.json"))).unwrap();
    assert_eq!(
        (&list["apiVersion"], &list["kind"]),
        (&"v1".into(), &"List".into())
    );
    assert_eq!(list["items"].as_array().unwrap().len(), 4);
}

#[test]
fn output_dash_is_refused_for_a_split_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let p = project("grid-wildcard", tmp.path(), 3);
    let before = snapshot_tree(&p);
    let out = run(&p, &["export", "split", "--mode", "force", "--output", "-"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--output - prints one file") && err.contains("--output FILE"),
        "{err}"
    );
    assert_eq!(before, snapshot_tree(&p));
}

#[test]
fn output_never_replaces_a_foreign_file_beside_it() {
    let tmp = tempfile::tempdir().unwrap();
    let p = project("grid-wildcard", tmp.path(), 3);
    std::fs::write(p.join("x-templates.yaml"), "mine\n").unwrap();
    let out = run(
        &p,
        &["export", "split", "--mode", "force", "--output", "x.yaml"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("which soopervisor did not write"), "{err}");
    assert!(!p.join("x.yaml").exists(), "nothing was written");
    assert_eq!(read(&p.join("x-templates.yaml")), "mine\n");
}
