//! Python-assisted loading: when, and only when, static analysis cannot read a project
//! (a `location:` factory, a dotted-path or `package::file` entry point), or when
//! `--exact` asks Ploomber which tasks are outdated, the project's own Ploomber is run
//! once through [`crate::python`] and its DAG becomes the [`Project`].
//!
//! The static loader always runs first; Python is considered only when it fails on one
//! of those cases, so a project it can read never runs user code. `--no-python`
//! ([`PythonOptions::forbidden`]) turns the need into an error that says why.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::diagnostics::{UserError, UserResult};
use crate::model::{Product, Source, SqlRelation, Task};
use crate::python::{self, Interpreter, Reply, ReplyProduct, ReplySource};

use super::entry_point::{self, EntryPoint};
use super::{paths, yaml, LoadOptions, Project};

/// May soopervisor run the project's Python, and with which interpreter.
#[derive(Debug, Clone, Default)]
pub struct PythonOptions {
    /// `--python PATH`.
    pub interpreter: Option<PathBuf>,
    /// `--no-python`: refuse projects that need it.
    pub forbidden: bool,
}

/// A loaded project, and (with `exact_status`) the tasks `ploomber build` would run.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub project: Project,
    pub would_run: Option<BTreeSet<String>>,
    /// When Python was used: one sentence saying so and why (for stderr).
    pub python_note: Option<String>,
}

/// Why a project needs Python, and how to hand it to Ploomber.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// One clause: "the entry point 'a.b.make' is a dotted path to a factory function".
    pub reason: String,
    /// The value passed to Ploomber's loader.
    pub entry: String,
    /// The project root paths are reported against.
    pub root: PathBuf,
    /// Where the pipeline is declared (for messages).
    pub spec_path: PathBuf,
    /// The `--entry-point` pods pass to `ploomber task`, when it is not a spec file.
    pub pod_entry_point: Option<String>,
}

fn is_dotted(value: &str) -> bool {
    let is_yaml = value.ends_with(".yaml") || value.ends_with(".yml");
    value.contains('.') && !is_yaml && !value.contains('/') && !value.contains('*')
}

/// The `location:` value of a spec whose only top-level key is `location`.
fn location_of(spec: &Path) -> Option<(String, usize)> {
    let text = super::read_text(spec).ok()?;
    let doc = yaml::parse(&text).ok()?;
    let entries = doc.as_map()?;
    let (key, value) = entries.first()?;
    (entries.len() == 1 && key.value.python_str() == "location")
        .then(|| (value.value.python_str(), key.line))
}

/// Decides whether the project the options point at needs Python (None: it does not,
/// and the static loader's error stands).
pub fn needs_python(opts: &LoadOptions) -> Option<Need> {
    let cwd = &opts.cwd;
    let from_value = |value: &str, origin: &str| -> Option<Need> {
        let what = if value.contains("::") && !value.contains('*') {
            "a module path (package::file), resolved by importing the package"
        } else if is_dotted(value) && !cwd.join(value).exists() {
            "a dotted path to a factory function"
        } else {
            return None;
        };
        Some(Need {
            reason: format!("the entry point '{value}'{origin} is {what}"),
            entry: value.to_string(),
            root: cwd.clone(),
            spec_path: cwd.clone(),
            pod_entry_point: Some(value.to_string()),
        })
    };
    let spec = match &opts.entry_point {
        Some(value) => {
            if let Some(need) = from_value(value, "") {
                return Some(need);
            }
            let path = cwd.join(value);
            path.is_file().then_some(path)?
        }
        None => {
            if let Some(value) = std::env::var("ENTRY_POINT").ok().filter(|v| !v.is_empty()) {
                if let Some(need) = from_value(&value, " (from ENTRY_POINT)") {
                    return Some(need);
                }
            }
            match entry_point::discover(cwd).ok()? {
                EntryPoint::File(path) => path,
                _ => return None,
            }
        }
    };
    let spec = paths::normalize(&spec);
    let (factory, _line) = location_of(&spec)?;
    let spec_dir = spec.parent().unwrap_or(cwd).to_path_buf();
    let file_name = spec
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let root = entry_point::find_root(&spec_dir, &file_name).unwrap_or(spec_dir);
    Some(Need {
        reason: format!("the spec builds its DAG with a Python factory ('location: {factory}')"),
        entry: spec.display().to_string(),
        root,
        spec_path: spec,
        pod_entry_point: None,
    })
}

/// Loads the project: statically when possible, with the project's Ploomber when it
/// must be (see the module doc). With `exact_status`, Ploomber is also asked which
/// tasks `ploomber build` would run (one Python run in all).
pub fn load(opts: &LoadOptions, py: &PythonOptions, exact_status: bool) -> UserResult<Loaded> {
    let static_error = match super::load(opts) {
        Ok(project) if !exact_status => {
            return Ok(Loaded {
                project,
                would_run: None,
                python_note: None,
            })
        }
        Ok(project) => return exact_for_static(opts, py, project),
        Err(e) => e,
    };
    let Some(need) = needs_python(opts) else {
        return Err(static_error);
    };
    if py.forbidden {
        return Err(UserError::new(format!(
            "{}, which only Python can load, and --no-python forbids running it",
            need.reason
        ))
        .in_file(&need.spec_path)
        .with_hint("drop --no-python to let soopervisor run the project's own Ploomber once (choose the interpreter with --python PATH or $SOOPERVISOR_PYTHON), or list the tasks in a pipeline.yaml"));
    }
    let interpreter = Interpreter::find(py.interpreter.as_deref());
    let reply = python::ask(&python::Request {
        interpreter: &interpreter,
        cwd: &opts.cwd,
        entry: &need.entry,
        want_status: exact_status,
        reason: &need.reason,
    })?;
    let note = format!(
        "note: {}: loaded it by running Ploomber {} with {}{}",
        need.reason,
        reply.ploomber,
        interpreter.describe(),
        if exact_status {
            ", which also said which tasks are outdated"
        } else {
            ""
        }
    );
    let would_run = reply.would_run.clone().map(|w| w.into_iter().collect());
    let tasks = tasks_from_reply(reply, &opts.cwd, &need.root, &need.spec_path);
    Ok(Loaded {
        project: Project {
            spec_path: need.spec_path,
            root: need.root,
            tasks,
            warnings: Vec::new(),
            used_placeholders: Vec::new(),
            placeholder_defaults: Default::default(),
            env_file_keys: Vec::new(),
            // Ploomber read the env itself: the credential check of env.yaml is skipped
            env_file: None,
            pod_entry_point: need.pod_entry_point,
        },
        would_run,
        python_note: Some(note),
    })
}

/// `--exact` on a project read statically: Ploomber loads the same entry point and
/// says which tasks would run; its task names must be ours.
fn exact_for_static(
    opts: &LoadOptions,
    py: &PythonOptions,
    project: Project,
) -> UserResult<Loaded> {
    if py.forbidden {
        return Err(UserError::new(
            "--exact asks the project's Ploomber which tasks are outdated, which means running Python, and --no-python forbids it",
        )
        .with_hint("drop --no-python, or drop --exact to use the static status"));
    }
    let entry = opts
        .entry_point
        .clone()
        .unwrap_or_else(|| project.spec_path.display().to_string());
    let interpreter = Interpreter::find(py.interpreter.as_deref());
    let reply = python::ask(&python::Request {
        interpreter: &interpreter,
        cwd: &opts.cwd,
        entry: &entry,
        want_status: true,
        reason: "--exact asks Ploomber which tasks are outdated",
    })?;
    let theirs: BTreeSet<&str> = reply.tasks.iter().map(|t| t.name.as_str()).collect();
    let ours: BTreeSet<&str> = project.tasks.iter().map(|t| t.name.as_str()).collect();
    if theirs != ours {
        let only_theirs: Vec<&&str> = theirs.difference(&ours).take(5).collect();
        let only_ours: Vec<&&str> = ours.difference(&theirs).take(5).collect();
        return Err(UserError::new(format!(
            "Ploomber ({}) and soopervisor disagree on the tasks of this pipeline: only Ploomber has {only_theirs:?}, only soopervisor has {only_ours:?}",
            interpreter.describe()
        ))
        .in_file(&project.spec_path)
        .with_hint("check that --python names the project's environment; if it does, please report this difference"));
    }
    let would_run = reply.would_run.map(|w| w.into_iter().collect());
    Ok(Loaded {
        project,
        would_run,
        python_note: Some(format!(
            "note: --exact: asked Ploomber {} ({}) which tasks are outdated",
            reply.ploomber,
            interpreter.describe()
        )),
    })
}

/// A path from the reply (absolute, or relative to the working folder) as the model's
/// absolute path and root-relative form. Python resolves symlinks in the working
/// folder; such paths are mapped back under the root as the user wrote it.
fn place(path: &str, cwd: &Path, root: &Path) -> (PathBuf, String) {
    let mut abs = paths::normalize(&cwd.join(path));
    if !paths::is_inside(&abs, root) {
        if let Ok(real_root) = std::fs::canonicalize(root) {
            if let Ok(rest) = abs.strip_prefix(&real_root) {
                abs = root.join(rest);
            }
        }
    }
    let relative = paths::relative_to(&abs, root);
    (abs, relative)
}

fn product(p: ReplyProduct, cwd: &Path, root: &Path) -> Product {
    match p {
        ReplyProduct::File(f) => {
            let (path, relative) = place(&f, cwd, root);
            Product::File { path, relative }
        }
        ReplyProduct::Relation(r) => Product::Relation(SqlRelation {
            schema: r.schema,
            name: r.name,
            kind: r.kind,
        }),
        ReplyProduct::Map(entries) => Product::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k, product(v, cwd, root)))
                .collect(),
        ),
        ReplyProduct::Other(s) => Product::Other(s),
    }
}

/// The model's tasks from Ploomber's answer.
pub fn tasks_from_reply(reply: Reply, cwd: &Path, root: &Path, declared_in: &Path) -> Vec<Task> {
    reply
        .tasks
        .into_iter()
        .map(|t| Task {
            name: t.name,
            class: t.class,
            product_class: t.product_class,
            source: match t.source {
                ReplySource::Dotted(d) => Source::DottedPath(d),
                ReplySource::File(f) => {
                    let (path, relative) = place(&f, cwd, root);
                    Source::File { path, relative }
                }
            },
            product: product(t.product, cwd, root),
            params: t.params,
            upstream: t.upstream,
            declared_in: declared_in.to_path_buf(),
            declared_line: 1,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(cwd: &Path, entry: Option<&str>) -> LoadOptions {
        LoadOptions {
            cwd: cwd.to_path_buf(),
            entry_point: entry.map(str::to_string),
        }
    }

    #[test]
    fn only_python_only_projects_need_python() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("pipeline.yaml"), "location: f.make\n").unwrap();
        let need = needs_python(&opts(d.path(), None)).unwrap();
        assert!(need.reason.contains("location: f.make"), "{}", need.reason);
        assert_eq!(need.pod_entry_point, None);
        let need = needs_python(&opts(d.path(), Some("pkg.pipeline.make"))).unwrap();
        assert!(need.reason.contains("dotted path to a factory"));
        assert_eq!(need.pod_entry_point.as_deref(), Some("pkg.pipeline.make"));
        let need = needs_python(&opts(d.path(), Some("pkg::pipeline.yaml"))).unwrap();
        assert!(need.reason.contains("module path"));
        // a spec with tasks, a missing yaml file, a pattern: never Python
        std::fs::write(d.path().join("other.yaml"), "tasks: []\n").unwrap();
        assert_eq!(needs_python(&opts(d.path(), Some("other.yaml"))), None);
        assert_eq!(needs_python(&opts(d.path(), Some("missing.yaml"))), None);
        assert_eq!(needs_python(&opts(d.path(), Some("*.py"))), None);
    }

    #[test]
    fn no_python_refuses_with_the_reason() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("pipeline.yaml"), "location: f.make\n").unwrap();
        let py = PythonOptions {
            interpreter: None,
            forbidden: true,
        };
        let err = load(&opts(d.path(), None), &py, false).unwrap_err();
        assert!(err.message.contains("location: f.make"), "{}", err.message);
        assert!(err.message.contains("--no-python"), "{}", err.message);
    }

    #[test]
    fn reply_paths_become_root_relative() {
        let root = Path::new("/p/proj");
        assert_eq!(
            place("out/a.csv", root, root),
            (PathBuf::from("/p/proj/out/a.csv"), "out/a.csv".to_string())
        );
        assert_eq!(place("/p/proj/src/../b.py", root, root).1, "b.py");
    }
}
