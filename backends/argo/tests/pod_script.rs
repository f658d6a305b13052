//! Runs the generated pod script with bash against fake `conda`, `pip`, `python`,
//! `ploomber` and `flock` executables that record their arguments, and checks the order
//! and exact arguments, including task names that try to inject shell code.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use common::*;
use soopervisor_argo::export::build;
use soopervisor_argo::ArgoConfig;
use soopervisor_core::plan::{Mode, Plan};
use soopervisor_core::strategy::environment::FIND_PLOOMBER_PY;

/// Records `argv[0]` basename and every argument (unit/record separators), then
/// behaves as told by the environment.
const FAKE: &str = r#"#!/usr/bin/env bash
{ printf '%s\x1f' "$(basename "$0")" "$@"; printf '\x1e'; } >> "$FAKE_LOG"
case "$(basename "$0")" in
  conda)
    if [[ "$1" == shell.bash ]]; then exit 0; fi
    if [[ "$1" == activate ]]; then [[ -e "$FAKE_STATE/env-$2" ]]; exit; fi
    if [[ "$1 $2" == "env create" ]]; then touch "$FAKE_STATE/env-$6"; exit 0; fi
    ;;
  python)
    if [[ "$1" == -c && "$2" == *'find_spec("ploomber")'* ]]; then exit "${FAKE_NO_PLOOMBER:-0}"; fi
    if [[ -n "${FAKE_REAL_PYTHON:-}" ]]; then exec "$FAKE_REAL_PYTHON" "$@"; fi
    ;;
  flock)
    shift; exec "$@"
    ;;
esac
exit 0
"#;

struct Run {
    calls: Vec<Vec<String>>,
    dir: tempfile::TempDir,
}

fn run(plan: &Plan, task: &str, env: &[(&str, &str)]) -> Run {
    let wf = build(&ArgoConfig::default(), plan).unwrap().workflow;
    let script = wf
        .spec
        .templates
        .iter()
        .find_map(|t| t.script.as_ref())
        .unwrap();
    // the container gets the name from Argo through this variable
    assert_eq!(script.env[0].name, "PLOOMBER_TASK");
    assert_eq!(
        script.env[0].value.as_deref(),
        Some("{{inputs.parameters.task_name}}")
    );

    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    let work = dir.path().join("work");
    let state = dir.path().join("state");
    for d in [&bin, &work, &state] {
        std::fs::create_dir_all(d).unwrap();
    }
    for name in ["conda", "pip", "python", "ploomber", "flock"] {
        let p = bin.join(name);
        std::fs::write(&p, FAKE).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let log = dir.path().join("log");
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(&script.source)
        .current_dir(&work)
        .env_clear()
        .env("PATH", path)
        .env("HOME", dir.path())
        .env("PLOOMBER_TASK", task)
        .env("FAKE_LOG", &log)
        .env("FAKE_STATE", &state);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "script failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        script.source
    );
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let calls = text
        .split('\x1e')
        .filter(|s| !s.is_empty())
        .map(|c| {
            let mut v: Vec<String> = c.split('\x1f').map(str::to_string).collect();
            v.pop(); // after the last separator
            v
        })
        .collect();
    Run { calls, dir }
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn conda_env_then_ploomber_task_in_order() {
    let r = run(&diamond(Mode::Incremental), "load", &[]);
    assert_eq!(
        r.calls,
        vec![
            strs(&["conda", "shell.bash", "hook"]),
            strs(&["conda", "activate", "my-env"]),
            strs(&[
                "conda",
                "env",
                "create",
                "--file",
                "environment.yml",
                "--name",
                "my-env"
            ]),
            strs(&["conda", "activate", "my-env"]),
            strs(&["python", "-c", FIND_PLOOMBER_PY]),
            strs(&["ploomber", "task", "load", "--entry-point", "pipeline.yaml"]),
        ]
    );
}

#[test]
fn force_mode_passes_force_and_missing_ploomber_is_installed() {
    let r = run(&diamond(Mode::Force), "train", &[("FAKE_NO_PLOOMBER", "1")]);
    let names: Vec<&str> = r.calls.iter().map(|c| c[0].as_str()).collect();
    assert_eq!(
        names,
        ["conda", "conda", "conda", "conda", "python", "pip", "ploomber"]
    );
    assert_eq!(r.calls[5], strs(&["pip", "install", "ploomber"]));
    assert_eq!(
        r.calls[6],
        strs(&[
            "ploomber",
            "task",
            "train",
            "--entry-point",
            "pipeline.yaml",
            "--force"
        ])
    );
}

#[test]
fn packaged_projects_are_installed_before_the_task() {
    let r = run(&packaged(), "features", &[]);
    let n = r.calls.len();
    assert_eq!(
        r.calls[n - 3],
        strs(&[
            "flock",
            ".soopervisor-pip.lock",
            "pip",
            "install",
            "--no-deps",
            "."
        ])
    );
    assert_eq!(r.calls[n - 2], strs(&["pip", "install", "--no-deps", "."]));
    assert_eq!(
        r.calls[n - 1],
        strs(&[
            "ploomber",
            "task",
            "features",
            "--entry-point",
            "src/ml_online/pipeline.yaml"
        ])
    );
}

#[test]
fn hostile_task_names_reach_ploomber_exactly_and_run_nothing() {
    let names = [
        "$(touch MARKER)",
        "`touch MARKER`",
        "a'b\"c $HOME ; touch MARKER",
        "x\ntouch MARKER",
        "Fit.Model",
        "-- --force",
        "*",
        "{{inputs.parameters.task_name}}",
    ];
    for name in names {
        let mut p = diamond(Mode::Regular);
        p.tasks[0].name = name.to_string();
        for t in p.tasks.iter_mut().skip(1) {
            t.upstream = t
                .upstream
                .iter()
                .map(|u| {
                    if u == "load" {
                        name.to_string()
                    } else {
                        u.clone()
                    }
                })
                .collect();
            t.upstream.sort();
        }
        if name.contains("{{") {
            // refused before any script is written
            assert!(build(&ArgoConfig::default(), &p).is_err());
            continue;
        }
        let r = run(&p, name, &[]);
        let last = r.calls.last().unwrap();
        // regular mode: python -c <loader> NAME --entry-point pipeline.yaml
        assert_eq!(*last, p.task_command(name), "{name:?}");
        assert_eq!(last[..2], strs(&["python", "-c"])[..]);
        assert_eq!(last[3], name, "{name:?}");
        for entry in walk(r.dir.path()) {
            assert!(!entry.ends_with("MARKER"), "{name:?} created {entry}");
        }
    }
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        out.push(p.display().to_string());
        if p.is_dir() {
            out.extend(walk(&p));
        }
    }
    out
}

#[test]
fn pinned_placeholders_become_an_env_file_ploomber_reads() {
    let Some(real) = ["/usr/bin/python3", "/usr/local/bin/python3"]
        .into_iter()
        .find(|p| {
            Path::new(p).exists()
                && Command::new(p)
                    .args(["-c", "import yaml"])
                    .status()
                    .map(|s| s.success())
                    .unwrap_or(false)
        })
    else {
        eprintln!("skipping: no python3 with PyYAML");
        return;
    };
    // incremental: the pod runs the `ploomber` command the fake records
    let mut p = diamond(Mode::Incremental);
    p.pinned_placeholders
        .insert("now".into(), "2026-01-02T03:04:05.000006".into());
    p.pinned_placeholders
        .insert("user".into(), "o'brien: yes".into());
    // the project's env.yaml defines `user` itself: its value must win
    let (env_file, content) = run_with_env_yaml(&p, real);
    assert!(env_file.starts_with(".soopervisor-env-"), "{env_file}");
    let v: serde_json::Value = serde_yaml::from_str(&content).unwrap();
    assert_eq!(v["now"], "2026-01-02T03:04:05.000006");
    assert_eq!(v["user"], "project-user", "the project's own key wins");
    assert_eq!(v["path"]["products"], "out");
}

/// Runs the script in a work dir holding an `env.yaml`; returns the env file name the
/// script exported and that file's content.
fn run_with_env_yaml(plan: &Plan, real_python: &str) -> (String, String) {
    let wf = build(&ArgoConfig::default(), plan).unwrap().workflow;
    let script = wf
        .spec
        .templates
        .iter()
        .find_map(|t| t.script.as_ref())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    let work = dir.path().join("work");
    let state = dir.path().join("state");
    for d in [&bin, &work, &state] {
        std::fs::create_dir_all(d).unwrap();
    }
    for name in ["conda", "pip", "python", "flock"] {
        let p = bin.join(name);
        std::fs::write(&p, FAKE).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let ploomber = bin.join("ploomber");
    std::fs::write(
        &ploomber,
        "#!/usr/bin/env bash\nprintf '%s' \"$PLOOMBER_ENV_FILENAME\" > \"$FAKE_STATE/envname\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&ploomber, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        work.join("env.yaml"),
        "user: project-user\npath:\n  products: out\n",
    )
    .unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script.source)
        .current_dir(&work)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("PLOOMBER_TASK", "load")
        .env("FAKE_LOG", dir.path().join("log"))
        .env("FAKE_STATE", &state)
        .env("FAKE_REAL_PYTHON", real_python)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let name = std::fs::read_to_string(state.join("envname")).unwrap();
    let content = std::fs::read_to_string(work.join(&name)).unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(&work)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    (name, content)
}
