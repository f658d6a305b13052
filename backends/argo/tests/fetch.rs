//! `storage: fetch` above 199 tasks: shared templates per artifact shape, with the
//! files named by parameters and handed across nested DAGs. Each test reads the spec
//! back as Argo would run it (arguments substituted, artifacts followed through the
//! chunks' inputs and outputs) and checks that every task receives exactly its
//! upstream files, each from a task that finished before it, at the path where it was
//! produced. With `SOOPERVISOR_ARGO_OUT`, the specs are written for
//! `tests/argo-validate.sh`.

mod common;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use common::*;
use serde_json::{json, Value};
use soopervisor_argo::export::{build, build_with_chunk};
use soopervisor_argo::ArgoConfig;
use soopervisor_core::backend::{BackendConfig, ExportTarget, OutputFormat};
use soopervisor_core::plan::{metadata_path, Mode, Plan, PlannedTask};

fn fetch_cfg() -> ArgoConfig {
    serde_json::from_value(json!({
        "storage": "fetch",
        "code": {"kind": "git", "repo": "https://github.com/example/wide.git",
                 "revision": "1234abcd1234abcd1234abcd1234abcd1234abcd"},
    }))
    .unwrap()
}

/// `n` tasks (n ≥ 3): a root, an `extra` ← root when `n` is odd, pairs `a_i` ← root and `b_i` ← `a_i`, and `final`
/// ← every tenth `b_i`. Pairs straddle chunk boundaries and every chunk reads the
/// root's files, so files cross nested DAGs in both ways.
fn wide(n: usize) -> Plan {
    let mut tasks = vec![task("root", &[])];
    let pairs = (n - 2) / 2;
    let mut finals = Vec::new();
    for i in 0..pairs {
        let (a, b) = (format!("a_{i}"), format!("b_{i}"));
        tasks.push(task(&a, &["root"]));
        tasks.push(task(&b, &[&a]));
        if i % 10 == 0 {
            finals.push(b);
        }
    }
    if tasks.len() < n - 1 {
        tasks.push(task("extra", &["root"]));
    }
    let ups: Vec<&str> = finals.iter().map(String::as_str).collect();
    tasks.push(task("final", &ups));
    let mut p = plan(project("wide"), Mode::Regular, tasks);
    fill_all_upstream(&mut p.tasks);
    p
}

/// Sets `all_upstream` (the upstream tasks fetch downloads from) to every transitive
/// upstream task: more files per task, and more of them crossing chunks, than the
/// direct upstream tasks a loaded pipeline has.
fn fill_all_upstream(tasks: &mut [PlannedTask]) {
    let mut all: HashMap<String, BTreeSet<String>> = HashMap::new();
    for t in tasks.iter_mut() {
        let mut set = BTreeSet::new();
        for u in &t.upstream {
            set.insert(u.clone());
            set.extend(all[u].iter().cloned());
        }
        all.insert(t.name.clone(), set.clone());
        t.all_upstream = set.into_iter().collect();
    }
}

fn files_of(t: &PlannedTask) -> BTreeSet<String> {
    t.products
        .iter()
        .flat_map(|p| [p.clone(), metadata_path(p)])
        .collect()
}

fn inside(from: &str, prefix: &str) -> Option<(String, String)> {
    let inner = from.strip_prefix(prefix)?.strip_suffix("}}")?;
    let (a, b) = inner.split_once('.')?;
    Some((a.to_string(), b.to_string()))
}

/// For every task: the files it receives, as (destination path, producing task,
/// path the producer wrote), and the paths it uploads, read from the spec `v`.
type Received = HashMap<String, (Vec<(String, String, String)>, BTreeSet<String>)>;

fn read_back(v: &Value) -> Received {
    let templates: HashMap<&str, &Value> = v["spec"]["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap(), t))
        .collect();
    let params = |node: &Value| -> HashMap<String, String> {
        node["arguments"]["parameters"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| {
                        (
                            p["name"].as_str().unwrap().to_string(),
                            p["value"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    // the path a leaf node writes its output `out` to, relative to the project
    let output_path = |node: &Value, out: &str| -> String {
        let tpl = templates[node["template"].as_str().unwrap()];
        let workdir = tpl["script"]["workingDir"].as_str().unwrap();
        let path = tpl["outputs"]["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == out)
            .unwrap_or_else(|| panic!("{} has no output {out}", node["name"]))["path"]
            .as_str()
            .unwrap();
        let mut path = path.to_string();
        for (k, val) in params(node) {
            path = path.replace(&format!("{{{{inputs.parameters.{k}}}}}"), &val);
        }
        path.strip_prefix(&format!("{workdir}/"))
            .unwrap()
            .to_string()
    };
    let dag_tasks = |name: &str| templates[name]["dag"]["tasks"].as_array().unwrap().clone();
    // each DAG template's tasks by name, read once
    let nodes_of: HashMap<&str, HashMap<String, &Value>> = templates
        .iter()
        .filter(|(_, t)| t.get("dag").is_some())
        .map(|(name, t)| {
            let nodes = t["dag"]["tasks"].as_array().unwrap();
            (
                *name,
                nodes
                    .iter()
                    .map(|n| (n["name"].as_str().unwrap().to_string(), n))
                    .collect(),
            )
        })
        .collect();
    let entry = dag_tasks("dag");
    let nested = entry.iter().any(|n| {
        templates[n["template"].as_str().unwrap()]
            .get("dag")
            .is_some()
    });
    let leaf_dags: Vec<&str> = if nested {
        entry
            .iter()
            .map(|n| n["template"].as_str().unwrap())
            .collect()
    } else {
        vec!["dag"]
    };
    let mut out = Received::new();
    for d in leaf_dags {
        let nodes = dag_tasks(d);
        let by_name: HashMap<&str, &Value> = nodes
            .iter()
            .map(|n| (n["name"].as_str().unwrap(), n))
            .collect();
        for node in &nodes {
            let p = params(node);
            let tpl = templates[node["template"].as_str().unwrap()];
            let source = tpl["script"]["source"].as_str().unwrap();
            let mut received = Vec::new();
            for a in node["arguments"]["artifacts"]
                .as_array()
                .cloned()
                .unwrap_or_default()
            {
                let name = a["name"].as_str().unwrap();
                let n = name.strip_prefix("in-").unwrap();
                // staged where the template says, copied to the path of input-N
                let staged = format!("/tmp/soopervisor/inputs/{name}");
                let declared = tpl["inputs"]["artifacts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|x| x["name"] == name)
                    .unwrap();
                assert_eq!(declared["path"], staged.as_str());
                let env = tpl["script"]["env"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|e| e["name"] == format!("SOOPERVISOR_INPUT_{n}"))
                    .unwrap();
                assert_eq!(env["value"], format!("{{{{inputs.parameters.input-{n}}}}}"));
                assert!(source.contains(&format!("cp -R -- {staged} \"$SOOPERVISOR_INPUT_{n}\"")));
                let dest = p[&format!("input-{n}")].clone();
                let from = a["from"].as_str().unwrap();
                let (producer, path) = if let Some((up, rest)) = inside(from, "{{tasks.") {
                    let out_name = rest.strip_prefix("outputs.artifacts.").unwrap();
                    let up_node = by_name[up.as_str()];
                    (
                        params(up_node)["task_name"].clone(),
                        output_path(up_node, out_name),
                    )
                } else {
                    // through the chunk's inputs, the entry DAG and the producer chunk
                    let (kind, x) = inside(from, "{{inputs.").unwrap();
                    assert_eq!(kind, "artifacts");
                    let x = x.as_str();
                    assert!(templates[d]["inputs"]["artifacts"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|i| i["name"] == x));
                    let chunk_node = entry.iter().find(|n| n["template"] == d).unwrap();
                    let passed = chunk_node["arguments"]["artifacts"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|i| i["name"] == x)
                        .unwrap();
                    let (ch, rest) = inside(passed["from"].as_str().unwrap(), "{{tasks.").unwrap();
                    assert_eq!(rest, format!("outputs.artifacts.{x}"));
                    let ch_node = entry.iter().find(|n| n["name"] == ch.as_str()).unwrap();
                    let ch_tpl = templates[ch_node["template"].as_str().unwrap()];
                    let inner = ch_tpl["outputs"]["artifacts"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|o| o["name"] == x)
                        .unwrap();
                    let (up, rest) = inside(inner["from"].as_str().unwrap(), "{{tasks.").unwrap();
                    let up_node = nodes_of[ch_tpl["name"].as_str().unwrap()][&up];
                    let out_name = rest.strip_prefix("outputs.artifacts.").unwrap();
                    (
                        params(up_node)["task_name"].clone(),
                        output_path(up_node, out_name),
                    )
                };
                received.push((dest, producer, path));
            }
            let own: BTreeSet<String> = tpl["outputs"]["artifacts"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|o| output_path(node, o["name"].as_str().unwrap()))
                        .collect()
                })
                .unwrap_or_default();
            out.insert(p["task_name"].clone(), (received, own));
        }
    }
    out
}

/// Every task gets every file of its upstream tasks, each produced at the path it is
/// placed at, by a task that finished before it; and uploads exactly its own files.
fn assert_files_flow(plan: &Plan, v: &Value, before: &HashMap<String, HashSet<String>>) {
    let got = read_back(v);
    assert_eq!(got.len(), plan.tasks.len());
    let by_name: HashMap<&str, &PlannedTask> =
        plan.tasks.iter().map(|t| (t.name.as_str(), t)).collect();
    for t in &plan.tasks {
        let (received, own) = &got[&t.name];
        assert_eq!(own, &files_of(t), "uploads of {}", t.name);
        let mut placed = BTreeSet::new();
        for (dest, producer, path) in received {
            assert_eq!(dest, path, "{} places {path} elsewhere", t.name);
            assert!(files_of(by_name[producer.as_str()]).contains(path));
            assert!(
                before[&t.name].contains(producer),
                "{} reads {producer}, which may not have finished",
                t.name
            );
            placed.insert(dest.clone());
        }
        let needed: BTreeSet<String> = t
            .all_upstream
            .iter()
            .flat_map(|u| files_of(by_name[u.as_str()]))
            .collect();
        assert_eq!(placed, needed, "{} receives every upstream file", t.name);
    }
}

fn write_for_validator(name: &str, cfg: &ArgoConfig, plan: &Plan) {
    let Ok(dir) = std::env::var("SOOPERVISOR_ARGO_OUT") else {
        return;
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    // YAML only: these are large, and the CI's exports through the binary cover JSON
    let target = ExportTarget::new(plan.project.root.clone()).with_format(OutputFormat::Yaml);
    let out = cfg.export(plan, &target).unwrap();
    std::fs::write(dir.join(format!("{name}.yaml")), out.files[0].contents()).unwrap();
}

#[test]
fn two_thousand_fetch_tasks_share_a_few_templates_and_get_every_file() {
    let plan = wide(2000);
    assert_eq!(plan.tasks.len(), 2000);
    let cfg = fetch_cfg();
    cfg.check(&plan).unwrap();
    let built = build(&cfg, &plan).unwrap();
    let v = serde_json::to_value(&built.workflow).unwrap();
    let templates = v["spec"]["templates"].as_array().unwrap();
    let scripts: Vec<&Value> = templates
        .iter()
        .filter(|t| t.get("script").is_some())
        .collect();
    // root, a_i, b_i and final differ in how many files they download
    assert_eq!(scripts.len(), 4);
    assert!(templates.len() <= 200);
    assert_files_flow(&plan, &v, &guaranteed_before(&built.workflow));
    // files did cross chunks
    assert!(templates
        .iter()
        .any(|t| t["outputs"]["artifacts"].is_array() && t.get("dag").is_some()));
    write_for_validator("fetch-2000", &cfg, &plan);
}

#[test]
fn small_chunks_hand_files_across_nested_dags() {
    let cfg = fetch_cfg();
    for (plan, chunk) in [(wide(60), 10), (wide(60), 7), (diamond_all(), 2)] {
        let built = build_with_chunk(&cfg, &plan, chunk).unwrap();
        let v = serde_json::to_value(&built.workflow).unwrap();
        assert_files_flow(&plan, &v, &guaranteed_before(&built.workflow));
    }
    write_for_validator("fetch-wide-60", &cfg, &wide(60));
}

/// The diamond with its transitive upstream tasks filled in.
fn diamond_all() -> Plan {
    let mut p = diamond(Mode::Regular);
    fill_all_upstream(&mut p.tasks);
    p
}

#[test]
fn up_to_199_tasks_keep_one_template_per_task() {
    let cfg = fetch_cfg();
    let built = build(&cfg, &wide(199)).unwrap();
    let v = serde_json::to_value(&built.workflow).unwrap();
    let templates = v["spec"]["templates"].as_array().unwrap();
    assert_eq!(templates.len(), 200);
    assert!(templates.iter().any(|t| t["name"] == "run-final"));
    let built = build(&cfg, &wide(201)).unwrap();
    let v = serde_json::to_value(&built.workflow).unwrap();
    assert!(v["spec"]["templates"].as_array().unwrap().len() < 10);
    assert_files_flow(&wide(201), &v, &guaranteed_before(&built.workflow));
}

#[test]
fn settings_of_shared_fetch_templates_reach_each_task() {
    // 300 tasks, each with its own cpu: copies do not fit, parameters do
    let mut plan = wide(300);
    let mut yaml = String::from("t:\n  tasks:\n");
    for (i, t) in plan.tasks.iter().enumerate() {
        yaml.push_str(&format!(
            "    {}: {{cpu: {}m, retries: 2}}\n",
            t.name,
            i + 1
        ));
    }
    let file = std::path::Path::new("/home/user/wide/soopervisor.yaml");
    let spec = soopervisor_core::settings::SettingsSpec::from_yaml(&yaml, "t", file).unwrap();
    let names: Vec<&str> = plan.tasks.iter().map(|t| t.name.as_str()).collect();
    plan.settings = soopervisor_core::settings::resolve(&spec, names.clone(), names).unwrap();
    let cfg = fetch_cfg();
    cfg.check(&plan).unwrap();
    let built = build(&cfg, &plan).unwrap();
    let v = serde_json::to_value(&built.workflow).unwrap();
    let templates = v["spec"]["templates"].as_array().unwrap();
    assert!(templates.len() <= 200);
    let by_name: HashMap<&str, &Value> = templates
        .iter()
        .map(|t| (t["name"].as_str().unwrap(), t))
        .collect();
    for node in templates
        .iter()
        .flat_map(|t| t["dag"]["tasks"].as_array().cloned().unwrap_or_default())
    {
        let tpl = by_name[node["template"].as_str().unwrap()];
        if tpl.get("dag").is_some() {
            continue;
        }
        let args = node["arguments"]["parameters"].as_array().unwrap();
        let arg = |n: &str| {
            args.iter().find(|p| p["name"] == n).unwrap()["value"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let task = arg("task_name");
        let cpu = plan.settings(&task).cpu_quantity().unwrap();
        assert_eq!(
            tpl["retryStrategy"]["limit"],
            "{{inputs.parameters.retries}}"
        );
        assert_eq!(arg("retries"), "2");
        let res: Value = serde_json::from_str(&arg("resources")).unwrap();
        assert_eq!(res["limits"]["cpu"], cpu.as_str(), "{task}");
        assert!(tpl["podSpecPatch"]
            .as_str()
            .unwrap()
            .contains("{{inputs.parameters.resources}}"));
    }
    assert_files_flow(&plan, &v, &guaranteed_before(&built.workflow));
    write_for_validator("fetch-settings-300", &cfg, &plan);
}

#[test]
fn many_different_fan_ins_share_templates_with_optional_inputs() {
    // 50 sources and 200 sinks, sink j reading the first j % 50 + 1 sources, in four
    // kinds of settings (different label names): 200 shapes, more than the templates
    // left beside the DAGs
    let mut tasks: Vec<PlannedTask> = (0..50).map(|i| task(&format!("s{i}"), &[])).collect();
    let sources: Vec<String> = (0..50).map(|i| format!("s{i}")).collect();
    let mut yaml = String::from("t:\n  tasks:\n");
    for j in 0..200 {
        let ups: Vec<&str> = sources[..j % 50 + 1].iter().map(String::as_str).collect();
        tasks.push(task(&format!("k{j}"), &ups));
        yaml.push_str(&format!("    k{j}: {{labels: {{l{}: v{j}}}}}\n", j / 50));
    }
    let mut plan = plan(project("fanin"), Mode::Regular, tasks);
    fill_all_upstream(&mut plan.tasks);
    let file = std::path::Path::new("/home/user/fanin/soopervisor.yaml");
    let spec = soopervisor_core::settings::SettingsSpec::from_yaml(&yaml, "t", file).unwrap();
    let names: Vec<&str> = plan.tasks.iter().map(|t| t.name.as_str()).collect();
    plan.settings = soopervisor_core::settings::resolve(&spec, names.clone(), names).unwrap();
    let cfg = fetch_cfg();
    cfg.check(&plan).unwrap();
    let built = build(&cfg, &plan).unwrap();
    let v = serde_json::to_value(&built.workflow).unwrap();
    let templates = v["spec"]["templates"].as_array().unwrap();
    let scripts: Vec<&Value> = templates
        .iter()
        .filter(|t| t.get("script").is_some())
        .collect();
    // the sources, then per kind of settings 2, 4, 8, ... 64, and 100 (the most)
    assert_eq!(
        scripts.len(),
        1 + 4 * 7,
        "one template per kind and power of two"
    );
    let optional = scripts
        .iter()
        .flat_map(|t| {
            t["inputs"]["artifacts"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter(|a| a["optional"] == true)
        .count();
    assert!(optional > 0);
    for t in &scripts {
        let src = t["script"]["source"].as_str().unwrap();
        for a in t["inputs"]["artifacts"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let Some(n) = a["name"].as_str().unwrap().strip_prefix("in-") else {
                continue;
            };
            let guarded = src.contains(&format!("[ -z \"$SOOPERVISOR_INPUT_{n}\" ] ||"));
            assert_eq!(guarded, a["optional"] == true, "in-{n}");
            let p = t["inputs"]["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == format!("input-{n}"))
                .unwrap();
            assert_eq!(p.get("default").is_some(), a["optional"] == true);
        }
    }
    assert_files_flow(&plan, &v, &guaranteed_before(&built.workflow));
    write_for_validator("fetch-fan-ins", &cfg, &plan);
}
