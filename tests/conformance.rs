//! Conformance: `soopervisor inspect --format json` on every fixture project equals the
//! DAG Ploomber 0.23.3 itself infers (recorded in tests/expected/<fixture>.json by
//! tests/oracle/regenerate.sh), task for task: names, classes, sources, upstream sets,
//! products and params. Inspecting never modifies the project.

mod common;

use common::*;

fn check(name: &str, dir: &std::path::Path) {
    let before = snapshot_tree(dir);
    let mut args = vec!["inspect", "--format", "json", "-C"];
    let dir_s = dir.to_str().unwrap().to_string();
    args.push(&dir_s);
    let extra = fixture_args(name);
    args.extend(extra.iter().map(String::as_str));
    let out = run(&repo(), &args);
    assert!(
        out.status.success(),
        "{name}: inspect failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(expected().join(format!("{name}.json"))).unwrap(),
    )
    .unwrap();
    let (got, want) = (&got["tasks"], &want["tasks"]);
    let mut diffs = Vec::new();
    let names: std::collections::BTreeSet<&String> = got
        .as_object()
        .unwrap()
        .keys()
        .chain(want.as_object().unwrap().keys())
        .collect();
    for t in names {
        if got.get(t) != want.get(t) {
            diffs.push(format!(
                "task {t}:\n  ours:     {}\n  ploomber: {}",
                got.get(t).map_or("-".into(), |v| v.to_string()),
                want.get(t).map_or("-".into(), |v| v.to_string())
            ));
        }
    }
    assert!(
        diffs.is_empty(),
        "{name}: the DAG differs from Ploomber's\n{}",
        diffs.join("\n")
    );
    assert_eq!(
        before,
        snapshot_tree(dir),
        "{name}: inspect modified the project"
    );
}

#[test]
fn every_fixture_matches_ploomber() {
    let mut checked = 0;
    for name in fixture_names(&fixtures()) {
        if expected().join(format!("{name}.json")).is_file() {
            check(&name, &fixtures().join(&name));
            checked += 1;
        }
    }
    assert!(
        checked >= 12,
        "expected at least 12 fixtures with oracle answers, found {checked}"
    );
}

#[test]
fn demo_project_matches_ploomber() {
    let (_tmp, demo) = demo_copy();
    check("demo", &demo);
}

/// The human-readable tree of `inspect`, reviewed as a snapshot.
#[test]
fn inspect_text_snapshot_of_the_demo() {
    let (_tmp, demo) = demo_copy();
    let out = run(&demo, &["inspect"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!("demo-inspect-text", String::from_utf8_lossy(&out.stdout));
}
