//! Helpers shared by the end-to-end tests: paths to fixtures, running the binary, and
//! hashing a project to prove the CLI never modifies its input.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn fixtures() -> PathBuf {
    repo().join("tests/fixtures")
}

pub fn bad_fixtures() -> PathBuf {
    repo().join("tests/fixtures-bad")
}

pub fn expected() -> PathBuf {
    repo().join("tests/expected")
}

/// Every fixture project name (folders of tests/fixtures), sorted.
pub fn fixture_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Extra CLI arguments recorded for a fixture (tests/expected/<name>.args).
pub fn fixture_args(name: &str) -> Vec<String> {
    std::fs::read_to_string(expected().join(format!("{name}.args")))
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Runs the soopervisor binary with `args` in `cwd`.
pub fn run(cwd: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_soopervisor"))
        .args(args)
        .current_dir(cwd)
        .env_remove("ENTRY_POINT")
        .env_remove("PLOOMBER_ENV_FILENAME")
        .output()
        .expect("run soopervisor")
}

/// Content hash of every file below `dir` (path → hash), to detect modifications.
pub fn snapshot_tree(dir: &Path) -> BTreeMap<PathBuf, u64> {
    use std::hash::{Hash, Hasher};
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                std::fs::read(&p).unwrap_or_default().hash(&mut h);
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), h.finish());
            }
        }
    }
    out
}

/// Copies the files of a folder that git tracks (fixtures are copied before tests that
/// write). Untracked files are left behind: a user following the README may have left
/// outputs (`argo.yaml`, `soopervisor.yaml`, `training/`) in `docs/examples/demo`, and
/// tests must not depend on them. Outside a git checkout (a source tarball), or for a
/// folder git knows nothing of yet (a fixture not added yet), every file is copied.
pub fn copy_dir(from: &Path, to: &Path) {
    match tracked_files(from) {
        Some(files) if !files.is_empty() => {
            for rel in files {
                let src = from.join(&rel);
                if !src.is_file() {
                    continue; // tracked but deleted in the working tree
                }
                let dest = to.join(&rel);
                std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
                std::fs::copy(&src, &dest).unwrap();
            }
            std::fs::create_dir_all(to).unwrap();
        }
        _ => copy_all(from, to),
    }
}

/// The files below `dir` that git tracks, relative to `dir`; `None` outside a checkout.
pub fn tracked_files(dir: &Path) -> Option<Vec<PathBuf>> {
    let out = std::process::Command::new("git")
        .args(["ls-files", "-z", "--", "."])
        .current_dir(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(
        out.stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| PathBuf::from(String::from_utf8_lossy(p).into_owned()))
            .collect(),
    )
}

/// Copies every file of a folder recursively.
fn copy_all(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_all(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// A temporary copy of the demo project (`docs/examples/demo`), tracked files only.
pub fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("demo");
    copy_dir(&repo().join("docs/examples/demo"), &dest);
    (tmp, dest)
}

/// The phrase an export of this fixture must fail with, when the fixture is one that
/// Ploomber loads but that cannot be exported (tests/expected/<name>.export-error).
pub fn export_error(name: &str) -> Option<String> {
    std::fs::read_to_string(expected().join(format!("{name}.export-error")))
        .ok()
        .map(|s| s.lines().next().unwrap_or("").trim().to_string())
}

/// Fixtures that export cleanly (every fixture without an `.export-error` file).
pub fn exportable_fixtures() -> Vec<String> {
    fixture_names(&fixtures())
        .into_iter()
        .filter(|n| export_error(n).is_none())
        .collect()
}

/// The venv of real Ploomber 0.23.3 made by `../shared/engines/ploomber-sample.sh`
/// (`$PLOOMBER_VENV`, else `$SOOP_ENGINES_HOME/venvs/ploomber-0.23.3`, else under
/// `/tmp/soop-engines`), or `None` after printing why a test that needs it is skipped.
pub fn real_ploomber_venv(test: &str) -> Option<PathBuf> {
    let venv = std::env::var_os("PLOOMBER_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("SOOP_ENGINES_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/tmp/soop-engines"));
            home.join("venvs/ploomber-0.23.3")
        });
    if venv.join("bin/ploomber").is_file() && venv.join("bin/python").is_file() {
        Some(venv)
    } else {
        eprintln!(
            "SKIPPED {test}: needs real Ploomber 0.23.3 in {} (make it with: bash ../shared/engines/ploomber-sample.sh /tmp/plb)",
            venv.display()
        );
        None
    }
}

/// `PATH` with the venv's `bin` first, so `python` and `ploomber` are the venv's.
pub fn path_with_venv(venv: &Path) -> std::ffi::OsString {
    let mut paths = vec![venv.join("bin")];
    if let Some(p) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(paths).unwrap()
}

/// Runs the soopervisor binary with `args` in `cwd`, with `PATH` set to `path` only
/// (stand-in engine clients: nothing else on the machine is found).
pub fn run_with_path(cwd: &Path, args: &[&str], path: &Path) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_soopervisor"))
        .args(args)
        .current_dir(cwd)
        .env_remove("ENTRY_POINT")
        .env_remove("PLOOMBER_ENV_FILENAME")
        .env("PATH", path)
        .output()
        .expect("run soopervisor")
}
