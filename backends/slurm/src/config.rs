//! The `slurm` section of `soopervisor.yaml` ([`SlurmConfig`]), its registration with
//! the backend registry, and the [`BackendConfig`] implementation that ties the other
//! modules together.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use soopervisor_core::backend::{BackendConfig, BackendDescription, Export, ExportTarget};
use soopervisor_core::diagnostics::{UserError, Warning};
use soopervisor_core::plan::Plan;

/// Settings of a SLURM target. Every key is optional; `{backend: slurm}` is complete.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlurmConfig {
    /// Accepted for compatibility with the Python tool's `SlurmConfig`; SLURM has no
    /// presets, so it must be absent or null.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<serde_json::Value>,
    /// Folder holding `template.sh` and per-task templates (`<task>.sh`, `fit-__.sh`).
    /// Relative paths are relative to the target folder; default: the target folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<PathBuf>,
    /// Extra arguments passed to every `sbatch` call (`["--partition=gpu", "--time=1:00:00"]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sbatch_args: Vec<String>,
    /// Folder for the jobs' logs (`<job>-<jobid>.out`). Relative paths are relative to
    /// the target folder; default `logs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_dir: Option<PathBuf>,
}

impl SlurmConfig {
    /// Rejects values the schema cannot express (a non-null `preset`).
    pub fn validate(&self) -> anyhow::Result<()> {
        match &self.preset {
            None | Some(serde_json::Value::Null) => Ok(()),
            Some(v) => Err(UserError::new(format!(
                "the slurm backend has no presets, but soopervisor.yaml sets preset: {v}"
            ))
            .with_hint("remove the `preset` key (it exists only for compatibility)")
            .into()),
        }
    }
}

#[typetag::serde(name = "slurm")]
impl BackendConfig for SlurmConfig {
    fn check(&self, plan: &Plan) -> anyhow::Result<Vec<Warning>> {
        self.validate()?;
        // production settings: mapped by crate::settings, the rest refused at their line
        crate::settings::check(plan)?;
        plan.settings
            .check_honoured("slurm", &crate::settings::HONOURED)?;
        crate::names::JobNames::new(plan.tasks.iter().map(|t| t.name.as_str()))?;
        Ok(Vec::new())
    }

    fn export(&self, plan: &Plan, target: &ExportTarget) -> anyhow::Result<Export> {
        self.validate()?;
        crate::export::export(self, plan, target)
    }

    fn check_submit(&self, _plan: &Plan, _target: &ExportTarget) -> anyhow::Result<()> {
        crate::submit::require_sbatch(&crate::tools::Tools::from_path()).map(|_| ())
    }

    fn submit(&self, plan: &Plan, target: &ExportTarget) -> anyhow::Result<String> {
        self.validate()?;
        let tools = crate::tools::Tools::from_path();
        crate::submit::submit(self, plan, target, &tools)
    }

    fn status(&self, target: &ExportTarget) -> anyhow::Result<String> {
        self.status_report(target).map(|r| r.text)
    }

    fn status_report(
        &self,
        target: &ExportTarget,
    ) -> anyhow::Result<soopervisor_core::backend::StatusReport> {
        let tools = crate::tools::Tools::from_path();
        crate::status::report(target, &crate::status::log_dir(self, target), &tools)
    }
}

inventory::submit! {
    BackendDescription::new(
        "slurm",
        "SLURM: one batch script per task, submitted in dependency order with sbatch",
        || Box::new(SlurmConfig::default()),
    )
    .with_default_folder("slurm")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_through_typetag_and_rejects_unknown_keys() {
        use soopervisor_core::testing::read_section;
        let text = read_section(r#"{"backend": "slurm", "log_dir": "out"}"#).unwrap();
        assert!(text.contains("out"));
        let err = read_section(r#"{"backend": "slurm", "nope": 1}"#).unwrap_err();
        assert!(err.contains("nope"), "{err}");
    }

    #[test]
    fn preset_must_be_null() {
        let ok: SlurmConfig = serde_json::from_str(r#"{"preset": null}"#).unwrap();
        assert!(ok.validate().is_ok());
        let bad: SlurmConfig = serde_json::from_str(r#"{"preset": "bash"}"#).unwrap();
        assert!(bad
            .validate()
            .unwrap_err()
            .to_string()
            .contains("no presets"));
    }

    #[test]
    fn is_registered() {
        let d = soopervisor_core::backend::find("slurm").expect("registered");
        assert!(d.summary().starts_with("SLURM"));
        let _ = d.default_config();
    }
}
