//! Fuzz target: the Airflow backend's emitters. Arbitrary task names are exported as
//! a DAG file (every preset), which must parse as Python (rustpython) with the exact
//! names as the keys of its `TASK_IDS` map; each name's string literal must read back
//! as the name, and its Jinja-inert form must render (minijinja) to the name.
#![no_main]

use std::collections::BTreeSet;
use std::path::PathBuf;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use rustpython_parser::ast::{self, Constant, Expr, Stmt};
use rustpython_parser::Parse;
use soopervisor_airflow::jinja::inert;
use soopervisor_airflow::python::string_literal;
use soopervisor_airflow::AirflowConfig;
use soopervisor_core::backend::{BackendConfig, ExportTarget};
use soopervisor_core::plan::{Mode, Plan, PlannedTask, ProjectInfo};

#[derive(Debug, Arbitrary)]
struct Input {
    names: Vec<String>,
    preset: u8,
}

fn str_of(e: &Expr) -> String {
    match e {
        Expr::Constant(c) => match &c.value {
            Constant::Str(s) => s.clone(),
            other => panic!("not a string: {other:?}"),
        },
        other => panic!("not a constant: {other:?}"),
    }
}

fuzz_target!(|input: Input| {
    let names: BTreeSet<String> = input.names.into_iter().take(16).collect();
    let jinja = minijinja::Environment::new();
    for n in &names {
        let src = format!("x = {}\n", string_literal(n));
        let suite = ast::Suite::parse(&src, "<lit>").expect("a literal parses");
        let Stmt::Assign(a) = &suite[0] else { panic!() };
        assert_eq!(&str_of(&a.value), n);
        assert_eq!(&jinja.render_str(&inert(n), ()).expect("renders"), n);
    }
    if names.is_empty() {
        return;
    }
    let tasks: Vec<PlannedTask> = names
        .iter()
        .map(|n| PlannedTask::new(n.as_str(), "NotebookRunner"))
        .collect();
    let plan = Plan::new(
        ProjectInfo::new("/p/proj", "pipeline.yaml"),
        Mode::Force,
        tasks,
    );
    let preset = ["kubernetes", "bash", "docker"][usize::from(input.preset % 3)];
    let cfg: AirflowConfig =
        serde_json::from_str(&format!(r#"{{"preset": "{preset}", "env": "image", "image": "x"}}"#))
            .unwrap();
    let cfg = if preset == "bash" {
        serde_json::from_str(r#"{"preset": "bash"}"#).unwrap()
    } else {
        cfg
    };
    let target = ExportTarget::new(PathBuf::from("/p/proj/airflow"));
    let out = cfg.export(&plan, &target).expect("export");
    let text = String::from_utf8(out.files[0].contents().to_vec()).unwrap();
    assert!(text.is_ascii());
    let suite = ast::Suite::parse(&text, "<dag>").expect("the DAG file parses");
    let ids = suite
        .iter()
        .find_map(|s| match s {
            Stmt::Assign(a) if matches!(&a.targets[0], Expr::Name(n) if n.id.as_str() == "TASK_IDS") => {
                Some(a.value.clone())
            }
            _ => None,
        })
        .expect("TASK_IDS");
    let Expr::Dict(d) = *ids else { panic!("TASK_IDS is a dict") };
    let keys: BTreeSet<String> = d.keys.iter().map(|k| str_of(k.as_ref().unwrap())).collect();
    assert_eq!(keys, names);
    let values: BTreeSet<String> = d.values.iter().map(str_of).collect();
    assert_eq!(values.len(), names.len(), "task ids are unique");
});
