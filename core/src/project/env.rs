//! `env.yaml`: which env file applies (§4.1), its validation and expansion (§4.2, §4.3),
//! and the final env mapping (defaults + file keys) that the spec is rendered with.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::{UserError, UserResult};

use super::cast::cast_node;
use super::defaults;
use super::placeholders::{has_jinja, Renderer};
use super::yaml::{self, Node, Value};

/// The expanded env a spec is rendered with.
#[derive(Debug, Clone)]
pub struct Env {
    /// The env file used, if any.
    pub file: Option<PathBuf>,
    /// Defaults + file keys, expanded; a mapping node.
    pub values: Node,
    /// Keys defined by the env file (for the "declared but unused" warning).
    pub file_keys: Vec<String>,
    /// Values of the default placeholders (for pinning machine-dependent ones).
    pub defaults: BTreeMap<String, String>,
}

/// Everything env construction needs to know about the spec.
pub struct EnvRequest<'a> {
    /// The spec file.
    pub spec_path: &'a Path,
    /// The process working directory (first place env files are looked up).
    pub cwd: &'a Path,
    /// The project root, when one can be found (`{{root}}`).
    pub root: Option<&'a Path>,
    /// True when `git`/`git_hash` may be needed (the texts mention them).
    pub wants_git: bool,
}

/// Picks the env file for a spec (§4.1): `PLOOMBER_ENV_FILENAME`, else
/// `env.<name>.yaml` for `pipeline.<name>.yaml`, else `env.yaml`; each looked up in the
/// working directory, then the spec's folder.
pub fn find_env_file(spec_path: &Path, cwd: &Path) -> UserResult<Option<PathBuf>> {
    let spec_dir = spec_path.parent().unwrap_or(Path::new("."));
    if let Ok(name) = std::env::var("PLOOMBER_ENV_FILENAME") {
        if name.contains('/') || name.contains(std::path::MAIN_SEPARATOR) {
            return Err(UserError::new(format!(
                "PLOOMBER_ENV_FILENAME must be a filename, not a path, got '{name}'"
            ))
            .with_hint("set it to a bare file name such as env.prod.yaml"));
        }
        for dir in [cwd, spec_dir] {
            let candidate = dir.join(&name);
            if candidate.is_file() {
                return Ok(Some(candidate));
            }
        }
        return Err(UserError::new(format!(
            "PLOOMBER_ENV_FILENAME is '{name}' but no such file exists in {} or {}",
            cwd.display(),
            spec_dir.display()
        ))
        .with_hint("create the file or unset PLOOMBER_ENV_FILENAME"));
    }
    let file_name = spec_path.file_name().and_then(|s| s.to_str()).unwrap_or("");
    let parts: Vec<&str> = file_name.split('.').collect();
    let mut candidates = Vec::new();
    if parts.len() >= 3 {
        candidates.push(format!("env.{}", parts[1]));
    }
    candidates.push("env".to_string());
    for stem in &candidates {
        for dir in [cwd, spec_dir] {
            let candidate = dir.join(format!("{stem}.yaml"));
            if candidate.is_file() {
                return Ok(Some(candidate));
            }
        }
    }
    for stem in &candidates {
        for dir in [cwd, spec_dir] {
            let candidate = dir.join(format!("{stem}.yml"));
            if candidate.is_file() {
                return Err(UserError::new(
                    "found env file ends with .yml. Change the extension to .yaml.",
                )
                .in_file(&candidate)
                .with_hint(format!(
                    "rename it to {stem}.yaml: Ploomber only reads .yaml env files"
                )));
            }
        }
    }
    Ok(None)
}

fn read_yaml(path: &Path) -> UserResult<Node> {
    let text = super::read_text(path)?;
    yaml::parse(&text).map_err(|e| {
        let mut err = UserError::new(format!("invalid YAML: {}", e.message))
            .in_file(path)
            .at_line(e.line);
        if e.syntax && text.contains("{{") {
            err = err.with_hint(
                "values with placeholders must be quoted, e.g. key: \"{{placeholder}}/x\"",
            );
        }
        err
    })
}

/// Reads an env file: a mapping, with `meta.import_from` merged in (§4.2).
fn load_env_file(path: &Path, depth: usize) -> UserResult<Node> {
    let node = read_yaml(path)?;
    let mut node = match node.value {
        Value::Map(_) => node,
        Value::Null => Node::new(Value::Map(Vec::new()), 1),
        _ => {
            return Err(UserError::new(format!(
                "expected the env file to contain a mapping of keys to values, got a {}",
                node.type_name()
            ))
            .in_file(path)
            .at_line(node.line))
        }
    };
    validate_keys(&node, path, true)?;
    let Value::Map(entries) = &mut node.value else {
        unreachable!()
    };
    if let Some(pos) = entries.iter().position(|(k, _)| k.as_str() == Some("meta")) {
        let (_, meta) = entries.remove(pos);
        let Some(meta_entries) = meta.as_map() else {
            return Err(UserError::new("'meta' in an env file must be a mapping")
                .in_file(path)
                .at_line(meta.line));
        };
        for (k, v) in meta_entries {
            if k.as_str() != Some("import_from") {
                return Err(UserError::new(format!(
                    "invalid key 'meta.{}' in the env file; only 'meta.import_from' is allowed",
                    k.value.python_str()
                ))
                .in_file(path)
                .at_line(k.line));
            }
            let Some(rel) = v.as_str() else {
                return Err(UserError::new("'meta.import_from' must be a path")
                    .in_file(path)
                    .at_line(v.line));
            };
            if depth > 10 {
                return Err(UserError::new("env files import each other in a loop")
                    .in_file(path)
                    .at_line(v.line));
            }
            let base_path = path.parent().unwrap_or(Path::new(".")).join(rel);
            let base = load_env_file(&base_path, depth + 1)?;
            *entries = deep_merge(base, Node::new(Value::Map(std::mem::take(entries)), 1))
                .value
                .into_map();
        }
    }
    Ok(node)
}

impl Value {
    fn into_map(self) -> Vec<(Node, Node)> {
        match self {
            Value::Map(m) => m,
            _ => Vec::new(),
        }
    }
}

/// `overlay` over `base`, recursively for mappings.
fn deep_merge(base: Node, overlay: Node) -> Node {
    match (base.value, overlay.value) {
        (Value::Map(mut b), Value::Map(o)) => {
            for (k, v) in o {
                if let Some(pos) = b.iter().position(|(bk, _)| bk.value == k.value) {
                    let (bk, bv) = b.remove(pos);
                    b.insert(pos, (bk, deep_merge(bv, v)));
                } else {
                    b.push((k, v));
                }
            }
            Node::new(Value::Map(b), base.line)
        }
        (_, o) => Node::new(o, overlay.line),
    }
}

/// No key may contain `__`; top-level keys may not start with `_` except `_module`.
fn validate_keys(node: &Node, path: &Path, top: bool) -> UserResult<()> {
    if let Value::Map(entries) = &node.value {
        for (k, v) in entries {
            let key = k.value.python_str();
            if key.contains("__") {
                return Err(UserError::new(format!(
                    "keys in the env cannot contain '__', got '{key}'"
                ))
                .in_file(path)
                .at_line(k.line)
                .with_hint("rename the key (use a single underscore)"));
            }
            if top && key.starts_with('_') && key != "_module" {
                return Err(UserError::new(format!(
                    "top-level keys in the env cannot start with '_' (except '_module'), got '{key}'"
                ))
                .in_file(path)
                .at_line(k.line));
            }
            validate_keys(v, path, false)?;
        }
    }
    Ok(())
}

fn str_node(s: &str) -> Node {
    Node::new(Value::Str(s.to_string()), 0)
}

/// Builds the env for a spec: defaults, then the env file's keys expanded top to bottom.
pub fn build(req: &EnvRequest) -> UserResult<Env> {
    let here = req
        .spec_path
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let file = find_env_file(req.spec_path, req.cwd)?;
    let mut defaults_map = BTreeMap::new();
    defaults_map.insert("user".to_string(), defaults::user());
    defaults_map.insert("cwd".to_string(), req.cwd.display().to_string());
    defaults_map.insert("now".to_string(), defaults::now());
    defaults_map.insert("here".to_string(), here.display().to_string());
    if let Some(root) = req.root {
        defaults_map.insert("root".to_string(), root.display().to_string());
    }
    let env_mentions_git = file
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .is_some_and(|t| t.contains("git"));
    if req.wants_git || env_mentions_git {
        if let Some((branch, hash)) = defaults::git_values(&here) {
            defaults_map.insert("git".to_string(), branch);
            defaults_map.insert("git_hash".to_string(), hash);
        }
    }

    let file_node = match &file {
        Some(path) => Some(load_env_file(path, 0)?),
        None => None,
    };
    let file_entries: Vec<(Node, Node)> = file_node.map(|n| n.value.into_map()).unwrap_or_default();
    let file_keys: Vec<String> = file_entries
        .iter()
        .map(|(k, _)| k.value.python_str())
        .collect();

    // Defaults the user did not override come first (user keys win).
    let mut expanded: Vec<(Node, Node)> = defaults_map
        .iter()
        .filter(|(k, _)| !file_keys.contains(k))
        .map(|(k, v)| (str_node(k), str_node(v)))
        .collect();

    if let Some(path) = &file {
        let process_env: Vec<(Node, Node)> = std::env::vars()
            .map(|(k, v)| (str_node(&k), str_node(&v)))
            .collect();
        for (key, mut value) in file_entries {
            let name = key.value.python_str();
            if value_has_jinja(&value) {
                let mut ctx = expanded.clone();
                ctx.push((
                    str_node("env"),
                    Node::new(Value::Map(process_env.clone()), 0),
                ));
                let renderer = Renderer::new(&Node::new(Value::Map(ctx), 0));
                renderer.render_node(&mut value, path).map_err(|e| {
                    if let Some(missing) = e.message.strip_prefix("undefined placeholder") {
                        let first = missing
                            .split("{{")
                            .nth(1)
                            .and_then(|s| s.split("}}").next())
                            .unwrap_or("");
                        UserError {
                            message: format!(
                                "Error resolving env: Undeclared value for placeholder '{first}' (in the value of '{name}')"
                            ),
                            hint: Some(
                                "an env value may only use default placeholders and keys defined above it".into(),
                            ),
                            ..e
                        }
                    } else {
                        e
                    }
                })?;
            }
            if name == "path" {
                expand_user_paths(&mut value);
            } else {
                cast_node(&mut value);
            }
            expanded.push((key, value));
        }
    }
    Ok(Env {
        file,
        values: Node::new(Value::Map(expanded), 1),
        file_keys,
        defaults: defaults_map,
    })
}

fn value_has_jinja(node: &Node) -> bool {
    match &node.value {
        Value::Str(s) => has_jinja(s),
        Value::Seq(items) => items.iter().any(value_has_jinja),
        Value::Map(entries) => entries.iter().any(|(_, v)| value_has_jinja(v)),
        _ => false,
    }
}

/// Values under `path:` are filesystem paths: `~` expands to the home folder. (Ploomber
/// also creates folders for values ending in `/`; we never write into the project.)
fn expand_user_paths(node: &mut Node) {
    match &mut node.value {
        Value::Str(s) => {
            if let Some(rest) = s.strip_prefix('~') {
                if rest.is_empty() || rest.starts_with('/') {
                    if let Ok(home) = std::env::var("HOME") {
                        *s = format!("{home}{rest}");
                    }
                }
            }
        }
        Value::Map(entries) => entries.iter_mut().for_each(|(_, v)| expand_user_paths(v)),
        Value::Seq(items) => items.iter_mut().for_each(expand_user_paths),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_for(files: &[(&str, &str)], spec: &str) -> UserResult<Env> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let spec_path = dir.path().join(spec);
        std::fs::write(&spec_path, "tasks: []").unwrap();
        let env = build(&EnvRequest {
            spec_path: &spec_path,
            cwd: dir.path(),
            root: Some(dir.path()),
            wants_git: false,
        });
        drop(dir);
        env
    }

    #[test]
    fn keys_refer_to_earlier_keys_and_values_are_cast() {
        let env = env_for(
            &[("env.yaml", "a: '1'\nb: '{{a}}0'\nn: {c: x}\n")],
            "pipeline.yaml",
        )
        .unwrap();
        assert_eq!(env.values.get("a").unwrap().value, Value::Int(1));
        assert_eq!(env.values.get("b").unwrap().value, Value::Int(10));
        assert_eq!(
            env.values.get("n").unwrap().get("c").unwrap().value,
            Value::Str("x".into())
        );
    }

    #[test]
    fn later_keys_are_not_visible() {
        let err = env_for(&[("env.yaml", "b: '{{a}}'\na: 1\n")], "pipeline.yaml").unwrap_err();
        assert!(
            err.message.contains("Undeclared value for placeholder 'a'")
                && err.message.contains("'b'"),
            "{}",
            err.message
        );
    }

    #[test]
    fn user_keys_override_defaults() {
        let env = env_for(&[("env.yaml", "user: alice\n")], "pipeline.yaml").unwrap();
        assert_eq!(
            env.values.get("user").unwrap().value,
            Value::Str("alice".into())
        );
        assert_eq!(
            env.values
                .as_map()
                .unwrap()
                .iter()
                .filter(|(k, _)| k.as_str() == Some("user"))
                .count(),
            1
        );
    }

    #[test]
    fn named_spec_prefers_named_env() {
        let env = env_for(
            &[("env.yaml", "a: 1\n"), ("env.serve.yaml", "a: 2\n")],
            "pipeline.serve.yaml",
        )
        .unwrap();
        assert_eq!(env.values.get("a").unwrap().value, Value::Int(2));
        let env = env_for(&[("env.yaml", "a: 1\n")], "pipeline-features.yaml").unwrap();
        assert_eq!(env.values.get("a").unwrap().value, Value::Int(1));
    }

    #[test]
    fn yml_env_is_an_error() {
        let err = env_for(&[("env.yml", "a: 1\n")], "pipeline.yaml").unwrap_err();
        assert!(err.hint.unwrap().contains("env.yaml"));
    }

    #[test]
    fn double_underscore_keys_are_refused() {
        let err = env_for(&[("env.yaml", "a__b: 1\n")], "pipeline.yaml").unwrap_err();
        assert!(err.message.contains("__"));
        assert_eq!(err.line, Some(1));
    }

    #[test]
    fn import_from_merges() {
        let env = env_for(
            &[
                ("base.yaml", "a: 1\nn: {x: 1, y: 2}\n"),
                ("env.yaml", "meta: {import_from: base.yaml}\nn: {y: 3}\n"),
            ],
            "pipeline.yaml",
        )
        .unwrap();
        assert_eq!(env.values.get("a").unwrap().value, Value::Int(1));
        assert_eq!(
            env.values.get("n").unwrap().get("x").unwrap().value,
            Value::Int(1)
        );
        assert_eq!(
            env.values.get("n").unwrap().get("y").unwrap().value,
            Value::Int(3)
        );
    }

    #[test]
    fn git_placeholders_used_only_in_env_yaml_are_available() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            std::process::Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        };
        if !git(&["init", "-q", "-b", "feature-x"]) {
            eprintln!("git is not installed: skipping");
            return;
        }
        std::fs::write(dir.path().join("env.yaml"), "version: '{{git}}'\n").unwrap();
        let spec = dir.path().join("pipeline.yaml");
        std::fs::write(&spec, "tasks: []").unwrap();
        assert!(git(&["add", "."]));
        assert!(git(&[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qm",
            "init"
        ]));
        let env = build(&EnvRequest {
            spec_path: &spec,
            cwd: dir.path(),
            root: Some(dir.path()),
            wants_git: false,
        })
        .unwrap();
        assert_eq!(
            env.values.get("version").unwrap().value,
            Value::Str("feature-x".into())
        );
    }
}
