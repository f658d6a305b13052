//! `soopervisor.yaml`: one section per target, each deserialised into its backend's own
//! config type through `typetag` (the `backend:` key picks the type). Backend aliases
//! (`argo-workflows`) are normalised through the registry first, so one table of names
//! serves the file and the command line; command-line flags are merged into the same
//! mapping, so there is one path from settings to a typed config. Strategy flags
//! (`--storage`, `--code`, `--env`) replace the section's strategy unless they name
//! the one it already configures, whose settings are then kept. The production settings
//! (`defaults:`, `tasks:`) are the same for every backend: [`settings`] reads them with
//! their lines and [`backend_config`] never passes them to the backend.

use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use soopervisor_core::backend::{self, BackendConfig};
use soopervisor_core::diagnostics::{pretty_list, UserError};
use soopervisor_core::settings::parse::SECTION_KEYS;
use soopervisor_core::settings::SettingsSpec;

/// The config file name, at the project root.
pub const FILE_NAME: &str = "soopervisor.yaml";

/// Where soopervisor.yaml lives for a project.
pub fn path(root: &Path) -> PathBuf {
    root.join(FILE_NAME)
}

fn located(e: &serde_yaml::Error, file: &Path) -> UserError {
    let mut u = UserError::new(e.to_string()).in_file(file);
    if let Some(loc) = e.location() {
        u = u.at_line(loc.line());
    }
    u
}

/// Reads the whole file as a mapping of target names to sections.
pub fn read(file: &Path) -> anyhow::Result<Mapping> {
    if !file.is_file() {
        return Err(UserError::new(format!(
            "expected a {FILE_NAME} file at the project root, but it does not exist"
        ))
        .in_file(file)
        .with_hint("create a target with: soopervisor add TARGET --backend argo")
        .into());
    }
    let text = soopervisor_core::project::read_text(file)?;
    if text.trim().is_empty() {
        return Ok(Mapping::new());
    }
    let value: Value = serde_yaml::from_str(&text).map_err(|e| located(&e, file))?;
    match value {
        Value::Mapping(m) => Ok(m),
        Value::Null => Ok(Mapping::new()),
        _ => Err(UserError::new(format!(
            "{FILE_NAME} must be a mapping of target names to sections"
        ))
        .in_file(file)
        .into()),
    }
}

/// Checks a `--backend` value while the arguments are parsed, so that an unknown
/// backend is a usage error (exit 2) reported before the project is searched.
pub fn backend_arg(name: &str) -> Result<String, String> {
    if backend::find(name).is_some() {
        return Ok(name.to_string());
    }
    let names: Vec<&str> = backend::all().iter().map(|d| d.name()).collect();
    let suggestion = soopervisor_core::diagnostics::did_you_mean(name, &names)
        .map(|d| format!("{d} "))
        .unwrap_or_default();
    Err(format!(
        "not a backend this binary knows; {suggestion}(available: {}; see: soopervisor backends)",
        names.join(", ")
    ))
}

/// The canonical backend name for `name` (an alias resolves to its backend).
pub fn canonical_backend(name: &str) -> anyhow::Result<&'static str> {
    match backend::find(name) {
        Some(d) => Ok(d.name()),
        None => {
            let names: Vec<&str> = backend::all().iter().map(|d| d.name()).collect();
            Err(
                UserError::new(format!("'{name}' is not a backend this binary knows"))
                    .with_hint(format!(
                        "available backends: {} (see: soopervisor backends)",
                        pretty_list(&names)
                    ))
                    .suggest(name, &names)
                    .into(),
            )
        }
    }
}

/// Deserialises a section (plus command-line overrides) into its backend's config.
pub fn backend_config(
    mut section: Mapping,
    overrides: &Mapping,
    file: Option<&Path>,
) -> anyhow::Result<Box<dyn BackendConfig>> {
    let key = Value::String("backend".into());
    let name = match section.get(&key) {
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(UserError::new("'backend' must be a name such as argo or slurm").into())
        }
        None => {
            let mut e = UserError::new("the section has no 'backend' key")
                .with_hint("add backend: argo (or another name from: soopervisor backends)");
            if let Some(f) = file {
                e = e.in_file(f);
            }
            return Err(e.into());
        }
    };
    let canonical = canonical_backend(&name)?;
    section.insert(key, Value::String(canonical.to_string()));
    // production settings are engine-neutral: read by `settings`, not by the backend
    for k in SECTION_KEYS {
        section.remove(k);
    }
    for (k, v) in overrides {
        merge_override(&mut section, k, v);
    }
    serde_yaml::from_value::<Box<dyn BackendConfig>>(Value::Mapping(section)).map_err(|e| {
        let text = e.to_string();
        // A flag the backend has no setting for: say so in terms of the flag.
        if let Some(flag) = overrides
            .keys()
            .filter_map(|k| k.as_str())
            .find(|k| text.contains(&format!("unknown field `{k}`")))
        {
            return UserError::new(format!(
                "--{flag} does not apply to the {canonical} backend (it has no '{flag}' setting)"
            ))
            .with_hint(format!(
                "drop --{flag}; see docs/backends/ for what {canonical} accepts"
            ))
            .into();
        }
        let mut u = UserError::new(format!("invalid settings for the {canonical} backend: {e}"))
            .with_hint("remove or fix the key; each backend's keys are listed in docs/backends/");
        if let Some(f) = file {
            u = u.in_file(f);
        }
        u.into()
    })
}

/// The environment a project asks for without saying so: `pip` when it has a
/// `requirements.lock.txt` or `requirements.txt` and no `environment.yml`, for backends
/// with an `env` setting, when neither the section nor a flag chooses one. Added to
/// `overrides` so the export and `add` both see it.
pub fn default_env_from_project(
    root: &Path,
    backend: &str,
    section: &Mapping,
    overrides: &mut Mapping,
) {
    let key = Value::String("env".into());
    if section.contains_key(&key) || overrides.contains_key(&key) {
        return;
    }
    let has = |names: &[&str]| names.iter().any(|n| root.join(n).is_file());
    if has(&["environment.yml", "environment.yaml"])
        || !has(&["requirements.lock.txt", "requirements.txt"])
    {
        return;
    }
    let takes_env = soopervisor_core::backend::find(backend)
        .and_then(|d| serde_yaml::to_value(d.default_config()).ok())
        .and_then(|v| v.as_mapping().map(|m| m.contains_key(&key)))
        .unwrap_or(false);
    if takes_env {
        overrides.insert(key, Value::String("pip".into()));
    }
}

/// The production settings (`defaults:` and `tasks:`) of section `target`, with
/// their lines: the same keys for every backend, so they are read here once and never
/// reach the backend's own config type.
pub fn settings(file: &Path, section: &Mapping, target: &str) -> anyhow::Result<SettingsSpec> {
    if !SECTION_KEYS.iter().any(|k| section.contains_key(*k)) {
        return Ok(SettingsSpec::default());
    }
    let text = soopervisor_core::project::read_text(file)?;
    Ok(SettingsSpec::from_yaml(&text, target, file)?)
}

/// The section keys that hold a strategy (`storage`, `code`, `env`).
pub const STRATEGY_KEYS: [&str; 3] = ["storage", "code", "env"];

/// The strategy a section value names: `fetch` or `{kind: fetch, ...}`.
pub fn strategy_kind(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Mapping(m) => m.get(Value::String("kind".into())).and_then(Value::as_str),
        _ => None,
    }
}

/// Sets `key` to the command-line value `v`, except that a flag naming the strategy
/// a section already configures (`--storage fetch` over `storage: {kind: fetch,
/// repository: x}`) keeps the section's settings.
pub fn merge_override(section: &mut Mapping, key: &Value, v: &Value) {
    if let (Some(k), Some(new)) = (key.as_str(), strategy_kind(v)) {
        let same = section
            .get(key)
            .and_then(strategy_kind)
            .is_some_and(|old| old == new);
        if STRATEGY_KEYS.contains(&k) && same {
            return;
        }
    }
    section.insert(key.clone(), v.clone());
}

/// The command-line strategy flags as overrides of a section.
pub fn strategy_overrides(storage: Option<&str>, code: Option<&str>, env: Option<&str>) -> Mapping {
    let mut m = Mapping::new();
    for (k, v) in STRATEGY_KEYS.iter().zip([storage, code, env]) {
        if let Some(v) = v {
            m.insert(Value::String((*k).into()), Value::String(v.to_string()));
        }
    }
    m
}

/// The section called `target`.
pub fn section(file: &Path, target: &str) -> anyhow::Result<Mapping> {
    let all = read(file)?;
    match all.get(Value::String(target.to_string())) {
        Some(Value::Mapping(m)) => Ok(m.clone()),
        Some(_) => Err(UserError::new(format!(
            "the '{target}' section must be a mapping of settings"
        ))
        .in_file(file)
        .into()),
        None => {
            let names: Vec<String> = all
                .keys()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect();
            Err(
                UserError::new(format!("missing '{target}' section in {FILE_NAME}"))
                    .in_file(file)
                    .with_hint(if names.is_empty() {
                        format!("add one with: soopervisor add {target} --backend argo")
                    } else {
                        format!("available ones are: {}", pretty_list(&names))
                    })
                    .suggest(target, &names)
                    .into(),
            )
        }
    }
}
