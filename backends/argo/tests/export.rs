//! Snapshots of the exported Workflow for hand-built plans, determinism, formats,
//! config keys and refusals.

mod common;

use std::path::PathBuf;

use common::*;
use soopervisor_argo::ArgoConfig;
use soopervisor_core::backend::{BackendConfig, ExportTarget, OutputFormat};
use soopervisor_core::plan::{Mode, Plan};

fn target(format: OutputFormat) -> ExportTarget {
    ExportTarget::new(PathBuf::from("/home/user/project")).with_format(format)
}

fn yaml_of(cfg: &ArgoConfig, plan: &Plan) -> String {
    let out = cfg.export(plan, &target(OutputFormat::Yaml)).unwrap();
    assert_eq!(out.files.len(), 1);
    assert_eq!(out.files[0].path(), PathBuf::from("argo.yaml"));
    let text = String::from_utf8(out.files[0].contents().to_vec()).unwrap();
    // the YAML must say exactly what the JSON says
    let back: serde_json::Value = serde_yaml::from_str(&text).unwrap();
    let json = cfg.export(plan, &target(OutputFormat::Json)).unwrap();
    maybe_write(plan, &text, json.files[0].contents());
    let direct: serde_json::Value = serde_json::from_slice(json.files[0].contents()).unwrap();
    assert_eq!(back, direct);
    text
}

/// With `SOOPERVISOR_ARGO_OUT=dir`, every snapshot is also written there for
/// `tests/argo-validate.sh`.
fn maybe_write(plan: &Plan, text: &str, json: &[u8]) {
    if let Ok(dir) = std::env::var("SOOPERVISOR_ARGO_OUT") {
        let name = format!(
            "{}-{}-{}.yaml",
            plan.project.name,
            plan.mode.as_str(),
            soopervisor_core::output::names::short_hash(text, 8)
        );
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(PathBuf::from(&dir).join(&name), text).unwrap();
        let json_name = name.replace(".yaml", ".json");
        std::fs::write(PathBuf::from(dir).join(json_name), json).unwrap();
    }
}

#[test]
fn diamond_in_every_mode() {
    let cfg = ArgoConfig::default();
    insta::assert_snapshot!(
        "diamond_incremental",
        yaml_of(&cfg, &diamond(Mode::Incremental))
    );
    insta::assert_snapshot!("diamond_regular", yaml_of(&cfg, &diamond(Mode::Regular)));
    insta::assert_snapshot!("diamond_force", yaml_of(&cfg, &diamond(Mode::Force)));
}

#[test]
fn odd_names_are_sanitised_and_kept_exact() {
    let text = yaml_of(&ArgoConfig::default(), &odd_names());
    insta::assert_snapshot!("odd_names", text);
    // exact Ploomber names travel as quoted parameter values
    assert!(text.contains("value: \"yes\""), "{text}");
    assert!(text.contains("value: \"1_000\""), "{text}");
    assert!(text.contains("value: \"on\""), "{text}");
    assert!(text.contains("generateName: my-project-"), "{text}");
}

#[test]
fn packaged_project_installs_itself() {
    let text = yaml_of(&ArgoConfig::default(), &packaged());
    insta::assert_snapshot!("packaged", text);
    assert!(text.contains("pip install --no-deps ."));
    assert!(text.contains("--entry-point src/ml_online/pipeline.yaml"));
}

#[test]
fn pinned_placeholders_travel_in_the_spec() {
    let mut p = diamond(Mode::Regular);
    p.pinned_placeholders
        .insert("now".into(), "2026-01-02T03:04:05.000006".into());
    p.pinned_placeholders
        .insert("user".into(), "o'brien".into());
    let text = yaml_of(&ArgoConfig::default(), &p);
    insta::assert_snapshot!("pinned", text);
    assert!(text.contains("PLOOMBER_ENV_FILENAME=.soopervisor-env-"));
}

#[test]
fn config_keys_reach_the_spec() {
    let cfg: ArgoConfig = serde_json::from_value(serde_json::json!({
        "repository": "registry.example.com/team/img:1.0",
        "claim_name": "shared",
        "mount_path": "/work",
        "sub_path": "projects/ml",
        "volume_name": "data",
        "entry_point": "pipeline.serve.yaml",
        "namespace": "pipelines",
        "service_account": "runner",
        "mounted_volumes": [
            {"name": "host", "sub_path": "cache", "spec": {"hostPath": {"path": "/srv/cache"}}}
        ]
    }))
    .unwrap();
    let p = diamond(Mode::Regular);
    let text = yaml_of(&cfg, &p);
    insta::assert_snapshot!("configured", text);
    let out = cfg.export(&p, &target(OutputFormat::Yaml)).unwrap();
    assert_eq!(
        out.next_steps,
        vec![
            "soopervisor upload   # copies the project to the NFS volume (--dry-run prints the kubectl commands)".to_string(),
            "argo submit -n pipelines /home/user/project/argo.yaml".to_string(),
        ]
    );
}

#[test]
fn json_output_is_argo_json() {
    let cfg = ArgoConfig::default();
    let out = cfg
        .export(&diamond(Mode::Regular), &target(OutputFormat::Json))
        .unwrap();
    assert_eq!(out.files[0].path(), PathBuf::from("argo.json"));
    let v: serde_json::Value = serde_json::from_slice(out.files[0].contents()).unwrap();
    assert_eq!(v["kind"], "Workflow");
    assert_eq!(
        v["spec"]["templates"][0]["dag"]["tasks"][3]["depends"],
        "clean && features"
    );
}

#[test]
fn output_is_deterministic_and_independent_of_the_project_location() {
    let cfg = ArgoConfig::default();
    let a = yaml_of(&cfg, &odd_names());
    let b = yaml_of(&cfg, &odd_names());
    assert_eq!(a, b);
    let mut moved = odd_names();
    moved.project.root = PathBuf::from("/elsewhere/deep/My_Project");
    assert_eq!(a, yaml_of(&cfg, &moved));
}

#[test]
fn refuses_other_storages_and_missing_conda() {
    let err = serde_json::from_str::<ArgoConfig>(r#"{"storage": "s3"}"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("'s3'") && err.contains("nfs") && err.contains("fetch"),
        "{err}"
    );
    let mut p = diamond(Mode::Regular);
    p.project.conda = None;
    let err = ArgoConfig::default()
        .export(&p, &target(OutputFormat::Yaml))
        .unwrap_err()
        .to_string();
    assert!(err.contains("environment.yml"), "{err}");
}

#[test]
fn empty_plan_is_a_clear_error() {
    let p = plan(project("x"), Mode::Incremental, vec![]);
    let err = ArgoConfig::default()
        .export(&p, &target(OutputFormat::Yaml))
        .unwrap_err()
        .to_string();
    assert!(err.contains("nothing to export"), "{err}");
}

#[test]
fn compatibility_keys_warn() {
    let cfg: ArgoConfig = serde_json::from_str(r#"{"preset": "x", "include": ["a"]}"#).unwrap();
    let w = cfg.check(&diamond(Mode::Regular)).unwrap();
    assert_eq!(w.len(), 2, "{w:?}");
}
