//! The Airflow backend through the binary: registration and alias, where the DAG file
//! goes (and that nothing else is written), `--preset` on `export` and `add`, every
//! fixture exporting one file per preset whose `TASK_IDS` keys are the pipeline's
//! names, byte-identical output wherever the project sits, and hostile task names
//! from a real project. Airflow itself loads and runs these files in
//! `.ci/checks/30-airflow.sh`.

mod common;

use std::path::Path;

use common::*;

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The `TASK_IDS` keys of a DAG file: each key is the line's first string literal,
/// decoded with the escapes our emitter writes (checked against Python in CI).
fn task_id_keys(text: &str) -> Vec<String> {
    let start = text.find("TASK_IDS = {\n").expect("TASK_IDS map");
    text[start..]
        .lines()
        .skip(1)
        .take_while(|l| *l != "}")
        .map(|l| {
            let lit = l.trim_start();
            let json = &lit[..lit.find("\": \"").expect("key: value") + 1];
            // our literals are JSON-compatible except for \x and \U escapes
            let json = json.replace("\\x", "\\u00");
            serde_json::from_str::<String>(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
        })
        .collect()
}

fn inspect_names(dir: &Path, args: &[String]) -> Vec<String> {
    let mut a = vec!["inspect", "--format", "json"];
    a.extend(args.iter().map(String::as_str));
    let json: serde_json::Value = serde_json::from_str(&ok(&run(dir, &a))).unwrap();
    let mut names: Vec<String> = json["tasks"].as_object().unwrap().keys().cloned().collect();
    names.sort();
    names
}

#[test]
fn registered_with_its_alias() {
    let text = ok(&run(&repo(), &["backends"]));
    assert!(
        text.lines()
            .any(|l| l.starts_with("airflow ") && l.contains("apache-airflow")),
        "{text}"
    );
}

#[test]
fn export_writes_one_file_in_the_airflow_folder_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("shell-tasks");
    copy_dir(&fixtures().join("shell-tasks"), &p);
    let before = snapshot_tree(&p);
    ok(&run(
        &p,
        &["export", "--backend", "apache-airflow", "--mode", "force"],
    ));
    let mut after = snapshot_tree(&p);
    let dag = after.remove(Path::new("airflow/shell-tasks.py"));
    assert!(dag.is_some(), "airflow/shell-tasks.py was not written");
    assert_eq!(before, after, "only the DAG file is written");
}

#[test]
fn every_fixture_exports_one_dag_per_preset_with_its_names() {
    for name in exportable_fixtures() {
        let dir = fixtures().join(&name);
        let args = fixture_args(&name);
        let names = inspect_names(&dir, &args);
        for preset in ["kubernetes", "bash", "docker"] {
            let mut a = vec![
                "export",
                "--backend",
                "airflow",
                "--preset",
                preset,
                "--mode",
                "force",
                "--output",
                "-",
            ];
            a.extend(args.iter().map(String::as_str));
            let text = ok(&run(&dir, &a));
            let mut keys = task_id_keys(&text);
            keys.sort();
            assert_eq!(keys, names, "{name} {preset}");
            assert_eq!(
                text.matches(" = BashOperator(").count() > 0,
                preset == "bash"
            );
        }
    }
}

#[test]
fn add_and_export_a_target_with_a_preset() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("shell-tasks");
    copy_dir(&fixtures().join("shell-tasks"), &p);
    ok(&run(
        &p,
        &["add", "nightly", "--backend", "airflow", "--preset", "bash"],
    ));
    let config = std::fs::read_to_string(p.join("soopervisor.yaml")).unwrap();
    assert!(
        config.contains("backend: airflow") && config.contains("preset: bash"),
        "{config}"
    );
    ok(&run(&p, &["export", "nightly", "--mode", "force"]));
    let text = std::fs::read_to_string(p.join("nightly/shell-tasks.py")).unwrap();
    assert!(text.contains("BashOperator("), "{text}");
    // --preset on export overrides the section's
    ok(&run(
        &p,
        &["export", "nightly", "--preset", "docker", "--mode", "force"],
    ));
    let text = std::fs::read_to_string(p.join("nightly/shell-tasks.py")).unwrap();
    assert!(text.contains("DockerOperator(") && !text.contains("BashOperator("));
}

#[test]
fn preset_on_export_reaches_other_backends_as_a_key() {
    let dir = fixtures().join("shell-tasks");
    let out = run(
        &dir,
        &[
            "export",
            "--backend",
            "slurm",
            "--preset",
            "x",
            "--output",
            "-",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the slurm backend has no presets"));
    let out = run(
        &dir,
        &[
            "export",
            "--backend",
            "argo",
            "--preset",
            "x",
            "--output",
            "-",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("preset 'x' is ignored"));
}

#[test]
fn kubernetes_export_is_the_same_wherever_the_project_sits() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a/sql-etl");
    let b = tmp.path().join("elsewhere/deeper/sql-etl");
    copy_dir(&fixtures().join("sql-etl"), &a);
    copy_dir(&fixtures().join("sql-etl"), &b);
    let args = [
        "export",
        "--backend",
        "airflow",
        "--mode",
        "force",
        "--output",
        "-",
    ];
    assert_eq!(ok(&run(&a, &args)), ok(&run(&b, &args)));
}

#[test]
fn hostile_task_names_from_a_real_project() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("proj");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(
        p.join("environment.yml"),
        "name: p\ndependencies: [pip, ploomber]\n",
    )
    .unwrap();
    let names = ["x{{y}}", "it's \"q\"", "$(touch pwned)", "run.sh", "a b"];
    for (i, n) in names.iter().enumerate() {
        std::fs::write(
            p.join(format!("{n}.py")),
            format!("# %% tags=[\"parameters\"]\nupstream = None\nproduct = 'out/{i}.ipynb'\n\n# %%\nprint(1)\n"),
        )
        .unwrap();
    }
    for preset in ["kubernetes", "bash", "docker"] {
        let text = ok(&run(
            &p,
            &[
                "export",
                "--backend",
                "airflow",
                "--preset",
                preset,
                "-e",
                "*.py",
                "--output",
                "-",
            ],
        ));
        let mut keys = task_id_keys(&text);
        keys.sort();
        let mut want: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(keys, want);
        assert!(
            text.contains("\"PLOOMBER_TASK\": \"x{{ '{' }}{{ '{' }}y}}\""),
            "{text}"
        );
        assert!(
            text.contains("\"PLOOMBER_TASK\": \"run.sh{{ '' }}\""),
            "{text}"
        );
    }
    assert!(!p.join("pwned").exists());
}

#[test]
fn per_task_settings_become_operator_arguments_and_others_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("shell-tasks");
    copy_dir(&fixtures().join("shell-tasks"), &p);
    std::fs::write(
        p.join("soopervisor.yaml"),
        "af:\n  backend: airflow\n  preset: bash\n  defaults: {retries: 2, timeout: 1h}\n  tasks:\n    count: {queue: big, retry_backoff: 30s}\n",
    )
    .unwrap();
    let text = ok(&run(
        &p,
        &["export", "af", "--mode", "force", "--output", "-"],
    ));
    assert_eq!(text.matches("retries=2,").count(), 4, "{text}");
    assert_eq!(
        text.matches("execution_timeout=datetime.timedelta(seconds=3600),")
            .count(),
        4
    );
    assert_eq!(text.matches("queue=\"big\",").count(), 1);
    assert_eq!(
        text.matches("retry_delay=datetime.timedelta(seconds=30),")
            .count(),
        1
    );
    std::fs::write(
        p.join("soopervisor.yaml"),
        "af:\n  backend: airflow\n  defaults: {cpu: 1}\n",
    )
    .unwrap();
    let out = run(&p, &["export", "af", "--output", "-"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot honour the setting 'cpu'"));
}
