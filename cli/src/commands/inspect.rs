//! `soopervisor inspect`: the inferred DAG as JSON (the format the conformance suite
//! compares with Ploomber's own answer) or YAML, as a readable tree, or as a picture:
//! Graphviz `dot` or a Mermaid flowchart (one node per task labelled with its Ploomber
//! name, one edge from each upstream task to its downstream task, as `ploomber plot`
//! draws it).

use std::io::Write;

use clap::ValueEnum;
use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};
use serde_json::Value;

use soopervisor_core::dag::Dag;

use crate::pipeline::{self, ProjectArgs};

#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum InspectFormat {
    /// Tasks in run order, with class, source, product, params and upstream
    #[default]
    Text,
    /// The DAG as data (what the conformance suite compares with Ploomber)
    Json,
    /// The same data as YAML
    Yaml,
    /// A Graphviz digraph (render with: dot -Tsvg)
    Dot,
    /// A Mermaid flowchart (renders in GitHub markdown)
    Mermaid,
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
        InspectFormat::Json => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            serde_json::to_writer_pretty(&mut out, &InspectJson(&dag))?;
            writeln!(out)?;
            out.flush()?;
        }
        InspectFormat::Yaml => print!("{}", serde_yaml::to_string(&InspectJson(&dag))?),
        InspectFormat::Dot => print!("{}", to_dot(&dag)),
        InspectFormat::Mermaid => print!("{}", to_mermaid(&dag)),
        InspectFormat::Text => print!("{}", to_text(&dag, &project.entry_point_relative())),
    }
    crate::drop_in_background((project, dag));
    Ok(())
}

/// `{"tasks": {NAME: {"class", "source", "upstream", "product", "params"}}}`, tasks
/// in declaration order. Serialised straight from the DAG: building a JSON value of
/// the whole pipeline first would take most of the memory at 100,000 tasks.
pub struct InspectJson<'a>(pub &'a Dag);

impl Serialize for InspectJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Tasks<'a>(&'a Dag);
        impl Serialize for Tasks<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.tasks().len()))?;
                for t in self.0.tasks() {
                    map.serialize_entry(&t.name, &TaskJson(t))?;
                }
                map.end()
            }
        }
        let mut root = serializer.serialize_struct("Inspect", 1)?;
        root.serialize_field("tasks", &Tasks(self.0))?;
        root.end()
    }
}

struct TaskJson<'a>(&'a soopervisor_core::model::Task);

impl Serialize for TaskJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let t = self.0;
        let mut task = serializer.serialize_struct("Task", 5)?;
        task.serialize_field("class", &t.class)?;
        task.serialize_field("source", &t.source.display())?;
        task.serialize_field("upstream", &t.upstream)?;
        task.serialize_field("product", &t.product.to_json())?;
        task.serialize_field("params", &t.params)?;
        task.end()
    }
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
        if !t.params.is_empty() {
            out.push_str(&format!("  params   {}\n", Value::Object(t.params.clone())));
        }
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

/// A Graphviz digraph: one box per task (its Ploomber name, quoted as DOT requires),
/// one edge per upstream dependency, tasks in declaration order.
pub fn to_dot(dag: &Dag) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out = String::from("digraph pipeline {\n  rankdir=LR;\n  node [shape=box];\n");
    for t in dag.tasks() {
        out.push_str(&format!("  {};\n", quote(&t.name)));
    }
    for t in dag.tasks() {
        for up in &t.upstream {
            out.push_str(&format!("  {} -> {};\n", quote(up), quote(&t.name)));
        }
    }
    out.push_str("}\n");
    out
}

/// A Mermaid flowchart: nodes `t0`, `t1`, ... (declaration order) labelled with the
/// task names (quotes and markup characters written as Mermaid entities), one arrow
/// per upstream dependency.
pub fn to_mermaid(dag: &Dag) -> String {
    let label = |s: &str| {
        s.chars()
            .map(|c| match c {
                '"' => "#quot;".to_string(),
                '#' => "#35;".to_string(),
                '<' => "#lt;".to_string(),
                '>' => "#gt;".to_string(),
                '&' => "#amp;".to_string(),
                c => c.to_string(),
            })
            .collect::<String>()
    };
    let index: std::collections::HashMap<&str, usize> = dag
        .tasks()
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    let mut out = String::from("flowchart LR\n");
    for (i, t) in dag.tasks().iter().enumerate() {
        out.push_str(&format!("  t{i}[\"{}\"]\n", label(&t.name)));
    }
    for (i, t) in dag.tasks().iter().enumerate() {
        for up in &t.upstream {
            out.push_str(&format!("  t{} --> t{i}\n", index[up.as_str()]));
        }
    }
    out
}
