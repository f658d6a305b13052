//! One test per entry of docs/errors.md (issue 7): each builds a small project in a
//! temp folder, runs the real binary, and checks the documented phrase appears in a
//! clean failure (exit 1, an `error:` paragraph, no panic, nothing on stdout, the
//! project unchanged). `every_entry_is_documented` keeps the catalogue and the tests
//! in step: an entry added here needs its section in the doc, and the other way round.

mod common;

use std::path::Path;
use std::process::Command;

use common::snapshot_tree;

/// Runs the binary in a fresh project made of `files` and checks a clean failure that
/// mentions `phrase`.
fn check(files: &[(&str, &[u8])], args: &[&str], env: &[(&str, &str)], phrase: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("proj");
    std::fs::create_dir_all(&root).unwrap();
    for (path, content) in files {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }
    if args.contains(&"empty") {
        std::fs::create_dir_all(root.join("empty")).unwrap();
    }
    let before = snapshot_tree(&root);
    let out = run_in(&root, args, env);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "want exit 1; stderr:\n{err}");
    // the error carries the code of its catalogue entry (the entry naming this test)
    let code = code_of_this_test();
    // two entries are one error reported in two places (same message): either code
    let same_error = [("SV0202", "SV0203"), ("SV1007", "SV1102")];
    let also = same_error
        .iter()
        .find_map(|(a, b)| (code == *a).then_some(*b).or((code == *b).then_some(*a)))
        .unwrap_or("none");
    assert!(
        err.starts_with(&format!("error[{code}]: "))
            || err.starts_with(&format!("error[{also}]: ")),
        "not one error paragraph with the code {code}:\n{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.to_lowercase().contains(&phrase.to_lowercase()),
        "the error does not say '{phrase}':\n{err}"
    );
    assert!(
        out.stdout.is_empty(),
        "stdout on failure: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(before, snapshot_tree(&root), "the project was modified");
}

/// The `* code:` of the docs/errors.md entry whose `* test:` is the running test
/// (the test harness names each test's thread after the test).
fn code_of_this_test() -> String {
    let name = std::thread::current()
        .name()
        .unwrap_or_default()
        .to_string();
    let doc = std::fs::read_to_string(common::repo().join("docs/errors.md")).unwrap();
    let marker = format!("`error_catalog::{name}`");
    let at = doc
        .find(&marker)
        .unwrap_or_else(|| panic!("docs/errors.md names no test {name}"));
    let start = doc[..at].rfind("\n### ").unwrap();
    doc[start..at]
        .lines()
        .find_map(|l| l.strip_prefix("* code: "))
        .unwrap_or_else(|| panic!("the entry of {name} has no code"))
        .trim()
        .to_string()
}

fn run_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_soopervisor"))
        .args(args)
        .current_dir(cwd)
        .env_remove("ENTRY_POINT")
        .env_remove("PLOOMBER_ENV_FILENAME")
        .envs(env.iter().copied())
        .output()
        .expect("run soopervisor")
}

#[test]
fn no_pipeline_found() {
    check(&[], &["inspect"], &[], "unable to find a pipeline");
}

#[test]
fn entry_point_missing() {
    check(
        &[(
            "a.py",
            b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
        )],
        &["inspect", "-e", "nope.yaml"],
        &[],
        "the entry point 'nope.yaml' does not exist",
    );
}

#[test]
fn entry_point_factory() {
    check(
        &[(
            "a.py",
            b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
        )],
        &["inspect", "--no-python", "-e", "pkg.make_dag"],
        &[],
        "a dotted path to a factory function",
    );
}

#[test]
fn entry_point_module_path() {
    check(
        &[(
            "a.py",
            b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
        )],
        &["inspect", "--no-python", "-e", "pkg::pipeline.yaml"],
        &[],
        "a module path (package::file)",
    );
}

#[test]
fn entry_point_env_var_with_folder() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[("ENTRY_POINT", "sub/pipeline.yaml")],
        "must be a filename and not contain any directory components",
    );
}

#[test]
fn directory_missing() {
    check(&[], &["inspect", "-C", "nowhere"], &[], "no such folder");
}

#[test]
fn setup_cfg_entry_point_missing() {
    check(
        &[
            ("setup.cfg", b"[ploomber]\nentry-point = missing.yaml\n"),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "setup.cfg sets entry-point",
    );
}

#[test]
fn pattern_invalid_extension() {
    check(
        &[("data/x.csv", b"a\n")],
        &["inspect", "-e", "data/*"],
        &[],
        "cannot instantiate DAGSpec from files with invalid extensions",
    );
}

#[test]
fn pattern_matches_nothing() {
    check(
        &[(
            "a.py",
            b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
        )],
        &["inspect", "-e", "empty"],
        &[],
        "matches no script or notebook",
    );
}

#[test]
fn spec_is_a_folder() {
    check(
        &[("pipeline.yaml/x", b"x")],
        &["inspect"],
        &[],
        "expected a file but found a folder",
    );
}

#[test]
fn spec_not_utf8() {
    check(
        &[("pipeline.yaml", b"tasks:\n  - source: \xff.py\n")],
        &["inspect"],
        &[],
        "the file is not valid UTF-8 text",
    );
}

#[test]
fn source_not_utf8() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            ("a.py", b"\x00\xff\xfe junk"),
        ],
        &["inspect"],
        &[],
        "the file is not valid UTF-8 text",
    );
}

#[test]
fn invalid_yaml() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n   product: [x\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "Got invalid YAML",
    );
}

#[test]
fn unquoted_placeholder() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: {{root}}/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "Make sure values are enclosed in parentheses",
    );
}

#[test]
fn yaml_alias_bomb() {
    check(&[("pipeline.yaml", b"a: &a [x, x, x, x, x, x, x, x, x, x]\na1: &a1 [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\na2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]\na3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]\na4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]\na5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]\na6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]\na7: &a7 [*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6]\ntasks: []\n")], &["inspect"], &[], "alias bomb");
}

#[test]
fn yaml_too_deep() {
    check(&[("pipeline.yaml", b"tasks: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n")], &["inspect"], &[], "invalid YAML");
}

#[test]
fn yaml_unsafe_tag() {
    check(
        &[("pipeline.yaml", b"tasks: !!python/object:os.system x\n")],
        &["inspect"],
        &[],
        "is not supported by safe YAML loading",
    );
}

#[test]
fn spec_not_a_mapping() {
    check(
        &[("pipeline.yaml", b"42\n")],
        &["inspect"],
        &[],
        "expected the spec to be a mapping",
    );
}

#[test]
fn tasks_missing() {
    check(
        &[("pipeline.yaml", b"meta:\n  extract_upstream: true\n")],
        &["inspect"],
        &[],
        "Missing \"tasks\" key",
    );
}

#[test]
fn tasks_not_a_list() {
    check(
        &[
            ("pipeline.yaml", b"tasks:\n  source: a.py\n"),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "Expected 'tasks' in the dag spec to contain a list",
    );
}

#[test]
fn unknown_top_level_key() {
    check(
        &[
            (
                "pipeline.yaml",
                b"metadata: {}\ntasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "the following keys aren't valid: 'metadata'",
    );
}

#[test]
fn unknown_meta_key() {
    check(&[("pipeline.yaml", b"meta:\n  extract_upstreams: true\ntasks:\n  - source: a.py\n    product: out/a.ipynb\n"), ("a.py", b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n")], &["inspect"], &[], "the following keys aren't valid: 'extract_upstreams'");
}

#[test]
fn meta_not_a_mapping() {
    check(
        &[
            (
                "pipeline.yaml",
                b"meta: 3\ntasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "'meta' must be a mapping",
    );
}

#[test]
fn meta_flag_not_boolean() {
    check(&[("pipeline.yaml", b"meta:\n  extract_upstream: sometimes\ntasks:\n  - source: a.py\n    product: out/a.ipynb\n"), ("a.py", b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n")], &["inspect"], &[], "must be true or false");
}

#[test]
fn python_interpreter_missing() {
    check(
        &[("pipeline.yaml", b"location: pkg.make_dag\n")],
        &["inspect", "--python", "/no/such/python"],
        &[],
        "does not exist",
    );
}

#[test]
fn exact_with_force() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: fns.a\n    product: out/a.txt\n",
            ),
            ("fns.py", b"def a(product):\n    pass\n"),
        ],
        &["export", "--mode", "force", "--exact"],
        &[],
        "--exact only changes incremental mode",
    );
}

#[test]
fn exact_with_no_python() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: fns.a\n    product: out/a.txt\n",
            ),
            ("fns.py", b"def a(product):\n    pass\n"),
        ],
        &["export", "--exact", "--no-python"],
        &[],
        "--no-python forbids it",
    );
}

#[test]
fn location_factory() {
    check(
        &[("pipeline.yaml", b"location: pkg.make_dag\n")],
        &["inspect", "--no-python"],
        &[],
        "location",
    );
}

#[test]
fn import_tasks_from_missing() {
    check(&[("pipeline.yaml", b"meta:\n  import_tasks_from: more.yaml\ntasks:\n  - source: a.py\n    product: out/a.ipynb\n"), ("a.py", b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n")], &["inspect"], &[], "which does not exist");
}

#[test]
fn executor_invalid() {
    check(
        &[
            (
                "pipeline.yaml",
                b"executor: threads\ntasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "\"executor\" must be \"serial\", \"parallel\", or a dotted path",
    );
}

#[test]
fn undefined_placeholder() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: \"{{output_dir}}/a.ipynb\"\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "{{output_dir}}",
    );
}

#[test]
fn env_forward_reference() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: \"{{out_file}}\"\n",
            ),
            (
                "env.yaml",
                b"out_file: \"{{out_dir}}/a.ipynb\"\nout_dir: build\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "Undeclared value for placeholder 'out_dir'",
    );
}

#[test]
fn env_yml_extension() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            ("env.yml", b"x: 1\n"),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "Change the extension to .yaml",
    );
}

#[test]
fn env_not_a_mapping() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            ("env.yaml", b"- 1\n"),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "expected the env file to contain a mapping",
    );
}

#[test]
fn env_double_underscore() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            ("env.yaml", b"a__b: 1\n"),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "cannot contain '__'",
    );
}

#[test]
fn env_leading_underscore() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            ("env.yaml", b"_x: 1\n"),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "cannot start with '_'",
    );
}

#[test]
fn env_meta_key() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            ("env.yaml", b"meta:\n  other: 1\n"),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "only 'meta.import_from' is allowed",
    );
}

#[test]
fn env_filename_is_a_path() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[("PLOOMBER_ENV_FILENAME", "sub/env.yaml")],
        "must be a filename, not a path",
    );
}

#[test]
fn env_filename_missing() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[("PLOOMBER_ENV_FILENAME", "env.prod.yaml")],
        "no such file exists",
    );
}

#[test]
fn invalid_placeholder_syntax() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: \"{{ a b }}/x.ipynb\"\n",
            ),
            ("env.yaml", b"a: 1\n"),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "invalid placeholder syntax",
    );
}

#[test]
fn class_typo() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    class: NotebookRuner\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "Did you mean 'NotebookRunner'",
    );
}

#[test]
fn unknown_task_key() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n    param:\n      n: 1\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "unexpected keyword argument 'param'",
    );
}

#[test]
fn missing_product() {
    check(
        &[
            ("pipeline.yaml", b"tasks:\n  - source: a.py\n"),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "Missing keys: 'product'",
    );
}

#[test]
fn missing_source() {
    check(
        &[(
            "pipeline.yaml",
            b"tasks:\n  - source: scripts/transfrom.py\n    product: out/t.ipynb\n",
        )],
        &["inspect"],
        &[],
        "scripts/transfrom.py",
    );
}

#[test]
fn source_is_a_folder() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            ("a.py/x", b"x"),
        ],
        &["inspect"],
        &[],
        "is a folder, not a file",
    );
}

#[test]
fn invalid_extension() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: notes/readme.txt\n    product: out/r.ipynb\n",
            ),
            ("notes/readme.txt", b"x\n"),
        ],
        &["inspect"],
        &[],
        "invalid extension '.txt'",
    );
}

#[test]
fn product_extension_typo() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: q.sql\n    product: out/users.cvs\n",
            ),
            ("q.sql", b"SELECT 1\n"),
        ],
        &["inspect"],
        &[],
        "Did you mean: '.csv'",
    );
}

#[test]
fn missing_nb_key() {
    check(&[("pipeline.yaml", b"tasks:\n  - source: a.py\n    product:\n      notebook: out/a.ipynb\n      data: out/a.csv\n"), ("a.py", b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n")], &["inspect"], &[], "Missing key 'nb' in product");
}

#[test]
fn grid_without_name() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n    grid:\n      x: [1, 2]\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "tasks with 'grid' must have a 'name'",
    );
}

#[test]
fn grid_params_overlap() {
    check(&[("pipeline.yaml", b"tasks:\n  - source: a.py\n    name: fit-\n    product: out/a.ipynb\n    grid:\n      alpha: [1, 2]\n    params:\n      alpha: 3\n"), ("a.py", b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n")], &["inspect"], &[], "'grid' and 'params' have overlapping keys: 'alpha'");
}

#[test]
fn grid_not_a_mapping() {
    check(&[("pipeline.yaml", b"tasks:\n  - source: a.py\n    name: fit-\n    product: out/a.ipynb\n    grid: 3\n"), ("a.py", b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n")], &["inspect"], &[], "'grid' must be a mapping or a list of mappings");
}

#[test]
fn grid_too_large() {
    check(&[("pipeline.yaml", b"tasks:\n  - source: a.py\n    name: fit-\n    product: out/a.ipynb\n    grid:\n      a: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191, 192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255, 256, 257, 258, 259, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 270, 271, 272, 273, 274, 275, 276, 277, 278, 279, 280, 281, 282, 283, 284, 285, 286, 287, 288, 289, 290, 291, 292, 293, 294, 295, 296, 297, 298, 299, 300, 301, 302, 303, 304, 305, 306, 307, 308, 309, 310, 311, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321, 322, 323, 324, 325, 326, 327, 328, 329, 330, 331, 332, 333, 334, 335, 336, 337, 338, 339, 340, 341, 342, 343, 344, 345, 346, 347, 348, 349, 350, 351, 352, 353, 354, 355, 356, 357, 358, 359, 360, 361, 362, 363, 364, 365, 366, 367, 368, 369, 370, 371, 372, 373, 374, 375, 376, 377, 378, 379, 380, 381, 382, 383, 384, 385, 386, 387, 388, 389, 390, 391, 392, 393, 394, 395, 396, 397, 398, 399, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 419, 420, 421, 422, 423, 424, 425, 426, 427, 428, 429, 430, 431, 432, 433, 434, 435, 436, 437, 438, 439, 440, 441, 442, 443, 444, 445, 446, 447, 448, 449, 450, 451, 452, 453, 454, 455, 456, 457, 458, 459, 460, 461, 462, 463, 464, 465, 466, 467, 468, 469, 470, 471, 472, 473, 474, 475, 476, 477, 478, 479, 480, 481, 482, 483, 484, 485, 486, 487, 488, 489, 490, 491, 492, 493, 494, 495, 496, 497, 498, 499, 500, 501, 502, 503, 504, 505, 506, 507, 508, 509, 510, 511, 512, 513, 514, 515, 516, 517, 518, 519, 520, 521, 522, 523, 524, 525, 526, 527, 528, 529, 530, 531, 532, 533, 534, 535, 536, 537, 538, 539, 540, 541, 542, 543, 544, 545, 546, 547, 548, 549, 550, 551, 552, 553, 554, 555, 556, 557, 558, 559, 560, 561, 562, 563, 564, 565, 566, 567, 568, 569, 570, 571, 572, 573, 574, 575, 576, 577, 578, 579, 580, 581, 582, 583, 584, 585, 586, 587, 588, 589, 590, 591, 592, 593, 594, 595, 596, 597, 598, 599, 600, 601, 602, 603, 604, 605, 606, 607, 608, 609, 610, 611, 612, 613, 614, 615, 616, 617, 618, 619, 620, 621, 622, 623, 624, 625, 626, 627, 628, 629, 630, 631, 632, 633, 634, 635, 636, 637, 638, 639, 640, 641, 642, 643, 644, 645, 646, 647, 648, 649, 650, 651, 652, 653, 654, 655, 656, 657, 658, 659, 660, 661, 662, 663, 664, 665, 666, 667, 668, 669, 670, 671, 672, 673, 674, 675, 676, 677, 678, 679, 680, 681, 682, 683, 684, 685, 686, 687, 688, 689, 690, 691, 692, 693, 694, 695, 696, 697, 698, 699, 700, 701, 702, 703, 704, 705, 706, 707, 708, 709, 710, 711, 712, 713, 714, 715, 716, 717, 718, 719, 720, 721, 722, 723, 724, 725, 726, 727, 728, 729, 730, 731, 732, 733, 734, 735, 736, 737, 738, 739, 740, 741, 742, 743, 744, 745, 746, 747, 748, 749, 750, 751, 752, 753, 754, 755, 756, 757, 758, 759, 760, 761, 762, 763, 764, 765, 766, 767, 768, 769, 770, 771, 772, 773, 774, 775, 776, 777, 778, 779, 780, 781, 782, 783, 784, 785, 786, 787, 788, 789, 790, 791, 792, 793, 794, 795, 796, 797, 798, 799, 800, 801, 802, 803, 804, 805, 806, 807, 808, 809, 810, 811, 812, 813, 814, 815, 816, 817, 818, 819, 820, 821, 822, 823, 824, 825, 826, 827, 828, 829, 830, 831, 832, 833, 834, 835, 836, 837, 838, 839, 840, 841, 842, 843, 844, 845, 846, 847, 848, 849, 850, 851, 852, 853, 854, 855, 856, 857, 858, 859, 860, 861, 862, 863, 864, 865, 866, 867, 868, 869, 870, 871, 872, 873, 874, 875, 876, 877, 878, 879, 880, 881, 882, 883, 884, 885, 886, 887, 888, 889, 890, 891, 892, 893, 894, 895, 896, 897, 898, 899, 900, 901, 902, 903, 904, 905, 906, 907, 908, 909, 910, 911, 912, 913, 914, 915, 916, 917, 918, 919, 920, 921, 922, 923, 924, 925, 926, 927, 928, 929, 930, 931, 932, 933, 934, 935, 936, 937, 938, 939, 940, 941, 942, 943, 944, 945, 946, 947, 948, 949, 950, 951, 952, 953, 954, 955, 956, 957, 958, 959, 960, 961, 962, 963, 964, 965, 966, 967, 968, 969, 970, 971, 972, 973, 974, 975, 976, 977, 978, 979, 980, 981, 982, 983, 984, 985, 986, 987, 988, 989, 990, 991, 992, 993, 994, 995, 996, 997, 998, 999]\n      b: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100]\n"), ("a.py", b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n")], &["inspect"], &[], "this grid expands to more than 100000 tasks");
}

#[test]
fn too_many_tasks() {
    check(&[("pipeline.yaml", b"tasks:\n  - source: a.py\n    name: fit-\n    product: out/a.ipynb\n    grid:\n      a: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191, 192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255, 256, 257, 258, 259, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 270, 271, 272, 273, 274, 275, 276, 277, 278, 279, 280, 281, 282, 283, 284, 285, 286, 287, 288, 289, 290, 291, 292, 293, 294, 295, 296, 297, 298, 299, 300, 301, 302, 303, 304, 305, 306, 307, 308, 309, 310, 311, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321, 322, 323, 324, 325, 326, 327, 328, 329, 330, 331, 332, 333, 334, 335, 336, 337, 338, 339, 340, 341, 342, 343, 344, 345, 346, 347, 348, 349, 350, 351, 352, 353, 354, 355, 356, 357, 358, 359, 360, 361, 362, 363, 364, 365, 366, 367, 368, 369, 370, 371, 372, 373, 374, 375, 376, 377, 378, 379, 380, 381, 382, 383, 384, 385, 386, 387, 388, 389, 390, 391, 392, 393, 394, 395, 396, 397, 398, 399, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 419, 420, 421, 422, 423, 424, 425, 426, 427, 428, 429, 430, 431, 432, 433, 434, 435, 436, 437, 438, 439, 440, 441, 442, 443, 444, 445, 446, 447, 448, 449, 450, 451, 452, 453, 454, 455, 456, 457, 458, 459, 460, 461, 462, 463, 464, 465, 466, 467, 468, 469, 470, 471, 472, 473, 474, 475, 476, 477, 478, 479, 480, 481, 482, 483, 484, 485, 486, 487, 488, 489, 490, 491, 492, 493, 494, 495, 496, 497, 498, 499, 500, 501, 502, 503, 504, 505, 506, 507, 508, 509, 510, 511, 512, 513, 514, 515, 516, 517, 518, 519, 520, 521, 522, 523, 524, 525, 526, 527, 528, 529, 530, 531, 532, 533, 534, 535, 536, 537, 538, 539, 540, 541, 542, 543, 544, 545, 546, 547, 548, 549, 550, 551, 552, 553, 554, 555, 556, 557, 558, 559, 560, 561, 562, 563, 564, 565, 566, 567, 568, 569, 570, 571, 572, 573, 574, 575, 576, 577, 578, 579, 580, 581, 582, 583, 584, 585, 586, 587, 588, 589, 590, 591, 592, 593, 594, 595, 596, 597, 598, 599, 600, 601, 602, 603, 604, 605, 606, 607, 608, 609, 610, 611, 612, 613, 614, 615, 616, 617, 618, 619, 620, 621, 622, 623, 624, 625, 626, 627, 628, 629, 630, 631, 632, 633, 634, 635, 636, 637, 638, 639, 640, 641, 642, 643, 644, 645, 646, 647, 648, 649, 650, 651, 652, 653, 654, 655, 656, 657, 658, 659, 660, 661, 662, 663, 664, 665, 666, 667, 668, 669, 670, 671, 672, 673, 674, 675, 676, 677, 678, 679, 680, 681, 682, 683, 684, 685, 686, 687, 688, 689, 690, 691, 692, 693, 694, 695, 696, 697, 698, 699, 700, 701, 702, 703, 704, 705, 706, 707, 708, 709, 710, 711, 712, 713, 714, 715, 716, 717, 718, 719, 720, 721, 722, 723, 724, 725, 726, 727, 728, 729, 730, 731, 732, 733, 734, 735, 736, 737, 738, 739, 740, 741, 742, 743, 744, 745, 746, 747, 748, 749, 750, 751, 752, 753, 754, 755, 756, 757, 758, 759, 760, 761, 762, 763, 764, 765, 766, 767, 768, 769, 770, 771, 772, 773, 774, 775, 776, 777, 778, 779, 780, 781, 782, 783, 784, 785, 786, 787, 788, 789, 790, 791, 792, 793, 794, 795, 796, 797, 798, 799, 800, 801, 802, 803, 804, 805, 806, 807, 808, 809, 810, 811, 812, 813, 814, 815, 816, 817, 818, 819, 820, 821, 822, 823, 824, 825, 826, 827, 828, 829, 830, 831, 832, 833, 834, 835, 836, 837, 838, 839, 840, 841, 842, 843, 844, 845, 846, 847, 848, 849, 850, 851, 852, 853, 854, 855, 856, 857, 858, 859, 860, 861, 862, 863, 864, 865, 866, 867, 868, 869, 870, 871, 872, 873, 874, 875, 876, 877, 878, 879, 880, 881, 882, 883, 884, 885, 886, 887, 888, 889, 890, 891, 892, 893, 894, 895, 896, 897, 898, 899, 900, 901, 902, 903, 904, 905, 906, 907, 908, 909, 910, 911, 912, 913, 914, 915, 916, 917, 918, 919, 920, 921, 922, 923, 924, 925, 926, 927, 928, 929, 930, 931, 932, 933, 934, 935, 936, 937, 938, 939, 940, 941, 942, 943, 944, 945, 946, 947, 948, 949, 950, 951, 952, 953, 954, 955, 956, 957, 958, 959, 960, 961, 962, 963, 964, 965, 966, 967, 968, 969, 970, 971, 972, 973, 974, 975, 976, 977, 978, 979, 980, 981, 982, 983, 984, 985, 986, 987, 988, 989, 990, 991, 992, 993, 994, 995, 996, 997, 998, 999]\n      b: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99]\n  - source: b.py\n    product: out/b.ipynb\n"), ("a.py", b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n"), ("b.py", b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n")], &["inspect"], &[], "the pipeline declares more than 100000 tasks");
}

#[test]
fn params_upstream_key() {
    check(&[("pipeline.yaml", b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n    params:\n      upstream: [x]\n"), ("a.py", b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n")], &["inspect"], &[], "cannot be initialized with an \"upstream\" key");
}

#[test]
fn static_analysis_invalid() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n    static_analysis: off\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "not a valid 'static_analysis' value",
    );
}

#[test]
fn params_cell_missing_product() {
    check(
        &[
            (
                "pipeline.yaml",
                b"meta:\n  extract_product: true\ntasks:\n  - source: a.py\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "product",
    );
}

#[test]
fn params_cell_last() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n",
            ),
        ],
        &["inspect"],
        &[],
        "the last cell in the script is the parameters cell",
    );
}

#[test]
fn params_cell_syntax_error() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = ['a'\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "Could not parse a valid 'upstream' variable",
    );
}

#[test]
fn upstream_string() {
    check(&[("pipeline.yaml", b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n  - source: b.py\n    product: out/b.ipynb\n"), ("a.py", b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n"), ("b.py", b"# %% tags=[\"parameters\"]\nupstream = 'a'\nproduct = None\n\n# %%\nprint(1)\n")], &["inspect"], &[], "not a valid type");
}

#[test]
fn python_too_deep() {
    check(&[("pipeline.yaml", b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n"), ("a.py", b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = --------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------1\n\n# %%\nprint(1)\n")], &["inspect"], &[], "nested more than 200 levels");
}

#[test]
fn r_cell_c_vector() {
    check(&[("pipeline.yaml", b"tasks:\n  - source: a.R\n    product: out/a.ipynb\n  - source: b.R\n    product: out/b.ipynb\n"), ("a.R", b"# %% tags=[\"parameters\"]\nupstream <- NULL\nproduct <- NULL\n\n# %%\nprint(1)\n"), ("b.R", b"# %% tags=[\"parameters\"]\nupstream <- c(\"a\")\nproduct <- NULL\n\n# %%\nprint(1)\n")], &["inspect"], &[], "Variables should be assigned to values of type list");
}

#[test]
fn sqlscript_without_product() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: q.sql\n    product: [s, t, table]\n    client: db.get\n",
            ),
            ("q.sql", b"SELECT 1\n"),
        ],
        &["inspect"],
        &[],
        "The {{product}} placeholder is required",
    );
}

#[test]
fn shellscript_without_product() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: run.sh\n    product: out/x.txt\n",
            ),
            ("run.sh", b"echo hi\n"),
        ],
        &["inspect"],
        &[],
        "ShellScript must include {{product}}",
    );
}

#[test]
fn template_syntax_error() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: q.sql\n    product: [s, t, table]\n    client: db.get\n",
            ),
            (
                "q.sql",
                b"CREATE TABLE {{product}} AS SELECT {{ upstream[ }}\n",
            ),
        ],
        &["inspect"],
        &[],
        "invalid Jinja template",
    );
}

#[test]
fn function_not_defined() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: fns.transfrom\n    product: out/t.csv\n",
            ),
            ("fns.py", b"def transform(product):\n    pass\n"),
        ],
        &["inspect"],
        &[],
        "to define a function named 'transfrom'",
    );
}

#[test]
fn module_not_found() {
    check(
        &[(
            "pipeline.yaml",
            b"tasks:\n  - source: pipelines.fns.f\n    product: out/t.csv\n",
        )],
        &["inspect"],
        &[],
        "Module 'pipelines' does not exist",
    );
}

#[test]
fn function_from_import() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: etl.extract\n    product: out/raw.csv\n",
            ),
            ("etl.py", b"from helpers import extract\n"),
            ("helpers.py", b"def extract(product):\n    pass\n"),
        ],
        &["inspect"],
        &[],
        "definitions from import statements are not supported",
    );
}

#[test]
fn extract_product_with_key() {
    check(&[("pipeline.yaml", b"meta:\n  extract_product: true\ntasks:\n  - source: a.py\n    product: out/a.ipynb\n"), ("a.py", b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = 'out/a.ipynb'\n\n# %%\nprint(1)\n")], &["inspect"], &[], "tasks should not have a \"product\" key");
}

#[test]
fn upstream_key_with_extraction() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n    upstream: [x]\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["inspect"],
        &[],
        "tasks should not have an \"upstream\" key",
    );
}

#[test]
fn unknown_upstream() {
    check(&[("pipeline.yaml", b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n"), ("a.py", b"# %% tags=[\"parameters\"]\nupstream = ['laod']\nproduct = None\n\n# %%\nprint(1)\n")], &["inspect"], &[], "has an upstream dependency 'laod', but such task doesn't exist");
}

#[test]
fn cycle() {
    check(&[("pipeline.yaml", b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n  - source: b.py\n    product: out/b.ipynb\n"), ("a.py", b"# %% tags=[\"parameters\"]\nupstream = ['b']\nproduct = None\n\n# %%\nprint(1)\n"), ("b.py", b"# %% tags=[\"parameters\"]\nupstream = ['a']\nproduct = None\n\n# %%\nprint(1)\n")], &["inspect"], &[], "contains cycles");
}

#[test]
fn duplicate_task_name() {
    check(&[("pipeline.yaml", b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n  - source: a.py\n    product: out/b.ipynb\n"), ("a.py", b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n")], &["inspect"], &[], "DAG already has a task with name 'a'");
}

#[test]
fn duplicate_product() {
    check(&[("pipeline.yaml", b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n  - source: b.py\n    product: out/a.ipynb\n"), ("a.py", b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n"), ("b.py", b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n")], &["inspect"], &[], "unique products");
}

#[test]
fn task_not_in_pipeline() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
            ("environment.yml", b"name: p\ndependencies: [pip]\n"),
        ],
        &[
            "export",
            "--backend",
            "argo",
            "--storage",
            "nfs",
            "--task",
            "nope",
        ],
        &[],
        "'nope' is not a task of this pipeline",
    );
}

#[test]
fn argo_needs_environment_yml() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["export", "--backend", "argo", "--storage", "nfs"],
        &[],
        "environment.yml",
    );
}

#[test]
fn product_outside_project() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: ../x.csv\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
            ("environment.yml", b"name: p\ndependencies: [pip]\n"),
        ],
        &["export", "--backend", "argo", "--storage", "nfs"],
        &[],
        "outside the project folder, which the pods cannot reach on the shared disk",
    );
}

#[test]
fn source_outside_project() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: ../outside.py\n    product: out/a.ipynb\n",
            ),
            (
                "../outside.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
            ("environment.yml", b"name: p\ndependencies: [pip]\n"),
        ],
        &["export", "--backend", "argo"],
        &[],
        "outside the project folder, but code shared-disk ships only the project folder to the pods",
    );
}

#[test]
fn argo_unknown_storage() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
            ("environment.yml", b"name: p\ndependencies: [pip]\n"),
        ],
        &["export", "--backend", "argo", "--storage", "floppy"],
        &[],
        "floppy",
    );
}

#[test]
fn unknown_backend() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
            ("soopervisor.yaml", b"prod:\n  backend: kubernetes-nope\n"),
        ],
        &["export", "prod"],
        &[],
        "'kubernetes-nope' is not a backend this binary knows",
    );
}

#[test]
fn missing_target_section() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
            ("soopervisor.yaml", b"other:\n  backend: argo\n"),
        ],
        &["export", "training"],
        &[],
        "missing 'training' section",
    );
}

#[test]
fn no_soopervisor_yaml() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["export", "training"],
        &[],
        "soopervisor.yaml",
    );
}

#[test]
fn section_without_backend() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
            ("soopervisor.yaml", b"training:\n  storage: nfs\n"),
        ],
        &["export", "training"],
        &[],
        "the section has no 'backend' key",
    );
}

#[test]
fn invalid_backend_settings() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
            (
                "soopervisor.yaml",
                b"training:\n  backend: argo\n  colour: blue\n",
            ),
        ],
        &["export", "training"],
        &[],
        "invalid settings for the argo backend",
    );
}

#[test]
fn output_dash_with_several_files() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["export", "--backend", "slurm", "--output", "-"],
        &[],
        "--output - prints one file, but this backend writes several",
    );
}

#[test]
fn add_existing_target() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
            ("soopervisor.yaml", b"training:\n  backend: argo\n"),
        ],
        &["add", "training", "--backend", "argo"],
        &[],
        "a 'training' section already exists",
    );
}

#[test]
fn add_invalid_target_name() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
            ),
            (
                "a.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
            ),
        ],
        &["add", "../x", "--backend", "argo"],
        &[],
        "is not a valid target name",
    );
}

// Backends, strategies, upload, add and --output (the entries below share these files).

const SPEC: &[u8] = b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n";
const A_PY: &[u8] =
    b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n";
/// With ploomber among the dependencies, so the argo backend prints no warning first.
const ENV_YML: &[u8] = b"name: p\ndependencies: [pip, ploomber]\n";

/// Runs the binary in `root` and checks a failure with exit 1 that mentions `phrase`
/// (for the cases `check` cannot express: output before the error, a git repository).
fn fails_in(root: &Path, args: &[&str], env: &[(&str, &str)], phrase: &str) -> String {
    let out = run_in(root, args, env);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "want exit 1; stderr:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.to_lowercase().contains(&phrase.to_lowercase()),
        "the error does not say '{phrase}':\n{err}"
    );
    err
}

/// A project made of `files` in a fresh temp folder (the folder is kept alive by the
/// returned guard).
fn project(files: &[(&str, &[u8])]) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("proj");
    for (path, content) in files {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }
    (tmp, root)
}

#[test]
fn slurm_template_missing_placeholder() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("soopervisor.yaml", b"hpc:\n  backend: slurm\n"),
            (
                "hpc/template.sh",
                b"#!/bin/bash\n#SBATCH --job-name={{name}}\necho hi\n",
            ),
        ],
        &["export", "hpc"],
        &[],
        "missing placeholders: '{{command}}'",
    );
}

#[test]
fn slurm_template_unknown_placeholder() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("soopervisor.yaml", b"hpc:\n  backend: slurm\n"),
            (
                "hpc/template.sh",
                b"#!/bin/bash\n#SBATCH --job-name={{name}}\n{{command}} {{partition}}\n",
            ),
        ],
        &["export", "hpc"],
        &[],
        "unknown placeholder '{{partition}}'",
    );
}

/// `--submit` checks for sbatch before anything is written.
#[test]
fn slurm_submit_without_sbatch() {
    let (tmp, root) = project(&[("pipeline.yaml", SPEC), ("a.py", A_PY)]);
    let bin = tmp.path().join("empty-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let before = snapshot_tree(&root);
    fails_in(
        &root,
        &["export", "--backend", "slurm", "--submit"],
        &[("PATH", bin.to_str().unwrap())],
        "`sbatch` was not found on PATH",
    );
    assert_eq!(before, snapshot_tree(&root), "something was written");
}

#[test]
fn slurm_status_without_state() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("soopervisor.yaml", b"hpc:\n  backend: slurm\n"),
        ],
        &["status", "hpc"],
        &[],
        "no submitted SLURM jobs are recorded here",
    );
}

#[test]
fn slurm_unknown_key() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            (
                "soopervisor.yaml",
                b"hpc:\n  backend: slurm\n  partition: gpu\n",
            ),
        ],
        &["export", "hpc"],
        &[],
        "invalid settings for the slurm backend: unknown field `partition`",
    );
}

#[test]
fn export_target_backend_conflict() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("soopervisor.yaml", b"hpc:\n  backend: slurm\n"),
        ],
        &["export", "hpc", "--backend", "argo"],
        &[],
        "--backend argo conflicts with the 'hpc' section",
    );
}

#[test]
fn strategy_combination_refused() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
        ],
        &[
            "export",
            "--backend",
            "argo",
            "--storage",
            "fetch",
            "--code",
            "shared-disk",
        ],
        &[],
        "cannot be combined (argo): code shared-disk runs the project from the shared disk",
    );
}

#[test]
fn env_image_without_image() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
        ],
        &["export", "--backend", "argo", "--env", "image"],
        &[],
        "env image needs the image every pod runs, but none is set",
    );
}

#[test]
fn env_pip_without_requirements() {
    check(
        &[("pipeline.yaml", SPEC), ("a.py", A_PY)],
        &["export", "--backend", "argo", "--env", "pip"],
        &[],
        "neither requirements.lock.txt nor requirements.txt",
    );
}

#[test]
fn env_pip_requirements_missing() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            (
                "soopervisor.yaml",
                b"wf:\n  backend: argo\n  env: {kind: pip, requirements: req/nope.txt}\n",
            ),
        ],
        &["export", "wf"],
        &[],
        "the requirements file req/nope.txt does not exist",
    );
}

#[test]
fn code_git_outside_repository() {
    // the temp folder must not be inside a git repository for this one
    let probe = tempfile::tempdir().unwrap();
    let inside = Command::new("git")
        .args(["-C", probe.path().to_str().unwrap(), "rev-parse"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if inside {
        eprintln!("skipped: the temp folder is inside a git repository");
        return;
    }
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
        ],
        &["export", "--backend", "argo", "--code", "git"],
        &[],
        "code git: the project is not in a git repository with a commit",
    );
}

#[test]
fn code_git_dirty_tree() {
    let (_tmp, root) = project(&[
        ("pipeline.yaml", SPEC),
        ("a.py", A_PY),
        ("environment.yml", ENV_YML),
    ]);
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .arg("-C")
            .arg(&root)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        assert!(ok, "git {args:?} failed (is git installed?)");
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "init"]);
    let mut edited = A_PY.to_vec();
    edited.extend_from_slice(b"print(2)\n");
    std::fs::write(root.join("a.py"), edited).unwrap();
    // git may refresh its index: compare the project's files, not .git
    let files = |root: &Path| {
        let mut t = snapshot_tree(root);
        t.retain(|k, _| !k.starts_with(".git"));
        t
    };
    let before = files(&root);
    let err = fails_in(
        &root,
        &["export", "--backend", "argo", "--code", "git"],
        &[],
        "the working tree has uncommitted changes to tracked files",
    );
    assert!(err.starts_with("error"), "{err}");
    assert_eq!(before, files(&root), "the project was modified");
}

#[test]
fn code_package_not_a_package() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
        ],
        &["export", "--backend", "argo", "--code", "package"],
        &[],
        "it has no setup.py or pyproject.toml",
    );
}

#[test]
fn argo_mount_path_not_absolute() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
            (
                "soopervisor.yaml",
                b"wf:\n  backend: argo\n  storage: {kind: nfs, mount_path: mnt/vol}\n",
            ),
        ],
        &["export", "wf"],
        &[],
        "mount_path must be an absolute path without '..'",
    );
}

#[test]
fn argo_sub_path_leaves_volume() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
            (
                "soopervisor.yaml",
                b"wf:\n  backend: argo\n  sub_path: ../other\n",
            ),
        ],
        &["export", "wf"],
        &[],
        "sub_path must be relative to the volume and must not contain '..'",
    );
}

#[test]
fn argo_disk_key_without_disk() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
            (
                "soopervisor.yaml",
                b"wf:\n  backend: argo\n  storage: fetch\n  code: {kind: image, repository: registry.example.com/team/ml}\n  claim_name: data\n",
            ),
        ],
        &["export", "wf"],
        &[],
        "claim_name configures the shared disk, but storage fetch has none",
    );
}

#[test]
fn argo_image_with_code_image() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
            (
                "soopervisor.yaml",
                b"wf:\n  backend: argo\n  image: team/env:1.0\n  code: {kind: image, repository: registry.example.com/team/ml}\n",
            ),
        ],
        &["export", "wf"],
        &[],
        "but code image builds that image itself",
    );
}

#[test]
fn argo_task_name_with_braces() {
    check(
        &[
            ("environment.yml", ENV_YML),
            (
                "x{{y.py",
                b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = 'out/x.ipynb'\n\n# %%\nprint(1)\n",
            ),
        ],
        &["export", "--backend", "argo", "-e", "*.py"],
        &[],
        "contains '{{', which Argo would read as a template expression",
    );
}

/// A folder holding one stand-in client `name` (a shell script running `body`), to put
/// alone on `PATH`.
fn stand_in(name: &str, body: &str) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let bin = tempfile::tempdir().unwrap();
    let p = bin.path().join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

/// Two tasks from one source (a pipeline that `max_tasks_per_workflow: 1` splits).
const SPEC_TWO: &[u8] = b"tasks:\n  - source: a.py\n    name: a1\n    product: out/a1.ipynb\n  - source: a.py\n    name: a2\n    product: out/a2.ipynb\n";

/// `--submit` looks for argo and kubectl before anything is written.
#[test]
fn argo_submit_without_client() {
    let bin = tempfile::tempdir().unwrap();
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
        ],
        &["export", "--backend", "argo", "--submit"],
        &[("PATH", bin.path().to_str().unwrap())],
        "neither `argo` nor `kubectl` was found on PATH",
    );
}

#[test]
fn argo_submit_split_without_kubectl() {
    let bin = stand_in("argo", "exit 0\n");
    check(
        &[
            ("pipeline.yaml", SPEC_TWO),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
            (
                "soopervisor.yaml",
                b"t:\n  backend: argo\n  max_tasks_per_workflow: 1\n",
            ),
        ],
        &["export", "t", "--submit"],
        &[("PATH", bin.path().to_str().unwrap())],
        "whose WorkflowTemplates are applied with `kubectl apply --server-side`",
    );
}

#[test]
fn argo_submit_namespace_invalid() {
    let bin = stand_in("argo", "exit 0\n");
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
            (
                "soopervisor.yaml",
                b"t:\n  backend: argo\n  namespace: ML_Team\n",
            ),
        ],
        &["export", "t", "--submit"],
        &[("PATH", bin.path().to_str().unwrap())],
        "namespace 'ML_Team' is not a Kubernetes namespace name",
    );
}

/// The cluster refuses the Workflow: the export is written (it is valid), nothing is
/// recorded, and the error quotes the client.
#[test]
fn argo_submit_failed() {
    let (_tmp, root) = project(&[
        ("pipeline.yaml", SPEC),
        ("a.py", A_PY),
        ("environment.yml", ENV_YML),
        ("soopervisor.yaml", b"t:\n  backend: argo\n"),
    ]);
    let bin = stand_in(
        "argo",
        "echo 'level=fatal msg=\"Failed to submit workflow: namespaces \\\"argo\\\" not found\"' >&2\nexit 1\n",
    );
    let err = fails_in(
        &root,
        &["export", "t", "--submit"],
        &[("PATH", bin.path().to_str().unwrap())],
        "failed to submit the Workflow",
    );
    // after the lines of the export, which was written
    assert!(
        err.contains("Wrote t/argo.yaml\n") && err.contains("\nerror[SV1043]: "),
        "{err}"
    );
    // the client's own words (logrus escapes the quotes of its msg field)
    assert!(err.contains(r#"namespaces \"argo\" not found"#), "{err}");
    assert!(root.join("t/argo.yaml").is_file());
    assert!(!root.join("t/.soopervisor-argo.tsv").exists());
}

#[test]
fn argo_status_without_state() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("soopervisor.yaml", b"t:\n  backend: argo\n"),
        ],
        &["status", "t"],
        &[],
        "no submitted Argo Workflow is recorded here",
    );
}

#[test]
fn argo_status_workflow_unreadable() {
    let bin = stand_in(
        "argo",
        "echo 'Error: workflows.argoproj.io \"p-x7k2p\" not found' >&2\nexit 1\n",
    );
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("soopervisor.yaml", b"t:\n  backend: argo\n"),
            (
                "t/.soopervisor-argo.tsv",
                b"object\tWorkflow\tp-x7k2p\targo\ntask\ta\ta\t\n",
            ),
        ],
        &["status", "t"],
        &[("PATH", bin.path().to_str().unwrap())],
        "could not read the submitted Workflow p-x7k2p",
    );
}

#[test]
fn argo_cancel_template() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("soopervisor.yaml", b"t:\n  backend: argo\n"),
            (
                "t/.soopervisor-argo.tsv",
                b"object\tCronWorkflow\tnightly\targo\ntask\ta\ta\t\n",
            ),
        ],
        &["cancel", "t"],
        &[],
        "runs nothing by itself, so there is nothing to cancel",
    );
}

/// A project whose `soopervisor.yaml` has a `t` target with `settings`.
fn settings_check(backend: &str, settings: &str, phrase: &str) {
    let config = format!("t:\n  backend: {backend}\n{settings}");
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
            ("soopervisor.yaml", config.as_bytes()),
        ],
        &["export", "t", "--mode", "regular"],
        &[],
        phrase,
    );
}

#[test]
fn settings_bad_unit() {
    settings_check(
        "argo",
        "  defaults: {memory: 2GB}\n",
        "is not a memory quantity",
    );
}

#[test]
fn settings_unknown_key() {
    settings_check("slurm", "  defaults: {cpus: 2}\n", "unknown setting 'cpus'");
}

#[test]
fn settings_pattern_matches_nothing() {
    settings_check(
        "argo",
        "  tasks:\n    \"fit-*\": {cpu: 2}\n",
        "matches no task of the pipeline",
    );
}

#[test]
fn settings_backoff_without_retries() {
    settings_check(
        "argo",
        "  defaults: {retry_backoff: 30s}\n",
        "has a retry_backoff but no retries",
    );
}

#[test]
fn settings_not_honoured() {
    settings_check(
        "argo",
        "  defaults: {partition: gpu}\n",
        "the argo backend cannot honour the setting 'partition'",
    );
}

#[test]
fn settings_secret_on_slurm() {
    settings_check(
        "slurm",
        "  defaults: {env: {TOKEN: {secret: api, key: token}}}\n",
        "SLURM has no secret store",
    );
}

#[test]
fn upload_shared_disk_without_disk() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
        ],
        &["upload", "--storage", "fetch"],
        &[],
        "code shared-disk copies the project to the shared disk, but storage fetch has none",
    );
}

#[test]
fn upload_package_not_a_package() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
        ],
        &["upload", "--code", "package", "--dry-run"],
        &[],
        "code package builds the project as a Python package",
    );
}

#[test]
fn upload_unknown_code() {
    check(
        &[("pipeline.yaml", SPEC), ("a.py", A_PY)],
        &["upload", "--code", "floppy"],
        &[],
        "unknown code strategy 'floppy'",
    );
}

/// A warning (no git repository) and the file count go to stderr before kubectl is
/// looked for; nothing is written and stdout stays empty.
#[test]
fn upload_without_kubectl() {
    let (tmp, root) = project(&[("pipeline.yaml", SPEC), ("a.py", A_PY)]);
    let bin = tmp.path().join("empty-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let before = snapshot_tree(&root);
    fails_in(
        &root,
        &["upload"],
        &[("PATH", bin.to_str().unwrap())],
        "cannot run kubectl",
    );
    let out = run_in(&root, &["upload"], &[("PATH", bin.to_str().unwrap())]);
    assert!(out.stdout.is_empty(), "stdout on failure");
    assert_eq!(before, snapshot_tree(&root), "the project was modified");
}

#[test]
fn add_target_folder_exists() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("training/notes.txt", b"mine\n"),
        ],
        &["add", "training", "--backend", "argo"],
        &[],
        "a file or folder named 'training' already exists in the project",
    );
}

#[test]
fn output_file_with_several_files() {
    check(
        &[("pipeline.yaml", SPEC), ("a.py", A_PY)],
        &["export", "--backend", "slurm", "--output", "one.sh"],
        &[],
        "--output names one file, but this backend writes several",
    );
}

#[test]
fn output_replaces_foreign_file() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
            ("notes.txt", b"mine\n"),
        ],
        &["export", "--backend", "argo", "--output", "notes.txt"],
        &[],
        "would replace an existing file, which soopervisor did not write",
    );
}

#[test]
fn output_replaces_project_file() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
        ],
        &["export", "--backend", "argo", "--output", "a.py"],
        &[],
        "would replace one of the project's own files",
    );
}

#[test]
fn slurm_log_dir_unusable() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            (
                "soopervisor.yaml",
                b"hpc:\n  backend: slurm\n  log_dir: \"my logs\"\n",
            ),
        ],
        &["export", "hpc"],
        &[],
        "cannot be used in `#SBATCH --output`",
    );
}

#[test]
fn slurm_preset() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            (
                "soopervisor.yaml",
                b"hpc:\n  backend: slurm\n  preset: gpu\n",
            ),
        ],
        &["export", "hpc"],
        &[],
        "the slurm backend has no presets",
    );
}

#[test]
fn slurm_status_without_squeue() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("soopervisor.yaml", b"hpc:\n  backend: slurm\n"),
            ("hpc/.soopervisor-slurm-jobs.tsv", b"a\t123\n"),
        ],
        &["status", "hpc"],
        &[("PATH", "/nonexistent-soopervisor-test-bin")],
        "neither `squeue` nor `sacct` was found on PATH",
    );
}

/// `status --watch` with a fake `squeue` that reports the job failed: the table and the
/// job's log (path and last lines) on stdout, then the error, exit 1.
#[test]
fn slurm_jobs_failed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("proj");
    let bin = tmp.path().join("bin");
    for (path, content) in [
        ("proj/pipeline.yaml", SPEC),
        ("proj/a.py", A_PY),
        (
            "proj/soopervisor.yaml",
            b"hpc:\n  backend: slurm\n".as_slice(),
        ),
        ("proj/hpc/.soopervisor-slurm-jobs.tsv", b"a\t123\n"),
        (
            "proj/hpc/logs/a-123.out",
            b"start\nTraceback (most recent call last):\nValueError: boom\n",
        ),
        (
            "bin/squeue",
            b"#!/bin/sh\necho '123|FAILED|NonZeroExitCode'\n",
        ),
    ] {
        let full = tmp.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(bin.join("squeue"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
    }
    let before = snapshot_tree(&root);
    let out = run_in(
        &root,
        &["status", "hpc", "--watch", "--interval", "1"],
        &[("PATH", bin.to_str().unwrap())],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error[SV0910]: 1 job(s) failed"), "{err}");
    assert!(
        stdout.contains("a (job 123) FAILED: log hpc/logs/a-123.out"),
        "{stdout}"
    );
    assert!(stdout.contains("  | ValueError: boom"), "{stdout}");
    assert_eq!(before, snapshot_tree(&root), "the project was modified");
}

#[test]
fn slurm_state_file_malformed() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("soopervisor.yaml", b"hpc:\n  backend: slurm\n"),
            ("hpc/.soopervisor-slurm-jobs.tsv", b"a 123\n"),
        ],
        &["status", "hpc"],
        &[],
        "malformed line (expected task<TAB>job-id)",
    );
}

#[test]
fn code_package_without_index() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
            (
                "pyproject.toml",
                b"[project]\nname = \"p\"\nversion = \"0.1\"\n",
            ),
        ],
        &["export", "--backend", "argo", "--code", "package"],
        &[],
        "code package needs the package index the pods install from",
    );
}

#[test]
fn argo_volume_name_invalid() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
            (
                "soopervisor.yaml",
                b"wf:\n  backend: argo\n  volume_name: My_Vol\n",
            ),
        ],
        &["export", "wf"],
        &[],
        "volume_name 'My_Vol' is not a valid Kubernetes volume name",
    );
}

#[test]
fn argo_max_tasks_per_workflow_out_of_range() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("environment.yml", ENV_YML),
            (
                "soopervisor.yaml",
                b"wf:\n  backend: argo\n  max_tasks_per_workflow: 0\n",
            ),
        ],
        &["export", "wf"],
        &[],
        "max_tasks_per_workflow must be between 1 and 39600",
    );
}

#[test]
fn output_device_with_companion_files() {
    check(
        &[
            (
                "pipeline.yaml",
                b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n  - source: b.py\n    product: out/b.ipynb\n",
            ),
            ("a.py", A_PY),
            ("b.py", A_PY),
            ("environment.yml", ENV_YML),
            (
                "soopervisor.yaml",
                b"wf:\n  backend: argo\n  max_tasks_per_workflow: 1\n",
            ),
        ],
        &["export", "wf", "--mode", "force", "--output", "/dev/null"],
        &[],
        "cannot have argo-templates.yaml written next to it",
    );
}

const BATCH_EFS: &[u8] = b"batch:\n  backend: aws-batch\n  job_queue: q\n  storage: {kind: nfs, file_system_id: fs-1}\n  env: {kind: image, image: reg/env:1}\n";

#[test]
fn aws_batch_without_job_queue() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            (
                "soopervisor.yaml",
                b"batch:\n  backend: aws-batch\n  storage: {kind: nfs, file_system_id: fs-1}\n  env: {kind: image, image: reg/env:1}\n",
            ),
        ],
        &["export", "batch"],
        &[],
        "the aws-batch backend needs job_queue",
    );
}

#[test]
fn aws_batch_nfs_without_file_system() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            (
                "soopervisor.yaml",
                b"batch:\n  backend: aws-batch\n  job_queue: q\n  env: {kind: image, image: reg/env:1}\n",
            ),
        ],
        &["export", "batch"],
        &[],
        "storage nfs on AWS Batch is an EFS file system, but file_system_id is not set",
    );
}

#[test]
fn aws_batch_fetch_without_file_client() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            (
                "soopervisor.yaml",
                b"batch:\n  backend: aws-batch\n  job_queue: q\n  storage: fetch\n  code: {kind: image, repository: reg/ml}\n  env: {kind: image, image: reg/env:1}\n",
            ),
        ],
        &["export", "batch"],
        &[],
        "storage fetch on AWS Batch moves products through the project's Ploomber File client",
    );
}

#[test]
fn aws_batch_task_resources_match_nothing() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            (
                "soopervisor.yaml",
                &[BATCH_EFS, b"  task_resources: {\"fit-*\": {vcpus: 2}}\n"].concat(),
            ),
        ],
        &["export", "batch"],
        &[],
        "task_resources: these patterns match no task: 'fit-*'",
    );
}

#[test]
fn aws_batch_container_properties_command() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            (
                "soopervisor.yaml",
                &[BATCH_EFS, b"  container_properties: {command: [echo]}\n"].concat(),
            ),
        ],
        &["export", "batch"],
        &[],
        "container_properties sets command, which soopervisor writes itself",
    );
}

#[test]
fn aws_batch_status_without_state() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("soopervisor.yaml", BATCH_EFS),
        ],
        &["status", "batch"],
        &[],
        "no submitted AWS Batch jobs are recorded here",
    );
}

#[test]
fn cancel_unsupported() {
    check(
        &[
            ("pipeline.yaml", SPEC),
            ("a.py", A_PY),
            ("soopervisor.yaml", b"hpc:\n  backend: slurm\n"),
        ],
        &["cancel", "hpc"],
        &[],
        "this backend cannot cancel jobs itself",
    );
}

/// A project with one task and an `airflow` target whose section adds `extra`.
fn airflow_target(extra: &str) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("pipeline.yaml", SPEC.to_vec()),
        ("a.py", A_PY.to_vec()),
        ("environment.yml", ENV_YML.to_vec()),
        (
            "soopervisor.yaml",
            format!("af:\n  backend: airflow\n{extra}").into_bytes(),
        ),
    ]
}

fn check_airflow(extra: &str, args: &[&str], phrase: &str) {
    let files = airflow_target(extra);
    let files: Vec<(&str, &[u8])> = files.iter().map(|(p, c)| (*p, c.as_slice())).collect();
    check(&files, args, &[], phrase);
}

#[test]
fn airflow_unknown_preset() {
    check_airflow(
        "",
        &["export", "af", "--preset", "podman"],
        "unknown variant `podman`",
    );
}

#[test]
fn airflow_dag_id_invalid() {
    check_airflow(
        "  dag_id: my dag\n",
        &["export", "af"],
        "is not a valid Airflow DAG id",
    );
}

#[test]
fn airflow_start_date_invalid() {
    check_airflow(
        "  start_date: 2024-02-30\n",
        &["export", "af"],
        "start_date must be a date written YYYY-MM-DD",
    );
}

#[test]
fn airflow_preset_refuses_strategy() {
    check_airflow(
        "  preset: bash\n",
        &["export", "af", "--env", "pip"],
        "the airflow/bash backend does not support env 'pip'",
    );
}

#[test]
fn airflow_project_dir_relative() {
    check_airflow(
        "  preset: bash\n  project_dir: srv/p\n",
        &["export", "af"],
        "project_dir must be an absolute path",
    );
}

#[test]
fn airflow_schedule_empty() {
    check_airflow(
        "  schedule: ''\n",
        &["export", "af"],
        "schedule must not be empty",
    );
}

#[test]
fn airflow_volume_value_templated() {
    check_airflow(
        "  storage: {kind: nfs, claim_name: '{{ claim }}'}\n",
        &["export", "af"],
        "holds characters Airflow would read as a template",
    );
}

/// Every (test, phrase) pair above, for the documentation check.
/// A one-task project for the Kubeflow backend's entries.
const KFP_PROJECT: &[(&str, &[u8])] = &[
    (
        "pipeline.yaml",
        b"tasks:\n  - source: a.py\n    product: out/a.ipynb\n",
    ),
    (
        "a.py",
        b"# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n\n# %%\nprint(1)\n",
    ),
    ("environment.yml", b"name: p\ndependencies: [pip]\n"),
];

fn with_section(section: &'static [u8]) -> Vec<(&'static str, &'static [u8])> {
    let mut files = KFP_PROJECT.to_vec();
    files.push(("soopervisor.yaml", section));
    files
}

#[test]
fn kubeflow_code_git() {
    check(
        KFP_PROJECT,
        &["export", "--backend", "kubeflow", "--code", "git"],
        &[],
        "the kubeflow backend does not support code 'git'",
    );
}

#[test]
fn kubeflow_json_with_nfs() {
    check(
        KFP_PROJECT,
        &["export", "--backend", "kfp", "--format", "json"],
        &[],
        "needs the Kubernetes platform spec",
    );
}

#[test]
fn kubeflow_pipeline_name() {
    check(
        &with_section(b"kf:\n  backend: kubeflow\n  pipeline_name: Nightly_ML\n"),
        &["export", "kf"],
        &[],
        "is not a valid Kubeflow pipeline name",
    );
}

#[test]
fn kubeflow_pipeline_root() {
    check(
        &with_section(b"kf:\n  backend: kubeflow\n  pipeline_root: bucket/kfp\n"),
        &["export", "kf"],
        &[],
        "pipeline_root must be a URI",
    );
}

const ENTRIES: &[(&str, &str)] = &[
    ("no_pipeline_found", "unable to find a pipeline"),
    (
        "entry_point_missing",
        "the entry point 'nope.yaml' does not exist",
    ),
    ("entry_point_factory", "a dotted path to a factory function"),
    ("entry_point_module_path", "a module path (package::file)"),
    (
        "entry_point_env_var_with_folder",
        "must be a filename and not contain any directory components",
    ),
    ("directory_missing", "no such folder"),
    (
        "setup_cfg_entry_point_missing",
        "setup.cfg sets entry-point",
    ),
    (
        "pattern_invalid_extension",
        "cannot instantiate DAGSpec from files with invalid extensions",
    ),
    ("pattern_matches_nothing", "matches no script or notebook"),
    ("spec_is_a_folder", "expected a file but found a folder"),
    ("spec_not_utf8", "the file is not valid UTF-8 text"),
    ("source_not_utf8", "the file is not valid UTF-8 text"),
    ("invalid_yaml", "Got invalid YAML"),
    (
        "unquoted_placeholder",
        "Make sure values are enclosed in parentheses",
    ),
    ("yaml_alias_bomb", "alias bomb"),
    ("yaml_too_deep", "invalid YAML"),
    ("yaml_unsafe_tag", "is not supported by safe YAML loading"),
    ("spec_not_a_mapping", "expected the spec to be a mapping"),
    ("tasks_missing", "Missing \"tasks\" key"),
    (
        "tasks_not_a_list",
        "Expected 'tasks' in the dag spec to contain a list",
    ),
    (
        "unknown_top_level_key",
        "the following keys aren't valid: 'metadata'",
    ),
    (
        "unknown_meta_key",
        "the following keys aren't valid: 'extract_upstreams'",
    ),
    ("meta_not_a_mapping", "'meta' must be a mapping"),
    ("meta_flag_not_boolean", "must be true or false"),
    ("location_factory", "location"),
    ("python_interpreter_missing", "does not exist"),
    ("exact_with_force", "--exact only changes incremental mode"),
    ("exact_with_no_python", "--no-python forbids it"),
    ("import_tasks_from_missing", "which does not exist"),
    (
        "executor_invalid",
        "\"executor\" must be \"serial\", \"parallel\", or a dotted path",
    ),
    ("undefined_placeholder", "{{output_dir}}"),
    (
        "env_forward_reference",
        "Undeclared value for placeholder 'out_dir'",
    ),
    ("env_yml_extension", "Change the extension to .yaml"),
    (
        "env_not_a_mapping",
        "expected the env file to contain a mapping",
    ),
    ("env_double_underscore", "cannot contain '__'"),
    ("env_leading_underscore", "cannot start with '_'"),
    ("env_meta_key", "only 'meta.import_from' is allowed"),
    ("env_filename_is_a_path", "must be a filename, not a path"),
    ("env_filename_missing", "no such file exists"),
    ("invalid_placeholder_syntax", "invalid placeholder syntax"),
    ("class_typo", "Did you mean 'NotebookRunner'"),
    ("unknown_task_key", "unexpected keyword argument 'param'"),
    ("missing_product", "Missing keys: 'product'"),
    ("missing_source", "scripts/transfrom.py"),
    ("source_is_a_folder", "is a folder, not a file"),
    ("invalid_extension", "invalid extension '.txt'"),
    ("product_extension_typo", "Did you mean: '.csv'"),
    ("missing_nb_key", "Missing key 'nb' in product"),
    ("grid_without_name", "tasks with 'grid' must have a 'name'"),
    (
        "grid_params_overlap",
        "'grid' and 'params' have overlapping keys: 'alpha'",
    ),
    (
        "grid_not_a_mapping",
        "'grid' must be a mapping or a list of mappings",
    ),
    (
        "grid_too_large",
        "this grid expands to more than 100000 tasks",
    ),
    (
        "too_many_tasks",
        "the pipeline declares more than 100000 tasks",
    ),
    (
        "params_upstream_key",
        "cannot be initialized with an \"upstream\" key",
    ),
    (
        "static_analysis_invalid",
        "not a valid 'static_analysis' value",
    ),
    ("params_cell_missing_product", "product"),
    (
        "params_cell_last",
        "the last cell in the script is the parameters cell",
    ),
    (
        "params_cell_syntax_error",
        "Could not parse a valid 'upstream' variable",
    ),
    ("upstream_string", "not a valid type"),
    ("python_too_deep", "nested more than 200 levels"),
    (
        "r_cell_c_vector",
        "Variables should be assigned to values of type list",
    ),
    (
        "sqlscript_without_product",
        "The {{product}} placeholder is required",
    ),
    (
        "shellscript_without_product",
        "ShellScript must include {{product}}",
    ),
    ("template_syntax_error", "invalid Jinja template"),
    (
        "function_not_defined",
        "to define a function named 'transfrom'",
    ),
    ("module_not_found", "Module 'pipelines' does not exist"),
    (
        "function_from_import",
        "definitions from import statements are not supported",
    ),
    (
        "extract_product_with_key",
        "tasks should not have a \"product\" key",
    ),
    (
        "upstream_key_with_extraction",
        "tasks should not have an \"upstream\" key",
    ),
    (
        "unknown_upstream",
        "has an upstream dependency 'laod', but such task doesn't exist",
    ),
    ("cycle", "contains cycles"),
    (
        "duplicate_task_name",
        "DAG already has a task with name 'a'",
    ),
    ("duplicate_product", "unique products"),
    (
        "task_not_in_pipeline",
        "'nope' is not a task of this pipeline",
    ),
    ("argo_needs_environment_yml", "environment.yml"),
    (
        "product_outside_project",
        "outside the project folder, which the pods cannot reach on the shared disk",
    ),
    (
        "source_outside_project",
        "outside the project folder, but code shared-disk ships only the project folder to the pods",
    ),
    ("argo_unknown_storage", "floppy"),
    (
        "unknown_backend",
        "'kubernetes-nope' is not a backend this binary knows",
    ),
    ("missing_target_section", "missing 'training' section"),
    ("no_soopervisor_yaml", "soopervisor.yaml"),
    (
        "section_without_backend",
        "the section has no 'backend' key",
    ),
    (
        "invalid_backend_settings",
        "invalid settings for the argo backend",
    ),
    (
        "output_dash_with_several_files",
        "--output - prints one file, but this backend writes several",
    ),
    ("add_existing_target", "a 'training' section already exists"),
    ("add_invalid_target_name", "is not a valid target name"),
    (
        "slurm_template_missing_placeholder",
        "missing placeholders: '{{command}}'",
    ),
    (
        "slurm_template_unknown_placeholder",
        "unknown placeholder '{{partition}}'",
    ),
    (
        "slurm_submit_without_sbatch",
        "`sbatch` was not found on PATH",
    ),
    (
        "slurm_status_without_state",
        "no submitted SLURM jobs are recorded here",
    ),
    (
        "slurm_unknown_key",
        "invalid settings for the slurm backend: unknown field `partition`",
    ),
    (
        "export_target_backend_conflict",
        "--backend argo conflicts with the 'hpc' section",
    ),
    (
        "strategy_combination_refused",
        "cannot be combined (argo): code shared-disk runs the project from the shared disk",
    ),
    (
        "env_image_without_image",
        "env image needs the image every pod runs, but none is set",
    ),
    (
        "env_pip_without_requirements",
        "neither requirements.lock.txt nor requirements.txt",
    ),
    (
        "env_pip_requirements_missing",
        "the requirements file req/nope.txt does not exist",
    ),
    (
        "code_git_outside_repository",
        "code git: the project is not in a git repository with a commit",
    ),
    (
        "code_git_dirty_tree",
        "the working tree has uncommitted changes to tracked files",
    ),
    (
        "code_package_not_a_package",
        "it has no setup.py or pyproject.toml",
    ),
    (
        "argo_mount_path_not_absolute",
        "mount_path must be an absolute path without '..'",
    ),
    (
        "argo_sub_path_leaves_volume",
        "sub_path must be relative to the volume and must not contain '..'",
    ),
    (
        "argo_disk_key_without_disk",
        "claim_name configures the shared disk, but storage fetch has none",
    ),
    (
        "argo_image_with_code_image",
        "but code image builds that image itself",
    ),
    (
        "argo_task_name_with_braces",
        "contains '{{', which Argo would read as a template expression",
    ),
    (
        "argo_submit_without_client",
        "neither `argo` nor `kubectl` was found on PATH",
    ),
    (
        "argo_submit_split_without_kubectl",
        "whose WorkflowTemplates are applied with `kubectl apply --server-side`",
    ),
    (
        "argo_submit_namespace_invalid",
        "is not a Kubernetes namespace name",
    ),
    ("argo_submit_failed", "failed to submit the Workflow"),
    (
        "argo_status_without_state",
        "no submitted Argo Workflow is recorded here",
    ),
    (
        "argo_status_workflow_unreadable",
        "could not read the submitted Workflow",
    ),
    (
        "argo_cancel_template",
        "runs nothing by itself, so there is nothing to cancel",
    ),
    ("settings_bad_unit", "is not a memory quantity"),
    ("settings_unknown_key", "unknown setting 'cpus'"),
    (
        "settings_pattern_matches_nothing",
        "matches no task of the pipeline",
    ),
    (
        "settings_backoff_without_retries",
        "has a retry_backoff but no retries",
    ),
    (
        "settings_not_honoured",
        "the argo backend cannot honour the setting 'partition'",
    ),
    ("settings_secret_on_slurm", "SLURM has no secret store"),
    (
        "upload_shared_disk_without_disk",
        "code shared-disk copies the project to the shared disk, but storage fetch has none",
    ),
    (
        "upload_package_not_a_package",
        "code package builds the project as a Python package",
    ),
    ("upload_unknown_code", "unknown code strategy 'floppy'"),
    ("upload_without_kubectl", "cannot run kubectl"),
    ("slurm_jobs_failed", "job(s) failed"),
    (
        "add_target_folder_exists",
        "a file or folder named 'training' already exists in the project",
    ),
    (
        "output_file_with_several_files",
        "--output names one file, but this backend writes several",
    ),
    (
        "output_replaces_foreign_file",
        "would replace an existing file, which soopervisor did not write",
    ),
    (
        "output_replaces_project_file",
        "would replace one of the project's own files",
    ),
    (
        "slurm_log_dir_unusable",
        "cannot be used in `#SBATCH --output`",
    ),
    ("slurm_preset", "the slurm backend has no presets"),
    (
        "slurm_status_without_squeue",
        "neither `squeue` nor `sacct` was found on PATH",
    ),
    (
        "slurm_state_file_malformed",
        "malformed line (expected task<TAB>job-id)",
    ),
    (
        "code_package_without_index",
        "code package needs the package index the pods install from",
    ),
    (
        "argo_volume_name_invalid",
        "volume_name 'My_Vol' is not a valid Kubernetes volume name",
    ),
    (
        "argo_max_tasks_per_workflow_out_of_range",
        "max_tasks_per_workflow must be between 1 and 39600",
    ),
    (
        "output_device_with_companion_files",
        "cannot have argo-templates.yaml written next to it",
    ),
    (
        "kubeflow_code_git",
        "the kubeflow backend does not support code 'git'",
    ),
    (
        "kubeflow_json_with_nfs",
        "needs the Kubernetes platform spec",
    ),
    (
        "kubeflow_pipeline_name",
        "is not a valid Kubeflow pipeline name",
    ),
    ("kubeflow_pipeline_root", "pipeline_root must be a URI"),
    (
        "aws_batch_without_job_queue",
        "the aws-batch backend needs job_queue",
    ),
    (
        "aws_batch_nfs_without_file_system",
        "storage nfs on AWS Batch is an EFS file system, but file_system_id is not set",
    ),
    (
        "aws_batch_fetch_without_file_client",
        "storage fetch on AWS Batch moves products through the project's Ploomber File client",
    ),
    (
        "aws_batch_task_resources_match_nothing",
        "task_resources: these patterns match no task",
    ),
    (
        "aws_batch_container_properties_command",
        "container_properties sets command, which soopervisor writes itself",
    ),
    (
        "aws_batch_status_without_state",
        "no submitted AWS Batch jobs are recorded here",
    ),
    (
        "cancel_unsupported",
        "this backend cannot cancel jobs itself",
    ),
    ("airflow_unknown_preset", "unknown variant `podman`"),
    ("airflow_dag_id_invalid", "is not a valid Airflow DAG id"),
    (
        "airflow_start_date_invalid",
        "start_date must be a date written YYYY-MM-DD",
    ),
    (
        "airflow_preset_refuses_strategy",
        "the airflow/bash backend does not support env 'pip'",
    ),
    (
        "airflow_project_dir_relative",
        "project_dir must be an absolute path",
    ),
    ("airflow_schedule_empty", "schedule must not be empty"),
    (
        "airflow_volume_value_templated",
        "holds characters Airflow would read as a template",
    ),
];

#[test]
fn every_entry_is_documented() {
    let doc = std::fs::read_to_string(common::repo().join("docs/errors.md")).unwrap();
    for (test, phrase) in ENTRIES {
        let marker = format!("`error_catalog::{test}`");
        let at = doc
            .find(&marker)
            .unwrap_or_else(|| panic!("docs/errors.md does not name the test {test}"));
        // the entry's message phrase is documented in the same section as its test
        let section_start = doc[..at].rfind("\n### ").unwrap_or(0);
        let section_end = doc[at..].find("\n### ").map_or(doc.len(), |e| at + e);
        assert!(
            doc[section_start..section_end].contains(phrase),
            "docs/errors.md: the entry for {test} does not quote '{phrase}'"
        );
    }
    let tests: Vec<&str> = ENTRIES.iter().map(|(t, _)| *t).collect();
    for (i, _) in doc.match_indices("`error_catalog::") {
        let name = doc[i + 16..].split('`').next().unwrap();
        assert!(
            tests.contains(&name),
            "docs/errors.md names a test that does not exist: {name}"
        );
    }
}
