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
    assert!(
        text.lines()
            .any(|l| l.starts_with("argo ") && l.contains("argo-workflows")),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("slurm ")), "{text}");
}

#[test]
fn wrong_usage_exits_2() {
    assert_eq!(
        run(&repo(), &["export", "--mode", "sometimes"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(&repo(), &["frobnicate"]).status.code(), Some(2));
}

#[test]
fn missing_project_exits_1_with_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error") && err.contains("--entry-point"),
        "{err}"
    );
}

#[test]
fn unknown_backend_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("p");
    copy_dir(&fixtures().join("percent-scripts"), &p);
    let out = run(&p, &["export", "--backend", "kubernetes-nope"]);
    // a usage error (issue 13): the value is checked with the arguments
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("kubernetes-nope") && err.contains("argo"),
        "{err}"
    );
    assert!(!p.join("argo.yaml").exists());
}

#[test]
fn add_then_export_a_target() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("p");
    copy_dir(&fixtures().join("percent-scripts"), &p);
    let out = run(&p, &["add", "training", "--backend", "argo-workflows"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = std::fs::read_to_string(p.join("soopervisor.yaml")).unwrap();
    assert!(
        config.contains("training:") && config.contains("backend: argo"),
        "{config}"
    );
    // Adding twice is refused.
    let again = run(&p, &["add", "training", "--backend", "argo"]);
    assert_eq!(again.status.code(), Some(1));
    let out = run(&p, &["export", "training", "--mode", "force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(p.join("training/argo.yaml").is_file());
    assert!(!p.join("argo.yaml").exists());
}

#[test]
fn unknown_key_in_a_section_is_an_error_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("p");
    copy_dir(&fixtures().join("percent-scripts"), &p);
    std::fs::write(
        p.join("soopervisor.yaml"),
        "prod:\n  backend: argo-workflows\n  colour: blue\n",
    )
    .unwrap();
    let out = run(&p, &["export", "prod"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("colour") && err.contains("soopervisor.yaml"),
        "{err}"
    );
    assert!(!p.join("prod").exists());
    let missing = run(&p, &["export", "staging"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("'prod'"));
}

#[test]
fn json_format_is_valid_json() {
    let out = run(
        &fixtures().join("percent-scripts"),
        &[
            "export", "--format", "json", "--output", "-", "--mode", "force",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "Workflow");
}

#[test]
fn inspect_text_is_a_readable_tree() {
    let out = run(&fixtures().join("percent-scripts"), &["inspect"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("in run order") && text.contains("source") && text.contains("product"),
        "{text}"
    );
}

/// Writes each product and a `.metadata` file beside it, as `ploomber build` would.
fn simulate_build(project: &std::path::Path) -> serde_json::Value {
    let dag: serde_json::Value =
        serde_json::from_slice(&run(project, &["inspect", "--format", "json"]).stdout).unwrap();
    for (_, t) in dag["tasks"].as_object().unwrap() {
        let products: Vec<String> = match &t["product"] {
            serde_json::Value::String(s) => vec![s.clone()],
            serde_json::Value::Object(m) => m
                .values()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => vec![],
        };
        for p in products {
            let path = project.join(&p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "x").unwrap();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            let meta = serde_json::json!({"timestamp": 1000.0, "stored_source_code": "", "params": t["params"]});
            std::fs::write(
                path.with_file_name(format!(".{name}.metadata")),
                meta.to_string(),
            )
            .unwrap();
        }
    }
    dag
}

#[test]
fn incremental_exports_only_outdated_tasks_and_their_downstream() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("p");
    copy_dir(&fixtures().join("percent-scripts"), &p);
    let dag = simulate_build(&p);

    let out = run(&p, &["export"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--mode force"));
    assert!(
        !p.join("argo.yaml").exists(),
        "nothing to export must write nothing"
    );

    // Remove the product of a task that others depend on.
    let tasks = dag["tasks"].as_object().unwrap();
    let (victim, info) = tasks
        .iter()
        .find(|(name, t)| {
            !t["upstream"].as_array().unwrap().is_empty()
                && tasks
                    .values()
                    .any(|t| t["upstream"].as_array().unwrap().iter().any(|u| u == *name))
        })
        .expect("a task with downstream tasks");
    let product = match &info["product"] {
        serde_json::Value::String(s) => s.clone(),
        other => other
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .as_str()
            .unwrap()
            .to_string(),
    };
    std::fs::remove_file(p.join(product)).unwrap();
    let out = run(&p, &["export", "--format", "json", "--output", "-"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let spec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = spec.to_string();
    assert!(
        text.contains(&format!("\"value\":\"{victim}\"")),
        "{victim} must be exported: {text}"
    );
    // Every exported task is the victim or downstream of it.
    let exported: Vec<String> = spec["spec"]["templates"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["dag"]["tasks"].as_array())
        .flatten()
        .filter_map(|t| t["arguments"]["parameters"].as_array())
        .flatten()
        .filter(|p| p["name"] == "task_name")
        .map(|p| p["value"].as_str().unwrap().to_string())
        .collect();
    assert!(
        exported.len() < tasks.len(),
        "only part of the pipeline: {exported:?}"
    );
    for name in &exported {
        let ups = tasks[name]["upstream"].as_array().unwrap();
        assert!(
            name == victim
                || ups
                    .iter()
                    .any(|u| exported.contains(&u.as_str().unwrap().to_string())),
            "{name} should not be exported"
        );
    }
}

#[test]
fn single_task_and_force_mode() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("p");
    copy_dir(&fixtures().join("percent-scripts"), &p);
    simulate_build(&p);
    let dag: serde_json::Value =
        serde_json::from_slice(&run(&p, &["inspect", "--format", "json"]).stdout).unwrap();
    let name = dag["tasks"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    // Up to date in incremental mode: refused with the fix.
    let out = run(&p, &["export", "--task", &name]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--mode force"));
    let out = run(
        &p,
        &[
            "export", "--task", &name, "--mode", "force", "--output", "-",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let spec = String::from_utf8_lossy(&out.stdout);
    assert!(spec.contains("--force"), "{spec}");
    let out = run(&p, &["export", "--task", "no-such-task", "--mode", "force"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-task"));
}

#[test]
fn slurm_export_without_target_stays_in_its_own_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("p");
    copy_dir(&fixtures().join("shell-tasks"), &p);
    let before = snapshot_tree(&p);
    let out = run(&p, &["export", "--backend", "slurm", "--mode", "force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = snapshot_tree(&p);
    for (path, hash) in &after {
        if !path.starts_with("slurm") {
            assert_eq!(
                before.get(path),
                Some(hash),
                "{} was written or changed",
                path.display()
            );
        }
    }
    assert!(p.join("slurm/submit.sh").is_file());
    let jobs = std::fs::read_dir(p.join("slurm/jobs")).unwrap().count();
    let dag: serde_json::Value =
        serde_json::from_slice(&run(&p, &["inspect", "--format", "json"]).stdout).unwrap();
    assert_eq!(jobs, dag["tasks"].as_object().unwrap().len());
}

#[test]
fn next_steps_point_at_the_written_file_relative_to_the_shell() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("proj");
    copy_dir(&fixtures().join("percent-scripts"), &p);
    let out = run(tmp.path(), &["export", "-C", "proj", "--mode", "force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("argo submit -n argo proj/argo.yaml"), "{err}");
    let out = run(
        &p,
        &["export", "--mode", "force", "--output", "specs/wf.yaml"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("argo submit -n argo specs/wf.yaml"), "{err}");
    assert!(p.join("specs/wf.yaml").is_file());
}
