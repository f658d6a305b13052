//! End-to-end property (issue 7): for random small projects (percent scripts whose
//! parameters cells list their upstream tasks, names with capitals, `_`, `.` and `-`),
//! `inspect` infers exactly the generated DAG, and `export --backend argo --format json`
//! carries exactly that DAG: every task once, its exact Ploomber name passed to the pod,
//! and its `depends` naming the engine names of exactly its upstream tasks. The export
//! is deterministic (two runs give the same bytes) and never modifies the project.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{run, snapshot_tree};
use proptest::prelude::*;
use serde_json::Value;

/// Distinct task names and, for task `i`, upstream indices (all `< i`, so acyclic).
fn random_project() -> impl Strategy<Value = (Vec<String>, Vec<BTreeSet<usize>>)> {
    proptest::collection::btree_set("[a-zA-Z][a-zA-Z0-9_.-]{0,10}", 1..12)
        .prop_flat_map(|names| {
            let names: Vec<String> = names.into_iter().collect();
            let n = names.len();
            let ups = (0..n)
                .map(|i| proptest::collection::btree_set(0..i.max(1), 0..=i.min(3)))
                .collect::<Vec<_>>();
            (Just(names), ups)
        })
        .prop_map(|(names, ups)| {
            // task 0 has no upstream (0..1 only offers itself)
            let ups = ups
                .into_iter()
                .enumerate()
                .map(|(i, s)| s.into_iter().filter(|&j| j < i).collect())
                .collect();
            (names, ups)
        })
}

fn write_project(root: &Path, names: &[String], ups: &[BTreeSet<usize>]) {
    std::fs::create_dir_all(root.join("scripts")).unwrap();
    std::fs::write(
        root.join("environment.yml"),
        "name: prop\ndependencies:\n  - pip\n  - pip:\n    - ploomber\n",
    )
    .unwrap();
    let mut spec = String::from("tasks:\n");
    // declared in reverse so declaration order is not the topological order
    for (i, name) in names.iter().enumerate().rev() {
        let upstream: Vec<String> = ups[i]
            .iter()
            .map(|&j| serde_json::to_string(&names[j]).unwrap())
            .collect();
        let upstream = if upstream.is_empty() {
            "None".to_string()
        } else {
            format!("[{}]", upstream.join(", "))
        };
        std::fs::write(
            root.join(format!("scripts/s{i}.py")),
            format!("# %% tags=[\"parameters\"]\nupstream = {upstream}\nproduct = None\n\n# %%\nprint({i})\n"),
        )
        .unwrap();
        spec.push_str(&format!(
            "  - source: scripts/s{i}.py\n    name: {}\n    product: out/s{i}.ipynb\n",
            serde_json::to_string(name).unwrap()
        ));
    }
    std::fs::write(root.join("pipeline.yaml"), spec).unwrap();
}

fn stdout_json(root: &Path, args: &[&str]) -> (Value, Vec<u8>) {
    let out = run(root, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (serde_json::from_slice(&out.stdout).unwrap(), out.stdout)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn exported_dependencies_equal_the_inferred_dag((names, ups) in random_project()) {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("proj");
        write_project(&root, &names, &ups);
        let before = snapshot_tree(&root);
        let want: BTreeMap<String, BTreeSet<String>> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), ups[i].iter().map(|&j| names[j].clone()).collect()))
            .collect();

        let (inspected, _) = stdout_json(&root, &["inspect", "--format", "json"]);
        let inferred: BTreeMap<String, BTreeSet<String>> = inspected["tasks"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, t)| {
                let ups = t["upstream"].as_array().unwrap().iter()
                    .map(|u| u.as_str().unwrap().to_string()).collect();
                (k.clone(), ups)
            })
            .collect();
        prop_assert_eq!(&inferred, &want);

        let args = ["export", "--backend", "argo", "--storage", "nfs", "--mode", "regular",
                    "--format", "json", "--output", "-"];
        let (spec, bytes) = stdout_json(&root, &args);
        let (_, again) = stdout_json(&root, &args);
        prop_assert!(bytes == again, "two exports differ");

        let map: BTreeMap<String, String> = serde_json::from_str(
            spec["metadata"]["annotations"]["soopervisor/task-names"].as_str().unwrap(),
        )
        .unwrap();
        prop_assert_eq!(map.len(), names.len());
        let engine_to_ploomber: BTreeMap<&str, &str> =
            map.iter().map(|(p, e)| (e.as_str(), p.as_str())).collect();
        prop_assert_eq!(engine_to_ploomber.len(), names.len(), "engine names collide");

        let mut exported: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for template in spec["spec"]["templates"].as_array().unwrap() {
            let Some(tasks) = template["dag"]["tasks"].as_array() else { continue };
            for t in tasks {
                let engine = t["name"].as_str().unwrap();
                let ploomber = t["arguments"]["parameters"][0]["value"].as_str().unwrap();
                prop_assert_eq!(engine_to_ploomber.get(engine).copied(), Some(ploomber));
                let deps: BTreeSet<String> = t["depends"]
                    .as_str()
                    .map(|d| {
                        d.split(" && ")
                            .map(|e| engine_to_ploomber[e].to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                prop_assert!(
                    exported.insert(ploomber.to_string(), deps).is_none(),
                    "{} exported twice", ploomber
                );
            }
        }
        prop_assert_eq!(&exported, &want);
        prop_assert_eq!(before, snapshot_tree(&root), "the project was modified");
    }
}
