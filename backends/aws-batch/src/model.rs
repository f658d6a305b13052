//! The AWS Batch requests soopervisor sends, typed in the API's own shapes (member
//! names as in botocore's model: `jobDefinitionName`, `containerProperties`,
//! `dependsOn`, ...), and [`BatchPlan`], the file `batch.json`: the
//! `RegisterJobDefinition` requests, then the `SubmitJob` requests in topological
//! order. A `dependsOn` entry on a job of the same plan is the placeholder
//! `{"jobId": "${<jobName>}"}`, replaced by the id `SubmitJob` returned when
//! submitting. Keys of the user's `container_properties` that soopervisor does not
//! model are kept as they are (`other`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `batch.json`: every request of one export, in the order they are sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchPlan {
    #[serde(rename = "RegisterJobDefinition")]
    pub register_job_definition: Vec<RegisterJobDefinition>,
    #[serde(rename = "SubmitJob")]
    pub submit_job: Vec<SubmitJob>,
}

/// `RegisterJobDefinition` (type `container`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterJobDefinition {
    pub job_definition_name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub container_properties: ContainerProperties,
}

/// `containerProperties`: the modelled members plus the user's others.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerProperties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environment: Vec<KeyValuePair>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Volume>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mount_points: Vec<MountPoint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_requirements: Vec<ResourceRequirement>,
    /// Members soopervisor passes through (`jobRoleArn`, `vcpus`, `memory`, ...).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// An environment variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyValuePair {
    pub name: String,
    pub value: String,
}

/// A volume of the job definition; soopervisor writes EFS volumes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub efs_volume_configuration: Option<EfsVolumeConfiguration>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// An EFS file system mounted by the job.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EfsVolumeConfiguration {
    pub file_system_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_directory: Option<String>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Where a volume is mounted in the container.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MountPoint {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_volume: Option<String>,
}

/// `{type: VCPU|MEMORY|GPU, value: "<number>"}` (the value is a string in the API).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceRequirement {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

/// `SubmitJob`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubmitJob {
    pub job_name: String,
    pub job_queue: String,
    /// The name of a job definition registered earlier in the plan.
    pub job_definition: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<JobDependency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_overrides: Option<ContainerOverrides>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_strategy: Option<RetryStrategy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<JobTimeout>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduling_priority_override: Option<i32>,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub tags: std::collections::BTreeMap<String, String>,
}

impl SubmitJob {
    /// A job of `definition` on `queue`, with nothing else set.
    pub fn new(job_name: String, job_queue: String, job_definition: String) -> Self {
        SubmitJob {
            job_name,
            job_queue,
            job_definition,
            depends_on: Vec::new(),
            container_overrides: None,
            retry_strategy: None,
            timeout: None,
            scheduling_priority_override: None,
            tags: Default::default(),
        }
    }
}

/// `retryStrategy`: how many times a job runs at most.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetryStrategy {
    pub attempts: u32,
}

/// `timeout`: the longest one attempt may run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JobTimeout {
    pub attempt_duration_seconds: u64,
}

/// One `dependsOn` entry: `${<jobName>}` for a job of the same plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JobDependency {
    pub job_id: String,
}

impl JobDependency {
    /// The placeholder for the job named `job_name` of the same plan.
    pub fn on(job_name: &str) -> Self {
        JobDependency {
            job_id: placeholder(job_name),
        }
    }

    /// The job name a placeholder stands for, if this is one.
    pub fn placeholder_name(&self) -> Option<&str> {
        self.job_id.strip_prefix("${")?.strip_suffix('}')
    }
}

/// `${<jobName>}`.
pub fn placeholder(job_name: &str) -> String {
    format!("${{{job_name}}}")
}

/// `containerOverrides`: what differs per job.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContainerOverrides {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environment: Vec<KeyValuePair>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_requirements: Vec<ResourceRequirement>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_round_trip() {
        let d = JobDependency::on("load_1");
        assert_eq!(d.job_id, "${load_1}");
        assert_eq!(d.placeholder_name(), Some("load_1"));
        let real = JobDependency {
            job_id: "8f3c-11".into(),
        };
        assert_eq!(real.placeholder_name(), None);
    }

    #[test]
    fn passes_unknown_container_members_through() {
        let c: ContainerProperties = serde_json::from_value(serde_json::json!({
            "vcpus": 2, "jobRoleArn": "arn:aws:iam::1:role/r",
            "volumes": [{"name": "v", "host": {"sourcePath": "/x"}}]
        }))
        .unwrap();
        assert_eq!(c.other["vcpus"], 2);
        assert_eq!(c.volumes[0].other["host"]["sourcePath"], "/x");
        let back = serde_json::to_value(&c).unwrap();
        assert_eq!(back["jobRoleArn"], "arn:aws:iam::1:role/r");
        assert_eq!(back["volumes"][0]["host"]["sourcePath"], "/x");
    }
}
