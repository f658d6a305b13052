//! Python-assisted loading through the binary (issue 12): projects only Python can load
//! (tests/fixtures-python) give Ploomber's own DAG (tests/expected/python), say on
//! stderr that Python ran and why, and tell pods the same entry point; `--no-python`,
//! a missing interpreter, a broken Ploomber import and a factory that raises are each
//! one clear error (exit 1, nothing written); `--exact` exports what `ploomber build`
//! would run after a code edit the static status cannot see.
//!
//! Tests that need real Ploomber use the pinned venv made by
//! `../shared/engines/ploomber-sample.sh` (or `$SOOPERVISOR_TEST_PLOOMBER_PYTHON`) and
//! print why they skip when it is absent, so `cargo test` passes without it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

/// Ploomber 0.23.3's interpreter, or None (with the reason printed) when absent.
fn ploomber_python(test: &str) -> Option<PathBuf> {
    let path = std::env::var_os("SOOPERVISOR_TEST_PLOOMBER_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/soop-engines/venvs/ploomber-0.23.3/bin/python"));
    let ok = Command::new(&path)
        .args([
            "-c",
            "import ploomber; assert ploomber.__version__ == '0.23.3'",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "SKIP {test}: no Ploomber 0.23.3 at {} (make it with ../shared/engines/ploomber-sample.sh, or set SOOPERVISOR_TEST_PLOOMBER_PYTHON)",
            path.display()
        );
        return None;
    }
    Some(path)
}

/// `python3` from PATH when it runs.
fn any_python3() -> Option<PathBuf> {
    Command::new("python3")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| PathBuf::from("python3"))
}

fn run_with(cwd: &Path, args: &[&str], python: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_soopervisor"));
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("ENTRY_POINT")
        .env_remove("SOOPERVISOR_PYTHON")
        .env_remove("VIRTUAL_ENV")
        .env_remove("CONDA_PREFIX");
    if let Some(p) = python {
        cmd.arg("--python").arg(p);
    }
    cmd.output().expect("run soopervisor")
}

/// A copy of a tests/fixtures-python project in a temp folder.
fn copy_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join(name);
    copy_dir(&repo().join("tests/fixtures-python").join(name), &dest);
    (tmp, dest)
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// Exit 1, one error paragraph containing every phrase, nothing on stdout, the project
/// unchanged.
fn assert_clean_failure(out: &Output, phrases: &[&str], project: &Path, before: &SnapshotT) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "want exit 1:\n{err}");
    assert!(
        (err.starts_with("error[") && err.contains("]: ")) || err.starts_with("error: "),
        "{err}"
    );
    assert!(err.contains("help: "), "no help line:\n{err}");
    assert!(
        !err.contains("panicked") && !err.contains("Traceback"),
        "{err}"
    );
    for p in phrases {
        assert!(err.contains(p), "error does not say '{p}':\n{err}");
    }
    assert!(out.stdout.is_empty());
    assert_eq!(before, &snapshot_tree(project), "the project was modified");
}

type SnapshotT = std::collections::BTreeMap<PathBuf, u64>;

fn fixture_args(name: &str) -> Vec<String> {
    common::fixture_args(&format!("python/{name}"))
}

#[test]
fn python_fixtures_match_ploombers_dag() {
    let Some(python) = ploomber_python("python_fixtures_match_ploombers_dag") else {
        return;
    };
    let names = fixture_names(&repo().join("tests/fixtures-python"));
    assert!(names.len() >= 2, "{names:?}");
    for name in names {
        let (_tmp, project) = copy_fixture(&name);
        let before = snapshot_tree(&project);
        let mut args = vec!["inspect".to_string(), "--format".into(), "json".into()];
        args.extend(fixture_args(&name));
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run_with(&project, &argv, Some(&python));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {err}");
        assert!(
            err.contains("note: ") && err.contains("loaded it by running Ploomber 0.23.3"),
            "{name}: Python was used silently:\n{err}"
        );
        let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let want: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(expected().join(format!("python/{name}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(got, want, "{name}: inspect differs from Ploomber's DAG");
        assert_eq!(before, snapshot_tree(&project), "{name}: project modified");
    }
}

#[test]
fn pods_get_the_dotted_entry_point() {
    let Some(python) = ploomber_python("pods_get_the_dotted_entry_point") else {
        return;
    };
    let (_tmp, project) = copy_fixture("dotted-entry");
    let out = run_with(
        &project,
        &[
            "export",
            "-e",
            "my_package.pipeline.make",
            "--mode",
            "force",
            "-o",
            "-",
        ],
        Some(&python),
    );
    let spec = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        spec.contains("--entry-point my_package.pipeline.make"),
        "pods must load the factory Ploomber loaded:\n{spec}"
    );
}

#[test]
fn no_python_refuses_and_says_why() {
    for (name, why) in [
        (
            "location-factory",
            "Python factory ('location: factory.make_dag')",
        ),
        ("dotted-entry", "is a dotted path to a factory function"),
    ] {
        let (_tmp, project) = copy_fixture(name);
        let before = snapshot_tree(&project);
        let mut args = vec!["inspect".to_string(), "--no-python".into()];
        args.extend(fixture_args(name));
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run_with(&project, &argv, None);
        assert_clean_failure(&out, &[why, "--no-python"], &project, &before);
    }
}

#[test]
fn a_missing_interpreter_is_one_clear_error() {
    let (_tmp, project) = copy_fixture("location-factory");
    let before = snapshot_tree(&project);
    let missing = project.join("no-such-venv/bin/python");
    for cmd in ["inspect", "export"] {
        let out = run_with(&project, &[cmd], Some(&missing));
        assert_clean_failure(
            &out,
            &[
                "does not exist",
                "(from --python)",
                "location: factory.make_dag",
            ],
            &project,
            &before,
        );
    }
}

#[test]
fn a_broken_ploomber_import_is_one_clear_error() {
    // Any Python 3 will do: the project's own `ploomber/` package shadows the real one
    // (the working folder comes first on sys.path, as with the ploomber CLI) and fails.
    let python = ploomber_python("a_broken_ploomber_import_is_one_clear_error").or_else(|| {
        Command::new("python3")
            .arg("--version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|_| PathBuf::from("python3"))
    });
    let Some(python) = python else {
        eprintln!("SKIP a_broken_ploomber_import_is_one_clear_error: no Python 3");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("proj");
    write(
        &project,
        &[
            ("pipeline.yaml", "location: factory.make\n"),
            (
                "ploomber/__init__.py",
                "raise ImportError('this ploomber is half installed')\n",
            ),
        ],
    );
    let before = snapshot_tree(&project);
    let out = run_with(&project, &["export", "--backend", "slurm"], Some(&python));
    assert_clean_failure(
        &out,
        &[
            "importing Ploomber failed",
            "ImportError: this ploomber is half installed",
            "ploomber/__init__.py:1:",
        ],
        &project,
        &before,
    );
}

#[test]
fn a_python_that_hangs_is_stopped_by_the_timeout() {
    let Some(python) = any_python3() else {
        eprintln!("SKIP a_python_that_hangs_is_stopped_by_the_timeout: no Python 3");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("proj");
    write(
        &project,
        &[
            ("pipeline.yaml", "location: factory.make\n"),
            ("ploomber/__init__.py", "import time\ntime.sleep(120)\n"),
        ],
    );
    let before = snapshot_tree(&project);
    let started = std::time::Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_soopervisor"))
        .args(["inspect", "--python"])
        .arg(&python)
        .current_dir(&project)
        .env("SOOPERVISOR_PYTHON_TIMEOUT", "2")
        .output()
        .unwrap();
    assert!(
        started.elapsed().as_secs() < 60,
        "the timeout did not stop Python"
    );
    assert_clean_failure(
        &out,
        &[
            "did not finish loading the pipeline within 2 s",
            "SOOPERVISOR_PYTHON_TIMEOUT",
        ],
        &project,
        &before,
    );
}

#[test]
fn ploomber_not_installed_names_the_fix() {
    let python = Command::new("python3")
        .args(["-c", "import ploomber"])
        .output()
        .ok()
        .filter(|o| o.status.code() == Some(1));
    if python.is_none() {
        eprintln!("SKIP ploomber_not_installed_names_the_fix: no python3 without Ploomber");
        return;
    }
    let (_tmp, project) = copy_fixture("location-factory");
    let before = snapshot_tree(&project);
    let out = run_with(&project, &["inspect"], Some(Path::new("python3")));
    assert_clean_failure(
        &out,
        &[
            "Ploomber is not installed for python3",
            "pip install ploomber",
        ],
        &project,
        &before,
    );
}

#[test]
fn a_factory_that_raises_is_one_clear_error() {
    let Some(python) = ploomber_python("a_factory_that_raises_is_one_clear_error") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("proj");
    write(
        &project,
        &[
            ("pipeline.yaml", "location: factory.make\n"),
            (
                "factory.py",
                "def make():\n    rows = 0\n    raise ValueError(f'no rows to build a DAG from: {rows}')\n",
            ),
        ],
    );
    let before = snapshot_tree(&project);
    let out = run_with(&project, &["export", "--backend", "slurm"], Some(&python));
    assert_clean_failure(
        &out,
        &[
            "Ploomber failed to load the pipeline",
            "ValueError: no rows to build a DAG from: 0",
            "factory.py:3:",
            "last frame: make",
        ],
        &project,
        &before,
    );
}

/// A static project built for real with `ploomber build`, then a function's body edited:
/// the static status cannot see it (documented gap), `--exact` exports exactly what
/// Ploomber would run.
#[test]
fn exact_incremental_sees_a_code_edit() {
    let Some(python) = ploomber_python("exact_incremental_sees_a_code_edit") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("proj");
    write(
        &project,
        &[
            (
                "pipeline.yaml",
                "tasks:\n  - source: fns.first\n    product: out/first.txt\n  - source: fns.second\n    product: out/second.txt\n  - source: fns.third\n    product: out/third.txt\n",
            ),
            (
                "fns.py",
                "from pathlib import Path\n\n\ndef first(product):\n    Path(product).parent.mkdir(exist_ok=True)\n    Path(product).write_text('1')\n\n\ndef second(product, upstream):\n    Path(product).write_text(Path(upstream['first']).read_text() + '2')\n\n\ndef third(product):\n    Path(product).write_text('3')\n",
            ),
            (
                "environment.yml",
                "name: proj\ndependencies:\n  - pip\n  - pip:\n    - ploomber==0.23.3\n",
            ),
        ],
    );
    let ploomber = python.with_file_name("ploomber");
    let build = Command::new(&ploomber)
        .arg("build")
        .current_dir(&project)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let fns = project.join("fns.py");
    let text = std::fs::read_to_string(&fns).unwrap();
    std::fs::write(&fns, text.replace("write_text('1')", "write_text('one')")).unwrap();

    let stat = run_with(&project, &["export", "--backend", "slurm", "-o", "-"], None);
    let err = String::from_utf8_lossy(&stat.stderr);
    assert!(
        stat.status.success() && err.contains("Every task is up to date"),
        "static status changed (update this test and docs): {err}"
    );

    let before = snapshot_tree(&project);
    let out = run_with(
        &project,
        &["export", "--backend", "slurm", "--exact"],
        Some(&python),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("--exact: asked Ploomber 0.23.3"), "{err}");
    let mut jobs: Vec<String> = std::fs::read_dir(project.join("slurm/jobs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    jobs.sort();
    // what `ploomber build` would run: the edited task and the one downstream of it
    assert_eq!(jobs, ["first.sh", "second.sh"]);
    std::fs::remove_dir_all(project.join("slurm")).unwrap();
    assert_eq!(
        before,
        snapshot_tree(&project),
        "--exact modified the project"
    );
}

#[test]
fn exact_needs_incremental_mode_and_python() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("proj");
    write(
        &project,
        &[
            (
                "pipeline.yaml",
                "tasks:\n  - source: fns.first\n    product: out/first.txt\n",
            ),
            ("fns.py", "def first(product):\n    pass\n"),
        ],
    );
    let before = snapshot_tree(&project);
    let out = run_with(&project, &["export", "--mode", "force", "--exact"], None);
    assert_clean_failure(
        &out,
        &["--exact only changes incremental mode"],
        &project,
        &before,
    );
    let out = run_with(&project, &["export", "--exact", "--no-python"], None);
    assert_clean_failure(&out, &["--no-python forbids it"], &project, &before);
}
