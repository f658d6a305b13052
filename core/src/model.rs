//! The typed pipeline model shared by loading, analysis, the DAG and `inspect`: tasks,
//! their class, source and product, as Ploomber defines them.

use std::path::PathBuf;

use serde_json::Value as Json;

/// Where a task's code lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file: absolute path on disk and its project-relative display form.
    File { path: PathBuf, relative: String },
    /// A dotted path to a Python function (`pkg.module.fn`).
    DottedPath(String),
}

impl Source {
    /// The form `inspect` prints: project-relative path or dotted path.
    pub fn display(&self) -> &str {
        match self {
            Source::File { relative, .. } => relative,
            Source::DottedPath(d) => d,
        }
    }
}

/// A SQL relation product (`[schema, name, kind]`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SqlRelation {
    pub schema: Option<String>,
    pub name: String,
    /// `table` or `view`.
    pub kind: String,
}

/// A task's product(s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Product {
    /// A file: absolute (normalised) path and project-relative form.
    File { path: PathBuf, relative: String },
    /// A SQL table or view.
    Relation(SqlRelation),
    /// A product without a path or relation (e.g. `GenericProduct` identifiers).
    Other(String),
    /// Named products (MetaProduct), in declaration order.
    Map(Vec<(String, Product)>),
}

impl Product {
    /// The form `inspect` prints.
    pub fn to_json(&self) -> Json {
        match self {
            Product::File { relative, .. } => Json::String(relative.clone()),
            Product::Other(s) => Json::String(s.clone()),
            Product::Relation(r) => serde_json::json!({
                "schema": r.schema,
                "name": r.name,
                "kind": r.kind,
            }),
            Product::Map(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// Every file product, project-relative.
    pub fn files(&self) -> Vec<&str> {
        match self {
            Product::File { relative, .. } => vec![relative.as_str()],
            Product::Map(entries) => entries.iter().flat_map(|(_, p)| p.files()).collect(),
            _ => Vec::new(),
        }
    }

    /// Every file product, absolute.
    pub fn file_paths(&self) -> Vec<&PathBuf> {
        match self {
            Product::File { path, .. } => vec![path],
            Product::Map(entries) => entries.iter().flat_map(|(_, p)| p.file_paths()).collect(),
            _ => Vec::new(),
        }
    }

    /// Every SQL relation product.
    pub fn relations(&self) -> Vec<&SqlRelation> {
        match self {
            Product::Relation(r) => vec![r],
            Product::Map(entries) => entries.iter().flat_map(|(_, p)| p.relations()).collect(),
            _ => Vec::new(),
        }
    }
}

/// One task of the pipeline, after grid expansion and static analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Exact Ploomber name.
    pub name: String,
    /// Ploomber task class name (`NotebookRunner`, `PythonCallable`, `SQLScript`, ...).
    pub class: String,
    /// Product class name (`File`, `SQLRelation`, ...).
    pub product_class: String,
    pub source: Source,
    pub product: Product,
    /// Task params (after rendering and casting), as JSON.
    pub params: serde_json::Map<String, Json>,
    /// Upstream task names after wildcard expansion, sorted and unique.
    pub upstream: Vec<String>,
    /// Where the task is declared (spec or imported file, 1-based line) for messages.
    pub declared_in: PathBuf,
    pub declared_line: usize,
}
