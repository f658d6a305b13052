//! Pipelines above `max_tasks_per_workflow`: split into a parent Workflow and one
//! WorkflowTemplate per part; every task runs exactly once and only after all of its
//! upstream tasks, across parts too; the threshold's edges; refusals.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use common::*;
use serde::Deserialize;
use soopervisor_argo::export::{build, build_with_chunk, Built};
use soopervisor_argo::model::{Workflow, WorkflowTemplate};
use soopervisor_argo::nest::{MAX_DAG_TASKS, MAX_TEMPLATES, MAX_WORKFLOW_TASKS, RUN_TASK};
use soopervisor_argo::split::{PART_PARAM, RUN_PART};
use soopervisor_argo::ArgoConfig;
use soopervisor_core::backend::{BackendConfig, Export, ExportTarget, OutputFormat};
use soopervisor_core::plan::{Mode, Plan};

fn cfg(max: i64) -> ArgoConfig {
    ArgoConfig {
        max_tasks_per_workflow: max,
        ..ArgoConfig::default()
    }
}

fn target(format: OutputFormat) -> ExportTarget {
    ExportTarget::new(PathBuf::from("/home/user/project")).with_format(format)
}

fn export(cfg: &ArgoConfig, plan: &Plan, format: OutputFormat) -> Export {
    cfg.export(plan, &target(format)).unwrap()
}

/// A part's spec as a Workflow, for [`guaranteed_before`].
fn as_workflow(t: &WorkflowTemplate) -> Workflow {
    Workflow {
        api_version: t.api_version.clone(),
        kind: "Workflow".to_string(),
        metadata: t.metadata.clone(),
        spec: t.spec.clone(),
    }
}

/// Ploomber tasks run by each part, in order, read from its DAG templates.
fn tasks_of(part: &WorkflowTemplate) -> Vec<String> {
    part.spec
        .templates
        .iter()
        .flat_map(|t| t.dag.iter().flat_map(|d| &d.tasks))
        .filter(|t| t.template == RUN_TASK)
        .map(|t| {
            t.arguments.as_ref().unwrap().parameters[0]
                .value
                .clone()
                .unwrap()
        })
        .collect()
}

/// Checks a split build against the plan: every task exactly once, in parts of at
/// most `max` contiguous tasks, each DAG within Argo's limits and with only local
/// `depends`, the parent's part dependencies equal to the cross-part edges, and every
/// task guaranteed to start after all of its upstream tasks.
fn assert_correct_split(plan: &Plan, built: &Built, max: usize) {
    let parts = &built.parts;
    assert!(!parts.is_empty(), "not split");
    assert_eq!(parts.len(), plan.tasks.len().div_ceil(max));
    // contiguous, at most max, every task exactly once
    let mut all = Vec::new();
    let mut part_of: HashMap<String, usize> = HashMap::new();
    for (k, p) in parts.iter().enumerate() {
        let mut ts = tasks_of(p);
        assert!(!ts.is_empty() && ts.len() <= max, "{k}: {}", ts.len());
        let expected: Vec<&str> = plan.tasks[all.len()..all.len() + ts.len()]
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        let mut sorted = ts.clone();
        sorted.sort();
        let mut want = expected.clone();
        want.sort();
        assert_eq!(sorted, want, "part {k} holds a contiguous run of the plan");
        for t in &ts {
            assert!(part_of.insert(t.clone(), k).is_none(), "{t} runs twice");
        }
        all.append(&mut ts);
    }
    assert_eq!(all.len(), plan.tasks.len(), "every task runs");
    // within limits; depends inside parts only name tasks of the same part
    for p in parts {
        assert!(p.spec.templates.len() <= MAX_TEMPLATES);
        let mine: HashSet<String> = tasks_of(p).into_iter().collect();
        let argo_to_ploomber: HashMap<String, String> = built
            .names
            .iter()
            .map(|(a, b)| (b.to_string(), a.to_string()))
            .collect();
        for t in &p.spec.templates {
            let Some(d) = &t.dag else { continue };
            assert!(!d.tasks.is_empty() && d.tasks.len() <= MAX_DAG_TASKS);
            for task in d.tasks.iter().filter(|t| t.template == RUN_TASK) {
                for dep in task.depends.iter().flat_map(|d| d.split(" && ")) {
                    assert!(mine.contains(&argo_to_ploomber[dep]), "{dep} is not local");
                }
            }
        }
    }
    // the parent: one run-part per part, depending exactly on the cross-part edges
    let parent_before = guaranteed_before(&built.workflow);
    let names: Vec<String> = parts
        .iter()
        .map(|p| p.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(
        parent_before.keys().collect::<BTreeSet<_>>(),
        names.iter().collect::<BTreeSet<_>>()
    );
    let mut cross: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for t in &plan.tasks {
        for u in &t.upstream {
            let (pt, pu) = (part_of[&t.name], part_of[u]);
            assert!(pu <= pt, "an upstream task sits in a later part");
            if pu != pt {
                cross.entry(pt).or_default().insert(pu);
            }
        }
    }
    let flat = built.workflow.spec.templates.len() == 2;
    for (k, name) in names.iter().enumerate() {
        let want = cross.remove(&k).unwrap_or_default();
        if flat {
            // one DAG: its depends are exactly the cross-part edges
            let task = &built.workflow.spec.templates[0].dag.as_ref().unwrap().tasks[k];
            let got: BTreeSet<usize> = task
                .depends
                .iter()
                .flat_map(|d| d.split(" && "))
                .map(|n| n.trim_start_matches("part-").parse::<usize>().unwrap() - 1)
                .collect();
            assert_eq!(got, want, "{name}");
        }
        for u in want {
            assert!(parent_before[name].contains(&names[u]), "{name} after {u}");
        }
    }
    // every task starts after all its upstream tasks: inside its part, or because its
    // part starts after the whole part holding the upstream task
    let mut before: HashMap<String, HashSet<String>> = HashMap::new();
    for (k, p) in parts.iter().enumerate() {
        let inside = guaranteed_before(&as_workflow(p));
        for (t, mut b) in inside {
            for earlier in &parent_before[&names[k]] {
                let j = names.iter().position(|n| n == earlier).unwrap();
                b.extend(tasks_of(&parts[j]));
            }
            before.insert(t, b);
        }
    }
    for t in &plan.tasks {
        for u in &t.upstream {
            assert!(
                before[&t.name].contains(u),
                "{} may start before {u}",
                t.name
            );
        }
    }
}

#[test]
fn every_task_runs_once_after_its_upstream_across_parts() {
    for plan in [
        diamond(Mode::Regular),
        odd_names(),
        packaged(),
        big(57),
        big(450),
    ] {
        for max in [1usize, 2, 3, 5, 50, 199] {
            if plan.tasks.len() <= max {
                continue;
            }
            for chunk in [2, 3, MAX_DAG_TASKS] {
                // more DAG templates than one spec holds: not a layout to check
                let fits = |n: usize| n <= chunk || n.div_ceil(chunk) + 2 <= MAX_TEMPLATES;
                if !fits(plan.tasks.len().div_ceil(max)) || !fits(max) {
                    continue;
                }
                let built = build_with_chunk(&cfg(max as i64), &plan, chunk).unwrap();
                assert_correct_split(&plan, &built, max);
            }
        }
    }
}

#[test]
fn a_parent_with_more_than_200_parts_nests_its_dag() {
    let plan = big(450);
    let built = build(&cfg(2), &plan).unwrap();
    assert_eq!(built.parts.len(), 225);
    let names: Vec<&str> = built
        .workflow
        .spec
        .templates
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(names, ["dag", "chunk-001", "chunk-002", RUN_PART]);
    assert_correct_split(&plan, &built, 2);
}

#[test]
fn threshold_edges_max_stays_one_workflow_and_max_plus_one_splits() {
    let plan = big(57);
    // at the threshold: byte-identical to the default export, one file
    let at = export(&cfg(57), &plan, OutputFormat::Yaml);
    let default = export(&ArgoConfig::default(), &plan, OutputFormat::Yaml);
    assert_eq!(at.files, default.files);
    assert_eq!(at.files.len(), 1);
    assert!(build(&cfg(57), &plan).unwrap().parts.is_empty());
    // one task more than the threshold: two parts, of max and 1 tasks
    let built = build(&cfg(56), &plan).unwrap();
    assert_eq!(built.parts.len(), 2);
    assert_eq!(tasks_of(&built.parts[0]).len(), 56);
    assert_eq!(tasks_of(&built.parts[1]), ["final"]);
    assert_correct_split(&plan, &built, 56);
    let out = export(&cfg(56), &plan, OutputFormat::Yaml);
    let paths: Vec<&str> = out
        .files
        .iter()
        .map(|f| f.path().to_str().unwrap())
        .collect();
    assert_eq!(paths, ["argo.yaml", "argo-templates.yaml"]);
}

#[test]
fn the_largest_setting_fits_one_workflow() {
    let plan = big(MAX_WORKFLOW_TASKS);
    let built = build(&cfg(MAX_WORKFLOW_TASKS as i64), &plan).unwrap();
    assert!(built.parts.is_empty());
    assert_eq!(built.workflow.spec.templates.len(), MAX_TEMPLATES);
    let plan = big(MAX_WORKFLOW_TASKS + 1);
    let built = build(&cfg(MAX_WORKFLOW_TASKS as i64), &plan).unwrap();
    assert_eq!(built.parts.len(), 2);
    assert_eq!(tasks_of(&built.parts[1]), ["final"]);
}

#[test]
fn out_of_range_values_are_refused_naming_the_key_and_range() {
    let plan = big(10);
    for bad in [0, -1, MAX_WORKFLOW_TASKS as i64 + 1, i64::MAX] {
        let err = cfg(bad).check(&plan).unwrap_err().to_string();
        assert!(
            err.contains("max_tasks_per_workflow must be between 1 and 39600")
                && err.contains(&bad.to_string()),
            "{err}"
        );
        assert!(build(&cfg(bad), &plan).is_err());
    }
    for good in [1, MAX_WORKFLOW_TASKS as i64] {
        cfg(good).check(&plan).unwrap();
    }
    // a non-number is a settings error through serde
    let err = serde_json::from_value::<ArgoConfig>(serde_json::json!({
        "max_tasks_per_workflow": "many"
    }))
    .unwrap_err()
    .to_string();
    assert!(err.contains("invalid type"), "{err}");
}

#[test]
fn per_task_strategies_are_never_split() {
    let with = |storage: &str, max: i64| {
        serde_json::from_value::<ArgoConfig>(serde_json::json!({
            "storage": storage,
            "code": {"kind": "git", "repo": "https://github.com/example/ml-basic.git",
                     "revision": "1234abcd1234abcd1234abcd1234abcd1234abcd"},
            "max_tasks_per_workflow": max,
        }))
        .unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let tgt = ExportTarget::new(dir.path().to_path_buf()).with_format(OutputFormat::Yaml);
    // more tasks than one template each allows: still one Workflow (shared
    // templates), and the setting is not applied
    let mut plan = big(205);
    plan.project.root = dir.path().to_path_buf();
    let out = with("fetch", 100).export(&plan, &tgt).unwrap();
    assert_eq!(out.files.len(), 1, "artifacts cannot cross Workflows");
    assert!(out.warnings.iter().any(|w| w
        .message
        .contains("max_tasks_per_workflow (100) is not applied")));
    // small enough for one Workflow: one Workflow, and a warning that the setting
    // was not applied
    let mut plan = diamond(Mode::Regular);
    plan.project.root = dir.path().to_path_buf();
    let out = with("fetch", 2).export(&plan, &tgt).unwrap();
    assert_eq!(out.files.len(), 1, "artifacts cannot cross Workflows");
    assert!(
        out.warnings.iter().any(|w| w
            .message
            .contains("max_tasks_per_workflow (2) is not applied")),
        "{:?}",
        out.warnings
    );
}

#[test]
fn names_are_deterministic_and_annotations_cover_each_part() {
    let plan = odd_names();
    let a = export(&cfg(3), &plan, OutputFormat::Yaml);
    let b = export(&cfg(3), &plan, OutputFormat::Yaml);
    assert_eq!(a.files, b.files);
    let built = build(&cfg(3), &plan).unwrap();
    let names: Vec<&str> = built
        .parts
        .iter()
        .map(|p| p.metadata.name.as_deref().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "my-project-part-001",
            "my-project-part-002",
            "my-project-part-003"
        ]
    );
    let wf = &built.workflow;
    assert_eq!(wf.metadata.generate_name.as_deref(), Some("my-project-"));
    assert!(!wf
        .metadata
        .annotations
        .contains_key("soopervisor/task-names"));
    assert_eq!(wf.metadata.annotations["soopervisor/mode"], "regular");
    for p in &built.parts {
        let map: BTreeMap<String, String> =
            serde_json::from_str(&p.metadata.annotations["soopervisor/task-names"]).unwrap();
        let mut ts = tasks_of(p);
        ts.sort();
        assert_eq!(map.keys().cloned().collect::<Vec<_>>(), ts);
        for (ploomber, argo) in &map {
            assert_eq!(built.names.get(ploomber), Some(argo.as_str()));
        }
        assert_eq!(p.metadata.annotations["soopervisor/mode"], "regular");
        assert_eq!(p.spec.entrypoint, "dag");
    }
    // the parent passes each part name exactly once, to run-part
    let passed: Vec<String> = wf.spec.templates[0]
        .dag
        .as_ref()
        .unwrap()
        .tasks
        .iter()
        .map(|t| {
            let p = &t.arguments.as_ref().unwrap().parameters[0];
            assert_eq!(
                (t.template.as_str(), p.name.as_str()),
                (RUN_PART, PART_PARAM)
            );
            p.value.clone().unwrap()
        })
        .collect();
    assert_eq!(passed, names);
}

#[test]
fn the_service_account_and_volumes_reach_every_object_that_needs_them() {
    let plan = diamond(Mode::Force);
    let c = ArgoConfig {
        service_account: Some("runner".to_string()),
        ..cfg(2)
    };
    let built = build(&c, &plan).unwrap();
    assert_eq!(
        built.workflow.spec.service_account_name.as_deref(),
        Some("runner")
    );
    assert!(
        built.workflow.spec.volumes.is_empty(),
        "the parent runs no task"
    );
    let single = build(&ArgoConfig::default(), &plan).unwrap().workflow;
    for p in &built.parts {
        assert_eq!(p.spec.service_account_name.as_deref(), Some("runner"));
        assert_eq!(p.spec.volumes, single.spec.volumes);
        let run = p.spec.templates.last().unwrap();
        assert_eq!(run, single.spec.templates.last().unwrap(), "same run-task");
    }
}

/// The YAML stream and the JSON List hold the same objects, in order.
#[test]
fn templates_file_is_a_yaml_stream_or_a_json_list() {
    let plan = big(57);
    let yaml = export(&cfg(20), &plan, OutputFormat::Yaml);
    let json = export(&cfg(20), &plan, OutputFormat::Json);
    let text = String::from_utf8(yaml.files[1].contents().to_vec()).unwrap();
    assert_eq!(text.matches("\n---\n").count(), 2);
    let docs: Vec<serde_json::Value> = serde_yaml::Deserializer::from_str(&text)
        .map(|d| serde_json::Value::deserialize(d).unwrap())
        .collect();
    let list: serde_json::Value = serde_json::from_slice(json.files[1].contents()).unwrap();
    assert_eq!(list["apiVersion"], "v1");
    assert_eq!(list["kind"], "List");
    assert_eq!(list["items"].as_array().unwrap(), &docs);
    assert_eq!(json.files[1].path(), PathBuf::from("argo-templates.json"));
    // declared as the main file's companion: it follows `--output FILE`
    assert_eq!(
        json.files[0].role(),
        soopervisor_core::backend::FileRole::Main
    );
    assert_eq!(
        json.files[1].role(),
        soopervisor_core::backend::FileRole::Companion
    );
    assert_eq!(json.files[1].companion_suffix(), Some("-templates"));
    assert_eq!(docs[0]["kind"], "WorkflowTemplate");
    assert_eq!(docs[2]["metadata"]["name"], "big-part-003");
    // the parent: the same in both formats
    let parent: serde_json::Value = serde_yaml::from_slice(yaml.files[0].contents()).unwrap();
    let parent_json: serde_json::Value = serde_json::from_slice(json.files[0].contents()).unwrap();
    assert_eq!(parent, parent_json);
    maybe_write("big-57-split", &yaml, &json);
}

/// With `SOOPERVISOR_ARGO_OUT=dir`, the files are also written there for
/// `tests/argo-validate.sh`, which validates `X.yaml` with `X-templates.yaml`.
fn maybe_write(name: &str, yaml: &Export, json: &Export) {
    if let Ok(dir) = std::env::var("SOOPERVISOR_ARGO_OUT") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (out, ext) in [(yaml, "yaml"), (json, "json")] {
            std::fs::write(dir.join(format!("{name}.{ext}")), out.files[0].contents()).unwrap();
            std::fs::write(
                dir.join(format!("{name}-templates.{ext}")),
                out.files[1].contents(),
            )
            .unwrap();
        }
    }
}

#[test]
fn every_split_layout_is_written_for_the_validator() {
    for (name, plan, max) in [
        ("diamond-split", diamond(Mode::Incremental), 1),
        ("odd-names-split", odd_names(), 3),
        ("big-450-split", big(450), 100),
    ] {
        let yaml = export(&cfg(max), &plan, OutputFormat::Yaml);
        let json = export(&cfg(max), &plan, OutputFormat::Json);
        assert_eq!(yaml.files.len(), 2, "{name}");
        maybe_write(name, &yaml, &json);
    }
    // a parent whose DAG is nested (225 parts)
    let plan = big(450);
    maybe_write(
        "big-450-parts-2",
        &export(&cfg(2), &plan, OutputFormat::Yaml),
        &export(&cfg(2), &plan, OutputFormat::Json),
    );
}

#[test]
fn next_steps_apply_the_templates_then_submit_the_parent() {
    let plan = diamond(Mode::Force);
    let out = export(&cfg(2), &plan, OutputFormat::Yaml);
    let n = out.next_steps.len();
    assert_eq!(
        out.next_steps[n - 2],
        "kubectl apply --server-side -n argo -f /home/user/project/argo-templates.yaml"
    );
    assert_eq!(
        out.next_steps[n - 1],
        "argo submit -n argo /home/user/project/argo.yaml"
    );
    let single = export(&ArgoConfig::default(), &plan, OutputFormat::Yaml);
    assert!(!single
        .next_steps
        .iter()
        .any(|s| s.contains("kubectl apply")));
}

#[test]
fn lint_catches_a_broken_split() {
    use soopervisor_argo::lint::lint_split;
    let built = build(&cfg(2), &diamond(Mode::Force)).unwrap();
    lint_split(&built.workflow, &built.parts).unwrap();
    // a part the parent never runs, and a run of a missing part
    let err = lint_split(&built.workflow, &built.parts[..1])
        .unwrap_err()
        .to_string();
    assert!(err.contains("which is no WorkflowTemplate"), "{err}");
    let mut extra = built.parts.clone();
    let mut p = extra[0].clone();
    p.metadata.name = Some("stray".to_string());
    extra.push(p);
    let err = lint_split(&built.workflow, &extra).unwrap_err().to_string();
    assert!(err.contains("never runs WorkflowTemplate 'stray'"), "{err}");
    // a part named like a Workflow (generateName) or too long for its children
    let mut bad = built.parts.clone();
    bad[0].metadata.name = Some(format!("{}-part-001", "x".repeat(60)));
    let err = lint_split(&built.workflow, &bad).unwrap_err().to_string();
    assert!(err.contains("invalid name"), "{err}");
    // a manifest using an input the template does not declare
    let mut parent = built.workflow.clone();
    let run = parent.spec.templates.last_mut().unwrap();
    run.inputs = None;
    let err = lint_split(&parent, &built.parts).unwrap_err().to_string();
    assert!(err.contains("no declared input"), "{err}");
}
