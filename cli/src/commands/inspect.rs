//! `soopervisor inspect`: the inferred DAG as JSON (the format the conformance suite
//! compares with Ploomber's own answer) or as a readable tree.

use clap::ValueEnum;
use serde_json::{json, Map, Value};

use soopervisor_core::dag::Dag;

use crate::pipeline::{self, ProjectArgs};

#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum InspectFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: InspectFormat,
}

pub fn run(args: InspectArgs) -> anyhow::Result<()> {
    let (project, dag) = pipeline::load(&args.project)?;
    crate::print_warnings(&project.warnings);
    match args.format {
        InspectFormat::Json => println!("{}", serde_json::to_string_pretty(&to_json(&dag))?),
        InspectFormat::Text => print!("{}", to_text(&dag, &project.entry_point_relative())),
    }
    Ok(())
}

/// `{"tasks": {NAME: {"class", "source", "upstream", "product", "params"}}}`.
pub fn to_json(dag: &Dag) -> Value {
    let mut tasks = Map::new();
    for t in dag.tasks() {
        tasks.insert(
            t.name.clone(),
            json!({
                "class": t.class,
                "source": t.source.display(),
                "upstream": t.upstream,
                "product": t.product.to_json(),
                "params": Value::Object(t.params.clone()),
            }),
        );
    }
    json!({ "tasks": tasks })
}

/// A tree for people: tasks in run order, each with its class, source, product and
/// what it waits for.
pub fn to_text(dag: &Dag, entry_point: &str) -> String {
    let mut out = format!("{entry_point}: {} tasks, in run order\n", dag.tasks().len());
    for t in dag.topological() {
        out.push_str(&format!("\n{}  [{}]\n", t.name, t.class));
        out.push_str(&format!("  source   {}\n", t.source.display()));
        let product = match t.product.to_json() {
            Value::String(s) => s,
            other => other.to_string(),
        };
        out.push_str(&format!("  product  {product}\n"));
        if !t.upstream.is_empty() {
            let n = t.upstream.len();
            for (i, up) in t.upstream.iter().enumerate() {
                let branch = if i + 1 == n { "└─" } else { "├─" };
                let label = if i == 0 { "after  " } else { "       " };
                out.push_str(&format!("  {label}  {branch} {up}\n"));
            }
        }
    }
    out
}
