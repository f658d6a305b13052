//! Regression tests for stack overflows found while hardening (issue 7): rustpython
//! builds and drops its syntax tree recursively, so deeply nested Python (a chain of
//! 100,000 `+`, `.attr`, calls, unary minus, brackets) used to abort the process with a
//! stack overflow. Such code now fails with a clear "nested more than 200 levels"
//! error at every place Python is parsed, and code just under the limit is analysed
//! on a thread with rayon's default 2 MiB stack without overflowing. Also: special files
//! (pipes, devices) given as project files.

use std::path::Path;

use soopervisor_core::analysis::notebook::read_notebook;
use soopervisor_core::analysis::python_cell;
use soopervisor_core::analysis::python_function::ModuleAnalysis;
use soopervisor_core::project::cast::literal_eval;

/// Deep Python expressions of every recursive shape, `n` levels deep.
fn shapes(n: usize) -> Vec<(&'static str, String)> {
    vec![
        ("binary", vec!["1"; n].join("+")),
        ("unary", format!("{}1", "-".repeat(n))),
        ("attribute", format!("a{}", ".b".repeat(n))),
        ("call", format!("f{}", "()".repeat(n))),
        ("subscript", format!("a{}", "[0]".repeat(n))),
        (
            "list",
            format!("{}{}", "[".repeat(n / 2), "]".repeat(n / 2)),
        ),
        (
            "parens",
            format!("{}1{}", "(".repeat(n / 2), ")".repeat(n / 2)),
        ),
        ("lambda", format!("{}1", "lambda a, b: ".repeat(n))),
        ("ternary", format!("{}1", "1 if x else ".repeat(n))),
        ("fstring", format!("f'{{{}}}'", vec!["1"; n].join("+"))),
    ]
}

/// Runs `f` on a thread with a 2 MiB stack (rayon's workers use the same default).
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no stack overflow or panic")
}

#[test]
fn deep_python_in_a_parameters_cell_is_refused_clearly() {
    for (what, expr) in shapes(100_000) {
        let cell = format!("upstream = None\nproduct = {expr}\n");
        let err = on_small_stack(move || python_cell::product(&cell)).unwrap_err();
        assert!(
            err.to_string().contains("nested more than"),
            "{what}: {err}"
        );
        assert_eq!(err.line, Some(2), "{what}");
    }
}

#[test]
fn deep_python_in_scripts_notebooks_and_modules_is_refused_clearly() {
    for (what, expr) in shapes(100_000) {
        let script = format!("# %% tags=[\"parameters\"]\nupstream = {expr}\n# %%\nx = 1\n");
        let r = on_small_stack(move || read_notebook(&script, "py").map(|_| ()));
        // reading the script only splits cells; the parameters cell is parsed later
        let _ = r;
        let module = format!("def f(upstream):\n    return {expr}\n");
        let err =
            on_small_stack(move || ModuleAnalysis::parse(&module, Path::new("m.py")).map(|_| ()))
                .unwrap_err();
        assert!(
            err.to_string().contains("nested more than"),
            "{what}: {err}"
        );
        // an .ipynb without kernelspec: the language guess parses the code
        let nb = serde_json::json!({
            "cells": [{"cell_type": "code", "metadata": {}, "source": expr}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5
        })
        .to_string();
        let r = on_small_stack(move || read_notebook(&nb, "ipynb").map(|_| ()));
        assert!(
            r.is_err(),
            "{what}: a language guess needs Python that parses"
        );
        // casting a spec value (ast.literal_eval): too deep is simply not a literal
        let value = expr.clone();
        assert_eq!(
            on_small_stack(move || literal_eval(&value, 1)),
            None,
            "{what}"
        );
    }
}

#[test]
fn python_just_under_the_limit_is_analysed_on_a_small_stack() {
    for (what, expr) in shapes(95) {
        let cell = format!("upstream = None\nproduct = {expr}\n");
        // not a literal (mostly), but it must be an ordinary error or value, not a crash
        let _ = on_small_stack(move || python_cell::product(&cell).map(|_| ()));
        let module = format!("def f(upstream):\n    upstream['a']\n    return {expr}\n");
        let info = on_small_stack(move || {
            ModuleAnalysis::parse(&module, Path::new("m.py"))
                .and_then(|m| m.function("f"))
                .map(|i| i.upstream)
        });
        assert_eq!(info.unwrap(), vec!["a".to_string()], "{what}");
    }
    // the deepest recursion of our own (literal evaluation), right at the limit
    let sum = vec!["'a'"; 195].join(" + ");
    let cell = format!("upstream = None\nproduct = {sum}\n");
    let product = on_small_stack(move || python_cell::product(&cell)).unwrap();
    assert_eq!(format!("{product:?}").matches('a').count(), 195);
    let list = format!("{}1{}", "[".repeat(90), "]".repeat(90));
    let cell = format!("upstream = None\nproduct = {list}\n");
    on_small_stack(move || python_cell::product(&cell).map(|_| ())).unwrap();
}

#[test]
fn long_flat_literals_are_not_mistaken_for_deep_code() {
    let items: Vec<String> = (0..20_000).map(|i| format!("-{i}.5")).collect();
    let cell = format!(
        "upstream = ['a', 'b']\nproduct = {{'nb': 'x.ipynb'}}\ndata = [{}]\n",
        items.join(", ")
    );
    assert_eq!(python_cell::upstream(&cell).unwrap(), vec!["a", "b"]);
    let args: Vec<String> = (0..5_000).map(|i| format!("a{i}=b.c")).collect();
    let module = format!(
        "def f(upstream):\n    g({})\n    upstream['x']\n",
        args.join(", ")
    );
    let m = ModuleAnalysis::parse(&module, Path::new("m.py")).unwrap();
    assert_eq!(m.function("f").unwrap().upstream, vec!["x"]);
}

/// Regression: `read_text` used to open a named pipe (blocking forever) and read
/// `/dev/zero` until memory ran out; now anything but a regular file is refused.
#[cfg(unix)]
#[test]
fn special_files_are_refused_without_reading_them() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipeline.yaml");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let zero = dir.path().join("zero.py");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    for path in [fifo, zero] {
        let err = soopervisor_core::project::read_text(&path).unwrap_err();
        assert!(err.to_string().contains("regular file"), "{err}");
        assert_eq!(err.file.as_deref(), Some(path.as_path()));
    }
}
