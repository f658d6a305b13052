//! The bash script every task pod runs (the `run-task` template's `source`), built line
//! by line with every value shell-quoted. The task name never appears in the script:
//! Argo substitutes `{{inputs.parameters.task_name}}` into the container's
//! `PLOOMBER_TASK` environment variable, and the script only ever uses
//! `"$PLOOMBER_TASK"`, so quotes, `$(...)` or backticks in a name stay inert.
//!
//! Conda: each pod has its own container filesystem, so the environment is created
//! inside the pod (unless the image already has it) and concurrent pods never share a
//! conda prefix: no lock is needed. The only shared-disk writes besides the tasks'
//! products are the optional pinned env file (see [`crate::pinned`]) and, for packaged
//! projects, pip's in-tree build, which is serialised with `flock` when available.

use soopervisor_core::output::shell::quote;
use soopervisor_core::plan::{CondaEnvironment, Plan};

/// Environment variable that carries the exact Ploomber task name into the pod.
pub const TASK_ENV: &str = "PLOOMBER_TASK";

/// What the script needs besides the plan.
pub struct ScriptInputs<'a> {
    pub plan: &'a Plan,
    pub conda: &'a CondaEnvironment,
    pub entry_point: &'a str,
}

/// The pod script, ending with a newline.
pub fn pod_script(inp: &ScriptInputs<'_>) -> String {
    let env = quote(&inp.conda.name);
    let mut lines: Vec<String> = vec![
        "set -euo pipefail".into(),
        format!(
            "# soopervisor {}: run one Ploomber task in this pod",
            env!("CARGO_PKG_VERSION")
        ),
        "# conda's activation scripts read unset variables".into(),
        "set +u".into(),
        "eval \"$(conda shell.bash hook)\"".into(),
        format!("if ! conda activate {env} 2>/dev/null; then"),
        format!(
            "  conda env create --file {} --name {env}",
            quote(&inp.conda.file)
        ),
        format!("  conda activate {env}"),
        "fi".into(),
        "set -u".into(),
        "python -c 'import ploomber' 2>/dev/null || pip install ploomber".into(),
    ];
    if inp.plan.project.is_package {
        lines.extend([
            "# install the project; pip builds in the shared folder, one pod at a time".into(),
            "if command -v flock >/dev/null 2>&1; then".into(),
            "  flock .soopervisor-pip.lock pip install --no-deps .".into(),
            "else".into(),
            "  pip install --no-deps .".into(),
            "fi".into(),
        ]);
    }
    if !inp.plan.pinned_placeholders.is_empty() {
        let file = crate::pinned::env_file_name(inp.plan);
        let json = serde_json::to_string(&inp.plan.pinned_placeholders).unwrap_or_default();
        let mut cmd = vec![
            "python".to_string(),
            "-c".to_string(),
            crate::pinned::WRITE_ENV_PY.to_string(),
            json,
            file.clone(),
        ];
        cmd.extend(crate::pinned::env_candidates(inp.entry_point));
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
        lines.push(soopervisor_core::output::shell::join(&cmd));
        lines.push(format!("export PLOOMBER_ENV_FILENAME={}", quote(&file)));
    }
    lines.push(format!("exec {}", task_command(inp)));
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
