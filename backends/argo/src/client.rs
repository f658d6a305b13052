//! The programs the backend runs to submit, watch and stop Workflows: the `argo` CLI
//! when it is on `PATH`, else `kubectl` (both talk to the cluster of the current
//! kubeconfig context). Each operation is one [`Call`]: the program, its arguments,
//! and how its JSON output is parsed into the typed objects of [`crate::live`].

use std::path::PathBuf;

use serde::de::DeserializeOwned;
use soopervisor_core::backend::command::{run_ok, which};
use soopervisor_core::diagnostics::UserError;

/// The client programs found on `PATH` (`None` when not installed).
#[derive(Debug, Clone, Default)]
pub struct Clients {
    pub argo: Option<PathBuf>,
    pub kubectl: Option<PathBuf>,
}

/// One command to run: `argo ...` or `kubectl ...`.
#[derive(Debug, Clone)]
pub struct Call {
    /// `argo` or `kubectl`, as messages show it.
    pub name: &'static str,
    pub program: PathBuf,
    pub args: Vec<String>,
}

impl Call {
    /// Runs the command; its standard output, or an error naming the command.
    pub fn run(&self) -> anyhow::Result<String> {
        run_ok(self.name, &self.program, &self.args)
    }

    /// Runs the command and parses its output as `T`.
    pub fn json<T: DeserializeOwned>(&self) -> anyhow::Result<T> {
        let out = self.run()?;
        serde_json::from_str(&out).map_err(|e| {
            let start: String = out.trim().chars().take(200).collect();
            anyhow::anyhow!(
                "`{}` printed something that is not the JSON object expected ({e}): {start}",
                soopervisor_core::backend::command::shown(self.name, &self.args)
            )
        })
    }

    /// The command as the user would type it.
    pub fn shown(&self) -> String {
        soopervisor_core::backend::command::shown(self.name, &self.args)
    }
}

/// Neither `argo` nor `kubectl` is on `PATH`, so `what` cannot happen.
fn none_found(what: &str) -> UserError {
    UserError::new(format!(
        "neither `argo` nor `kubectl` was found on PATH, so {what}"
    ))
    .with_hint("install the argo CLI (or kubectl) configured for the cluster, or run the printed `argo` commands where it is")
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

impl Clients {
    /// Looks both programs up on `PATH`.
    pub fn from_path() -> Clients {
        Clients {
            argo: which("argo"),
            kubectl: which("kubectl"),
        }
    }

    /// The error when neither program is installed.
    pub fn require_any(&self, what: &str) -> Result<(), UserError> {
        if self.argo.is_some() || self.kubectl.is_some() {
            return Ok(());
        }
        Err(none_found(what))
    }

    /// `argo ARGO_ARGS` when `argo` is installed, else `kubectl KUBECTL_ARGS`.
    fn either(&self, argo: Vec<String>, kubectl: Vec<String>) -> Result<Call, UserError> {
        if let Some(p) = &self.argo {
            return Ok(Call {
                name: "argo",
                program: p.clone(),
                args: argo,
            });
        }
        if let Some(p) = &self.kubectl {
            return Ok(Call {
                name: "kubectl",
                program: p.clone(),
                args: kubectl,
            });
        }
        Err(none_found("the cluster cannot be asked"))
    }

    /// Creates the object in `file`: `argo submit` (a Workflow), `argo template create`
    /// or `argo cron create`, else `kubectl create -f`; the created object as JSON.
    pub fn create(&self, kind: crate::kind::Kind, ns: &str, file: &str) -> Result<Call, UserError> {
        use crate::kind::Kind;
        let verb: &[&str] = match kind {
            Kind::Workflow => &["submit"],
            Kind::Template => &["template", "create"],
            Kind::Cron => &["cron", "create"],
        };
        let mut argo = strings(verb);
        argo.extend(strings(&["-n", ns, file, "-o", "json"]));
        self.either(
            argo,
            strings(&["create", "-n", ns, "-f", file, "-o", "json"]),
        )
    }

    /// Applies the WorkflowTemplates of a split pipeline (needs `kubectl`: server-side
    /// apply creates or updates them, whatever their size).
    pub fn apply_parts(&self, ns: &str, file: &str) -> Result<Call, UserError> {
        match &self.kubectl {
            Some(p) => Ok(Call {
                name: "kubectl",
                program: p.clone(),
                args: strings(&["apply", "--server-side", "-n", ns, "-f", file, "-o", "name"]),
            }),
            None => Err(UserError::new(
                "this pipeline is split into several Workflows, whose WorkflowTemplates are applied with `kubectl apply --server-side`, and `kubectl` was not found on PATH",
            )
            .with_hint("install kubectl configured for the cluster, or raise max_tasks_per_workflow so the pipeline fits one Workflow")),
        }
    }

    /// Reads one Workflow.
    pub fn get(&self, ns: &str, name: &str) -> Result<Call, UserError> {
        self.either(
            strings(&["get", "-n", ns, name, "-o", "json"]),
            strings(&["get", "workflow", name, "-n", ns, "-o", "json"]),
        )
    }

    /// Lists the Workflows of a namespace (to find the children of a split one).
    pub fn list(&self, ns: &str) -> Result<Call, UserError> {
        self.either(
            strings(&["list", "-n", ns, "-o", "json"]),
            strings(&["get", "workflows", "-n", ns, "-o", "json"]),
        )
    }

    /// Stops a Workflow: `argo stop` (running pods finish their exit handlers), or the
    /// same through kubectl: setting `spec.shutdown` to `Stop`.
    pub fn stop(&self, ns: &str, name: &str) -> Result<Call, UserError> {
        self.either(
            strings(&["stop", "-n", ns, name]),
            strings(&[
                "patch",
                "workflow",
                name,
                "-n",
                ns,
                "--type",
                "merge",
                "-p",
                r#"{"spec":{"shutdown":"Stop"}}"#,
            ]),
        )
    }
}
