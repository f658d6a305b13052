//! `soopervisor export --backend argo` on every fixture: the spec is written only where
//! announced, is byte-identical across runs and project locations, carries one DAG task
//! per Ploomber task with exactly the inferred dependencies, and is snapshotted for
//! review in every mode.

mod common;

use common::*;
use std::path::Path;

fn export(dir: &Path, extra: &[&str]) -> (String, std::process::Output) {
    let mut args = vec![
        "export",
        "--backend",
        "argo",
        "--storage",
        "nfs",
        "--output",
        "-",
    ];
    args.extend_from_slice(extra);
    let out = run(dir, &args);
    (String::from_utf8_lossy(&out.stdout).into_owned(), out)
}

fn copy_fixture(name: &str, parent: &Path) -> std::path::PathBuf {
    let dest = parent.join(name);
    copy_dir(&fixtures().join(name), &dest);
    dest
}

#[test]
fn exports_are_deterministic_wherever_the_project_sits() {
    for name in exportable_fixtures() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let deeper = b.path().join("some/deeper/place");
        std::fs::create_dir_all(&deeper).unwrap();
        let pa = copy_fixture(&name, a.path());
        let pb = copy_fixture(&name, &deeper);
        let extra = fixture_args(&name);
        let mut args: Vec<&str> = vec!["--mode", "force"];
        args.extend(extra.iter().map(String::as_str));
        let (sa, oa) = export(&pa, &args);
        assert!(
            oa.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&oa.stderr)
        );
        let (sa2, _) = export(&pa, &args);
        let (sb, _) = export(&pb, &args);
        assert_eq!(sa, sa2, "{name}: two runs differ");
        assert_eq!(sa, sb, "{name}: output depends on where the project sits");
    }
}

#[test]
fn export_writes_only_argo_yaml_and_never_touches_sources() {
    for name in exportable_fixtures() {
        let tmp = tempfile::tempdir().unwrap();
        let p = copy_fixture(&name, tmp.path());
        let before = snapshot_tree(&p);
        let mut args = vec!["export", "--mode", "force"];
        let extra = fixture_args(&name);
        args.extend(extra.iter().map(String::as_str));
        let out = run(&p, &args);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut after = snapshot_tree(&p);
        let written = after
            .keys()
            .filter(|k| !before.contains_key(*k))
            .cloned()
            .collect::<Vec<_>>();
        // The spec is written at the project root (the folder of pipeline.yaml or setup.py).
        assert_eq!(written.len(), 1, "{name}: wrote {written:?}");
        assert!(
            written[0].ends_with("argo.yaml"),
            "{name}: wrote {written:?}"
        );
        after.remove(&written[0]);
        assert_eq!(before, after, "{name}: a project file changed");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("argo submit"),
            "{name}: next steps missing:\n{stderr}"
        );
    }
}

/// Each DAG task's dependencies equal the inferred upstream (checked on JSON output).
#[test]
fn dependencies_equal_the_inferred_dag() {
    for name in exportable_fixtures() {
        let dir = fixtures().join(&name);
        let extra = fixture_args(&name);
        let mut inspect_args = vec!["inspect", "--format", "json"];
        inspect_args.extend(extra.iter().map(String::as_str));
        let dag: serde_json::Value =
            serde_json::from_slice(&run(&dir, &inspect_args).stdout).unwrap();
        let mut args = vec!["--mode", "force", "--format", "json"];
        args.extend(extra.iter().map(String::as_str));
        let (spec, out) = export(&dir, &args);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let spec: serde_json::Value = serde_json::from_str(&spec).unwrap();
        let deps = argo_dependencies(&spec);
        for (task, info) in dag["tasks"].as_object().unwrap() {
            let mut want: Vec<String> = info["upstream"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            want.sort();
            assert_eq!(deps.get(task), Some(&want), "{name}: task {task}");
        }
        assert_eq!(
            deps.len(),
            dag["tasks"].as_object().unwrap().len(),
            "{name}: task count"
        );
    }
}

/// Ploomber name → Ploomber names of its dependencies, read back from an Argo spec
/// (task_name parameters and `depends` expressions over Argo names), descending into
/// nested DAG templates.
fn argo_dependencies(spec: &serde_json::Value) -> std::collections::BTreeMap<String, Vec<String>> {
    let templates = spec["spec"]["templates"].as_array().unwrap();
    let mut out = std::collections::BTreeMap::new();
    for t in templates {
        let Some(tasks) = t["dag"]["tasks"].as_array() else {
            continue;
        };
        let mut argo_to_ploomber = std::collections::HashMap::new();
        for task in tasks {
            let params = task["arguments"]["parameters"].as_array();
            if let Some(p) = params.and_then(|ps| ps.iter().find(|p| p["name"] == "task_name")) {
                argo_to_ploomber.insert(
                    task["name"].as_str().unwrap().to_string(),
                    p["value"].as_str().unwrap().to_string(),
                );
            }
        }
        for task in tasks {
            let Some(ploomber) = argo_to_ploomber.get(task["name"].as_str().unwrap()) else {
                continue;
            };
            let depends = task["depends"].as_str().unwrap_or("");
            let mut ups: Vec<String> = depends
                .split("&&")
                .map(|s| s.trim().trim_end_matches(".Succeeded").trim())
                .filter(|s| !s.is_empty())
                .filter_map(|s| argo_to_ploomber.get(s).cloned())
                .collect();
            ups.sort();
            out.insert(ploomber.clone(), ups);
        }
    }
    out
}

#[test]
fn snapshots_of_every_mode() {
    for name in [
        "percent-scripts",
        "grid-wildcard",
        "fn-package",
        "packaged-layout",
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let p = copy_fixture(name, tmp.path());
        for mode in ["incremental", "regular", "force"] {
            let mut args = vec!["--mode", mode];
            let extra = fixture_args(name);
            args.extend(extra.iter().map(String::as_str));
            let (spec, out) = export(&p, &args);
            assert!(
                out.status.success(),
                "{name} {mode}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            insta::assert_snapshot!(format!("{name}-{mode}"), spec);
        }
    }
}

/// Fixtures Ploomber loads but that cannot run on a shared disk fail with a clear
/// error, and nothing is written.
#[test]
fn unexportable_fixtures_fail_clearly_and_write_nothing() {
    let mut checked = 0;
    for name in fixture_names(&fixtures()) {
        let Some(phrase) = export_error(&name) else {
            continue;
        };
        let tmp = tempfile::tempdir().unwrap();
        let p = copy_fixture(&name, tmp.path());
        let before = snapshot_tree(&p);
        let out = run(&p, &["export", "--mode", "force"]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&phrase), "{name}: {err}");
        assert_eq!(before, snapshot_tree(&p), "{name}: something was written");
        checked += 1;
    }
    assert!(checked >= 1);
}
