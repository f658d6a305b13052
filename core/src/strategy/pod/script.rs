//! The bash script every task container runs (Argo: the script template's `source`), built from
//! the strategies' setup steps in phase order (fetch code → environment → install the
//! project → pinned placeholders → fetch inputs → `ploomber task` → upload products),
//! with every value shell-quoted by its author. The task name never appears in the
//! script: the backend puts it in the container's `PLOOMBER_TASK` environment variable
//! (Argo substitutes `{{inputs.parameters.task_name}}` there), and the script only ever uses
//! `"$PLOOMBER_TASK"`, so quotes, `$(...)` or backticks in a name stay inert.
//!
//! Conda: each pod has its own container filesystem, so the environment is created
//! inside the pod (unless the image already has it) and concurrent pods never share a
//! conda prefix: no lock is needed. The only shared-disk writes besides the tasks'
//! products are the optional pinned env file (see [`super::pinned`]) and, for packaged
//! projects, pip's in-tree build, which is serialised with `flock` when available.

use crate::output::shell::quote;
use crate::plan::Plan;
use crate::strategy::{Contribution, Phase, SetupStep};

/// Environment variable that carries the exact Ploomber task name into the pod.
pub const TASK_ENV: &str = "PLOOMBER_TASK";

/// What the script needs: the plan, one task's merged contribution and the entry
/// point as the pod sees it. Built with [`ScriptInputs::new`].
#[non_exhaustive]
pub struct ScriptInputs<'a> {
    /// The plan (mode, pinned placeholders).
    pub plan: &'a Plan,
    /// The strategies' merged contribution for the task (or for every task).
    pub contribution: &'a Contribution,
    /// The spec path passed to `ploomber task --entry-point`.
    pub entry_point: &'a str,
}

impl<'a> ScriptInputs<'a> {
    /// The inputs for one task's (or every task's) script.
    pub fn new(plan: &'a Plan, contribution: &'a Contribution, entry_point: &'a str) -> Self {
        ScriptInputs {
            plan,
            contribution,
            entry_point,
        }
    }
}

fn push_step(lines: &mut Vec<String>, step: &SetupStep) {
    lines.push(format!("# {}", step.description));
    lines.extend(step.shell_lines.iter().cloned());
}

/// The pod script, ending with a newline. The backend sets [`TASK_ENV`] to the task's
/// exact name in the container; the script never contains the name itself.
///
/// ```
/// use soopervisor_core::plan::{Mode, Plan, PlannedTask, ProjectInfo};
/// use soopervisor_core::strategy::pod::{pod_script, ScriptInputs, TASK_ENV};
/// use soopervisor_core::strategy::{Choice, CodeStrategy, Composer, EnvironmentStrategy, StorageStrategy, Strategies};
///
/// let plan = Plan::new(
///     ProjectInfo::new("/work/shop", "pipeline.yaml").with_pip_requirements("requirements.txt"),
///     Mode::Regular,
///     vec![PlannedTask::new("load; rm -rf /", "PythonCallable")],
/// );
/// let storage = Choice::<dyn StorageStrategy>::named("nfs").unwrap();
/// let code = Choice::<dyn CodeStrategy>::named("shared-disk").unwrap();
/// let env = Choice::<dyn EnvironmentStrategy>::named("pip").unwrap();
/// let strategies = Strategies::new(&*storage, &*code, &*env);
/// let composer = Composer::new(strategies, &plan, strategies.disk(&plan));
/// let contribution = composer.task(&plan.tasks[0]);
/// let script = pod_script(&ScriptInputs::new(&plan, &contribution, "pipeline.yaml"));
/// assert!(script.starts_with("set -euo pipefail\n"));
/// // regular mode: Ploomber's `ploomber task` loading, skipping an up-to-date task
/// assert!(script.contains(&format!("' \"${TASK_ENV}\" --entry-point pipeline.yaml")));
/// assert!(!script.contains("rm -rf"));
/// ```
pub fn pod_script(inp: &ScriptInputs<'_>) -> String {
    let mut lines: Vec<String> = vec![
        "set -euo pipefail".into(),
        format!(
            "# soopervisor {}: run one Ploomber task in this pod",
            env!("CARGO_PKG_VERSION")
        ),
    ];
    let steps = inp.contribution.ordered_setup();
    let (before, after): (Vec<&SetupStep>, Vec<&SetupStep>) = steps
        .into_iter()
        .partition(|s| s.phase != Phase::UploadProducts);
    let (setup, fetch): (Vec<&SetupStep>, Vec<&SetupStep>) = before
        .into_iter()
        .partition(|s| s.phase < Phase::FetchInputs);
    for s in setup {
        push_step(&mut lines, s);
    }
    if !inp.plan.pinned_placeholders.is_empty() {
        let file = super::pinned::env_file_name(inp.plan);
        let json = serde_json::to_string(&inp.plan.pinned_placeholders).unwrap_or_default();
        let mut cmd = vec![
            "python".to_string(),
            "-c".to_string(),
            super::pinned::WRITE_ENV_PY.to_string(),
            json,
            file.clone(),
        ];
        cmd.extend(super::pinned::env_candidates(inp.entry_point));
        let keys: Vec<&str> = inp
            .plan
            .pinned_placeholders
            .keys()
            .map(String::as_str)
            .collect();
        lines.push(format!(
            "# pin placeholders to their export-time values: {}",
            keys.join(", ")
        ));
        lines.push(crate::output::shell::join(&cmd));
        lines.push(format!("export PLOOMBER_ENV_FILENAME={}", quote(&file)));
    }
    for s in fetch {
        push_step(&mut lines, s);
    }
    if after.is_empty() {
        lines.push(format!("exec {}", task_command(inp)));
    } else {
        lines.push(task_command(inp));
        for s in after {
            push_step(&mut lines, s);
        }
    }
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

/// `ploomber task "$PLOOMBER_TASK" --entry-point EP [--force]`, from the plan's command.
fn task_command(inp: &ScriptInputs<'_>) -> String {
    // a sentinel that cannot be a real name stands for the task
    const SENTINEL: &str = "\u{0}task\u{0}";
    let cmd = inp.plan.task_command(SENTINEL);
    let mut words = Vec::with_capacity(cmd.len());
    let mut after_entry_point = false;
    for w in &cmd {
        if w == SENTINEL {
            words.push(format!("\"${TASK_ENV}\""));
        } else if after_entry_point {
            words.push(quote(inp.entry_point));
        } else {
            words.push(quote(w));
        }
        after_entry_point = w == "--entry-point";
    }
    words.join(" ")
}
