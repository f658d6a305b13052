//! Project loading: from an entry point to the list of typed tasks, exactly as
//! Ploomber's `DAGSpec(...).to_dag()` reads a project, without running user code
//! (except through [`assisted`], for projects that only Python can load).
//!
//! Order of work (ploomber.md §0): [`entry_point`] finds the spec and the project root;
//! [`spec`] reads it ([`yaml`] with YAML 1.1 rules), builds the env ([`env`](mod@env),
//! [`defaults`]), renders every value ([`placeholders`], [`cast`]) and validates it;
//! [`tasks`] turns entries into declarations ([`grid`], [`paths`]); [`extract`] runs
//! static analysis for upstream names and extracted products. [`assisted`] falls back
//! to the project's own Ploomber for the projects only Python can load.

pub mod assisted;
pub mod cast;
pub mod defaults;
pub mod entry_point;
pub mod env;
pub mod extract;
pub mod grid;
pub mod paths;
pub mod placeholders;
pub mod spec;
pub mod tasks;
pub mod yaml;
mod yaml_chunks;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::{UserError, UserResult, Warning};
use crate::model::Task;

use entry_point::EntryPoint;

/// Largest source or spec file read (a guard against accidents, not a Ploomber rule).
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// How to find the project.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// The working directory (`-C DIR`, else the process's).
    pub cwd: PathBuf,
    /// `-e/--entry-point`, relative to `cwd`.
    pub entry_point: Option<String>,
}

/// A loaded project: its tasks in declaration order, before the DAG is checked.
#[derive(Debug, Clone)]
pub struct Project {
    /// Absolute path of the spec.
    pub spec_path: PathBuf,
    /// Absolute project root.
    pub root: PathBuf,
    pub tasks: Vec<Task>,
    pub warnings: Vec<Warning>,
    /// Every placeholder the spec used.
    pub used_placeholders: Vec<String>,
    /// Values of the default placeholders at load time.
    pub placeholder_defaults: BTreeMap<String, String>,
    /// Placeholders defined by the user's env file (they override defaults).
    pub env_file_keys: Vec<String>,
    /// The env file used (`env.yaml`), if any.
    pub env_file: Option<PathBuf>,
    /// The `--entry-point` pods pass to Ploomber when it is not the spec file (a
    /// factory's dotted path, a `package::file` module path).
    pub pod_entry_point: Option<String>,
}

impl Project {
    /// The entry point pods pass to Ploomber: the spec path relative to the root,
    /// `/`-separated, or [`Project::pod_entry_point`] when set.
    pub fn entry_point_relative(&self) -> String {
        match &self.pod_entry_point {
            Some(e) => e.clone(),
            None => paths::relative_to(&self.spec_path, &self.root),
        }
    }

    /// Machine-dependent placeholders the spec uses (and the user did not define),
    /// with their export-time values.
    pub fn machine_dependent_placeholders(&self) -> BTreeMap<String, String> {
        self.used_placeholders
            .iter()
            .filter(|p| placeholders::MACHINE_DEPENDENT.contains(&p.as_str()))
            .filter(|p| !self.env_file_keys.contains(p))
            .filter_map(|p| {
                self.placeholder_defaults
                    .get(p)
                    .map(|v| (p.clone(), v.clone()))
            })
            .collect()
    }
}

/// Reads a UTF-8 text file with a clear error for folders, binary files and size.
///
/// The file is opened first and checked through its handle (one path lookup, not
/// two). On Unix it is opened non-blocking: opening a FIFO would otherwise wait for a
/// writer forever.
pub fn read_text(path: &Path) -> UserResult<String> {
    let cannot_read = |e: std::io::Error| {
        UserError::new(format!("cannot read the file: {e}"))
            .in_file(path)
            .with_hint("check that the path exists and is readable")
    };
    let file = open_without_blocking(path).map_err(cannot_read)?;
    let meta = file.metadata().map_err(cannot_read)?;
    if meta.is_dir() {
        return Err(UserError::new("expected a file but found a folder")
            .in_file(path)
            .with_hint("point at the file inside the folder"));
    }
    // a pipe would block forever on read and a device (/dev/zero) never ends
    if !meta.is_file() {
        return Err(
            UserError::new("expected a regular file but found a pipe, socket or device")
                .in_file(path)
                .with_hint("point at a regular file"),
        );
    }
    let too_large = |len: u64| {
        UserError::new(format!(
            "the file is too large ({len} bytes, the limit is {MAX_FILE_BYTES})"
        ))
        .in_file(path)
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    // one byte more than the size, so that the read that sees the end needs no regrowth
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    {
        use std::io::Read;
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| UserError::new(format!("cannot read the file: {e}")).in_file(path))?;
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
        UserError::new("the file is not valid UTF-8 text")
            .in_file(path)
            .at_line(line)
            .with_hint("save the file as UTF-8; binary files cannot be task sources or specs")
    })
}

#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// Loads the project the options point at.
pub fn load(opts: &LoadOptions) -> UserResult<Project> {
    let entry = match &opts.entry_point {
        Some(e) => entry_point::classify(e, &opts.cwd)?,
        None => entry_point::discover(&opts.cwd)?,
    };
    match entry {
        EntryPoint::File(path) => load_spec_file(&path, &opts.cwd),
        // Pods run in the project root and pass Ploomber the same kind of entry point:
        // the folder itself (the root) or the pattern (relative to the root, the
        // working folder it was given in), never a pipeline.yaml that does not exist.
        EntryPoint::Directory(dir) => {
            let mut project = load_files(&opts.cwd, &dir, None)?;
            project.pod_entry_point = Some(".".into());
            Ok(project)
        }
        EntryPoint::Pattern(pattern) => {
            let mut project = load_files(&opts.cwd, &opts.cwd, Some(&pattern))?;
            project.pod_entry_point = Some(pattern_for_pods(&pattern, &opts.cwd));
            Ok(project)
        }
    }
}

/// A pattern entry point as pods pass it from the project root (the folder the pattern
/// was given in): relative, `/`-separated.
fn pattern_for_pods(pattern: &str, cwd: &Path) -> String {
    let path = Path::new(pattern);
    match path.strip_prefix(cwd) {
        Ok(rest) if path.is_absolute() => paths::to_slash(rest),
        _ => pattern.to_string(),
    }
}

fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    paths::normalize(&if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    })
}

fn load_spec_file(path: &Path, cwd: &Path) -> UserResult<Project> {
    let path = absolute(path, cwd);
    let spec_dir = path.parent().unwrap_or(cwd).to_path_buf();
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("pipeline.yaml")
        .to_string();
    let root = entry_point::find_root(&spec_dir, &file_name).ok();
    let spec = spec::load(&path, cwd, root.as_deref())?;
    let root = root.unwrap_or_else(|| spec_dir.clone());
    finish(spec, root, cwd, spec_dir)
}

fn finish(
    mut spec: spec::Spec,
    root: PathBuf,
    cwd: &Path,
    spec_dir: PathBuf,
) -> UserResult<Project> {
    let mut warnings = std::mem::take(&mut spec.warnings);
    let raw_tasks = std::mem::take(&mut spec.tasks);
    let decls = tasks::declare_all(
        &tasks::DeclContext {
            spec: &spec,
            root: &root,
            cwd,
        },
        raw_tasks,
        &mut warnings,
    )?;
    let mut dirs = vec![
        spec_dir.clone(),
        cwd.to_path_buf(),
        root.join("src"),
        root.clone(),
    ];
    dirs.dedup();
    let search = extract::SearchPath { dirs };
    let (tasks, more) = extract::analyse(decls, &spec.meta, &root, &search)?;
    warnings.extend(more);
    Ok(Project {
        spec_path: spec.path.clone(),
        root,
        tasks,
        warnings,
        used_placeholders: spec.used_placeholders.clone(),
        placeholder_defaults: spec.env.defaults.clone(),
        env_file_keys: spec.env.file_keys.clone(),
        env_file: spec.env.file.clone(),
        pod_entry_point: None,
    })
}

/// A `**` pattern follows symlinked folders (as Python's glob does), so a symlink back
/// into a searched folder makes that walk endless (two such links: 2^40 paths before
/// the kernel's limit). Walks the folders below the pattern's literal prefix once,
/// following symlinks, and returns the first symlink that leads to a folder already
/// searched.
fn repeated_folder(pattern: &str) -> Option<PathBuf> {
    let base: PathBuf = Path::new(pattern)
        .components()
        .take_while(|c| !c.as_os_str().to_string_lossy().contains(['*', '?', '[']))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![base];
    while let Some(dir) = stack.pop() {
        let Ok(real) = std::fs::canonicalize(&dir) else {
            continue;
        };
        if !seen.insert(real) {
            return Some(dir);
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    None
}

/// `DAGSpec.from_directory` / `from_files` (§2.3): one task per script or notebook,
/// products and upstream extracted from the sources; no env.
fn load_files(cwd: &Path, dir: &Path, pattern: Option<&str>) -> UserResult<Project> {
    const SUFFIXES: &[&str] = &["py", "R", "Rmd", "r", "ipynb"];
    let mut files: Vec<PathBuf> = match pattern {
        Some(p) => {
            let full = cwd.join(p).display().to_string();
            if p.contains("**") {
                if let Some(link) = repeated_folder(&full) {
                    return Err(UserError::new(format!(
                        "the pattern '{p}' would follow a symlink back into a folder it already searched"
                    ))
                    .in_file(&link)
                    .with_hint("remove the symlink loop, or use a pattern without ** that does not descend into it"));
                }
            }
            glob::glob(&full)
                .map_err(|e| UserError::new(format!("invalid pattern '{p}': {e}")))?
                .filter_map(|r| r.ok())
                .collect()
        }
        None => std::fs::read_dir(dir)
            .map_err(|e| UserError::new(format!("cannot list the folder: {e}")).in_file(dir))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .filter(|p| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| SUFFIXES.contains(&e))
            })
            .collect(),
    };
    files.sort();
    for f in &files {
        let ext = f.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !SUFFIXES.contains(&ext) {
            return Err(UserError::new(
                "cannot instantiate DAGSpec from files with invalid extensions",
            )
            .in_file(f)
            .with_hint(
                "only .py, .R, .Rmd, .r and .ipynb files can be tasks of a pattern entry point",
            ));
        }
    }
    if files.is_empty() {
        return Err(UserError::new("the entry point matches no script or notebook").in_file(dir));
    }
    let spec_path = dir.join("pipeline.yaml");
    let raw: Vec<spec::RawTask> = files
        .iter()
        .map(|f| {
            let source = yaml::Node::new(yaml::Value::Str(f.display().to_string()), 1);
            let key = yaml::Node::new(yaml::Value::Str("source".into()), 1);
            spec::RawTask {
                node: yaml::Node::new(yaml::Value::Map(vec![(key, source)]), 1),
                file: f.clone(),
                imported: false,
            }
        })
        .collect();
    let empty = yaml::Node::new(yaml::Value::Map(Vec::new()), 1);
    let spec = spec::Spec {
        path: spec_path,
        meta: spec::Meta {
            extract_upstream: true,
            extract_product: true,
            product_default_class: [("NotebookRunner".to_string(), "File".to_string())]
                .into_iter()
                .collect(),
            product_relative_to_source: false,
            source_loader: None,
        },
        tasks: raw,
        env: env::Env {
            file: None,
            values: empty,
            file_keys: Vec::new(),
            defaults: BTreeMap::new(),
        },
        used_placeholders: Vec::new(),
        warnings: Vec::new(),
    };
    finish(spec, dir.to_path_buf(), cwd, dir.to_path_buf())
}
