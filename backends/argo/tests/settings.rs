//! Production settings on Argo: every key mapped into the spec (snapshot), tasks with
//! equal settings sharing a template, the template limit, the split and fetch layouts,
//! refusals at their line, and a property: any valid settings file gives a spec that
//! lints and reads back. With `SOOPERVISOR_ARGO_OUT`, the specs are written for
//! `tests/argo-validate.sh` (the real validator, warnings as errors).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::*;
use proptest::prelude::*;
use serde_json::{json, Value};
use soopervisor_argo::ArgoConfig;
use soopervisor_core::backend::{BackendConfig, Export, ExportTarget, OutputFormat};
use soopervisor_core::plan::{Mode, Plan};

/// `plan` with the settings of section `t` of `yaml` (a whole soopervisor.yaml).
fn with_settings(plan: Plan, yaml: &str) -> Result<Plan, String> {
    let file = Path::new("/home/user/project/soopervisor.yaml");
    soopervisor_core::testing::with_settings(plan, yaml, "t", file).map_err(|e| e.to_string())
}

fn cfg(extra: Value) -> ArgoConfig {
    serde_json::from_value(extra).unwrap()
}

fn export(cfg: &ArgoConfig, plan: &Plan, format: OutputFormat) -> anyhow::Result<Export> {
    cfg.check(plan)?;
    cfg.export(
        plan,
        &ExportTarget::new(PathBuf::from("/home/user/project")).with_format(format),
    )
}

/// YAML and JSON of the export (they must say the same), written for the validator.
fn yaml_of(name: &str, cfg: &ArgoConfig, plan: &Plan) -> String {
    let yaml = export(cfg, plan, OutputFormat::Yaml).unwrap();
    let json = export(cfg, plan, OutputFormat::Json).unwrap();
    let text = String::from_utf8(yaml.files[0].contents().to_vec()).unwrap();
    let back: Value = serde_yaml::from_str(&text).unwrap();
    let direct: Value = serde_json::from_slice(json.files[0].contents()).unwrap();
    assert_eq!(back, direct);
    write_for_validator(name, &yaml, &json);
    text
}

fn write_for_validator(name: &str, yaml: &Export, json: &Export) {
    if let Ok(dir) = std::env::var("SOOPERVISOR_ARGO_OUT") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (out, ext) in [(yaml, "yaml"), (json, "json")] {
            std::fs::write(dir.join(format!("{name}.{ext}")), out.files[0].contents()).unwrap();
            if let Some(parts) = out.files.get(1) {
                std::fs::write(
                    dir.join(format!("{name}-templates.{ext}")),
                    parts.contents(),
                )
                .unwrap();
            }
        }
    }
}

fn templates(text: &str) -> Vec<Value> {
    let v: Value = serde_yaml::from_str(text).unwrap();
    v["spec"]["templates"].as_array().unwrap().clone()
}

fn template<'a>(all: &'a [Value], name: &str) -> &'a Value {
    all.iter().find(|t| t["name"] == name).unwrap()
}

/// Which template each DAG task runs, by Ploomber name.
fn routing(all: &[Value]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = all
        .iter()
        .flat_map(|t| t["dag"]["tasks"].as_array().cloned().unwrap_or_default())
        .filter_map(|n| {
            let task = n["arguments"]["parameters"][0]["value"]
                .as_str()?
                .to_string();
            Some((task, n["template"].as_str()?.to_string()))
        })
        .collect();
    out.sort();
    out
}

const EVERY_KEY: &str = r#"
t:
  backend: argo
  defaults:
    cpu: 500m
    memory: 2Gi
    retries: 2
    timeout: 1h
    labels: {team: data}
    annotations: {owner: "ana@example.com"}
    env:
      LOG_LEVEL: debug
      API_TOKEN: {secret: api-credentials, key: token}
  tasks:
    train:
      cpu: 8
      memory: 32Gi
      gpu: 1
      timeout: 6h
      node_selector: {cloud.google.com/gke-nodepool: gpu-pool}
      tolerations:
        - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
        - {key: spot, value: "true", effect: NoExecute, toleration_seconds: 300}
      priority: high-priority
    "clean*": {retries: 5, retry_backoff: 30s, gpu: {count: 2, resource: amd.com/gpu}}
"#;

#[test]
fn every_setting_reaches_the_spec() {
    let plan = with_settings(diamond(Mode::Regular), EVERY_KEY).unwrap();
    let cfg = cfg(json!({
        "service_account": "runner", "parallelism": 4,
        "image_pull_secrets": ["registry-credentials"], "pod_gc": "OnPodSuccess",
        "ttl": {"after_success": "1h", "after_failure": "7d"}
    }));
    let text = yaml_of("settings-every-key", &cfg, &plan);
    insta::assert_snapshot!("every_key", text);
    let all = templates(&text);
    // templates in order of first use: load (defaults), clean, train
    assert_eq!(
        routing(&all),
        [
            ("clean".into(), "run-task-2".into()),
            ("features".into(), "run-task".into()),
            ("load".into(), "run-task".into()),
            ("train".into(), "run-task-3".into()),
        ]
    );
    let train = template(&all, "run-task-3");
    let res = &train["script"]["resources"];
    assert_eq!(res["requests"], res["limits"]);
    assert_eq!(res["limits"]["cpu"], "8");
    assert_eq!(res["limits"]["memory"], "32Gi");
    assert_eq!(res["limits"]["nvidia.com/gpu"], "1");
    assert_eq!(train["activeDeadlineSeconds"], 21600);
    assert_eq!(train["retryStrategy"]["limit"], 2);
    assert_eq!(train["priorityClassName"], "high-priority");
    let clean = template(&all, "run-task-2");
    assert_eq!(clean["script"]["resources"]["limits"]["amd.com/gpu"], "2");
    assert_eq!(clean["retryStrategy"]["backoff"]["duration"], "30s");
    let env = clean["script"]["env"].as_array().unwrap();
    let token = env.iter().find(|e| e["name"] == "API_TOKEN").unwrap();
    assert_eq!(
        token["valueFrom"]["secretKeyRef"]["name"],
        "api-credentials"
    );
    assert!(
        token.get("value").is_none(),
        "a secret's value never enters the spec"
    );
    let v: Value = serde_yaml::from_str(&text).unwrap();
    assert_eq!(v["spec"]["ttlStrategy"]["secondsAfterFailure"], 7 * 86_400);
    assert_eq!(v["spec"]["podGC"]["strategy"], "OnPodSuccess");
}

#[test]
fn without_settings_the_spec_is_unchanged_and_equal_settings_share_one_template() {
    let cfg = ArgoConfig::default();
    let plain = yaml_of("settings-none", &cfg, &diamond(Mode::Regular));
    let empty = with_settings(diamond(Mode::Regular), "t:\n  backend: argo\n").unwrap();
    assert_eq!(yaml_of("settings-empty", &cfg, &empty), plain);
    let same = with_settings(
        diamond(Mode::Regular),
        "t:\n  defaults: {cpu: 1}\n  tasks:\n    train: {cpu: 1}\n",
    )
    .unwrap();
    let text = yaml_of("settings-same", &cfg, &same);
    let all = templates(&text);
    assert_eq!(all.len(), 2, "the DAG and one run-task");
    assert!(routing(&all).iter().all(|(_, t)| t == "run-task"));
}

/// A chain of `n` tasks, each with its own pattern (n distinct settings).
fn distinct(n: usize) -> Result<Plan, String> {
    let names: Vec<String> = (0..n).map(|i| format!("t{i}")).collect();
    let tasks = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let up: Vec<&str> = if i == 0 {
                vec![]
            } else {
                vec![names[i - 1].as_str()]
            };
            task(name, &up)
        })
        .collect();
    let mut yaml = String::from("t:\n  tasks:\n");
    for (i, name) in names.iter().enumerate() {
        yaml.push_str(&format!("    {name}: {{cpu: {}m}}\n", i + 1));
    }
    with_settings(plan(project("many"), Mode::Regular, tasks), &yaml)
}

/// A chain of `n` tasks whose settings all differ in their values, in four
/// combinations of keys and label names.
fn distinct_rich(n: usize) -> Plan {
    let names: Vec<String> = (0..n).map(|i| format!("t{i}")).collect();
    let tasks = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let up: Vec<&str> = if i == 0 {
                vec![]
            } else {
                vec![names[i - 1].as_str()]
            };
            task(name, &up)
        })
        .collect();
    let mut yaml = String::from(
        "t:\n  defaults: {memory: 1Gi, env: {TOKEN: {secret: creds, key: token}}}\n  tasks:\n",
    );
    for (i, name) in names.iter().enumerate() {
        let mut keys = vec![
            format!("cpu: {}m", i + 1),
            format!("env: {{LEVEL: \"level '{i}' \\\"q\\\"\"}}"),
            format!("labels: {{team: t{i}}}"),
        ];
        match i % 4 {
            0 => keys.push(format!("retries: {}, retry_backoff: {}s", i % 7 + 1, i + 1)),
            1 => keys.push(format!("timeout: {}s, gpu: {}", i + 60, i % 3 + 1)),
            2 => keys.push(format!(
                "node_selector: {{pool: p{i}}}, tolerations: [{{key: k{i}, operator: Exists, effect: NoSchedule}}], priority: prio-{i}"
            )),
            _ => keys.push(format!("annotations: {{note: \"n {i}\"}}, labels: {{team: t{i}, tier: x{i}}}")),
        }
        yaml.push_str(&format!("    {name}: {{{}}}\n", keys.join(", ")));
    }
    with_settings(plan(project("many"), Mode::Regular, tasks), &yaml).unwrap()
}

/// `value` with every `{{inputs.parameters.X}}` replaced by `params[X]`, as Argo
/// substitutes a template's inputs before it creates the pod.
fn substitute(value: &Value, params: &std::collections::HashMap<String, String>) -> Value {
    match value {
        Value::String(s) => {
            let mut out = s.clone();
            for (k, v) in params {
                out = out.replace(&format!("{{{{inputs.parameters.{k}}}}}"), v);
            }
            assert!(!out.contains("{{inputs."), "unresolved: {out}");
            Value::String(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|v| substitute(v, params)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), substitute(v, params)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// What each task's pod gets, read from the spec as Argo would build it: the task's
/// template with its arguments substituted and its `podSpecPatch` applied to the main
/// container (env merged by name). Keys: resources, env (without PLOOMBER_TASK),
/// nodeSelector, tolerations, priorityClassName, retries, backoff, timeout, labels,
/// annotations.
fn effective(all: &[Value]) -> std::collections::BTreeMap<String, Value> {
    let mut out = std::collections::BTreeMap::new();
    for node in all
        .iter()
        .flat_map(|t| t["dag"]["tasks"].as_array().cloned().unwrap_or_default())
    {
        let tpl = template(all, node["template"].as_str().unwrap());
        if tpl.get("dag").is_some() {
            continue; // a chunk of a nested DAG
        }
        let params: std::collections::HashMap<String, String> = node["arguments"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap().to_string(),
                    p["value"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let declared: BTreeSet<&str> = tpl["inputs"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(declared, params.keys().map(String::as_str).collect());
        let t = substitute(tpl, &params);
        let patch: Value = t["podSpecPatch"]
            .as_str()
            .map(|p| serde_json::from_str(p).unwrap())
            .unwrap_or(json!({}));
        let main = &patch["containers"][0];
        if !main.is_null() {
            assert_eq!(main["name"], "main");
        }
        let mut env: Vec<Value> = t["script"]["env"].as_array().unwrap().clone();
        for e in main["env"].as_array().cloned().unwrap_or_default() {
            env.retain(|x| x["name"] != e["name"]);
            env.push(e);
        }
        env.retain(|x| x["name"] != "PLOOMBER_TASK");
        env.sort_by_key(|e| e["name"].as_str().unwrap().to_string());
        let or = |a: &Value, b: &Value| if a.is_null() { b.clone() } else { a.clone() };
        let int = |v: &Value| match v {
            Value::String(s) => json!(s.parse::<u64>().unwrap()),
            other => other.clone(),
        };
        let task = params["task_name"].clone();
        out.insert(
            task,
            json!({
                "resources": or(&main["resources"], &t["script"]["resources"]),
                "env": env,
                "nodeSelector": or(&patch["nodeSelector"], &t["nodeSelector"]),
                "tolerations": or(&patch["tolerations"], &t["tolerations"]),
                "priorityClassName": or(&patch["priorityClassName"], &t["priorityClassName"]),
                "retries": int(&t["retryStrategy"]["limit"]),
                "backoff": t["retryStrategy"]["backoff"]["duration"],
                "timeout": int(&t["activeDeadlineSeconds"]),
                "labels": t["metadata"]["labels"],
                "annotations": t["metadata"]["annotations"],
            }),
        );
    }
    out
}

/// What `s` asks for, in the terms of [`effective`] (written out here, not taken
/// from the backend).
fn expected(s: &soopervisor_core::settings::TaskSettings) -> Value {
    use soopervisor_core::settings::EnvValue;
    let mut q = serde_json::Map::new();
    if let Some(c) = s.cpu_quantity() {
        q.insert("cpu".into(), json!(c));
    }
    if let Some(m) = s.memory_quantity() {
        q.insert("memory".into(), json!(m));
    }
    if let Some(g) = s.gpu.as_ref().filter(|g| g.count > 0) {
        q.insert(
            g.resource.clone().unwrap_or("nvidia.com/gpu".into()),
            json!(g.count.to_string()),
        );
    }
    let env: Vec<Value> = s
        .env
        .iter()
        .map(|(k, v)| match v {
            EnvValue::Literal(v) => json!({"name": k, "value": v}),
            EnvValue::Secret { secret, key } => {
                json!({"name": k, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}})
            }
        })
        .collect();
    let nonempty = |v: Value| match &v {
        Value::Object(o) if o.is_empty() => Value::Null,
        Value::Array(a) if a.is_empty() => Value::Null,
        _ => v,
    };
    let retries = s.retries.filter(|r| *r > 0);
    json!({
        "resources": if q.is_empty() { Value::Null } else { json!({"requests": q, "limits": q}) },
        "env": env,
        "nodeSelector": nonempty(json!(s.node_selector)),
        "tolerations": nonempty(Value::Array(s.tolerations.iter().map(|t| {
            let mut o = serde_json::Map::new();
            for (k, v) in [("key", &t.key), ("operator", &t.operator), ("value", &t.value), ("effect", &t.effect)] {
                if let Some(v) = v { o.insert(k.into(), json!(v)); }
            }
            if let Some(ts) = t.toleration_seconds { o.insert("tolerationSeconds".into(), json!(ts)); }
            Value::Object(o)
        }).collect())),
        "priorityClassName": match &s.priority {
            Some(soopervisor_core::settings::Priority::Class(c)) => json!(c),
            _ => Value::Null,
        },
        "retries": retries.map(|r| json!(r)).unwrap_or(Value::Null),
        "backoff": retries.and(s.retry_backoff).map(|d| json!(format!("{}s", d.as_secs()))).unwrap_or(Value::Null),
        "timeout": s.timeout.map(|d| json!(d.as_secs())).unwrap_or(Value::Null),
        "labels": nonempty(json!(s.labels)),
        "annotations": nonempty(json!(s.annotations)),
    })
}

#[test]
fn distinct_settings_beyond_the_template_limit_become_parameters() {
    let cfg = ArgoConfig::default();
    // up to the limit: one template per setting, as before
    let text = yaml_of("settings-many", &cfg, &distinct(150).unwrap());
    assert_eq!(templates(&text).len(), 151);
    assert!(!text.contains("podSpecPatch"));
    // 500 settings: one shared template per combination of keys and label names
    let plan = distinct_rich(500);
    let text = yaml_of("settings-500", &cfg, &plan);
    let all = templates(&text);
    let scripts = all.iter().filter(|t| t.get("script").is_some()).count();
    assert_eq!(
        scripts, 4,
        "one template per combination of keys and label names"
    );
    let got = effective(&all);
    assert_eq!(got.len(), 500);
    for (task, pod) in &got {
        assert_eq!(pod, &expected(plan.settings(task)), "{task}");
    }
    // the copies layout reads back the same way (the reader is not tailored to one)
    let small = distinct_rich(12);
    let text = yaml_of("settings-12", &cfg, &small);
    assert!(!text.contains("podSpecPatch"));
    for (task, pod) in effective(&templates(&text)) {
        assert_eq!(pod, expected(small.settings(&task)), "{task}");
    }
}

#[test]
fn each_part_of_a_split_pipeline_picks_copies_or_parameters_for_itself() {
    // 300 distinct settings in parts of 250 and 50: the first part passes them as
    // parameters, the second keeps one template per setting
    let plan = distinct_rich(300);
    let cfg = cfg(json!({"max_tasks_per_workflow": 250}));
    let yaml = export(&cfg, &plan, OutputFormat::Yaml).unwrap();
    let json = export(&cfg, &plan, OutputFormat::Json).unwrap();
    write_for_validator("settings-split-300", &yaml, &json);
    let parts: Vec<Value> = serde_yaml::Deserializer::from_slice(yaml.files[1].contents())
        .map(|d| Value::deserialize(d).unwrap())
        .collect();
    assert_eq!(parts.len(), 2);
    let mut seen = 0;
    for (i, part) in parts.iter().enumerate() {
        let all = part["spec"]["templates"].as_array().unwrap();
        let patched = all.iter().any(|t| t.get("podSpecPatch").is_some());
        assert_eq!(patched, i == 0, "part {i}");
        for (task, pod) in effective(all) {
            assert_eq!(pod, expected(plan.settings(&task)), "{task}");
            seen += 1;
        }
    }
    assert_eq!(seen, 300);
}

#[test]
fn split_parts_carry_the_templates_of_their_tasks() {
    let plan = with_settings(
        big(60),
        "t:\n  defaults: {cpu: 1}\n  tasks:\n    \"leaf_*\": {memory: 1Gi}\n",
    )
    .unwrap();
    let cfg = cfg(json!({"max_tasks_per_workflow": 25}));
    let yaml = export(&cfg, &plan, OutputFormat::Yaml).unwrap();
    let json = export(&cfg, &plan, OutputFormat::Json).unwrap();
    write_for_validator("settings-split", &yaml, &json);
    let parts: Vec<Value> = serde_yaml::Deserializer::from_slice(yaml.files[1].contents())
        .map(|d| Value::deserialize(d).unwrap())
        .collect();
    assert!(parts.len() >= 3);
    for part in &parts {
        let all = part["spec"]["templates"].as_array().unwrap();
        for (task, t) in routing(all) {
            let wanted_memory = task.starts_with("leaf_");
            let tpl = template(all, &t);
            assert_eq!(tpl["script"]["resources"]["limits"]["cpu"], "1");
            assert_eq!(
                tpl["script"]["resources"]["limits"].get("memory").is_some(),
                wanted_memory,
                "{task}"
            );
        }
    }
}

use serde::Deserialize;

#[test]
fn fetch_exports_apply_each_tasks_settings_to_its_template() {
    let tmp = tempfile::tempdir().unwrap();
    let mut plan = with_settings(diamond(Mode::Regular), EVERY_KEY).unwrap();
    plan.project.root = tmp.path().to_path_buf();
    let cfg = cfg(
        json!({"storage": "fetch", "code": {"kind": "git", "repo": "https://github.com/example/ml.git", "revision": "1234abcd1234abcd1234abcd1234abcd1234abcd"}}),
    );
    let text = yaml_of("settings-fetch", &cfg, &plan);
    let all = templates(&text);
    let train = template(&all, "run-train");
    assert_eq!(train["script"]["resources"]["limits"]["cpu"], "8");
    let load = template(&all, "run-load");
    assert_eq!(load["script"]["resources"]["limits"]["cpu"], "500m");
}

#[test]
fn what_argo_cannot_honour_is_refused_at_its_line() {
    for (yaml, line, phrase) in [
        (
            "t:\n  defaults:\n    queue: fast\n",
            3,
            "cannot honour the setting 'queue'",
        ),
        (
            "t:\n  tasks:\n    train:\n      partition: gpu\n",
            4,
            "'partition'",
        ),
        (
            "t:\n  tasks:\n    train:\n      gpu: {count: 1, type: a100}\n",
            4,
            "not by type",
        ),
        (
            "t:\n  defaults: {priority: 10}\n",
            2,
            "no numeric pod priority",
        ),
        (
            "t:\n  defaults:\n    env: {PLOOMBER_TASK: x}\n",
            3,
            "reserved",
        ),
        (
            "t:\n  defaults:\n    env: {A: \"{{x}}\"}\n",
            3,
            "template expression",
        ),
    ] {
        let plan = with_settings(diamond(Mode::Regular), yaml).unwrap();
        let refused = ArgoConfig::default().check(&plan);
        soopervisor_core::testing::assert_refused_at(refused, yaml, line, phrase);
    }
}

#[test]
fn workflow_keys_are_checked() {
    for (extra, phrase) in [
        (
            json!({"pod_gc": "Sometimes"}),
            "not an Argo pod GC strategy",
        ),
        (json!({"parallelism": 0}), "at least 1"),
        (
            json!({"ttl": {"after_success": "soon"}}),
            "ttl.after_success",
        ),
        (json!({"image_pull_secrets": ["Bad_Name"]}), "secret name"),
    ] {
        let err = cfg(extra)
            .check(&diamond(Mode::Regular))
            .unwrap_err()
            .to_string();
        assert!(err.contains(phrase), "{err}");
    }
}

/// A valid settings block, in YAML, from arbitrary choices.
fn block() -> impl Strategy<Value = String> {
    let cpu = prop_oneof![
        (1u32..64).prop_map(|c| c.to_string()),
        (1u32..4000).prop_map(|m| format!("{m}m"))
    ];
    let memory = prop_oneof![
        (1u32..512).prop_map(|g| format!("{g}Gi")),
        (64u32..4096).prop_map(|m| format!("{m}Mi")),
        (1u32..100).prop_map(|g| format!("{g}G"))
    ];
    let duration = prop_oneof![
        (1u32..3600).prop_map(|s| format!("{s}s")),
        (1u32..48).prop_map(|h| format!("{h}h")),
        (1u32..30).prop_map(|d| format!("{d}d")),
        (1u32..24, 1u32..60).prop_map(|(h, m)| format!("{h}h{m}m"))
    ];
    let label = "[a-z][a-z0-9-]{0,10}[a-z0-9]";
    (
        proptest::option::of(cpu),
        proptest::option::of(memory),
        proptest::option::of(0u32..8),
        proptest::option::of(0u32..10),
        proptest::option::of(duration.clone()),
        proptest::option::of(duration),
        proptest::collection::btree_map(label, label, 0..3),
        proptest::collection::btree_map("[A-Z][A-Z0-9_]{0,8}", "[ -z|~]{0,20}", 0..3),
        proptest::option::of(label),
    )
        .prop_map(
            |(cpu, mem, gpu, retries, backoff, timeout, labels, env, prio)| {
                let mut keys = Vec::new();
                if let Some(c) = cpu {
                    keys.push(format!("cpu: {c}"));
                }
                if let Some(m) = mem {
                    keys.push(format!("memory: {m}"));
                }
                if let Some(g) = gpu {
                    keys.push(format!("gpu: {g}"));
                }
                if let Some(r) = retries {
                    keys.push(format!("retries: {r}"));
                    if let Some(b) = backoff {
                        keys.push(format!("retry_backoff: {b}"));
                    }
                }
                if let Some(t) = timeout {
                    keys.push(format!("timeout: {t}"));
                }
                let map = |m: &std::collections::BTreeMap<String, String>| {
                    let items: Vec<String> = m
                        .iter()
                        .map(|(k, v)| {
                            // both quoted: a generated `no` or `on` is a YAML boolean
                            let quote = |s: &String| serde_json::to_string(s).unwrap();
                            format!("{}: {}", quote(k), quote(v))
                        })
                        .collect();
                    format!("{{{}}}", items.join(", "))
                };
                if !labels.is_empty() {
                    keys.push(format!("labels: {}", map(&labels)));
                    keys.push(format!("node_selector: {}", map(&labels)));
                    keys.push(format!("annotations: {}", map(&labels)));
                }
                if !env.is_empty() {
                    keys.push(format!("env: {}", map(&env)));
                }
                if let Some(p) = prio {
                    // quoted: a generated `no` or `off` would read as a boolean (refused
                    // with its own error, tested elsewhere)
                    keys.push(format!("priority: {}", serde_json::to_string(&p).unwrap()));
                }
                format!("{{{}}}", keys.join(", "))
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_valid_settings_file_gives_a_spec_that_lints(
        defaults in block(),
        patterns in proptest::collection::vec((prop::sample::select(vec!["load", "clean", "feat*", "train", "*"]), block()), 0..4),
    ) {
        let mut yaml = format!("t:\n  backend: argo\n  defaults: {defaults}\n  tasks:\n");
        let mut seen = std::collections::HashSet::new();
        for (p, b) in &patterns {
            if seen.insert(*p) {
                yaml.push_str(&format!("    \"{p}\": {b}\n"));
            }
        }
        let plan = with_settings(diamond(Mode::Regular), &yaml).unwrap();
        // `export` lints the Workflow (names, references, limits) before encoding
        let yaml_out = export(&ArgoConfig::default(), &plan, OutputFormat::Yaml).unwrap();
        let json_out = export(&ArgoConfig::default(), &plan, OutputFormat::Json).unwrap();
        let text = String::from_utf8(yaml_out.files[0].contents().to_vec()).unwrap();
        let back: Value = serde_yaml::from_str(&text).unwrap();
        let direct: Value = serde_json::from_slice(json_out.files[0].contents()).unwrap();
        prop_assert_eq!(&back, &direct);
        // every task runs a template that exists and carries exactly its settings
        let all = templates(&text);
        for (task, t) in routing(&all) {
            let tpl = template(&all, &t);
            let s = plan.settings(&task);
            prop_assert_eq!(
                tpl["script"]["resources"]["limits"]["cpu"].as_str().map(str::to_string),
                s.cpu_quantity()
            );
            prop_assert_eq!(tpl["activeDeadlineSeconds"].as_u64(), s.timeout.map(|d| d.as_secs()));
        }
        let name = format!("settings-prop-{}", soopervisor_core::output::names::short_hash(&yaml, 8));
        write_for_validator(&name, &yaml_out, &json_out);
    }
}
