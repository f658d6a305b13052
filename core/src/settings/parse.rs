//! Reads the `defaults:` and `tasks:` keys of a `soopervisor.yaml` section into a
//! [`SettingsSpec`]: every value checked and converted once (units, names, shapes),
//! every error a [`UserError`] at the line of the offending value. Nothing here knows
//! the pipeline's tasks; [`super::resolve`](mod@super::resolve) matches the patterns.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::diagnostics::{pretty_list, UserError, UserResult};
use crate::project::yaml::{self, Node, Value};

use super::{units, EnvValue, Gpu, Priority, TaskSettings, Toleration, KEYS};

/// One key's value, converted.
#[derive(Debug, Clone, PartialEq)]
enum Field {
    Cpu(u64),
    Memory(u64),
    Gpu(Gpu),
    Retries(u32),
    RetryBackoff(Duration),
    Timeout(Duration),
    NodeSelector(BTreeMap<String, String>),
    Tolerations(Vec<Toleration>),
    Env(BTreeMap<String, EnvValue>),
    Labels(BTreeMap<String, String>),
    Annotations(BTreeMap<String, String>),
    Priority(Priority),
    Queue(String),
    Partition(String),
    /// `key: null`: drop the default.
    Unset,
}

/// The keys of one block (`defaults`, or one pattern), with their lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Block {
    entries: Vec<(&'static str, usize, Field)>,
}

impl Block {
    /// Sets this block's keys on `settings` (in file order; a later key wins).
    pub fn apply(&self, settings: &mut TaskSettings) {
        for (key, _, field) in &self.entries {
            apply(settings, key, field);
        }
    }

    /// The line of each key set in this block.
    pub fn lines(&self) -> impl Iterator<Item = (&'static str, usize)> + '_ {
        self.entries.iter().map(|(k, l, _)| (*k, *l))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn apply(s: &mut TaskSettings, key: &str, field: &Field) {
    match field {
        Field::Cpu(v) => s.cpu_millis = Some(*v),
        Field::Memory(v) => s.memory_bytes = Some(*v),
        Field::Gpu(v) => s.gpu = Some(v.clone()),
        Field::Retries(v) => s.retries = Some(*v),
        Field::RetryBackoff(v) => s.retry_backoff = Some(*v),
        Field::Timeout(v) => s.timeout = Some(*v),
        Field::NodeSelector(v) => s.node_selector = v.clone(),
        Field::Tolerations(v) => s.tolerations = v.clone(),
        Field::Env(v) => s.env = v.clone(),
        Field::Labels(v) => s.labels = v.clone(),
        Field::Annotations(v) => s.annotations = v.clone(),
        Field::Priority(v) => s.priority = Some(v.clone()),
        Field::Queue(v) => s.queue = Some(v.clone()),
        Field::Partition(v) => s.partition = Some(v.clone()),
        Field::Unset => match key {
            "cpu" => s.cpu_millis = None,
            "memory" => s.memory_bytes = None,
            "gpu" => s.gpu = None,
            "retries" => s.retries = None,
            "retry_backoff" => s.retry_backoff = None,
            "timeout" => s.timeout = None,
            "node_selector" => s.node_selector.clear(),
            "tolerations" => s.tolerations.clear(),
            "env" => s.env.clear(),
            "labels" => s.labels.clear(),
            "annotations" => s.annotations.clear(),
            "priority" => s.priority = None,
            "queue" => s.queue = None,
            "partition" => s.partition = None,
            _ => unreachable!("every key of KEYS is handled"),
        },
    }
}

/// One `tasks:` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternBlock {
    /// The pattern as written.
    pub pattern: String,
    /// Its line in `soopervisor.yaml`.
    pub line: usize,
    pub block: Block,
}

/// `defaults` and `tasks` of one section, validated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SettingsSpec {
    /// The file they come from (errors and refusals name it).
    pub file: Option<PathBuf>,
    pub defaults: Block,
    /// Patterns in file order (the first match wins).
    pub patterns: Vec<PatternBlock>,
}

impl SettingsSpec {
    /// Nothing configured.
    pub fn is_empty(&self) -> bool {
        self.defaults.is_empty() && self.patterns.is_empty()
    }

    /// Reads the settings of section `target` of a whole `soopervisor.yaml` text (for
    /// tests and for callers that hold the text).
    pub fn from_yaml(text: &str, target: &str, file: &Path) -> UserResult<SettingsSpec> {
        let root = yaml::parse(text)
            .map_err(|e| UserError::new(e.message).in_file(file).at_line(e.line))?;
        match root.get(target) {
            Some(section) => parse(section, file),
            None => Ok(SettingsSpec::default()),
        }
    }
}

/// The section keys this module owns (stripped before the backend reads its section).
pub const SECTION_KEYS: [&str; 2] = ["defaults", "tasks"];

/// Reads `defaults` and `tasks` from a target's section node.
pub fn parse(section: &Node, file: &Path) -> UserResult<SettingsSpec> {
    let err = |line: usize, msg: String| UserError::new(msg).in_file(file).at_line(line);
    let mut spec = SettingsSpec {
        file: Some(file.to_path_buf()),
        ..SettingsSpec::default()
    };
    if let Some(d) = section.get("defaults") {
        if !d.is_null() {
            spec.defaults = block(d, "defaults", file)?;
        }
    }
    if let Some(t) = section.get("tasks") {
        match &t.value {
            Value::Null => {}
            Value::Map(entries) => {
                for (k, v) in entries {
                    let pattern = match &k.value {
                        Value::Str(s) if !s.is_empty() => s.clone(),
                        _ => {
                            return Err(err(
                                k.line,
                                format!(
                                    "a key of 'tasks' must be a task name or pattern, not {}",
                                    k.value.python_str()
                                ),
                            )
                            .with_hint(
                                "quote patterns with special characters: \"fit-*\": {cpu: 2}",
                            ))
                        }
                    };
                    let block = if v.is_null() {
                        Block::default()
                    } else {
                        block(v, &format!("tasks.\"{pattern}\""), file)?
                    };
                    spec.patterns.push(PatternBlock {
                        pattern,
                        line: k.line,
                        block,
                    });
                }
            }
            _ => {
                return Err(err(
                    t.line,
                    format!(
                        "'tasks' must map task name patterns to settings, not a {}",
                        t.type_name()
                    ),
                )
                .with_hint("tasks:\n    \"fit-*\": {cpu: 8, memory: 32Gi}"))
            }
        }
    }
    Ok(spec)
}

fn block(node: &Node, what: &str, file: &Path) -> UserResult<Block> {
    let err = |line: usize, msg: String| UserError::new(msg).in_file(file).at_line(line);
    let Some(entries) = node.as_map() else {
        return Err(err(
            node.line,
            format!(
                "'{what}' must be a mapping of settings, not a {}",
                node.type_name()
            ),
        )
        .with_hint(format!(
            "e.g. {{cpu: 2, memory: 4Gi}}; valid keys: {}",
            pretty_list(KEYS)
        )));
    };
    let mut out = Block::default();
    for (k, v) in entries {
        let name = k.as_str().unwrap_or_default();
        let Some(key) = KEYS.iter().find(|x| **x == name) else {
            return Err(err(
                k.line,
                format!("unknown setting '{}' in '{what}'", k.value.python_str()),
            )
            .with_hint(format!("valid keys: {}", pretty_list(KEYS))));
        };
        let field = if v.is_null() {
            Field::Unset
        } else {
            field(key, v).map_err(|(line, msg)| {
                err(line, format!("{what}.{key}: {msg}")).with_hint(example(key))
            })?
        };
        out.entries.push((key, k.line, field));
    }
    Ok(out)
}

/// A correct example of `key`, for hints.
fn example(key: &str) -> String {
    match key {
        "cpu" => "cpu: 2, cpu: 0.5 or cpu: 500m".into(),
        "memory" => "memory: 512Mi, memory: 32Gi or memory: 1G".into(),
        "gpu" => "gpu: 1, or gpu: {count: 2, resource: nvidia.com/gpu, type: a100}".into(),
        "retries" => "retries: 3".into(),
        "retry_backoff" | "timeout" => format!("{key}: 30s, {key}: 5m, {key}: 6h or {key}: 1h30m"),
        "node_selector" => "node_selector: {cloud.google.com/gke-nodepool: gpu-pool}".into(),
        "tolerations" => "tolerations: [{key: gpu, operator: Exists, effect: NoSchedule}]".into(),
        "env" => "env: {LOG_LEVEL: debug, API_TOKEN: {secret: my-secret, key: token}}".into(),
        "labels" | "annotations" => format!("{key}: {{team: data}}"),
        "priority" => "priority: high-priority (a priority class) or priority: 10".into(),
        _ => format!("{key}: NAME"),
    }
}

type FieldResult<T> = Result<T, (usize, String)>;

/// A scalar written as text or a number (`cpu: 2`, `cpu: "2"`, `cpu: 0.5`).
fn scalar_text(v: &Node) -> FieldResult<String> {
    match &v.value {
        Value::Str(s) => Ok(s.clone()),
        Value::Int(i) => Ok(i.to_string()),
        Value::Float(f) if f.is_finite() => Ok(yaml::python_float(*f)),
        _ => Err((
            v.line,
            format!("expected a number or text, not a {}", v.type_name()),
        )),
    }
}

/// A plain string value (names, queues); numbers are taken as their text, booleans
/// refused because YAML 1.1 turns `yes`/`on` into them.
fn string(v: &Node) -> FieldResult<String> {
    let s =
        match &v.value {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) if f.is_finite() => yaml::python_float(*f),
            Value::Bool(_) => return Err((
                v.line,
                "this reads as a boolean (YAML turns yes/no/on/off/true/false into one): quote it"
                    .into(),
            )),
            _ => return Err((v.line, format!("expected text, not a {}", v.type_name()))),
        };
    if s.chars().any(char::is_control) {
        return Err((
            v.line,
            "text with control characters (newlines, tabs) is not allowed here".into(),
        ));
    }
    Ok(s)
}

fn non_empty(v: &Node) -> FieldResult<String> {
    let s = string(v)?;
    if s.trim().is_empty() {
        return Err((v.line, "must not be empty".into()));
    }
    Ok(s)
}

fn count(v: &Node, max: i64) -> FieldResult<i64> {
    match v.value {
        Value::Int(i) if (0..=max).contains(&i) => Ok(i),
        Value::Int(i) => Err((v.line, format!("{i} is out of range (0 to {max})"))),
        _ => Err((
            v.line,
            format!("expected a whole number, not {}", v.value.python_str()),
        )),
    }
}

fn duration(v: &Node) -> FieldResult<Duration> {
    let text = match &v.value {
        Value::Int(i) => i.to_string(),
        Value::Str(s) => s.clone(),
        _ => {
            return Err((
                v.line,
                format!(
                    "expected a duration such as 30s or 6h, not {}",
                    v.value.python_str()
                ),
            ))
        }
    };
    units::parse_duration(&text).map_err(|m| (v.line, m))
}

/// A mapping of strings to strings, each key and value checked.
fn string_map(
    v: &Node,
    check_key: fn(&str) -> Result<(), String>,
    check_value: fn(&str) -> Result<(), String>,
) -> FieldResult<BTreeMap<String, String>> {
    let Some(entries) = v.as_map() else {
        return Err((
            v.line,
            format!(
                "expected a mapping of names to values, not a {}",
                v.type_name()
            ),
        ));
    };
    let mut out = BTreeMap::new();
    for (k, val) in entries {
        let key = string(k)?;
        check_key(&key).map_err(|m| (k.line, m))?;
        let value = string(val)?;
        check_value(&value).map_err(|m| (val.line, m))?;
        out.insert(key, value);
    }
    Ok(out)
}

/// A DNS-1123 label: lowercase alphanumerics and `-`, at most 63, alphanumeric ends.
fn dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A DNS-1123 subdomain: dot-separated labels, at most 253.
pub fn dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(dns_label)
}

/// A Kubernetes label/annotation name part: at most 63 of `[A-Za-z0-9_.-]`,
/// alphanumeric ends.
fn qualified_name_part(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        && s.as_bytes()[0].is_ascii_alphanumeric()
        && s.as_bytes()[s.len() - 1].is_ascii_alphanumeric()
}

/// A Kubernetes label or annotation key: `[prefix/]name`.
fn qualified_key(s: &str) -> Result<(), String> {
    let ok = match s.split_once('/') {
        Some((prefix, name)) => dns_subdomain(prefix) && qualified_name_part(name),
        None => qualified_name_part(s),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("'{s}' is not a valid Kubernetes key: an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"))
    }
}

/// A Kubernetes label value: empty, or a qualified name part.
fn label_value(s: &str) -> Result<(), String> {
    if s.is_empty() || qualified_name_part(s) {
        Ok(())
    } else {
        Err(format!("'{s}' is not a valid label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"))
    }
}

fn any_value(_: &str) -> Result<(), String> {
    Ok(())
}

/// An environment variable name that every engine and shell accepts.
fn env_name(s: &str) -> Result<(), String> {
    let ok = s
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(format!("'{s}' is not a valid environment variable name: letters, digits and '_', not starting with a digit"))
    }
}

fn field(key: &str, v: &Node) -> FieldResult<Field> {
    Ok(match key {
        "cpu" => Field::Cpu(units::parse_cpu(&scalar_text(v)?).map_err(|m| (v.line, m))?),
        "memory" => Field::Memory(units::parse_memory(&scalar_text(v)?).map_err(|m| (v.line, m))?),
        "gpu" => Field::Gpu(gpu(v)?),
        "retries" => Field::Retries(count(v, 100)? as u32),
        "retry_backoff" => Field::RetryBackoff(duration(v)?),
        "timeout" => Field::Timeout(duration(v)?),
        "node_selector" => Field::NodeSelector(string_map(v, qualified_key, label_value)?),
        "tolerations" => Field::Tolerations(tolerations(v)?),
        "env" => Field::Env(env(v)?),
        "labels" => Field::Labels(string_map(v, qualified_key, label_value)?),
        "annotations" => Field::Annotations(string_map(v, qualified_key, any_value)?),
        "priority" => Field::Priority(match v.value {
            Value::Int(i) => Priority::Value(i),
            _ => {
                let s = non_empty(v)?;
                if !dns_subdomain(&s)
                    && !s
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                {
                    return Err((v.line, format!("'{s}' is not a priority class name (letters, digits, '-', '_', '.') or a number")));
                }
                Priority::Class(s)
            }
        }),
        "queue" => Field::Queue(non_empty(v)?),
        "partition" => {
            let s = non_empty(v)?;
            if !s
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.,".contains(&b))
            {
                return Err((v.line, format!("'{s}' is not a partition name (letters, digits, '-', '_', '.'; several separated by commas)")));
            }
            Field::Partition(s)
        }
        _ => unreachable!("every key of KEYS is handled"),
    })
}

fn gpu(v: &Node) -> FieldResult<Gpu> {
    if let Value::Int(_) = v.value {
        return Ok(Gpu {
            count: count(v, 64)? as u32,
            resource: None,
            kind: None,
        });
    }
    let Some(entries) = v.as_map() else {
        return Err((
            v.line,
            format!("expected a count or a mapping, not a {}", v.type_name()),
        ));
    };
    let mut gpu = Gpu {
        count: 1,
        resource: None,
        kind: None,
    };
    for (k, val) in entries {
        match k.as_str().unwrap_or_default() {
            "count" => gpu.count = count(val, 64)? as u32,
            "resource" => {
                let s = non_empty(val)?;
                qualified_key(&s).map_err(|m| (val.line, m))?;
                gpu.resource = Some(s);
            }
            "type" => {
                let s = non_empty(val)?;
                if !s
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                {
                    return Err((
                        val.line,
                        format!("'{s}' is not a GPU type (letters, digits, '-', '_', '.')"),
                    ));
                }
                gpu.kind = Some(s);
            }
            other => {
                return Err((
                    k.line,
                    format!("unknown gpu key '{other}' (valid: 'count', 'resource', and 'type')"),
                ))
            }
        }
    }
    Ok(gpu)
}

fn tolerations(v: &Node) -> FieldResult<Vec<Toleration>> {
    let Some(items) = v.as_seq() else {
        return Err((
            v.line,
            format!("expected a list of tolerations, not a {}", v.type_name()),
        ));
    };
    let mut out = Vec::new();
    for item in items {
        let Some(entries) = item.as_map() else {
            return Err((
                item.line,
                format!("each toleration is a mapping, not a {}", item.type_name()),
            ));
        };
        let mut t = Toleration {
            key: None,
            operator: None,
            value: None,
            effect: None,
            toleration_seconds: None,
        };
        for (k, val) in entries {
            match k.as_str().unwrap_or_default() {
                "key" => {
                    let s = non_empty(val)?;
                    qualified_key(&s).map_err(|m| (val.line, m))?;
                    t.key = Some(s);
                }
                "operator" => {
                    let s = string(val)?;
                    if s != "Equal" && s != "Exists" {
                        return Err((val.line, format!("operator '{s}' must be Equal or Exists")));
                    }
                    t.operator = Some(s);
                }
                "value" => {
                    let s = string(val)?;
                    label_value(&s).map_err(|m| (val.line, m))?;
                    t.value = Some(s);
                }
                "effect" => {
                    let s = string(val)?;
                    if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&s.as_str()) {
                        return Err((val.line, format!("effect '{s}' must be NoSchedule, PreferNoSchedule or NoExecute")));
                    }
                    t.effect = Some(s);
                }
                "toleration_seconds" => t.toleration_seconds = Some(count(val, i64::MAX)?),
                other => {
                    return Err((k.line, format!("unknown toleration key '{other}' (valid: 'key', 'operator', 'value', 'effect', and 'toleration_seconds')")))
                }
            }
        }
        if t.operator.as_deref() == Some("Exists") && t.value.is_some() {
            return Err((
                item.line,
                "a toleration with operator Exists takes no value".into(),
            ));
        }
        if t.key.is_none() && t.operator.as_deref() != Some("Exists") {
            return Err((item.line, "a toleration without a key must have operator: Exists (it then tolerates every taint)".into()));
        }
        if t.toleration_seconds.is_some() && t.effect.as_deref() != Some("NoExecute") {
            return Err((
                item.line,
                "toleration_seconds applies to effect: NoExecute only".into(),
            ));
        }
        out.push(t);
    }
    Ok(out)
}

fn env(v: &Node) -> FieldResult<BTreeMap<String, EnvValue>> {
    let Some(entries) = v.as_map() else {
        return Err((
            v.line,
            format!(
                "expected a mapping of variable names to values, not a {}",
                v.type_name()
            ),
        ));
    };
    let mut out = BTreeMap::new();
    for (k, val) in entries {
        let name = string(k)?;
        env_name(&name).map_err(|m| (k.line, m))?;
        let value = if let Some(m) = val.as_map() {
            let mut secret = None;
            let mut key = None;
            for (mk, mv) in m {
                match mk.as_str().unwrap_or_default() {
                    "secret" => {
                        let s = non_empty(mv)?;
                        if !dns_subdomain(&s) {
                            return Err((mv.line, format!("'{s}' is not a secret name: lowercase letters, digits, '-' and '.'")));
                        }
                        secret = Some(s);
                    }
                    "key" => {
                        let s = non_empty(mv)?;
                        if !s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
                            return Err((mv.line, format!("'{s}' is not a secret key: letters, digits, '-', '_' and '.'")));
                        }
                        key = Some(s);
                    }
                    other => {
                        return Err((mk.line, format!("unknown key '{other}' in a secret reference (valid: 'secret', and 'key')")))
                    }
                }
            }
            match (secret, key) {
                (Some(secret), Some(key)) => EnvValue::Secret { secret, key },
                _ => {
                    return Err((
                        val.line,
                        format!("{name}: a secret reference needs both 'secret' and 'key'"),
                    ))
                }
            }
        } else {
            EnvValue::Literal(string(val)?)
        };
        out.insert(name, value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> UserResult<SettingsSpec> {
        SettingsSpec::from_yaml(text, "t", Path::new("/p/soopervisor.yaml"))
    }

    #[test]
    fn reads_defaults_and_patterns_in_order() {
        let s = spec("t:\n  backend: argo\n  defaults: {cpu: 1, memory: 2Gi, retries: 2, timeout: 1h}\n  tasks:\n    \"fit-*\": {cpu: 8, gpu: 1}\n    download: {retries: 5, retry_backoff: 30s}\n").unwrap();
        assert_eq!(s.patterns.len(), 2);
        assert_eq!(s.patterns[0].pattern, "fit-*");
        assert_eq!(s.patterns[0].line, 5);
        let mut t = TaskSettings::default();
        s.defaults.apply(&mut t);
        s.patterns[0].block.apply(&mut t);
        assert_eq!(t.cpu_millis, Some(8000));
        assert_eq!(t.memory_bytes, Some(2 << 30));
        assert_eq!(t.gpu_count(), 1);
        assert_eq!(t.timeout, Some(Duration::from_secs(3600)));
    }

    #[test]
    fn errors_point_at_the_line_and_name_the_key() {
        let e =
            spec("t:\n  backend: argo\n  defaults:\n    cpu: 1\n    memory: lots\n").unwrap_err();
        assert_eq!(e.line, Some(5));
        assert!(e.message.contains("defaults.memory"), "{e}");
        let e = spec("t:\n  tasks:\n    a:\n      cpus: 2\n").unwrap_err();
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("unknown setting 'cpus'"), "{e}");
        assert!(e.hint.unwrap().contains("'cpu'"));
        let e = spec("t:\n  defaults: {timeout: 10x}\n").unwrap_err();
        assert!(e.message.contains("not a duration"), "{e}");
    }

    #[test]
    fn null_in_a_pattern_drops_the_default() {
        let s = spec("t:\n  defaults: {timeout: 1h, cpu: 2}\n  tasks:\n    a: {timeout: null}\n")
            .unwrap();
        let mut t = TaskSettings::default();
        s.defaults.apply(&mut t);
        s.patterns[0].block.apply(&mut t);
        assert_eq!(t.timeout, None);
        assert_eq!(t.cpu_millis, Some(2000));
    }

    #[test]
    fn env_takes_literals_and_secret_references() {
        let s = spec("t:\n  defaults:\n    env:\n      LEVEL: debug\n      THREADS: 4\n      TOKEN: {secret: api, key: token}\n").unwrap();
        let mut t = TaskSettings::default();
        s.defaults.apply(&mut t);
        assert_eq!(t.env["THREADS"], EnvValue::Literal("4".into()));
        assert_eq!(
            t.env["TOKEN"],
            EnvValue::Secret {
                secret: "api".into(),
                key: "token".into()
            }
        );
        assert!(spec("t:\n  defaults: {env: {TOKEN: {secret: api}}}\n").is_err());
        assert!(spec("t:\n  defaults: {env: {1A: x}}\n").is_err());
        assert!(spec("t:\n  defaults: {labels: {team: yes}}\n")
            .unwrap_err()
            .message
            .contains("boolean"));
        let e = spec("t:\n  defaults: {priority: no}\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("defaults.priority"), "{e}");
        assert!(e.message.contains("boolean"), "{e}");
    }

    #[test]
    fn tolerations_and_gpus_are_checked() {
        assert!(
            spec("t:\n  defaults: {tolerations: [{key: gpu, operator: Exists, value: x}]}\n")
                .is_err()
        );
        assert!(spec("t:\n  defaults: {tolerations: [{key: gpu, effect: Sometimes}]}\n").is_err());
        let s = spec("t:\n  defaults: {gpu: {count: 2, type: a100}}\n").unwrap();
        let mut t = TaskSettings::default();
        s.defaults.apply(&mut t);
        assert_eq!(t.gpu.unwrap().kind.as_deref(), Some("a100"));
        assert!(spec("t:\n  defaults: {gpu: {count: 2, model: a100}}\n").is_err());
    }
}
