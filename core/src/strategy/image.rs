//! `code: image`: the code (and the environment) baked into a Docker image. Export
//! writes `docker/Dockerfile`, `docker/Dockerfile.dockerignore` and
//! `docker/build-image.sh` (`docker build` + `docker push`) into the export folder and
//! the spec runs that image; export never runs Docker. The tag is the git commit
//! (`g<commit>`) or, without a clean git tree, a hash of the Dockerfile and the
//! files' list, so it is stable for the same project.

use serde::{Deserialize, Serialize};

use super::code::CodeStrategy;
use super::environment::EnvironmentStrategy;
use super::registry::{Concern, StrategyDescription};
use super::{Contribution, SharedDisk, TaskContext};
use crate::backend::OutputFile;
use crate::diagnostics::{UserError, UserResult, Warning};
use crate::output::names::{dns_label, short_hash};
use crate::output::shell::quote;
use crate::plan::Plan;

/// Folder (in the export folder) that receives the image files.
pub const DOCKER_DIR: &str = "docker";

/// `code: image` settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct ImageCode {
    /// Image name without tag (`registry.example.com/team/ml`); default: the project
    /// folder's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Tag; default: from git or the project's content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// The project root in the image.
    pub workdir: String,
    /// Files never copied into the image (besides products and `.git`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// The computed tag, once per export.
    #[serde(skip)]
    pub cache: std::sync::OnceLock<String>,
}

impl Default for ImageCode {
    fn default() -> Self {
        ImageCode {
            repository: None,
            tag: None,
            workdir: "/project".into(),
            exclude: Vec::new(),
            cache: std::sync::OnceLock::new(),
        }
    }
}

impl ImageCode {
    fn repository(&self, plan: &Plan) -> String {
        self.repository
            .clone()
            .unwrap_or_else(|| dns_label(&plan.project.name))
    }

    /// `repository:tag`.
    pub fn image_name(&self, plan: &Plan) -> String {
        let tag = self.tag.clone().unwrap_or_else(|| {
            self.cache
                .get_or_init(
                    || match super::git::info(&plan.project.root).filter(|i| !i.dirty) {
                        Some(i) => format!("g{}", i.short()),
                        None => format!("h{}", short_hash(&self.dockerfile_seed(plan), 10)),
                    },
                )
                .clone()
        });
        format!("{}:{tag}", self.repository(plan))
    }

    fn dockerfile_seed(&self, plan: &Plan) -> String {
        let sel = super::files::select(plan, &[], &self.exclude).unwrap_or_default();
        let mut s = String::new();
        for f in sel.files {
            let bytes = std::fs::read(plan.project.root.join(&f)).unwrap_or_default();
            s.push_str(&format!(
                "{f}\0{}\n",
                short_hash(&String::from_utf8_lossy(&bytes), 16)
            ));
        }
        s
    }

    /// The Dockerfile: the environment's base and install lines, then the code.
    pub fn dockerfile(&self, plan: &Plan, env: &dyn EnvironmentStrategy) -> String {
        let workdir = self.workdir.trim_end_matches('/');
        let mut lines = vec![
            format!(
                "# written by soopervisor {}; build with build-image.sh",
                env!("CARGO_PKG_VERSION")
            ),
            format!("FROM {}", env.image()),
        ];
        lines.extend(env.dockerfile(plan));
        lines.push(format!("WORKDIR {workdir}"));
        lines.push(format!("COPY . {workdir}"));
        if plan.project.is_package {
            lines.push("RUN pip install --no-deps .".into());
        }
        lines.join("\n") + "\n"
    }

    /// What the build context leaves out: git data, caches, products and `exclude`.
    pub fn dockerignore(&self, plan: &Plan) -> String {
        let mut lines = vec![
            ".git".to_string(),
            "**/__pycache__".into(),
            "**/.ipynb_checkpoints".into(),
        ];
        let mut products: Vec<String> = plan
            .tasks
            .iter()
            .flat_map(|t| {
                t.products
                    .iter()
                    .flat_map(|p| [p.clone(), crate::plan::metadata_path(p)])
            })
            .collect();
        products.sort();
        products.dedup();
        lines.extend(products);
        lines.extend(self.exclude.iter().cloned());
        lines.join("\n") + "\n"
    }
}

#[typetag::serde(name = "image")]
impl CodeStrategy for ImageCode {
    fn bakes_environment(&self) -> bool {
        true
    }

    fn workdir(&self, _plan: &Plan, _disk: Option<&SharedDisk>) -> String {
        self.workdir.trim_end_matches('/').to_string()
    }

    fn check(&self, plan: &Plan) -> UserResult<Vec<Warning>> {
        if !self.workdir.starts_with('/') {
            return Err(UserError::new(format!(
                "code image: workdir must be an absolute path, got '{}'",
                self.workdir
            )));
        }
        if let Some(r) = &self.repository {
            if r.is_empty() || r.contains(char::is_whitespace) || r.contains('@') {
                return Err(UserError::new(format!(
                    "code image: '{r}' is not an image repository"
                ))
                .with_hint("for example repository: registry.example.com/team/ml (the tag is set separately)"));
            }
        }
        let mut w = Vec::new();
        if self.repository.is_none() {
            w.push(Warning::new(format!(
                "code image: no repository set, the image is called {}; set repository under code so the cluster can pull it",
                self.image_name(plan)
            )));
        }
        Ok(w)
    }

    fn contribute(&self, plan: &Plan, _ctx: &TaskContext<'_>) -> Contribution {
        Contribution {
            image: Some(self.image_name(plan)),
            ..Contribution::default()
        }
    }

    fn files(
        &self,
        plan: &Plan,
        env: &dyn EnvironmentStrategy,
        rel_root: &str,
    ) -> UserResult<Vec<OutputFile>> {
        let image = self.image_name(plan);
        // the script sits in <export dir>/docker; the project root is rel_root from
        // the export dir
        let up = if rel_root.is_empty() {
            "..".to_string()
        } else {
            format!("../{rel_root}")
        };
        let script = [
            "#!/usr/bin/env bash".to_string(),
            format!(
                "# written by soopervisor {}: builds and pushes the image the spec runs",
                env!("CARGO_PKG_VERSION")
            ),
            "set -euo pipefail".into(),
            "here=$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)".into(),
            format!("root=$(cd \"$here\"/{} && pwd)", quote(&up)),
            format!(
                "docker build --file \"$here/Dockerfile\" --tag {} \"$root\"",
                quote(&image)
            ),
            format!("docker push {}", quote(&image)),
        ]
        .join("\n")
            + "\n";
        Ok(vec![
            OutputFile::support(
                format!("{DOCKER_DIR}/Dockerfile"),
                self.dockerfile(plan, env),
            ),
            OutputFile::support(
                format!("{DOCKER_DIR}/Dockerfile.dockerignore"),
                self.dockerignore(plan),
            ),
            OutputFile::script(format!("{DOCKER_DIR}/build-image.sh"), script),
        ])
    }

    fn next_steps(&self, _plan: &Plan, _target: Option<&str>, dir: &str) -> Vec<String> {
        let p = if dir.is_empty() {
            DOCKER_DIR.to_string()
        } else {
            format!("{dir}/{DOCKER_DIR}")
        };
        vec![format!(
            "bash {}   # docker build + docker push",
            quote(&format!("{p}/build-image.sh"))
        )]
    }
}

inventory::submit! {
    StrategyDescription { concern: Concern::Code, name: "image",
        summary: "a Docker image with the code baked in (Dockerfile and build script written; Docker is not needed to export)" }
}
