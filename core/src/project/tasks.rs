//! Task entries into task declarations (§3, §7): required keys, the task class from
//! `class:` or the source, the product class and product paths, names, params, declared
//! upstream, class-specific keys, and grid expansion. Static analysis comes after.

use std::path::{Path, PathBuf};

use crate::diagnostics::{pretty_list, UserError, UserResult, Warning};
use crate::model::{Product, Source, SqlRelation};

use super::grid::{self, GridPoint};
use super::paths::{normalize, relative_to, stem, suffix};
use super::spec::{Meta, RawTask, Spec, PRODUCT_CLASSES, TASK_CLASSES};
use super::yaml::{Node, Value};

/// A task before static analysis.
#[derive(Debug, Clone)]
pub struct TaskDecl {
    pub name: String,
    pub class: String,
    pub product_class: String,
    pub source: Source,
    /// None when `meta.extract_product` is set (read from the source later).
    pub product: Option<Product>,
    pub params: serde_json::Map<String, serde_json::Value>,
    /// Declared upstream (with `extract_upstream: false`), unexpanded.
    pub declared_upstream: Option<Vec<String>>,
    /// `nb_product_key` (NotebookRunner), for checking extracted products.
    pub nb_product_keys: Vec<String>,
    /// `kernelspec_name` (NotebookRunner): decides the language of a notebook without
    /// kernel metadata.
    pub kernelspec_name: Option<String>,
    /// Grid point index, for extracted products of grid tasks.
    pub grid_index: Option<usize>,
    pub file: PathBuf,
    pub line: usize,
}

const COMMON_KEYS: &[&str] = &[
    "source",
    "product",
    "name",
    "class",
    "product_class",
    "product_client",
    "client",
    "upstream",
    "grid",
    "params",
    "on_render",
    "on_finish",
    "on_failure",
    "serializer",
    "unserializer",
];

fn class_keys(class: &str) -> Option<&'static [&'static str]> {
    Some(match class {
        "NotebookRunner" => &[
            "executor",
            "executor_params",
            "papermill_params",
            "kernelspec_name",
            "nbconvert_exporter_name",
            "ext_in",
            "nb_product_key",
            "static_analysis",
            "nbconvert_export_kwargs",
            "local_execution",
            "check_if_kernel_installed",
            "debug_mode",
        ],
        "ScriptRunner" => &["ext_in", "static_analysis", "local_execution"],
        "PythonCallable" => &["debug_mode"],
        "SQLDump" => &["chunksize", "io_handler"],
        "SQLTransfer" => &["chunksize"],
        "SQLUpload" => &["chunksize", "io_handler", "to_sql_kwargs"],
        "PostgresCopyFrom" => &["columns"],
        "UploadToS3" => &["bucket", "upload_file_kwargs"],
        "ShellScript" | "SQLScript" | "DownloadFromURL" | "Link" | "Input" => &[],
        _ => return None,
    })
}

const NOTEBOOK_SUFFIXES: &[&str] = &[".py", ".R", ".r", ".Rmd", ".ipynb"];
const FILE_SOURCE_SUFFIXES: &[&str] = &[".py", ".R", ".r", ".Rmd", ".ipynb", ".sql", ".sh"];
const SQL_RELATION_CLASSES: &[&str] = &[
    "SQLRelation",
    "SQLiteRelation",
    "PostgresRelation",
    "GenericSQLRelation",
];

/// Shared, read-only context for building declarations.
pub struct DeclContext<'a> {
    pub spec: &'a Spec,
    pub root: &'a Path,
    pub cwd: &'a Path,
}

fn err(task: &RawTask, line: usize, msg: impl Into<String>) -> UserError {
    UserError::new(msg).in_file(&task.file).at_line(line)
}

/// Closest candidate by a similarity ratio (like Python's difflib, cutoff 0.6).
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    fn ratio(a: &str, b: &str) -> f64 {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut dp = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for i in 0..a.len() {
            for j in 0..b.len() {
                dp[i + 1][j + 1] = if a[i] == b[j] {
                    dp[i][j] + 1
                } else {
                    dp[i][j + 1].max(dp[i + 1][j])
                };
            }
        }
        2.0 * dp[a.len()][b.len()] as f64 / (a.len() + b.len()).max(1) as f64
    }
    candidates
        .iter()
        .map(|c| (ratio(word, c), *c))
        .filter(|(r, _)| *r >= 0.6)
        .max_by(|x, y| x.0.partial_cmp(&y.0).unwrap_or(std::cmp::Ordering::Equal))
        .map(|(_, c)| c)
}

/// Most tasks one pipeline may declare (grids expanded): a bound on the time and memory
/// a small spec can demand (a few lines of grid can ask for millions of tasks).
pub const MAX_TASKS: usize = 100_000;

/// Builds the declarations of every raw task (consumed: each entry's YAML is freed as
/// soon as it is declared), grids expanded, in spec order; warnings go to `warnings`.
/// The first failing task (in spec order) gives the error.
///
/// Tasks are independent, so they are declared in parallel, except when the spec has a
/// grid: a grid turns one entry into up to [`MAX_TASKS`] declarations, and declaring
/// in order lets the running total stop a runaway spec before it allocates the rest.
pub fn declare_all(
    ctx: &DeclContext,
    raw_tasks: Vec<RawTask>,
    warnings: &mut Vec<Warning>,
) -> UserResult<Vec<TaskDecl>> {
    let has_grid = raw_tasks.iter().any(|raw| raw.node.get("grid").is_some());
    if has_grid {
        return declare_in_order(ctx, raw_tasks, warnings);
    }
    use rayon::prelude::*;
    // Without grids each entry is one task: the entry past the limit is known now.
    let over_limit = raw_tasks
        .get(MAX_TASKS)
        .map(|raw| (raw.file.clone(), raw.node.line));
    let results: Vec<(UserResult<TaskDecl>, Vec<Warning>)> = raw_tasks
        .into_par_iter()
        .map_init(grid::bracket_environment, |bracket_env, raw| {
            let mut out = Vec::with_capacity(1);
            let mut task_warnings = Vec::new();
            let result =
                declare(ctx, &raw, bracket_env, &mut out, &mut task_warnings).and_then(|()| {
                    // an entry without a grid declares exactly one task
                    out.pop().ok_or_else(|| {
                        err(
                            &raw,
                            raw.node.line,
                            "internal error: the task declared nothing",
                        )
                    })
                });
            (result, task_warnings)
        })
        .collect();
    // `collect` reuses the buffer of `results` (in-place iteration).
    let decls: Vec<TaskDecl> = results
        .into_iter()
        .map(|(result, task_warnings)| {
            warnings.extend(task_warnings);
            result
        })
        .collect::<UserResult<_>>()?;
    check_total(&decls, over_limit.as_ref().map(|(f, l)| (f.as_path(), *l)))?;
    Ok(decls)
}

fn declare_in_order(
    ctx: &DeclContext,
    raw_tasks: Vec<RawTask>,
    warnings: &mut Vec<Warning>,
) -> UserResult<Vec<TaskDecl>> {
    let bracket_env = grid::bracket_environment();
    let mut out = Vec::with_capacity(raw_tasks.len());
    for raw in raw_tasks {
        declare(ctx, &raw, &bracket_env, &mut out, warnings)?;
        check_total(&out, Some((&raw.file, raw.node.line)))?;
    }
    Ok(out)
}

/// Refuses more than [`MAX_TASKS`] declarations; `at` is the entry that crossed it.
fn check_total(decls: &[TaskDecl], at: Option<(&Path, usize)>) -> UserResult<()> {
    if decls.len() <= MAX_TASKS {
        return Ok(());
    }
    let mut e = UserError::new(format!(
        "the pipeline declares more than {MAX_TASKS} tasks (grids expanded)"
    ))
    .with_hint("split the pipeline or its grids; soopervisor bounds the work a spec can ask for");
    if let Some((file, line)) = at {
        e = e.in_file(file).at_line(line);
    }
    Err(e)
}

fn declare(
    ctx: &DeclContext,
    raw: &RawTask,
    bracket_env: &minijinja::Environment<'static>,
    out: &mut Vec<TaskDecl>,
    warnings: &mut Vec<Warning>,
) -> UserResult<()> {
    let meta: &Meta = &ctx.spec.meta;
    let node = &raw.node;
    let line = node.line;
    let Some(entries) = node.as_map() else {
        return Err(err(
            raw,
            line,
            format!(
                "each task must be a mapping with 'source' and 'product', got a {}",
                node.type_name()
            ),
        ));
    };
    let get = |k: &str| node.get(k).filter(|n| !n.is_null());

    // Required keys (§7.1).
    let mut missing = Vec::new();
    if get("source").is_none() {
        missing.push("source");
    }
    if get("product").is_none() && !meta.extract_product {
        missing.push("product");
    }
    if !missing.is_empty() {
        let source_hint = get("source")
            .map(|s| s.value.python_str())
            .unwrap_or_else(|| "scripts/load.py".into());
        return Err(err(raw, line, format!("Error validating task: Missing keys: {}", pretty_list(&missing)))
            .with_hint(format!("every task needs a source and a product, e.g.\n  - source: {source_hint}\n    product: output/result.ipynb")));
    }
    if meta.extract_product && node.get("product").is_some() {
        return Err(err(raw, node.get("product").unwrap().line, "if meta.extract_product is set to True, tasks should not have a \"product\" key")
            .with_hint("remove the task's product key (it is read from the source), or set meta.extract_product: false"));
    }
    if let Some(up) = get("upstream") {
        let empty = matches!(&up.value, Value::Seq(s) if s.is_empty())
            || matches!(&up.value, Value::Map(m) if m.is_empty());
        if meta.extract_upstream && !empty {
            return Err(err(raw, up.line, "if meta.extract_upstream is set to True, tasks should not have an \"upstream\" key")
                .with_hint("remove the upstream key (dependencies are read from the source), or set meta.extract_upstream: false and declare upstream for every task"));
        }
    }

    let source_node = get("source").unwrap();
    let Value::Str(source_str) = &source_node.value else {
        return Err(err(
            raw,
            source_node.line,
            format!(
                "the task source must be a string, got {}",
                source_node.value.python_repr()
            ),
        ));
    };

    // Task class (§7.2).
    let product_node = get("product");
    let class = match get("class") {
        Some(c) => {
            let name = c.value.python_str();
            if !TASK_CLASSES.contains(&name.as_str()) {
                let mut e = err(raw, c.line, format!("'{name}' is not a valid task class"));
                e = match did_you_mean(&name, TASK_CLASSES) {
                    Some(s) => e.with_hint(format!("did you mean '{s}'?")),
                    None => e.with_hint(format!("valid classes: {}", TASK_CLASSES.join(", "))),
                };
                return Err(e);
            }
            name
        }
        None => infer_class(raw, source_str, source_node.line, product_node)?,
    };

    // Hooks, clients and serializers are dotted path specs: a string or a mapping
    // with `dotted_path`; anything else (null included) fails in Ploomber at load.
    for key in [
        "on_render",
        "on_finish",
        "on_failure",
        "serializer",
        "unserializer",
        "client",
        "product_client",
    ] {
        if let Some(v) = node.get(key) {
            let ok = match &v.value {
                Value::Str(s) => s.contains('.'),
                Value::Map(_) => v.get("dotted_path").and_then(|d| d.as_str()).is_some(),
                _ => false,
            };
            if !ok {
                return Err(err(
                    raw,
                    v.line,
                    format!(
                        "'{key}' must be a dotted path spec (module.function, or a mapping with dotted_path), got {} (type: {})",
                        v.value.python_repr(),
                        v.type_name()
                    ),
                )
                .with_hint(format!("write {key}: my_module.my_function, or remove the key")));
            }
        }
    }

    // Unknown keys fail at construction in Ploomber.
    let allowed = class_keys(&class).unwrap_or(&[]);
    for (k, v) in entries {
        let key = k.value.python_str();
        if !COMMON_KEYS.contains(&key.as_str()) && !allowed.contains(&key.as_str()) {
            return Err(err(raw, k.line, format!("Failed to initialize {class} task with source '{source_str}': got an unexpected keyword argument '{key}'"))
                .with_hint(format!("remove '{key}'; valid keys for {class} are: {}", COMMON_KEYS.iter().chain(allowed).copied().collect::<Vec<_>>().join(", ")))
                .suggest(&key, COMMON_KEYS.iter().chain(allowed)));
        }
        if key == "static_analysis" {
            let ok = matches!(&v.value, Value::Str(s) if ["regular", "disable", "strict"].contains(&s.as_str()));
            if !ok {
                return Err(err(
                    raw,
                    v.line,
                    format!(
                        "{} is not a valid 'static_analysis' value, choose one from: 'regular', 'disable', and 'strict'",
                        v.value.python_repr()
                    ),
                )
                .with_hint("quote the value: YAML reads a bare off/no as the boolean false"));
            }
        }
    }

    // Source (§3.2).
    let is_dotted =
        class == "PythonCallable" && !FILE_SOURCE_SUFFIXES.contains(&suffix(source_str));
    let source = if is_dotted {
        Source::DottedPath(source_str.clone())
    } else if matches!(
        class.as_str(),
        "SQLUpload" | "PostgresCopyFrom" | "UploadToS3" | "DownloadFromURL" | "Link" | "Input"
    ) && !source_str.ends_with(".sql")
    {
        // The source is a data path or URL, not code.
        let path = resolve_source_path(ctx, raw, source_str);
        Source::File {
            relative: relative_to(&path, ctx.root),
            path,
        }
    } else {
        let path = resolve_source_path(ctx, raw, source_str);
        if !path.is_file() {
            let mut e = err(
                raw,
                source_node.line,
                format!("the source file '{source_str}' does not exist"),
            )
            .with_hint(format!(
                "expected it at {}; sources are relative to the project root {}",
                path.display(),
                ctx.root.display()
            ));
            if path.is_dir() {
                e = err(
                    raw,
                    source_node.line,
                    format!("the source '{source_str}' is a folder, not a file"),
                );
            }
            return Err(e);
        }
        Source::File {
            relative: relative_to(&path, ctx.root),
            path,
        }
    };

    // Product class (§7.3).
    let product_class = match get("product_class") {
        Some(pc) => {
            let name = pc.value.python_str();
            if !PRODUCT_CLASSES.contains(&name.as_str()) {
                let mut e = err(
                    raw,
                    pc.line,
                    format!("'{name}' is not a valid product class"),
                );
                if let Some(s) = did_you_mean(&name, PRODUCT_CLASSES) {
                    e = e.with_hint(format!("did you mean '{s}'?"));
                }
                return Err(e);
            }
            name
        }
        None => match meta.product_default_class.get(&class) {
            Some(c) => c.clone(),
            None => {
                return Err(err(
                    raw,
                    line,
                    format!("could not determine a product class for task class {class}"),
                )
                .with_hint("add product_class: (File, SQLRelation, ...) to the task"))
            }
        },
    };

    // Params (§7.7).
    let mut params = serde_json::Map::new();
    if let Some(p) = get("params") {
        let Some(pentries) = p.as_map() else {
            return Err(err(raw, p.line, "'params' must be a mapping"));
        };
        for (k, v) in pentries {
            let key = k.value.python_str();
            if key == "upstream" || key == "product" {
                return Err(err(
                    raw,
                    k.line,
                    format!("task params cannot be initialized with an \"{key}\" key"),
                )
                .with_hint(format!(
                    "rename the '{key}' param: Ploomber passes {key} itself"
                )));
            }
            if let Value::Str(s) = &v.value {
                if s.contains("::") && !s.contains(' ') {
                    warnings.push(Warning::new(format!(
                        "param '{key}' = '{s}' is replaced by Ploomber with the function's return value when the pipeline loads; soopervisor never runs user code, so it shows the dotted path"
                    )).in_file(&raw.file).at_line(v.line));
                }
            }
            params.insert(key, v.value.to_json());
        }
    }

    let declared_upstream = if meta.extract_upstream {
        None
    } else {
        Some(declared(raw, get("upstream"))?)
    };
    let nb_product_keys = match get("nb_product_key") {
        None => vec!["nb".to_string()],
        Some(n) => match &n.value {
            Value::Seq(items) => items.iter().map(|i| i.value.python_str()).collect(),
            v => vec![v.python_str()],
        },
    };

    let base_name = match get("name") {
        Some(n) => n.value.python_str(),
        None => match &source {
            Source::DottedPath(d) => d.rsplit('.').next().unwrap_or(d).to_string(),
            Source::File { .. } => {
                let file = source_str.rsplit('/').next().unwrap_or(source_str);
                stem(file).to_string()
            }
        },
    };

    let product_base = match &source {
        Source::File { path, .. } if meta.product_relative_to_source => {
            path.parent().unwrap_or(ctx.root).to_path_buf()
        }
        _ => ctx.root.to_path_buf(),
    };

    let decl = TaskDecl {
        name: base_name.clone(),
        class: class.clone(),
        product_class: product_class.clone(),
        source,
        product: None,
        params,
        declared_upstream,
        nb_product_keys,
        kernelspec_name: get("kernelspec_name").map(|n| n.value.python_str()),
        grid_index: None,
        file: raw.file.clone(),
        line,
    };

    match get("grid") {
        None => {
            let product = match product_node {
                Some(p) => Some(build_product(
                    raw,
                    p,
                    &product_class,
                    &class,
                    (&product_base, ctx.root),
                    &decl.nb_product_keys,
                    ProductRender {
                        grid: None,
                        params: &decl.params,
                    },
                )?),
                None => None,
            };
            out.push(TaskDecl { product, ..decl });
        }
        Some(g) => {
            if node.get("name").filter(|n| !n.is_null()).is_none() {
                return Err(err(raw, g.line, format!("error initializing task with source '{source_str}': tasks with 'grid' must have a 'name'"))
                    .with_hint("add name: (e.g. fit-[[model]] or fit-) to the task"));
            }
            let points = grid::expand(g, &raw.file)?;
            for point in points {
                let overlap: Vec<&str> = point
                    .values
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .filter(|k| decl.params.contains_key(*k))
                    .collect();
                if !overlap.is_empty() {
                    return Err(err(
                        raw,
                        g.line,
                        format!(
                            "error generating grid: 'grid' and 'params' have overlapping keys: {}",
                            pretty_list(&overlap)
                        ),
                    )
                    .with_hint("a key must be either in params or in grid, not both"));
                }
                let name = grid::task_name(bracket_env, &base_name, &point, &raw.file, line)?;
                let mut params = decl.params.clone();
                for (k, v) in &point.values {
                    params.insert(k.clone(), v.to_json());
                }
                let product = match product_node {
                    Some(p) => Some(build_product(
                        raw,
                        p,
                        &product_class,
                        &class,
                        (&product_base, ctx.root),
                        &decl.nb_product_keys,
                        ProductRender {
                            grid: Some((&point, bracket_env)),
                            params: &params,
                        },
                    )?),
                    None => None,
                };
                out.push(TaskDecl {
                    name,
                    params,
                    product,
                    grid_index: Some(point.index),
                    ..decl.clone()
                });
            }
        }
    }
    Ok(())
}

fn resolve_source_path(ctx: &DeclContext, raw: &RawTask, source: &str) -> PathBuf {
    let p = Path::new(source);
    if p.is_absolute() {
        return p.to_path_buf();
    }
    if let Some(loader) = &ctx.spec.meta.source_loader {
        let mut base = ctx.cwd.to_path_buf();
        if let Some(module) = &loader.module {
            let rel: PathBuf = module.split('.').collect();
            for dir in [
                ctx.root.to_path_buf(),
                ctx.root.join("src"),
                ctx.cwd.to_path_buf(),
            ] {
                if dir.join(&rel).is_dir() {
                    base = dir.join(&rel);
                    break;
                }
            }
        }
        if let Some(path) = &loader.path {
            base = base.join(path);
        }
        return normalize(&base.join(p));
    }
    if raw.imported && FILE_SOURCE_SUFFIXES.contains(&suffix(source)) {
        return normalize(&raw.file.parent().unwrap_or(ctx.root).join(p));
    }
    normalize(&ctx.root.join(p))
}

fn infer_class(
    raw: &RawTask,
    source: &str,
    line: usize,
    product: Option<&Node>,
) -> UserResult<String> {
    let sfx = suffix(source);
    if NOTEBOOK_SUFFIXES.contains(&sfx) {
        return Ok("NotebookRunner".into());
    }
    if sfx == ".sql" {
        let product_suffix = product.and_then(|p| p.as_str()).map(suffix).unwrap_or("");
        if product_suffix == ".csv" || product_suffix == ".parquet" {
            return Ok("SQLDump".into());
        }
        if !product_suffix.is_empty() {
            if let Some(m) = did_you_mean(product_suffix, &[".csv", ".parquet"]) {
                return Err(err(raw, product.map(|p| p.line).unwrap_or(line), format!("'{product_suffix}' is not a valid product extension. Did you mean: '{m}'?"))
                    .with_hint(format!("SQL tasks whose product ends in .csv or .parquet dump a query; fix the extension to {m}")));
            }
        }
        return Ok("SQLScript".into());
    }
    if sfx == ".sh" {
        return Ok("ShellScript".into());
    }
    if source.contains('/') {
        return Err(err(
            raw,
            line,
            format!(
                "failed to determine task class for source '{source}' (invalid extension '{sfx}')"
            ),
        )
        .with_hint(
            "valid extensions are: .py, .R, .r, .Rmd, .ipynb, .sql, .sh; or give class: explicitly",
        ));
    }
    if source.contains('.') {
        return Ok("PythonCallable".into());
    }
    Err(err(raw, line, format!("failed to determine task source '{source}'"))
        .with_hint("use a file with a valid extension (.py, .R, .r, .Rmd, .ipynb, .sql, .sh); you can also define functions as [module_name].[function_name]"))
}

fn declared(raw: &RawTask, node: Option<&Node>) -> UserResult<Vec<String>> {
    let Some(node) = node else {
        return Ok(Vec::new());
    };
    Ok(match &node.value {
        Value::Null => Vec::new(),
        Value::Str(s) => vec![s.clone()],
        Value::Seq(items) => items.iter().map(|n| n.value.python_str()).collect(),
        Value::Map(entries) => entries.iter().map(|(k, _)| k.value.python_str()).collect(),
        other => {
            return Err(err(
                raw,
                node.line,
                format!(
                    "'upstream' must be a name, a list of names or a mapping, got {}",
                    other.python_repr()
                ),
            )
            .with_hint("write upstream: [task_a, task_b]"))
        }
    })
}

/// What a product's paths are rendered with: the grid point (its `[[ ]]` values and
/// index) and the task's params (Ploomber renders File products with them).
#[derive(Clone, Copy)]
pub struct ProductRender<'a> {
    pub grid: Option<(&'a GridPoint, &'a minijinja::Environment<'static>)>,
    pub params: &'a serde_json::Map<String, serde_json::Value>,
}

/// Builds a product from its declared value (§7.4).
pub fn build_product(
    raw: &RawTask,
    node: &Node,
    product_class: &str,
    class: &str,
    base: (&Path, &Path),
    nb_keys: &[String],
    render: ProductRender<'_>,
) -> UserResult<Product> {
    let product = product_value(raw, node, product_class, base, render)?;
    if class == "NotebookRunner" {
        if let Product::Map(entries) = &product {
            for key in nb_keys {
                if !entries.iter().any(|(k, _)| k == key) {
                    return Err(err(raw, node.line, format!("missing key '{key}' in product: '{key}' must contain the path to the output notebook"))
                        .with_hint(format!("add {key}: path/to/output.ipynb to the product mapping")));
                }
            }
        }
    }
    Ok(product)
}

fn product_value(
    raw: &RawTask,
    node: &Node,
    product_class: &str,
    base: (&Path, &Path),
    render: ProductRender<'_>,
) -> UserResult<Product> {
    let ProductRender { grid, params } = render;
    let is_sql = SQL_RELATION_CLASSES.contains(&product_class);
    match &node.value {
        Value::Map(entries)
            if !is_sql
                || entries
                    .iter()
                    .all(|(_, v)| matches!(v.value, Value::Seq(_))) =>
        {
            let mut out = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                out.push((
                    k.value.python_str(),
                    product_value(raw, v, product_class, base, render)?,
                ));
            }
            Ok(Product::Map(out))
        }
        Value::Seq(items) if is_sql => {
            let parts: Vec<String> = items.iter().map(|i| i.value.python_str()).collect();
            let (schema, name, kind) = match parts.as_slice() {
                [name, kind] => (None, name.clone(), kind.clone()),
                [schema, name, kind] => (
                    (!schema.is_empty()).then(|| schema.clone()),
                    name.clone(),
                    kind.clone(),
                ),
                _ => {
                    return Err(err(
                        raw,
                        node.line,
                        format!(
                        "a SQL product must be [name, kind] or [schema, name, kind], got {} items",
                        parts.len()
                    ),
                    )
                    .with_hint("e.g. product: [my_schema, my_table, table]"))
                }
            };
            if kind != "table" && kind != "view" {
                return Err(err(
                    raw,
                    node.line,
                    format!("the kind of a SQL product must be 'table' or 'view', got '{kind}'"),
                ));
            }
            let name = match grid {
                Some((point, _)) => format!("{name}-{}", point.index),
                None => name,
            };
            Ok(Product::Relation(SqlRelation { schema, name, kind }))
        }
        Value::Str(s) if is_sql => {
            // `schema.name` string identifiers are accepted by Ploomber's SQL placeholders.
            let (schema, name) = match s.split_once('.') {
                Some((a, b)) => (Some(a.to_string()), b.to_string()),
                None => (None, s.clone()),
            };
            Ok(Product::Relation(SqlRelation {
                schema,
                name,
                kind: "table".into(),
            }))
        }
        Value::Seq(_) => Err(err(
            raw,
            node.line,
            format!("a list is not a valid product for {product_class} products"),
        )
        .with_hint("use a path, or a mapping of names to paths for several products")),
        value => {
            let s = value.python_str();
            if product_class == "File" {
                let s = match grid {
                    Some((point, env)) => grid::render_brackets(
                        env,
                        &grid::indexed_path(&s, point.index),
                        point,
                        &raw.file,
                        node.line,
                    )?,
                    None => s,
                };
                let s = render_file_product(&s, params).map_err(|e| {
                    err(raw, node.line, format!("cannot render the product '{s}': {e}"))
                        .with_hint("Ploomber renders a File product as a Jinja template with the task's params when the task renders; escape literal braces or fix the expression")
                })?;
                let (dir, root) = base;
                let path = normalize(&dir.join(&s));
                Ok(Product::File {
                    relative: relative_to(&path, root),
                    path,
                })
            } else {
                Ok(Product::Other(s))
            }
        }
    }
}

/// A File product as Ploomber's task render leaves it: every product path is a Jinja
/// `Placeholder` rendered with the task's params when the task renders, whether or not
/// the spec-level rendering touched it (that one runs only when a value names an env
/// placeholder), so `out/a-{{ 2 + 2 }}.csv` is `out/a-4.csv`.
fn render_file_product(
    s: &str,
    params: &serde_json::Map<String, serde_json::Value>,
) -> Result<String, String> {
    if !super::placeholders::has_jinja(s) {
        return Ok(s.to_string());
    }
    let jinja = super::placeholders::python_like_environment();
    let context = minijinja::Value::from(minijinja::value::Serde(params));
    jinja
        .render_str(s, context)
        .map_err(|e| super::placeholders::jinja_reason(&e))
}
