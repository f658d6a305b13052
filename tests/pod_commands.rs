//! What the pods run, end to end through the binary: the task command of each mode run
//! by real Ploomber 0.23.3 (regular mode on a volume where some tasks are up to date),
//! the entry point pods get for directory and pattern projects, sources outside the
//! project folder, and the environment file a `--code package` pod installs from.
//! Tests that need real Ploomber skip (and say so) when its venv is absent.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

const TASKS_PY: &str = r#"from pathlib import Path


def get(product):
    Path(str(product)).parent.mkdir(parents=True, exist_ok=True)
    Path(str(product)).write_text("1 2 3")


def double(product, upstream):
    numbers = [int(x) for x in Path(str(upstream["get"])).read_text().split()]
    Path(str(product)).write_text(" ".join(str(2 * n) for n in numbers))


def total(product, upstream):
    numbers = [int(x) for x in Path(str(upstream["double"])).read_text().split()]
    Path(str(product)).write_text(str(sum(numbers)))
"#;

const PIPELINE: &str = "meta:\n  extract_upstream: false\ntasks:\n  - source: tasks.get\n    product: output/get.txt\n  - source: tasks.double\n    product: output/double.txt\n    upstream: [get]\n  - source: tasks.total\n    product: output/total.txt\n    upstream: [double]\n";

/// A three-task function pipeline (get → double → total) with an Argo target whose
/// pods use a prebuilt image (so the pod script is only the Ploomber command).
fn function_project(parent: &Path) -> PathBuf {
    let root = parent.join("numbers");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("tasks.py"), TASKS_PY).unwrap();
    std::fs::write(root.join("pipeline.yaml"), PIPELINE).unwrap();
    std::fs::write(
        root.join("soopervisor.yaml"),
        "pods:\n  backend: argo\n  env: {kind: image, image: registry.example.com/env:1}\n",
    )
    .unwrap();
    root
}

/// The bash script of the Argo `run-task` template.
fn pod_script(workflow_yaml: &[u8]) -> String {
    let wf: serde_yaml::Value = serde_yaml::from_slice(workflow_yaml).unwrap();
    wf["spec"]["templates"]
        .as_sequence()
        .unwrap()
        .iter()
        .find_map(|t| t["script"]["source"].as_str())
        .expect("a script template")
        .to_string()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn mtime(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

#[test]
fn regular_mode_pods_skip_up_to_date_tasks_and_run_those_downstream_of_an_edit() {
    let Some(venv) = real_ploomber_venv("regular mode with real Ploomber") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = function_project(tmp.path());
    let path = path_with_venv(&venv);
    let ploomber = |args: &[&str]| {
        Command::new(venv.join("bin/ploomber"))
            .args(args)
            .current_dir(&root)
            .env("PATH", &path)
            .output()
            .unwrap()
    };
    let built = ploomber(&["build", "--entry-point", "pipeline.yaml"]);
    assert!(built.status.success(), "ploomber build: {built:?}");
    assert_eq!(read(&root.join("output/total.txt")), "12");

    // edit one task: double now triples
    std::fs::write(
        root.join("tasks.py"),
        TASKS_PY.replace("str(2 * n)", "str(3 * n)"),
    )
    .unwrap();
    // the bug: `ploomber task` without --force refuses the up-to-date first task
    let plain = ploomber(&["task", "get", "--entry-point", "pipeline.yaml"]);
    assert!(!plain.status.success());
    assert!(String::from_utf8_lossy(&plain.stderr).contains("TaskStatus.Skipped"));

    let out = run(&root, &["export", "pods", "--mode", "regular", "-o", "-"]);
    assert!(out.status.success(), "{out:?}");
    let script = pod_script(&out.stdout);
    let get_product = root.join("output/get.txt");
    let (get_mtime, get_metadata) = (
        mtime(&get_product),
        read(&root.join("output/.get.txt.metadata")),
    );
    for task in ["get", "double", "total"] {
        let pod = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .current_dir(&root)
            .env("PATH", &path)
            .env("PLOOMBER_TASK", task)
            .output()
            .unwrap();
        assert!(
            pod.status.success(),
            "pod of {task} failed:\n{}\n{}",
            String::from_utf8_lossy(&pod.stdout),
            String::from_utf8_lossy(&pod.stderr)
        );
        let said = String::from_utf8_lossy(&pod.stdout);
        if task == "get" {
            assert!(said.contains("up to date"), "{said}");
        } else {
            assert!(said.contains("executed successfully"), "{task}: {said}");
        }
    }
    // get was skipped (not rebuilt), the edit and everything downstream ran
    assert_eq!(mtime(&get_product), get_mtime);
    assert_eq!(read(&root.join("output/.get.txt.metadata")), get_metadata);
    assert_eq!(read(&root.join("output/double.txt")), "3 6 9");
    assert_eq!(read(&root.join("output/total.txt")), "18");
}

#[test]
fn expressions_without_placeholders_reach_the_pods_as_written() {
    // Ploomber 0.23.3 leaves `load{{ 7 * 6 }}` alone (no placeholder in it), so the
    // pods must run that task, not `load42` (the oracle fixture checks the DAG)
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("jinja");
    copy_dir(&fixtures().join("jinja-without-placeholders"), &root);
    let out = run(&root, &["export", "-b", "slurm", "--mode", "force"]);
    assert!(out.status.success(), "{out:?}");
    let jobs: Vec<String> = std::fs::read_dir(root.join("slurm/jobs"))
        .unwrap()
        .map(|e| read(&e.unwrap().path()))
        .collect();
    assert!(
        jobs.iter()
            .any(|j| j
                .contains("ploomber task 'load{{ 7 * 6 }}' --entry-point pipeline.yaml --force")),
        "{jobs:#?}"
    );
    assert!(jobs
        .iter()
        .any(|j| j.contains("ploomber task 'fit-{{ 3 * 3 }}'")));
    assert!(!jobs.iter().any(|j| j.contains("load42")));
}

const SCRIPT: &str =
    "# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n";

fn git(root: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .current_dir(root)
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// `parent/outside.py` and the project `parent/proj` whose task `outside` uses it.
fn project_with_outside_source(parent: &Path) -> PathBuf {
    let root = parent.join("proj");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(parent.join("outside.py"), SCRIPT).unwrap();
    std::fs::write(
        root.join("pipeline.yaml"),
        "tasks:\n  - source: ../outside.py\n    product: out/outside.ipynb\n",
    )
    .unwrap();
    std::fs::write(
        root.join("environment.yml"),
        "name: p\ndependencies: [pip, {pip: [ploomber]}]\n",
    )
    .unwrap();
    std::fs::write(
        root.join("setup.py"),
        "from setuptools import setup\nsetup(name='proj', version='0.1')\n",
    )
    .unwrap();
    root
}

#[test]
fn sources_outside_the_project_folder_are_refused_where_only_the_folder_ships() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project_with_outside_source(tmp.path());
    std::fs::write(
        root.join("soopervisor.yaml"),
        "shared-disk:\n  backend: argo\n  code: shared-disk\npackage:\n  backend: argo\n  code: {kind: package, index_url: https://pypi.example.com/simple}\nimage:\n  backend: argo\n  code: image\n",
    )
    .unwrap();
    for code in ["shared-disk", "package", "image"] {
        let out = run(&root, &["export", code, "-o", "-"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{code}: {err}");
        assert!(
            err.contains(
                "task 'outside' has its source at ../outside.py, outside the project folder"
            ) && err.contains(&format!("code {code} ships only the project folder")),
            "{code}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
    // SLURM jobs run the project where it is: the file is there
    let out = run(&root, &["export", "-b", "slurm"]);
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn a_git_checkout_ships_sources_inside_the_repository_only() {
    let tmp = tempfile::tempdir().unwrap();
    // the repository holds the project folder and the source beside it: accepted
    let root = project_with_outside_source(tmp.path());
    git(tmp.path(), &["init", "-q"]);
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-qm", "init"]);
    git(
        tmp.path(),
        &["remote", "add", "origin", "https://example.com/r.git"],
    );
    let out = run(&root, &["export", "--code", "git", "-o", "-"]);
    assert!(out.status.success(), "{out:?}");

    // the repository is the project folder: the source is not in the checkout
    let tmp = tempfile::tempdir().unwrap();
    let root = project_with_outside_source(tmp.path());
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "init"]);
    git(
        &root,
        &["remote", "add", "origin", "https://example.com/r.git"],
    );
    let out = run(&root, &["export", "--code", "git", "-o", "-"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("code git ships only the repository holding the project"),
        "{err}"
    );
}

/// Two percent scripts and no spec: `b` reads `a`'s notebook.
fn spec_less_project(parent: &Path) -> PathBuf {
    let root = parent.join("scripts-only");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("a.py"),
        "# %% tags=[\"parameters\"]\nupstream = None\nproduct = \"output/a.ipynb\"\n\n# %%\nprint(1)\n",
    )
    .unwrap();
    std::fs::write(
        root.join("b.py"),
        "# %% tags=[\"parameters\"]\nupstream = [\"a\"]\nproduct = \"output/b.ipynb\"\n\n# %%\nprint(2)\n",
    )
    .unwrap();
    root
}

/// Runs a SLURM job script as the cluster would (bash, in the project root) with real
/// Ploomber first on `PATH`.
fn run_job(root: &Path, job: &str, venv: &Path) {
    let out = Command::new("bash")
        .arg(root.join("slurm/jobs").join(job))
        .current_dir(root)
        .env("PATH", path_with_venv(venv))
        .output()
        .unwrap();
    assert!(out.status.success(), "{job}: {out:?}");
}

#[test]
fn pattern_and_folder_entry_points_reach_the_jobs_as_given() {
    let venv = real_ploomber_venv("pattern and folder entry points run by real Ploomber");
    let tmp = tempfile::tempdir().unwrap();
    let root = spec_less_project(tmp.path());
    let out = run(&root, &["export", "-b", "slurm", "-e", "*.py"]);
    assert!(out.status.success(), "{out:?}");
    let job = read(&root.join("slurm/jobs/a.sh"));
    assert!(
        job.contains("ploomber task a --entry-point '*.py'\n"),
        "{job}"
    );
    assert!(!job.contains("pipeline.yaml"), "{job}");
    if let Some(venv) = &venv {
        run_job(&root, "a.sh", venv);
        assert!(root.join("output/a.ipynb").is_file());
    }

    // a folder entry point: the jobs run in that folder (the project root) and give
    // Ploomber the folder itself
    std::fs::remove_dir_all(root.join("slurm")).unwrap();
    let out = run(tmp.path(), &["export", "-b", "slurm", "-e", "scripts-only"]);
    assert!(out.status.success(), "{out:?}");
    let job = read(&root.join("slurm/jobs/b.sh"));
    assert!(job.contains("ploomber task b --entry-point .\n"), "{job}");
    if let Some(venv) = &venv {
        run_job(&root, "b.sh", venv);
        assert!(root.join("output/b.ipynb").is_file());
    }
}

/// Fake tools for a pod: `tar` unpacks nothing (a distribution without the environment
/// files), `conda env create --file F` fails unless F exists, the rest succeed.
const FAKE_TOOL: &str = r#"#!/usr/bin/env bash
case "$(basename "$0") $1 $2" in
  "conda env create") [[ -f "$4" ]] || { echo "conda: no such file: $4" >&2; exit 1; }; cp "$4" "$FAKE_SEEN" ;;
  "conda activate"*) [[ -f "$FAKE_SEEN" ]]; exit ;;
esac
exit 0
"#;

#[test]
fn package_pods_have_their_environment_file_even_when_the_distribution_lacks_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("pkg");
    std::fs::create_dir_all(root.join("scripts")).unwrap();
    std::fs::write(root.join("scripts/a.py"), SCRIPT).unwrap();
    std::fs::write(
        root.join("pipeline.yaml"),
        "tasks:\n  - source: scripts/a.py\n    product: out/a.ipynb\n",
    )
    .unwrap();
    let environment = "name: pkg-env\ndependencies:\n  - pip\n  - pip:\n      - ploomber  # it's pinned elsewhere\n";
    std::fs::write(root.join("environment.yml"), environment).unwrap();
    std::fs::write(
        root.join("setup.py"),
        "from setuptools import setup\nsetup(name='pkg', version='0.1')\n",
    )
    .unwrap();
    // a typical MANIFEST.in ships the code, not the environment file
    std::fs::write(
        root.join("MANIFEST.in"),
        "include pipeline.yaml\ngraft scripts\n",
    )
    .unwrap();
    std::fs::write(
        root.join("soopervisor.yaml"),
        "pkg:\n  backend: argo\n  code: {kind: package, index_url: https://pypi.example.com/simple}\n",
    )
    .unwrap();
    let out = run(&root, &["export", "pkg", "-o", "-"]);
    assert!(out.status.success(), "{out:?}");
    // the setup part of the pod script: up to the task command (the products' upload
    // after it writes to the volume's mount path)
    let full = pod_script(&out.stdout);
    let setup_end = full
        .find("ploomber task ")
        .expect("the task command in the script");
    let script = &full[..setup_end];
    assert!(
        script.contains("conda env create --file environment.yml"),
        "{full}"
    );

    let bin = tmp.path().join("bin");
    let pod = tmp.path().join("pod");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&pod).unwrap();
    for tool in ["conda", "pip", "tar", "python", "ploomber", "flock"] {
        use std::os::unix::fs::PermissionsExt;
        let p = bin.join(tool);
        std::fs::write(&p, FAKE_TOOL).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let seen = tmp.path().join("seen.yml");
    let ran = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(&pod)
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("PLOOMBER_TASK", "a")
        .env("FAKE_SEEN", &seen)
        .output()
        .unwrap();
    assert!(ran.status.success(), "{ran:?}\n{script}");
    // conda created the environment from exactly the exported file
    assert_eq!(read(&seen), environment);
}
