//! The AWS Batch backend's requests for hand-built plans: snapshots, dependency limits,
//! names, scripts, refusals.

mod common;

use std::collections::{BTreeSet, HashMap};

use common::*;
use soopervisor_aws_batch::export::{build, encode, MAX_DEPENDS_ON};
use soopervisor_aws_batch::model::BatchPlan;
use soopervisor_aws_batch::names::is_batch_name;
use soopervisor_core::diagnostics::UserError;
use soopervisor_core::plan::Mode;

fn json(plan: &BatchPlan) -> serde_json::Value {
    serde_json::from_slice(&encode(plan).unwrap()).unwrap()
}

/// Checks the order and limits every plan must respect; returns job → dependsOn names.
fn check_order(plan: &BatchPlan) -> HashMap<String, Vec<String>> {
    let mut seen = BTreeSet::new();
    let mut deps = HashMap::new();
    for j in &plan.submit_job {
        assert!(
            is_batch_name(&j.job_name) && j.job_name.len() >= 2,
            "{}",
            j.job_name
        );
        assert!(j.depends_on.len() <= MAX_DEPENDS_ON, "{}", j.job_name);
        let names: Vec<String> = j
            .depends_on
            .iter()
            .map(|d| d.placeholder_name().expect("a placeholder").to_string())
            .collect();
        for n in &names {
            assert!(
                seen.contains(n),
                "{} depends on {n}, submitted later",
                j.job_name
            );
        }
        assert!(seen.insert(j.job_name.clone()), "{} twice", j.job_name);
        deps.insert(j.job_name.clone(), names);
    }
    deps
}

fn closure(deps: &HashMap<String, Vec<String>>, job: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut todo = deps[job].clone();
    while let Some(d) = todo.pop() {
        if out.insert(d.clone()) {
            todo.extend(deps[&d].iter().cloned());
        }
    }
    out
}

#[test]
fn diamond_snapshot() {
    let mut cfg = efs_config();
    cfg.task_resources = serde_json::from_value(serde_json::json!({
        "train": {"vcpus": 8, "memory": 32768, "gpu": 1},
        "*": {"vcpus": 1, "memory": 2048},
    }))
    .unwrap();
    cfg.container_properties = serde_json::from_value(serde_json::json!({
        "jobRoleArn": "arn:aws:iam::123456789012:role/ml-job"
    }))
    .unwrap();
    let built = build(&cfg, &diamond(Mode::Incremental)).unwrap();
    check_order(&built.requests);
    insta::assert_json_snapshot!("diamond", json(&built.requests));
}

#[test]
fn force_mode_passes_force_and_the_task_name_only_through_the_environment() {
    let built = build(&efs_config(), &diamond(Mode::Force)).unwrap();
    let def = &built.requests.register_job_definition[0];
    let cmd = &def.container_properties.command;
    assert_eq!(cmd[..2], ["bash".to_string(), "-c".to_string()]);
    assert!(
        cmd[2].contains(r#"ploomber task "$PLOOMBER_TASK" --entry-point pipeline.yaml --force"#),
        "{}",
        cmd[2]
    );
    assert!(cmd[2].contains("cd -- /mnt/vol"), "{}", cmd[2]);
    for (job, task) in built.requests.submit_job.iter().zip(&built.tasks) {
        let o = job.container_overrides.as_ref().unwrap();
        assert!(
            o.command.is_empty(),
            "one script for all: no per-job command"
        );
        assert_eq!(o.environment[0].name, "PLOOMBER_TASK");
        assert_eq!(Some(&o.environment[0].value), task.as_ref());
    }
    let efs = def.container_properties.volumes[0]
        .efs_volume_configuration
        .as_ref()
        .unwrap();
    assert_eq!(efs.file_system_id, "fs-0123456789abcdef0");
    assert_eq!(efs.root_directory.as_deref(), Some("/ml-basic"));
    assert_eq!(
        def.container_properties.mount_points[0]
            .container_path
            .as_deref(),
        Some("/mnt/vol")
    );
}

#[test]
fn fifty_upstream_tasks_go_through_barriers() {
    let built = build(&efs_config(), &fan_in(50)).unwrap();
    let deps = check_order(&built.requests);
    let parts: BTreeSet<String> = (1..=50).map(|i| format!("part-{i:04}")).collect();
    assert!(closure(&deps, "join").is_superset(&parts));
    assert_eq!(deps["join"].len(), 3, "three barriers of 20, 20 and 10");
    assert_eq!(built.requests.submit_job.len(), 54);
    let barriers: Vec<&str> = built
        .requests
        .submit_job
        .iter()
        .zip(&built.tasks)
        .filter(|(_, t)| t.is_none())
        .map(|(j, _)| j.job_name.as_str())
        .collect();
    assert_eq!(
        barriers,
        ["join_wait_1_1", "join_wait_1_2", "join_wait_1_3"]
    );
    let b = &built.requests.submit_job[50];
    assert_eq!(b.container_overrides.as_ref().unwrap().command, ["true"]);
    assert_eq!(b.depends_on.len(), 20);
}

#[test]
fn a_thousand_upstream_tasks_nest_barriers() {
    let built = build(&efs_config(), &fan_in(1000)).unwrap();
    let deps = check_order(&built.requests);
    let c = closure(&deps, "join");
    assert!((1..=1000).all(|i| c.contains(&format!("part-{i:04}"))));
    assert!(deps["join"].iter().all(|d| d.starts_with("join_wait_2_")));
    // 50 barriers of the parts, then 3 over those
    assert_eq!(built.requests.submit_job.len(), 1000 + 50 + 3 + 1);
}

#[test]
fn hostile_names_are_exact_in_the_environment_and_never_in_a_script() {
    let names = [
        "x$(touch MARKER)y'\"; echo pwned",
        "a\nb",
        "`id`",
        "a",
        "A",
        "日本",
        "--force",
    ];
    let tasks = names.iter().map(|n| task(n, &[])).collect();
    let built = build(&efs_config(), &plan(Mode::Regular, tasks)).unwrap();
    check_order(&built.requests);
    let script = &built.requests.register_job_definition[0]
        .container_properties
        .command[2];
    for n in &names[..3] {
        assert!(!script.contains(n), "{n:?} in the script");
    }
    let text = String::from_utf8(encode(&built.requests).unwrap()).unwrap();
    let back: BatchPlan = serde_json::from_str(&text).unwrap();
    let env: Vec<String> = back
        .submit_job
        .iter()
        .map(|j| {
            j.container_overrides.as_ref().unwrap().environment[0]
                .value
                .clone()
        })
        .collect();
    assert_eq!(env, names);
}

#[test]
fn per_task_scripts_when_products_are_copied() {
    // code image: the job works in the image's folder and copies products to EFS
    let mut cfg = efs_config();
    cfg.code = serde_json::from_value(serde_json::json!({"kind": "image", "repository": "reg/ml"}))
        .unwrap();
    cfg.env = serde_json::from_value(serde_json::json!("pip")).unwrap();
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("requirements.txt"), "ploomber\n").unwrap();
    let mut p = diamond(Mode::Regular);
    p.project.root = root.path().to_path_buf();
    p.project.pip_requirements = Some("requirements.txt".into());
    let built = build(&cfg, &p).unwrap();
    let def = &built.requests.register_job_definition[0];
    assert!(def.container_properties.command.is_empty());
    for job in &built.requests.submit_job {
        let cmd = &job.container_overrides.as_ref().unwrap().command;
        assert_eq!(cmd[..2], ["bash".to_string(), "-c".to_string()]);
    }
    let train = &built.requests.submit_job[3]
        .container_overrides
        .as_ref()
        .unwrap()
        .command[2];
    assert!(train.contains("/mnt/vol/out/5.txt"), "{train}");
}

#[test]
fn git_code_is_cloned_by_the_script() {
    use soopervisor_core::strategy::{Contribution, GitCheckout};
    let p = diamond(Mode::Regular);
    let mut c = Contribution::default();
    c.git = Some(GitCheckout::new(
        "https://example.com/r.git",
        "0123abc",
        "/src",
    ));
    c.workdir = Some("/src/sub dir".into());
    let s = soopervisor_aws_batch::export::script(&p, &c, "pipeline.yaml");
    let clone = s
        .find("git clone --quiet -- https://example.com/r.git /src")
        .unwrap();
    let cd = s.find("cd -- '/src/sub dir'").unwrap();
    let run = s.find("ploomber task").unwrap();
    assert!(clone < cd && cd < run, "{s}");
}

fn refusal(cfg: serde_json::Value) -> UserError {
    let cfg = config(cfg);
    let err = build(&cfg, &diamond(Mode::Regular)).unwrap_err();
    err.downcast::<UserError>().expect("a UserError")
}

#[test]
fn refuses_what_aws_batch_cannot_run() {
    let image = serde_json::json!({"kind": "image", "image": "reg/env:1"});
    let efs = serde_json::json!({"kind": "nfs", "file_system_id": "fs-1"});
    let e = refusal(serde_json::json!({"storage": efs, "env": image}));
    assert!(e.to_string().contains("needs job_queue"), "{e}");
    let e = refusal(serde_json::json!({"job_queue": "q", "env": image}));
    assert!(e.to_string().contains("file_system_id is not set"), "{e}");
    let e = refusal(serde_json::json!({"job_queue": "q", "storage": "fetch",
        "code": {"kind": "image", "repository": "reg/ml"}, "env": image}));
    assert!(e.to_string().contains("File client"), "{e}");
    let e = refusal(
        serde_json::json!({"job_queue": "q", "storage": efs, "env": image,
        "container_properties": {"command": ["x"]}}),
    );
    assert!(e.to_string().contains("sets command"), "{e}");
    let e = refusal(
        serde_json::json!({"job_queue": "q", "storage": efs, "env": image,
        "task_resources": {"tran*": {"vcpus": 1}}}),
    );
    assert!(e.to_string().contains("'tran*'"), "{e}");
    let e = refusal(
        serde_json::json!({"job_queue": "q", "storage": efs, "env": image,
        "job_definition_name": "bad name"}),
    );
    assert!(e.to_string().contains("not a valid AWS Batch name"), "{e}");
    let e = refusal(
        serde_json::json!({"job_queue": "q", "storage": efs, "env": image,
        "container_properties": {"environment": "x"}}),
    );
    assert!(e.to_string().contains("container_properties"), "{e}");
}

#[test]
fn nothing_to_export_is_an_error() {
    let err = build(&efs_config(), &plan(Mode::Incremental, vec![])).unwrap_err();
    assert!(err.to_string().contains("nothing to export"), "{err}");
}

fn with_settings(yaml: &str) -> soopervisor_core::plan::Plan {
    let file = std::path::Path::new("/p/soopervisor.yaml");
    soopervisor_core::testing::with_settings(diamond(Mode::Regular), yaml, "batch", file).unwrap()
}

#[test]
fn production_settings_map_to_the_job() {
    let p = with_settings(
        "batch:\n  backend: aws-batch\n  defaults: {cpu: 0.5, memory: 1Gi, retries: 2, timeout: 2h}\n  tasks:\n    train: {cpu: 8, memory: 30000Mi, gpu: 1, queue: gpu-queue, env: {STAGE: prod}, labels: {team: ml}, priority: 50}\n",
    );
    let built = build(&efs_config(), &p).unwrap();
    let v = json(&built.requests);
    let load = &v["SubmitJob"][0];
    assert_eq!(
        load["containerOverrides"]["resourceRequirements"],
        serde_json::json!([{"type": "VCPU", "value": "0.5"}, {"type": "MEMORY", "value": "1024"}])
    );
    assert_eq!(load["retryStrategy"], serde_json::json!({"attempts": 3}));
    assert_eq!(
        load["timeout"],
        serde_json::json!({"attemptDurationSeconds": 7200})
    );
    assert_eq!(load["jobQueue"], "ml-queue");
    let train = &v["SubmitJob"][3];
    assert_eq!(train["jobQueue"], "gpu-queue");
    assert_eq!(
        train["containerOverrides"]["resourceRequirements"],
        serde_json::json!([{"type": "VCPU", "value": "8"}, {"type": "MEMORY", "value": "30000"}, {"type": "GPU", "value": "1"}])
    );
    assert_eq!(
        train["containerOverrides"]["environment"],
        serde_json::json!([{"name": "PLOOMBER_TASK", "value": "train"}, {"name": "STAGE", "value": "prod"}])
    );
    assert_eq!(train["tags"], serde_json::json!({"team": "ml"}));
    assert_eq!(train["schedulingPriorityOverride"], 50);
}

#[test]
fn settings_aws_batch_cannot_honour_are_refused_at_their_line() {
    let refused = |yaml: &str| {
        build(&efs_config(), &with_settings(yaml))
            .unwrap_err()
            .downcast::<UserError>()
            .expect("a UserError")
            .to_string()
    };
    let e = refused(
        "batch:\n  backend: aws-batch\n  tasks:\n    train:\n      node_selector: {pool: gpu}\n",
    );
    assert!(
        e.contains("soopervisor.yaml:5") && e.contains("node_selector"),
        "{e}"
    );
    let e = refused("batch:\n  backend: aws-batch\n  defaults:\n    retries: 12\n");
    assert!(e.contains("at most 10 times"), "{e}");
    let e = refused("batch:\n  backend: aws-batch\n  defaults:\n    timeout: 30s\n");
    assert!(e.contains("at least 60 seconds"), "{e}");
    let e = refused("batch:\n  backend: aws-batch\n  defaults:\n    priority: high\n");
    assert!(e.contains("class 'high'"), "{e}");
    let mut cfg = efs_config();
    cfg.task_resources =
        serde_json::from_value(serde_json::json!({"train": {"vcpus": 2}})).unwrap();
    let e = build(
        &cfg,
        &with_settings("batch:\n  backend: aws-batch\n  tasks:\n    train: {cpu: 4}\n"),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("both task_resources and the settings"), "{e}");
}
