//! Secret hygiene: literal values that look like credentials (an AWS key, a token, a
//! password) in a target's `env` settings or in the project's env file, both of which
//! reach the engine in plain text (the spec, the job scripts, the code shipped to the
//! pods). Each finding is a warning naming the variable and showing the
//! secret-reference form; values are never printed.

use std::path::Path;

use crate::diagnostics::Warning;
use crate::project::yaml::{self, Node, Value};

use super::resolve::Settings;
use super::EnvValue;

/// Name parts that say a value is a credential.
const SECRET_NAMES: [&str; 9] = [
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
];

/// Why `value` (under the name `name`) looks like a credential, or `None`.
pub fn looks_like_credential(name: &str, value: &str) -> Option<&'static str> {
    let v = value.trim();
    if v.is_empty() || v.starts_with('$') || v.contains("{{") {
        return None;
    }
    let upper_alnum = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    };
    if v.len() == 20 && (v.starts_with("AKIA") || v.starts_with("ASIA")) && upper_alnum(v) {
        return Some("it has the shape of an AWS access key id");
    }
    if ["ghp_", "gho_", "ghu_", "ghs_", "github_pat_"]
        .iter()
        .any(|p| v.starts_with(p))
    {
        return Some("it has the shape of a GitHub token");
    }
    if ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"]
        .iter()
        .any(|p| v.starts_with(p))
    {
        return Some("it has the shape of a Slack token");
    }
    if v.contains("PRIVATE KEY-----") {
        return Some("it holds a private key");
    }
    if v.starts_with("eyJ") && v.matches('.').count() == 2 && !v.contains(' ') {
        return Some("it has the shape of a JSON Web Token");
    }
    let n = name.to_ascii_uppercase();
    if SECRET_NAMES.iter().any(|s| n.contains(s)) {
        return Some("its name says it is a credential");
    }
    None
}

/// The secret-reference form to show instead of a literal `name`.
fn reference_form(name: &str) -> String {
    format!(
        "{name}: {{secret: {}, key: {}}}",
        name.to_ascii_lowercase().replace('_', "-"),
        name.to_ascii_lowercase()
    )
}

/// Warnings for credential-like literals in the resolved `env` settings, one per
/// variable (at the line that set it).
pub fn settings_warnings(settings: &Settings) -> Vec<Warning> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (i, group) in settings.groups().iter().enumerate() {
        let task = settings.first_task_of(i);
        for (name, value) in &group.env {
            let EnvValue::Literal(v) = value else {
                continue;
            };
            let Some(why) = looks_like_credential(name, v) else {
                continue;
            };
            if !seen.insert(name.clone()) {
                continue;
            }
            let e = settings.refusal(task, "env", "");
            let mut w = Warning::new(format!(
                "env '{name}' is a literal that looks like a credential ({why}): it would be written in plain text into the exported files. Keep it in the engine's secret store and reference it: {}",
                reference_form(name)
            ));
            if let Some(f) = e.file {
                w = w.in_file(f);
            }
            if let Some(l) = e.line {
                w = w.at_line(l);
            }
            out.push(w);
        }
    }
    out
}

/// Warnings for credential-like values in the project's env file (`env.yaml`), which
/// travels with the code to every pod or job.
pub fn env_file_warnings(file: &Path) -> Vec<Warning> {
    let Ok(text) = std::fs::read_to_string(file) else {
        return Vec::new();
    };
    let Ok(doc) = yaml::parse(&text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk(&doc, "", file, &mut out);
    out
}

fn walk(node: &Node, path: &str, file: &Path, out: &mut Vec<Warning>) {
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                let key = k.value.python_str();
                let p = if path.is_empty() {
                    key
                } else {
                    format!("{path}.{key}")
                };
                walk(v, &p, file, out);
            }
        }
        Value::Str(s) => {
            let last = path.rsplit('.').next().unwrap_or(path);
            if let Some(why) = looks_like_credential(last, s) {
                out.push(
                    Warning::new(format!(
                        "'{path}' in the env file looks like a credential ({why}), and the env file travels with the code to every pod or job. Keep it out of the env file: reference a secret in the target's settings ({}) and read it from the environment in the task",
                        reference_form(&last.to_ascii_uppercase())
                    ))
                    .in_file(file)
                    .at_line(node.line),
                );
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_recognised_by_shape_and_by_name() {
        assert!(looks_like_credential("X", "AKIAABCDEFGHIJKLMNOP").is_some());
        assert!(looks_like_credential("X", "ghp_abc123").is_some());
        assert!(looks_like_credential("DB_PASSWORD", "hunter2").is_some());
        assert!(looks_like_credential("api_token", "abc").is_some());
        assert!(looks_like_credential("LOG_LEVEL", "debug").is_none());
        assert!(looks_like_credential("DB_PASSWORD", "").is_none());
        assert!(looks_like_credential("DB_PASSWORD", "$DB_PASSWORD").is_none());
        assert!(looks_like_credential("AUTHOR", "ana").is_none());
    }

    #[test]
    fn env_file_findings_name_the_key_and_line_never_the_value() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("env.yaml");
        std::fs::write(&f, "sample: true\ndb:\n  password: hunter2\n").unwrap();
        let w = env_file_warnings(&f);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].line, Some(3));
        assert!(w[0].message.contains("'db.password'"));
        assert!(!w[0].message.contains("hunter2"));
    }
}
