//! `pipeline.yaml` as a document (§0 steps 1-10, §5, §6): reading, the list form,
//! top-level and `meta` validation with Ploomber's defaults, rendering every value with
//! the env, and `meta.import_tasks_from`. Produces the raw task entries.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::{pretty_list, UserError, UserResult, Warning};

use super::cast::cast_node;
use super::env::{self, Env, EnvRequest};
use super::placeholders::Renderer;
use super::yaml::{self, Node, Value};

const TOP_LEVEL_KEYS: &[&str] = &[
    "meta",
    "config",
    "clients",
    "tasks",
    "serializer",
    "unserializer",
    "executor",
    "on_finish",
    "on_render",
    "on_failure",
];
const META_KEYS: &[&str] = &[
    "extract_upstream",
    "extract_product",
    "product_default_class",
    "product_relative_to_source",
    "source_loader",
    "import_tasks_from",
    "jupyter_hot_reload",
    "jupyter_functions_as_notebooks",
];
/// Ploomber's task classes (`ploomber.tasks`).
pub const TASK_CLASSES: &[&str] = &[
    "PythonCallable",
    "ShellScript",
    "SQLScript",
    "SQLDump",
    "SQLTransfer",
    "SQLUpload",
    "PostgresCopyFrom",
    "NotebookRunner",
    "ScriptRunner",
    "DownloadFromURL",
    "Link",
    "Input",
    "UploadToS3",
    "TaskGroup",
];
/// Ploomber's product classes (`ploomber.products`).
pub const PRODUCT_CLASSES: &[&str] = &[
    "File",
    "MetaProduct",
    "Product",
    "SQLiteRelation",
    "PostgresRelation",
    "GenericProduct",
    "GenericSQLRelation",
    "SQLRelation",
    "EmptyProduct",
];

/// `meta.source_loader`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLoader {
    pub path: Option<String>,
    pub module: Option<String>,
}

/// The `meta` section with defaults filled in.
#[derive(Debug, Clone)]
pub struct Meta {
    pub extract_upstream: bool,
    pub extract_product: bool,
    pub product_default_class: BTreeMap<String, String>,
    pub product_relative_to_source: bool,
    pub source_loader: Option<SourceLoader>,
}

/// One task entry before it becomes a typed task.
#[derive(Debug, Clone)]
pub struct RawTask {
    /// The entry, as a mapping (bare strings become `{source: ...}`).
    pub node: Node,
    /// The file that declares it (the spec, or an `import_tasks_from` file).
    pub file: PathBuf,
    /// True for entries from `import_tasks_from` (their relative file sources are
    /// resolved against the imported file's folder).
    pub imported: bool,
}

/// A spec read, validated and rendered.
#[derive(Debug, Clone)]
pub struct Spec {
    pub path: PathBuf,
    pub meta: Meta,
    pub tasks: Vec<RawTask>,
    pub env: Env,
    /// Every placeholder name the spec (and imported files) used.
    pub used_placeholders: Vec<String>,
    pub warnings: Vec<Warning>,
}

/// A plain (unquoted) YAML value that starts with `{{` (`product: {{root}}/a.csv`,
/// `- {{x}}`), which YAML reads as a flow mapping: the one case where Ploomber's
/// placeholder hint is the cause of a syntax error. Quoted placeholders are fine.
fn has_unquoted_placeholder(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_start();
        let line = line.strip_prefix("- ").unwrap_or(line);
        let value = match line.split_once(": ") {
            Some((_, v)) => v,
            None => line,
        };
        let value = value.trim_start();
        let value = value.strip_prefix("- ").unwrap_or(value).trim_start();
        value.starts_with("{{")
    })
}

pub(crate) fn yaml_error(path: &Path, text: &str, e: yaml::YamlError) -> UserError {
    if !e.syntax {
        // it parsed: the document breaks a rule or a limit, which its message names
        return UserError::new(format!(
            "Failed to initialize spec. Got invalid YAML: {}",
            e.message
        ))
            .in_file(path)
            .at_line(e.line)
            .with_hint(
                "simplify this part of the YAML: soopervisor bounds nesting depth and alias expansion, and merges (<<) need mappings",
            );
    }
    if has_unquoted_placeholder(text) {
        UserError::new(format!(
            "Failed to initialize spec. It looks like you're using placeholders (i.e. {{{{placeholder}}}}). Make sure values are enclosed in parentheses (e.g. key: \"{{{{placeholder}}}}\"): {}",
            e.message
        ))
        .in_file(path)
        .at_line(e.line)
        .with_hint("quote every value that contains {{ }}, e.g. product: \"{{root}}/out.csv\"")
    } else {
        UserError::new(format!(
            "Failed to initialize spec. Got invalid YAML: {}",
            e.message
        ))
        .in_file(path)
        .at_line(e.line)
        .with_hint(
            "fix the YAML syntax at this line (indentation, a missing ':' or an unclosed bracket)",
        )
    }
}

fn invalid_keys(what: &str, bad: &[String], valid: &[&str]) -> String {
    format!(
        "Error validating {what}, the following keys aren't valid: {}. Valid keys are: {}",
        pretty_list(bad),
        pretty_list(valid)
    )
}

fn default_product_classes() -> BTreeMap<String, String> {
    [
        ("SQLDump", "File"),
        ("NotebookRunner", "File"),
        ("ScriptRunner", "File"),
        ("SQLScript", "SQLRelation"),
        ("PythonCallable", "File"),
        ("ShellScript", "File"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect()
}

/// Reads and renders a spec. `root` is the project root (None if it cannot be found).
pub fn load(path: &Path, cwd: &Path, root: Option<&Path>) -> UserResult<Spec> {
    let text = super::read_text(path)?;
    let mut doc = yaml::parse(&text).map_err(|e| yaml_error(path, &text, e))?;
    let mut warnings = Vec::new();

    if let Value::Seq(_) = doc.value {
        let line = doc.line;
        doc = Node::new(
            Value::Map(vec![(Node::new(Value::Str("tasks".into()), line), doc)]),
            line,
        );
    }
    let Some(entries) = doc.as_map() else {
        return Err(UserError::new(format!(
            "expected the spec to be a mapping with a 'tasks' key (or a list of tasks), got a {}",
            doc.type_name()
        ))
        .in_file(path)
        .at_line(doc.line)
        .with_hint("start the file with 'tasks:' followed by a list of tasks"));
    };

    let keys: Vec<String> = entries.iter().map(|(k, _)| k.value.python_str()).collect();
    if keys.iter().any(|k| k == "location") {
        let line = doc.get("location").map(|n| n.line).unwrap_or(1);
        if keys.len() > 1 {
            return Err(UserError::new(
                "if 'location' is present in the spec, it must be the only key",
            )
            .in_file(path)
            .at_line(line));
        }
        return Err(UserError::new(
            "this spec builds its DAG with a Python factory ('location:'), which cannot be analysed statically",
        )
        .in_file(path)
        .at_line(line)
        .with_hint("let soopervisor run the project's Ploomber (drop --no-python), or list the tasks in pipeline.yaml instead of pointing at a factory"));
    }
    let bad: Vec<String> = keys
        .iter()
        .filter(|k| !TOP_LEVEL_KEYS.contains(&k.as_str()))
        .cloned()
        .collect();
    if !bad.is_empty() {
        let line = entries
            .iter()
            .find(|(k, _)| k.value.python_str() == bad[0])
            .map(|(k, _)| k.line)
            .unwrap_or(1);
        return Err(
            UserError::new(invalid_keys("dag spec", &bad, TOP_LEVEL_KEYS))
                .in_file(path)
                .at_line(line)
                .with_hint("remove or rename the key; import_tasks_from belongs under meta")
                .suggest(&bad[0], TOP_LEVEL_KEYS),
        );
    }
    if let Some(executor) = doc.get("executor").filter(|e| !e.is_null()) {
        let ok = match &executor.value {
            Value::Str(s) => s == "serial" || s == "parallel" || s.contains('.'),
            Value::Map(_) => executor
                .get("dotted_path")
                .and_then(|d| d.as_str())
                .is_some(),
            _ => false,
        };
        if !ok {
            return Err(UserError::new(format!(
                "\"executor\" must be \"serial\", \"parallel\", or a dotted path, got: {}",
                executor.value.python_repr()
            ))
            .in_file(path)
            .at_line(executor.line)
            .with_hint("use executor: serial, executor: parallel, or {dotted_path: ploomber.executors.Parallel, processes: 2}"));
        }
    }
    let Some(tasks_node) = doc.get("tasks") else {
        return Err(UserError::new("Failed to initialize spec. Missing \"tasks\" key").in_file(path).at_line(1).with_hint(
            "add 'tasks:' with a list of tasks, e.g.\ntasks:\n  - source: scripts/load.py\n    product: output/load.ipynb",
        ));
    };
    if !matches!(tasks_node.value, Value::Seq(_) | Value::Null) {
        return Err(UserError::new(format!(
            "Expected 'tasks' in the dag spec to contain a list, but got a {}",
            tasks_node.type_name()
        ))
        .in_file(path)
        .at_line(tasks_node.line)
        .with_hint("write each task as a list item starting with '- '"));
    }

    // Env and rendering of every value.
    // `git`/`git_hash` cost a process each: compute them only when some file that is
    // rendered may mention them (the spec, an imported task list, the env file).
    let wants_git = text.contains("git") || text.contains("import_tasks_from");
    let env = env::build(&EnvRequest {
        spec_path: path,
        cwd,
        root,
        wants_git,
    })?;
    let renderer = Renderer::new(&env.values);
    renderer.render_node(&mut doc, path)?;
    cast_node(&mut doc);

    let meta = read_meta(doc.get("meta"), path)?;

    let mut tasks: Vec<RawTask> = Vec::new();
    let tasks_node = doc.take("tasks").unwrap_or(Node::new(Value::Null, 1));
    let import_from = doc
        .get("meta")
        .and_then(|m| m.get("import_tasks_from"))
        .filter(|n| !n.is_null())
        .cloned();

    let mut imported: Vec<RawTask> = Vec::new();
    if let Some(node) = import_from {
        let Some(rel) = node.as_str() else {
            return Err(
                UserError::new("meta.import_tasks_from must be a path to a YAML file")
                    .in_file(path)
                    .at_line(node.line),
            );
        };
        let spec_dir = path.parent().unwrap_or(Path::new("."));
        let file = spec_dir.join(rel);
        if !file.is_file() {
            return Err(UserError::new(format!(
                "meta.import_tasks_from points at '{rel}', which does not exist"
            ))
            .in_file(path)
            .at_line(node.line)
            .with_hint(format!(
                "create {} or fix the path (relative to the spec's folder)",
                file.display()
            )));
        }
        let itext = super::read_text(&file)?;
        let mut inode = yaml::parse(&itext).map_err(|e| yaml_error(&file, &itext, e))?;
        match &inode.value {
            Value::Seq(_) => {}
            Value::Null => {
                return Err(UserError::new(
                    "expected import_tasks_from file to return a list of tasks, got: None",
                )
                .in_file(&file)
                .with_hint("list tasks in the file, each starting with '- '"))
            }
            _ => {
                return Err(UserError::new(format!(
                    "expected list when loading YAML file from import_tasks_from, got a {}",
                    inode.type_name()
                ))
                .in_file(&file)
                .at_line(inode.line)
                .with_hint("the file must be a plain YAML list of tasks, without a 'tasks:' key"))
            }
        }
        renderer.render_node(&mut inode, &file)?;
        cast_node(&mut inode);
        if let Value::Seq(items) = inode.value {
            for item in items {
                imported.push(RawTask {
                    node: bare_to_mapping(item),
                    file: file.clone(),
                    imported: true,
                });
            }
        }
    }

    match tasks_node.value {
        Value::Null => {
            if imported.is_empty() {
                return Err(UserError::new(
                    "failed to initialize spec, \"tasks\" section is empty",
                )
                .in_file(path)
                .at_line(tasks_node.line)
                .with_hint("add at least one task under 'tasks:'"));
            }
        }
        Value::Seq(items) => {
            for item in items {
                tasks.push(RawTask {
                    node: bare_to_mapping(item),
                    file: path.to_path_buf(),
                    imported: false,
                });
            }
        }
        _ => unreachable!("checked above"),
    }
    tasks.extend(imported);

    let used: Vec<String> = renderer.used().into_iter().collect();
    let unused: Vec<&String> = env
        .file_keys
        .iter()
        .filter(|k| !used.contains(k) && !env.defaults.contains_key(*k) && !k.starts_with('_'))
        .collect();
    if !unused.is_empty() {
        warnings.push(
            Warning::new(format!(
                "the following placeholders are declared in the environment but unused in the spec: {}",
                pretty_list(unused)
            ))
            .in_file(env.file.as_deref().unwrap_or(path)),
        );
    }

    Ok(Spec {
        path: path.to_path_buf(),
        meta,
        tasks,
        env,
        used_placeholders: used,
        warnings,
    })
}

/// `- a.py` is `{source: a.py}`.
fn bare_to_mapping(node: Node) -> Node {
    match node.value {
        Value::Str(_) => {
            let line = node.line;
            Node::new(
                Value::Map(vec![(Node::new(Value::Str("source".into()), line), node)]),
                line,
            )
        }
        _ => node,
    }
}

fn bool_key(node: &Node, key: &str, path: &Path) -> UserResult<bool> {
    match &node.value {
        Value::Bool(b) => Ok(*b),
        _ => Err(UserError::new(format!(
            "meta.{key} must be true or false, got {}",
            node.value.python_repr()
        ))
        .in_file(path)
        .at_line(node.line)),
    }
}

fn read_meta(meta: Option<&Node>, path: &Path) -> UserResult<Meta> {
    let mut out = Meta {
        extract_upstream: true,
        extract_product: false,
        product_default_class: default_product_classes(),
        product_relative_to_source: false,
        source_loader: None,
    };
    let Some(meta) = meta.filter(|m| !m.is_null()) else {
        return Ok(out);
    };
    let Some(entries) = meta.as_map() else {
        return Err(UserError::new("'meta' must be a mapping")
            .in_file(path)
            .at_line(meta.line));
    };
    let bad: Vec<String> = entries
        .iter()
        .map(|(k, _)| k.value.python_str())
        .filter(|k| !META_KEYS.contains(&k.as_str()))
        .collect();
    if !bad.is_empty() {
        let line = entries
            .iter()
            .find(|(k, _)| k.value.python_str() == bad[0])
            .map(|(k, _)| k.line)
            .unwrap_or(meta.line);
        return Err(
            UserError::new(invalid_keys("dag spec (meta)", &bad, META_KEYS))
                .in_file(path)
                .at_line(line)
                .suggest(&bad[0], META_KEYS),
        );
    }
    for (k, v) in entries {
        match k.value.python_str().as_str() {
            "extract_upstream" => out.extract_upstream = bool_key(v, "extract_upstream", path)?,
            "extract_product" => out.extract_product = bool_key(v, "extract_product", path)?,
            "product_relative_to_source" => {
                out.product_relative_to_source = bool_key(v, "product_relative_to_source", path)?
            }
            "product_default_class" => {
                let Some(m) = v.as_map() else {
                    return Err(UserError::new("meta.product_default_class must be a mapping of task class to product class")
                        .in_file(path)
                        .at_line(v.line));
                };
                for (tk, pv) in m {
                    let task_class = tk.value.python_str();
                    let product_class = pv.value.python_str();
                    if !TASK_CLASSES.contains(&task_class.as_str()) {
                        return Err(UserError::new(format!(
                            "meta.product_default_class: '{task_class}' is not a task class"
                        ))
                        .in_file(path)
                        .at_line(tk.line)
                        .with_hint(format!("valid task classes: {}", TASK_CLASSES.join(", "))));
                    }
                    if !PRODUCT_CLASSES.contains(&product_class.as_str()) {
                        return Err(UserError::new(format!(
                            "meta.product_default_class: '{product_class}' is not a product class"
                        ))
                        .in_file(path)
                        .at_line(pv.line)
                        .with_hint(format!(
                            "valid product classes: {}",
                            PRODUCT_CLASSES.join(", ")
                        )));
                    }
                    out.product_default_class.insert(task_class, product_class);
                }
            }
            "source_loader" => {
                if v.is_null() {
                    continue;
                }
                let get = |key: &str| -> UserResult<Option<String>> {
                    match v.get(key) {
                        None => Ok(None),
                        Some(n) if n.is_null() => Ok(None),
                        Some(n) => n.as_str().map(|s| Some(s.to_string())).ok_or_else(|| {
                            UserError::new(format!("meta.source_loader.{key} must be a string"))
                                .in_file(path)
                                .at_line(n.line)
                        }),
                    }
                };
                if v.as_map().is_none() {
                    return Err(UserError::new(
                        "meta.source_loader must be a mapping with 'path' and/or 'module'",
                    )
                    .in_file(path)
                    .at_line(v.line));
                }
                out.source_loader = Some(SourceLoader {
                    path: get("path")?,
                    module: get("module")?,
                });
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_hint_only_for_unquoted_braces() {
        assert!(has_unquoted_placeholder(
            "tasks:\n  - product: {{root}}/a\n"
        ));
        assert!(has_unquoted_placeholder("x:\n  - {{root}}\n"));
        assert!(!has_unquoted_placeholder(
            "tasks:\n  - product: \"{{root}}/a\"\n"
        ));
        assert!(!has_unquoted_placeholder("a: '{{x}}'\n"));
    }

    fn error_for(text: &str) -> UserError {
        let e = yaml::parse(text).expect_err("the YAML must be refused");
        yaml_error(Path::new("pipeline.yaml"), text, e)
    }

    #[test]
    fn unquoted_placeholders_are_named_on_syntax_errors() {
        let e = error_for("tasks:\n  - source: a.py\n    product: {{root}}/x.csv\n");
        assert!(e.message.contains("using placeholders"), "{}", e.message);
    }

    #[test]
    fn limit_errors_do_not_blame_placeholders_or_syntax() {
        let deep = format!(
            "env: \"{{{{root}}}}\"\ntasks: {}x{}\n",
            "[".repeat(300),
            "]".repeat(300)
        );
        let e = error_for(&deep);
        assert!(e.message.contains("nested"), "{}", e.message);
        assert!(!e.message.contains("placeholders"), "{}", e.message);
        let hint = e.hint.unwrap_or_default();
        assert!(
            !hint.contains("syntax") && hint.contains("nesting depth"),
            "{hint}"
        );
    }
}
