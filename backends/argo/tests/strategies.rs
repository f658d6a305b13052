//! Every storage × code × environment combination the Argo backend supports, on the
//! diamond plan: a snapshot of each export, the fetch strategy's data passing checked
//! on the spec (every upstream product and its metadata reaches every downstream task
//! that needs it), the pod script run with bash against recording fakes (setup →
//! fetch inputs → `ploomber task` → upload products), and each refusal's message.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::{json, Value};
use soopervisor_argo::ArgoConfig;
use soopervisor_core::backend::{BackendConfig, ExportTarget, OutputFormat};
use soopervisor_core::plan::{metadata_path, Mode, Plan};

const STORAGES: [&str; 2] = ["nfs", "fetch"];
const CODES: [&str; 4] = ["shared-disk", "package", "git", "image"];
const ENVS: [&str; 3] = ["conda", "pip", "image"];

fn code_cfg(code: &str) -> Value {
    match code {
        "package" => json!({"kind": "package", "index_url": "https://pypi.example.com/simple",
                            "package_name": "ml-basic", "version": "0.0.0+g1234abcd"}),
        "git" => json!({"kind": "git", "repo": "https://github.com/example/ml-basic.git",
                        "revision": "1234abcd1234abcd1234abcd1234abcd1234abcd"}),
        "image" => {
            json!({"kind": "image", "repository": "registry.example.com/team/ml", "tag": "g1234abcd"})
        }
        other => json!(other),
    }
}

fn env_cfg(env: &str) -> Value {
    match env {
        "image" => json!({"kind": "image", "image": "registry.example.com/team/env:1.0"}),
        other => json!(other),
    }
}

fn cfg(storage: &str, code: &str, env: &str) -> ArgoConfig {
    serde_json::from_value(json!({"storage": storage, "code": code_cfg(code), "env": env_cfg(env)}))
        .unwrap()
}

/// The diamond plan in a real folder (pip reads requirements.txt); packaged for the
/// package strategy.
fn project_plan(dir: &Path, code: &str) -> Plan {
    std::fs::write(dir.join("requirements.txt"), "ploomber\n").unwrap();
    let mut p = diamond(Mode::Regular);
    p.project.root = dir.to_path_buf();
    p.project.pip_requirements = Some("requirements.txt".into());
    p.project.is_package = code == "package";
    for t in &mut p.tasks {
        // a second product in a folder of its own: several artifacts per task
        t.products.push(format!("data/{}.csv", t.name));
    }
    p
}

fn target(dir: &Path) -> ExportTarget {
    ExportTarget::new(dir.to_path_buf()).with_format(OutputFormat::Yaml)
}

fn supported() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut v = Vec::new();
    for s in STORAGES {
        for c in CODES {
            for e in ENVS {
                if !(s == "fetch" && c == "shared-disk") {
                    v.push((s, c, e));
                }
            }
        }
    }
    v
}

fn export_yaml(cfg: &ArgoConfig, plan: &Plan) -> (String, Vec<String>) {
    let dir = plan.project.root.clone();
    cfg.check(plan).unwrap();
    let out = cfg.export(plan, &target(&dir)).unwrap();
    let text = String::from_utf8(out.files[0].contents().to_vec()).unwrap();
    let names = out
        .files
        .iter()
        .map(|f| f.path().display().to_string())
        .collect();
    (text, names)
}

fn workflow(text: &str) -> Value {
    serde_yaml::from_str(text).unwrap()
}

#[test]
fn every_supported_combination_exports_a_stable_spec() {
    let dir = tempfile::tempdir().unwrap();
    for (s, c, e) in supported() {
        let plan = project_plan(dir.path(), c);
        let (text, files) = export_yaml(&cfg(s, c, e), &plan);
        // deterministic
        assert_eq!(text, export_yaml(&cfg(s, c, e), &plan).0);
        if c == "image" {
            assert_eq!(
                files,
                vec![
                    "argo.yaml",
                    "docker/Dockerfile",
                    "docker/Dockerfile.dockerignore",
                    "docker/build-image.sh"
                ]
            );
        } else {
            assert_eq!(files, vec!["argo.yaml"]);
        }
        if let Ok(out) = std::env::var("SOOPERVISOR_ARGO_OUT") {
            std::fs::create_dir_all(&out).unwrap();
            std::fs::write(
                PathBuf::from(out).join(format!("strategy-{s}-{c}-{e}.yaml")),
                &text,
            )
            .unwrap();
        }
        // the spec never depends on where the project sits
        let text = text.replace(&dir.path().display().to_string(), "<root>");
        insta::assert_snapshot!(format!("{s}-{c}-{e}"), text);
    }
}

#[test]
fn strategies_shape_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    let wf = |s, c, e| {
        let plan = project_plan(dir.path(), c);
        workflow(&export_yaml(&cfg(s, c, e), &plan).0)
    };
    // nfs + shared-disk: one shared template, the volume, the project on it
    let v = wf("nfs", "shared-disk", "pip");
    let templates = v["spec"]["templates"].as_array().unwrap();
    assert_eq!(templates.len(), 2);
    assert_eq!(templates[1]["script"]["image"], "python:3.12-slim");
    assert_eq!(templates[1]["script"]["workingDir"], "/mnt/vol");
    // fetch: no volume, one template per task, the artifact repository
    let v = wf("fetch", "git", "image");
    assert!(v["spec"].get("volumes").is_none());
    assert_eq!(v["spec"]["templates"].as_array().unwrap().len(), 5);
    let t = &v["spec"]["templates"][1];
    assert_eq!(t["script"]["image"], "registry.example.com/team/env:1.0");
    assert_eq!(t["script"]["workingDir"], "/src");
    assert_eq!(
        t["inputs"]["artifacts"][0]["git"]["revision"],
        "1234abcd1234abcd1234abcd1234abcd1234abcd"
    );
    // image: the built image runs, the environment is baked into it
    let v = wf("nfs", "image", "conda");
    let src = v["spec"]["templates"][1]["script"]["source"]
        .as_str()
        .unwrap();
    assert!(!src.contains("conda activate"), "{src}");
    assert_eq!(
        v["spec"]["templates"][1]["script"]["image"],
        "registry.example.com/team/ml:g1234abcd"
    );
    // package: exact version from the index
    let v = wf("fetch", "package", "conda");
    let src = v["spec"]["templates"][1]["script"]["source"]
        .as_str()
        .unwrap();
    assert!(src.contains("pip install --no-deps --index-url https://pypi.example.com/simple ml-basic==0.0.0+g1234abcd"), "{src}");
}

#[test]
fn artifact_repository_is_referenced_never_inlined() {
    let dir = tempfile::tempdir().unwrap();
    let plan = project_plan(dir.path(), "git");
    let cfg: ArgoConfig = serde_json::from_value(json!({
        "storage": {"kind": "fetch", "repository": "my-artifact-repos", "repository_key": "gcs-v1"},
        "code": code_cfg("git"),
    }))
    .unwrap();
    let v = workflow(&export_yaml(&cfg, &plan).0);
    assert_eq!(
        v["spec"]["artifactRepositoryRef"],
        json!({"configMap": "my-artifact-repos", "key": "gcs-v1"})
    );
    let text = serde_json::to_string(&v).unwrap();
    for secret in [
        "accessKeySecret",
        "secretKeySecret",
        "serviceAccountKeySecret",
        "bucket",
    ] {
        assert!(!text.contains(secret), "{secret} inlined");
    }
}

/// The fetch data passing, checked on the spec: every product and metadata file of
/// every upstream task reaches each downstream task through an artifact its upstream
/// declares as an output at that path, passed along `depends`, downloaded as an
/// input and copied to the same path in the downstream pod.
#[test]
fn fetch_passes_every_product_and_metadata_downstream() {
    let dir = tempfile::tempdir().unwrap();
    for code in ["git", "package", "image"] {
        let plan = project_plan(dir.path(), code);
        let cfg = cfg("fetch", code, "conda");
        let v = workflow(&export_yaml(&cfg, &plan).0);
        let templates: HashMap<&str, &Value> = v["spec"]["templates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["name"].as_str().unwrap(), t))
            .collect();
        let dag = templates["dag"]["dag"]["tasks"].as_array().unwrap();
        let node_of = |ploomber: &str| {
            dag.iter()
                .find(|n| n["arguments"]["parameters"][0]["value"] == ploomber)
                .unwrap()
        };
        for t in &plan.tasks {
            let node = node_of(&t.name);
            let tpl = templates[node["template"].as_str().unwrap()];
            let workdir = tpl["script"]["workingDir"].as_str().unwrap();
            let source = tpl["script"]["source"].as_str().unwrap();
            // its own products and metadata are outputs at their paths in the pod
            let outputs: HashMap<&str, &str> = tpl["outputs"]["artifacts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| (a["name"].as_str().unwrap(), a["path"].as_str().unwrap()))
                .collect();
            let out_paths: BTreeSet<String> = outputs.values().map(|p| p.to_string()).collect();
            let expected: BTreeSet<String> = t
                .products
                .iter()
                .flat_map(|p| [p.clone(), metadata_path(p)])
                .map(|p| format!("{workdir}/{p}"))
                .collect();
            assert_eq!(out_paths, expected, "outputs of {}", t.name);
            let depends: BTreeSet<&str> = node["depends"]
                .as_str()
                .unwrap_or("")
                .split(" && ")
                .filter(|s| !s.is_empty())
                .collect();
            let args: HashMap<&str, &str> = node["arguments"]["artifacts"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|x| (x["name"].as_str().unwrap(), x["from"].as_str().unwrap()))
                        .collect()
                })
                .unwrap_or_default();
            let inputs: HashMap<&str, &str> = tpl["inputs"]["artifacts"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter(|a| a.get("git").is_none())
                        .map(|a| (a["name"].as_str().unwrap(), a["path"].as_str().unwrap()))
                        .collect()
                })
                .unwrap_or_default();
            assert_eq!(
                args.keys().collect::<BTreeSet<_>>(),
                inputs.keys().collect::<BTreeSet<_>>(),
                "every input of {} is passed",
                t.name
            );
            let mut received = BTreeSet::new();
            for (name, from) in &args {
                // {{tasks.UP.outputs.artifacts.NAME}}
                let inner = from.trim_start_matches("{{tasks.").trim_end_matches("}}");
                let (up, art) = inner.split_once(".outputs.artifacts.").unwrap();
                assert_eq!(art, *name);
                assert!(
                    depends.contains(up),
                    "{} reads {up} outside depends",
                    t.name
                );
                let up_node = dag.iter().find(|n| n["name"] == up).unwrap();
                let up_tpl = templates[up_node["template"].as_str().unwrap()];
                let up_path = up_tpl["outputs"]["artifacts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|a| a["name"] == art)
                    .unwrap_or_else(|| panic!("{up} does not declare {art}"))["path"]
                    .as_str()
                    .unwrap();
                let rel = up_path.strip_prefix(&format!("{workdir}/")).unwrap();
                // downloaded, then copied into place before the task runs
                let copy = format!("cp -R -- {} {rel}", inputs[name]);
                let at = source
                    .find(&copy)
                    .unwrap_or_else(|| panic!("{copy} missing:\n{source}"));
                assert!(at < source.find("ploomber task").unwrap());
                received.insert(rel.to_string());
            }
            let needed: BTreeSet<String> = t
                .all_upstream
                .iter()
                .flat_map(|u| {
                    plan.tasks
                        .iter()
                        .find(|x| &x.name == u)
                        .unwrap()
                        .products
                        .clone()
                })
                .flat_map(|p| [p.clone(), metadata_path(&p)])
                .collect();
            assert_eq!(received, needed, "{} receives every upstream file", t.name);
        }
    }
}

/// Records argv[0]'s name and every argument, then behaves as told.
const FAKE: &str = r#"#!/usr/bin/env bash
{ printf '%s\x1f' "$(basename "$0")" "$@"; printf '\x1e'; } >> "$FAKE_LOG"
case "$(basename "$0")" in
  conda)
    if [[ "$1" == shell.bash ]]; then exit 0; fi
    if [[ "$1" == activate ]]; then [[ -e "$FAKE_STATE/env-$2" ]]; exit; fi
    if [[ "$1 $2" == "env create" ]]; then touch "$FAKE_STATE/env-$6"; exit 0; fi
    ;;
  python)
    if [[ "$1" == -c ]]; then exit 0; fi
    ;;
  flock)
    shift; exec "$@"
    ;;
esac
exit 0
"#;

/// Runs the script of `task` with fakes on PATH; returns each call's argv.
fn run_script(source: &str, task: &str) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    let work = dir.path().join("work");
    let state = dir.path().join("state");
    for d in [&bin, &work, &state] {
        std::fs::create_dir_all(d).unwrap();
    }
    // conda, pip, python and ploomber; git and tar (code); cp, mkdir, rm (moving
    // products); flock; and the tools a pod could call on an object store
    for name in [
        "conda", "pip", "python", "ploomber", "git", "tar", "cp", "mkdir", "rm", "flock", "aws",
        "gsutil",
    ] {
        let p = bin.join(name);
        std::fs::write(&p, FAKE).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let log = dir.path().join("log");
    let out = Command::new("bash")
        .arg("-c")
        .arg(source)
        .current_dir(&work)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("HOME", dir.path())
        .env("PLOOMBER_TASK", task)
        .env("FAKE_LOG", &log)
        .env("FAKE_STATE", &state)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "script failed: {}\n{source}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&log)
        .unwrap_or_default()
        .split('\x1e')
        .filter(|s| !s.is_empty())
        .map(|c| {
            let mut v: Vec<String> = c.split('\x1f').map(str::to_string).collect();
            v.pop();
            v
        })
        .collect()
}

fn position(calls: &[Vec<String>], pred: impl Fn(&[String]) -> bool) -> Option<usize> {
    calls.iter().position(|c| pred(c))
}

#[test]
fn pod_scripts_run_setup_then_inputs_then_task_then_uploads() {
    let dir = tempfile::tempdir().unwrap();
    for (s, c, e) in supported() {
        let plan = project_plan(dir.path(), c);
        let v = workflow(&export_yaml(&cfg(s, c, e), &plan).0);
        let templates = v["spec"]["templates"].as_array().unwrap();
        // `train` reads clean's and features' products
        let dag = templates[0]["dag"]["tasks"].as_array().unwrap();
        let node = dag.iter().find(|n| n["name"] == "train").unwrap();
        let tpl = templates
            .iter()
            .find(|t| t["name"] == node["template"])
            .unwrap();
        let source = tpl["script"]["source"].as_str().unwrap();
        let calls = run_script(source, "train");
        let what = format!("{s} {c} {e}: {calls:?}");
        // regular mode: Ploomber's loader through python, skipping an up-to-date task
        let command = plan.task_command("train");
        assert_eq!(command[3..], ["train", "--entry-point", "pipeline.yaml"]);
        let task = position(&calls, |c| *c == command).unwrap_or_else(|| panic!("{what}"));
        assert_eq!(calls.iter().filter(|c| **c == command).count(), 1);
        // setup first: the environment (unless baked into the image), the code
        let env_at = match (c, e) {
            ("image", _) | (_, "image") => None,
            (_, "conda") => position(&calls, |c| c[..2] == ["conda", "activate"]),
            (_, _) => position(&calls, |c| {
                c.len() > 3 && c[..4] == ["python", "-m", "pip", "install"]
            }),
        };
        if c != "image" && e != "image" {
            assert!(env_at.unwrap() < task, "{what}");
        }
        if c == "package" {
            let dl = position(&calls, |c| c[..2] == ["pip", "download"]).unwrap();
            let unpack = position(&calls, |c| c[0] == "tar").unwrap();
            let install = position(&calls, |c| {
                c[..2] == ["pip", "install"] && c.last().unwrap() == "ml-basic==0.0.0+g1234abcd"
            })
            .unwrap();
            assert!(dl < unpack && unpack < task && install < task, "{what}");
            if let Some(env_at) = env_at {
                assert!(unpack < env_at && env_at < install, "{what}");
            }
        }
        // inputs: copied from the staging folder (fetch) or the shared disk (nfs
        // with the code elsewhere) before the task; nothing to copy when the code
        // is on the disk
        let copies: Vec<(usize, &Vec<String>)> = calls
            .iter()
            .enumerate()
            .filter(|(_, c)| c[0] == "cp")
            .collect();
        let inbound: Vec<&str> = copies
            .iter()
            .filter(|(i, _)| *i < task)
            .map(|(_, c)| c[4].as_str())
            .collect();
        let outbound: Vec<&str> = copies
            .iter()
            .filter(|(i, _)| *i > task)
            .map(|(_, c)| c[3].as_str())
            .collect();
        let upstream_files: BTreeSet<String> = ["clean", "features"]
            .iter()
            .flat_map(|t| [format!("products/{t}.ipynb"), format!("data/{t}.csv")])
            .flat_map(|p| [p.clone(), metadata_path(&p)])
            .collect();
        let own: BTreeSet<String> = ["products/train.ipynb", "data/train.csv"]
            .iter()
            .flat_map(|p| [p.to_string(), metadata_path(p)])
            .collect();
        match (s, c) {
            ("nfs", "shared-disk") => {
                assert!(copies.is_empty(), "{what}");
            }
            ("fetch", _) => {
                assert_eq!(
                    inbound
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<BTreeSet<_>>(),
                    upstream_files,
                    "{what}"
                );
                // Argo uploads the declared outputs after the script
                assert!(outbound.is_empty());
                let outs: BTreeSet<String> = tpl["outputs"]["artifacts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| {
                        a["path"]
                            .as_str()
                            .unwrap()
                            .rsplit_once(&format!(
                                "{}/",
                                tpl["script"]["workingDir"].as_str().unwrap()
                            ))
                            .unwrap()
                            .1
                            .to_string()
                    })
                    .collect();
                assert_eq!(outs, own, "{what}");
            }
            _ => {
                assert_eq!(
                    inbound
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<BTreeSet<_>>(),
                    upstream_files,
                    "{what}"
                );
                assert_eq!(
                    outbound
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<BTreeSet<_>>(),
                    own,
                    "{what}"
                );
                for (_, cp) in &copies {
                    let disk_side = if cp[3].starts_with('/') {
                        &cp[3]
                    } else {
                        &cp[4]
                    };
                    assert!(disk_side.starts_with("/mnt/vol/"), "{what}");
                }
            }
        }
    }
}

fn refusal(cfg: Value, plan: &Plan) -> String {
    let cfg: ArgoConfig = serde_json::from_value(cfg).unwrap();
    cfg.check(plan).unwrap_err().to_string()
}

#[test]
fn fetch_with_shared_disk_code_is_refused_with_a_working_alternative() {
    let dir = tempfile::tempdir().unwrap();
    for e in ENVS {
        let plan = project_plan(dir.path(), "shared-disk");
        let err = refusal(
            json!({"storage": "fetch", "code": "shared-disk", "env": env_cfg(e)}),
            &plan,
        );
        assert!(err.contains("--storage fetch --code shared-disk"), "{err}");
        assert!(err.contains("no shared disk"), "{err}");
        assert!(err.contains("--storage fetch --code git"), "{err}");
    }
}

#[test]
fn refusals_name_the_problem_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let plan = project_plan(dir.path(), "shared-disk");
    // package needs a package
    let err = refusal(json!({"code": code_cfg("package")}), &plan);
    assert!(
        err.contains("no setup.py or pyproject.toml") && err.contains("--code git"),
        "{err}"
    );
    // package needs an index
    let mut packaged = plan.clone();
    packaged.project.is_package = true;
    let err = refusal(json!({"code": "package"}), &packaged);
    assert!(err.contains("index_url"), "{err}");
    // pip needs requirements
    let mut no_req = plan.clone();
    no_req.project.pip_requirements = None;
    let err = refusal(json!({"env": "pip"}), &no_req);
    assert!(
        err.contains("requirements.lock.txt") && err.contains("--env conda"),
        "{err}"
    );
    // a prebuilt image must be named
    let err = refusal(json!({"env": "image"}), &plan);
    assert!(
        err.contains("env image needs the image") && err.contains("kind: image"),
        "{err}"
    );
    // conda needs environment.yml
    let mut no_conda = plan.clone();
    no_conda.project.conda = None;
    let err = refusal(json!({}), &no_conda);
    assert!(
        err.contains("environment.yml") && err.contains("--env pip"),
        "{err}"
    );
    // flat shared-disk keys without a shared disk
    let err = refusal(
        json!({"storage": "fetch", "code": code_cfg("git"), "claim_name": "x"}),
        &plan,
    );
    assert!(
        err.contains("claim_name") && err.contains("storage: nfs"),
        "{err}"
    );
    // an image override and a built image
    let err = refusal(json!({"code": code_cfg("image"), "image": "x/y"}), &plan);
    assert!(err.contains("code image builds that image"), "{err}");
    // fetch passes products within one run only
    let mut partial = plan.clone();
    partial.tasks.retain(|t| t.name != "load");
    partial.mode = Mode::Incremental;
    let err = refusal(
        json!({"storage": "fetch", "code": code_cfg("git")}),
        &partial,
    );
    assert!(
        err.contains("'load'") && err.contains("--mode regular"),
        "{err}"
    );
    // products outside the project are refused on the shared disk: pods mount only
    // the project folder, so such a product would be lost to downstream tasks
    let mut outside = plan.clone();
    outside.tasks[0]
        .products
        .push("../elsewhere/raw.csv".into());
    let err = ArgoConfig::default()
        .check(&outside)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("../elsewhere/raw.csv") && err.contains("outside the project folder"),
        "{err}"
    );
    let err = refusal(json!({"code": code_cfg("git")}), &outside);
    assert!(err.contains("outside the project folder"), "{err}");
    // git without a repository
    let err = refusal(json!({"code": "git"}), &plan);
    assert!(err.contains("not in a git repository"), "{err}");
}

#[test]
fn unknown_strategies_and_keys_are_errors() {
    let err = serde_json::from_value::<ArgoConfig>(json!({"code": "svn"}))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("unknown code strategy 'svn'") && err.contains("git"),
        "{err}"
    );
    let err =
        serde_json::from_value::<ArgoConfig>(json!({"storage": {"kind": "fetch", "bucket": "b"}}))
            .unwrap_err()
            .to_string();
    assert!(err.contains("bucket"), "{err}");
    let err = serde_json::from_value::<ArgoConfig>(json!({"env": {"image": "x"}}))
        .unwrap_err()
        .to_string();
    assert!(err.contains("'kind'"), "{err}");
}

#[test]
fn more_tasks_than_templates_share_templates_per_artifact_shape() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = big(205);
    p.project.root = dir.path().to_path_buf();
    let cfg = cfg("fetch", "git", "conda");
    let (text, _) = export_yaml(&cfg, &p);
    let v = workflow(&text);
    let templates = v["spec"]["templates"].as_array().unwrap();
    // nested DAGs (205 tasks) and a few shared script templates, not one per task
    assert!(templates.iter().any(|t| t["name"] == "chunk-001"));
    let scripts = templates
        .iter()
        .filter(|t| t.get("script").is_some())
        .count();
    assert!(scripts < 5, "{scripts} script templates");
    assert!(!text.contains("run-chain-1\n"));
    // the default layout still nests
    ArgoConfig::default()
        .export(&p, &target(dir.path()))
        .unwrap();
}

#[test]
fn git_refuses_a_dirty_tree_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
            .args(args)
            .current_dir(root)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        assert!(ok, "git {args:?}");
    };
    if Command::new("git").arg("--version").output().is_err() {
        return; // git is not installed here
    }
    let plan = project_plan(root, "git");
    git(&["init", "-q"]);
    git(&["add", "requirements.txt"]);
    git(&["commit", "-qm", "init"]);
    git(&[
        "remote",
        "add",
        "origin",
        "https://github.com/example/ml-basic.git",
    ]);
    let ok: ArgoConfig = serde_json::from_value(json!({"code": "git"})).unwrap();
    ok.check(&plan).unwrap();
    let v = workflow(&export_yaml(&ok, &plan).0);
    let git_art = &v["spec"]["templates"][1]["inputs"]["artifacts"][0]["git"];
    assert_eq!(git_art["repo"], "https://github.com/example/ml-basic.git");
    assert_eq!(git_art["revision"].as_str().unwrap().len(), 40);
    std::fs::write(root.join("requirements.txt"), "ploomber\npandas\n").unwrap();
    let fresh: ArgoConfig = serde_json::from_value(json!({"code": "git"})).unwrap();
    let err = fresh.check(&plan).unwrap_err().to_string();
    assert!(
        err.contains("uncommitted changes") && err.contains("allow_dirty"),
        "{err}"
    );
    let allowed: ArgoConfig =
        serde_json::from_value(json!({"code": {"kind": "git", "allow_dirty": true}})).unwrap();
    allowed.check(&plan).unwrap();
}

#[test]
fn image_code_writes_a_dockerfile_and_build_script_without_running_docker() {
    let dir = tempfile::tempdir().unwrap();
    for (env, from, install) in [
        (
            "conda",
            "FROM continuumio/miniconda3",
            "conda env update --name base",
        ),
        (
            "pip",
            "FROM python:3.12-slim",
            "pip install --no-cache-dir --requirement",
        ),
        ("image", "FROM registry.example.com/team/env:1.0", ""),
    ] {
        let plan = project_plan(dir.path(), "image");
        let cfg = cfg("nfs", "image", env);
        let mut t = target(dir.path());
        t.dir = dir.path().join("training");
        t.name = Some("training".into());
        let out = cfg.export(&plan, &t).unwrap();
        let file = |name: &str| {
            out.files
                .iter()
                .find(|f| f.path() == Path::new(name))
                .unwrap_or_else(|| panic!("{name}"))
        };
        let dockerfile = String::from_utf8(file("docker/Dockerfile").contents().to_vec()).unwrap();
        assert!(dockerfile.contains(from), "{dockerfile}");
        assert!(dockerfile.contains(install), "{dockerfile}");
        assert!(
            dockerfile.contains("WORKDIR /project\nCOPY . /project"),
            "{dockerfile}"
        );
        let ignore =
            String::from_utf8(file("docker/Dockerfile.dockerignore").contents().to_vec()).unwrap();
        assert!(
            ignore.contains("products/train.ipynb") && ignore.contains(".git"),
            "{ignore}"
        );
        let script = file("docker/build-image.sh");
        assert!(script.is_executable());
        let script = String::from_utf8(script.contents().to_vec()).unwrap();
        assert!(
            script.contains("root=$(cd \"$here\"/../.. && pwd)"),
            "{script}"
        );
        assert!(
            script.contains("docker build --file \"$here/Dockerfile\" --tag registry.example.com/team/ml:g1234abcd \"$root\""),
            "{script}"
        );
        assert!(script.contains("docker push registry.example.com/team/ml:g1234abcd"));
        assert_eq!(
            out.next_steps[0],
            "bash training/docker/build-image.sh   # docker build + docker push"
        );
    }
}

#[test]
fn a_ploomber_file_client_moves_the_products_instead_of_artifacts() {
    let dir = tempfile::tempdir().unwrap();
    let plan = project_plan(dir.path(), "git");
    std::fs::write(
        dir.path().join("pipeline.yaml"),
        "clients:\n  File: clients.get_s3\ntasks: []\n",
    )
    .unwrap();
    let cfg = cfg("fetch", "git", "conda");
    let warnings = cfg.check(&plan).unwrap();
    assert!(
        warnings.iter().any(|w| w.message.contains("File client")),
        "{warnings:?}"
    );
    let v = workflow(&export_yaml(&cfg, &plan).0);
    let text = serde_json::to_string(&v).unwrap();
    assert!(!text.contains("outputs"), "artifacts declared: {text}");
    // one shared template: nothing differs between tasks
    assert_eq!(v["spec"]["templates"].as_array().unwrap().len(), 2);
    // unless told to ignore the client
    let ignore: ArgoConfig = serde_json::from_value(json!({
        "storage": {"kind": "fetch", "ignore_file_client": true},
        "code": code_cfg("git"),
    }))
    .unwrap();
    let v = workflow(&export_yaml(&ignore, &plan).0);
    assert_eq!(v["spec"]["templates"].as_array().unwrap().len(), 5);
}
