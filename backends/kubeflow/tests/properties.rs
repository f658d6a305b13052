//! Property tests: arbitrary Ploomber task names and DAGs go through the emitted YAML
//! and come back exact. The documents read back with serde_yaml (YAML 1.2) and with
//! the core's YAML 1.1 reader (PyYAML's rules, which the KFP SDK uses) into the typed
//! model; every Ploomber name is in exactly one executor's `PLOOMBER_TASK`, task keys
//! are `[a-z0-9-]` names from the core's name map, dependencies are Ploomber's, and
//! no name reaches a script's text.

mod common;

use std::collections::BTreeMap;

use common::*;
use proptest::prelude::*;
use soopervisor_core::output::names::NameMap;
use soopervisor_core::plan::{Mode, PlannedTask};
use soopervisor_kubeflow::model::PipelineSpec;

/// Names with quotes, `$()`, backticks, newlines, YAML indicators, unicode line
/// separators and look-alikes that collide after sanitising.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9_.-]{1,12}",
        "\\PC{1,16}",
        "[ -~\n\t\u{85}\u{2028}\u{2029}ü]{1,16}",
        Just("yes".to_string()),
        Just("on".to_string()),
        Just("1_000".to_string()),
        Just("$(touch MARKER)".to_string()),
        Just("a-b".to_string()),
        Just("a_b".to_string()),
    ]
}

/// Distinct names and, for each task, upstream tasks among the earlier ones.
fn dag() -> impl Strategy<Value = Vec<(String, Vec<usize>)>> {
    proptest::collection::btree_set(name(), 1..8).prop_flat_map(|names| {
        let names: Vec<String> = names.into_iter().collect();
        let n = names.len();
        let ups = proptest::collection::vec(
            proptest::collection::vec(any::<prop::sample::Index>(), 0..3),
            n,
        );
        (Just(names), ups).prop_map(|(names, ups)| {
            names
                .into_iter()
                .zip(ups)
                .enumerate()
                .map(|(i, (name, up))| {
                    let mut up: Vec<usize> = if i == 0 {
                        vec![]
                    } else {
                        up.iter().map(|x| x.index(i)).collect()
                    };
                    up.sort();
                    up.dedup();
                    (name, up)
                })
                .collect()
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_names_round_trip_through_the_ir(dag in dag(), fetch in any::<bool>()) {
        let tasks: Vec<PlannedTask> = dag
            .iter()
            .enumerate()
            .map(|(i, (n, up))| {
                let ups: Vec<&str> = up.iter().map(|u| dag[*u].0.as_str()).collect();
                let mut t = task(n, &ups);
                t.products = vec![format!("out/t{i}.csv")];
                t
            })
            .collect();
        let p = plan(project("proj"), Mode::Force, tasks);
        let cfg = if fetch {
            config(r#"{"storage": "fetch", "code": {"kind": "image", "repository": "r/x", "tag": "1"}}"#)
        } else {
            KubeflowConfig::default()
        };
        let text = yaml_of(&cfg, &p);
        let docs = documents(&text);
        prop_assert_eq!(docs.len(), if fetch { 1 } else { 2 });
        let first = text.split("\n---\n").next().unwrap();
        let v11 = soopervisor_core::project::yaml::parse(first).unwrap().value.to_json();
        prop_assert_eq!(&v11, &docs[0]);
        let spec: PipelineSpec = serde_json::from_value(docs[0].clone()).unwrap();

        let names = NameMap::new(p.tasks.iter().map(|t| t.name.as_str()));
        let mut seen = BTreeMap::new();
        for (key, t) in &spec.root.dag.tasks {
            prop_assert!(soopervisor_kubeflow::lint::is_k8s_name(key));
            let comp = &spec.components[&t.component_ref.name];
            let c = &spec.deployment_spec.executors[&comp.executor_label].container;
            let exact: Vec<&str> = c.env.iter().filter(|e| e.name == "PLOOMBER_TASK").map(|e| e.value.as_str()).collect();
            prop_assert_eq!(exact.len(), 1);
            prop_assert_eq!(names.get(exact[0]), Some(key.as_str()));
            seen.insert(exact[0].to_string(), t.dependent_tasks.clone());
        }
        prop_assert_eq!(seen.len(), p.tasks.len());
        for t in &p.tasks {
            let mut want: Vec<String> = t.upstream.iter().map(|u| names.get(u).unwrap().to_string()).collect();
            want.sort();
            prop_assert_eq!(&seen[&t.name], &want);
        }
        // names travel only in PLOOMBER_TASK: the scripts are the same for all tasks
        // once the per-task artifact lines are set aside
        let scripts: std::collections::BTreeSet<String> = spec
            .deployment_spec
            .executors
            .values()
            .map(|e| {
                e.container.command[2]
                    .lines()
                    .filter(|l| !(l.contains("${") || l.contains(" out/") || l.contains(" out\n") || l.ends_with(" out") || l.starts_with("# place") || l.starts_with("# hand")))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect();
        prop_assert_eq!(scripts.len(), 1);
    }
}
