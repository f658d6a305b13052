//! Hand-built plans shared by the Argo backend's integration tests.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};

use soopervisor_argo::model::Workflow;

use soopervisor_core::plan::{Mode, Plan, PlannedTask};
use soopervisor_core::testing::{self, DIAMOND, ODD_NAMES};
pub use soopervisor_core::testing::{plan, project};

/// The core's test task, with its source file `scripts/NAME.py`.
pub fn task(name: &str, upstream: &[&str]) -> PlannedTask {
    testing::task(name, upstream).with_source(Some(format!("scripts/{name}.py")))
}

/// load → (clean, features) → train: a fan-out and a fan-in.
pub fn diamond(mode: Mode) -> Plan {
    testing::shaped(project("ml-basic"), mode, DIAMOND, task)
}

/// Names that need sanitising, colliding names, and YAML 1.1 traps.
pub fn odd_names() -> Plan {
    testing::shaped(project("My_Project"), Mode::Regular, ODD_NAMES, task)
}

/// A `setup.py` + `src/` project.
pub fn packaged() -> Plan {
    let mut p = project("ml_online");
    p.entry_point = "src/ml_online/pipeline.yaml".to_string();
    p.is_package = true;
    plan(
        p,
        Mode::Incremental,
        vec![
            task("get", &[]),
            task("features", &["get"]),
            task("join", &["get", "features"]),
        ],
    )
}

/// `n` tasks: a chain root → c1 → ... with a fan-out of leaves off every 10th link
/// and a final fan-in over the chain's tail and the leaves of the last block.
pub fn big(n: usize) -> Plan {
    let mut tasks = vec![task("root", &[])];
    let mut prev = "root".to_string();
    let mut i = 1;
    while tasks.len() < n - 1 {
        let name = format!("chain_{i}");
        tasks.push(task(&name, &[&prev]));
        if i % 10 == 0 && tasks.len() < n - 1 {
            tasks.push(task(&format!("leaf_{i}"), &[&name, "root"]));
        }
        prev = name;
        i += 1;
    }
    let leaves: Vec<String> = tasks
        .iter()
        .filter(|t| t.name.starts_with("leaf_"))
        .map(|t| t.name.clone())
        .collect();
    let mut ups: Vec<&str> = leaves.iter().map(String::as_str).collect();
    ups.push(&prev);
    tasks.push(task("final", &ups));
    plan(project("big"), Mode::Force, tasks)
}

/// For each Ploomber task: the set of Ploomber tasks guaranteed to have finished
/// before it starts, derived only from the Workflow (template nesting + `depends`).
/// A leaf is a DAG task running no DAG template, named by its first parameter's value (the
/// Ploomber name; for the parent of a split pipeline, the part).
pub fn guaranteed_before(wf: &Workflow) -> HashMap<String, HashSet<String>> {
    let templates: HashMap<&str, _> = wf
        .spec
        .templates
        .iter()
        .map(|t| (t.name.as_str(), t))
        .collect();
    // every Ploomber task run (directly or nested) by a template
    fn leaves(
        name: &str,
        templates: &HashMap<&str, &soopervisor_argo::model::Template>,
    ) -> HashSet<String> {
        let mut out = HashSet::new();
        if let Some(dag) = &templates[name].dag {
            for t in &dag.tasks {
                match leaf_name(t, templates) {
                    Some(n) => {
                        out.insert(n);
                    }
                    None => out.extend(leaves(&t.template, templates)),
                }
            }
        }
        out
    }
    fn walk(
        name: &str,
        before: &HashSet<String>,
        templates: &HashMap<&str, &soopervisor_argo::model::Template>,
        result: &mut HashMap<String, HashSet<String>>,
    ) {
        let dag = templates[name].dag.as_ref().unwrap();
        let by_name: HashMap<&str, _> = dag.tasks.iter().map(|t| (t.name.as_str(), t)).collect();
        // transitive closure of depends inside this DAG
        fn ancestors(
            n: &str,
            by_name: &HashMap<&str, &soopervisor_argo::model::DagTask>,
            acc: &mut HashSet<String>,
        ) {
            if let Some(d) = &by_name[n].depends {
                for p in d.split(" && ") {
                    if acc.insert(p.to_string()) {
                        ancestors(p, by_name, acc);
                    }
                }
            }
        }
        for t in &dag.tasks {
            let mut anc = HashSet::new();
            ancestors(&t.name, &by_name, &mut anc);
            let mut b = before.clone();
            for a in &anc {
                let at = by_name[a.as_str()];
                match leaf_name(at, templates) {
                    Some(n) => {
                        b.insert(n);
                    }
                    None => b.extend(leaves(&at.template, templates)),
                }
            }
            match leaf_name(t, templates) {
                Some(n) => {
                    result.insert(n, b);
                }
                None => walk(&t.template, &b, templates, result),
            }
        }
    }
    /// The first parameter of a DAG task that runs no DAG (a chunk's task may
    /// pass artifacts, but runs a DAG).
    fn leaf_name(
        t: &soopervisor_argo::model::DagTask,
        templates: &HashMap<&str, &soopervisor_argo::model::Template>,
    ) -> Option<String> {
        if templates[t.template.as_str()].dag.is_some() {
            return None;
        }
        Some(t.arguments.as_ref()?.parameters[0].value.clone().unwrap())
    }
    let mut result = HashMap::new();
    walk(
        &wf.spec.entrypoint,
        &HashSet::new(),
        &templates,
        &mut result,
    );
    result
}
