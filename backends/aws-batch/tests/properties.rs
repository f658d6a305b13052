//! Property tests: arbitrary task names survive the trip through `batch.json`
//! (serde_json, the parser the SDK and the aws CLI use for these shapes) and the state
//! file exactly, job names are valid and unique, and the dependency limit and order
//! hold for arbitrary DAGs.

mod common;

use std::collections::BTreeSet;

use common::*;
use proptest::prelude::*;
use soopervisor_aws_batch::export::{build, encode, MAX_DEPENDS_ON};
use soopervisor_aws_batch::model::BatchPlan;
use soopervisor_aws_batch::names::is_batch_name;
use soopervisor_aws_batch::state::{read, Submitted, STATE_FILE};
use soopervisor_core::plan::Mode;

fn names() -> impl Strategy<Value = Vec<String>> {
    prop::collection::btree_set(
        any::<String>().prop_filter("non-empty", |s| !s.is_empty()),
        1..12,
    )
    .prop_map(|s| s.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn names_round_trip_through_batch_json_and_the_state_file(names in names()) {
        let tasks = names.iter().map(|n| task(n, &[])).collect();
        let built = build(&efs_config(), &plan(Mode::Regular, tasks)).unwrap();
        let text = encode(&built.requests).unwrap();
        let back: BatchPlan = serde_json::from_slice(&text).unwrap();
        prop_assert_eq!(&back, &built.requests);
        let env: Vec<String> = back.submit_job.iter()
            .map(|j| j.container_overrides.as_ref().unwrap().environment[0].value.clone())
            .collect();
        prop_assert_eq!(&env, &names);
        let jobs: BTreeSet<&str> = back.submit_job.iter().map(|j| j.job_name.as_str()).collect();
        prop_assert_eq!(jobs.len(), names.len());
        for j in &jobs {
            prop_assert!(is_batch_name(j) && j.len() >= 2, "{}", j);
        }
        let dir = tempfile::tempdir().unwrap();
        let mut w = soopervisor_core::backend::tracking::StateWriter::create(&dir.path().join(STATE_FILE)).unwrap();
        let recorded: Vec<Submitted> = back.submit_job.iter().zip(&names).enumerate()
            .map(|(i, (j, n))| Submitted { task: Some(n.clone()), job_name: j.job_name.clone(), job_id: format!("id-{i}") })
            .collect();
        for r in &recorded {
            w.push(&r.fields()).unwrap();
        }
        prop_assert_eq!(read(&dir.path().join(STATE_FILE)).unwrap(), recorded);
    }

    #[test]
    fn any_dag_keeps_order_and_the_limit(ups in prop::collection::vec(prop::collection::vec(any::<prop::sample::Index>(), 0..70), 1..60)) {
        let names: Vec<String> = (0..ups.len()).map(|i| format!("t{i}")).collect();
        let tasks = ups.iter().enumerate().map(|(i, u)| {
            let up: BTreeSet<&str> = if i == 0 { BTreeSet::new() } else { u.iter().map(|x| names[x.index(i)].as_str()).collect() };
            task(&names[i], &up.into_iter().collect::<Vec<_>>())
        }).collect();
        let built = build(&efs_config(), &plan(Mode::Regular, tasks)).unwrap();
        let mut seen = BTreeSet::new();
        for j in &built.requests.submit_job {
            prop_assert!(j.depends_on.len() <= MAX_DEPENDS_ON);
            for d in &j.depends_on {
                prop_assert!(seen.contains(d.placeholder_name().unwrap()));
            }
            seen.insert(j.job_name.clone());
        }
    }
}
