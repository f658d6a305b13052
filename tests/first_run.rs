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
