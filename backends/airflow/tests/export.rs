//! The exported DAG file, read back with a real Python parser: snapshots per preset,
//! task ids and the name map, edges, what Airflow's Jinja renders, determinism, and
//! refusals.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use soopervisor_airflow::config::is_id_char;
use soopervisor_core::backend::BackendConfig;
use soopervisor_core::plan::{Mode, Plan};

fn check_graph(plan: &Plan, dag: &ParsedDag) {
    let names: BTreeSet<&str> = plan.tasks.iter().map(|t| t.name.as_str()).collect();
    let keys: BTreeSet<&str> = dag.task_ids.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, names, "TASK_IDS keys are the exact Ploomber names");
    let ids: BTreeSet<&str> = dag.task_ids.iter().map(|(_, v)| v.as_str()).collect();
    assert_eq!(ids.len(), names.len(), "task ids are unique");
    for id in &ids {
        assert!(
            !id.is_empty() && id.len() <= 250 && id.chars().all(is_id_char),
            "{id:?}"
        );
    }
    assert_eq!(dag.operators.len(), plan.tasks.len());
    for (op, t) in dag.operators.iter().zip(&plan.tasks) {
        assert_eq!(op.key, t.name);
        assert_eq!(op.id_key, t.name);
        // the task name reaches the task through Jinja intact
        assert_eq!(render(&op.env["PLOOMBER_TASK"]), t.name);
        let mut want = t.upstream.clone();
        want.sort();
        let mut got = dag.upstream.get(&t.name).cloned().unwrap_or_default();
        got.sort();
        assert_eq!(got, want, "upstream of {:?}", t.name);
    }
}

#[test]
fn bash_preset_snapshot() {
    let cfg = config(r#"{"preset": "bash", "project_dir": "/srv/ml-basic"}"#);
    let plan = diamond(Mode::Incremental);
    let (name, text) = export(&cfg, &plan);
    assert_eq!(name, "ml-basic.py");
    let dag = parse_dag(&text);
    check_graph(&plan, &dag);
    for op in &dag.operators {
        assert_eq!(op.class, "BashOperator");
        assert_eq!(render(&op.strings["cwd"]), "/srv/ml-basic");
        let script = render(&op.strings["bash_command"]);
        assert!(
            script.ends_with("exec ploomber task \"$PLOOMBER_TASK\" --entry-point pipeline.yaml"),
            "{script}"
        );
        assert!(
            !script.contains("conda"),
            "no environment unless --env conda"
        );
    }
    assert!(dag.imports.contains(&"airflow.operators.bash".to_string()));
    assert_eq!(dag.dag_kwargs["dag_id"], "ml-basic");
    assert_eq!(dag.dag_kwargs["schedule"], "None");
    assert_eq!(dag.dag_kwargs["catchup"], "false");
    insta::assert_snapshot!("bash_diamond", text);
}

#[test]
fn bash_with_conda_activates_the_named_environment() {
    let cfg = config(r#"{"preset": "bash", "env": "conda", "project_dir": "/srv/p"}"#);
    let (_, text) = export(&cfg, &diamond(Mode::Force));
    let dag = parse_dag(&text);
    let script = render(&dag.operators[0].strings["bash_command"]);
    assert!(script.contains("conda activate my-env"), "{script}");
    assert!(
        script.ends_with("--entry-point pipeline.yaml --force"),
        "{script}"
    );
    assert!(
        !script.contains("pip install ."),
        "the worker runs the project in place"
    );
}

#[test]
fn kubernetes_preset_runs_the_core_pod_script() {
    let cfg = config(r#"{"storage": {"kind": "nfs", "claim_name": "data"}}"#);
    let plan = diamond(Mode::Incremental);
    let (_, text) = export(&cfg, &plan);
    let dag = parse_dag(&text);
    check_graph(&plan, &dag);
    for op in &dag.operators {
        assert_eq!(op.class, "KubernetesPodOperator");
        assert_eq!(op.list_strings["cmds"], ["bash", "-c"]);
        let script = render(&op.list_strings["arguments"][0]);
        assert!(script.starts_with("set -euo pipefail"), "{script}");
        assert!(script.contains("\ncd /mnt/vol\n"), "{script}");
        assert!(
            script.contains("conda env create --file environment.yml --name my-env"),
            "{script}"
        );
        assert!(
            script.ends_with("exec ploomber task \"$PLOOMBER_TASK\" --entry-point pipeline.yaml")
        );
        assert_eq!(op.strings["image"], "continuumio/miniconda3");
    }
    assert!(text.contains("claim_name=\"data\""), "{text}");
    assert!(text.contains("sub_path=\"ml-basic\""), "{text}");
    insta::assert_snapshot!("kubernetes_diamond", text);
}

#[test]
fn docker_preset_binds_the_project() {
    let cfg = config(
        r#"{"preset": "docker", "env": "image", "image": "registry.example.com/ml:1", "project_dir": "/srv/ml"}"#,
    );
    let plan = diamond(Mode::Force);
    let (_, text) = export(&cfg, &plan);
    let dag = parse_dag(&text);
    check_graph(&plan, &dag);
    for op in &dag.operators {
        assert_eq!(op.class, "DockerOperator");
        assert_eq!(op.strings["image"], "registry.example.com/ml:1");
        assert_eq!(op.strings["working_dir"], "/mnt/vol");
        let cmd = &op.list_strings["command"];
        assert_eq!(&cmd[..2], ["bash", "-c"]);
        assert!(render(&cmd[2]).ends_with("--force"));
    }
    assert!(
        text.contains("Mount(source=\"/srv/ml\", target=\"/mnt/vol\", type=\"bind\")"),
        "{text}"
    );
    insta::assert_snapshot!("docker_diamond", text);
}

#[test]
fn hostile_names_stay_exact_in_every_preset() {
    let plan = hostile();
    for preset in ["kubernetes", "bash", "docker"] {
        let cfg = config(&format!(
            r#"{{"preset": "{preset}", "project_dir": "/srv/{{{{ ds }}}}/it's", "storage": {{"kind": "nfs", "sub_path": "my-project"}}}}"#
        ));
        let (name, text) = export(&cfg, &plan);
        assert!(text.is_ascii(), "the file is pure ASCII");
        assert!(
            name.ends_with(".py") && name[..name.len() - 3].chars().all(is_id_char),
            "{name}"
        );
        let dag = parse_dag(&text);
        check_graph(&plan, &dag);
        if preset == "bash" {
            for op in &dag.operators {
                assert_eq!(render(&op.strings["cwd"]), "/srv/{{ ds }}/it's");
            }
        }
        // no user value inside the script: the name only travels in the env var
        for script in dag.constants.values() {
            assert!(!render(script).contains("pwned"), "{script}");
        }
        if preset == "kubernetes" {
            insta::assert_snapshot!("kubernetes_hostile", text);
        }
    }
}

#[test]
fn ids_are_readable_and_collisions_get_suffixes() {
    let cfg = config(r#"{"storage": {"kind": "nfs", "sub_path": "p"}}"#);
    let (_, text) = export(&cfg, &hostile());
    let dag = parse_dag(&text);
    let ids: BTreeMap<&str, &str> = dag
        .task_ids
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(ids["run.sh"], "run.sh");
    assert!(ids["a b"].starts_with("a_b_") && ids["a_b"].starts_with("a_b_"));
    assert_ne!(ids["a b"], ids["a_b"]);
    assert_eq!(dag.dag_kwargs["dag_id"], "My_Project____ds___");
}

#[test]
fn settings_reach_the_dag() {
    let cfg = config(
        r#"{"preset": "bash", "dag_id": "nightly.ml", "schedule": "0 6 * * *",
        "start_date": "2025-03-01", "retries": 2, "retry_delay": 60, "tags": ["ml", "team-a"]}"#,
    );
    let (name, text) = export(&cfg, &diamond(Mode::Regular));
    assert_eq!(name, "nightly.ml.py");
    let dag = parse_dag(&text);
    assert_eq!(dag.dag_kwargs["dag_id"], "nightly.ml");
    assert_eq!(dag.dag_kwargs["schedule"], "0 6 * * *");
    assert!(text.contains("datetime.datetime(2025, 3, 1, tzinfo=datetime.timezone.utc)"));
    assert!(
        text.contains("\"retries\": 2, \"retry_delay\": datetime.timedelta(seconds=60)"),
        "{text}"
    );
    assert!(text.contains("tags=[\"ml\", \"team-a\"]"));
}

#[test]
fn export_is_deterministic_and_single_tasks_have_no_edges() {
    let cfg = config("{}");
    let a = export(&cfg, &diamond(Mode::Regular));
    let b = export(&cfg, &diamond(Mode::Regular));
    assert_eq!(a, b);
    let mut one = diamond(Mode::Regular);
    one.tasks.retain(|t| t.name == "train");
    one.tasks[0].upstream.clear();
    let (_, text) = export(&cfg, &one);
    let dag = parse_dag(&text);
    assert!(dag.upstream.is_empty());
    assert!(!text.contains("set_upstream"));
}

#[test]
fn pinned_placeholders_travel_in_the_script() {
    let mut plan = diamond(Mode::Regular);
    plan.pinned_placeholders
        .insert("now".into(), "2026-01-01T00:00:00".into());
    let (_, text) = export(&config("{}"), &plan);
    let dag = parse_dag(&text);
    let script = render(&dag.constants["TASK_SCRIPT"]);
    assert!(
        script.contains("{\"now\":\"2026-01-01T00:00:00\"}"),
        "{script}"
    );
    assert!(
        script.contains("export PLOOMBER_ENV_FILENAME=.soopervisor-env-"),
        "{script}"
    );
}

#[test]
fn refusals_name_the_setting_and_a_fix() {
    let plan = diamond(Mode::Regular);
    let cases = [
        (r#"{"dag_id": "bad id!"}"#, "dag_id"),
        (r#"{"start_date": "2024-02-30"}"#, "start_date"),
        (r#"{"preset": "bash", "env": "pip"}"#, "env 'pip'"),
        (r#"{"storage": "fetch"}"#, "storage 'fetch'"),
        (r#"{"code": "git"}"#, "code 'git'"),
        (r#"{"project_dir": "relative/dir"}"#, "project_dir"),
        (r#"{"schedule": " "}"#, "schedule"),
        (
            r#"{"storage": {"kind": "nfs", "claim_name": "{{ x }}"}}"#,
            "claim_name",
        ),
    ];
    for (json, want) in cases {
        let cfg = config(json);
        let err = cfg
            .check(&plan)
            .and_then(|_| {
                cfg.export(&plan, &target())
                    .map(|_| Vec::<soopervisor_core::diagnostics::Warning>::new())
            })
            .unwrap_err();
        let user = err
            .downcast_ref::<soopervisor_core::diagnostics::UserError>()
            .unwrap_or_else(|| panic!("{json}: not a UserError: {err:#}"));
        assert!(user.to_string().contains(want), "{json}: {user}");
        assert!(user.hint.is_some(), "{json}: no hint in {user:?}");
    }
}

#[test]
fn nothing_to_export_is_an_error() {
    let mut plan = diamond(Mode::Incremental);
    plan.tasks.clear();
    let err = config("{}").export(&plan, &target()).unwrap_err();
    assert!(err.to_string().contains("nothing to export"), "{err}");
}

/// With `SOOPERVISOR_AIRFLOW_OUT=DIR`, writes the hostile-names DAG (bash preset,
/// project folder `SOOPERVISOR_AIRFLOW_PROJECT_DIR`) as `DIR/hostile.py` and its task
/// names in run order as `DIR/hostile-names.json`, for the real Airflow run of
/// `.ci/checks/30-airflow.sh`. Without the variable it only checks the export works.
#[test]
fn hostile_dag_for_the_real_run() {
    let dir = std::env::var("SOOPERVISOR_AIRFLOW_PROJECT_DIR").unwrap_or("/srv/p".into());
    let cfg = config(&format!(
        r#"{{"preset": "bash", "project_dir": {}}}"#,
        serde_json::to_string(&dir).unwrap()
    ));
    let plan = hostile();
    let (_, text) = export(&cfg, &plan);
    if let Ok(out) = std::env::var("SOOPERVISOR_AIRFLOW_OUT") {
        let out = std::path::PathBuf::from(out);
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("hostile.py"), &text).unwrap();
        let names: Vec<&str> = plan.tasks.iter().map(|t| t.name.as_str()).collect();
        std::fs::write(
            out.join("hostile-names.json"),
            serde_json::to_string(&names).unwrap(),
        )
        .unwrap();
    }
}
