//! Snapshots of the exported KFP pipeline for hand-built plans, and what must hold of
//! every export: the documents read back (YAML 1.2 and 1.1) into the typed model,
//! one component/executor/task per Ploomber task with Ploomber's dependencies,
//! the exact name in `PLOOMBER_TASK`, caching off, the PVC mount for nfs and
//! artifacts along the edges for fetch, determinism, JSON, and refusals.

mod common;

use std::collections::BTreeMap;

use common::*;
use soopervisor_core::backend::{BackendConfig, OutputFormat};
use soopervisor_core::plan::Mode;
use soopervisor_kubeflow::model::{PipelineSpec, PlatformSpec};

fn parse(text: &str) -> (PipelineSpec, Option<PlatformSpec>) {
    let docs = documents(text);
    assert!(!docs.is_empty() && docs.len() <= 2, "{text}");
    // YAML 1.1 (PyYAML, the KFP SDK) reads the first document the same way
    let first = text.split("\n---\n").next().unwrap();
    let v11 = soopervisor_core::project::yaml::parse(first)
        .unwrap()
        .value
        .to_json();
    assert_eq!(v11, docs[0], "YAML 1.1 and 1.2 read different documents");
    let spec: PipelineSpec = serde_json::from_value(docs[0].clone()).unwrap();
    let platform = docs
        .get(1)
        .map(|d| serde_json::from_value(d.clone()).unwrap());
    (spec, platform)
}

/// Ploomber name → (KFP key, dependent Ploomber names), from the IR alone.
fn dag_of(spec: &PipelineSpec) -> BTreeMap<String, Vec<String>> {
    let ploomber_of = |key: &str| -> String {
        let comp = &spec.components[&spec.root.dag.tasks[key].component_ref.name];
        let env = &spec.deployment_spec.executors[&comp.executor_label]
            .container
            .env;
        let names: Vec<&str> = env
            .iter()
            .filter(|e| e.name == "PLOOMBER_TASK")
            .map(|e| e.value.as_str())
            .collect();
        assert_eq!(names.len(), 1);
        names[0].to_string()
    };
    spec.root
        .dag
        .tasks
        .iter()
        .map(|(k, t)| {
            let mut ups: Vec<String> = t.dependent_tasks.iter().map(|d| ploomber_of(d)).collect();
            ups.sort();
            (ploomber_of(k), ups)
        })
        .collect()
}

fn expected_dag(plan: &soopervisor_core::plan::Plan) -> BTreeMap<String, Vec<String>> {
    plan.tasks
        .iter()
        .map(|t| (t.name.clone(), t.upstream.clone()))
        .collect()
}

#[test]
fn diamond_in_every_mode() {
    let cfg = KubeflowConfig::default();
    for (mode, snap) in [
        (Mode::Incremental, "diamond_incremental"),
        (Mode::Force, "diamond_force"),
    ] {
        let p = diamond(mode);
        let text = yaml_of(&cfg, &p);
        insta::assert_snapshot!(snap, text);
        let (spec, platform) = parse(&text);
        assert_eq!(dag_of(&spec), expected_dag(&p));
        assert_eq!(spec.schema_version, "2.1.0");
        assert_eq!(spec.pipeline_info.name, "ml-basic");
        assert!(spec
            .root
            .dag
            .tasks
            .values()
            .all(|t| !t.caching_options.enable_cache));
        let platform = platform.expect("nfs mounts the claim");
        let mounts = &platform.platforms.kubernetes.deployment_spec.executors;
        assert_eq!(mounts.len(), 4);
        for m in mounts.values() {
            assert_eq!(m.pvc_mount[0].constant, "nfs");
            assert_eq!(m.pvc_mount[0].mount_path, "/mnt/vol");
            assert_eq!(m.pvc_mount[0].sub_path.as_deref(), Some("ml-basic"));
        }
        let force = text.contains("--force");
        assert_eq!(force, mode == Mode::Force);
    }
}

#[test]
fn odd_names_get_kfp_keys_and_keep_their_exact_names() {
    let p = odd_names();
    let text = yaml_of(&KubeflowConfig::default(), &p);
    insta::assert_snapshot!("odd_names", text);
    let (spec, _) = parse(&text);
    assert_eq!(dag_of(&spec), expected_dag(&p));
    for key in spec.root.dag.tasks.keys() {
        assert!(soopervisor_kubeflow::lint::is_k8s_name(key), "{key}");
    }
    assert!(spec.root.dag.tasks.contains_key("t-1-000"));
    assert_eq!(spec.pipeline_info.name, "my-project");
    // the header comment keeps the map
    assert!(text.contains("#   \"Fit.Model\" -> fit-model\n"), "{text}");
}

#[test]
fn every_executor_enters_the_project_before_running_ploomber() {
    let text = yaml_of(&KubeflowConfig::default(), &diamond(Mode::Force));
    let (spec, _) = parse(&text);
    let mut scripts = std::collections::BTreeSet::new();
    for e in spec.deployment_spec.executors.values() {
        let c = &e.container;
        assert_eq!(c.command[0], "bash");
        assert_eq!(c.command[1], "-c");
        assert_eq!(c.command.len(), 4);
        let script = &c.command[2];
        let cd = script.find("cd -- /mnt/vol\n").expect(script);
        let run = script
            .find("exec ploomber task \"$PLOOMBER_TASK\" --entry-point pipeline.yaml --force\n")
            .expect(script);
        assert!(cd < run, "{script}");
        assert_eq!(c.image, "continuumio/miniconda3");
        scripts.insert(script.clone());
    }
    // names travel only in PLOOMBER_TASK: every task runs the same script
    assert_eq!(scripts.len(), 1);
}

#[test]
fn fetch_passes_products_and_metadata_as_artifacts_along_the_edges() {
    let cfg = config(
        r#"{"storage": "fetch", "code": {"kind": "image", "repository": "reg/ml", "tag": "v1"}, "env": "image"}"#,
    );
    let p = diamond(Mode::Force);
    let text = yaml_of(&cfg, &p);
    insta::assert_snapshot!("diamond_fetch", text);
    let (spec, platform) = parse(&text);
    assert!(platform.is_none(), "no shared disk, no platform spec");
    assert_eq!(dag_of(&spec), expected_dag(&p));
    let train = &spec.root.dag.tasks["train"];
    let inputs = &train.inputs.as_ref().unwrap().artifacts;
    let from: Vec<(&str, &str)> = inputs
        .values()
        .map(|a| {
            (
                a.task_output_artifact.producer_task.as_str(),
                a.task_output_artifact.output_artifact_key.as_str(),
            )
        })
        .collect();
    assert_eq!(
        from,
        [
            ("clean", "product_0"),
            ("clean", "product_0_metadata"),
            ("features", "product_0"),
            ("features", "product_0_metadata")
        ]
    );
    let exec = &spec.deployment_spec.executors["exec-train"].container;
    assert_eq!(exec.image, "reg/ml:v1");
    assert_eq!(
        exec.args,
        [
            "{{$.inputs.artifacts['clean__product_0'].path}}",
            "{{$.inputs.artifacts['clean__product_0_metadata'].path}}",
            "{{$.inputs.artifacts['features__product_0'].path}}",
            "{{$.inputs.artifacts['features__product_0_metadata'].path}}",
            "{{$.outputs.artifacts['product_0'].path}}",
            "{{$.outputs.artifacts['product_0_metadata'].path}}",
        ]
    );
    let script = &exec.command[2];
    for line in [
        "cp -R -- \"${1}\" products/clean.ipynb",
        "cp -R -- \"${2}\" products/.clean.ipynb.metadata",
        "cp -R -- \"${4}\" products/.features.ipynb.metadata",
        "cp -R -- products/train.ipynb \"${5}\"",
        "cp -R -- products/.train.ipynb.metadata \"${6}\"",
    ] {
        assert!(script.contains(line), "{line}\n{script}");
    }
    // inputs placed before the task, products handed over after it
    let run = script.find("ploomber task").unwrap();
    assert!(script.find("\"${1}\" products").unwrap() < run);
    assert!(script.find("\"${5}\"").unwrap() > run);
    // JSON says exactly what the YAML says
    let json = cfg.export(&p, &target(OutputFormat::Json)).unwrap();
    assert_eq!(
        json.files[0].path(),
        std::path::PathBuf::from("kubeflow.json")
    );
    let direct: serde_json::Value = serde_json::from_slice(json.files[0].contents()).unwrap();
    assert_eq!(direct, documents(&text)[0]);
}

#[test]
fn exports_are_deterministic() {
    let cfg = KubeflowConfig::default();
    let a = yaml_of(&cfg, &odd_names());
    let mut shuffled = odd_names();
    shuffled.tasks.reverse();
    assert_eq!(a, yaml_of(&cfg, &odd_names()));
    assert_eq!(a, yaml_of(&cfg, &shuffled), "output depends on task order");
}

#[test]
fn settings_reach_the_ir() {
    let cfg = config(
        r#"{"pipeline_name": "nightly-ml", "description": "Nightly: train", "pipeline_root": "s3://bucket/kfp",
            "storage": {"kind": "nfs", "claim_name": "data", "mount_path": "/data", "sub_path": "team/ml"},
            "env": {"kind": "pip", "image": "python:3.11"}, "entry_point": "pipelines/pipeline.yaml"}"#,
    );
    let mut p = diamond(Mode::Regular);
    let root = tempfile::tempdir().unwrap();
    std::fs::write(
        root.path().join("requirements.lock.txt"),
        "ploomber==0.23.3\n",
    )
    .unwrap();
    p.project.root = root.path().to_path_buf();
    p.project.pip_requirements = Some("requirements.lock.txt".into());
    let text = yaml_of(&cfg, &p);
    let (spec, platform) = parse(&text);
    assert_eq!(spec.pipeline_info.name, "nightly-ml");
    assert_eq!(
        spec.pipeline_info.description.as_deref(),
        Some("Nightly: train")
    );
    assert_eq!(
        spec.default_pipeline_root.as_deref(),
        Some("s3://bucket/kfp")
    );
    let mount = &platform
        .unwrap()
        .platforms
        .kubernetes
        .deployment_spec
        .executors["exec-load"]
        .pvc_mount[0];
    assert_eq!(
        (
            mount.constant.as_str(),
            mount.mount_path.as_str(),
            mount.sub_path.as_deref()
        ),
        ("data", "/data", Some("team/ml"))
    );
    assert_eq!(mount.pvc_name_parameter.runtime_value.constant, "data");
    let script = &spec.deployment_spec.executors["exec-load"]
        .container
        .command[2];
    assert!(script.contains("cd -- /data\n"), "{script}");
    assert!(script.contains("python -m pip install --requirement requirements.lock.txt"));
    assert!(script.contains("--entry-point pipelines/pipeline.yaml"));
}

#[test]
fn pinned_placeholders_reach_the_script() {
    let mut p = diamond(Mode::Regular);
    p.pinned_placeholders
        .insert("now".into(), "2026-01-01T00:00:00".into());
    let text = yaml_of(&KubeflowConfig::default(), &p);
    let (spec, _) = parse(&text);
    let script = &spec.deployment_spec.executors["exec-load"]
        .container
        .command[2];
    assert!(
        script.contains("export PLOOMBER_ENV_FILENAME=.soopervisor-env-"),
        "{script}"
    );
    assert!(script.contains("2026-01-01T00:00:00"));
}

#[test]
fn refusals_name_the_fix() {
    let p = diamond(Mode::Regular);
    let cases = [
        (r#"{"code": "git"}"#, "does not support code 'git'"),
        (
            r#"{"pipeline_name": "My_Pipeline"}"#,
            "not a valid Kubeflow pipeline name",
        ),
        (
            r#"{"pipeline_root": "bucket/kfp"}"#,
            "pipeline_root must be a URI",
        ),
        (
            r#"{"storage": {"kind": "nfs", "mount_path": "data"}}"#,
            "mount_path must be an absolute path",
        ),
        (
            r#"{"storage": {"kind": "nfs", "sub_path": "../x"}}"#,
            "sub_path must be relative",
        ),
        (
            r#"{"storage": {"kind": "nfs", "claim_name": " "}}"#,
            "claim_name must not be empty",
        ),
        (
            r#"{"env": {"kind": "image", "image": ""}}"#,
            "needs the image",
        ),
    ];
    for (json, phrase) in cases {
        let cfg = config(json);
        let err = cfg.check(&p).unwrap_err();
        let ue = err
            .downcast_ref::<soopervisor_core::diagnostics::UserError>()
            .unwrap_or_else(|| panic!("{json}: not a UserError: {err}"));
        assert!(ue.to_string().contains(phrase), "{json}: {ue}");
        assert!(
            cfg.export(&p, &target(OutputFormat::Yaml)).is_err(),
            "{json}"
        );
    }
    // nfs cannot be JSON: the platform spec needs a second document
    let err = KubeflowConfig::default()
        .export(&p, &target(OutputFormat::Json))
        .unwrap_err();
    assert!(err.to_string().contains("second document"), "{err}");
    // nothing to run
    let empty = plan(project("x"), Mode::Incremental, vec![]);
    let err = KubeflowConfig::default()
        .export(&empty, &target(OutputFormat::Yaml))
        .unwrap_err();
    assert!(err.to_string().contains("nothing to export"), "{err}");
}

#[test]
fn fetch_repository_keys_warn_that_kfp_ignores_them() {
    let cfg = config(
        r#"{"storage": {"kind": "fetch", "repository": "my-repo"}, "code": {"kind": "image", "repository": "r/x", "tag": "1"}}"#,
    );
    let w = cfg.check(&diamond(Mode::Force)).unwrap();
    assert!(
        w.iter().any(|w| w.to_string().contains("pipeline root")),
        "{w:?}"
    );
}

/// Runs a fetch export the way KFP's launcher does, without a cluster: each task in
/// its own fresh working folder (a new container), its artifact placeholders replaced
/// by files under an artifact store, inputs being the producers' outputs. A stand-in
/// `ploomber` checks that every upstream product and metadata file arrived with the
/// content its producer wrote, then writes its own.
#[test]
fn fetch_artifacts_carry_products_between_fresh_containers() {
    let cfg = config(
        r#"{"storage": "fetch", "code": {"kind": "image", "repository": "r/x", "tag": "1"}, "env": "image"}"#,
    );
    let mut p = diamond(Mode::Force);
    // a task with two products, one in a nested folder
    p.tasks[1] =
        task("clean", &["load"]).with_products(["products/clean.ipynb", "data/deep/clean.csv"]);
    let text = yaml_of(&cfg, &p);
    let (spec, _) = parse(&text);
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    // PRODUCTS: this task's files; INPUTS: upstream files as "task:path" words
    std::fs::write(
        bin.join("ploomber"),
        "#!/bin/bash\nset -eu\nfor i in $INPUTS; do t=${i%%:*}; f=${i#*:}; [ \"$(cat \"$f\")\" = \"$t:$f\" ] || { echo \"missing $f\" >&2; exit 1; }; done\n\
         for f in $PRODUCTS; do mkdir -p \"$(dirname \"$f\")\"; echo \"$2:$f\" >\"$f\"; done\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("ploomber"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let store = tmp.path().join("store");
    let files = |t: &soopervisor_core::plan::PlannedTask| -> Vec<String> {
        t.products
            .iter()
            .flat_map(|f| [f.clone(), soopervisor_core::plan::metadata_path(f)])
            .collect()
    };
    for t in &p.tasks {
        let key = t.name.clone(); // diamond names are already KFP keys
        let comp = &spec.components[&spec.root.dag.tasks[&key].component_ref.name];
        let c = &spec.deployment_spec.executors[&comp.executor_label].container;
        let workdir = tmp.path().join(format!("container-{key}"));
        let script = c.command[2].replace("/project", &workdir.display().to_string());
        let args: Vec<String> = c
            .args
            .iter()
            .map(|a| {
                // {{$.inputs.artifacts['clean__product_0'].path}} -> the producer's output
                let inner = a.trim_start_matches("{{$.").trim_end_matches("'].path}}");
                let (io, name) = inner.split_once(".artifacts['").unwrap();
                let path = if io == "inputs" {
                    let a = &spec.root.dag.tasks[&key].inputs.as_ref().unwrap().artifacts[name];
                    store
                        .join(&a.task_output_artifact.producer_task)
                        .join(&a.task_output_artifact.output_artifact_key)
                } else {
                    store.join(&key).join(name)
                };
                path.display().to_string()
            })
            .collect();
        let inputs: Vec<String> = t
            .upstream
            .iter()
            .flat_map(|u| {
                let up = p.tasks.iter().find(|x| &x.name == u).unwrap();
                files(up).into_iter().map(move |f| format!("{u}:{f}"))
            })
            .collect();
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(&script)
            .arg(&c.command[3])
            .args(&args)
            .current_dir(tmp.path())
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .env("PLOOMBER_TASK", &t.name)
            .env("PRODUCTS", files(t).join(" "))
            .env("INPUTS", inputs.join(" "))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{key}: {}\n{script}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // every product and metadata file is an artifact of its task
    for t in &p.tasks {
        for (i, f) in t.products.iter().enumerate() {
            let a = store.join(&t.name).join(format!("product_{i}"));
            assert_eq!(
                std::fs::read_to_string(a).unwrap(),
                format!("{}:{f}\n", t.name)
            );
            let m = store.join(&t.name).join(format!("product_{i}_metadata"));
            assert!(m.is_file(), "{}", m.display());
        }
    }
}
