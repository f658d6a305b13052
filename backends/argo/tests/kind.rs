//! `kind: workflow|template|cron` (`--kind`): the same Workflow wrapped as a
//! WorkflowTemplate or a CronWorkflow (snapshots), split pipelines, the next steps, and
//! the checks of the scheduling keys. With `SOOPERVISOR_ARGO_OUT`, the specs are written
//! for `tests/argo-validate.sh`.

mod common;

use std::path::PathBuf;

use common::*;
use serde_json::{json, Value};
use soopervisor_argo::ArgoConfig;
use soopervisor_core::backend::{BackendConfig, Export, ExportTarget, OutputFormat};
use soopervisor_core::plan::{Mode, Plan};

fn cfg(v: Value) -> ArgoConfig {
    serde_json::from_value(v).unwrap()
}

fn export(cfg: &ArgoConfig, plan: &Plan, format: OutputFormat) -> anyhow::Result<Export> {
    cfg.check(plan)?;
    cfg.export(
        plan,
        &ExportTarget::new(PathBuf::from("/home/user/project")).with_format(format),
    )
}

/// The YAML (equal to the JSON), written for the validator under `name`.
fn yaml_of(name: &str, cfg: &ArgoConfig, plan: &Plan) -> (String, Export) {
    let yaml = export(cfg, plan, OutputFormat::Yaml).unwrap();
    let json = export(cfg, plan, OutputFormat::Json).unwrap();
    let text = String::from_utf8(yaml.files[0].contents().to_vec()).unwrap();
    let back: Value = serde_yaml::from_str(&text).unwrap();
    let direct: Value = serde_json::from_slice(json.files[0].contents()).unwrap();
    assert_eq!(back, direct);
    if let Ok(dir) = std::env::var("SOOPERVISOR_ARGO_OUT") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (out, ext) in [(&yaml, "yaml"), (&json, "json")] {
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
    (text, yaml)
}

#[test]
fn a_template_is_the_workflow_with_a_name() {
    let plan = diamond(Mode::Regular);
    let (wf, _) = yaml_of("kind-workflow", &ArgoConfig::default(), &plan);
    let (text, out) = yaml_of("kind-template", &cfg(json!({"kind": "template"})), &plan);
    insta::assert_snapshot!("template", text);
    let t: Value = serde_yaml::from_str(&text).unwrap();
    let w: Value = serde_yaml::from_str(&wf).unwrap();
    assert_eq!(t["kind"], "WorkflowTemplate");
    assert_eq!(t["metadata"]["name"], "ml-basic");
    assert!(t["metadata"].get("generateName").is_none());
    assert_eq!(t["spec"], w["spec"]);
    assert_eq!(
        out.next_steps.last().unwrap(),
        "argo submit -n argo --from workflowtemplate/ml-basic"
    );
}

#[test]
fn a_cron_workflow_runs_the_spec_on_its_schedules() {
    let plan = diamond(Mode::Regular);
    let c = cfg(
        json!({"kind": "cron", "schedule": "0 3 * * *", "schedules": ["@hourly"],
                       "timezone": "Europe/Madrid", "concurrency_policy": "Forbid"}),
    );
    let (text, out) = yaml_of("kind-cron", &c, &plan);
    insta::assert_snapshot!("cron", text);
    let v: Value = serde_yaml::from_str(&text).unwrap();
    assert_eq!(v["kind"], "CronWorkflow");
    assert_eq!(v["spec"]["schedules"], json!(["0 3 * * *", "@hourly"]));
    assert_eq!(v["spec"]["workflowSpec"]["entrypoint"], "dag");
    assert!(out
        .next_steps
        .last()
        .unwrap()
        .starts_with("argo cron create -n argo "));
}

#[test]
fn split_pipelines_keep_their_parts_as_templates() {
    let plan = big(60);
    for kind in ["template", "cron"] {
        let c = cfg(
            json!({"kind": kind, "schedule": if kind == "cron" { json!("@daily") } else { Value::Null },
                           "max_tasks_per_workflow": 25}),
        );
        let (text, out) = yaml_of(&format!("kind-{kind}-split"), &c, &plan);
        let v: Value = serde_yaml::from_str(&text).unwrap();
        assert_ne!(v["kind"], "Workflow");
        assert_eq!(out.files.len(), 2, "{kind}: the parts file");
    }
}

#[test]
fn scheduling_keys_are_checked() {
    let plan = diamond(Mode::Regular);
    for (v, phrase) in [
        (json!({"kind": "cron"}), "needs a schedule"),
        (
            json!({"kind": "cron", "schedule": "every day"}),
            "not a cron schedule",
        ),
        (json!({"schedule": "@daily"}), "applies to CronWorkflows"),
        (
            json!({"kind": "cron", "schedule": "@daily", "concurrency_policy": "Queue"}),
            "not one of Argo's",
        ),
        (
            json!({"kind": "cron", "schedule": "@daily", "timezone": "Mars Time"}),
            "IANA",
        ),
    ] {
        let err = export(&cfg(v.clone()), &plan, OutputFormat::Yaml)
            .unwrap_err()
            .to_string();
        assert!(err.contains(phrase), "{v}: {err}");
    }
}
