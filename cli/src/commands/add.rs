//! `soopervisor add TARGET --backend NAME`: appends a section with the backend's
//! default settings to soopervisor.yaml (created if needed), keeping what the file
//! already says, comments included.

use serde_yaml::{Mapping, Value};

use soopervisor_core::diagnostics::UserError;
use soopervisor_core::output::atomic::{self, PendingFile};

use crate::config;
use crate::pipeline::{self, ProjectArgs};

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// Name of the new target (a section of soopervisor.yaml and the output folder)
    pub target: String,
    /// The engine (see: soopervisor backends)
    #[arg(short = 'b', long, default_value = "argo", value_parser = config::backend_arg)]
    pub backend: String,
    /// A backend preset, for backends that have them
    #[arg(short = 'p', long)]
    pub preset: Option<String>,
    #[command(flatten)]
    pub project: ProjectArgs,
}

pub fn run(args: AddArgs) -> anyhow::Result<()> {
    let (project, _dag) = pipeline::load(&args.project)?;
    let root = &project.root;
    let target = &args.target;
    if target.is_empty() || target.contains('/') || target.starts_with('.') {
        return Err(
            UserError::new(format!("'{target}' is not a valid target name"))
                .with_hint("use a plain name such as training")
                .into(),
        );
    }
    let file = config::path(root);
    let existing = if file.is_file() {
        soopervisor_core::project::read_text(&file)?
    } else {
        String::new()
    };
    if file.is_file() && config::read(&file)?.contains_key(Value::String(target.clone())) {
        return Err(UserError::new(format!(
            "a '{target}' section already exists in soopervisor.yaml"
        ))
        .in_file(&file)
        .with_hint("choose another name, or edit the existing section")
        .into());
    }
    if root.join(target).exists() {
        return Err(UserError::new(format!(
            "a file or folder named '{target}' already exists in the project"
        ))
        .in_file(root.join(target))
        .with_hint("choose another target name: exports go to that folder")
        .into());
    }
    let backend = config::canonical_backend(&args.backend)?;
    let mut section = Mapping::new();
    section.insert(
        Value::String("backend".into()),
        Value::String(backend.to_string()),
    );
    if let Some(p) = &args.preset {
        check_preset(backend, p)?;
        section.insert(Value::String("preset".into()), Value::String(p.clone()));
    }
    // Validate through the backend's own type, then write its full default settings.
    let mut defaults = Mapping::new();
    config::default_env_from_project(root, backend, &section, &mut defaults);
    let typed = config::backend_config(section, &defaults, Some(&file))?;
    let value = serde_yaml::to_value(&typed)?;
    let mut wrapper = Mapping::new();
    wrapper.insert(Value::String(target.clone()), value);
    let text = serde_yaml::to_string(&Value::Mapping(wrapper))?;
    let mut contents = existing;
    if !contents.is_empty() && !contents.ends_with('\n') {
        contents.push('\n');
    }
    contents.push_str(&text);
    atomic::write_all(&[PendingFile {
        path: file.clone(),
        contents: contents.into_bytes().into(),
        executable: false,
    }])?;
    let shown = crate::shown::Shown::new(&args.project)?;
    let t = soopervisor_core::output::shell::quote(target);
    eprintln!(
        "Added the '{target}' target ({backend}) to {}. To export it:\n  {}\nTo export every task regardless of its status:\n  {}",
        shown.path(&file),
        shown.command(&format!("soopervisor export {t}"), root),
        shown.command(&format!("soopervisor export {t} --mode force"), root)
    );
    Ok(())
}

/// `--preset` must name one of the backend's presets (checked here, at `add` time, so
/// that a typo is never written into soopervisor.yaml).
fn check_preset(backend: &str, preset: &str) -> anyhow::Result<()> {
    let presets = soopervisor_core::backend::find(backend).map_or(&[][..], |d| d.presets());
    if presets.contains(&preset) {
        return Ok(());
    }
    let hint = if presets.is_empty() {
        "drop --preset".to_string()
    } else {
        format!("use one of: {}", presets.join(", "))
    };
    let what = if presets.is_empty() {
        format!("the {backend} backend has no presets")
    } else {
        format!("the {backend} backend has no preset '{preset}'")
    };
    Err(UserError::new(format!("--preset {preset}: {what}"))
        .with_hint(hint)
        .into())
}
