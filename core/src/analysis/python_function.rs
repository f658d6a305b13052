//! Dotted-path Python functions (spec §8.8): finds the module file of `pkg.mod.fn` on
//! disk without importing anything, and reads each function's upstream dependencies
//! from its AST (`upstream['name']` subscripts anywhere in the body).
//!
//! A module is parsed once ([`ModuleAnalysis::parse`]); every top-level function that
//! is the final binding of its name is analysed at parse time, so querying thousands
//! of functions of one module is a hash lookup each.
use super::{python_syntax_error, AnalysisError, AnalysisResult, LineIndex};
use rustpython_ast::Visitor;
use rustpython_parser::ast::{self, Constant, Expr, Ranged, Stmt};
use rustpython_parser::Parse;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Finds the module file of `dotted` (`pkg.sub.fn` → `pkg/sub.py` or
/// `pkg/sub/__init__.py`) by walking `search_dirs` in order. Returns the module file
/// and the function name.
///
/// The top-level package is searched like Python's path finder: in each directory a
/// regular package (`a/__init__.py`) or a module (`a.py`); a folder without
/// `__init__.py` is a namespace package, which Ploomber rejects.
pub fn locate(dotted: &str, search_dirs: &[PathBuf]) -> AnalysisResult<(PathBuf, String)> {
    let (module, function) = split_dotted(dotted)?;
    Ok((locate_module(module, search_dirs)?, function.to_string()))
}

/// Splits `pkg.mod.fn` into the module (`pkg.mod`) and the function (`fn`); every
/// part must be non-empty.
pub fn split_dotted(dotted: &str) -> AnalysisResult<(&str, &str)> {
    match dotted.rsplit_once('.') {
        Some((module, function))
            if !function.is_empty() && module.split('.').all(|p| !p.is_empty()) =>
        {
            Ok((module, function))
        }
        _ => Err(AnalysisError::new(format!(
            "Invalid dotted path '{dotted}': expected 'module.function' (e.g. 'tasks.clean.fn')"
        ))),
    }
}

/// Finds the file of the module `pkg.sub` (see [`locate`]); the functions of one
/// module share one lookup.
pub fn locate_module(module: &str, search_dirs: &[PathBuf]) -> AnalysisResult<PathBuf> {
    let modules: Vec<&str> = module.split('.').collect();
    let top = modules[0];

    // 1. the top-level package or module
    let mut tried = Vec::new();
    let mut namespace_dirs = Vec::new();
    let mut found: Option<(PathBuf, bool)> = None; // (path, is_package)
    for dir in search_dirs {
        let pkg = dir.join(top);
        let init = pkg.join("__init__.py");
        let module = dir.join(format!("{top}.py"));
        tried.push(init.clone());
        tried.push(module.clone());
        if init.is_file() {
            found = Some((pkg, true));
            break;
        }
        if module.is_file() {
            found = Some((module, false));
            break;
        }
        if pkg.is_dir() {
            namespace_dirs.push(pkg);
        }
    }
    let (top_path, is_package) = match found {
        Some(found) => found,
        None if !namespace_dirs.is_empty() => {
            return Err(AnalysisError::new(format!(
                "'{top}' is a namespace package (the folder {} has no __init__.py); Ploomber \
                 does not support namespace packages in dotted paths",
                namespace_dirs[0].display()
            ))
            .with_hint(format!(
                "add an empty {}",
                namespace_dirs[0].join("__init__.py").display()
            )))
        }
        None => return Err(no_module(top, &tried)),
    };
    if modules.len() == 1 {
        let file = if is_package {
            top_path.join("__init__.py")
        } else {
            top_path
        };
        return Ok(file);
    }
    if !is_package {
        return Err(AnalysisError::new(format!(
            "No module named '{}'; '{top}' ({}) is not a package",
            modules[..2].join("."),
            top_path.display()
        )));
    }

    // 2. sub-packages, then the module itself
    let mut dir = top_path;
    let (last, middle) = modules[1..].split_last().expect("at least one sub-module");
    for part in middle {
        dir = dir.join(part);
    }
    let init = dir.join(last).join("__init__.py");
    let module = dir.join(format!("{last}.py"));
    if init.is_file() {
        return Ok(init);
    }
    if module.is_file() {
        return Ok(module);
    }
    Err(no_module(&modules.join("."), &[module, init]))
}

fn no_module(name: &str, tried: &[PathBuf]) -> AnalysisError {
    let tried: Vec<String> = tried.iter().map(|p| p.display().to_string()).collect();
    AnalysisError::new(format!(
        "No module named '{name}'. Expected to find one of {}",
        tried.join(", ")
    ))
}

/// One parsed module; parse once, query many functions.
#[derive(Debug, Default)]
pub struct ModuleAnalysis {
    path: PathBuf,
    /// Final top-level binding of each name.
    names: HashMap<String, Binding>,
}

#[derive(Debug, Clone)]
enum Binding {
    Function(FunctionInfo),
    /// A function was defined, then the name was rebound by something else.
    Rebound {
        def_line: usize,
        what: &'static str,
        line: usize,
    },
    /// Bound by an import only (possibly rebound, but never by a `def`).
    Import {
        line: usize,
    },
    /// Bound by something else and never by a `def`.
    Other,
}

/// What a function task needs: its upstream names and where it is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionInfo {
    /// Sorted, unique names from `upstream['x']` subscripts anywhere in the body.
    pub upstream: Vec<String>,
    /// 1-based line of the `def` (or its first decorator).
    pub line: usize,
}

enum Kind {
    Def,
    Import,
    Other(&'static str),
}

impl ModuleAnalysis {
    pub fn parse(text: &str, path: &Path) -> AnalysisResult<ModuleAnalysis> {
        let index = LineIndex::new(text);
        super::check_python_depth(text)?;
        let suite = ast::Suite::parse(text, &path.display().to_string())
            .map_err(|e| python_syntax_error(&e, &index))?;

        // Pass 1: the final binding of each top-level name, in statement order.
        // (name → (kind of last binding, line, index of the last def, line of last def))
        struct State {
            last: Kind,
            line: usize,
            last_def: Option<usize>,
            imported: Option<usize>,
        }
        let mut state: HashMap<String, State> = HashMap::new();
        let mut bind = |name: &str, kind: Kind, line: usize, stmt_idx: usize| {
            let entry = state.entry(name.to_string()).or_insert(State {
                last: Kind::Other(""),
                line,
                last_def: None,
                imported: None,
            });
            match kind {
                Kind::Def => entry.last_def = Some(stmt_idx),
                Kind::Import => {
                    entry.imported.get_or_insert(line);
                }
                Kind::Other(_) => {}
            }
            entry.last = kind;
            entry.line = line;
        };
        for (i, stmt) in suite.iter().enumerate() {
            let line = index.line(stmt.range().start().into());
            match stmt {
                Stmt::FunctionDef(f) => bind(f.name.as_str(), Kind::Def, line, i),
                Stmt::AsyncFunctionDef(f) => bind(f.name.as_str(), Kind::Def, line, i),
                Stmt::ClassDef(c) => bind(c.name.as_str(), Kind::Other("a class"), line, i),
                Stmt::Import(imp) => {
                    for alias in &imp.names {
                        let name = match &alias.asname {
                            Some(asname) => asname.as_str(),
                            None => alias.name.as_str().split('.').next().unwrap_or_default(),
                        };
                        bind(name, Kind::Import, line, i);
                    }
                }
                Stmt::ImportFrom(imp) => {
                    for alias in &imp.names {
                        let name = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                        if name != "*" {
                            bind(name, Kind::Import, line, i);
                        }
                    }
                }
                Stmt::Assign(a) => {
                    for target in &a.targets {
                        target_names(target, &mut |n| {
                            bind(n, Kind::Other("an assignment"), line, i)
                        });
                    }
                }
                Stmt::AugAssign(a) => target_names(&a.target, &mut |n| {
                    bind(n, Kind::Other("an assignment"), line, i)
                }),
                Stmt::AnnAssign(a) if a.value.is_some() => target_names(&a.target, &mut |n| {
                    bind(n, Kind::Other("an assignment"), line, i)
                }),
                Stmt::For(f) => target_names(&f.target, &mut |n| {
                    bind(n, Kind::Other("a for loop"), line, i)
                }),
                Stmt::AsyncFor(f) => target_names(&f.target, &mut |n| {
                    bind(n, Kind::Other("a for loop"), line, i)
                }),
                Stmt::With(w) => {
                    for item in &w.items {
                        if let Some(vars) = &item.optional_vars {
                            target_names(vars, &mut |n| {
                                bind(n, Kind::Other("a with statement"), line, i)
                            });
                        }
                    }
                }
                _ => {}
            }
        }

        // Pass 2: analyse the functions that are the final binding of their name.
        let mut wanted: HashMap<usize, String> = HashMap::new();
        let mut names = HashMap::with_capacity(state.len());
        for (name, s) in state {
            let binding = match (s.last_def, &s.last) {
                (Some(idx), Kind::Def) => {
                    wanted.insert(idx, name.clone());
                    continue;
                }
                (Some(idx), Kind::Import) | (Some(idx), Kind::Other(_)) => {
                    let what = match s.last {
                        Kind::Import => "an import",
                        Kind::Other(what) => what,
                        Kind::Def => unreachable!(),
                    };
                    let def_line = index.line(suite[idx].range().start().into());
                    Binding::Rebound {
                        def_line,
                        what,
                        line: s.line,
                    }
                }
                (None, _) => match s.imported {
                    Some(line) => Binding::Import { line },
                    None => Binding::Other,
                },
            };
            names.insert(name, binding);
        }
        for (i, stmt) in suite.into_iter().enumerate() {
            let Some(name) = wanted.remove(&i) else {
                continue;
            };
            let (line, decorators) = match &stmt {
                Stmt::FunctionDef(f) => (f.range.start(), &f.decorator_list),
                Stmt::AsyncFunctionDef(f) => (f.range.start(), &f.decorator_list),
                _ => unreachable!("only defs are wanted"),
            };
            let line = decorators
                .iter()
                .map(|d| index.line(d.range().start().into()))
                .chain(std::iter::once(index.line(line.into())))
                .min()
                .unwrap_or(1);
            let mut finder = UpstreamFinder::default();
            finder.visit_stmt(stmt);
            let mut upstream = finder.names;
            upstream.sort();
            upstream.dedup();
            names.insert(name, Binding::Function(FunctionInfo { upstream, line }));
        }
        Ok(ModuleAnalysis {
            path: path.to_path_buf(),
            names,
        })
    }

    pub fn function(&self, name: &str) -> AnalysisResult<FunctionInfo> {
        let file = self.path.display();
        match self.names.get(name) {
            Some(Binding::Function(info)) => Ok(info.clone()),
            Some(Binding::Rebound {
                def_line,
                what,
                line,
            }) => Err(AnalysisError::new(format!(
                "'{name}' in '{file}' is not a function: it is defined at line {def_line} but \
                 rebound by {what} at line {line} (Ploomber fails with TypeError)"
            ))
            .at_line(*line)),
            Some(Binding::Import { line }) => Err(AnalysisError::new(format!(
                "Failed to get the source of '{name}' in '{file}': definitions from import \
                 statements are not supported"
            ))
            .at_line(*line)
            .with_hint(format!(
                "use the dotted path of the module that defines '{name}'"
            ))),
            Some(Binding::Other) | None => Err(AnalysisError::new(format!(
                "Expected '{file}' to define a function named '{name}'"
            ))),
        }
    }
}

/// Names bound by an assignment target (`a`, `a, b`, `[a, *b]`).
fn target_names(target: &Expr, f: &mut dyn FnMut(&str)) {
    match target {
        Expr::Name(n) => f(n.id.as_str()),
        Expr::Tuple(t) => t.elts.iter().for_each(|e| target_names(e, f)),
        Expr::List(l) => l.elts.iter().for_each(|e| target_names(e, f)),
        Expr::Starred(s) => target_names(&s.value, f),
        _ => {}
    }
}

/// Collects `upstream['name']` subscripts on the bare name `upstream`, in every node.
#[derive(Default)]
struct UpstreamFinder {
    names: Vec<String>,
}

impl Visitor for UpstreamFinder {
    fn visit_expr_subscript(&mut self, node: ast::ExprSubscript) {
        if let (Expr::Name(n), Expr::Constant(c)) = (&*node.value, &*node.slice) {
            if n.id.as_str() == "upstream" {
                if let Constant::Str(s) = &c.value {
                    self.names.push(s.clone());
                }
            }
        }
        self.generic_visit_expr_subscript(node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn module(src: &str) -> ModuleAnalysis {
        ModuleAnalysis::parse(src, Path::new("tasks.py")).unwrap()
    }

    #[test]
    fn subscripts_anywhere_in_the_function() {
        let m = module(
            "def fn(product, upstream):\n    a = upstream['b']\n    x = [upstream[\"a\"] for _ in range(2)]\n    def inner():\n        return upstream['c']\n    g = lambda: upstream['d']\n    return upstream['a']\n",
        );
        assert_eq!(m.function("fn").unwrap().upstream, ["a", "b", "c", "d"]);
    }

    #[test]
    fn other_accesses_are_not_detected() {
        let m = module(
            "def fn(upstream, up):\n    upstream.get('a'); upstream.b; k = 'c'; upstream[k]\n    up['d']; obj.upstream['e']\n    # upstream['f']\n    s = \"upstream['g']\"\n",
        );
        assert!(m.function("fn").unwrap().upstream.is_empty());
    }

    #[test]
    fn last_definition_wins_and_line_includes_decorators() {
        let m = module(
            "def fn(upstream):\n    upstream['old']\n\nimport functools\n\n@functools.cache\n@other\nasync def fn(upstream):\n    upstream['new']\n",
        );
        let info = m.function("fn").unwrap();
        assert_eq!(info.upstream, ["new"]);
        assert_eq!(info.line, 6);
    }

    #[test]
    fn nested_definitions_are_not_top_level() {
        let m = module(
            "if True:\n    def fn():\n        pass\nclass A:\n    def fn(self):\n        pass\n",
        );
        let e = m.function("fn").unwrap_err();
        assert_eq!(
            e.message,
            "Expected 'tasks.py' to define a function named 'fn'"
        );
    }

    #[test]
    fn imported_names_are_not_supported() {
        let m = module("from lib import fn\nimport os.path as g\n");
        for name in ["fn", "g"] {
            let e = m.function(name).unwrap_err();
            assert!(
                e.message
                    .contains("definitions from import statements are not supported"),
                "{e}"
            );
        }
    }

    #[test]
    fn missing_function() {
        let e = module("x = 1\n").function("fn").unwrap_err();
        assert_eq!(
            e.message,
            "Expected 'tasks.py' to define a function named 'fn'"
        );
        let e = module("fn = 1\n").function("fn").unwrap_err();
        assert_eq!(
            e.message,
            "Expected 'tasks.py' to define a function named 'fn'"
        );
    }

    #[test]
    fn rebinding_after_the_def_is_an_error() {
        let e = module("def fn():\n    pass\nfn = 1\n")
            .function("fn")
            .unwrap_err();
        assert!(e.message.contains("is not a function"), "{e}");
        assert_eq!(e.line, Some(3));
        // a def after the other binding is fine
        assert_eq!(
            module("fn = 1\ndef fn():\n    pass\n")
                .function("fn")
                .unwrap()
                .line,
            2
        );
    }

    #[test]
    fn syntax_error_has_line() {
        let e = ModuleAnalysis::parse("x = 1\ndef fn(:\n", Path::new("m.py")).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.starts_with("invalid Python syntax"));
    }

    #[test]
    fn many_functions_are_fast() {
        let mut src = String::new();
        for i in 0..3000 {
            src.push_str(&format!(
                "def f{i}(upstream):\n    return upstream['t{i}']\n\n"
            ));
        }
        let start = std::time::Instant::now();
        let m = ModuleAnalysis::parse(&src, Path::new("big.py")).unwrap();
        for i in 0..3000 {
            assert_eq!(
                m.function(&format!("f{i}")).unwrap().upstream,
                [format!("t{i}")]
            );
        }
        assert!(start.elapsed().as_secs() < 5);
    }

    fn touch(path: &Path) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, "").unwrap();
    }

    #[test]
    fn locate_packages_and_modules() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        touch(&root.join("pkg/__init__.py"));
        touch(&root.join("pkg/sub/mod.py"));
        touch(&root.join("pkg/sub/deep/__init__.py"));
        touch(&root.join("single.py"));
        let dirs = vec![root.to_path_buf()];
        assert_eq!(
            locate("pkg.sub.mod.fn", &dirs).unwrap(),
            (root.join("pkg/sub/mod.py"), "fn".to_string())
        );
        assert_eq!(
            locate("pkg.sub.deep.fn", &dirs).unwrap().0,
            root.join("pkg/sub/deep/__init__.py")
        );
        assert_eq!(
            locate("pkg.fn", &dirs).unwrap().0,
            root.join("pkg/__init__.py")
        );
        assert_eq!(
            locate("single.fn", &dirs).unwrap().0,
            root.join("single.py")
        );
    }

    #[test]
    fn locate_search_order() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        touch(&b.path().join("m.py"));
        touch(&a.path().join("m.py"));
        let dirs = vec![a.path().to_path_buf(), b.path().to_path_buf()];
        assert_eq!(locate("m.fn", &dirs).unwrap().0, a.path().join("m.py"));
        // a namespace folder in the first dir does not hide a module in the second
        let c = tempfile::tempdir().unwrap();
        fs::create_dir(c.path().join("m")).unwrap();
        let dirs = vec![c.path().to_path_buf(), b.path().to_path_buf()];
        assert_eq!(locate("m.fn", &dirs).unwrap().0, b.path().join("m.py"));
    }

    #[test]
    fn locate_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        touch(&root.join("pkg/__init__.py"));
        touch(&root.join("ns/mod.py"));
        touch(&root.join("single.py"));
        let dirs = vec![root.to_path_buf()];
        let e = locate("pkg.missing.fn", &dirs).unwrap_err();
        assert!(
            e.message
                .starts_with("No module named 'pkg.missing'. Expected to find one of "),
            "{e}"
        );
        assert!(e.message.contains("missing.py") && e.message.contains("__init__.py"));
        let e = locate("nope.fn", &dirs).unwrap_err();
        assert!(e.message.starts_with("No module named 'nope'"), "{e}");
        let e = locate("ns.mod.fn", &dirs).unwrap_err();
        assert!(e.message.contains("namespace package"), "{e}");
        assert!(locate("single.sub.fn", &dirs)
            .unwrap_err()
            .message
            .contains("is not a package"));
        assert!(locate("fn", &dirs)
            .unwrap_err()
            .message
            .starts_with("Invalid dotted path"));
    }
}
