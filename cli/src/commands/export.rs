//! `soopervisor export [TARGET]`: load and check the pipeline, plan the tasks to run,
//! let the backend build its files in memory, then write them atomically (nothing is
//! written when any step fails) and print the next steps.

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;
use serde_yaml::{Mapping, Value};

use soopervisor_core::backend::{ExportTarget, OutputFormat};
use soopervisor_core::diagnostics::UserError;
use soopervisor_core::output::atomic::{self, PendingFile};
use soopervisor_core::plan::{self, Mode};
use soopervisor_core::settings::{self, SettingsSpec};

use crate::commands::placement::{self, Output, Placement};
use crate::config;
use crate::pipeline::{self, ProjectArgs};

#[derive(Debug, Clone, Copy, ValueEnum, Default, PartialEq, Eq)]
pub enum ModeArg {
    /// Only tasks whose products are missing or outdated
    #[default]
    Incremental,
    /// Every task; a task up to date when its pod starts is skipped there
    Regular,
    /// Every task, forcing Ploomber to run it
    Force,
}

#[derive(Debug, Clone, Copy, ValueEnum, Default, PartialEq, Eq)]
pub enum FormatArg {
    #[default]
    Yaml,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// A target section of soopervisor.yaml; without it: --backend (default argo) with
    /// its defaults, written at the project root
    pub target: Option<String>,
    /// The engine to export to (see: soopervisor backends) [default: argo]
    #[arg(short = 'b', long, value_parser = config::backend_arg)]
    pub backend: Option<String>,
    /// How data moves between tasks: nfs (shared disk) or fetch (object storage)
    #[arg(long)]
    pub storage: Option<String>,
    /// How the code reaches the pods: shared-disk, package, git or image
    #[arg(long)]
    pub code: Option<String>,
    /// What an Argo export is: workflow (submit once), template (a WorkflowTemplate
    /// for argo submit --from) or cron (a CronWorkflow on the section's schedule)
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// How the pods get their environment: conda, pip or image
    #[arg(long)]
    pub env: Option<String>,
    /// A backend preset, for backends that have them (airflow: kubernetes, bash, docker)
    #[arg(short = 'p', long)]
    pub preset: Option<String>,
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Which tasks to export
    #[arg(short = 'm', long, value_enum, default_value_t)]
    pub mode: ModeArg,
    /// Incremental mode only: ask the project's Ploomber (one Python run) which tasks
    /// `ploomber build` would run, so code edits count exactly as Ploomber counts them
    #[arg(long)]
    pub exact: bool,
    /// Export only this task (no dependencies)
    #[arg(short = 't', long, value_name = "NAME")]
    pub task: Option<String>,
    /// Write the main file here instead (- for standard output)
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<String>,
    /// Spec encoding, for backends that offer both [default: from --output's extension
    /// (.json), else yaml]
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Submit to the engine after exporting (backends that can: slurm, argo, aws-batch);
    /// submits the files of the target folder, so not with --output
    #[arg(long, conflicts_with = "output")]
    pub submit: bool,
    /// Deliver the code after exporting (soopervisor upload): copy it to the shared
    /// disk or build and upload the package
    #[arg(long)]
    pub upload: bool,
}

pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    if args.exact && args.mode != ModeArg::Incremental {
        return Err(UserError::new(format!(
            "--exact only changes incremental mode, and --mode {} exports every task",
            match args.mode {
                ModeArg::Regular => "regular",
                _ => "force",
            }
        ))
        .with_hint("drop --exact, or use --mode incremental --exact")
        .into());
    }
    let (project, dag, would_run) = pipeline::load_with_status(&args.project, args.exact)?;
    let root = project.root.clone();

    let shown = crate::shown::Shown::new(&args.project)?;
    let mut overrides = config::strategy_overrides(
        args.storage.as_deref(),
        args.code.as_deref(),
        args.env.as_deref(),
    );
    if let Some(p) = &args.preset {
        overrides.insert(Value::String("preset".into()), Value::String(p.clone()));
    }
    if let Some(kind) = &args.kind {
        // a backend key like the strategies: backends without `kind` refuse the flag
        overrides.insert(Value::String("kind".into()), Value::String(kind.clone()));
    }
    let mut settings_spec = SettingsSpec::default();
    let (backend_config, target_dir, section_for_upload) = match &args.target {
        Some(target) => {
            if target.contains('/') || target.starts_with('.') || target.is_empty() {
                return Err(
                    UserError::new(format!("'{target}' is not a valid target name"))
                        .with_hint("target names are plain folder names such as training or prod")
                        .into(),
                );
            }
            let file = config::path(&root);
            let mut section = config::section(&file, target)?;
            if let Some(b) = &args.backend {
                let wanted = config::canonical_backend(b)?;
                let have = section
                    .get(Value::String("backend".into()))
                    .and_then(|v| v.as_str())
                    .map(config::canonical_backend)
                    .transpose()?;
                if have.is_some_and(|h| h != wanted) {
                    return Err(UserError::new(format!("--backend {b} conflicts with the '{target}' section, which uses another backend"))
                        .in_file(&file)
                        .with_hint(format!("drop --backend, or export another target (soopervisor add NAME --backend {b})"))
                        .into());
                }
                section.insert(
                    Value::String("backend".into()),
                    Value::String(wanted.to_string()),
                );
            }
            if let Some(b) = section.get("backend").and_then(Value::as_str) {
                let b = config::canonical_backend(b)?;
                config::default_env_from_project(&root, b, &section, &mut overrides);
            }
            let merged = merged(&section, &overrides);
            settings_spec = config::settings(&file, &section, target)?;
            (
                config::backend_config(section, &overrides, Some(&file))?,
                root.join(target),
                merged,
            )
        }
        None => {
            let name = args.backend.clone().unwrap_or_else(|| "argo".to_string());
            let canonical = config::canonical_backend(&name)?;
            let folder = soopervisor_core::backend::find(canonical)
                .map(|d| d.default_folder())
                .unwrap_or("");
            let dir = if folder.is_empty() {
                root.clone()
            } else {
                root.join(folder)
            };
            let mut section = Mapping::new();
            section.insert(Value::String("backend".into()), Value::String(name));
            config::default_env_from_project(&root, canonical, &section, &mut overrides);
            let merged = merged(&section, &overrides);
            (
                config::backend_config(section, &overrides, None)?,
                dir,
                merged,
            )
        }
    };

    let mode = match args.mode {
        ModeArg::Incremental => Mode::Incremental,
        ModeArg::Regular => Mode::Regular,
        ModeArg::Force => Mode::Force,
    };
    let mut plan = plan::build::build_with(
        &project,
        &dag,
        mode,
        args.task.as_deref(),
        would_run.as_ref(),
    )?;
    plan.settings = settings::resolve(
        &settings_spec,
        dag.tasks().iter().map(|t| t.name.as_str()),
        plan.tasks.iter().map(|t| t.name.as_str()),
    )?;
    plan.warnings
        .extend(settings::secrets::settings_warnings(&plan.settings));
    if plan.tasks.is_empty() {
        crate::print_warnings(&plan.warnings);
        let target = args
            .target
            .as_deref()
            .map(|t| format!(" {t}"))
            .unwrap_or_default();
        let again = shown.command(&format!("soopervisor export{target} --mode force"), &root);
        eprintln!(
            "Every task is up to date: incremental mode has nothing to export, and nothing was written.\nTo export every task regardless of its status:\n  {again}"
        );
        return Ok(());
    }
    // Past this point the DAG serves only --output's check against the project's own
    // files: keep their paths and free the tasks while the backend builds its model
    // (at 100,000 tasks they are a third of the peak memory).
    let sources: Vec<PathBuf> = if args.output.as_deref().is_some_and(|o| o != "-") {
        dag.tasks()
            .iter()
            .filter_map(|t| match &t.source {
                soopervisor_core::model::Source::File { path, .. } => Some(path.clone()),
                _ => None,
            })
            .collect()
    } else {
        Vec::new()
    };
    // Freed on a thread of its own, which ends when done: mimalloc then hands its
    // pages to the threads that build the backend's model. Freed here instead, on the
    // main thread, the pages stayed with the idle rayon workers that allocated them
    // and the peak grew by a fifth (docs/performance.md).
    crate::drop_in_background(dag);
    let mut warnings = plan.warnings.clone();
    warnings.extend(backend_config.check(&plan)?);

    let format = choose_format(
        args.format,
        args.output.as_deref(),
        backend_config.formats(),
        backend_config.typetag_name(),
    )?;
    let mut target = ExportTarget::new(target_dir.clone()).with_format(format);
    if let Some(name) = &args.target {
        target = target.with_name(name);
    }
    if args.submit {
        backend_config.check_submit(&plan, &target)?;
    }
    let export = backend_config.export(&plan, &target)?;
    warnings.extend(export.warnings.iter().cloned());
    crate::print_warnings(&warnings);

    let cwd = args.project.cwd()?;
    let dest = args
        .output
        .as_deref()
        .filter(|o| *o != "-")
        .map(|o| cwd.join(o));
    let output = match (args.output.as_deref(), &dest) {
        (Some("-"), _) => Output::Stdout,
        (_, Some(dest)) => Output::File(dest),
        _ => Output::Folder,
    };
    // (where the backend meant a file to go, where it went): for the next steps
    let mut moved: Vec<(PathBuf, PathBuf)> = Vec::new();
    match placement::place(&export, &target_dir, output)? {
        Placement::Print(main) => {
            std::io::stdout().write_all(main.contents())?;
            return Ok(());
        }
        Placement::Write(placed) => {
            if output != Output::Folder {
                for p in &placed {
                    refuse_overwriting_input(&p.path, &project, &sources)?;
                    moved.push((p.meant.clone(), p.path.clone()));
                }
            }
            let pending: Vec<PendingFile> = placed
                .iter()
                .map(|p| PendingFile {
                    path: p.path.clone(),
                    contents: p.file.contents().into(),
                    executable: p.file.is_executable(),
                })
                .collect();
            atomic::write_all(&pending)?;
            for p in placed.iter().filter(|p| p.announced()) {
                eprintln!("Wrote {}", shown.path(&p.path));
            }
        }
    }
    eprintln!(
        "Exported {} task{} ({} mode).",
        plan.tasks.len(),
        if plan.tasks.len() == 1 { "" } else { "s" },
        plan.mode.as_str()
    );
    if args.upload {
        crate::commands::upload::deliver(
            &plan,
            &section_for_upload,
            args.target.as_deref(),
            false,
            &shown,
        )?;
    }
    if args.submit {
        let summary = backend_config.submit(&plan, &target)?;
        eprintln!("{summary}");
    } else if !export.next_steps.is_empty() {
        eprintln!("\nNext steps:");
        // Paths relative to where the user's shell is (not -C), so they can paste them.
        for step in &export.next_steps {
            let step = point_at_moved_files(step, &moved);
            eprintln!("  {}", shown.command(&step, &root));
        }
    }
    crate::drop_in_background((project, plan, export));
    Ok(())
}

/// The encoding of the main file: `--format` when given, else the one `--output`'s
/// extension names (`.json`), else YAML. Never silently ignored: a format the backend
/// cannot write, or one that contradicts the `--output` extension, is an error.
pub fn choose_format(
    asked: Option<FormatArg>,
    output: Option<&str>,
    offered: &[OutputFormat],
    backend: &str,
) -> anyhow::Result<OutputFormat> {
    let extension = output
        .and_then(|o| std::path::Path::new(o).extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let by_extension = match extension.as_deref() {
        Some("json") => Some(OutputFormat::Json),
        Some("yaml" | "yml") => Some(OutputFormat::Yaml),
        _ => None,
    };
    let asked = asked.map(|f| match f {
        FormatArg::Yaml => OutputFormat::Yaml,
        FormatArg::Json => OutputFormat::Json,
    });
    let name = |f: OutputFormat| match f {
        OutputFormat::Yaml => "yaml",
        OutputFormat::Json => "json",
    };
    if let (Some(a), Some(e)) = (asked, by_extension) {
        if a != e {
            return Err(UserError::new(format!(
                "--format {} contradicts --output {}, whose extension says {}",
                name(a),
                output.unwrap_or_default(),
                name(e)
            ))
            .with_hint("drop --format (the extension then decides), or rename the --output file")
            .into());
        }
    }
    let chosen = asked.or(by_extension);
    match chosen {
        Some(f) if !offered.contains(&f) && (asked.is_some() || f != OutputFormat::Yaml) => {
            let what = if offered.is_empty() {
                "files of one fixed format (--format does not apply)".to_string()
            } else {
                format!(
                    "only {}",
                    offered
                        .iter()
                        .map(|f| name(*f))
                        .collect::<Vec<_>>()
                        .join(" or ")
                )
            };
            let cause = if asked.is_some() {
                format!("--format {}", name(f))
            } else {
                format!("--output {}", output.unwrap_or_default())
            };
            Err(
                UserError::new(format!("{cause}: the {backend} backend writes {what}"))
                    .with_hint(if asked.is_some() {
                        "drop --format".to_string()
                    } else {
                        "give --output a name with the backend's own extension".to_string()
                    })
                    .into(),
            )
        }
        Some(f) => Ok(f),
        None => Ok(OutputFormat::Yaml),
    }
}

/// The section with the command-line overrides applied (what `--upload` reads).
fn merged(section: &Mapping, overrides: &Mapping) -> Mapping {
    let mut m = section.clone();
    for (k, v) in overrides {
        config::merge_override(&mut m, k, v);
    }
    m
}

/// A next-step command pointing at the files actually written (`--output`: `moved`
/// holds where each was meant to go and where it went).
fn point_at_moved_files(step: &str, moved: &[(PathBuf, PathBuf)]) -> String {
    let mut moved: Vec<(String, String)> = moved
        .iter()
        .map(|(from, to)| (from.display().to_string(), to.display().to_string()))
        .collect();
    // longest first, so that no path is replaced inside a longer one
    moved.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
    let mut step = step.to_string();
    for (from, to) in &moved {
        step = step.replace(from, to);
    }
    step
}

/// `--output` must never replace a file the user wrote: the spec, a task source, or any
/// existing file that soopervisor did not generate (one slip of the keyboard away from
/// losing `pipeline.yaml` or a script). Devices such as /dev/null are fine.
fn refuse_overwriting_input(
    dest: &std::path::Path,
    project: &soopervisor_core::project::Project,
    sources: &[PathBuf],
) -> anyhow::Result<()> {
    let Ok(meta) = std::fs::metadata(dest) else {
        return Ok(());
    };
    if !meta.is_file() {
        return Ok(());
    }
    let canonical = std::fs::canonicalize(dest).unwrap_or_else(|_| dest.to_path_buf());
    let same = |p: &std::path::Path| std::fs::canonicalize(p).is_ok_and(|c| c == canonical);
    // Sources are resolved only when their file name matches (a symlinked folder on
    // the way): resolving every source costs seconds at 100,000 tasks. A source
    // aliased under another name is still caught below unless it mentions soopervisor.
    let is_input = same(&project.spec_path)
        || sources.iter().any(|path| {
            path == dest
                || path == &canonical
                || (path.file_name() == canonical.file_name() && same(path))
        });
    let generated_by_us = !is_input && {
        use std::io::Read;
        let mut head = vec![0u8; 4096];
        let n = std::fs::File::open(dest)
            .and_then(|mut f| f.read(&mut head))
            .unwrap_or(0);
        String::from_utf8_lossy(&head[..n]).contains("soopervisor")
    };
    if generated_by_us {
        return Ok(());
    }
    Err(UserError::new(format!(
        "--output {} would replace {}, which soopervisor did not write",
        dest.display(),
        if is_input {
            "one of the project's own files"
        } else {
            "an existing file"
        }
    ))
    .in_file(dest)
    .with_hint(
        "choose another --output path (or remove the file first if it is really meant to go)",
    )
    .into())
}
