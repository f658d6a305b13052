//! `soopervisor export --backend kubeflow` (alias `kfp`) through the binary: every
//! fixture exports a pipeline whose DAG, read from the IR alone (each executor's
//! `PLOOMBER_TASK`), is Ploomber's; the file is `kubeflow.yaml` where announced (never
//! `pipeline.yaml`), byte-identical wherever the project sits, and sources are never
//! touched; `add` + `export TARGET` round-trip; and hostile task names stay data when
//! each executor's command really runs with a stand-in `ploomber`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

fn documents(text: &str) -> Vec<Value> {
    use serde::Deserialize;
    serde_yaml::Deserializer::from_str(text)
        .map(|d| Value::deserialize(d).unwrap())
        .collect()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Ploomber name → sorted upstream Ploomber names, read from the IR alone.
fn dag_of(spec: &Value) -> BTreeMap<String, Vec<String>> {
    let tasks = spec["root"]["dag"]["tasks"].as_object().unwrap();
    let name_of = |key: &str| -> String {
        let comp = tasks[key]["componentRef"]["name"].as_str().unwrap();
        let label = spec["components"][comp]["executorLabel"].as_str().unwrap();
        let env = spec["deploymentSpec"]["executors"][label]["container"]["env"]
            .as_array()
            .unwrap();
        let names: Vec<&str> = env
            .iter()
            .filter(|e| e["name"] == "PLOOMBER_TASK")
            .map(|e| e["value"].as_str().unwrap())
            .collect();
        assert_eq!(names.len(), 1, "{key}");
        names[0].to_string()
    };
    tasks
        .iter()
        .map(|(k, t)| {
            let mut ups: Vec<String> = t["dependentTasks"]
                .as_array()
                .map(|a| a.iter().map(|d| name_of(d.as_str().unwrap())).collect())
                .unwrap_or_default();
            ups.sort();
            (name_of(k), ups)
        })
        .collect()
}

fn expected_dag(name: &str) -> BTreeMap<String, Vec<String>> {
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(expected().join(format!("{name}.json"))).unwrap(),
    )
    .unwrap();
    v["tasks"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(n, t)| {
            let mut ups: Vec<String> = t["upstream"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u.as_str().unwrap().to_string())
                .collect();
            ups.sort();
            (n.clone(), ups)
        })
        .collect()
}

fn export_stdout(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "export",
        "--backend",
        "kfp",
        "--mode",
        "force",
        "--output",
        "-",
    ];
    args.extend_from_slice(extra);
    let out = run(dir, &args);
    assert!(out.status.success(), "{}: {}", dir.display(), stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_fixture_exports_ploomber_dag_deterministically() {
    for name in exportable_fixtures() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let pa = a.path().join(&name);
        let pb = b.path().join("some/deeper/place").join(&name);
        copy_dir(&fixtures().join(&name), &pa);
        copy_dir(&fixtures().join(&name), &pb);
        let args = fixture_args(&name);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let text = export_stdout(&pa, &args);
        assert_eq!(text, export_stdout(&pa, &args), "{name}: two runs differ");
        assert_eq!(
            text,
            export_stdout(&pb, &args),
            "{name}: output depends on where the project sits"
        );
        let docs = documents(&text);
        assert_eq!(docs.len(), 2, "{name}: PipelineSpec and PlatformSpec");
        assert_eq!(dag_of(&docs[0]), expected_dag(&name), "{name}");
        assert_eq!(docs[0]["schemaVersion"], "2.1.0");
        // the typed model reads back what was written
        let _: soopervisor_kubeflow::model::PipelineSpec =
            serde_json::from_value(docs[0].clone()).unwrap();
        let _: soopervisor_kubeflow::model::PlatformSpec =
            serde_json::from_value(docs[1].clone()).unwrap();
    }
}

#[test]
fn export_writes_kubeflow_yaml_only_where_announced() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("shell-tasks");
    copy_dir(&fixtures().join("shell-tasks"), &p);
    let before = snapshot_tree(&p);
    let out = run(&p, &["export", "--backend", "kubeflow"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = snapshot_tree(&p);
    let added: Vec<&PathBuf> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    assert_eq!(added, [&PathBuf::from("kubeflow.yaml")]);
    for (k, h) in &before {
        assert_eq!(after.get(k), Some(h), "{} was modified", k.display());
    }
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(text.contains("kfp pipeline create"), "{text}");

    // a named target: add writes the section, export writes into its folder
    let out = run(&p, &["add", "kf", "--backend", "kfp"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let settings = std::fs::read_to_string(p.join("soopervisor.yaml")).unwrap();
    assert!(settings.contains("backend: kubeflow"), "{settings}");
    let out = run(&p, &["export", "kf", "--mode", "force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(p.join("kf/kubeflow.yaml").is_file());
    assert!(!p.join("kf/pipeline.yaml").exists());
}

#[test]
fn backends_lists_kubeflow_with_its_alias() {
    let out = run(&repo(), &["backends"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("kubeflow"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("kfp"), "{line}");
}

#[test]
fn unsupported_settings_are_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("shell-tasks");
    copy_dir(&fixtures().join("shell-tasks"), &p);
    let before = snapshot_tree(&p);
    for (args, phrase) in [
        (vec!["--code", "git"], "does not support code 'git'"),
        (vec!["--format", "json"], "second document"),
    ] {
        let mut all = vec!["export", "--backend", "kubeflow"];
        all.extend(args);
        let out = run(&p, &all);
        assert_eq!(out.status.code(), Some(1), "{all:?}");
        assert!(stderr(&out).contains(phrase), "{}", stderr(&out));
        assert_eq!(snapshot_tree(&p), before, "{all:?} wrote something");
    }
}

/// Text that runs `touch MARKER` if it ever reaches a shell as code.
const EVIL: &str = "$(touch MARKER) `touch MARKER`; touch MARKER; echo 'q' \"dq\" ü ${HOME} \\";

#[test]
fn hostile_names_stay_data_when_the_executors_run() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("proj");
    let names = [
        format!("load {EVIL}"),
        "b;touch MARKER".to_string(),
        "nl\n$(touch MARKER)".to_string(),
        "yes".to_string(),
    ];
    std::fs::create_dir_all(root.join("scripts")).unwrap();
    let mut tasks = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let up = if i == 0 {
            "None".to_string()
        } else {
            serde_json::to_string(&[&names[i - 1]]).unwrap()
        };
        std::fs::write(
            root.join(format!("scripts/t{i}.py")),
            format!(
                "# %% tags=[\"parameters\"]\nupstream = {up}\nproduct = None\n# %%\nprint(1)\n"
            ),
        )
        .unwrap();
        tasks.push(serde_json::json!({"source": format!("scripts/t{i}.py"), "name": n, "product": format!("out/t{i}.ipynb")}));
    }
    std::fs::write(
        root.join("pipeline.yaml"),
        serde_json::to_string(&serde_json::json!({ "tasks": tasks })).unwrap(),
    )
    .unwrap();
    std::fs::write(
        root.join("environment.yml"),
        "name: hostile\ndependencies: [pip]\n",
    )
    .unwrap();

    // the image is ignored here; the "volume" is the project folder itself
    std::fs::write(
        root.join("soopervisor.yaml"),
        format!(
            "local:\n  backend: kubeflow\n  env: {{kind: image, image: example.com/unused:1}}\n  storage: {{kind: nfs, mount_path: {}}}\n",
            serde_json::to_string(&root.display().to_string()).unwrap()
        ),
    )
    .unwrap();
    let out = run(
        &root,
        &["export", "local", "--mode", "force", "--output", "-"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let docs = documents(&text);
    let spec = &docs[0];
    let want: BTreeMap<String, Vec<String>> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (
                n.clone(),
                if i == 0 {
                    vec![]
                } else {
                    vec![names[i - 1].clone()]
                },
            )
        })
        .collect();
    assert_eq!(dag_of(spec), want);
    for key in spec["root"]["dag"]["tasks"].as_object().unwrap().keys() {
        assert!(soopervisor_kubeflow::lint::is_k8s_name(key), "{key}");
    }

    // run every executor's command as KFP would, in dependency order, with a
    // stand-in ploomber recording its argv and the project mounted where it is
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let calls = tmp.path().join("calls");
    std::fs::write(
        bin.join("ploomber"),
        format!(
            "#!/bin/bash\nprintf '%s\\0' \"$@\" >>'{}'\nprintf '\\n' >>'{}'\n",
            calls.display(),
            calls.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("ploomber"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let tasks = spec["root"]["dag"]["tasks"].as_object().unwrap();
    let mut order: Vec<&String> = Vec::new();
    while order.len() < tasks.len() {
        for (k, t) in tasks {
            let deps: Vec<&str> = t["dependentTasks"]
                .as_array()
                .map(|a| a.iter().map(|d| d.as_str().unwrap()).collect())
                .unwrap_or_default();
            if !order.contains(&k) && deps.iter().all(|d| order.iter().any(|o| o == d)) {
                order.push(k);
            }
        }
    }
    for key in order {
        let comp = tasks[key]["componentRef"]["name"].as_str().unwrap();
        let label = spec["components"][comp]["executorLabel"].as_str().unwrap();
        let c = &spec["deploymentSpec"]["executors"][label]["container"];
        let argv: Vec<String> = c["command"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect();
        let mut cmd = std::process::Command::new(&argv[0]);
        cmd.args(&argv[1..])
            .current_dir(tmp.path())
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()));
        for e in c["env"].as_array().unwrap() {
            cmd.env(e["name"].as_str().unwrap(), e["value"].as_str().unwrap());
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{key}: {}", stderr(&out));
    }
    let recorded = std::fs::read_to_string(&calls).unwrap();
    let ran: Vec<Vec<&str>> = recorded
        .split("\0\n")
        .filter(|c| !c.is_empty())
        .map(|c| c.split('\0').collect())
        .collect();
    let ran_names: Vec<&str> = ran.iter().map(|c| c[1]).collect();
    assert_eq!(
        ran_names,
        names.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(ran
        .iter()
        .all(|c| c[0] == "task" && c[2] == "--entry-point"));
    let mut stack = vec![tmp.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            assert_ne!(e.file_name(), "MARKER", "an injected command ran");
            if e.path().is_dir() {
                stack.push(e.path());
            }
        }
    }
}
