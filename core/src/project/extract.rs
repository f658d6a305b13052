//! Pass 2 of loading (§0 step 13): each task's upstream names (and, with
//! `meta.extract_product`, its product) from static analysis of its source, or from the
//! declared `upstream` key. Every distinct source file or module is read and parsed
//! once, in parallel; errors are reported for the first failing task in declaration
//! order, so output is deterministic.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::analysis::notebook::{self, Language};
use crate::analysis::python_function::{self, ModuleAnalysis};
use crate::analysis::{jinja, python_cell, r_cell, AnalysisError, Literal};
use crate::diagnostics::{UserError, UserResult, Warning};
use crate::model::{Source, Task};

use super::spec::{Meta, RawTask};
use super::tasks::{build_product, ProductRender, TaskDecl};
use super::yaml::{Node, Value};

/// Where function modules are looked up, in order.
pub struct SearchPath {
    pub dirs: Vec<PathBuf>,
}

/// What one source file yields.
#[derive(Debug, Clone)]
struct FileResult {
    upstream: Result<Vec<String>, UserError>,
    product: Option<Result<Literal, UserError>>,
    warnings: Vec<Warning>,
}

fn located(e: AnalysisError, file: &Path, first_line: usize) -> UserError {
    let mut u = UserError::new(e.message).in_file(file);
    if let Some(l) = e.line {
        u = u.at_line(first_line + l - 1);
    } else if first_line > 0 {
        u = u.at_line(first_line);
    }
    if let Some(h) = e.hint {
        u = u.with_hint(h);
    }
    u
}

fn analyse_notebook(path: &Path, want_product: bool, kernelspec: Option<&str>) -> FileResult {
    let fail = |e: UserError| FileResult {
        upstream: Err(e.clone()),
        product: want_product.then_some(Err(e)),
        warnings: Vec::new(),
    };
    let text = match super::read_text(path) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let info = match notebook::read_notebook_with_kernelspec(&text, ext, kernelspec) {
        Ok(i) => i,
        Err(e) => {
            return fail(located(
                AnalysisError {
                    message: format!("failed to read notebook: {}", e.message),
                    ..e
                },
                path,
                1,
            ))
        }
    };
    let Some(cell) = info.params else {
        // Ploomber reads scripts with the byte order mark kept, so a BOM before the
        // first cell marker hides it from jupytext: say so, it is invisible in editors
        let bom = if text.starts_with('\u{feff}') {
            " (the file starts with a UTF-8 byte order mark, which hides its first cell marker from Ploomber: save it as UTF-8 without BOM)"
        } else {
            ""
        };
        let warning = Warning::new(format!(
            "has no cell tagged \"parameters\"{bom}: Ploomber would rewrite this file to add one (soopervisor never modifies your files), and the task gets no upstream dependencies; add a cell tagged parameters with upstream = None (or the real upstream list)",
        ))
        .in_file(path);
        let product = want_product.then(|| {
            Err(UserError::new("notebook does not have a cell with the tag \"parameters\", so its product cannot be extracted")
                .in_file(path)
                .with_hint("add a cell tagged parameters with product = 'path/to/output'"))
        });
        return FileResult {
            upstream: Ok(Vec::new()),
            product,
            warnings: vec![warning],
        };
    };
    let warnings = Vec::new();
    if cell.is_last_cell {
        // Ploomber accepts this at load time but every run fails at render.
        return fail(
            UserError::new(
                "the last cell in the script is the parameters cell. Add a new cell with your code",
            )
            .in_file(path)
            .at_line(cell.first_line)
            .with_hint("add a cell after the parameters cell (e.g. `# %%` followed by your code)"),
        );
    }
    let (upstream, product) = match &info.language {
        Language::Python => (
            python_cell::upstream(&cell.source).map_err(|e| {
                if e.message.contains("upstream") {
                    e
                } else {
                    AnalysisError {
                        message: format!(
                            "Could not parse a valid 'upstream' variable in the 'parameters' cell: {}",
                            e.message
                        ),
                        ..e
                    }
                }
            }),
            want_product.then(|| python_cell::product(&cell.source)),
        ),
        Language::R => (
            r_cell::upstream(&cell.source),
            want_product.then(|| r_cell::product(&cell.source)),
        ),
        Language::Other(lang) => {
            let e = AnalysisError::new(format!(
                "\"{lang}\" is unsupported, supported languages are ['python', 'r']"
            ));
            (Err(e.clone()), want_product.then_some(Err(e)))
        }
    };
    FileResult {
        upstream: upstream.map_err(|e| located(e, path, cell.first_line)),
        product: product.map(|p| p.map_err(|e| located(e, path, cell.first_line))),
        warnings,
    }
}

fn analyse_template(path: &Path, class: &str, want_product: bool) -> FileResult {
    let fail = |e: UserError| FileResult {
        upstream: Err(e.clone()),
        product: want_product.then_some(Err(e)),
        warnings: Vec::new(),
    };
    let text = match super::read_text(path) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    if class == "SQLScript" && !jinja::has_placeholders(&text) && !want_product {
        return fail(
            UserError::new("the {{product}} placeholder is required in SQLScript sources")
                .in_file(path)
                .with_hint("e.g. CREATE TABLE {{product}} AS (SELECT * FROM ...)"),
        );
    }
    if class == "ShellScript" && !jinja::references_variable(&text, "product") {
        return fail(
            UserError::new("ShellScript must include {{product}} in its source")
                .in_file(path)
                .with_hint("write the output path as {{product}} in the script"),
        );
    }
    FileResult {
        upstream: jinja::upstream(&text).map_err(|e| located(e, path, 1)),
        product: want_product.then(|| match jinja::product(&text) {
            Ok(Some((_, lit))) => Ok(lit),
            Ok(None) => Err(UserError::new(
                "no {% set product = ... %} found to extract the product from",
            )
            .in_file(path)
            .with_hint("add {% set product = SQLRelation(['schema', 'name', 'table']) %}")),
            Err(e) => Err(located(e, path, 1)),
        }),
        warnings: Vec::new(),
    }
}

fn uses_template_analysis(class: &str) -> bool {
    matches!(
        class,
        "SQLScript" | "SQLDump" | "SQLTransfer" | "ShellScript"
    )
}

fn uses_notebook_analysis(class: &str) -> bool {
    matches!(class, "NotebookRunner" | "ScriptRunner")
}

/// Turns a literal read from code into a YAML node (to reuse product building).
fn literal_node(lit: &Literal, line: usize) -> Node {
    let v = match lit {
        Literal::None => Value::Null,
        Literal::Str(s) => Value::Str(s.clone()),
        Literal::Int(i) => Value::Int(*i),
        Literal::Float(f) => Value::Float(*f),
        Literal::Bool(b) => Value::Bool(*b),
        Literal::List(items) => Value::Seq(items.iter().map(|i| literal_node(i, line)).collect()),
        Literal::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| {
                    (
                        Node::new(Value::Str(k.clone()), line),
                        literal_node(v, line),
                    )
                })
                .collect(),
        ),
    };
    Node::new(v, line)
}

/// Runs static analysis for every declaration and returns the tasks (upstream names
/// unexpanded: wildcards are resolved by the DAG).
pub fn analyse(
    decls: Vec<TaskDecl>,
    meta: &Meta,
    root: &Path,
    search: &SearchPath,
) -> UserResult<(Vec<Task>, Vec<Warning>)> {
    let want_product = meta.extract_product;
    let need_sources = meta.extract_upstream || want_product;

    // Distinct files to analyse.
    let mut files: Vec<(&Path, &str, Option<&str>)> = Vec::new();
    // Paths are keyed by their bytes (they are normalised, so equal bytes are the same
    // file): hashing `Path` walks its components, a tenth of a 100,000-task load.
    let mut seen: HashSet<&OsStr> =
        HashSet::with_capacity_and_hasher(decls.len(), Default::default());
    let mut dotted: Vec<&str> = Vec::new();
    let mut seen_dotted = HashSet::default();
    if need_sources {
        for d in &decls {
            match &d.source {
                Source::File { path, .. }
                    if (uses_notebook_analysis(&d.class) || uses_template_analysis(&d.class))
                        && seen.insert(path.as_os_str()) =>
                {
                    files.push((path, &d.class, d.kernelspec_name.as_deref()));
                }
                Source::DottedPath(p)
                    if meta.extract_upstream && seen_dotted.insert(p.as_str()) =>
                {
                    dotted.push(p);
                }
                _ => {}
            }
        }
    }

    let results: Vec<FileResult> = files
        .par_iter()
        .map(|(path, class, kernelspec)| {
            if uses_notebook_analysis(class) {
                analyse_notebook(path, want_product, *kernelspec)
            } else {
                analyse_template(path, class, want_product)
            }
        })
        .collect();
    let mut file_results: HashMap<OsString, FileResult> =
        HashMap::with_capacity_and_hasher(files.len(), Default::default());
    for ((path, ..), r) in files.iter().zip(results) {
        file_results.insert(path.as_os_str().to_owned(), r);
    }

    // Function tasks: locate each module once, parse each module once.
    let mut module_names: Vec<&str> = dotted
        .iter()
        .filter_map(|d| python_function::split_dotted(d).ok())
        .map(|(module, _)| module)
        .collect();
    module_names.sort_unstable();
    module_names.dedup();
    let located_modules: HashMap<&str, ModuleLookup> = module_names
        .par_iter()
        .map(|module| (*module, look_up_module(module, search)))
        .collect();
    let located_fns: HashMap<String, Result<(PathBuf, String), UserError>> = dotted
        .iter()
        .map(|d| (d.to_string(), locate_function(d, &located_modules, search)))
        .collect();
    let mut modules: Vec<PathBuf> = located_fns
        .values()
        .filter_map(|r| r.as_ref().ok())
        .map(|(p, _)| p.clone())
        .collect();
    modules.sort();
    modules.dedup();
    let parsed: HashMap<PathBuf, Result<ModuleAnalysis, UserError>> = modules
        .par_iter()
        .map(|path| {
            let r = super::read_text(path).and_then(|text| {
                ModuleAnalysis::parse(&text, path).map_err(|e| located(e, path, 1))
            });
            (path.clone(), r)
        })
        .collect();

    // Assemble the tasks in parallel; then, in declaration order, the first error
    // wins and each file's warnings are reported once.
    let assembled: Vec<UserResult<Assembled>> = decls
        .into_par_iter()
        .map(|d| assemble(d, meta, root, &file_results, &located_fns, &parsed))
        .collect();
    let mut warnings: Vec<Warning> = Vec::new();
    let mut warned = HashSet::default();
    // `collect` reuses the buffer of `assembled` (in-place iteration).
    let tasks: Vec<Task> = assembled
        .into_iter()
        .map(|result| {
            let (task, file) = result?;
            if let Some((path, file)) = file {
                if warned.insert(path) {
                    warnings.extend(file.warnings.iter().cloned());
                }
            }
            Ok(task)
        })
        .collect::<UserResult<_>>()?;
    Ok((tasks, warnings))
}

/// Where a function task's module was found, or why it was not.
enum ModuleLookup {
    /// Neither a folder nor a `.py` file of the top-level name is on the search path:
    /// the source is probably not a dotted path at all.
    NoTopLevel,
    Located(Result<PathBuf, AnalysisError>),
}

fn look_up_module(module: &str, search: &SearchPath) -> ModuleLookup {
    let top = module.split('.').next().unwrap_or(module);
    let top_exists = search
        .dirs
        .iter()
        .any(|dir| dir.join(top).is_dir() || dir.join(format!("{top}.py")).is_file());
    if !top_exists {
        return ModuleLookup::NoTopLevel;
    }
    ModuleLookup::Located(python_function::locate_module(module, &search.dirs))
}

/// The module file and function name of the dotted path `d`, from the lookups of
/// every module.
fn locate_function(
    d: &str,
    modules: &HashMap<&str, ModuleLookup>,
    search: &SearchPath,
) -> Result<(PathBuf, String), UserError> {
    let search_dirs = || {
        search
            .dirs
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let as_user_error = |e: &AnalysisError| {
        let mut u = UserError::new(e.message.clone());
        u.hint = e.hint.clone().or_else(|| {
            Some(format!(
                "dotted paths are looked up from {}; check the module path and that each package folder has an __init__.py",
                search_dirs()
            ))
        });
        u
    };
    let (lookup, function) = match python_function::split_dotted(d) {
        Ok((module, function)) => (&modules[module], function),
        // Not a well-formed dotted path: a missing top-level name is still the more
        // useful thing to say (the source may be a misspelt file name).
        Err(e) => match look_up_module(d, search) {
            ModuleLookup::NoTopLevel => (&ModuleLookup::NoTopLevel, ""),
            ModuleLookup::Located(_) => return Err(as_user_error(&e)),
        },
    };
    match lookup {
        ModuleLookup::NoTopLevel => {
            let top = d.split('.').next().unwrap_or(d);
            let looks_like_file = d.contains('.')
                && d.rsplit('.').next().is_some_and(|ext| {
                    ext.len() <= 5
                        && ext.chars().all(|c| c.is_ascii_alphanumeric())
                        && !ext.chars().any(|c| c.is_ascii_uppercase())
                        && [
                            "txt", "csv", "json", "yml", "md", "html", "parquet", "xlsx", "ipynb",
                        ]
                        .contains(&ext)
                });
            let mut e = UserError::new(format!(
                "Failed to determine task class for source '{d}': Module '{top}' does not exist."
            ));
            e.hint = Some(if looks_like_file {
                "If you meant to import a function, please rename it; a file source needs one of the extensions .py, .R, .r, .Rmd, .ipynb, .sql, .sh".to_string()
            } else {
                format!(
                    "function tasks are dotted paths module.function; '{top}' was looked up as a folder or {top}.py in {}",
                    search_dirs()
                )
            });
            Err(e)
        }
        ModuleLookup::Located(Ok(path)) => Ok((path.clone(), function.to_string())),
        ModuleLookup::Located(Err(e)) => Err(as_user_error(e)),
    }
}

/// A task, and the analysed file it used with that file's path.
type Assembled<'r> = (Task, Option<(&'r OsString, &'r FileResult)>);

/// One task from its declaration and the analysis of its source; also the file
/// result it used (for its warnings).
fn assemble<'r>(
    d: TaskDecl,
    meta: &Meta,
    root: &Path,
    file_results: &'r HashMap<OsString, FileResult>,
    located_fns: &HashMap<String, Result<(PathBuf, String), UserError>>,
    parsed: &HashMap<PathBuf, Result<ModuleAnalysis, UserError>>,
) -> UserResult<Assembled<'r>> {
    let want_product = meta.extract_product;
    let ctx = |e: UserError| {
        e.context(format!("failed to initialize task '{}'", d.name))
            .or_file(&d.file)
            .or_line(d.line)
    };
    let mut product = d.product;
    let analysed = match &d.source {
        Source::File { path, .. } => file_results.get_key_value(path.as_os_str()),
        Source::DottedPath(_) => None,
    };
    let mut used_file = None;
    let upstream: Vec<String> = if let Some(declared) = d.declared_upstream {
        declared
    } else {
        match (&d.source, analysed) {
            (_, Some((path, r))) => {
                used_file = Some((path, r));
                if want_product {
                    let lit = r.product.clone().unwrap_or_else(|| {
                        Err(UserError::new(
                            "product extraction is not available for this task class",
                        ))
                    });
                    let lit = lit.map_err(ctx)?;
                    let path = Path::new(path.as_os_str());
                    let raw = RawTask {
                        node: Node::new(Value::Null, 1),
                        file: path.to_path_buf(),
                        imported: false,
                    };
                    let base = if meta.product_relative_to_source {
                        path.parent().unwrap_or(root).to_path_buf()
                    } else {
                        root.to_path_buf()
                    };
                    product = Some(
                        build_product(
                            &raw,
                            &literal_node(&lit, 1),
                            &d.product_class,
                            &d.class,
                            (&base, root),
                            &d.nb_product_keys,
                            ProductRender {
                                grid: None,
                                params: &d.params,
                            },
                        )
                        .map_err(ctx)?,
                    );
                }
                if meta.extract_upstream {
                    r.upstream.clone().map_err(ctx)?
                } else {
                    Vec::new()
                }
            }
            (Source::DottedPath(p), None) if meta.extract_upstream => {
                if want_product {
                    return Err(ctx(UserError::new(
                        "extract product is not implemented for python callables",
                    )
                    .with_hint(
                        "set meta.extract_product: false and declare the product of function tasks",
                    )));
                }
                let (module, func) = located_fns[p].clone().map_err(ctx)?;
                let analysis = parsed[&module].as_ref().map_err(|e| ctx(e.clone()))?;
                analysis
                    .function(&func)
                    .map_err(|e| ctx(located(e, &module, 1)))?
                    .upstream
            }
            _ => {
                if want_product && product.is_none() {
                    return Err(ctx(UserError::new(format!(
                        "extract product is not implemented for {} tasks",
                        d.class
                    ))));
                }
                Vec::new()
            }
        }
    };
    let Some(product) = product else {
        return Err(ctx(UserError::new("the task has no product")));
    };
    let mut upstream = upstream;
    upstream.sort();
    upstream.dedup();
    Ok((
        Task {
            name: d.name,
            class: d.class,
            product_class: d.product_class,
            source: d.source,
            product,
            params: d.params,
            upstream,
            declared_in: d.file,
            declared_line: d.line,
        },
        used_file,
    ))
}
