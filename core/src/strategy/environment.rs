//! Environment strategies: what the pods run the task with. `conda` (the default: a
//! miniconda image creates the environment from `environment.yml`), `pip` (a Python
//! image installs `requirements.lock.txt` or `requirements.txt`) and `image` (a
//! prebuilt image; nothing is installed). When the code strategy builds an image, the
//! environment is baked into it instead ([`EnvironmentStrategy::dockerfile`]).

use std::fmt::Debug;

use serde::{Deserialize, Serialize};

use super::choice::StrategyObject;
use super::registry::{Concern, StrategyDescription};
use super::{Contribution, Phase, SetupStep, TaskContext};
use crate::diagnostics::{UserError, UserResult, Warning};
use crate::output::shell::quote;
use crate::plan::{build::require_conda, Plan};

/// How the pods get their environment.
#[typetag::serde(tag = "kind")]
pub trait EnvironmentStrategy: Debug + Send + Sync {
    /// The image the pods run (or the base of a built image).
    fn image(&self) -> String;
    /// Checks that need only the plan.
    fn check(&self, plan: &Plan) -> UserResult<Vec<Warning>>;
    /// What one task needs (nothing when `ctx.env_baked`).
    fn contribute(&self, plan: &Plan, ctx: &TaskContext<'_>) -> Contribution;
    /// Dockerfile lines (after `FROM image`) that install the environment.
    fn dockerfile(&self, plan: &Plan) -> Vec<String>;
}

impl StrategyObject for dyn EnvironmentStrategy {
    const CONCERN: Concern = Concern::Env;
    fn kind_name(&self) -> &'static str {
        self.typetag_name()
    }
}

/// Python that exits 0 when `ploomber` is installed, found through its import spec
/// without importing it (a full `import ploomber` costs every pod about 4 s).
pub const FIND_PLOOMBER_PY: &str =
    "import importlib.util, sys; sys.exit(importlib.util.find_spec(\"ploomber\") is None)";

/// The shell line that installs Ploomber unless the environment already has it.
pub fn ensure_ploomber() -> String {
    format!(
        "python -c {} 2>/dev/null || pip install ploomber",
        quote(FIND_PLOOMBER_PY)
    )
}

fn with_image(image: &str, what: &str) -> UserResult<()> {
    if image.trim().is_empty() {
        return Err(UserError::new(format!("env {what}: image must not be empty"))
            .with_hint("set image under env, e.g. env: {kind: image, image: registry.example.com/team/env:1.0}"));
    }
    Ok(())
}

/// `env: conda`: a miniconda image creates the environment of `environment.yml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Conda {
    pub image: String,
}

impl Default for Conda {
    fn default() -> Self {
        Conda {
            image: "continuumio/miniconda3".into(),
        }
    }
}

#[typetag::serde(name = "conda")]
impl EnvironmentStrategy for Conda {
    fn image(&self) -> String {
        self.image.clone()
    }

    fn check(&self, plan: &Plan) -> UserResult<Vec<Warning>> {
        with_image(&self.image, "conda")?;
        require_conda(plan).map_err(|e| {
            UserError::new(format!(
                "env conda creates each pod's environment from environment.yml, but {}",
                e.message
            ))
            .in_file(plan.project.root.join("environment.yml"))
            .with_hint(
                "add an environment.yml with a `name:` and the project's dependencies, ploomber included; or use --env pip with a requirements.txt",
            )
        })?;
        Ok(Vec::new())
    }

    fn contribute(&self, plan: &Plan, ctx: &TaskContext<'_>) -> Contribution {
        let mut c = Contribution::default();
        let Some(conda) = plan.project.conda.as_ref().filter(|_| !ctx.env_baked) else {
            return c;
        };
        let env = quote(&conda.name);
        c.setup.push(SetupStep::new(
            Phase::Environment,
            "conda's activation scripts read unset variables",
            vec![
                "set +u".into(),
                "eval \"$(conda shell.bash hook)\"".into(),
                format!("if ! conda activate {env} 2>/dev/null; then"),
                format!(
                    "  conda env create --file {} --name {env}",
                    quote(&conda.file)
                ),
                format!("  conda activate {env}"),
                "fi".into(),
                "set -u".into(),
                ensure_ploomber(),
            ],
        ));
        c
    }

    fn dockerfile(&self, plan: &Plan) -> Vec<String> {
        let file = plan
            .project
            .conda
            .as_ref()
            .map(|c| c.file.clone())
            .unwrap_or_else(|| "environment.yml".into());
        vec![
            format!("COPY {file} /tmp/soopervisor/{file}"),
            format!("RUN conda env update --name base --file /tmp/soopervisor/{file} && conda clean --all --yes"),
            format!("RUN {}", ensure_ploomber()),
        ]
    }
}

/// `env: pip`: a Python image installs the project's requirements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Pip {
    pub image: String,
    /// Requirements file (root-relative); default: `requirements.lock.txt`, else
    /// `requirements.txt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirements: Option<String>,
}

impl Default for Pip {
    fn default() -> Self {
        Pip {
            image: "python:3.12-slim".into(),
            requirements: None,
        }
    }
}

impl Pip {
    fn requirements(&self, plan: &Plan) -> Option<String> {
        self.requirements
            .clone()
            .or_else(|| plan.project.pip_requirements.clone())
    }
}

#[typetag::serde(name = "pip")]
impl EnvironmentStrategy for Pip {
    fn image(&self) -> String {
        self.image.clone()
    }

    fn check(&self, plan: &Plan) -> UserResult<Vec<Warning>> {
        with_image(&self.image, "pip")?;
        let mut warnings = Vec::new();
        let Some(req) = self.requirements(plan) else {
            return Err(UserError::new(
                "env pip installs the project's requirements in each pod, but the project has neither requirements.lock.txt nor requirements.txt",
            )
            .in_file(plan.project.root.join("requirements.lock.txt"))
            .with_hint("write one (pip freeze > requirements.lock.txt), set requirements under env, or use --env conda"));
        };
        let path = plan.project.root.join(&req);
        if !path.is_file() {
            return Err(UserError::new(format!(
                "env pip: the requirements file {req} does not exist"
            ))
            .in_file(&path));
        }
        if !req.ends_with(".lock.txt") {
            warnings.push(Warning::new(format!(
                "env pip: {req} may not pin versions, so pods can get different packages than this machine; a requirements.lock.txt (pip freeze) is reproducible"
            )).in_file(&path));
        }
        Ok(warnings)
    }

    fn contribute(&self, plan: &Plan, ctx: &TaskContext<'_>) -> Contribution {
        let mut c = Contribution::default();
        if ctx.env_baked {
            return c;
        }
        let Some(req) = self.requirements(plan) else {
            return c;
        };
        c.setup.push(SetupStep::new(
            Phase::Environment,
            "install the pinned requirements into this pod's Python",
            vec![
                format!("python -m pip install --requirement {}", quote(&req)),
                ensure_ploomber(),
            ],
        ));
        c
    }

    fn dockerfile(&self, plan: &Plan) -> Vec<String> {
        let req = self
            .requirements(plan)
            .unwrap_or_else(|| "requirements.txt".into());
        vec![
            format!("COPY {req} /tmp/soopervisor/{req}"),
            format!(
                "RUN python -m pip install --no-cache-dir --requirement /tmp/soopervisor/{req}"
            ),
            format!("RUN {}", ensure_ploomber()),
        ]
    }
}

/// `env: image`: a prebuilt image with everything installed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct PrebuiltImage {
    pub image: String,
}

#[typetag::serde(name = "image")]
impl EnvironmentStrategy for PrebuiltImage {
    fn image(&self) -> String {
        self.image.clone()
    }

    fn check(&self, _plan: &Plan) -> UserResult<Vec<Warning>> {
        // an empty image may still be given by the backend's own keys; backends
        // refuse an empty effective image
        Ok(Vec::new())
    }

    fn contribute(&self, _plan: &Plan, ctx: &TaskContext<'_>) -> Contribution {
        let mut c = Contribution::default();
        if !ctx.env_baked {
            c.setup.push(SetupStep::new(
                Phase::Environment,
                "the prebuilt image must provide ploomber; nothing is installed",
                vec![format!(
                    "command -v ploomber >/dev/null || {{ echo {} >&2; exit 1; }}",
                    quote("soopervisor: the image has no ploomber command (env: image installs nothing)")
                )],
            ));
        }
        c
    }

    fn dockerfile(&self, _plan: &Plan) -> Vec<String> {
        Vec::new()
    }
}

inventory::submit! {
    StrategyDescription { concern: Concern::Env, name: "conda",
        summary: "a miniconda image creates the environment of environment.yml (the default)" }
}
inventory::submit! {
    StrategyDescription { concern: Concern::Env, name: "pip",
        summary: "a Python image installs requirements.lock.txt or requirements.txt" }
}
inventory::submit! {
    StrategyDescription { concern: Concern::Env, name: "image",
        summary: "a prebuilt image with everything installed; nothing is installed in the pod" }
}
