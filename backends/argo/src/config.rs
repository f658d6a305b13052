//! `ArgoConfig`: the `argo` section of `soopervisor.yaml` (every key optional, unknown
//! keys refused), its validation, its registration with `typetag` and `inventory`, and
//! the `BackendConfig` implementation that hands over to [`crate::export`].

use serde::{Deserialize, Serialize};
use soopervisor_core::backend::{BackendConfig, BackendDescription, Export, ExportTarget};
use soopervisor_core::diagnostics::{pretty_list, UserError, Warning};
use soopervisor_core::plan::Plan;
use soopervisor_core::settings::parse::dns_subdomain;
use soopervisor_core::settings::units;
use soopervisor_core::strategy::{
    Capabilities, Choice, CodeStrategy, EnvironmentStrategy, SharedDisk, StorageStrategy,
    Strategies,
};

use crate::kind::Kind;
use crate::nest::MAX_WORKFLOW_TASKS;
use crate::split::DEFAULT_MAX_TASKS_PER_WORKFLOW;

/// What the Argo backend honours: every storage, code delivery and environment,
/// except the combinations no backend can (see `soopervisor_core::strategy::compose`).
pub const CAPABILITIES: Capabilities = Capabilities::all("argo");

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

/// The `argo` backend's configuration. Every field has a default. The three
/// strategies are nested (`storage: fetch` or `storage: {kind: nfs, claim_name: x}`);
/// the flat keys `claim_name`, `mount_path`, `sub_path`, `volume_name` and `image`
/// of earlier versions still work and override the strategy's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArgoConfig {
    /// Where data lives between tasks (`nfs`, `fetch`).
    pub storage: Choice<dyn StorageStrategy>,
    /// How the code reaches the pods (`shared-disk`, `package`, `git`, `image`).
    pub code: Choice<dyn CodeStrategy>,
    /// How the pods get their environment (`conda`, `pip`, `image`).
    pub env: Choice<dyn EnvironmentStrategy>,
    /// Flat form of the environment's image (every task pod runs it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Flat form of `storage.claim_name` (storage nfs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_name: Option<String>,
    /// Flat form of `storage.mount_path` (storage nfs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mount_path: Option<String>,
    /// Flat form of `storage.sub_path` (storage nfs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_path: Option<String>,
    /// Flat form of `storage.volume_name` (storage nfs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_name: Option<String>,
    /// Spec path relative to the project root; default: the plan's entry point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<String>,
    /// Namespace used in the printed `argo submit` command.
    pub namespace: String,
    /// `spec.serviceAccountName`, when the namespace's default account is not enough.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account: Option<String>,
    /// Most tasks in one Workflow (1 to 39,600): bigger plans are split into a parent
    /// Workflow running one WorkflowTemplate per part (`crate::split`). Signed so that
    /// 0 and negative values get the same message as values too large.
    pub max_tasks_per_workflow: i64,
    /// Python tool compatibility: the image repository; when set, it is the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Python tool compatibility (Docker packaging): set `include` under `code` instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include: Option<Vec<String>>,
    /// Python tool compatibility (Docker packaging): set `exclude` under `code` instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude: Option<Vec<String>>,
    /// Extra volumes mounted at `/mnt/<name>` in every pod.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mounted_volumes: Vec<MountedVolume>,
    /// Python tool compatibility: the Argo backend has no presets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// `spec.parallelism`: most pods of one Workflow running at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<i64>,
    /// `spec.imagePullSecrets`: secrets with the registry credentials of private images.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub image_pull_secrets: Vec<String>,
    /// `spec.podGC.strategy`: when Argo deletes the pods (`OnPodCompletion`,
    /// `OnPodSuccess`, `OnWorkflowCompletion`, `OnWorkflowSuccess`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_gc: Option<String>,
    /// `spec.ttlStrategy`: how long finished Workflows are kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<Ttl>,
    /// What the export is: `workflow` (default), `template` or `cron` (`--kind`).
    #[serde(skip_serializing_if = "Kind::is_workflow")]
    pub kind: Kind,
    /// A cron schedule (kind cron).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// Several cron schedules (kind cron).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schedules: Vec<String>,
    /// IANA time zone of the schedules (kind cron).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// `Allow`, `Forbid` or `Replace` a run while the previous one runs (kind cron).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency_policy: Option<String>,
}

/// How long Argo keeps a finished Workflow (durations such as `1d`, `6h`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ttl {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_completion: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_success: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_failure: Option<String>,
}

/// Argo's pod GC strategies.
pub const POD_GC_STRATEGIES: [&str; 4] = [
    "OnPodCompletion",
    "OnPodSuccess",
    "OnWorkflowCompletion",
    "OnWorkflowSuccess",
];

impl Default for ArgoConfig {
    fn default() -> Self {
        ArgoConfig {
            storage: Choice::default(),
            code: Choice::default(),
            env: Choice::default(),
            image: None,
            claim_name: None,
            mount_path: None,
            sub_path: None,
            volume_name: None,
            entry_point: None,
            namespace: "argo".to_string(),
            service_account: None,
            max_tasks_per_workflow: DEFAULT_MAX_TASKS_PER_WORKFLOW as i64,
            repository: None,
            include: None,
            exclude: None,
            mounted_volumes: Vec::new(),
            preset: None,
            parallelism: None,
            image_pull_secrets: Vec::new(),
            pod_gc: None,
            ttl: None,
            kind: Kind::Workflow,
            schedule: None,
            schedules: Vec::new(),
            timezone: None,
            concurrency_policy: None,
        }
    }
}

impl ArgoConfig {
    /// The three strategies.
    pub fn strategies(&self) -> Strategies<'_> {
        Strategies::new(&*self.storage.0, &*self.code.0, &*self.env.0)
    }

    /// `spec.ttlStrategy` from `ttl` (durations checked by `validate`).
    pub fn ttl_strategy(&self) -> Option<crate::model::TtlStrategy> {
        let ttl = self.ttl.as_ref()?;
        let secs = |d: &Option<String>| {
            d.as_deref()
                .and_then(|d| units::parse_duration(d).ok())
                .map(|d| d.as_secs())
        };
        Some(crate::model::TtlStrategy {
            seconds_after_completion: secs(&ttl.after_completion),
            seconds_after_success: secs(&ttl.after_success),
            seconds_after_failure: secs(&ttl.after_failure),
        })
    }

    /// Checks the Workflow-wide production keys (`parallelism`, `image_pull_secrets`,
    /// `pod_gc`, `ttl`).
    fn validate_workflow_keys(&self) -> Result<(), UserError> {
        if let Some(p) = self.parallelism {
            if p < 1 {
                return Err(
                    UserError::new(format!("parallelism must be at least 1, got {p}"))
                        .with_hint("parallelism: 10 runs at most 10 pods of the Workflow at once"),
                );
            }
        }
        for s in &self.image_pull_secrets {
            if !dns_subdomain(s) {
                return Err(UserError::new(format!("'{s}' in image_pull_secrets is not a Kubernetes secret name"))
                    .with_hint("secret names are lowercase letters, digits, '-' and '.', e.g. image_pull_secrets: [registry-credentials]"));
            }
        }
        if let Some(gc) = &self.pod_gc {
            if !POD_GC_STRATEGIES.contains(&gc.as_str()) {
                return Err(UserError::new(format!(
                    "pod_gc '{gc}' is not an Argo pod GC strategy"
                ))
                .with_hint(format!("use one of: {}", pretty_list(POD_GC_STRATEGIES))));
            }
        }
        if let Some(ttl) = &self.ttl {
            for (k, v) in [
                ("after_completion", &ttl.after_completion),
                ("after_success", &ttl.after_success),
                ("after_failure", &ttl.after_failure),
            ] {
                if let Some(v) = v {
                    units::parse_duration(v).map_err(|m| {
                        UserError::new(format!("ttl.{k}: {m}"))
                            .with_hint("e.g. ttl: {after_success: 1h, after_failure: 7d}")
                    })?;
                }
            }
        }
        Ok(())
    }

    /// The flat image override (`repository` wins, as in the Python tool).
    pub fn image_override(&self) -> Option<&str> {
        self.repository.as_deref().or(self.image.as_deref())
    }

    /// The shared disk with the flat keys applied.
    pub fn disk(&self, plan: &Plan) -> Option<SharedDisk> {
        let mut d = self.storage.shared_disk(plan)?;
        if let Some(v) = &self.claim_name {
            d.claim_name = v.clone();
        }
        if let Some(v) = &self.mount_path {
            d.mount_path = v.clone();
        }
        if let Some(v) = &self.volume_name {
            d.volume_name = v.clone();
        }
        if let Some(v) = &self.sub_path {
            d.sub_path = Some(v.clone()).filter(|s| !s.is_empty());
        }
        Some(d)
    }

    /// `max_tasks_per_workflow`, once [`ArgoConfig::validate`] has accepted it.
    pub fn max_tasks_per_workflow(&self) -> usize {
        usize::try_from(self.max_tasks_per_workflow)
            .unwrap_or(1)
            .clamp(1, MAX_WORKFLOW_TASKS)
    }

    /// The `--entry-point` pods pass to `ploomber task`.
    pub fn effective_entry_point(&self, plan: &Plan) -> String {
        self.entry_point
            .clone()
            .unwrap_or_else(|| plan.project.entry_point.clone())
    }

    /// Errors for values no cluster can run or combinations the backend refuses;
    /// warnings for keys kept only for compatibility and from the strategies.
    pub fn validate(&self, plan: &Plan) -> Result<Vec<Warning>, UserError> {
        self.validate_workflow_keys()?;
        crate::kind::validate(self)?;
        let mut warnings = self.strategies().check(plan, &CAPABILITIES)?;
        let disk = self.disk(plan);
        if disk.is_none() {
            let flat = [
                ("claim_name", &self.claim_name),
                ("mount_path", &self.mount_path),
                ("sub_path", &self.sub_path),
                ("volume_name", &self.volume_name),
            ];
            if let Some((k, _)) = flat.iter().find(|(_, v)| v.is_some()) {
                return Err(UserError::new(format!(
                    "{k} configures the shared disk, but storage {} has none",
                    self.storage.kind()
                ))
                .with_hint(format!("remove {k}, or use storage: nfs")));
            }
        }
        if self.image_override().is_some() && self.code.bakes_environment() {
            return Err(UserError::new(
                "image/repository name the image pods run, but code image builds that image itself",
            )
            .with_hint("set repository (and tag) under code instead: code: {kind: image, repository: registry.example.com/team/ml}"));
        }
        if let Some(d) = &disk {
            if !d.mount_path.starts_with('/') || d.mount_path.contains("..") {
                return Err(UserError::new(format!(
                    "mount_path must be an absolute path without '..', got '{}'",
                    d.mount_path
                ))
                .with_hint("for example mount_path: /mnt/vol"));
            }
            if !d.sub_path_is_safe() {
                return Err(UserError::new(format!(
                    "sub_path must be relative to the volume and must not contain '..', got '{}'",
                    d.sub_path.as_deref().unwrap_or_default()
                ))
                .with_hint("sub_path is the project's folder on the NFS volume, e.g. my-project"));
            }
            for (what, value) in [
                ("claim_name", d.claim_name.as_str()),
                ("volume_name", d.volume_name.as_str()),
            ] {
                if value.trim().is_empty() {
                    return Err(UserError::new(format!("{what} must not be empty")));
                }
            }
            if !is_dns_label(&d.volume_name) {
                return Err(UserError::new(format!(
                    "volume_name '{}' is not a valid Kubernetes volume name",
                    d.volume_name
                ))
                .with_hint("use lowercase letters, digits and '-', at most 63 characters"));
            }
        }
        let image = self
            .image_override()
            .map(str::to_string)
            .unwrap_or_else(|| self.env.image());
        if image.trim().is_empty() {
            return Err(UserError::new(format!(
                "env {} needs the image every pod runs, but none is set",
                self.env.kind()
            ))
            .with_hint("set it: env: {kind: image, image: registry.example.com/team/env:1.0} (or image: NAME at the top of the section)"));
        }
        if !(1..=MAX_WORKFLOW_TASKS as i64).contains(&self.max_tasks_per_workflow) {
            return Err(UserError::new(format!(
                "max_tasks_per_workflow must be between 1 and {MAX_WORKFLOW_TASKS}, got {}",
                self.max_tasks_per_workflow
            ))
            .with_hint(format!(
                "it is the most tasks one Workflow holds before the pipeline is split into several \
                 (default {DEFAULT_MAX_TASKS_PER_WORKFLOW}); {MAX_WORKFLOW_TASKS} is all one Workflow can hold \
                 within Argo's limits of 200 templates and 200 tasks per DAG"
            )));
        }
        if self.namespace.trim().is_empty() {
            return Err(UserError::new("namespace must not be empty"));
        }
        for v in &self.mounted_volumes {
            if !is_dns_label(&v.name) {
                return Err(UserError::new(format!(
                    "mounted_volumes: '{}' is not a valid Kubernetes volume name",
                    v.name
                ))
                .with_hint("use lowercase letters, digits and '-', at most 63 characters"));
            }
            if let Some(d) = &disk {
                if v.name == d.volume_name {
                    return Err(UserError::new(format!(
                        "mounted_volumes: '{}' is already the name of the project volume",
                        v.name
                    ))
                    .with_hint("rename the mounted volume or set volume_name"));
                }
                if format!("/mnt/{}", v.name) == d.mount_path.trim_end_matches('/') {
                    return Err(UserError::new(format!(
                        "mounted_volumes: '{}' would be mounted at {}, where the project is mounted",
                        v.name, d.mount_path
                    ))
                    .with_hint("rename the mounted volume or change mount_path"));
                }
            }
            if v.sub_path.starts_with('/') || v.sub_path.split('/').any(|p| p == "..") {
                return Err(UserError::new(format!(
                    "mounted_volumes: sub_path of '{}' must be relative without '..'",
                    v.name
                )));
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
                "include/exclude at the top of the section are ignored: set them under code (code: {kind: shared-disk, include: [...], exclude: [...]})",
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
        // production settings: mapped by crate::settings, the rest refused at their line
        crate::settings::check(plan)?;
        let mut warnings = self.validate(plan)?;
        warnings.extend(soopervisor_core::strategy::pod::pinned::warnings(plan));
        Ok(warnings)
    }

    fn export(&self, plan: &Plan, target: &ExportTarget) -> anyhow::Result<Export> {
        crate::export::export(self, plan, target)
    }

    fn formats(&self) -> &'static [soopervisor_core::backend::OutputFormat] {
        use soopervisor_core::backend::OutputFormat;
        &[OutputFormat::Yaml, OutputFormat::Json]
    }

    fn check_submit(&self, plan: &Plan, _target: &ExportTarget) -> anyhow::Result<()> {
        crate::submit::check(self, plan, &crate::client::Clients::from_path())
    }

    fn submit(&self, plan: &Plan, target: &ExportTarget) -> anyhow::Result<String> {
        crate::submit::submit(self, plan, target, &crate::client::Clients::from_path())
    }

    fn status(&self, target: &ExportTarget) -> anyhow::Result<String> {
        self.status_report(target).map(|r| r.text)
    }

    fn status_report(
        &self,
        target: &ExportTarget,
    ) -> anyhow::Result<soopervisor_core::backend::StatusReport> {
        let submitted = crate::state::read(&target.dir.join(crate::state::STATE_FILE))?;
        crate::status::report(&submitted, &crate::client::Clients::from_path())
    }

    fn cancel(&self, target: &ExportTarget) -> anyhow::Result<String> {
        let submitted = crate::state::read(&target.dir.join(crate::state::STATE_FILE))?;
        crate::status::cancel(&submitted, &crate::client::Clients::from_path())
    }
}

inventory::submit! {
    BackendDescription::new(
        "argo",
        "Argo Workflows on Kubernetes: one Workflow, a pod per task (shared NFS volume or artifacts; conda, pip or prebuilt images)",
        || Box::new(ArgoConfig::default()),
    )
    .with_aliases(&["argo-workflows"])
}

#[cfg(test)]
mod tests {
    use super::*;

    use soopervisor_core::testing::read_section;

    #[test]
    fn reads_through_typetag_with_defaults() {
        let text = read_section(r#"{"backend": "argo", "claim_name": "data"}"#).unwrap();
        assert!(text.contains("claim_name: Some(\"data\")"), "{text}");
        assert!(text.contains("continuumio/miniconda3"), "{text}");
    }

    #[test]
    fn rejects_unknown_keys() {
        let err = read_section(r#"{"backend": "argo", "claimname": "x"}"#).unwrap_err();
        assert!(err.contains("claimname"), "{err}");
    }

    #[test]
    fn accepts_python_tool_keys() {
        let cfg: ArgoConfig = serde_json::from_str(
            r#"{"repository": "reg/img", "include": ["a"], "exclude": ["b"], "preset": null,
                "mounted_volumes": [{"name": "shared", "sub_path": "x", "spec": {"hostPath": {"path": "/h"}}}]}"#,
        )
        .unwrap();
        assert_eq!(cfg.image_override(), Some("reg/img"));
        assert_eq!(cfg.mounted_volumes[0].name, "shared");
    }

    #[test]
    fn is_registered_with_alias() {
        let d = soopervisor_core::backend::find("argo-workflows").expect("registered");
        assert_eq!(d.name(), "argo");
        let cfg = d.default_config();
        assert!(format!("{cfg:?}").contains("/mnt/vol"));
    }
}
