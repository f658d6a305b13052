//! Hand-built plans and configs shared by the AWS Batch backend's integration tests,
//! and a recording fake of the Batch API.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;

use soopervisor_aws_batch::client::{Batch, JobState};
use soopervisor_aws_batch::model::{RegisterJobDefinition, SubmitJob};
use soopervisor_aws_batch::BatchConfig;
use soopervisor_core::plan::{Mode, Plan, PlannedTask, ProjectInfo};
use soopervisor_core::testing::DIAMOND;

pub fn project(name: &str) -> ProjectInfo {
    ProjectInfo::new(PathBuf::from(format!("/home/user/{name}")), "pipeline.yaml").with_name(name)
}

pub fn task(name: &str, upstream: &[&str]) -> PlannedTask {
    let mut up: Vec<String> = upstream.iter().map(|s| s.to_string()).collect();
    up.sort();
    PlannedTask::new(name, "ShellScript")
        .with_upstream(up.clone())
        .with_all_upstream(up)
        .with_products([format!("out/{}.txt", name.len())])
}

pub fn plan(mode: Mode, tasks: Vec<PlannedTask>) -> Plan {
    Plan::new(project("ml-basic"), mode, tasks)
}

/// load → (clean, features) → train.
pub fn diamond(mode: Mode) -> Plan {
    soopervisor_core::testing::shaped(project("ml-basic"), mode, DIAMOND, task)
}

/// `n` independent parts and a task that reads them all.
pub fn fan_in(n: usize) -> Plan {
    let parts: Vec<String> = (1..=n).map(|i| format!("part-{i:04}")).collect();
    let mut tasks: Vec<PlannedTask> = parts.iter().map(|p| task(p, &[])).collect();
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    tasks.push(task("join", &refs));
    plan(Mode::Regular, tasks)
}

/// A config from YAML-ish JSON.
pub fn config(json: serde_json::Value) -> BatchConfig {
    serde_json::from_value(json).expect("a valid config")
}

/// The usual test config: EFS, a prebuilt image, a queue.
pub fn efs_config() -> BatchConfig {
    config(serde_json::json!({
        "job_queue": "ml-queue",
        "storage": {"kind": "nfs", "file_system_id": "fs-0123456789abcdef0"},
        "env": {"kind": "image", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/env:1"},
    }))
}

/// A fake AWS Batch: records every call, hands out ids `job-1`, `job-2`, ..., fails the
/// submission of `fail_on` (a job name), and reports `states` (default `RUNNABLE`).
#[derive(Default)]
pub struct FakeBatch {
    pub registered: RefCell<Vec<RegisterJobDefinition>>,
    pub submitted: RefCell<Vec<(SubmitJob, String)>>,
    pub describe_calls: RefCell<Vec<usize>>,
    pub terminated: RefCell<Vec<String>>,
    pub fail_on: Option<String>,
    pub states: RefCell<BTreeMap<String, String>>,
}

impl Batch for FakeBatch {
    fn register(&self, def: &RegisterJobDefinition) -> anyhow::Result<String> {
        self.registered.borrow_mut().push(def.clone());
        Ok(format!(
            "arn:aws:batch:us-east-1:1:job-definition/{}:7",
            def.job_definition_name
        ))
    }

    fn submit(&self, job: &SubmitJob, definition_arn: &str) -> anyhow::Result<String> {
        if self.fail_on.as_deref() == Some(job.job_name.as_str()) {
            anyhow::bail!("SubmitJob failed: ClientException: queue is disabled");
        }
        let mut s = self.submitted.borrow_mut();
        s.push((job.clone(), definition_arn.to_string()));
        Ok(format!("job-{}", s.len()))
    }

    fn describe(&self, ids: &[String]) -> anyhow::Result<Vec<JobState>> {
        assert!(ids.len() <= 100, "DescribeJobs takes at most 100 ids");
        self.describe_calls.borrow_mut().push(ids.len());
        let states = self.states.borrow();
        Ok(ids
            .iter()
            .filter(|id| states.get(*id).map(String::as_str) != Some("GONE"))
            .map(|id| JobState {
                job_id: id.clone(),
                status: states.get(id).cloned().unwrap_or_else(|| "RUNNABLE".into()),
                reason: Some("Essential container in task exited".into())
                    .filter(|_| states.get(id).map(String::as_str) == Some("FAILED")),
            })
            .collect())
    }

    fn terminate(&self, id: &str, _reason: &str) -> anyhow::Result<()> {
        self.terminated.borrow_mut().push(id.to_string());
        self.states
            .borrow_mut()
            .insert(id.to_string(), "FAILED".to_string());
        Ok(())
    }
}
