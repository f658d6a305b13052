//! `AirflowConfig`: the `airflow` section of `soopervisor.yaml` (every key optional,
//! unknown keys refused), its validation, its registration with `typetag` and
//! `inventory` (alias `apache-airflow`), and the `BackendConfig` implementation that
//! hands over to [`crate::export`].

use serde::{Deserialize, Serialize};
use soopervisor_core::backend::{BackendConfig, BackendDescription, Export, ExportTarget};
use soopervisor_core::diagnostics::{UserError, Warning};
use soopervisor_core::plan::Plan;
use soopervisor_core::strategy::{
    Capabilities, Choice, CodeStrategy, EnvironmentStrategy, SharedDisk, StorageStrategy,
    Strategies,
};

/// Which operator runs the tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// `KubernetesPodOperator`: a pod per task, as the Argo backend's (the default).
    #[default]
    Kubernetes,
    /// `BashOperator`: `ploomber task` on the Airflow worker, in the project folder.
    Bash,
    /// `DockerOperator`: a container per task with the project bind-mounted.
    Docker,
}

impl Preset {
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Kubernetes => "kubernetes",
            Preset::Bash => "bash",
            Preset::Docker => "docker",
        }
    }

    /// The strategies this preset honours.
    pub fn capabilities(self) -> &'static Capabilities {
        match self {
            Preset::Kubernetes => &KUBERNETES,
            Preset::Bash => &BASH,
            Preset::Docker => &DOCKER,
        }
    }
}

/// Pods share the project on a volume; the script installs what the code strategy
/// needs. Git checkouts and artifact transfers need the engine's help, which the
/// operator cannot give, so `git` and `fetch` are not offered.
pub const KUBERNETES: Capabilities = Capabilities::new(
    "airflow/kubernetes",
    &["nfs"],
    &["shared-disk", "package"],
    &["conda", "pip", "image"],
);

/// The worker runs the project where it is; `--env conda` activates its environment.
pub const BASH: Capabilities =
    Capabilities::new("airflow/bash", &["nfs"], &["shared-disk"], &["conda"]);

/// The project folder is bind-mounted where the shared disk would be.
pub const DOCKER: Capabilities = Capabilities::new(
    "airflow/docker",
    &["nfs"],
    &["shared-disk"],
    &["conda", "pip", "image"],
);

/// The per-task settings (`defaults:`/`tasks:`) the DAG file maps: `retries`,
/// `retry_backoff` (`retry_delay`), `timeout` (`execution_timeout`) and `queue`.
pub const HONOURED_SETTINGS: [&str; 4] = ["retries", "retry_backoff", "timeout", "queue"];

/// Airflow's alphabet for DAG and task ids.
pub fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// Airflow's longest DAG or task id.
pub const MAX_ID_LEN: usize = 250;

/// The `airflow` backend's configuration. Every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AirflowConfig {
    /// `kubernetes` (default), `bash` or `docker`.
    pub preset: Preset,
    /// The DAG id; default: the project's name with characters Airflow refuses
    /// replaced by `_`. Also the file name (`<dag_id>.py`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dag_id: Option<String>,
    /// Cron expression or preset (`@daily`); default none: the DAG runs when triggered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// `YYYY-MM-DD` (UTC); fixed so that exports are deterministic.
    pub start_date: String,
    /// Retries of a failed task (default 0, as the Python tool).
    pub retries: u32,
    /// Seconds between retries.
    pub retry_delay: u64,
    /// Tags shown in Airflow's UI.
    pub tags: Vec<String>,
    /// Where data lives between tasks (`nfs`: the volume the pods mount).
    pub storage: Choice<dyn StorageStrategy>,
    /// How the code reaches the tasks (`shared-disk`, `package`).
    pub code: Choice<dyn CodeStrategy>,
    /// How the tasks get their environment: `conda`, `pip`, `image` for pods and
    /// containers (default conda); for `bash`, none (ploomber on the worker's PATH)
    /// or `conda` (the project's named environment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<Choice<dyn EnvironmentStrategy>>,
    /// The image pods or containers run (default: the environment's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The project folder on the Airflow workers (bash) or the Docker host (docker);
    /// default: the project's absolute path at export time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_dir: Option<String>,
    /// Spec path relative to the project root; default: the plan's entry point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<String>,
    /// Kubernetes namespace of the pods (kubernetes preset).
    pub namespace: String,
}

impl Default for AirflowConfig {
    fn default() -> Self {
        AirflowConfig {
            preset: Preset::default(),
            dag_id: None,
            schedule: None,
            start_date: "2024-01-01".into(),
            retries: 0,
            retry_delay: 300,
            tags: vec!["soopervisor".into()],
            storage: Choice::default(),
            code: Choice::default(),
            env: None,
            image: None,
            project_dir: None,
            entry_point: None,
            namespace: "default".into(),
        }
    }
}

impl AirflowConfig {
    /// The environment strategy: the configured one, else conda for pods and
    /// containers; `None` for bash without `env`.
    pub fn env(&self) -> Option<Choice<dyn EnvironmentStrategy>> {
        match (&self.env, self.preset) {
            (Some(e), _) => Some(e.clone()),
            (None, Preset::Bash) => None,
            (None, _) => Some(Choice::default()),
        }
    }

    /// The three strategies (with `env` as given by [`AirflowConfig::env`]).
    pub fn strategies<'a>(&'a self, env: &'a dyn EnvironmentStrategy) -> Strategies<'a> {
        Strategies::new(&*self.storage.0, &*self.code.0, env)
    }

    /// The shared disk (the pods' volume, or where docker mounts the project).
    pub fn disk(&self, plan: &Plan) -> Option<SharedDisk> {
        self.storage.shared_disk(plan)
    }

    /// The DAG id: configured, or the project's name made valid.
    pub fn dag_id(&self, plan: &Plan) -> String {
        self.dag_id.clone().unwrap_or_else(|| {
            let id = soopervisor_core::output::names::identifier(&plan.project.name, is_id_char);
            id.chars().take(MAX_ID_LEN).collect()
        })
    }

    /// The `--entry-point` the tasks pass to `ploomber task`.
    pub fn effective_entry_point(&self, plan: &Plan) -> String {
        self.entry_point
            .clone()
            .unwrap_or_else(|| plan.project.entry_point.clone())
    }

    /// The project folder on the worker or Docker host.
    pub fn project_dir(&self, plan: &Plan) -> String {
        self.project_dir
            .clone()
            .unwrap_or_else(|| plan.project.root.display().to_string())
    }

    /// `start_date` as (year, month, day), once validated.
    pub fn start_date(&self) -> Result<(i64, u32, u32), UserError> {
        let bad = || {
            UserError::new(format!(
                "start_date must be a date written YYYY-MM-DD, got '{}'",
                self.start_date
            ))
            .with_hint("for example start_date: 2024-01-01")
        };
        let parts: Vec<&str> = self.start_date.split('-').collect();
        let [y, m, d] = parts[..] else {
            return Err(bad());
        };
        let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i64>(), m.parse::<u32>(), d.parse::<u32>()) else {
            return Err(bad());
        };
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(bad()),
        };
        if !(1..=9999).contains(&y) || d == 0 || d > days || parts[0].len() != 4 {
            return Err(bad());
        }
        Ok((y, m, d))
    }

    /// Errors for values Airflow or the preset cannot use; warnings from the strategies.
    pub fn validate(&self, plan: &Plan) -> Result<Vec<Warning>, UserError> {
        let env = self.env();
        let bash_env = soopervisor_core::strategy::environment::Conda::default();
        let env_ref: &dyn EnvironmentStrategy = match &env {
            Some(e) => &*e.0,
            None => &bash_env,
        };
        let mut warnings = if env.is_none() {
            // bash without env: nothing is installed; only storage and code are checked
            let caps = self.preset.capabilities();
            for (what, name, supported) in [
                ("storage", self.storage.kind(), caps.storages),
                ("code", self.code.kind(), caps.code),
            ] {
                if !supported.contains(&name) {
                    return Err(UserError::new(format!(
                        "the {} backend does not support {what} '{name}'",
                        caps.backend
                    ))
                    .with_hint(format!("use one of: {}", supported.join(", "))));
                }
            }
            let mut w = self.storage.check(plan)?;
            w.extend(self.code.check(plan)?);
            w
        } else {
            self.strategies(env_ref)
                .check(plan, self.preset.capabilities())?
        };
        let dag_id = self.dag_id(plan);
        if dag_id.is_empty() || dag_id.len() > MAX_ID_LEN || !dag_id.chars().all(is_id_char) {
            return Err(
                UserError::new(format!("dag_id '{dag_id}' is not a valid Airflow DAG id"))
                    .with_hint(
                        "use letters, digits, '_', '.' and '-' only, at most 250 characters",
                    ),
            );
        }
        self.start_date()?;
        if let Some(s) = &self.schedule {
            if s.trim().is_empty() {
                return Err(UserError::new("schedule must not be empty")
                    .with_hint("remove it for a DAG run only when triggered, or write a cron expression such as '0 6 * * *' or @daily"));
            }
        }
        if self.namespace.trim().is_empty() {
            return Err(UserError::new("namespace must not be empty"));
        }
        if let Some(i) = &self.image {
            if i.trim().is_empty() {
                return Err(UserError::new("image must not be empty")
                    .with_hint("remove it to use the environment's image"));
            }
        } else if let Some(e) = env.as_ref().filter(|_| self.preset != Preset::Bash) {
            if e.image().trim().is_empty() {
                return Err(UserError::new(format!(
                    "env {} needs the image every pod runs, but none is set",
                    e.kind()
                ))
                .with_hint("set it: env: {kind: image, image: registry.example.com/team/env:1.0} (or image: NAME at the top of the section)"));
            }
        }
        if let Some(d) = &self.project_dir {
            if !d.starts_with('/') {
                return Err(UserError::new(format!(
                    "project_dir must be an absolute path, got '{d}'"
                ))
                .with_hint("the project's folder as the Airflow workers (or the Docker host) see it, e.g. /srv/projects/my-project"));
            }
        }
        match self.preset {
            Preset::Kubernetes => {
                if let Some(d) = self.disk(plan) {
                    check_volume_values(&d)?;
                }
            }
            Preset::Bash => {
                if self.image.is_some() {
                    warnings.push(Warning::new(
                        "image is ignored by the bash preset (tasks run on the Airflow worker)",
                    ));
                }
            }
            Preset::Docker => {}
        }
        if self.preset != Preset::Kubernetes && self.namespace != "default" {
            warnings.push(Warning::new(format!(
                "namespace is ignored by the {} preset (it has no Kubernetes pods)",
                self.preset.as_str()
            )));
        }
        Ok(warnings)
    }
}

/// KubernetesPodOperator renders the volume's name, claim and sub-path with Jinja
/// (provider 10.x; older ones do not): they must read the same rendered or not.
fn check_volume_values(d: &SharedDisk) -> Result<(), UserError> {
    for (what, value) in [
        ("volume_name", d.volume_name.as_str()),
        ("claim_name", d.claim_name.as_str()),
        ("mount_path", d.mount_path.as_str()),
        ("sub_path", d.sub_path.as_deref().unwrap_or("")),
    ] {
        if crate::jinja::inert(value) != value || value.chars().any(char::is_control) {
            return Err(UserError::new(format!(
                "storage {what} '{}' holds characters Airflow would read as a template ('{{', a control character, or a template file suffix)",
                value.escape_debug()
            ))
            .with_hint(format!("set it to a plain name: storage: {{kind: nfs, {what}: ...}}")));
        }
    }
    Ok(())
}

#[typetag::serde(name = "airflow")]
impl BackendConfig for AirflowConfig {
    fn check(&self, plan: &Plan) -> anyhow::Result<Vec<Warning>> {
        // production settings: the ones every operator takes; the rest are refused
        plan.settings
            .check_honoured("airflow", &HONOURED_SETTINGS)?;
        let mut warnings = self.validate(plan)?;
        if self.preset != Preset::Bash {
            warnings.extend(soopervisor_core::strategy::pod::pinned::warnings(plan));
        }
        Ok(warnings)
    }

    fn export(&self, plan: &Plan, target: &ExportTarget) -> anyhow::Result<Export> {
        crate::export::export(self, plan, target)
    }

    fn presets(&self) -> &'static [&'static str] {
        &["kubernetes", "bash", "docker"]
    }
}

inventory::submit! {
    BackendDescription::new(
        "airflow",
        "Apache Airflow: one DAG file, an operator per task (presets: kubernetes pods, bash on the worker, docker containers)",
        || Box::new(AirflowConfig::default()),
    )
    .with_aliases(&["apache-airflow"])
    .with_default_folder("airflow")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_through_typetag_with_defaults() {
        let text =
            soopervisor_core::testing::read_section(r#"{"backend": "airflow", "preset": "bash"}"#)
                .unwrap();
        assert!(text.contains("preset: Bash"), "{text}");
        assert!(text.contains("retries: 0"), "{text}");
    }

    #[test]
    fn rejects_unknown_keys_and_presets() {
        let err = serde_json::from_str::<AirflowConfig>(r#"{"schedul": "@daily"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("schedul"), "{err}");
        let err = serde_json::from_str::<AirflowConfig>(r#"{"preset": "podman"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("kubernetes") && err.contains("podman"),
            "{err}"
        );
    }

    #[test]
    fn start_dates_are_checked() {
        let mut c = AirflowConfig::default();
        assert_eq!(c.start_date().unwrap(), (2024, 1, 1));
        for bad in [
            "2024-02-30",
            "2023-02-29",
            "24-01-01",
            "2024-13-01",
            "today",
            "2024-1",
        ] {
            c.start_date = bad.into();
            assert!(c.start_date().is_err(), "{bad}");
        }
        c.start_date = "2024-02-29".into();
        assert_eq!(c.start_date().unwrap(), (2024, 2, 29));
    }

    #[test]
    fn is_registered_with_alias_and_folder() {
        let d = soopervisor_core::backend::find("apache-airflow").expect("registered");
        assert_eq!(d.name(), "airflow");
        assert_eq!(d.default_folder(), "airflow");
        assert!(format!("{:?}", d.default_config()).contains("Kubernetes"));
    }

    #[test]
    fn bash_has_no_default_environment() {
        let bash: AirflowConfig = serde_json::from_str(r#"{"preset": "bash"}"#).unwrap();
        assert!(bash.env().is_none());
        let k8s = AirflowConfig::default();
        assert_eq!(k8s.env().unwrap().kind(), "conda");
    }
}
