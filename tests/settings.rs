//! Production settings (`defaults:`/`tasks:` in soopervisor.yaml, issue 14) through the
//! binary: read for every backend by the CLI, errors at their line, and each backend
//! either mapping a setting into its spec or refusing it.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, fixtures, run, snapshot_tree};

/// A copy of the shell-tasks fixture (download_logs → split → count, archive) with
/// `soopervisor.yaml` set to `config`.
fn project(config: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("logs");
    copy_dir(&fixtures().join("shell-tasks"), &root);
    std::fs::write(root.join("soopervisor.yaml"), config).unwrap();
    (tmp, root)
}

/// Runs `export TARGET --output -` and returns (exit code, stdout, stderr).
fn export(root: &Path, target: &str) -> (i32, String, String) {
    let out = run(
        root,
        &["export", target, "--mode", "regular", "--output", "-"],
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A clean failure: exit 1, the phrase and the line in the error, nothing written.
fn fails_at(config: &str, target: &str, line: usize, phrase: &str) {
    let (_tmp, root) = project(config);
    let before = snapshot_tree(&root);
    let (code, out, err) = export(&root, target);
    assert_eq!(code, 1, "stderr:\n{err}");
    assert!(out.is_empty());
    assert!(
        err.contains(&format!("soopervisor.yaml:{line}: ")),
        "not at line {line}:\n{err}"
    );
    assert!(err.contains(phrase), "no '{phrase}' in:\n{err}");
    assert!(!err.contains("panicked"));
    assert_eq!(before, snapshot_tree(&root));
}

#[test]
fn unknown_keys_are_errors_at_their_line_naming_the_valid_ones() {
    for backend in ["argo", "slurm"] {
        let config = format!("t:\n  backend: {backend}\n  defaults:\n    cpu: 1\n    mem: 2Gi\n");
        fails_at(&config, "t", 5, "unknown setting 'mem'");
        let (_tmp, root) = project(&config);
        let (_, _, err) = export(&root, "t");
        assert!(
            err.contains("'memory'") && err.contains("'retry_backoff'"),
            "{err}"
        );
    }
}

#[test]
fn bad_units_are_errors_at_their_line() {
    fails_at(
        "t:\n  backend: argo\n  tasks:\n    count:\n      memory: 2GB\n",
        "t",
        5,
        "not a memory quantity",
    );
    fails_at(
        "t:\n  backend: slurm\n  defaults: {timeout: 1.5h}\n",
        "t",
        3,
        "not a duration",
    );
    fails_at(
        "t:\n  backend: argo\n  defaults:\n    cpu: 0.0001\n",
        "t",
        4,
        "millicores",
    );
}

#[test]
fn a_pattern_matching_no_task_is_an_error_listing_the_tasks() {
    let config = "t:\n  backend: argo\n  tasks:\n    split: {cpu: 1}\n    \"fit-*\": {cpu: 8}\n";
    fails_at(
        config,
        "t",
        5,
        "the pattern 'fit-*' in 'tasks' matches no task",
    );
    let (_tmp, root) = project(config);
    let (_, _, err) = export(&root, "t");
    assert!(err.contains("'download_logs'"), "{err}");
}

#[test]
fn other_commands_read_sections_with_settings() {
    // `status` and `add` deserialise sections too: the settings keys must not reach
    // the backend's own config type as unknown fields.
    let (_tmp, root) =
        project("t:\n  backend: slurm\n  defaults: {cpu: 1}\n  tasks:\n    split: {cpu: 2}\n");
    let out = run(&root, &["status", "t"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("unknown field"), "{err}");
}

#[test]
fn argo_maps_the_settings_through_the_binary() {
    let (_tmp, root) = project(
        "t:\n  backend: argo\n  pod_gc: OnPodSuccess\n  defaults: {cpu: 1, memory: 2Gi, retries: 2, timeout: 1h}\n  tasks:\n    count: {cpu: 8, memory: 32Gi, gpu: 1, timeout: 6h}\n    \"download*\": {retries: 5, retry_backoff: 30s, env: {TOKEN: {secret: api, key: token}}}\n",
    );
    let (code, out, err) = export(&root, "t");
    assert_eq!(code, 0, "{err}");
    let wf: serde_json::Value = serde_yaml::from_str(&out).unwrap();
    let templates = wf["spec"]["templates"].as_array().unwrap();
    // the DAG, then one template per distinct setting: download_logs, split+archive, count
    assert_eq!(templates.len(), 4, "{out}");
    let count = templates
        .iter()
        .find(|t| t["script"]["resources"]["limits"]["nvidia.com/gpu"] == "1")
        .unwrap();
    assert_eq!(count["activeDeadlineSeconds"], 21600);
    assert_eq!(count["script"]["resources"]["requests"]["memory"], "32Gi");
    assert_eq!(wf["spec"]["podGC"]["strategy"], "OnPodSuccess");
    assert!(out.contains("secretKeyRef"));
}

#[test]
fn credential_like_literals_are_warnings_naming_the_key_and_the_secret_form() {
    let (_tmp, root) = project(
        "t:\n  backend: argo\n  defaults:\n    env:\n      LOG_LEVEL: debug\n      AWS_SECRET_ACCESS_KEY: abc123xyz\n      KEY_ID: AKIAABCDEFGHIJKLMNOP\n      API_TOKEN: {secret: api, key: token}\n",
    );
    std::fs::write(root.join("env.yaml"), "db:\n  password: hunter2\n").unwrap();
    let (code, out, err) = export(&root, "t");
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("env 'AWS_SECRET_ACCESS_KEY' is a literal that looks like a credential"),
        "{err}"
    );
    assert!(
        err.contains(
            "AWS_SECRET_ACCESS_KEY: {secret: aws-secret-access-key, key: aws_secret_access_key}"
        ),
        "{err}"
    );
    assert!(
        err.contains("'KEY_ID'") && err.contains("AWS access key id"),
        "{err}"
    );
    assert!(!err.contains("LOG_LEVEL"), "{err}");
    assert!(
        !err.contains("'API_TOKEN'"),
        "a secret reference is not a finding: {err}"
    );
    assert!(
        err.contains("env.yaml:2: 'db.password' in the env file looks like a credential"),
        "{err}"
    );
    assert!(
        !err.contains("hunter2") && !err.contains("abc123xyz"),
        "values are never printed: {err}"
    );
    // the reference stays a reference: no value of the secret in the spec
    assert!(out.contains("secretKeyRef"));
}

#[test]
fn kind_flag_exports_templates_and_crons_for_argo_only() {
    let (_tmp, root) = project(
        "t:\n  backend: argo\n  schedule: \"0 3 * * *\"\n  kind: cron\ns:\n  backend: slurm\n",
    );
    let (code, out, err) = export(&root, "t");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\n"),
        "{out}"
    );
    let out = run(
        &root,
        &[
            "export", "t", "--mode", "regular", "--kind", "template", "--output", "-",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a schedule on a template is refused: {err}"
    );
    assert!(err.contains("schedule applies to CronWorkflows"), "{err}");
    let out = run(
        &root,
        &["export", "s", "--mode", "regular", "--kind", "cron"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--kind does not apply to the slurm backend"),
        "{err}"
    );
}

/// A generated project of `n` script tasks `t0`..: a binary tree (`t{i}` reads
/// `t{(i-1)/2}`), with `soopervisor.yaml` set to `config`.
fn generated(n: usize, config: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("gen");
    std::fs::create_dir_all(root.join("scripts")).unwrap();
    let mut pipeline = String::from("tasks:\n");
    for i in 0..n {
        pipeline.push_str(&format!(
            "  - source: scripts/t{i}.py\n    product: out/t{i}.ipynb\n"
        ));
        let up = if i == 0 {
            "None".to_string()
        } else {
            format!("['t{}']", (i - 1) / 2)
        };
        std::fs::write(
            root.join(format!("scripts/t{i}.py")),
            format!("# %% tags=[\"parameters\"]\nupstream = {up}\n\n# %%\nprint({i})\n"),
        )
        .unwrap();
    }
    std::fs::write(root.join("pipeline.yaml"), pipeline).unwrap();
    std::fs::write(
        root.join("environment.yml"),
        "name: gen\ndependencies:\n  - pip\n  - pip:\n    - ploomber\n",
    )
    .unwrap();
    std::fs::write(root.join("soopervisor.yaml"), config).unwrap();
    (tmp, root)
}

/// The leaf DAG tasks of an Argo spec: (Ploomber name, template, parameters).
fn argo_nodes(spec: &serde_json::Value) -> Vec<(String, serde_json::Value, serde_json::Value)> {
    let templates = spec["spec"]["templates"].as_array().unwrap();
    let by_name = |n: &str| templates.iter().find(|t| t["name"] == n).unwrap().clone();
    let mut out = Vec::new();
    for node in templates
        .iter()
        .flat_map(|t| t["dag"]["tasks"].as_array().cloned().unwrap_or_default())
    {
        let tpl = by_name(node["template"].as_str().unwrap());
        if tpl.get("script").is_none() {
            continue;
        }
        let args = node["arguments"].clone();
        let name = args["parameters"][0]["value"].as_str().unwrap().to_string();
        out.push((name, tpl, args));
    }
    out
}

fn param<'a>(args: &'a serde_json::Value, name: &str) -> &'a str {
    args["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no parameter {name} in {args}"))["value"]
        .as_str()
        .unwrap()
}

#[test]
fn argo_passes_hundreds_of_distinct_settings_as_parameters() {
    let mut config = String::from("t:\n  backend: argo\n  tasks:\n");
    for i in 0..250 {
        config.push_str(&format!(
            "    t{i}: {{cpu: {}m, timeout: {}s, labels: {{idx: i{i}}}}}\n",
            i + 1,
            i + 60
        ));
    }
    let (_tmp, root) = generated(250, &config);
    let (code, out, err) = export(&root, "t");
    assert_eq!(code, 0, "{err}");
    let spec: serde_json::Value = serde_yaml::from_str(&out).unwrap();
    let nodes = argo_nodes(&spec);
    assert_eq!(nodes.len(), 250);
    let shared: std::collections::BTreeSet<String> = nodes
        .iter()
        .map(|(_, t, _)| t["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(shared.len(), 1, "one kind of settings: {shared:?}");
    for (task, tpl, args) in &nodes {
        let i: usize = task.trim_start_matches('t').parse().unwrap();
        let resources: serde_json::Value = serde_json::from_str(param(args, "resources")).unwrap();
        assert_eq!(resources["limits"]["cpu"], format!("{}m", i + 1));
        assert_eq!(resources["requests"], resources["limits"]);
        assert_eq!(param(args, "timeout"), (i + 60).to_string());
        assert_eq!(param(args, "label-0"), format!("i{i}"));
        assert_eq!(
            tpl["metadata"]["labels"]["idx"],
            "{{inputs.parameters.label-0}}"
        );
        assert_eq!(
            tpl["activeDeadlineSeconds"],
            "{{inputs.parameters.timeout}}"
        );
    }
}

#[test]
fn argo_fetch_exports_hundreds_of_tasks_with_shared_templates() {
    let config = "t:\n  backend: argo\n  storage: fetch\n  code: {kind: image, repository: registry.example.com/team/gen}\n";
    let (_tmp, root) = generated(300, config);
    let out = run(&root, &["export", "t", "--mode", "regular"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let text = std::fs::read_to_string(root.join("t/argo.yaml")).unwrap();
    let spec: serde_json::Value = serde_yaml::from_str(&text).unwrap();
    assert!(spec["spec"]["templates"].as_array().unwrap().len() <= 200);
    let nodes = argo_nodes(&spec);
    assert_eq!(nodes.len(), 300);
    for (task, tpl, args) in &nodes {
        let i: usize = task.trim_start_matches('t').parse().unwrap();
        // its own product and metadata, by parameter
        assert_eq!(param(args, "output-0"), format!("out/t{i}.ipynb"));
        assert_eq!(param(args, "output-1"), format!("out/.t{i}.ipynb.metadata"));
        assert!(tpl["outputs"]["artifacts"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with("/{{inputs.parameters.output-0}}"));
        // its upstream task's product and metadata, each passed as an artifact
        let passed = args["artifacts"].as_array().map(Vec::len).unwrap_or(0);
        assert_eq!(passed, if i == 0 { 0 } else { 2 }, "{task}");
        if i > 0 {
            let up = (i - 1) / 2;
            assert_eq!(param(args, "input-1"), format!("out/.t{up}.ipynb.metadata"));
            assert_eq!(param(args, "input-0"), format!("out/t{up}.ipynb"), "{task}");
        }
    }
}
