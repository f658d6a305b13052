//! Which tasks are outdated, from the products on disk and their `.metadata` files
//! (ploomber.md §10.3): a task runs when a product or its metadata is missing, when an
//! upstream product is newer, when an upstream task is itself outdated, or when the
//! stored params differ from the current ones.
//!
//! Not reproduced: Ploomber's code rule compares the stored source with the current one
//! after language-specific normalisation (autopep8 for functions, sqlparse for SQL,
//! rendered templates). We compare the stored code only where it can be reproduced
//! exactly without running user code: shell and SQL templates without Jinja, whose
//! rendered text is the file itself. Elsewhere a code change is not detected; use
//! `export --mode incremental --exact` (Ploomber itself says what would run, through
//! [`crate::python`]), or `--mode regular`/`--mode force`, after editing sources.

use std::collections::HashMap;

use crate::dag::Dag;
use crate::model::{Source, Task};

/// Why a task must run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outdated {
    MissingProduct(String),
    MissingMetadata(String),
    Upstream(String),
    Params,
    SourceCode,
}

impl std::fmt::Display for Outdated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outdated::MissingProduct(p) => write!(f, "product {p} does not exist"),
            Outdated::MissingMetadata(p) => write!(f, "metadata of {p} is missing"),
            Outdated::Upstream(u) => write!(f, "upstream task '{u}' is outdated or newer"),
            Outdated::Params => write!(f, "params changed"),
            Outdated::SourceCode => write!(f, "source code changed"),
        }
    }
}

struct Metadata {
    timestamp: Option<f64>,
    params: Option<serde_json::Value>,
    code: Option<String>,
}

fn read_metadata(product: &std::path::Path) -> Option<Metadata> {
    let name = product.file_name()?.to_str()?;
    let path = product.with_file_name(format!(".{name}.metadata"));
    // Only a regular file of sane size is metadata: a FIFO would block the read, a
    // device or a huge file would hang or exhaust memory. Anything else counts as
    // missing metadata (the task is outdated).
    let meta = std::fs::metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > 64 * 1024 * 1024 {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(Metadata {
        timestamp: json.get("timestamp").and_then(|t| t.as_f64()),
        params: json.get("params").cloned(),
        code: json
            .get("stored_source_code")
            .and_then(|c| c.as_str())
            .map(str::to_string),
    })
}

/// Reason each outdated task must run; tasks missing from the map are up to date.
///
/// What a task's own files say (products, `.metadata`, params, code) is read for every
/// task in parallel, the slow part with many tasks; the upstream rule then runs in
/// topological order. Each task's reason is the one the checks below give in their
/// order: files, then upstream, then params, then code.
pub fn outdated(dag: &Dag) -> HashMap<String, Outdated> {
    use rayon::prelude::*;
    let order: Vec<&Task> = dag.topological().collect();
    let local: Vec<Local> = order.par_iter().map(|t| local(t)).collect();
    let mut result: HashMap<String, Outdated> = HashMap::new();
    let mut timestamps: HashMap<&str, Option<f64>> = HashMap::with_capacity(order.len());
    for (task, own) in order.into_iter().zip(local) {
        let (reason, ts) = match own.files {
            Err(reason) => (Some(reason), None),
            Ok(min_ts) => (
                upstream(task, min_ts, &result, &timestamps).or(own.after_upstream),
                min_ts,
            ),
        };
        timestamps.insert(task.name.as_str(), ts);
        if let Some(r) = reason {
            result.insert(task.name.clone(), r);
        }
    }
    result
}

/// What a task's own products, metadata and source say, before its upstream tasks are
/// known.
struct Local {
    /// The oldest product timestamp, or why the products or metadata make the task run.
    files: Result<Option<f64>, Outdated>,
    /// A reason that counts only when no upstream reason comes first (params, code).
    after_upstream: Option<Outdated>,
}

fn local(task: &Task) -> Local {
    let files = task.product.file_paths();
    if files.is_empty() {
        // SQL relations keep metadata in the database: we cannot read it offline, so
        // the task is treated as outdated (what plain SQLRelation does in Ploomber).
        return Local {
            files: Err(Outdated::MissingMetadata(task.name.clone())),
            after_upstream: None,
        };
    }
    let mut min_ts: Option<f64> = None;
    let mut meta_any: Option<Metadata> = None;
    for (path, rel) in files.iter().zip(task.product.files()) {
        let missing = |reason: Outdated| Local {
            files: Err(reason),
            after_upstream: None,
        };
        if !path.exists() {
            return missing(Outdated::MissingProduct(rel.to_string()));
        }
        let Some(meta) = read_metadata(path) else {
            return missing(Outdated::MissingMetadata(rel.to_string()));
        };
        let Some(ts) = meta.timestamp else {
            return missing(Outdated::MissingMetadata(rel.to_string()));
        };
        min_ts = Some(min_ts.map_or(ts, |m: f64| m.min(ts)));
        meta_any.get_or_insert(meta);
    }
    let meta = meta_any.expect("at least one file");
    Local {
        files: Ok(min_ts),
        after_upstream: own_changes(task, &meta),
    }
}

/// The upstream rule: an outdated upstream task, or one whose products are newer.
fn upstream(
    task: &Task,
    min_ts: Option<f64>,
    outdated: &HashMap<String, Outdated>,
    timestamps: &HashMap<&str, Option<f64>>,
) -> Option<Outdated> {
    for up in &task.upstream {
        if outdated.contains_key(up) {
            return Some(Outdated::Upstream(up.clone()));
        }
        match (timestamps.get(up.as_str()).copied().flatten(), min_ts) {
            (Some(u), Some(mine)) if u > mine => return Some(Outdated::Upstream(up.clone())),
            (None, _) => return Some(Outdated::Upstream(up.clone())),
            _ => {}
        }
    }
    None
}

/// Changed params, or (where it can be compared offline) changed code.
fn own_changes(task: &Task, meta: &Metadata) -> Option<Outdated> {
    if let Some(stored) = &meta.params {
        let current = serde_json::Value::Object(task.params.clone());
        if stored != &current && !(stored.is_null() && task.params.is_empty()) {
            return Some(Outdated::Params);
        }
    }
    if let (Some(stored), Source::File { path, .. }) = (&meta.code, &task.source) {
        let plain_template = matches!(task.class.as_str(), "ShellScript");
        if plain_template {
            if let Ok(text) = std::fs::read_to_string(path) {
                if !text.contains("{{") && !text.contains("{%") && &text != stored {
                    return Some(Outdated::SourceCode);
                }
            }
        }
    }
    None
}
