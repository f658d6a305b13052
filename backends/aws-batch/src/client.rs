//! What submitting, tracking and cancelling need from AWS Batch: the [`Batch`] trait
//! (implemented with the AWS SDK in `crate::sdk`, and by a recording fake in tests),
//! the job states it reports, and which `containerProperties` members the SDK
//! submission passes through ([`SUPPORTED_PASSTHROUGH`]; others are refused before
//! anything is written by [`check_passthrough`]).

use soopervisor_core::diagnostics::UserError;

use crate::model::{ContainerProperties, RegisterJobDefinition};

/// `containerProperties` members of `container_properties` that `--submit` sends.
pub const SUPPORTED_PASSTHROUGH: &[&str] = &[
    "jobRoleArn",
    "executionRoleArn",
    "vcpus",
    "memory",
    "user",
    "privileged",
    "readonlyRootFilesystem",
    "instanceType",
    "fargatePlatformConfiguration",
    "networkConfiguration",
    "secrets",
];

/// Refuses members of `container_properties` that the SDK submission cannot send
/// (they are still valid in `batch.json`, for the aws CLI).
pub fn check_passthrough(props: &ContainerProperties) -> Result<(), UserError> {
    let unsupported: Vec<&str> = props
        .other
        .keys()
        .map(String::as_str)
        .filter(|k| !SUPPORTED_PASSTHROUGH.contains(k))
        .collect();
    let bad_volume = props
        .volumes
        .iter()
        .any(|v| !v.other.keys().all(|k| k == "host"));
    if unsupported.is_empty() && !bad_volume {
        return Ok(());
    }
    let what = if unsupported.is_empty() {
        "volumes other than EFS and host volumes".to_string()
    } else {
        unsupported.join(", ")
    };
    Err(UserError::new(format!(
        "container_properties sets {what}, which `export --submit` does not send yet"
    ))
    .with_hint(format!(
        "export without --submit and register batch.json's job definition with `aws batch register-job-definition --cli-input-json`, or keep to: {}",
        SUPPORTED_PASSTHROUGH.join(", ")
    )))
}

/// One job as `DescribeJobs` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobState {
    pub job_id: String,
    /// `SUBMITTED`, `PENDING`, `RUNNABLE`, `STARTING`, `RUNNING`, `SUCCEEDED`, `FAILED`.
    pub status: String,
    pub reason: Option<String>,
}

/// What submitting, tracking and cancelling need from AWS Batch (the SDK client in
/// production; tests substitute a recording fake).
pub trait Batch {
    /// Registers the job definition; returns its ARN.
    fn register(&self, def: &RegisterJobDefinition) -> anyhow::Result<String>;
    /// Submits one job whose `dependsOn` ids are real; returns the job id.
    fn submit(&self, job: &crate::model::SubmitJob, definition_arn: &str)
        -> anyhow::Result<String>;
    /// The states of at most 100 jobs.
    fn describe(&self, ids: &[String]) -> anyhow::Result<Vec<JobState>>;
    /// Terminates one job (cancelled before it runs, stopped when running).
    fn terminate(&self, id: &str, reason: &str) -> anyhow::Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passthrough_is_checked() {
        let ok: ContainerProperties = serde_json::from_value(serde_json::json!({
            "jobRoleArn": "arn:r", "vcpus": 2, "memory": 1024,
            "volumes": [{"name": "h", "host": {"sourcePath": "/data"}}]
        }))
        .unwrap();
        check_passthrough(&ok).unwrap();
        let bad: ContainerProperties =
            serde_json::from_value(serde_json::json!({"linuxParameters": {}})).unwrap();
        let err = check_passthrough(&bad).unwrap_err().to_string();
        assert!(err.contains("linuxParameters"), "{err}");
        let bad: ContainerProperties = serde_json::from_value(
            serde_json::json!({"volumes": [{"name": "v", "fsxWindowsFileServerVolumeConfiguration": {}}]}),
        )
        .unwrap();
        assert!(check_passthrough(&bad).is_err());
    }
}
