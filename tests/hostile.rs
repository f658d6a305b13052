//! Hostile and odd input through the real binary (issue 7): resource bombs, binary junk,
//! special files, symlink loops, and names built to inject shell commands.
//!
//! Every run is bounded: the binary runs under `ulimit -v` (memory) and is killed when it
//! takes longer than [`HANG_GUARD`] (a hang guard, not a speed assertion). Failures
//! must exit 1 with one clean `error:` paragraph naming the file, print nothing on
//! stdout, write nothing and leave the project byte-for-byte unchanged.
//!
//! The injection tests export a project whose task names, params, paths and env values
//! hold quotes, spaces, newlines, `$(...)`, backticks, `;` and unicode, then run the
//! generated scripts with bash against fake `conda`/`pip`/`python`/`ploomber`/`sbatch`
//! and check that the marker command embedded in the names never runs and that the
//! exact names reach the fake `ploomber`.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::{symlink, FileTypeExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Longest a single run may take before it counts as a hang.
const HANG_GUARD: Duration = Duration::from_secs(60);
/// Address-space limit for the binary (KiB): far above a legal run, far below a bomb.
const MEMORY_LIMIT_KB: u64 = 4 * 1024 * 1024;

/// Runs the binary in `cwd` under the memory limit, killing it after [`HANG_GUARD`].
fn run_bounded(cwd: &Path, args: &[&str]) -> Output {
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_LIMIT_KB}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_soopervisor"))
        .args(args)
        .current_dir(cwd)
        .env_remove("ENTRY_POINT")
        .env_remove("PLOOMBER_ENV_FILENAME")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn soopervisor");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stderr.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > HANG_GUARD {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "soopervisor {args:?} in {} did not finish within {HANG_GUARD:?} (hang)",
                cwd.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}

/// What a project folder holds: regular files by content hash, symlinks by target,
/// special files by kind. Never follows symlinks nor opens pipes (unlike
/// `common::snapshot_tree`, which a symlink loop or a FIFO would trap).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, String> {
    use std::hash::{Hash, Hasher};
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(dir).unwrap().to_path_buf();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            let ft = meta.file_type();
            let what = if ft.is_symlink() {
                format!("-> {}", std::fs::read_link(&p).unwrap().display())
            } else if ft.is_dir() {
                stack.push(p);
                "dir".to_string()
            } else if ft.is_file() {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                std::fs::read(&p).unwrap().hash(&mut h);
                format!("{:x} {}", h.finish(), meta.len())
            } else if ft.is_fifo() {
                "fifo".to_string()
            } else {
                "special".to_string()
            };
            out.insert(rel, what);
        }
    }
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A clean failure: exit 1, one `error:` paragraph with `phrase` and `file`, no panic,
/// nothing on stdout.
fn assert_clean_failure(out: &Output, phrase: &str, file: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "want exit 1; stderr:\n{err}");
    assert!(!err.contains("panicked"), "panic:\n{err}");
    assert!(
        err.starts_with("error") || err.contains("\nerror"),
        "not an error paragraph:\n{err}"
    );
    assert!(
        err.to_lowercase().contains(&phrase.to_lowercase()),
        "error does not say '{phrase}':\n{err}"
    );
    assert!(err.contains(file), "error does not name {file}:\n{err}");
    assert!(
        out.stdout.is_empty(),
        "printed on stdout despite failing: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// A project folder in a temp dir with an environment.yml and the given files.
struct Project {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Project {
    fn new(files: &[(&str, &[u8])]) -> Project {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("proj");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(
            root.join("environment.yml"),
            "name: hostile\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n    - ploomber\n",
        )
        .unwrap();
        let p = Project { _tmp: tmp, root };
        for (path, content) in files {
            p.write(path, content);
        }
        p
    }

    fn write(&self, path: &str, content: &[u8]) {
        let full = self.root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }

    fn path(&self, p: &str) -> PathBuf {
        self.root.join(p)
    }

    /// Runs `args` and asserts the project is unchanged afterwards (plus `allowed`
    /// new files, for successful exports).
    fn run(&self, args: &[&str]) -> Output {
        let before = snapshot(&self.root);
        let out = run_bounded(&self.root, args);
        let after = snapshot(&self.root);
        if out.status.success() {
            for (k, v) in &before {
                assert_eq!(after.get(k), Some(v), "{} was modified", k.display());
            }
        } else {
            assert_eq!(before, after, "a failed run changed the project");
        }
        out
    }

    /// `inspect` and a failing `export` both fail cleanly with `phrase` naming `file`.
    fn assert_fails(&self, phrase: &str, file: &str) {
        let out = self.run(&["inspect", "--format", "json"]);
        assert_clean_failure(&out, phrase, file);
        let out = self.run(&["export", "--backend", "argo", "--storage", "nfs"]);
        assert_clean_failure(&out, phrase, file);
        assert!(!self.path("argo.yaml").exists());
    }
}

const PARAMS_CELL: &str =
    "# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n";

fn one_task_spec(source: &str) -> String {
    format!("tasks:\n  - source: {source}\n    product: out/a.ipynb\n")
}

#[test]
fn yaml_alias_bomb_is_refused() {
    let mut spec = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        spec.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    spec.push_str("tasks: []\n");
    let p = Project::new(&[("pipeline.yaml", spec.as_bytes())]);
    p.assert_fails("alias bomb", "pipeline.yaml");
}

#[test]
fn deeply_nested_yaml_is_refused() {
    for (doc, phrase) in [
        (
            format!("tasks: {}{}\n", "[".repeat(10_000), "]".repeat(10_000)),
            "invalid YAML: the document is nested too deeply (recursion limit exceeded)",
        ),
        (
            format!("tasks: {}1{}\n", "{a: ".repeat(10_000), "}".repeat(10_000)),
            "recursion limit exceeded",
        ),
        (
            (0..2_000)
                .map(|i| format!("{}- \n", "  ".repeat(i)))
                .collect::<String>(),
            "invalid YAML",
        ),
    ] {
        let p = Project::new(&[("pipeline.yaml", doc.as_bytes())]);
        p.assert_fails(phrase, "pipeline.yaml");
    }
}

#[test]
fn deeply_nested_env_yaml_is_refused() {
    let env = format!("x: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let p = Project::new(&[
        ("pipeline.yaml", one_task_spec("a.py").as_bytes()),
        ("a.py", PARAMS_CELL.as_bytes()),
        ("env.yaml", env.as_bytes()),
    ]);
    p.assert_fails("invalid YAML", "env.yaml");
}

#[test]
fn a_20_mb_notebook_is_read() {
    let mut cells = vec![json!({
        "cell_type": "code", "metadata": {"tags": ["parameters"]},
        "source": ["upstream = None\n", "product = None\n"],
        "outputs": [], "execution_count": null
    })];
    let blob = "x".repeat(1000);
    for _ in 0..20_000 {
        cells.push(json!({
            "cell_type": "code", "metadata": {}, "source": ["print(1)\n"],
            "outputs": [{"output_type": "stream", "name": "stdout", "text": [blob]}],
            "execution_count": 1
        }));
    }
    let nb = json!({
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "language": "python", "display_name": "P"}},
        "nbformat": 4, "nbformat_minor": 5
    })
    .to_string();
    assert!(nb.len() > 20_000_000);
    let p = Project::new(&[
        ("pipeline.yaml", one_task_spec("a.ipynb").as_bytes()),
        ("a.ipynb", nb.as_bytes()),
    ]);
    let out = p.run(&["inspect", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tasks"]["a"]["source"], "a.ipynb");
}

#[test]
fn binary_junk_as_the_spec_is_refused() {
    // deterministic junk: every byte value, many times
    let junk: Vec<u8> = (0..50_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let p = Project::new(&[("pipeline.yaml", &junk)]);
    p.assert_fails("not valid UTF-8", "pipeline.yaml");
}

#[test]
fn binary_junk_as_a_source_is_refused() {
    let junk: Vec<u8> = (0..50_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    let p = Project::new(&[
        ("pipeline.yaml", one_task_spec("a.py").as_bytes()),
        ("a.py", &junk),
    ]);
    p.assert_fails("not valid UTF-8", "a.py");
    // ASCII junk in a notebook: not JSON
    let ascii: Vec<u8> = junk.iter().map(|b| b'!' + b % 90).collect();
    let p = Project::new(&[
        ("pipeline.yaml", one_task_spec("a.ipynb").as_bytes()),
        ("a.ipynb", &ascii),
    ]);
    p.assert_fails("notebook", "a.ipynb");
}

#[test]
fn non_utf8_spec_names_the_line() {
    let p = Project::new(&[(
        "pipeline.yaml",
        b"tasks:\n  - source: a.py\n    product: \xff\xfe.ipynb\n",
    )]);
    p.assert_fails("not valid UTF-8", "pipeline.yaml:3");
}

#[test]
fn empty_files() {
    let p = Project::new(&[("pipeline.yaml", b"")]);
    p.assert_fails("expected the spec to be a mapping", "pipeline.yaml");
    // an empty source is legal: no parameters cell is a warning, not an error
    let p = Project::new(&[
        ("pipeline.yaml", one_task_spec("a.py").as_bytes()),
        ("a.py", b""),
    ]);
    let out = p.run(&["inspect", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning:"), "{}", stderr(&out));
}

#[test]
fn spec_that_is_a_folder_is_refused() {
    let p = Project::new(&[("pipeline.yaml/inner.txt", b"x")]);
    p.assert_fails("found a folder", "pipeline.yaml");
    let p = Project::new(&[("pipeline.yaml", one_task_spec("a.py").as_bytes())]);
    std::fs::create_dir(p.path("a.py")).unwrap();
    p.assert_fails("folder", "a.py");
}

#[test]
fn a_source_symlinked_to_itself_is_refused() {
    let p = Project::new(&[("pipeline.yaml", one_task_spec("a.py").as_bytes())]);
    symlink("a.py", p.path("a.py")).unwrap();
    p.assert_fails("a.py", "pipeline.yaml");
}

#[test]
fn a_folder_loop_under_the_project_is_harmless() {
    let p = Project::new(&[
        ("pipeline.yaml", one_task_spec("a.py").as_bytes()),
        ("a.py", PARAMS_CELL.as_bytes()),
    ]);
    symlink(".", p.path("loop")).unwrap();
    symlink("..", p.path("up")).unwrap();
    let out = p.run(&["inspect", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = p.run(&["export", "--backend", "argo", "--storage", "nfs"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = p.run(&["export", "--backend", "slurm"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Regression: a `**` pattern entry point walked symlinked folder loops through the
/// `glob` crate, which follows symlinks; two loops made 2^40 paths (a hang). Now the
/// loop is found first and named.
#[test]
fn a_pattern_entry_point_over_a_folder_loop_is_refused() {
    let p = Project::new(&[("a.py", PARAMS_CELL.as_bytes())]);
    symlink(".", p.path("loop")).unwrap();
    symlink(".", p.path("again")).unwrap();
    let out = p.run(&["inspect", "-e", "**/*.py"]);
    // the file is shown relative to the shell's folder (the project here)
    assert_clean_failure(&out, "symlink back into a folder", "]: ");
    let err = stderr(&out);
    assert!(
        err.contains("]: loop:") || err.contains("]: again:"),
        "{err}"
    );
    // without a loop, the same pattern works
    let cell = |name: &str| {
        format!("# %% tags=[\"parameters\"]\nupstream = None\nproduct = 'out/{name}.ipynb'\n# %%\nprint(1)\n")
    };
    let p = Project::new(&[
        ("a.py", cell("a").as_bytes()),
        ("sub/b.py", cell("b").as_bytes()),
    ]);
    let out = p.run(&["inspect", "-e", "**/*.py", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tasks"].as_object().unwrap().len(), 2, "{v}");
}

#[test]
fn pipes_and_devices_are_refused_without_blocking() {
    // a named pipe as the spec used to block forever on open
    let p = Project::new(&[]);
    let fifo = p.path("pipeline.yaml");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    p.assert_fails("regular file", "pipeline.yaml");
    // /dev/zero as the spec used to be read until memory ran out
    let p = Project::new(&[]);
    symlink("/dev/zero", p.path("pipeline.yaml")).unwrap();
    p.assert_fails("regular file", "pipeline.yaml");
    // a pipe as a source
    let p = Project::new(&[("pipeline.yaml", one_task_spec("a.py").as_bytes())]);
    assert!(Command::new("mkfifo")
        .arg(p.path("a.py"))
        .status()
        .unwrap()
        .success());
    let out = p.run(&["inspect"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("a.py"), "{}", stderr(&out));
}

#[test]
fn special_environment_and_env_files_end() {
    for (name, make_fifo) in [
        ("environment.yml", true),
        ("env.yaml", true),
        ("environment.yml", false),
    ] {
        let p = Project::new(&[
            ("pipeline.yaml", one_task_spec("a.py").as_bytes()),
            ("a.py", PARAMS_CELL.as_bytes()),
        ]);
        let _ = std::fs::remove_file(p.path(name));
        if make_fifo {
            assert!(Command::new("mkfifo")
                .arg(p.path(name))
                .status()
                .unwrap()
                .success());
        } else {
            symlink("/dev/zero", p.path(name)).unwrap();
        }
        // any outcome but a hang or a crash; a failure must be clean
        let out = p.run(&[
            "export",
            "--backend",
            "argo",
            "--storage",
            "nfs",
            "--output",
            "-",
        ]);
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert!(
            matches!(out.status.code(), Some(0) | Some(1)),
            "{name}: {err}"
        );
    }
}

#[test]
fn deeply_nested_python_is_refused_clearly() {
    let deep = format!("{}1", "-".repeat(100_000));
    let cell =
        format!("# %% tags=[\"parameters\"]\nupstream = None\nproduct = {deep}\n# %%\nprint(1)\n");
    let p = Project::new(&[
        ("pipeline.yaml", one_task_spec("a.py").as_bytes()),
        ("a.py", cell.as_bytes()),
    ]);
    p.assert_fails("nested more than", "a.py:3");
    let module = format!("def f(product, upstream):\n    return {deep}\n");
    let p = Project::new(&[
        (
            "pipeline.yaml",
            b"tasks:\n  - source: fns.f\n    product: out/f.csv\n",
        ),
        ("fns.py", module.as_bytes()),
    ]);
    p.assert_fails("nested more than", "fns.py");
    let spec = format!(
        "tasks:\n  - source: a.py\n    product: out/a.ipynb\n    params:\n      x: '{}'\n",
        "[".repeat(50_000) + &"]".repeat(50_000)
    );
    let p = Project::new(&[
        ("pipeline.yaml", spec.as_bytes()),
        ("a.py", PARAMS_CELL.as_bytes()),
    ]);
    let out = p.run(&["inspect", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn deeply_nested_templates_are_refused_clearly() {
    let sql = format!(
        "select {{{{ {}1{} }}}}\n",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let p = Project::new(&[
        (
            "pipeline.yaml",
            b"tasks:\n  - source: q.sql\n    product: [s, t, table]\n    client: db.get\n",
        ),
        ("q.sql", sql.as_bytes()),
    ]);
    p.assert_fails("recursion", "q.sql");
}

#[test]
fn export_failure_writes_nothing() {
    let p = Project::new(&[("pipeline.yaml", one_task_spec("missing.py").as_bytes())]);
    for args in [
        vec!["export", "--backend", "argo", "--storage", "nfs"],
        vec!["export", "--backend", "slurm"],
        vec![
            "export",
            "--backend",
            "argo",
            "--storage",
            "nfs",
            "--output",
            "out/spec.yaml",
        ],
    ] {
        let out = p.run(&args);
        assert_clean_failure(&out, "does not exist", "pipeline.yaml");
    }
    assert!(!p.path("slurm").exists() && !p.path("out").exists());
}

/// Products escaping the project cannot be reached by pods on the shared disk
/// (`core::plan::build::require_products_inside_root`, called by the argo backend).
#[test]
fn products_outside_the_project_are_refused_for_nfs() {
    let p = Project::new(&[
        (
            "pipeline.yaml",
            b"tasks:\n  - source: a.py\n    product: ../x.csv\n",
        ),
        ("a.py", PARAMS_CELL.as_bytes()),
    ]);
    let out = p.run(&["export", "--backend", "argo", "--storage", "nfs"]);
    assert_clean_failure(&out, "outside the project", "pipeline.yaml");
    assert!(!p.path("argo.yaml").exists());
}

// ---------------------------------------------------------------------------------
// Injection safety
// ---------------------------------------------------------------------------------

/// Text that runs `touch MARKER` if it ever reaches a shell as code.
const EVIL: &str = "$(touch MARKER) `touch MARKER`; touch MARKER; echo 'q' \"dq\" ü ${HOME} \\";

/// A project whose names, params, paths and env values are all hostile, returning it
/// and the exact Ploomber task names.
fn injection_project(env_name: &str) -> (Project, Vec<String>) {
    let p = Project::new(&[]);
    p.write(
        "environment.yml",
        format!(
            "name: {}\ndependencies:\n  - pip\n  - pip:\n    - ploomber\n",
            serde_json::to_string(env_name).unwrap()
        )
        .as_bytes(),
    );
    let src1 = format!("scripts/we ird {} ü.py", EVIL.replace(['/', '\\'], "_"));
    p.write(&src1, PARAMS_CELL.as_bytes());
    let name1 = format!("load {EVIL}");
    p.write(
        "scripts/b.py",
        format!(
            "# %% tags=[\"parameters\"]\nupstream = [{}]\nproduct = None\n# %%\nprint(1)\n",
            serde_json::to_string(&name1).unwrap()
        )
        .as_bytes(),
    );
    p.write(
        "scripts/c.py",
        b"# %% tags=[\"parameters\"]\nupstream = ['b-*']\nproduct = None\n# %%\nprint(1)\n",
    );
    let grid = [
        "$(touch MARKER)",
        "`touch MARKER`;x y",
        "nl\n$(touch MARKER)",
    ];
    let spec = json!({"tasks": [
        {"source": src1, "name": name1,
         "product": format!("out/{}.ipynb", EVIL.replace(['/', '\\'], "_")),
         "params": {"p": format!("{EVIL}\nline2"), "q": "{{evil}}"}},
        {"source": "scripts/b.py", "name": "b-[[i]]", "grid": {"i": grid},
         "product": "out/b-[[i]].ipynb"},
        {"source": "scripts/c.py", "name": "c;touch MARKER", "product": "out/c.ipynb"},
    ]});
    p.write(
        "pipeline.yaml",
        serde_json::to_string_pretty(&spec).unwrap().as_bytes(),
    );
    p.write("env.yaml", json!({ "evil": EVIL }).to_string().as_bytes());
    let mut names = vec![name1];
    names.extend(grid.iter().map(|g| format!("b-{g}")));
    names.push("c;touch MARKER".into());
    (p, names)
}

/// A folder of fake tools: each records its arguments (NUL-separated, one line per
/// call) in `calls/<tool>`; `sbatch --parsable` prints a job id.
fn fake_tools(dir: &Path) -> PathBuf {
    let bin = dir.join("fakebin");
    std::fs::create_dir_all(&bin).unwrap();
    let calls = dir.join("calls");
    std::fs::create_dir_all(&calls).unwrap();
    for tool in ["conda", "pip", "python", "ploomber", "sbatch"] {
        let extra = if tool == "sbatch" {
            "n=$(cat \"$CALLS/sbatch.count\" 2>/dev/null || echo 100); n=$((n+1)); echo $n >\"$CALLS/sbatch.count\"; echo \"$n\"\n"
        } else {
            ""
        };
        let script = format!(
            "#!/bin/bash\nCALLS={calls}\nprintf '%s\\0' \"$@\" >>\"$CALLS/{tool}\"\nprintf '\\n' >>\"$CALLS/{tool}\"\n{extra}exit 0\n",
            calls = shell_quote(&calls.display().to_string()),
        );
        let path = bin.join(tool);
        std::fs::write(&path, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Argument lists the fake `tool` was called with.
fn calls(dir: &Path, tool: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(dir.join("calls").join(tool)).unwrap_or_default();
    text.split("\0\n")
        .filter(|c| !c.is_empty())
        .map(|c| c.split('\0').map(str::to_string).collect())
        .collect()
}

/// Runs `bash script` in `cwd` with the fake tools first on PATH.
fn run_script(cwd: &Path, bin: &Path, script: &Path, envs: &[(&str, &str)]) -> Output {
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let mut cmd = Command::new("bash");
    cmd.arg(script)
        .current_dir(cwd)
        .env("PATH", path)
        .env("HOME", cwd)
        .envs(envs.iter().copied());
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn assert_no_marker(root: &Path) {
    let found: Vec<_> = walk_files(root)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "MARKER"))
        .collect();
    assert!(found.is_empty(), "an injected command ran: {found:?}");
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

#[test]
fn injected_names_stay_data_in_the_argo_pod_script() {
    let env_name = "env $(touch MARKER) `touch MARKER`; 'x'";
    let (p, names) = injection_project(env_name);
    let out = p.run(&[
        "export",
        "--backend",
        "argo",
        "--storage",
        "nfs",
        "--format",
        "json",
        "--output",
        "spec.json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let spec: Value =
        serde_json::from_str(&std::fs::read_to_string(p.path("spec.json")).unwrap()).unwrap();
    // the YAML form carries the same data
    let out = p.run(&[
        "export",
        "--backend",
        "argo",
        "--storage",
        "nfs",
        "--output",
        "spec.yaml",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let yaml: Value =
        serde_yaml::from_str(&std::fs::read_to_string(p.path("spec.yaml")).unwrap()).unwrap();
    assert_eq!(yaml, spec, "YAML and JSON exports differ");
    // and reads the same under YAML 1.1 rules (Argo's go-yaml v2, kubectl)
    let yaml11 = soopervisor_core::project::yaml::parse(
        &std::fs::read_to_string(p.path("spec.yaml")).unwrap(),
    )
    .unwrap()
    .value
    .to_json();
    assert_eq!(
        yaml11, spec,
        "the YAML export reads differently under YAML 1.1"
    );

    let templates = spec["spec"]["templates"].as_array().unwrap();
    let dag_tasks: Vec<&Value> = templates
        .iter()
        .filter_map(|t| t["dag"]["tasks"].as_array())
        .flatten()
        .collect();
    let passed: Vec<String> = dag_tasks
        .iter()
        .map(|t| {
            t["arguments"]["parameters"][0]["value"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let mut want = names.clone();
    want.sort();
    let mut got = passed.clone();
    got.sort();
    assert_eq!(got, want, "every exact Ploomber name is passed to its pod");
    for t in &dag_tasks {
        let name = t["name"].as_str().unwrap();
        assert!(
            soopervisor_core::output::names::is_engine_name(name),
            "{name}"
        );
    }

    let script = templates
        .iter()
        .find_map(|t| t["script"]["source"].as_str())
        .expect("a script template");
    let bin = fake_tools(p._tmp.path());
    std::fs::write(p._tmp.path().join("pod.sh"), script).unwrap();
    for name in &names {
        run_script(
            &p.root,
            &bin,
            &p._tmp.path().join("pod.sh"),
            &[("PLOOMBER_TASK", name.as_str())],
        );
    }
    assert_no_marker(p._tmp.path());
    let ploomber = calls(p._tmp.path(), "ploomber");
    let ran: Vec<&str> = ploomber.iter().map(|c| c[1].as_str()).collect();
    assert_eq!(ran, names.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(ploomber.iter().all(|c| c[0] == "task"), "{ploomber:?}");
    // the conda environment name reaches conda intact
    let conda = calls(p._tmp.path(), "conda");
    assert!(
        conda.iter().any(|c| c.contains(&env_name.to_string())),
        "{conda:?}"
    );
}

#[test]
fn injected_names_stay_data_in_slurm_scripts() {
    let (p, names) = injection_project("plain");
    let out = p.run(&["export", "--backend", "slurm"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bin = fake_tools(p._tmp.path());
    // each job script, as sbatch would run it, in the project root
    let jobs: Vec<PathBuf> = walk_files(&p.path("slurm/jobs"));
    assert_eq!(jobs.len(), names.len());
    for job in &jobs {
        run_script(&p.root, &bin, job, &[]);
    }
    assert_no_marker(p._tmp.path());
    let mut ran: Vec<String> = calls(p._tmp.path(), "ploomber")
        .into_iter()
        .map(|c| {
            assert_eq!(c[0], "task");
            c[1].clone()
        })
        .collect();
    ran.sort();
    let mut want = names.clone();
    want.sort();
    assert_eq!(ran, want, "the exact names reach ploomber");
    // the submit script, with a fake sbatch
    run_script(&p.root, &bin, &p.path("slurm/submit.sh"), &[]);
    assert_no_marker(p._tmp.path());
    let sbatch = calls(p._tmp.path(), "sbatch");
    assert_eq!(sbatch.len(), names.len());
    for call in &sbatch {
        let script = call.last().unwrap();
        assert!(
            p.path(script).is_file(),
            "sbatch got a job script that does not exist: {script:?}"
        );
    }
}

/// Export must never overwrite the project's own inputs, even when `--output` names
/// one (a typo away from losing a source).
#[test]
fn export_output_never_overwrites_an_input() {
    let p = Project::new(&[
        ("pipeline.yaml", one_task_spec("a.py").as_bytes()),
        ("a.py", PARAMS_CELL.as_bytes()),
    ]);
    for target in ["a.py", "pipeline.yaml", "environment.yml"] {
        let before = snapshot(&p.root);
        let out = run_bounded(
            &p.root,
            &[
                "export",
                "--backend",
                "argo",
                "--storage",
                "nfs",
                "--output",
                target,
            ],
        );
        assert_eq!(
            before,
            snapshot(&p.root),
            "--output {target} overwrote an input"
        );
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    }
}

/// Incremental export reads each product's `.metadata` file; a named pipe there blocks
/// forever (`core/src/plan/status.rs` opens it with `read_to_string`).
#[test]
fn a_pipe_as_product_metadata_does_not_block_export() {
    let p = Project::new(&[
        ("pipeline.yaml", one_task_spec("a.py").as_bytes()),
        ("a.py", PARAMS_CELL.as_bytes()),
        ("out/a.ipynb", b"{}"),
    ]);
    assert!(Command::new("mkfifo")
        .arg(p.path("out/.a.ipynb.metadata"))
        .status()
        .unwrap()
        .success());
    let out = p.run(&[
        "export",
        "--backend",
        "argo",
        "--storage",
        "nfs",
        "--output",
        "-",
    ]);
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}
