//! Fuzz target: the AWS Batch requests. Arbitrary task names and upstream links become
//! a plan; the backend's `batch.json` must parse back (serde_json) to the same
//! requests, carry every exact name in `PLOOMBER_TASK`, use valid unique job names,
//! stay within 20 `dependsOn` per job and only depend on jobs submitted earlier.
#![no_main]

use std::collections::BTreeSet;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use soopervisor_aws_batch::export::{build, encode, MAX_DEPENDS_ON};
use soopervisor_aws_batch::model::BatchPlan;
use soopervisor_aws_batch::names::is_batch_name;
use soopervisor_aws_batch::BatchConfig;
use soopervisor_core::plan::{Mode, Plan, PlannedTask, ProjectInfo};

#[derive(Debug, Arbitrary)]
struct Input {
    tasks: Vec<(String, Vec<u8>)>,
}

fuzz_target!(|input: Input| {
    let mut names: Vec<String> = Vec::new();
    let mut tasks = Vec::new();
    for (name, ups) in input.tasks.into_iter().take(200) {
        if name.is_empty() || names.contains(&name) {
            continue;
        }
        let upstream: BTreeSet<String> = if names.is_empty() {
            BTreeSet::new()
        } else {
            ups.iter().map(|u| names[*u as usize % names.len()].clone()).collect()
        };
        let upstream: Vec<String> = upstream.into_iter().collect();
        tasks.push(
            PlannedTask::new(name.clone(), "ShellScript")
                .with_upstream(upstream.clone())
                .with_all_upstream(upstream),
        );
        names.push(name);
    }
    if tasks.is_empty() {
        return;
    }
    let plan = Plan::new(
        ProjectInfo::new("/fuzz/project", "pipeline.yaml").with_name("project"),
        Mode::Force,
        tasks,
    );
    let cfg: BatchConfig = serde_json::from_value(serde_json::json!({
        "job_queue": "q",
        "storage": {"kind": "nfs", "file_system_id": "fs-1"},
        "env": {"kind": "image", "image": "reg/env:1"},
    }))
    .unwrap();
    let built = build(&cfg, &plan).expect("every plan exports");
    let text = encode(&built.requests).unwrap();
    let back: BatchPlan = serde_json::from_slice(&text).unwrap();
    assert_eq!(back, built.requests);
    let mut seen = BTreeSet::new();
    let mut env = Vec::new();
    for (job, task) in back.submit_job.iter().zip(&built.tasks) {
        assert!(is_batch_name(&job.job_name) && job.job_name.len() >= 2);
        assert!(job.depends_on.len() <= MAX_DEPENDS_ON);
        for d in &job.depends_on {
            assert!(seen.contains(d.placeholder_name().unwrap()));
        }
        assert!(seen.insert(job.job_name.clone()));
        if task.is_some() {
            env.push(job.container_overrides.as_ref().unwrap().environment[0].value.clone());
        }
    }
    assert_eq!(env, names);
});
