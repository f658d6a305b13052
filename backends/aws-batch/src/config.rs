//! The `aws-batch` section of `soopervisor.yaml` ([`BatchConfig`]), its validation,
//! its registration with `typetag` and `inventory`, and the [`BackendConfig`]
//! implementation that hands over to [`crate::export`], [`crate::submit`],
//! [`crate::status`] and [`crate::cancel`].
//!
//! Keys compatible with the Python tool: `job_queue`, `region_name`,
//! `container_properties`, `task_resources`, `repository` (the image), `include` and
//! `exclude` (warned about). The strategies are the core's: `storage: nfs` is an EFS
//! file system (`file_system_id`, an AWS key kept in the storage mapping by
//! [`BatchStorage`]), `storage: fetch` moves products through the project's
//! Ploomber `File` client (S3).

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use soopervisor_core::backend::{
    BackendConfig, BackendDescription, Export, ExportTarget, StatusReport,
};
use soopervisor_core::diagnostics::{UserError, Warning};
use soopervisor_core::plan::Plan;
use soopervisor_core::strategy::storage::project_has_file_client;
use soopervisor_core::strategy::{
    Capabilities, Choice, CodeStrategy, EnvironmentStrategy, SharedDisk, StorageStrategy,
    Strategies,
};

use crate::resources::TaskResource;

/// What the AWS Batch backend honours: every storage, code delivery and environment
/// (git is cloned by the job's script; fetch needs a Ploomber `File` client, checked
/// in [`BatchConfig::validate`]).
pub const CAPABILITIES: Capabilities = Capabilities::all("aws-batch");

/// The storage strategy plus the EFS file system that backs `nfs` on AWS Batch.
/// Written as the core's strategy mapping with one more key:
/// `storage: {kind: nfs, file_system_id: fs-0123, mount_path: /mnt/vol}`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchStorage {
    pub strategy: Choice<dyn StorageStrategy>,
    pub file_system_id: Option<String>,
}

impl<'de> Deserialize<'de> for BatchStorage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut v = Value::deserialize(d)?;
        let mut file_system_id = None;
        if let Value::Object(m) = &mut v {
            match m.remove("file_system_id") {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) => file_system_id = Some(s),
                Some(other) => {
                    return Err(D::Error::custom(format!(
                        "storage: file_system_id must be a string such as fs-0123456789abcdef0, got {other}"
                    )))
                }
            }
        }
        let strategy: Choice<dyn StorageStrategy> =
            Choice::from_value(v).map_err(D::Error::custom)?;
        if file_system_id.is_some() && strategy.kind() != "nfs" {
            return Err(D::Error::custom(format!(
                "storage {}: file_system_id belongs to storage nfs (the EFS file system)",
                strategy.kind()
            )));
        }
        Ok(BatchStorage {
            strategy,
            file_system_id,
        })
    }
}

impl Serialize for BatchStorage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut v = self.strategy.to_value();
        if let (Value::Object(m), Some(id)) = (&mut v, &self.file_system_id) {
            m.insert("file_system_id".into(), Value::String(id.clone()));
        }
        v.serialize(s)
    }
}

/// The `aws-batch` backend's configuration. Every key is optional for reading;
/// `job_queue` is required by [`BatchConfig::validate`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BatchConfig {
    /// The job queue every job is submitted to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_queue: Option<String>,
    /// The AWS region; default: the SDK's chain (`AWS_REGION`, the profile's region).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_name: Option<String>,
    /// Passed through into the job definition's `containerProperties` (`jobRoleArn`,
    /// `resourceRequirements`, `vcpus`/`memory`, extra `volumes`, ...).
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub container_properties: Map<String, Value>,
    /// Glob over task names → resources (see [`crate::resources`]).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub task_resources: IndexMap<String, TaskResource>,
    /// Where data lives between tasks: `nfs` (EFS) or `fetch` (a Ploomber File client).
    pub storage: BatchStorage,
    /// How the code reaches the jobs.
    pub code: Choice<dyn CodeStrategy>,
    /// How the jobs get their environment.
    pub env: Choice<dyn EnvironmentStrategy>,
    /// The job definition's name; default `soopervisor-<project>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_definition_name: Option<String>,
    /// Python tool compatibility: the image every job runs (wins over `env`'s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Python tool compatibility (Docker packaging): set them under `code` instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude: Option<Vec<String>>,
}

/// `containerProperties` members soopervisor sets itself.
const OWNED_MEMBERS: &[(&str, &str)] = &[
    (
        "image",
        "set the image with env: {kind: image, image: ...} (or repository)",
    ),
    (
        "command",
        "the command runs the Ploomber task; put setup in the image or the env strategy",
    ),
];

impl BatchConfig {
    /// The three strategies.
    pub fn strategies(&self) -> Strategies<'_> {
        Strategies::new(&*self.storage.strategy.0, &*self.code.0, &*self.env.0)
    }

    /// The shared disk (`storage: nfs`), whose `sub_path` is the EFS root directory.
    pub fn disk(&self, plan: &Plan) -> Option<SharedDisk> {
        self.storage.strategy.shared_disk(plan)
    }

    /// The job definition's name.
    pub fn job_definition_name(&self, plan: &Plan) -> String {
        self.job_definition_name.clone().unwrap_or_else(|| {
            format!(
                "soopervisor-{}",
                soopervisor_core::output::names::dns_label(&plan.project.name)
            )
        })
    }

    /// The job queue, once validated.
    pub fn queue(&self) -> &str {
        self.job_queue.as_deref().unwrap_or_default()
    }

    /// Errors for what AWS Batch cannot run; warnings for compatibility keys.
    pub fn validate(&self, plan: &Plan) -> Result<Vec<Warning>, UserError> {
        let mut warnings = self.strategies().check(plan, &CAPABILITIES)?;
        match self.job_queue.as_deref().map(str::trim) {
            None | Some("") => {
                return Err(UserError::new("the aws-batch backend needs job_queue")
                    .with_hint("name the queue the jobs go to: job_queue: my-queue (aws batch describe-job-queues lists them)"))
            }
            Some(q) if q.len() > 1600 || q.contains(char::is_whitespace) => {
                return Err(UserError::new(format!("job_queue '{q}' is not a queue name or ARN"))
                    .with_hint("use the queue's name or ARN, e.g. job_queue: my-queue"))
            }
            _ => {}
        }
        if let Some(r) = &self.region_name {
            if r.trim().is_empty() || r.contains(char::is_whitespace) {
                return Err(UserError::new(format!("region_name '{r}' is not a region"))
                    .with_hint("for example region_name: us-east-1, or leave it out to use AWS_REGION or the profile's region"));
            }
        }
        let def = self.job_definition_name(plan);
        if !crate::names::is_batch_name(&def) {
            return Err(UserError::new(format!(
                "job_definition_name '{def}' is not a valid AWS Batch name"
            ))
            .with_hint("use letters, digits, '-' and '_', starting with a letter or digit, at most 128 characters"));
        }
        for (key, hint) in OWNED_MEMBERS {
            if self.container_properties.contains_key(*key) {
                return Err(UserError::new(format!(
                    "container_properties sets {key}, which soopervisor writes itself"
                ))
                .with_hint(*hint));
            }
        }
        serde_json::from_value::<crate::model::ContainerProperties>(Value::Object(
            self.container_properties.clone(),
        ))
        .map_err(|e| {
            UserError::new(format!("container_properties: {e}"))
                .with_hint("write it as the API's containerProperties (camelCase members)")
        })?;
        match (self.disk(plan), &self.storage.file_system_id) {
            (Some(d), id) => {
                let id = id.as_deref().unwrap_or_default();
                if id.trim().is_empty() {
                    return Err(UserError::new(
                        "storage nfs on AWS Batch is an EFS file system, but file_system_id is not set",
                    )
                    .with_hint("storage: {kind: nfs, file_system_id: fs-0123456789abcdef0, mount_path: /mnt/vol}, or --storage fetch with a Ploomber File client"));
                }
                if !d.mount_path_is_safe() {
                    return Err(UserError::new(format!(
                        "mount_path must be an absolute path without '..', got '{}'",
                        d.mount_path
                    ))
                    .with_hint("for example mount_path: /mnt/vol"));
                }
                if !d.sub_path_is_safe() {
                    return Err(UserError::new(format!(
                        "sub_path (the project's folder on the EFS file system) must be relative without '..', got '{}'",
                        d.sub_path.as_deref().unwrap_or_default()
                    )));
                }
            }
            (None, _) => {
                let storage = self.storage.strategy.to_value();
                let ignore = storage
                    .get("ignore_file_client")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                if ignore || !project_has_file_client(plan) {
                    return Err(UserError::new(
                        "storage fetch on AWS Batch moves products through the project's Ploomber File client, but the project configures none (or ignore_file_client is set)",
                    )
                    .in_file(plan.project.root.join(&plan.project.entry_point))
                    .with_hint("add clients: {File: ...} to the spec (an S3 client, e.g. ploomber.clients.S3Client), or use storage nfs with an EFS file system"));
                }
            }
        }
        if let Some(r) = &self.repository {
            if r.trim().is_empty() || r.contains(char::is_whitespace) {
                return Err(UserError::new(format!(
                    "repository '{r}' is not an image name"
                )));
            }
            if self.code.bakes_environment() {
                return Err(UserError::new(
                    "repository names the image jobs run, but code image builds that image itself",
                )
                .with_hint("set repository under code instead: code: {kind: image, repository: 123.dkr.ecr.us-east-1.amazonaws.com/ml}"));
            }
        }
        if self.image(plan).trim().is_empty() {
            return Err(UserError::new(format!(
                "env {} needs the image every job runs, but none is set",
                self.env.kind()
            ))
            .with_hint("env: {kind: image, image: 123.dkr.ecr.us-east-1.amazonaws.com/env:1.0}"));
        }
        crate::settings::task_settings(self, plan)?;
        if self.include.is_some() || self.exclude.is_some() {
            warnings.push(Warning::new(
                "include/exclude at the top of the section are ignored: set them under code (code: {kind: image, include: [...], exclude: [...]})",
            ));
        }
        Ok(warnings)
    }

    /// The AWS Batch API, configured the standard way (`region_name` wins).
    #[cfg(feature = "sdk")]
    pub fn api(&self) -> anyhow::Result<Box<dyn crate::client::Batch>> {
        Ok(Box::new(crate::sdk::BatchApi::connect(
            self.region_name.as_deref(),
        )?))
    }

    /// Without the `sdk` feature there is no client.
    #[cfg(not(feature = "sdk"))]
    pub fn api(&self) -> anyhow::Result<Box<dyn crate::client::Batch>> {
        anyhow::bail!("this build of the aws-batch backend has no AWS SDK (feature `sdk`)")
    }

    /// The image every job runs.
    pub fn image(&self, plan: &Plan) -> String {
        let composed =
            soopervisor_core::strategy::Composer::new(self.strategies(), plan, self.disk(plan));
        match (&self.repository, plan.tasks.first()) {
            (Some(r), _) => r.clone(),
            (None, Some(t)) => composed.task(t).image.unwrap_or_default(),
            (None, None) => self.env.image(),
        }
    }
}

#[typetag::serde(name = "aws-batch")]
impl BackendConfig for BatchConfig {
    fn check(&self, plan: &Plan) -> anyhow::Result<Vec<Warning>> {
        let mut warnings = self.validate(plan)?;
        warnings.extend(soopervisor_core::strategy::pod::pinned::warnings(plan));
        Ok(warnings)
    }

    fn export(&self, plan: &Plan, target: &ExportTarget) -> anyhow::Result<Export> {
        crate::export::export(self, plan, target)
    }

    fn check_submit(&self, plan: &Plan, _target: &ExportTarget) -> anyhow::Result<()> {
        let built = crate::export::build(self, plan)?;
        for def in &built.requests.register_job_definition {
            crate::client::check_passthrough(&def.container_properties)?;
        }
        Ok(())
    }

    fn submit(&self, plan: &Plan, target: &ExportTarget) -> anyhow::Result<String> {
        let built = crate::export::build(self, plan)?;
        crate::submit::submit(&*self.api()?, &built, target)
    }

    fn status(&self, target: &ExportTarget) -> anyhow::Result<String> {
        Ok(self.status_report(target)?.text)
    }

    fn status_report(&self, target: &ExportTarget) -> anyhow::Result<StatusReport> {
        // the record first: without one there is nothing to ask AWS
        let jobs = crate::state::read(&crate::state::path(target))?;
        crate::status::report(&*self.api()?, &jobs)
    }

    fn cancel(&self, target: &ExportTarget) -> anyhow::Result<String> {
        let jobs = crate::state::read(&crate::state::path(target))?;
        crate::cancel::terminate(&*self.api()?, &jobs)
    }
}

inventory::submit! {
    BackendDescription::new(
        "aws-batch",
        "AWS Batch: the API requests in batch.json, a job per task with dependsOn; submit, status and cancel through the AWS SDK",
        || Box::new(BatchConfig::default()),
    )
    .with_aliases(&["batch"])
    .with_default_folder("aws-batch")
}

#[cfg(test)]
mod tests {
    use super::*;
    use soopervisor_core::testing::read_section;

    #[test]
    fn reads_through_typetag_and_rejects_unknown_keys() {
        let text = read_section(
            r#"{"backend": "aws-batch", "job_queue": "q",
                "storage": {"kind": "nfs", "file_system_id": "fs-1", "mount_path": "/mnt/x"},
                "task_resources": {"fit-*": {"vcpus": 2}}}"#,
        )
        .unwrap();
        assert!(text.contains("fs-1") && text.contains("/mnt/x"), "{text}");
        let err = read_section(r#"{"backend": "aws-batch", "jobqueue": "q"}"#).unwrap_err();
        assert!(err.contains("jobqueue"), "{err}");
        let err = serde_json::from_str::<BatchConfig>(r#"{"task_resources": {"x": {"cpus": 2}}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("cpus"), "{err}");
    }

    #[test]
    fn file_system_id_belongs_to_nfs_and_round_trips() {
        let err = serde_json::from_str::<BatchConfig>(
            r#"{"storage": {"kind": "fetch", "file_system_id": "fs-1"}}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("belongs to storage nfs"), "{err}");
        let cfg: BatchConfig =
            serde_json::from_str(r#"{"storage": {"kind": "nfs", "file_system_id": "fs-9"}}"#)
                .unwrap();
        let back: BatchConfig =
            serde_json::from_value(serde_json::to_value(&cfg).unwrap()).unwrap();
        assert_eq!(back, cfg);
        assert_eq!(back.storage.file_system_id.as_deref(), Some("fs-9"));
        let flag: BatchConfig = serde_json::from_str(r#"{"storage": "fetch"}"#).unwrap();
        assert_eq!(flag.storage.strategy.kind(), "fetch");
    }

    #[test]
    fn is_registered_with_alias() {
        let d = soopervisor_core::backend::find("batch").expect("registered");
        assert_eq!(d.name(), "aws-batch");
        assert_eq!(d.default_folder(), "aws-batch");
        let _ = d.default_config();
    }
}
