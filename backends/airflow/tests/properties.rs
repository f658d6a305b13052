//! Properties of the emitters over arbitrary names: a Python string literal reads
//! back (with a real Python parser, rustpython) as exactly the string; an inert value
//! renders (with Jinja, minijinja) to exactly the value; and a whole export with
//! arbitrary task names is valid Python whose name map, task ids and rendered task
//! names are exact. CI repeats the literal check with CPython
//! (`.ci/checks/30-airflow.sh`).

mod common;

use std::collections::BTreeSet;

use proptest::prelude::*;
use rustpython_parser::ast::{self, Constant, Expr, Stmt};
use rustpython_parser::Parse;

use common::*;
use soopervisor_airflow::config::is_id_char;
use soopervisor_airflow::jinja::inert;
use soopervisor_airflow::python::string_literal;
use soopervisor_core::plan::Mode;

/// Strings biased towards what breaks emitters.
fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(
            prop_oneof![
                Just("'''".to_string()),
                Just("\"\"\"".to_string()),
                Just("\\".to_string()),
                Just("\n".to_string()),
                Just("\r".to_string()),
                Just("{{".to_string()),
                Just("}}".to_string()),
                Just("{%".to_string()),
                Just("{#".to_string()),
                Just("$(x)".to_string()),
                Just(".sh".to_string()),
                Just(".json".to_string()),
                Just("\0".to_string()),
                Just("🚀".to_string()),
                "[a-z ]{0,3}".prop_map(|s| s),
            ],
            0..8
        )
        .prop_map(|v| v.concat()),
    ]
}

fn python_reads(literal: &str) -> String {
    let src = format!("x = {literal}\n");
    let suite = ast::Suite::parse(&src, "<lit>").unwrap_or_else(|e| panic!("{e}: {src}"));
    let Stmt::Assign(a) = &suite[0] else { panic!() };
    let Expr::Constant(c) = &*a.value else {
        panic!()
    };
    let Constant::Str(s) = &c.value else { panic!() };
    s.clone()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn string_literals_round_trip_through_python(s in nasty()) {
        let lit = string_literal(&s);
        prop_assert!(lit.is_ascii());
        prop_assert_eq!(python_reads(&lit), s);
    }

    #[test]
    fn inert_values_render_to_themselves(s in nasty()) {
        let out = inert(&s);
        prop_assert_eq!(render(&out), s.clone());
        let lower = out.to_ascii_lowercase();
        for ext in soopervisor_airflow::jinja::TEMPLATE_EXTENSIONS {
            prop_assert!(!lower.ends_with(ext), "{out:?} ends with {ext}");
        }
    }

    #[test]
    fn exports_with_arbitrary_names_are_exact(
        names in proptest::collection::btree_set(nasty(), 1..6),
        preset in prop_oneof![Just("kubernetes"), Just("bash"), Just("docker")],
    ) {
        let names: Vec<String> = names.into_iter().collect();
        let tasks: Vec<_> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let up: Vec<&str> = if i > 0 { vec![names[i - 1].as_str()] } else { vec![] };
                task(n, &up)
            })
            .collect();
        let plan = plan(project("p"), Mode::Regular, tasks);
        let cfg = config(&format!(r#"{{"preset": "{preset}"}}"#));
        let (_, text) = export(&cfg, &plan);
        prop_assert!(text.is_ascii());
        let dag = parse_dag(&text);
        let keys: Vec<&str> = dag.task_ids.iter().map(|(k, _)| k.as_str()).collect();
        let want: Vec<&str> = names.iter().map(String::as_str).collect();
        prop_assert_eq!(keys, want);
        let ids: BTreeSet<&str> = dag.task_ids.iter().map(|(_, v)| v.as_str()).collect();
        prop_assert_eq!(ids.len(), names.len());
        prop_assert!(ids.iter().all(|i| !i.is_empty() && i.len() <= 250 && i.chars().all(is_id_char)));
        for (op, t) in dag.operators.iter().zip(&plan.tasks) {
            prop_assert_eq!(&op.key, &t.name);
            prop_assert_eq!(render(&op.env["PLOOMBER_TASK"]), t.name.clone());
        }
        for (i, n) in names.iter().enumerate().skip(1) {
            prop_assert_eq!(&dag.upstream[n], &vec![names[i - 1].clone()]);
        }
    }
}
