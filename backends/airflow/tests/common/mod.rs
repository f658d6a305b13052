//! Shared by the Airflow backend's tests: hand-built plans, and a reader of exported
//! DAG files built on a real Python parser (rustpython) and a Jinja engine
//! (minijinja), so tests see the file as Python and Airflow would.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use rustpython_parser::ast::{self, Constant, Expr, Stmt};
use rustpython_parser::Parse;
use soopervisor_airflow::AirflowConfig;
use soopervisor_core::backend::{BackendConfig, ExportTarget};
use soopervisor_core::plan::{CondaEnvironment, Mode, Plan, PlannedTask, ProjectInfo};
pub use soopervisor_core::testing::plan;
use soopervisor_core::testing::{self, DIAMOND};

/// The core's test project, named explicitly (the DAG id comes from the name).
pub fn project(name: &str) -> ProjectInfo {
    testing::project(name).with_name(name)
}

/// The core's test task with a product named by the name's length (names may hold any
/// character; file names here stay plain).
pub fn task(name: &str, upstream: &[&str]) -> PlannedTask {
    testing::task(name, upstream).with_products([format!("products/{}.ipynb", name.len())])
}

/// load → (clean, features) → train.
pub fn diamond(mode: Mode) -> Plan {
    testing::shaped(project("ml-basic"), mode, DIAMOND, task)
}

/// Names that break naive emitters: quotes, backslashes, newlines, Jinja, shell.
pub fn hostile() -> Plan {
    let p = ProjectInfo::new("/home/user/my-project", "pipeline.yaml")
        .with_name("My Project {{ ds }}")
        .with_conda(CondaEnvironment::new("environment.yml", "my-env"));
    plan(
        p,
        Mode::Force,
        vec![
            task("it's \"quoted\" '''", &[]),
            task("back\\slash\nnew line", &["it's \"quoted\" '''"]),
            task("{{ ds }} {% if x %}", &["it's \"quoted\" '''"]),
            task(
                "$(touch /tmp/pwned) `id`",
                &["back\\slash\nnew line", "{{ ds }} {% if x %}"],
            ),
            task("run.sh", &["$(touch /tmp/pwned) `id`"]),
            task("a b", &[]),
            task("a_b", &["a b"]),
            task("ünïcødé 🚀", &["a_b"]),
        ],
    )
}

pub fn config(yaml_json: &str) -> AirflowConfig {
    serde_json::from_str(yaml_json).expect("valid config")
}

pub fn target() -> ExportTarget {
    ExportTarget::new(PathBuf::from("/home/user/project/airflow"))
}

/// The exported file's name and text.
pub fn export(cfg: &AirflowConfig, plan: &Plan) -> (String, String) {
    cfg.check(plan).expect("check passes");
    let out = cfg.export(plan, &target()).expect("export");
    assert_eq!(out.files.len(), 1, "one self-contained file");
    let f = &out.files[0];
    (
        f.path().display().to_string(),
        String::from_utf8(f.contents().to_vec()).unwrap(),
    )
}

/// What Airflow renders a templated string to (Jinja with Airflow's defaults: no
/// trailing newline kept, no variables needed).
pub fn render(template: &str) -> String {
    let env = minijinja::Environment::new();
    env.render_str(template, ())
        .unwrap_or_else(|e| panic!("Jinja cannot render {template:?}: {e}"))
}

/// One operator call of the DAG file.
#[derive(Debug, Clone)]
pub struct OperatorCall {
    pub class: String,
    /// The `tasks[...]` key (the Ploomber name).
    pub key: String,
    /// The `task_id=TASK_IDS[...]` key.
    pub id_key: String,
    /// String keyword arguments (literals, or the value of a module constant).
    pub strings: BTreeMap<String, String>,
    /// The env / env_vars / environment dict.
    pub env: BTreeMap<String, String>,
    /// Every string literal inside list arguments (cmds, arguments, command).
    pub list_strings: BTreeMap<String, Vec<String>>,
}

/// The DAG file as Python sees it.
#[derive(Debug, Default)]
pub struct ParsedDag {
    pub constants: BTreeMap<String, String>,
    pub task_ids: Vec<(String, String)>,
    pub dag_kwargs: BTreeMap<String, String>,
    pub operators: Vec<OperatorCall>,
    /// task key → upstream keys.
    pub upstream: BTreeMap<String, Vec<String>>,
    pub imports: Vec<String>,
}

fn string(e: &Expr, constants: &BTreeMap<String, String>) -> Option<String> {
    match e {
        Expr::Constant(c) => match &c.value {
            Constant::Str(s) => Some(s.clone()),
            _ => None,
        },
        Expr::Name(n) => constants.get(n.id.as_str()).cloned(),
        _ => None,
    }
}

/// `NAME["key"]` → ("NAME", "key").
fn subscript(e: &Expr) -> Option<(String, String)> {
    let Expr::Subscript(s) = e else { return None };
    let Expr::Name(n) = &*s.value else {
        return None;
    };
    let Expr::Constant(c) = &*s.slice else {
        return None;
    };
    let Constant::Str(k) = &c.value else {
        return None;
    };
    Some((n.id.to_string(), k.clone()))
}

fn dict(e: &Expr, constants: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let Expr::Dict(d) = e else {
        panic!("not a dict: {e:?}")
    };
    d.keys
        .iter()
        .zip(&d.values)
        .map(|(k, v)| {
            (
                string(k.as_ref().unwrap(), constants).unwrap(),
                string(v, constants).unwrap_or_default(),
            )
        })
        .collect()
}

/// Parses `src` with a real Python parser and reads the parts the exporter writes.
pub fn parse_dag(src: &str) -> ParsedDag {
    let suite =
        ast::Suite::parse(src, "<dag>").unwrap_or_else(|e| panic!("not Python: {e}\n{src}"));
    let mut out = ParsedDag::default();
    for stmt in &suite {
        match stmt {
            Stmt::Import(_) | Stmt::ImportFrom(_) => {
                if let Stmt::ImportFrom(i) = stmt {
                    out.imports
                        .push(i.module.as_ref().map(|m| m.to_string()).unwrap_or_default());
                }
            }
            Stmt::Assign(a) => {
                let Expr::Name(n) = &a.targets[0] else {
                    continue;
                };
                if n.id.as_str() == "TASK_IDS" {
                    let Expr::Dict(d) = &*a.value else {
                        panic!("TASK_IDS is a dict")
                    };
                    for (k, v) in d.keys.iter().zip(&d.values) {
                        out.task_ids.push((
                            string(k.as_ref().unwrap(), &out.constants).unwrap(),
                            string(v, &out.constants).unwrap(),
                        ));
                    }
                } else if let Some(s) = string(&a.value, &out.constants) {
                    out.constants.insert(n.id.to_string(), s);
                }
            }
            Stmt::With(w) => {
                let Expr::Call(dag) = &w.items[0].context_expr else {
                    panic!("with DAG(...)")
                };
                for k in &dag.keywords {
                    let v = match &k.value {
                        Expr::Constant(c) => match &c.value {
                            Constant::Str(s) => s.clone(),
                            Constant::None => "None".into(),
                            Constant::Bool(b) => b.to_string(),
                            other => format!("{other:?}"),
                        },
                        other => format!("{other:?}"),
                    };
                    out.dag_kwargs
                        .insert(k.arg.as_ref().unwrap().to_string(), v);
                }
                for s in &w.body {
                    match s {
                        Stmt::Assign(a) => {
                            let Some((_, key)) = subscript(&a.targets[0]) else {
                                continue;
                            };
                            let Expr::Call(call) = &*a.value else {
                                panic!("operator call")
                            };
                            let Expr::Name(class) = &*call.func else {
                                panic!("operator class")
                            };
                            let mut op = OperatorCall {
                                class: class.id.to_string(),
                                key,
                                id_key: String::new(),
                                strings: BTreeMap::new(),
                                env: BTreeMap::new(),
                                list_strings: BTreeMap::new(),
                            };
                            for kw in &call.keywords {
                                let name = kw.arg.as_ref().unwrap().to_string();
                                if name == "task_id" {
                                    op.id_key = subscript(&kw.value).expect("TASK_IDS[...]").1;
                                } else if matches!(
                                    name.as_str(),
                                    "env" | "env_vars" | "environment"
                                ) {
                                    op.env = dict(&kw.value, &out.constants);
                                } else if let Expr::List(l) = &kw.value {
                                    op.list_strings.insert(
                                        name,
                                        l.elts
                                            .iter()
                                            .filter_map(|e| string(e, &out.constants))
                                            .collect(),
                                    );
                                } else if let Some(v) = string(&kw.value, &out.constants) {
                                    op.strings.insert(name, v);
                                }
                            }
                            out.operators.push(op);
                        }
                        Stmt::Expr(e) => {
                            let Expr::Call(call) = &*e.value else {
                                continue;
                            };
                            let Expr::Attribute(attr) = &*call.func else {
                                continue;
                            };
                            assert_eq!(attr.attr.as_str(), "set_upstream");
                            let (_, key) = subscript(&attr.value).unwrap();
                            let Expr::List(l) = &call.args[0] else {
                                panic!("a list of tasks")
                            };
                            let ups = l.elts.iter().map(|e| subscript(e).unwrap().1).collect();
                            out.upstream.insert(key, ups);
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    out
}
