//! `ArgoConfig`: the `argo` section of `soopervisor.yaml` (every key optional, unknown
//! keys refused), its validation, its registration with `typetag` and `inventory`, and
//! the `BackendConfig` implementation that hands over to [`crate::export`].

use serde::{Deserialize, Serialize};
use soopervisor_core::backend::{BackendConfig, BackendDescription, Export, ExportTarget};
use soopervisor_core::diagnostics::{UserError, Warning};
use soopervisor_core::plan::Plan;

/// Storages the Argo backend can honour today.
pub const SUPPORTED_STORAGES: &[&str] = &["nfs"];

/// An extra volume, as the Python tool's `mounted_volumes` key describes it: added to
/// `spec.volumes` as `{name, **spec}` and mounted at `/mnt/<name>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MountedVolume {
    pub name: String,
    #[serde(default)]
    pub sub_path: String,
    /// A Kubernetes volume source (`{hostPath: {path: /host}}`, `{persistentVolumeClaim:
    /// {claimName: x}}`, ...), written as is.
    #[serde(default)]
    pub spec: serde_json::Map<String, serde_json::Value>,
}

/// The `argo` backend's configuration. Every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArgoConfig {
    /// Image every task pod runs (a conda image: the pod creates the environment).
    pub image: String,
    /// The persistent volume claim holding the project.
    pub claim_name: String,
    /// Where the project folder of the volume is mounted, and the pods' working dir.
    pub mount_path: String,
    /// Folder of the volume that holds the project; default: the project folder name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_path: Option<String>,
    /// Name of the volume in the Workflow spec.
    pub volume_name: String,
    /// Spec path relative to the project root; default: the plan's entry point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<String>,
    /// Namespace used in the printed `argo submit` command.
    pub namespace: String,
    /// `spec.serviceAccountName`, when the namespace's default account is not enough.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account: Option<String>,
    /// Where data lives between tasks (`nfs`).
    pub storage: String,
    /// Python tool compatibility: the image repository; when set, it is the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Python tool compatibility (Docker packaging): no effect with the NFS layout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include: Option<Vec<String>>,
    /// Python tool compatibility (Docker packaging): no effect with the NFS layout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude: Option<Vec<String>>,
    /// Extra volumes mounted at `/mnt/<name>` in every pod.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mounted_volumes: Vec<MountedVolume>,
    /// Python tool compatibility: the Argo backend has no presets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
}

impl Default for ArgoConfig {
    fn default() -> Self {
        ArgoConfig {
            image: "continuumio/miniconda3".to_string(),
            claim_name: "nfs".to_string(),
            mount_path: "/mnt/vol".to_string(),
            sub_path: None,
            volume_name: "nfs".to_string(),
            entry_point: None,
            namespace: "argo".to_string(),
            service_account: None,
            storage: "nfs".to_string(),
            repository: None,
            include: None,
            exclude: None,
            mounted_volumes: Vec::new(),
            preset: None,
        }
    }
}

impl ArgoConfig {
    /// The image pods run: `repository` when set, else `image`.
    pub fn effective_image(&self) -> &str {
        self.repository.as_deref().unwrap_or(&self.image)
    }

    /// The folder of the volume mounted at `mount_path`.
    pub fn effective_sub_path(&self, plan: &Plan) -> String {
        self.sub_path
            .clone()
            .unwrap_or_else(|| plan.project.name.clone())
    }

    /// The `--entry-point` pods pass to `ploomber task`.
    pub fn effective_entry_point(&self, plan: &Plan) -> String {
        self.entry_point
            .clone()
            .unwrap_or_else(|| plan.project.entry_point.clone())
    }

    /// Errors for values no cluster can run; warnings for keys kept only for
    /// compatibility.
    pub fn validate(&self, plan: &Plan) -> Result<Vec<Warning>, UserError> {
        let mut warnings = Vec::new();
        if !SUPPORTED_STORAGES.contains(&self.storage.as_str()) {
            return Err(UserError::new(format!(
                "the argo backend does not support storage '{}'",
                self.storage
            ))
            .with_hint(format!(
                "use one of: {} (storage: nfs mounts a shared persistent volume claim in every pod)",
                SUPPORTED_STORAGES.join(", ")
            )));
        }
        if plan.project.conda.is_none() {
            return Err(UserError::new(
                "the argo backend creates each pod's conda environment from environment.yml, \
                 but the project has none (or it names no environment)",
            )
            .with_hint("add an environment.yml with a `name:` and the project's dependencies, ploomber included"));
        }
        if !self.mount_path.starts_with('/') || self.mount_path.contains("..") {
            return Err(UserError::new(format!(
                "mount_path must be an absolute path without '..', got '{}'",
                self.mount_path
            ))
            .with_hint("for example mount_path: /mnt/vol"));
        }
        let sub_path = self.effective_sub_path(plan);
        if sub_path.starts_with('/') || sub_path.split('/').any(|p| p == "..") {
            return Err(UserError::new(format!(
                "sub_path must be relative to the volume and must not contain '..', got '{sub_path}'"
            ))
            .with_hint("sub_path is the project's folder on the NFS volume, e.g. my-project"));
        }
        for (what, value) in [
            ("image", self.effective_image()),
            ("claim_name", self.claim_name.as_str()),
            ("volume_name", self.volume_name.as_str()),
            ("namespace", self.namespace.as_str()),
        ] {
            if value.trim().is_empty() {
                return Err(UserError::new(format!("{what} must not be empty")));
            }
        }
        if !is_dns_label(&self.volume_name) {
            return Err(UserError::new(format!(
                "volume_name '{}' is not a valid Kubernetes volume name",
                self.volume_name
            ))
            .with_hint("use lowercase letters, digits and '-', at most 63 characters"));
        }
        for v in &self.mounted_volumes {
            if !is_dns_label(&v.name) {
                return Err(UserError::new(format!(
                    "mounted_volumes: '{}' is not a valid Kubernetes volume name",
                    v.name
                ))
                .with_hint("use lowercase letters, digits and '-', at most 63 characters"));
            }
            if v.name == self.volume_name {
                return Err(UserError::new(format!(
                    "mounted_volumes: '{}' is already the name of the project volume",
                    v.name
                ))
                .with_hint("rename the mounted volume or set volume_name"));
            }
            if v.sub_path.starts_with('/') || v.sub_path.split('/').any(|p| p == "..") {
                return Err(UserError::new(format!(
                    "mounted_volumes: sub_path of '{}' must be relative without '..'",
                    v.name
                )));
            }
            if format!("/mnt/{}", v.name) == self.mount_path.trim_end_matches('/') {
                return Err(UserError::new(format!(
                    "mounted_volumes: '{}' would be mounted at {}, where the project is mounted",
                    v.name, self.mount_path
                ))
                .with_hint("rename the mounted volume or change mount_path"));
            }
            if v.spec.is_empty() {
                return Err(UserError::new(format!(
                    "mounted_volumes: '{}' has no spec (the Kubernetes volume source)",
                    v.name
                ))
                .with_hint("for example spec: {persistentVolumeClaim: {claimName: data}}"));
            }
        }
        let mut names: Vec<&str> = self
            .mounted_volumes
            .iter()
            .map(|v| v.name.as_str())
            .collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(UserError::new(format!(
                "mounted_volumes: '{}' is listed twice",
                w[0]
            )));
        }
        if let Some(p) = &self.preset {
            warnings.push(Warning::new(format!(
                "preset '{p}' is ignored: the argo backend has no presets"
            )));
        }
        if self.include.is_some() || self.exclude.is_some() {
            warnings.push(Warning::new(
                "include/exclude are ignored: with storage nfs the whole project folder is copied to the volume",
            ));
        }
        if let Some(t) = plan.tasks.iter().find(|t| t.name.contains("{{")) {
            return Err(UserError::new(format!(
                "task name '{}' contains '{{{{', which Argo would read as a template expression",
                t.name
            ))
            .with_hint("rename the task"));
        }
        Ok(warnings)
    }
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

#[typetag::serde(name = "argo")]
impl BackendConfig for ArgoConfig {
    fn check(&self, plan: &Plan) -> anyhow::Result<Vec<Warning>> {
        let mut warnings = self.validate(plan)?;
        warnings.extend(crate::pinned::warnings(plan));
        Ok(warnings)
    }

    fn export(&self, plan: &Plan, target: &ExportTarget) -> anyhow::Result<Export> {
        crate::export::export(self, plan, target)
    }
}

inventory::submit! {
    BackendDescription {
        name: "argo",
        aliases: &["argo-workflows"],
        summary: "Argo Workflows on Kubernetes: one Workflow, a pod per task, project on a shared NFS volume",
        default_config: || Box::new(ArgoConfig::default()),
        default_folder: "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_through_typetag_with_defaults() {
        let cfg: Box<dyn BackendConfig> =
            serde_json::from_str(r#"{"backend": "argo", "claim_name": "data"}"#).unwrap();
        let text = format!("{cfg:?}");
        assert!(text.contains("claim_name: \"data\""), "{text}");
        assert!(text.contains("continuumio/miniconda3"), "{text}");
    }

    #[test]
    fn rejects_unknown_keys() {
        let err = serde_json::from_str::<Box<dyn BackendConfig>>(
            r#"{"backend": "argo", "claimname": "x"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("claimname"), "{err}");
    }

    #[test]
    fn accepts_python_tool_keys() {
        let cfg: ArgoConfig = serde_json::from_str(
            r#"{"repository": "reg/img", "include": ["a"], "exclude": ["b"], "preset": null,
                "mounted_volumes": [{"name": "shared", "sub_path": "x", "spec": {"hostPath": {"path": "/h"}}}]}"#,
        )
        .unwrap();
        assert_eq!(cfg.effective_image(), "reg/img");
        assert_eq!(cfg.mounted_volumes[0].name, "shared");
    }

    #[test]
    fn is_registered_with_alias() {
        let d = soopervisor_core::backend::find("argo-workflows").expect("registered");
        assert_eq!(d.name, "argo");
        let cfg = (d.default_config)();
        assert!(format!("{cfg:?}").contains("/mnt/vol"));
    }
}
