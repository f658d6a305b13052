//! The first ten minutes of a new user (issue 13), through the binary: the README's
//! commands, help with examples, paths in messages, nothing silently ignored, errors
//! with codes and suggestions, and the pictures of `inspect`.

mod common;

use assert_cmd::Command;
use common::*;
use predicates::prelude::*;

fn soopervisor() -> Command {
    let mut cmd = Command::cargo_bin("soopervisor").unwrap();
    cmd.env_remove("ENTRY_POINT")
        .env_remove("PLOOMBER_ENV_FILENAME")
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1");
    cmd
}

/// The subcommands `soopervisor --help` lists (all but `help`).
fn subcommands() -> Vec<String> {
    let out = soopervisor().arg("--help").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn top_level_help_speaks_to_users() {
    soopervisor()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Export Ploomber pipelines"))
        .stdout(predicate::str::contains("library entry point").not())
        .stdout(predicate::str::contains("Examples:"));
}

#[test]
fn every_subcommand_long_help_ends_with_examples() {
    let commands = subcommands();
    assert!(commands.len() >= 6, "{commands:?}");
    for c in &commands {
        let out = soopervisor().args([c.as_str(), "--help"]).output().unwrap();
        assert!(out.status.success(), "{c}");
        let text = String::from_utf8(out.stdout).unwrap();
        let examples = text
            .split("Examples:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("{c} --help has no Examples: section\n{text}"));
        let lines: Vec<&str> = examples.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(
            (2..=4).contains(&lines.len()),
            "{c}: {} examples\n{examples}",
            lines.len()
        );
        for l in lines {
            assert!(l.trim_start().starts_with("soopervisor "), "{c}: {l}");
        }
    }
}

#[test]
fn usage_lines_never_show_backend_as_required() {
    for c in subcommands() {
        let out = soopervisor().args([c.as_str(), "--help"]).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let usage = text.lines().find(|l| l.starts_with("Usage:")).unwrap();
        assert!(!usage.contains("--backend"), "{c}: {usage}");
    }
}

#[test]
fn add_without_backend_adds_an_argo_target() {
    let (_tmp, demo) = demo_copy();
    soopervisor()
        .args(["add", "training"])
        .current_dir(&demo)
        .assert()
        .success();
    let text = std::fs::read_to_string(demo.join("soopervisor.yaml")).unwrap();
    assert!(text.contains("backend: argo"), "{text}");
}

/// README command 1 and the quickstart leave untracked outputs in docs/examples/demo
/// (argo.yaml, soopervisor.yaml, training/): the copies tests make of a project take
/// only what git tracks, so those outputs never change a test's result.
#[test]
fn fixture_copies_leave_untracked_files_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(src.join("sub")).unwrap();
    std::fs::write(src.join("pipeline.yaml"), "tasks: []\n").unwrap();
    std::fs::write(src.join("sub/kept.py"), "x = 1\n").unwrap();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
            .args(args)
            .current_dir(&src)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "init"]);
    std::fs::write(src.join("soopervisor.yaml"), "training: {}\n").unwrap();
    std::fs::create_dir_all(src.join("training")).unwrap();
    std::fs::write(src.join("training/argo.yaml"), "x\n").unwrap();
    let dest = tmp.path().join("dest");
    copy_dir(&src, &dest);
    assert!(dest.join("pipeline.yaml").is_file());
    assert!(dest.join("sub/kept.py").is_file());
    assert!(!dest.join("soopervisor.yaml").exists());
    assert!(!dest.join("training").exists());
}

/// Item 5: one rule for paths and commands in messages. "Wrote ..." and next steps are
/// relative to the user's shell, `soopervisor` steps keep `-C DIR`, and an absolute
/// `-C` keeps paths absolute.
#[test]
fn printed_paths_and_steps_fit_the_users_shell() {
    let (tmp, _demo) = demo_copy();
    let out = soopervisor()
        .args(["export", "--storage", "nfs", "-C", "demo"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{err}");
    assert!(err.contains("Wrote demo/argo.yaml\n"), "{err}");
    assert!(err.contains("  soopervisor upload -C demo   #"), "{err}");
    assert!(
        err.contains("  argo submit -n argo demo/argo.yaml\n"),
        "{err}"
    );
    assert!(!err.contains(&tmp.path().display().to_string()), "{err}");

    // from a sibling folder: `..`, never absolute
    std::fs::create_dir(tmp.path().join("elsewhere")).unwrap();
    let out = soopervisor()
        .args(["add", "training", "-C", "../demo"])
        .current_dir(tmp.path().join("elsewhere"))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{err}");
    assert!(err.contains("to ../demo/soopervisor.yaml."), "{err}");
    assert!(
        err.contains("  soopervisor export training -C ../demo\n"),
        "{err}"
    );

    // a pasted next step works from the same shell
    let out = soopervisor()
        .args(["export", "training", "-C", "../demo"])
        .current_dir(tmp.path().join("elsewhere"))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("Wrote ../demo/training/argo.yaml\n"), "{err}");

    // slurm's submit script too
    let out = soopervisor()
        .args(["export", "--backend", "slurm", "-C", "demo"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("  bash demo/slurm/submit.sh"), "{err}");

    // an absolute -C keeps absolute paths
    let abs = tmp.path().join("demo");
    let out = soopervisor()
        .args(["export", "--mode", "force", "-C"])
        .arg(&abs)
        .current_dir(tmp.path().join("elsewhere"))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!("Wrote {}\n", abs.join("argo.yaml").display())),
        "{err}"
    );
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Item 6: nothing silently ignored. `--format json` on a backend without JSON, an
/// `--output` extension that contradicts `--format`, and an unknown `--preset` are
/// errors before anything is written; `--output x.json` alone follows the extension.
#[test]
fn formats_and_presets_are_never_silently_ignored() {
    let (_tmp, demo) = demo_copy();
    let before = snapshot_tree(&demo);
    let out = soopervisor()
        .args(["export", "--backend", "slurm", "--format", "json"])
        .current_dir(&demo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("--format json: the slurm backend"),
        "{}",
        stderr_of(&out)
    );

    let out = soopervisor()
        .args(["export", "--format", "yaml", "--output", "spec.json"])
        .current_dir(&demo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("contradicts --output spec.json"),
        "{}",
        stderr_of(&out)
    );

    let out = soopervisor()
        .args(["add", "training", "--preset", "gpu"])
        .current_dir(&demo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("--preset gpu: the argo backend has no presets"));
    assert_eq!(
        before,
        snapshot_tree(&demo),
        "a refused command wrote something"
    );

    let out = soopervisor()
        .args(["export", "--storage", "nfs", "--output", "spec.json"])
        .current_dir(&demo)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = std::fs::read_to_string(demo.join("spec.json")).unwrap();
    let spec: serde_json::Value = serde_json::from_str(&text).expect("spec.json is JSON");
    assert_eq!(spec["kind"], "Workflow");
}

/// Item 8: a project with requirements.txt and no environment.yml exports with the pip
/// environment unasked (and `add` writes it); with neither, the error names the files.
#[test]
fn pip_is_the_default_without_environment_yml() {
    let (_tmp, demo) = demo_copy();
    std::fs::remove_file(demo.join("environment.yml")).unwrap();
    let out = soopervisor()
        .args(["export", "--storage", "nfs"])
        .current_dir(&demo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("no environment.yml") && err.contains("requirements.txt"),
        "{err}"
    );

    std::fs::write(demo.join("requirements.txt"), "ploomber==0.23.3\n").unwrap();
    let out = soopervisor()
        .args(["export", "--storage", "nfs", "--output", "-"])
        .current_dir(&demo)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let spec = String::from_utf8(out.stdout).unwrap();
    assert!(spec.contains("--env pip"), "{spec}");
    assert!(spec.contains("--requirement requirements.txt"), "{spec}");

    soopervisor()
        .args(["add", "training"])
        .current_dir(&demo)
        .assert()
        .success();
    let section = std::fs::read_to_string(demo.join("soopervisor.yaml")).unwrap();
    assert!(
        section.contains("kind: pip") || section.contains("env: pip"),
        "{section}"
    );
}

/// Item 7: an unknown `--backend` is a usage error (exit 2) with a suggestion, found
/// before the project is searched (here there is no project at all).
#[test]
fn unknown_backend_flag_is_a_usage_error_before_the_project() {
    let tmp = tempfile::tempdir().unwrap();
    for cmd in ["export", "add"] {
        let mut args = vec![cmd];
        if cmd == "add" {
            args.push("training");
        }
        args.extend(["--backend", "slurmm"]);
        let out = soopervisor()
            .args(&args)
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let err = stderr_of(&out);
        assert!(err.contains("did you mean 'slurm'?"), "{err}");
        assert!(
            !err.contains("pipeline"),
            "searched the project first: {err}"
        );
    }
}

/// Item 7: "did you mean" for task names, targets, spec keys, placeholders and upstream
/// names; the unknown upstream located at the source line that names it.
#[test]
fn typos_get_a_suggestion_and_the_right_location() {
    let (_tmp, demo) = demo_copy();
    let expect = |args: &[&str], wants: &[&str]| {
        let out = soopervisor()
            .args(args)
            .current_dir(&demo)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr_of(&out);
        for w in wants {
            assert!(err.contains(w), "{args:?}: no '{w}' in\n{err}");
        }
    };
    expect(&["export", "--task", "trian"], &["did you mean 'train'?"]);
    soopervisor()
        .args(["add", "training"])
        .current_dir(&demo)
        .assert()
        .success();
    expect(&["export", "trainign"], &["did you mean 'training'?"]);

    let spec = std::fs::read_to_string(demo.join("pipeline.yaml")).unwrap();
    std::fs::write(
        demo.join("pipeline.yaml"),
        format!("{spec}\nexecuter: serial\n"),
    )
    .unwrap();
    expect(&["inspect"], &["did you mean 'executor'?"]);
    std::fs::write(demo.join("pipeline.yaml"), &spec).unwrap();

    let clean = std::fs::read_to_string(demo.join("scripts/clean.py")).unwrap();
    let line = clean
        .lines()
        .position(|l| l.contains("upstream = ["))
        .expect("clean.py declares its upstream")
        + 1;
    let typo = clean
        .replace("'get_beans'", "'get_bean'")
        .replace("\"get_beans\"", "\"get_bean\"");
    assert_ne!(typo, clean);
    std::fs::write(demo.join("scripts/clean.py"), typo).unwrap();
    expect(
        &["inspect"],
        &[
            &format!("scripts/clean.py:{line}: "),
            "did you mean 'get_beans'?",
        ],
    );
    std::fs::write(demo.join("scripts/clean.py"), clean).unwrap();

    std::fs::write(
        demo.join("pipeline.yaml"),
        spec.replacen("product:", "params: {x: '{{roott}}'}\n    product:", 1),
    )
    .unwrap();
    expect(&["inspect"], &["did you mean 'root'?"]);
}

/// Item 7: every catalogued error has a unique SVnnnn code, and `explain` prints its
/// entry from the binary alone (run far from the repository).
#[test]
fn every_error_code_is_unique_and_explained() {
    let doc = std::fs::read_to_string(repo().join("docs/errors.md")).unwrap();
    let sections = doc.split("\n### ").skip(1);
    let mut codes = std::collections::BTreeSet::new();
    for s in sections {
        let title = s.lines().next().unwrap();
        let code = s
            .lines()
            .find_map(|l| l.strip_prefix("* code: "))
            .unwrap_or_else(|| panic!("docs/errors.md: '{title}' has no code"));
        assert!(
            code.len() == 6
                && code.starts_with("SV")
                && code[2..].bytes().all(|b| b.is_ascii_digit()),
            "{title}: bad code {code}"
        );
        assert!(codes.insert(code.to_string()), "{code} is used twice");
    }
    assert!(codes.len() >= 100);
    let tmp = tempfile::tempdir().unwrap();
    let list = soopervisor()
        .arg("explain")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    for code in &codes {
        assert!(list.contains(code.as_str()), "explain does not list {code}");
    }
    soopervisor()
        .args(["explain", "sv0101"])
        .current_dir(tmp.path())
        .assert()
        .success()
        .stdout(predicate::str::starts_with("SV0101: No pipeline found"))
        .stdout(predicate::str::contains("Fix: "));
    soopervisor()
        .args(["explain", "SV9999"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not an error code"));
}

/// Item 7: our errors and warnings are coloured like clap's only on request
/// (CLICOLOR_FORCE); NO_COLOR and a pipe give plain text.
#[test]
fn colours_follow_no_color_and_clicolor_force() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = soopervisor()
        .arg("inspect")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(
        !stderr_of(&plain).contains('\u{1b}'),
        "{}",
        stderr_of(&plain)
    );
    assert!(stderr_of(&plain).starts_with("error[SV0101]: "));
    let mut cmd = Command::cargo_bin("soopervisor").unwrap();
    let coloured = cmd
        .arg("inspect")
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(
        stderr_of(&coloured).starts_with("\u{1b}["),
        "{:?}",
        stderr_of(&coloured)
    );
    let mut cmd = Command::cargo_bin("soopervisor").unwrap();
    let piped = cmd
        .arg("inspect")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(!stderr_of(&piped).contains('\u{1b}'));
}

/// Item 7: a YAML syntax error is reported at its line with the parser's message; the
/// placeholder hint only when an unquoted `{{` is the cause (quoted ones elsewhere in
/// the file do not trigger it).
#[test]
fn yaml_errors_at_their_line_and_the_placeholder_hint_only_when_due() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("pipeline.yaml");
    std::fs::write(
        &spec,
        "tasks:\n  - source: a.py\n    product: \"{{root}}/a.ipynb\"\n   params:\n      x: 1\n",
    )
    .unwrap();
    let out = soopervisor()
        .arg("inspect")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.starts_with("error[SV0301]: pipeline.yaml:4: "), "{err}");
    assert!(err.contains("did not find expected"), "{err}");
    assert!(!err.contains("placeholders"), "{err}");

    std::fs::write(
        &spec,
        "tasks:\n  - source: a.py\n    product: {{root}}/a.ipynb\n",
    )
    .unwrap();
    let out = soopervisor()
        .arg("inspect")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(err.starts_with("error[SV0302]: pipeline.yaml:3: "), "{err}");
    assert!(err.contains("using placeholders"), "{err}");
}

/// Item 9: `inspect --format yaml` is the JSON data as YAML; `dot` and `mermaid` draw
/// one node per task (its Ploomber name) and one edge per upstream dependency; the text
/// view shows params.
#[test]
fn inspect_draws_the_dag_and_shows_params() {
    let (_tmp, demo) = demo_copy();
    let run = |format: &str| {
        let out = soopervisor()
            .args(["inspect", "--format", format])
            .current_dir(&demo)
            .output()
            .unwrap();
        assert!(out.status.success(), "{format}: {}", stderr_of(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let yaml: serde_json::Value = serde_yaml::from_str(&run("yaml")).unwrap();
    assert_eq!(json, yaml);
    let tasks = json["tasks"].as_object().unwrap();
    let mut edges = std::collections::BTreeSet::new();
    for (name, t) in tasks {
        for up in t["upstream"].as_array().unwrap() {
            edges.insert((up.as_str().unwrap().to_string(), name.clone()));
        }
    }
    assert!(!edges.is_empty());

    let dot = run("dot");
    assert!(dot.starts_with("digraph pipeline {"), "{dot}");
    let dot_edges: std::collections::BTreeSet<(String, String)> = dot
        .lines()
        .filter_map(|l| l.trim().strip_suffix(';')?.split_once(" -> "))
        .map(|(a, b)| {
            (
                a.trim_matches('"').to_string(),
                b.trim_matches('"').to_string(),
            )
        })
        .collect();
    assert_eq!(dot_edges, edges);
    for name in tasks.keys() {
        assert!(dot.contains(&format!("  \"{name}\";\n")), "{name}");
    }

    let mermaid = run("mermaid");
    assert!(mermaid.starts_with("flowchart LR\n"));
    let mut ids = std::collections::BTreeMap::new();
    for l in mermaid.lines().skip(1) {
        if let Some((id, rest)) = l.trim().split_once("[\"") {
            ids.insert(id.to_string(), rest.trim_end_matches("\"]").to_string());
        }
    }
    assert_eq!(ids.len(), tasks.len());
    let mermaid_edges: std::collections::BTreeSet<(String, String)> = mermaid
        .lines()
        .filter_map(|l| l.trim().split_once(" --> "))
        .map(|(a, b)| (ids[a].clone(), ids[b].clone()))
        .collect();
    assert_eq!(mermaid_edges, edges);

    // params in the text view, for every task that has them
    let text = run("text");
    let with_params: Vec<_> = tasks
        .values()
        .filter(|t| !t["params"].as_object().unwrap().is_empty())
        .collect();
    assert!(!with_params.is_empty());
    for t in with_params {
        assert!(
            text.contains(&format!("  params   {}\n", t["params"])),
            "{text}"
        );
    }
}

/// Item 4: completion scripts for every shell clap_complete supports, and man pages.
#[test]
fn completions_and_man_pages() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef soopervisor"),
        ("fish", "complete -c soopervisor"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer"),
    ] {
        let out = soopervisor().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(marker), "{shell}: no '{marker}'");
        assert!(text.contains("export"), "{shell}: no subcommands");
    }
    soopervisor().args(["completions", "tcsh"]).assert().code(2);
    soopervisor()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(".ie"))
        .stdout(predicate::str::contains("soopervisor"));
    let tmp = tempfile::tempdir().unwrap();
    soopervisor()
        .args(["man", "--dir"])
        .arg(tmp.path().join("man1"))
        .assert()
        .success();
    for page in [
        "soopervisor.1",
        "soopervisor-export.1",
        "soopervisor-inspect.1",
    ] {
        let text = std::fs::read_to_string(tmp.path().join("man1").join(page)).unwrap();
        assert!(text.contains(".TH"), "{page}");
    }
}

/// Item 10: `upload` reports a failing kubectl as a failure, with a `help:` line, and
/// never says the project was copied.
#[test]
fn upload_failure_is_reported_as_failure() {
    let (tmp, demo) = demo_copy();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
            .args(args)
            .current_dir(&demo)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "init"]);
    let bin = tmp.path().join("fake-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let kubectl = bin.join("kubectl");
    std::fs::write(
        &kubectl,
        "#!/bin/sh\nif [ \"$1\" = get ]; then echo nfs-server-0; exit 0; fi\necho 'error: unable to upgrade connection' >&2\nexit 1\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&kubectl, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let out = soopervisor()
        .args(["upload"])
        .env("PATH", path)
        .current_dir(&demo)
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("Copying "), "{err}");
    assert!(!err.contains("Copied"), "{err}");
    assert!(
        err.contains("upload failed: kubectl cp exited with"),
        "{err}"
    );
    assert!(err.contains("help: "), "{err}");
}

/// Item 9: the rendered example in docs/quickstart.md is what the binary prints.
#[test]
fn quickstart_picture_is_the_binarys_output() {
    let doc = std::fs::read_to_string(repo().join("docs/quickstart.md")).unwrap();
    let block = doc
        .split("```mermaid\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("docs/quickstart.md has a mermaid block");
    let (_tmp, demo) = demo_copy();
    let out = soopervisor()
        .args(["inspect", "--format", "mermaid"])
        .current_dir(&demo)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), block);
}
