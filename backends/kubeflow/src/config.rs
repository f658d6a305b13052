//! `KubeflowConfig`: the `kubeflow` section of `soopervisor.yaml` (every key optional,
//! unknown keys refused), its validation, its registration with `typetag` and
//! `inventory` (name `kubeflow`, alias `kfp`), and the `BackendConfig` implementation
//! that hands over to [`crate::export`].

use serde::{Deserialize, Serialize};
use soopervisor_core::backend::{BackendConfig, BackendDescription, Export, ExportTarget};
use soopervisor_core::diagnostics::{UserError, Warning};
use soopervisor_core::plan::Plan;
use soopervisor_core::strategy::{
    Capabilities, Choice, CodeStrategy, EnvironmentStrategy, SharedDisk, StorageStrategy,
    Strategies,
};

/// What the Kubeflow backend honours. `code: git` is not offered: KFP has no step
/// that checks out a repository before the container starts.
pub const CAPABILITIES: Capabilities = Capabilities::new(
    "kubeflow",
    Capabilities::STORAGES,
    &["shared-disk", "package", "image"],
    Capabilities::ENVS,
);

/// The `kubeflow` backend's configuration. Every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct KubeflowConfig {
    /// Where data lives between tasks: `nfs` (a PVC mounted through the Kubernetes
    /// platform spec) or `fetch` (products passed as KFP artifacts).
    pub storage: Choice<dyn StorageStrategy>,
    /// How the code reaches the containers (`shared-disk`, `package`, `image`).
    pub code: Choice<dyn CodeStrategy>,
    /// How the containers get their environment (`conda`, `pip`, `image`).
    pub env: Choice<dyn EnvironmentStrategy>,
    /// Spec path relative to the project root; default: the plan's entry point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<String>,
    /// `pipelineInfo.name`; default: the project folder's name as a DNS label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline_name: Option<String>,
    /// `pipelineInfo.description` (shown by the KFP UI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `defaultPipelineRoot`: where KFP stores artifacts (`s3://bucket/path`,
    /// `gs://...`, `minio://...`); default: the cluster's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline_root: Option<String>,
}

/// The pattern KFP requires of `pipelineInfo.name`.
pub fn is_pipeline_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

impl KubeflowConfig {
    /// The three strategies.
    pub fn strategies(&self) -> Strategies<'_> {
        Strategies::new(&*self.storage.0, &*self.code.0, &*self.env.0)
    }

    /// The shared disk, when the storage has one.
    pub fn disk(&self, plan: &Plan) -> Option<SharedDisk> {
        self.storage.shared_disk(plan)
    }

    /// The `--entry-point` containers pass to `ploomber task`.
    pub fn effective_entry_point(&self, plan: &Plan) -> String {
        self.entry_point
            .clone()
            .unwrap_or_else(|| plan.project.entry_point.clone())
    }

    /// `pipelineInfo.name`.
    pub fn pipeline_name(&self, plan: &Plan) -> String {
        self.pipeline_name
            .clone()
            .unwrap_or_else(|| soopervisor_core::output::names::dns_label(&plan.project.name))
    }

    /// Errors for values no cluster can run or combinations the backend refuses;
    /// warnings from the strategies and for settings KFP does not use.
    pub fn validate(&self, plan: &Plan) -> Result<Vec<Warning>, UserError> {
        let mut warnings = self.strategies().check(plan, &CAPABILITIES)?;
        crate::settings::check(plan)?;
        if let Some(d) = self.disk(plan) {
            if !d.mount_path_is_safe() {
                return Err(UserError::new(format!(
                    "storage nfs: mount_path must be an absolute path without '..', got '{}'",
                    d.mount_path
                ))
                .with_hint("for example storage: {kind: nfs, mount_path: /mnt/vol}"));
            }
            if !d.sub_path_is_safe() {
                return Err(UserError::new(format!(
                    "storage nfs: sub_path must be relative to the volume and must not contain '..', got '{}'",
                    d.sub_path.as_deref().unwrap_or_default()
                ))
                .with_hint("sub_path is the project's folder on the volume, e.g. my-project"));
            }
            if d.claim_name.trim().is_empty() {
                return Err(UserError::new("storage nfs: claim_name must not be empty")
                    .with_hint("name the PersistentVolumeClaim, e.g. storage: {kind: nfs, claim_name: data}"));
            }
        }
        if self.env.image().trim().is_empty() && !self.code.bakes_environment() {
            return Err(UserError::new(format!(
                "env {} needs the image every container runs, but none is set",
                self.env.kind()
            ))
            .with_hint("set it: env: {kind: image, image: registry.example.com/team/env:1.0}"));
        }
        if let Some(name) = &self.pipeline_name {
            if !is_pipeline_name(name) {
                return Err(UserError::new(format!(
                    "pipeline_name '{name}' is not a valid Kubeflow pipeline name"
                ))
                .with_hint("use lowercase letters, digits and '-', starting with a letter or digit, at most 128 characters"));
            }
        }
        if let Some(root) = &self.pipeline_root {
            if !root.contains("://") {
                return Err(UserError::new(format!(
                    "pipeline_root must be a URI such as s3://bucket/path, gs://bucket/path or minio://bucket/path, got '{root}'"
                ))
                .with_hint("remove pipeline_root to use the cluster's default"));
            }
        }
        let storage = serde_json::to_value(&self.storage).unwrap_or_default();
        if storage.get("repository").is_some() || storage.get("repository_key").is_some() {
            warnings.push(Warning::new(
                "storage fetch: repository and repository_key name an Argo artifact repository and are ignored; Kubeflow keeps artifacts under the pipeline root (set pipeline_root to choose it)",
            ));
        }
        Ok(warnings)
    }
}

#[typetag::serde(name = "kubeflow")]
impl BackendConfig for KubeflowConfig {
    fn check(&self, plan: &Plan) -> anyhow::Result<Vec<Warning>> {
        let mut warnings = self.validate(plan)?;
        warnings.extend(soopervisor_core::strategy::pod::pinned::warnings(plan));
        Ok(warnings)
    }

    fn export(&self, plan: &Plan, target: &ExportTarget) -> anyhow::Result<Export> {
        crate::export::export(self, plan, target)
    }

    /// YAML, or JSON for the `PipelineSpec` alone (refused when a platform spec is
    /// needed).
    fn formats(&self) -> &'static [soopervisor_core::backend::OutputFormat] {
        use soopervisor_core::backend::OutputFormat;
        &[OutputFormat::Yaml, OutputFormat::Json]
    }
}

inventory::submit! {
    BackendDescription::new(
        "kubeflow",
        "Kubeflow Pipelines: a compiled KFP v2 pipeline (kubeflow.yaml) to upload, a container per task (PVC or artifacts; conda, pip or prebuilt images)",
        || Box::new(KubeflowConfig::default()),
    )
    .with_aliases(&["kfp"])
}

#[cfg(test)]
mod tests {
    use super::*;

    use soopervisor_core::testing::read_section;

    #[test]
    fn reads_through_typetag_with_defaults() {
        let text = read_section(r#"{"backend": "kubeflow", "pipeline_name": "ml"}"#).unwrap();
        assert!(text.contains("pipeline_name: Some(\"ml\")"), "{text}");
        assert!(text.contains("continuumio/miniconda3"), "{text}");
    }

    #[test]
    fn rejects_unknown_keys() {
        let err = read_section(r#"{"backend": "kubeflow", "pipelinename": "x"}"#).unwrap_err();
        assert!(err.contains("pipelinename"), "{err}");
    }

    #[test]
    fn is_registered_with_alias() {
        let d = soopervisor_core::backend::find("kfp").expect("registered");
        assert_eq!(d.name(), "kubeflow");
        assert_eq!(d.default_folder(), "");
        let cfg = d.default_config();
        assert!(format!("{cfg:?}").contains("/mnt/vol"));
    }

    #[test]
    fn pipeline_names_follow_kfp() {
        assert!(is_pipeline_name("ml-basic"));
        assert!(is_pipeline_name("1st"));
        assert!(!is_pipeline_name("-ml"));
        assert!(!is_pipeline_name("ML"));
        assert!(!is_pipeline_name("a_b"));
        assert!(!is_pipeline_name(""));
        assert!(!is_pipeline_name(&"a".repeat(129)));
    }
}
