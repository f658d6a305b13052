//! Shipping pinned placeholders (`now`, `user`, `git`, ...) to the pods.
//!
//! Ploomber recomputes its default placeholders in every process, so each pod would see
//! its own `{{now}}` or `{{user}}`. A key defined in the env file wins over a default,
//! and `--env--now` does not exist for default keys, so the pods run Ploomber with
//! `PLOOMBER_ENV_FILENAME` pointing at a generated env file: the project's own env file
//! (the one Ploomber would pick) plus every pinned key the project does not define.
//! `PLOOMBER_ENV_FILENAME` must be a bare file name looked up in the working directory,
//! so the file is written, atomically and with identical content from every pod, as
//! `.soopervisor-env-<hash>.yaml` in the project folder on the shared volume. The
//! user's own files are never touched. The values travel inside the spec.

use crate::diagnostics::Warning;
use crate::output::names::short_hash;
use crate::plan::Plan;

/// Python run in the pod (after the conda env is active, so PyYAML from Ploomber is
/// importable): `argv[1]` = pinned values as JSON, `argv[2]` = output file, `argv[3..]`
/// = candidate env files in Ploomber's order. Writes via a temporary file named after
/// the pod and renames, so concurrent pods never see a partial file.
pub const WRITE_ENV_PY: &str = r#"import json, os, socket, sys, yaml
pinned, out, candidates = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3:]
data = {}
for c in candidates:
    if os.path.isfile(c):
        with open(c) as f:
            data = yaml.safe_load(f) or {}
        break
for key, value in pinned.items():
    data.setdefault(key, value)
tmp = "%s.%s.%d.tmp" % (out, socket.gethostname(), os.getpid())
with open(tmp, "w") as f:
    yaml.safe_dump(data, f, default_flow_style=False, sort_keys=False)
os.replace(tmp, out)
"#;

/// File name of the generated env file, stable for the same pinned values.
pub fn env_file_name(plan: &Plan) -> String {
    let json = serde_json::to_string(&plan.pinned_placeholders).unwrap_or_default();
    format!(".soopervisor-env-{}.yaml", short_hash(&json, 8))
}

/// The env files Ploomber would consider for `entry_point`, in its order, relative to
/// the project root (the pods' working directory): `env.<name>.yaml` for a
/// `pipeline.<name>.yaml` spec, then `env.yaml`; each in the working directory first,
/// then in the spec's folder.
pub fn env_candidates(entry_point: &str) -> Vec<String> {
    let (dir, file) = match entry_point.rsplit_once('/') {
        Some((d, f)) => (Some(d), f),
        None => (None, entry_point),
    };
    let parts: Vec<&str> = file.split('.').collect();
    let mut names = Vec::new();
    if parts.len() >= 3 {
        names.push(format!("env.{}.yaml", parts[1]));
    }
    names.push("env.yaml".to_string());
    let mut out = Vec::new();
    for n in names {
        out.push(n.clone());
        if let Some(d) = dir {
            out.push(format!("{d}/{n}"));
        }
    }
    out
}

/// Warnings about pinned values that cannot mean the same thing inside a pod.
pub fn warnings(plan: &Plan) -> Vec<Warning> {
    plan.pinned_placeholders
        .keys()
        .filter(|k| matches!(k.as_str(), "cwd" | "here" | "root"))
        .map(|k| {
            Warning::new(format!(
                "placeholder {{{{{k}}}}} is pinned to a path of this machine; pods will see that path, \
                 not their own folder on the volume"
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_follow_ploomber_order() {
        assert_eq!(env_candidates("pipeline.yaml"), vec!["env.yaml"]);
        assert_eq!(
            env_candidates("pipeline.serve.yaml"),
            vec!["env.serve.yaml", "env.yaml"]
        );
        assert_eq!(
            env_candidates("src/pkg/pipeline.yaml"),
            vec!["env.yaml", "src/pkg/env.yaml"]
        );
    }
}
