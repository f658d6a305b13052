//! The Python bridge: the one place soopervisor runs user code, and the protocol with
//! the subprocess that does it.
//!
//! Soopervisor reads projects statically. Two things need the project's own Ploomber:
//! a project whose DAG only exists once Python code runs (a `location:` factory, a
//! dotted-path or `package::file` entry point; see [`crate::project::assisted`]), and
//! `export --mode incremental --exact`, which asks Ploomber which tasks `ploomber
//! build` would run. Both run [`LOADER`] (a reviewed, fixed Python program, never built
//! from user input) once, as `PYTHON -c LOADER REPLY ENTRY WANT_STATUS`, in the
//! project's working folder, with a timeout. The program writes one JSON answer to the
//! REPLY file (user code may print anything on stdout); its format is documented at the
//! top of `loader.py` and typed here as [`Reply`].
//!
//! Errors from the Python side become [`UserError`]s: what failed, the innermost
//! exception's last traceback frame (as the error's file and line) and a `help:` line.
//! A missing interpreter and a Ploomber that is not installed get their own messages.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::diagnostics::{UserError, UserResult};

/// The Python program run in the project's environment (see its header for the
/// protocol). Kept as a file so that it is reviewed like code, embedded at build time.
pub const LOADER: &str = include_str!("loader.py");

/// How long the Python side may take unless `SOOPERVISOR_PYTHON_TIMEOUT` (seconds)
/// says otherwise: loading a large DAG on a busy machine takes a while, a factory
/// that waits forever must not hang the export.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// Environment variable naming the interpreter (after `--python`).
pub const PYTHON_VAR: &str = "SOOPERVISOR_PYTHON";

/// The interpreter to run, and where that choice came from (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpreter {
    pub program: PathBuf,
    /// `--python`, `$SOOPERVISOR_PYTHON`, `$VIRTUAL_ENV`, `$CONDA_PREFIX` or `PATH`.
    pub chosen_by: String,
}

impl Interpreter {
    /// `--python PATH`, else `$SOOPERVISOR_PYTHON`, else the active environment's
    /// `python` (`$VIRTUAL_ENV`, `$CONDA_PREFIX`, then the first `python` on `PATH`).
    pub fn find(explicit: Option<&Path>) -> Interpreter {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        if let Some(p) = explicit {
            return Interpreter {
                program: p.to_path_buf(),
                chosen_by: "--python".into(),
            };
        }
        if let Some(p) = var(PYTHON_VAR) {
            return Interpreter {
                program: PathBuf::from(p),
                chosen_by: format!("${PYTHON_VAR}"),
            };
        }
        for env in ["VIRTUAL_ENV", "CONDA_PREFIX"] {
            if let Some(prefix) = var(env) {
                let bin = if cfg!(windows) { "Scripts" } else { "bin" };
                let program = PathBuf::from(prefix).join(bin).join("python");
                if program.exists() {
                    return Interpreter {
                        program,
                        chosen_by: format!("${env}"),
                    };
                }
            }
        }
        Interpreter {
            program: PathBuf::from("python"),
            chosen_by: "PATH".into(),
        }
    }

    /// `/venv/bin/python (from --python)`.
    pub fn describe(&self) -> String {
        format!("{} (from {})", self.program.display(), self.chosen_by)
    }
}

/// One task as Ploomber built it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ReplyTask {
    pub name: String,
    pub class: String,
    pub product_class: String,
    pub source: ReplySource,
    pub upstream: Vec<String>,
    pub product: ReplyProduct,
    pub params: serde_json::Map<String, serde_json::Value>,
}

/// A task's source: a file path (absolute, or relative to the working folder) or a
/// function's dotted path.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ReplySource {
    File(String),
    Dotted(String),
}

/// A SQL relation product.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ReplyRelation {
    pub schema: Option<String>,
    pub name: String,
    pub kind: String,
}

/// A product as Ploomber resolved it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ReplyProduct {
    File(String),
    Relation(ReplyRelation),
    Map(Vec<(String, ReplyProduct)>),
    Other(String),
}

/// Ploomber's answer.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Reply {
    /// Ploomber's version.
    pub ploomber: String,
    /// Tasks in Ploomber's topological order.
    pub tasks: Vec<ReplyTask>,
    /// With `want_status`: the tasks `ploomber build` would run (status not Skipped).
    pub would_run: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct Frame {
    file: String,
    line: usize,
    function: String,
    code: String,
}

#[derive(Debug, Deserialize)]
struct Failure {
    stage: String,
    #[serde(rename = "type")]
    kind: String,
    message: String,
    missing_module: Option<String>,
    frame: Option<Frame>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Answer {
    Error { error: Failure },
    Reply(Reply),
}

/// What to ask Ploomber.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub interpreter: &'a Interpreter,
    /// The folder Ploomber runs in (the project's working folder).
    pub cwd: &'a Path,
    /// The entry point, as `ploomber build --entry-point` takes it.
    pub entry: &'a str,
    /// Also ask which tasks `ploomber build` would run.
    pub want_status: bool,
    /// Why Python is needed, one clause (for error messages).
    pub reason: &'a str,
}

/// The timeout: `SOOPERVISOR_PYTHON_TIMEOUT` seconds, else [`DEFAULT_TIMEOUT`].
fn timeout() -> Duration {
    std::env::var("SOOPERVISOR_PYTHON_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_TIMEOUT)
}

/// Keeps the last `LIMIT` bytes a pipe produced (enough to quote the end of a crash).
fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    const LIMIT: usize = 64 * 1024;
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            kept.extend_from_slice(&buf[..n]);
            if kept.len() > 2 * LIMIT {
                kept.drain(..kept.len() - LIMIT);
            }
        }
        kept
    })
}

fn help_interpreter() -> String {
    format!("pass --python /path/to/python (or set {PYTHON_VAR}) naming the interpreter of the environment where the project and its Ploomber are installed")
}

/// Runs the loader and returns Ploomber's answer, or a clear error.
pub fn ask(req: &Request) -> UserResult<Reply> {
    let dir = tempfile::tempdir()
        .map_err(|e| UserError::new(format!("cannot create a temporary folder: {e}")))?;
    let reply_path = dir.path().join("reply.json");
    let who = req.interpreter.describe();
    let mut child = Command::new(&req.interpreter.program)
        .arg("-c")
        .arg(LOADER)
        .arg(&reply_path)
        .arg(req.entry)
        .arg(if req.want_status { "1" } else { "0" })
        .current_dir(req.cwd)
        // no __pycache__ folders left in the user's project
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            let what = if e.kind() == std::io::ErrorKind::NotFound {
                "does not exist".to_string()
            } else {
                format!("cannot be started: {e}")
            };
            UserError::new(format!(
                "{}, so soopervisor needs Python, but the interpreter {who} {what}",
                capitalised(req.reason)
            ))
            .with_hint(help_interpreter())
        })?;
    let out = drain(child.stdout.take().expect("piped stdout"));
    let err = drain(child.stderr.take().expect("piped stderr"));
    let limit = timeout();
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= limit => {
                // our own child, by its handle
                let _ = child.kill();
                let _ = child.wait();
                return Err(UserError::new(format!(
                    "Python ({who}) did not finish loading the pipeline within {} s",
                    limit.as_secs()
                ))
                .with_hint("a factory that waits (network, locks) cannot be exported; if loading is just slow, raise SOOPERVISOR_PYTHON_TIMEOUT (seconds)"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                return Err(UserError::new(format!(
                    "cannot wait for Python ({who}): {e}"
                )))
            }
        }
    };
    let _ = out.join();
    let stderr = err.join().unwrap_or_default();
    let Ok(text) = std::fs::read_to_string(&reply_path) else {
        let last = String::from_utf8_lossy(&stderr)
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string();
        return Err(UserError::new(format!(
            "Python ({who}) ended ({status}) without answering{}",
            if last.is_empty() {
                String::new()
            } else {
                format!(": {last}")
            }
        ))
        .with_hint(format!(
            "check that it is a Python 3 interpreter that runs; {}",
            help_interpreter()
        )));
    };
    match serde_json::from_str::<Answer>(&text) {
        Ok(Answer::Reply(reply)) => Ok(reply),
        Ok(Answer::Error { error }) => Err(failure(req, &who, error)),
        Err(e) => Err(UserError::new(format!(
            "Python ({who}) answered something soopervisor cannot read: {e}"
        ))
        .with_hint("this is a bug in soopervisor's Python loader; please report it")),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Turns the loader's error report into a soopervisor error.
fn failure(req: &Request, who: &str, f: Failure) -> UserError {
    let detail = format!("{}: {}", f.kind, f.message);
    let mut err = match (f.stage.as_str(), f.missing_module.as_deref()) {
        ("import-ploomber", Some("ploomber")) => {
            return UserError::new(format!(
                "{}, so soopervisor needs the project's Ploomber, but Ploomber is not installed for {who}",
                capitalised(req.reason)
            ))
            .with_hint(format!(
                "install it there ({} -m pip install ploomber), or {}",
                req.interpreter.program.display(),
                help_interpreter()
            ));
        }
        ("import-ploomber", _) => UserError::new(format!(
            "importing Ploomber failed with {who} ({detail})"
        ))
        .with_hint(format!(
            "repair that environment's Ploomber (pip install --force-reinstall ploomber), or {}",
            help_interpreter()
        )),
        ("status", _) => UserError::new(format!(
            "Ploomber could not tell which tasks are outdated ({detail})"
        ))
        .with_hint("`ploomber status` shows the same failure; fix it there, or export without --exact (static status)"),
        _ => UserError::new(format!(
            "Ploomber failed to load the pipeline ({}): {detail}",
            req.reason
        ))
        .with_hint(if f.missing_module.is_some() {
            "install the project's dependencies in that environment (pip install -e . for a package), or choose its interpreter with --python".to_string()
        } else {
            "fix the code at that line; `ploomber status` shows the same failure".to_string()
        }),
    };
    if let Some(frame) = f.frame {
        let code = frame.code.trim();
        err.message = format!(
            "{}; last frame: {}{}",
            err.message,
            frame.function,
            if code.is_empty() {
                String::new()
            } else {
                format!(": `{code}`")
            }
        );
        // `<string>` is the loader itself: no file to point at
        if !frame.file.starts_with('<') {
            err = err.in_file(&frame.file).at_line(frame.line);
        }
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_and_error_answers_parse() {
        let ok = r#"{"ploomber": "0.23.3", "would_run": null, "tasks": [{"name": "a",
            "class": "PythonCallable", "product_class": "File", "source": {"dotted": "m.a"},
            "upstream": [], "params": {"n": 1},
            "product": {"map": [["nb", {"file": "out/a.ipynb"}],
                                ["t", {"relation": {"schema": null, "name": "t", "kind": "table"}}]]}}]}"#;
        let Answer::Reply(r) = serde_json::from_str(ok).unwrap() else {
            panic!("not a reply")
        };
        assert_eq!(r.tasks[0].source, ReplySource::Dotted("m.a".into()));
        let ReplyProduct::Map(m) = &r.tasks[0].product else {
            panic!()
        };
        assert_eq!(
            m[0],
            ("nb".into(), ReplyProduct::File("out/a.ipynb".into()))
        );
        let bad = r#"{"error": {"stage": "load", "type": "ValueError", "message": "boom",
            "missing_module": null, "frame": {"file": "/p/f.py", "line": 3, "function": "make", "code": "raise ValueError('boom')"}}}"#;
        let Answer::Error { error } = serde_json::from_str(bad).unwrap() else {
            panic!("not an error")
        };
        let interp = Interpreter::find(Some(Path::new("/x/python")));
        let req = Request {
            interpreter: &interp,
            cwd: Path::new("/p"),
            entry: "f.make",
            want_status: false,
            reason: "the entry point is a factory",
        };
        let e = failure(&req, &interp.describe(), error);
        assert_eq!(e.file.as_deref(), Some(Path::new("/p/f.py")));
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("ValueError: boom"), "{}", e.message);
        assert!(e.message.contains("last frame: make"), "{}", e.message);
        assert!(e.hint.is_some());
    }

    #[test]
    fn explicit_interpreter_wins() {
        let i = Interpreter::find(Some(Path::new("/opt/py")));
        assert_eq!(i.program, PathBuf::from("/opt/py"));
        assert_eq!(i.chosen_by, "--python");
    }

    #[test]
    fn a_missing_interpreter_is_named_with_the_fix() {
        let d = tempfile::tempdir().unwrap();
        let interp = Interpreter::find(Some(&d.path().join("no-such-python")));
        let err = ask(&Request {
            interpreter: &interp,
            cwd: d.path(),
            entry: "pkg.make",
            want_status: false,
            reason: "the entry point is a factory",
        })
        .unwrap_err();
        assert!(err.message.contains("does not exist"), "{}", err.message);
        assert!(err.message.contains("(from --python)"), "{}", err.message);
        assert!(err.hint.unwrap().contains("--python"));
    }
}
