//! Snapshots of the generated scripts, templates on disk, and layout variants.

mod common;

use std::path::Path;

use common::*;
use soopervisor_core::backend::{ExportTarget, OutputFormat};
use soopervisor_core::plan::Mode;

fn dump(export: &soopervisor_core::backend::Export) -> String {
    let mut s = String::new();
    for f in &export.files {
        s.push_str(&format!(
            "===== {} ({:?}, executable: {})\n{}",
            f.path().display(),
            f.role(),
            f.is_executable(),
            String::from_utf8_lossy(f.contents())
        ));
    }
    s.push_str(&format!(
        "===== next steps\n{}\n",
        export.next_steps.join("\n")
    ));
    s
}

#[test]
fn diamond_snapshot() {
    let root = Path::new("/nonexistent/project");
    let e = export(&config("{}"), &diamond(root), &target(root));
    insta::assert_snapshot!(dump(&e));
}

#[test]
fn force_mode_extra_args_and_nasty_names_snapshot() {
    let root = Path::new("/nonexistent/project");
    let plan = plan(
        root,
        &[
            ("Load Data", &[]),
            ("fit/1", &["Load Data"]),
            ("fit_1", &["Load Data"]),
        ],
        Mode::Force,
    );
    let cfg = config(
        r#"{"sbatch_args": ["--partition=gpu", "--comment=a b"], "log_dir": "/scratch/logs"}"#,
    );
    insta::assert_snapshot!(dump(&export(&cfg, &plan, &target(root))));
}

#[test]
fn unnamed_target_is_the_project_root() {
    let root = Path::new("/nonexistent/project");
    let t = ExportTarget::new(root);
    assert_eq!(t.format, OutputFormat::Yaml);
    // the root holds the user's own .sh sources: never templates unless configured
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("a.sh"), "echo {{product}}\n").unwrap();
    std::fs::write(root.join("template.sh"), "echo no placeholders\n").unwrap();
    let t = ExportTarget::new(root).with_format(t.format);
    let e = export(&config("{}"), &diamond(root), &t);
    assert!(String::from_utf8_lossy(e.files[1].contents()).contains("#SBATCH --job-name=a"));
    let submit = String::from_utf8(e.files[0].contents().to_vec()).unwrap();
    assert!(submit.contains("cd -- .\n"), "{submit}");
    assert!(submit.contains("--output=logs/a-%j.out"), "{submit}");
    assert!(submit.contains(" jobs/a.sh\n"), "{submit}");
    // absolute: the command line shows it relative to the user's shell
    assert_eq!(
        e.next_steps,
        [
            format!("bash {}", root.join("submit.sh").display()),
            "soopervisor status --watch".to_string()
        ]
    );
}

#[test]
fn output_is_independent_of_where_the_project_sits() {
    let a = Path::new("/one/place");
    let b = Path::new("/another/place with space");
    let ea = export(&config("{}"), &diamond(a), &target(a));
    let eb = export(&config("{}"), &diamond(b), &target(b));
    assert_eq!(ea.files, eb.files);
}

#[test]
fn templates_from_the_target_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let hpc = root.join("hpc");
    std::fs::create_dir_all(&hpc).unwrap();
    std::fs::write(
        hpc.join("template.sh"),
        "#SBATCH --job-name={{name}}\nsrun {{command}}\n",
    )
    .unwrap();
    std::fs::write(
        hpc.join("fit-__.sh"),
        "#SBATCH -J {{name}} --gres=gpu:1\n{{command}}\n",
    )
    .unwrap();
    std::fs::write(
        hpc.join("load.sh"),
        "#SBATCH -J {{ name }}\n# exact\n{{ command }}\n",
    )
    .unwrap();
    let plan = plan(
        root,
        &[
            ("load", &[]),
            ("fit-1", &["load"]),
            ("fit-2", &["load"]),
            ("report", &["fit-1", "fit-2"]),
        ],
        Mode::Incremental,
    );
    let e = export(&config("{}"), &plan, &target(root));
    let get = |name: &str| {
        let f = e
            .files
            .iter()
            .find(|f| f.path() == Path::new(name))
            .unwrap();
        String::from_utf8(f.contents().to_vec()).unwrap()
    };
    assert_eq!(
        get("jobs/load.sh"),
        "#SBATCH -J load\n# exact\nploomber task load --entry-point pipeline.yaml\n"
    );
    assert_eq!(
        get("jobs/fit-1.sh"),
        "#SBATCH -J fit-1 --gres=gpu:1\nploomber task fit-1 --entry-point pipeline.yaml\n"
    );
    assert!(get("jobs/fit-2.sh").contains("gpu:1"));
    assert_eq!(
        get("jobs/report.sh"),
        "#SBATCH --job-name=report\nsrun ploomber task report --entry-point pipeline.yaml\n"
    );
}

#[test]
fn custom_template_folder_and_missing_placeholder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("hpc/tpl")).unwrap();
    std::fs::write(
        root.join("hpc/tpl/template.sh"),
        "#SBATCH -J {{name}}\nploomber build\n",
    )
    .unwrap();
    let err = soopervisor_core::backend::BackendConfig::export(
        &config(r#"{"template": "tpl"}"#),
        &diamond(root),
        &target(root),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("tpl/template.sh"), "{err}");
    assert!(err.contains("missing placeholders: '{{command}}'"), "{err}");
}

#[test]
fn log_dir_with_spaces_is_refused() {
    let root = Path::new("/p");
    let err = soopervisor_core::backend::BackendConfig::export(
        &config(r#"{"log_dir": "my logs"}"#),
        &diamond(root),
        &target(root),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("log_dir"), "{err}");
}
