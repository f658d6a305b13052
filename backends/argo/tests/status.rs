//! `status` against the node tree Argo builds for our own exports: the Workflow of a
//! 451-task plan (three nested `chunk-NNN` DAG templates) is turned into the nodes
//! Argo would create for it (a node per DAG task, named by its path
//! `WORKFLOW.chunk-001.TASK`, `displayName` the DAG task's name, `DAG` nodes for the
//! chunks), and every Ploomber task must come back with its own phase, including a
//! task whose Argo name equals a chunk's. Submission goes through a stand-in `argo`.

mod common;

use std::path::Path;

use common::*;
use serde_json::{json, Map, Value};
use soopervisor_argo::client::Clients;
use soopervisor_argo::export::build;
use soopervisor_argo::model::Workflow;
use soopervisor_argo::ArgoConfig;
use soopervisor_core::backend::ExportTarget;
use soopervisor_core::plan::{Mode, Plan};

/// A stand-in `argo` printing `submit.json` or `get.json` from its folder.
fn stand_in(dir: &Path) -> Clients {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join("argo");
    std::fs::write(
        &p,
        "#!/bin/sh\nprintf '%s\\n' \"$*\" >> \"${0%/*}/calls.log\"\ncat \"${0%/*}/$1.json\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    Clients {
        argo: Some(p),
        kubectl: None,
    }
}

/// The nodes Argo creates for `wf` named `name`: walks the DAG templates from the
/// entry point; a DAG task running a DAG template is a `DAG` node, one running a
/// script is a `Pod` node in the phase `phase` gives its Ploomber task.
fn nodes(
    wf: &Workflow,
    name: &str,
    phase: &dyn Fn(&str) -> (&'static str, Option<String>),
) -> Value {
    let mut out = Map::new();
    fn walk(
        wf: &Workflow,
        template: &str,
        path: &str,
        id: &str,
        out: &mut Map<String, Value>,
        phase: &dyn Fn(&str) -> (&'static str, Option<String>),
    ) {
        let t = wf
            .spec
            .templates
            .iter()
            .find(|t| t.name == template)
            .unwrap();
        let mut children = Vec::new();
        for task in &t.dag.as_ref().unwrap().tasks {
            let node_name = format!("{path}.{}", task.name);
            let node_id = format!("{}-{}", id.split('-').next().unwrap(), out.len() + 1000);
            children.push(json!(node_id));
            let inner = wf
                .spec
                .templates
                .iter()
                .find(|x| x.name == task.template)
                .unwrap();
            if inner.dag.is_some() {
                out.insert(node_id.clone(), json!({}));
                walk(wf, &task.template, &node_name, &node_id, out, phase);
                let kids = out[&node_id].clone();
                out.insert(
                    node_id.clone(),
                    json!({"id": node_id, "name": node_name, "displayName": task.name, "type": "DAG",
                           "phase": "Running", "templateName": task.template, "boundaryID": id,
                           "children": kids["children"]}),
                );
            } else {
                let ploomber = task.arguments.as_ref().unwrap().parameters[0]
                    .value
                    .clone()
                    .unwrap();
                let (p, message) = phase(&ploomber);
                let mut node = json!({"id": node_id, "name": node_name, "displayName": task.name,
                                      "type": "Pod", "phase": p, "templateName": task.template,
                                      "boundaryID": id,
                                      "inputs": {"parameters": [{"name": "task_name", "value": ploomber}]}});
                if let Some(m) = message {
                    node["message"] = json!(m);
                }
                out.insert(node_id.clone(), node);
            }
        }
        if let Some(Value::Object(me)) = out.get_mut(id) {
            me.insert("children".into(), json!(children));
        }
    }
    out.insert(name.to_string(), json!({}));
    walk(wf, &wf.spec.entrypoint, name, name, &mut out, phase);
    let children = out[name]["children"].clone();
    out.insert(
        name.to_string(),
        json!({"id": name, "name": name, "displayName": name, "type": "DAG", "phase": "Running",
               "templateName": wf.spec.entrypoint, "children": children}),
    );
    Value::Object(out)
}

fn expected_phase(ploomber: &str) -> (&'static str, Option<String>) {
    if ploomber == "chunk-001" {
        return ("Failed", Some("Error (exit code 2)".to_string()));
    }
    match ploomber.len() % 3 {
        0 => ("Succeeded", None),
        1 => ("Running", None),
        _ => ("Pending", Some("PodInitializing".to_string())),
    }
}

#[test]
fn nested_dag_nodes_map_back_to_every_task() {
    let mut tasks = big(450).tasks;
    // its Argo name is also the name of the first chunk's DAG task
    tasks.push(task("chunk-001", &["root"]));
    let plan = Plan::new(project("big"), Mode::Force, tasks);
    let cfg = ArgoConfig::default();
    let wf = build(&cfg, &plan).unwrap().workflow;
    assert!(
        wf.spec.templates.iter().any(|t| t.name == "chunk-003"),
        "nested"
    );

    let dir = tempfile::tempdir().unwrap();
    let clients = stand_in(dir.path());
    std::fs::write(
        dir.path().join("submit.json"),
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
               "metadata": {"name": "big-q8w2e", "generateName": "big-", "namespace": "argo"},
               "status": {"startedAt": null, "finishedAt": null}})
        .to_string(),
    )
    .unwrap();
    let target = ExportTarget::new(dir.path().join("t")).with_name("t");
    let report = soopervisor_argo::submit::submit(&cfg, &plan, &target, &clients).unwrap();
    assert!(report.contains("submitted Workflow big-q8w2e"), "{report}");

    let get = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
                     "metadata": {"name": "big-q8w2e", "namespace": "argo"},
                     "status": {"phase": "Running", "nodes": nodes(&wf, "big-q8w2e", &expected_phase)}});
    std::fs::write(dir.path().join("get.json"), get.to_string()).unwrap();
    let submitted =
        soopervisor_argo::state::read(&target.dir.join(soopervisor_argo::state::STATE_FILE))
            .unwrap();
    let status = soopervisor_argo::status::report(&submitted, &clients).unwrap();
    assert!(!status.ended);
    assert_eq!(status.failed, 1);
    let rows: Vec<&str> = status.text.lines().skip(3).take(plan.tasks.len()).collect();
    for (t, row) in plan.tasks.iter().zip(&rows) {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[0], t.name, "{row}");
        assert_eq!(cols[2], expected_phase(&t.name).0, "{row}");
    }
    assert!(
        status.text.contains("\nchunk-001 (big-q8w2e, node big-"),
        "{}",
        status.text
    );
    assert!(
        status.text.ends_with(") Failed: Error (exit code 2)\n"),
        "{}",
        status.text
    );
    let calls = std::fs::read_to_string(dir.path().join("calls.log")).unwrap();
    assert_eq!(
        calls,
        format!(
            "submit -n argo {} -o json\nget -n argo big-q8w2e -o json\n",
            target.dir.join("argo.yaml").display()
        )
    );
}
