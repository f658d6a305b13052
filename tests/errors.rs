//! Every broken fixture (tests/fixtures-bad/<name>) fails with exit code 1, a clear
//! error containing the phrase recorded in tests/expected/bad/<name>.txt (first line),
//! no panic, and no change to the project.

mod common;

use common::*;

#[test]
fn every_bad_fixture_fails_clearly() {
    let dir = bad_fixtures();
    let names = fixture_names(&dir);
    assert!(
        names.len() >= 20,
        "expected at least 20 broken fixtures, found {}",
        names.len()
    );
    let mut failures = Vec::new();
    for name in names {
        let project = dir.join(&name);
        let expect_file = expected().join("bad").join(format!("{name}.txt"));
        let expect = std::fs::read_to_string(&expect_file)
            .unwrap_or_else(|_| panic!("missing {}", expect_file.display()));
        let phrase = expect.lines().next().unwrap().trim().to_string();
        let before = snapshot_tree(&project);
        let mut args: Vec<String> = vec![
            "inspect".into(),
            "--format".into(),
            "json".into(),
            "-C".into(),
            project.display().to_string(),
        ];
        args.extend(fixture_args(&format!("bad/{name}")));
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&repo(), &argv);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(1) {
            failures.push(format!(
                "{name}: exit code {:?} (want 1); stderr: {stderr}",
                out.status.code()
            ));
        } else if !stderr.to_lowercase().contains(&phrase.to_lowercase()) {
            failures.push(format!(
                "{name}: error does not mention '{phrase}':\n{stderr}"
            ));
        } else if stderr.contains("panicked") || !stderr.starts_with("error") {
            failures.push(format!("{name}: not a clean error:\n{stderr}"));
        } else if !out.stdout.is_empty() {
            failures.push(format!("{name}: printed output despite failing"));
        }
        assert_eq!(
            before,
            snapshot_tree(&project),
            "{name}: the project was modified"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
