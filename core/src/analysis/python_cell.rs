//! Python parameters cell: reads `upstream` and `product` from the cell tagged
//! `parameters` of a Python script or notebook, reproducing Ploomber's
//! `static_analysis/python.py` (spec §8.4) without running user code.
//!
//! Ploomber walks the parso tree and `eval`s the right-hand side in an empty
//! namespace. Here the cell is parsed once with rustpython and the value is evaluated
//! by `eval_expr`, a small interpreter for the literal subset Ploomber users write
//! (literals, containers, `+`, `list(...)`/`tuple(...)`/`set(...)`/`sorted(...)`/
//! `dict(...)`, f-strings without placeholders). Any other name fails exactly like
//! Python's `eval` would ("name 'deps' is not defined").
//!
//! Rules reproduced:
//! * only top-level statements count, and only the first statement of each line
//!   (`a = 1; upstream = [...]` does not define `upstream`);
//! * the statement must bind exactly one plain name (`upstream = product = None` and
//!   `upstream, x = ...` do not count); `upstream += [...]` counts as an assignment;
//! * `upstream: list = [...]` is rejected (Ploomber crashes on it);
//! * the last qualifying statement wins.
//!
//! IPython magics (`%matplotlib inline`, `!pip ...`) are blanked before parsing so a
//! notebook cell holding them still parses (parso tolerates them too).
use super::{
    python_syntax_error, upstream_names, AnalysisError, AnalysisResult, LineIndex, Literal,
};
use rustpython_parser::ast::{self, Constant, Expr, Ranged, Stmt};
use rustpython_parser::Parse;

/// Upstream names declared in a Python parameters cell (sorted, unique). `upstream = None`
/// or an empty collection gives an empty list; a missing `upstream` is an error.
pub fn upstream(cell: &str) -> AnalysisResult<Vec<String>> {
    let value = extract_variable(cell, "upstream")?;
    let Some((value, line)) = value else {
        return Err(AnalysisError::new(format!(
            "Could not parse a valid 'upstream' variable in the 'parameters' cell with code: \
             '{}'. If the notebook does not have dependencies add upstream = None",
            cell.trim()
        ))
        .with_hint("declare the dependencies in the parameters cell, e.g. upstream = ['load'], or upstream = None"));
    };
    match upstream_names(value, line)? {
        Ok(names) => Ok(names),
        Err(type_name) => Err(AnalysisError::new(format!(
            "Found an upstream variable but it is not a valid type (dictionary, list, \
             tuple set or None, got '{type_name}')"
        ))
        .at_line(line)
        .with_hint("write upstream = ['name'] (a list), not a plain string")),
    }
}

/// The `product` value of a Python parameters cell (a string or a dict of strings).
/// The value is returned as evaluated; the caller validates it like a `product:` key.
pub fn product(cell: &str) -> AnalysisResult<Literal> {
    match extract_variable(cell, "product")? {
        Some((Literal::None, _)) | None => Err(AnalysisError::new(format!(
            "Couldn't extract 'product' from code: '{}'",
            cell.trim()
        ))
        .with_hint("declare the product in the parameters cell, e.g. product = 'output/data.csv'")),
        Some((value, _)) => Ok(value),
    }
}

/// Python's type name of a literal, for error messages.
pub(crate) fn type_name(value: &Literal) -> &'static str {
    match value {
        Literal::None => "NoneType",
        Literal::Str(_) => "str",
        Literal::Int(_) => "int",
        Literal::Float(_) => "float",
        Literal::Bool(_) => "bool",
        Literal::List(_) => "list",
        Literal::Map(_) => "dict",
    }
}

/// Replaces IPython magic/shell lines (`%...`, `!...`) by empty lines, keeping line
/// numbers. Returns `None` when there is nothing to blank (the common case).
pub(crate) fn blank_magics(code: &str) -> Option<String> {
    let is_magic = |line: &str| {
        let t = line.trim_start();
        t.starts_with('%') || t.starts_with('!')
    };
    if !code.lines().any(is_magic) {
        return None;
    }
    let mut out = String::with_capacity(code.len());
    for line in code.split_inclusive('\n') {
        if is_magic(line) {
            if line.ends_with('\n') {
                out.push('\n');
            }
        } else {
            out.push_str(line);
        }
    }
    Some(out)
}

/// Finds the last top-level, first-on-its-line, single-target assignment to `name`
/// and evaluates its value. Returns the value and the 1-based line of the statement.
fn extract_variable(cell: &str, name: &str) -> AnalysisResult<Option<(Literal, usize)>> {
    if let Some(found) = super::literal_cell::extract(cell, name) {
        return Ok(found);
    }
    extract_variable_parsed(cell, name)
}

/// [`extract_variable`] with the Python parser, for any cell.
fn extract_variable_parsed(cell: &str, name: &str) -> AnalysisResult<Option<(Literal, usize)>> {
    let blanked = blank_magics(cell);
    let code = blanked.as_deref().unwrap_or(cell);
    let index = LineIndex::new(code);
    super::check_python_depth(code)?;
    let suite = ast::Suite::parse(code, "<cell>").map_err(|e| python_syntax_error(&e, &index))?;
    let mut found: Option<&Expr> = None;
    let mut prev_end: Option<usize> = None;
    for stmt in &suite {
        let range = stmt.range();
        let start: usize = range.start().into();
        let first_on_line = match prev_end {
            None => true,
            Some(end) => !separated_by_semicolon(&code[end..start]),
        };
        prev_end = Some(range.end().into());
        if !first_on_line {
            continue;
        }
        match stmt {
            Stmt::Assign(a) if a.targets.len() == 1 && is_name(&a.targets[0], name) => {
                found = Some(&a.value);
            }
            Stmt::AugAssign(a) if is_name(&a.target, name) => found = Some(&a.value),
            Stmt::AnnAssign(a) if is_name(&a.target, name) => {
                return Err(AnalysisError::new(format!(
                    "annotated assignment is not supported, write `{name} = [...]`"
                ))
                .at_line(index.line(start))
                .with_hint(format!(
                    "remove the type annotation: Ploomber fails on `{name}: ... = ...`"
                )));
            }
            _ => {}
        }
    }
    match found {
        None => Ok(None),
        Some(expr) => {
            let line = index.line(expr.range().start().into());
            Ok(Some((eval_expr(expr, &index)?, line)))
        }
    }
}

/// True when the text between two statements starts (after blanks and line
/// continuations) with `;`, i.e. the second statement shares the first one's line.
fn separated_by_semicolon(gap: &str) -> bool {
    let mut chars = gap.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\x0c' => {}
            '\\' => {
                // explicit line continuation: `\` + newline
                if chars.peek() == Some(&'\r') {
                    chars.next();
                }
                if chars.peek() == Some(&'\n') {
                    chars.next();
                } else {
                    return false;
                }
            }
            ';' => return true,
            _ => return false,
        }
    }
    false
}

fn is_name(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Name(n) if n.id.as_str() == name)
}

fn not_defined(id: &str, line: usize) -> AnalysisError {
    AnalysisError::new(format!("name '{id}' is not defined"))
        .at_line(line)
        .with_hint("the value is evaluated without running the notebook: use literals only, e.g. ['a', 'b']")
}

fn unsupported(what: &str, line: usize) -> AnalysisError {
    AnalysisError::new(format!(
        "unsupported expression ({what}): only literals (strings, lists, tuples, sets, \
         dicts, None) are supported"
    ))
    .at_line(line)
}

/// Evaluates `expr` like Python's `eval` in an empty namespace, for the literal subset.
pub(crate) fn eval_expr(expr: &Expr, index: &LineIndex) -> AnalysisResult<Literal> {
    let line = || index.line(expr.range().start().into());
    match expr {
        Expr::Constant(c) => constant(&c.value, line()),
        Expr::List(l) => eval_all(&l.elts, index).map(Literal::List),
        Expr::Tuple(t) => eval_all(&t.elts, index).map(Literal::List),
        Expr::Set(s) => {
            let mut items = eval_all(&s.elts, index)?;
            dedup_keep_order(&mut items);
            Ok(Literal::List(items))
        }
        Expr::Dict(d) => {
            let mut entries: Vec<(String, Literal)> = Vec::with_capacity(d.keys.len());
            for (key, value) in d.keys.iter().zip(&d.values) {
                let value = eval_expr(value, index)?;
                match key {
                    Some(key) => match eval_expr(key, index)? {
                        Literal::Str(k) => insert_entry(&mut entries, k, value),
                        other => {
                            return Err(unsupported(
                                &format!("dict key of type '{}'", type_name(&other)),
                                line(),
                            ))
                        }
                    },
                    // `{**other}`
                    None => match value {
                        Literal::Map(more) => {
                            for (k, v) in more {
                                insert_entry(&mut entries, k, v);
                            }
                        }
                        other => {
                            return Err(AnalysisError::new(format!(
                                "'{}' object is not a mapping",
                                type_name(&other)
                            ))
                            .at_line(line()))
                        }
                    },
                }
            }
            Ok(Literal::Map(entries))
        }
        Expr::Name(n) => Err(not_defined(n.id.as_str(), line())),
        Expr::BinOp(b) if matches!(b.op, ast::Operator::Add) => {
            let left = eval_expr(&b.left, index)?;
            let right = eval_expr(&b.right, index)?;
            add(left, right).map_err(|m| AnalysisError::new(m).at_line(line()))
        }
        Expr::UnaryOp(u) if matches!(u.op, ast::UnaryOp::USub | ast::UnaryOp::UAdd) => {
            let neg = matches!(u.op, ast::UnaryOp::USub);
            match eval_expr(&u.operand, index)? {
                Literal::Int(i) => Ok(Literal::Int(if neg { -i } else { i })),
                Literal::Float(f) => Ok(Literal::Float(if neg { -f } else { f })),
                other => Err(AnalysisError::new(format!(
                    "bad operand type for unary -: '{}'",
                    type_name(&other)
                ))
                .at_line(line())),
            }
        }
        Expr::JoinedStr(j) => {
            let mut out = String::new();
            for part in &j.values {
                match part {
                    Expr::Constant(c) => match &c.value {
                        Constant::Str(s) => out.push_str(s),
                        _ => return Err(unsupported("f-string", line())),
                    },
                    Expr::FormattedValue(f) => match eval_expr(&f.value, index)? {
                        Literal::Str(s) => out.push_str(&s),
                        _ => return Err(unsupported("f-string placeholder", line())),
                    },
                    _ => return Err(unsupported("f-string", line())),
                }
            }
            Ok(Literal::Str(out))
        }
        Expr::Call(call) => eval_call(call, index, line()),
        Expr::Attribute(a) => {
            // `os.environ[...]`, `config.deps`: the base name is undefined in eval
            let mut base = &*a.value;
            while let Expr::Attribute(inner) = base {
                base = &inner.value;
            }
            match base {
                Expr::Name(n) => Err(not_defined(n.id.as_str(), line())),
                _ => Err(unsupported("attribute access", line())),
            }
        }
        _ => Err(unsupported(expr_kind(expr), line())),
    }
}

fn expr_kind(expr: &Expr) -> &'static str {
    match expr {
        Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::GeneratorExp(_) => {
            "comprehension"
        }
        Expr::Subscript(_) => "subscript",
        Expr::BinOp(_) => "operator",
        Expr::Lambda(_) => "lambda",
        Expr::IfExp(_) => "conditional expression",
        Expr::Compare(_) | Expr::BoolOp(_) => "comparison",
        _ => "expression",
    }
}

fn eval_all(items: &[Expr], index: &LineIndex) -> AnalysisResult<Vec<Literal>> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Expr::Starred(s) => match eval_expr(&s.value, index)? {
                Literal::List(more) => out.extend(more),
                Literal::Map(more) => out.extend(more.into_iter().map(|(k, _)| Literal::Str(k))),
                Literal::Str(s) => out.extend(s.chars().map(|c| Literal::Str(c.to_string()))),
                other => {
                    return Err(AnalysisError::new(format!(
                        "'{}' object is not iterable",
                        type_name(&other)
                    ))
                    .at_line(index.line(item.range().start().into())))
                }
            },
            _ => out.push(eval_expr(item, index)?),
        }
    }
    Ok(out)
}

fn insert_entry(entries: &mut Vec<(String, Literal)>, key: String, value: Literal) {
    match entries.iter_mut().find(|(k, _)| *k == key) {
        Some(entry) => entry.1 = value,
        None => entries.push((key, value)),
    }
}

fn dedup_keep_order(items: &mut Vec<Literal>) {
    let mut seen: Vec<Literal> = Vec::with_capacity(items.len());
    items.retain(|item| {
        if seen.contains(item) {
            false
        } else {
            seen.push(item.clone());
            true
        }
    });
}

fn constant(value: &Constant, line: usize) -> AnalysisResult<Literal> {
    Ok(match value {
        Constant::None => Literal::None,
        Constant::Bool(b) => Literal::Bool(*b),
        Constant::Str(s) => Literal::Str(s.clone()),
        Constant::Int(i) => match i64::try_from(i) {
            Ok(i) => Literal::Int(i),
            Err(_) => return Err(unsupported("integer too large", line)),
        },
        Constant::Float(f) => Literal::Float(*f),
        Constant::Tuple(items) => Literal::List(
            items
                .iter()
                .map(|c| constant(c, line))
                .collect::<AnalysisResult<_>>()?,
        ),
        Constant::Bytes(_) => return Err(unsupported("bytes", line)),
        Constant::Complex { .. } => return Err(unsupported("complex number", line)),
        Constant::Ellipsis => return Err(unsupported("Ellipsis", line)),
    })
}

fn add(left: Literal, right: Literal) -> Result<Literal, String> {
    Ok(match (left, right) {
        (Literal::Str(a), Literal::Str(b)) => Literal::Str(a + &b),
        (Literal::List(mut a), Literal::List(b)) => {
            a.extend(b);
            Literal::List(a)
        }
        (Literal::Int(a), Literal::Int(b)) => Literal::Int(a.checked_add(b).ok_or("overflow")?),
        (Literal::Float(a), Literal::Float(b)) => Literal::Float(a + b),
        (Literal::Int(a), Literal::Float(b)) | (Literal::Float(b), Literal::Int(a)) => {
            Literal::Float(a as f64 + b)
        }
        (a, b) => {
            return Err(format!(
                "unsupported operand type(s) for +: '{}' and '{}'",
                type_name(&a),
                type_name(&b)
            ))
        }
    })
}

/// `list(...)`, `tuple(...)`, `set(...)`, `sorted(...)`, `dict(...)` of literals.
fn eval_call(call: &ast::ExprCall, index: &LineIndex, line: usize) -> AnalysisResult<Literal> {
    let func = match &*call.func {
        Expr::Name(n) => n.id.as_str(),
        other => return eval_expr(other, index).and(Err(unsupported("call", line))),
    };
    if !matches!(func, "list" | "tuple" | "set" | "sorted" | "dict") {
        return Err(not_defined(func, line));
    }
    if call.args.len() > 1 || (func != "dict" && !call.keywords.is_empty()) {
        return Err(unsupported(&format!("{func}() with these arguments"), line));
    }
    let arg = match call.args.first() {
        Some(arg) => Some(eval_expr(arg, index)?),
        None => None,
    };
    if func == "dict" {
        let mut entries = match arg {
            None => Vec::new(),
            Some(Literal::Map(entries)) => entries,
            Some(other) => {
                return Err(unsupported(
                    &format!("dict() of '{}'", type_name(&other)),
                    line,
                ))
            }
        };
        for kw in &call.keywords {
            let value = eval_expr(&kw.value, index)?;
            match &kw.arg {
                Some(name) => insert_entry(&mut entries, name.to_string(), value),
                None => return Err(unsupported("dict(**...)", line)),
            }
        }
        return Ok(Literal::Map(entries));
    }
    let mut items = match arg {
        None => Vec::new(),
        Some(Literal::List(items)) => items,
        Some(Literal::Map(entries)) => entries.into_iter().map(|(k, _)| Literal::Str(k)).collect(),
        Some(Literal::Str(s)) => s.chars().map(|c| Literal::Str(c.to_string())).collect(),
        Some(other) => {
            return Err(AnalysisError::new(format!(
                "'{}' object is not iterable",
                type_name(&other)
            ))
            .at_line(line))
        }
    };
    match func {
        "set" => dedup_keep_order(&mut items),
        "sorted" => {
            if items.iter().all(|i| matches!(i, Literal::Str(_))) {
                items.sort_by(|a, b| match (a, b) {
                    (Literal::Str(a), Literal::Str(b)) => a.cmp(b),
                    _ => std::cmp::Ordering::Equal,
                });
            } else {
                return Err(unsupported("sorted() of non-strings", line));
            }
        }
        _ => {}
    }
    Ok(Literal::List(items))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(cell: &str) -> Vec<String> {
        upstream(cell).unwrap_or_else(|e| panic!("{cell:?}: {e}"))
    }

    fn up_err(cell: &str) -> AnalysisError {
        upstream(cell).expect_err(cell)
    }

    #[test]
    fn list_tuple_set_dict_none() {
        assert_eq!(up("upstream = ['b', 'a', 'b']"), ["a", "b"]);
        assert_eq!(up("upstream = ('x',)"), ["x"]);
        assert_eq!(up("upstream = {'s', 'r'}"), ["r", "s"]);
        assert_eq!(up("upstream = {'k': 'v', 'j': None}"), ["j", "k"]);
        assert!(up("upstream = None").is_empty());
        assert!(up("upstream = []").is_empty());
        assert!(up("upstream = {}").is_empty());
    }

    #[test]
    fn safe_expressions_are_evaluated() {
        assert_eq!(up("upstream = ['a'] + ['b']"), ["a", "b"]);
        assert_eq!(up("upstream = list(('a', 'c'))"), ["a", "c"]);
        assert_eq!(up("upstream = tuple(['z'])"), ["z"]);
        assert_eq!(up("upstream = set(['q', 'q'])"), ["q"]);
        assert_eq!(up("upstream = ['a' 'b', 'c' + 'd']"), ["ab", "cd"]);
        assert_eq!(up("upstream = [f'x']"), ["x"]);
        assert_eq!(up("upstream = [*['a'], 'b']"), ["a", "b"]);
        assert_eq!(up("upstream = dict(a=1)"), ["a"]);
    }

    #[test]
    fn only_top_level_statements_count() {
        let cell =
            "upstream = ['a']\nif True:\n    upstream = ['b']\ndef f():\n    upstream = ['c']\n";
        assert_eq!(up(cell), ["a"]);
    }

    #[test]
    fn only_first_statement_of_a_line_counts() {
        let e = up_err("a = 1; upstream = ['x']");
        assert!(
            e.message.starts_with("Could not parse a valid 'upstream'"),
            "{e}"
        );
        assert_eq!(up("upstream = ['x']; a = 1"), ["x"]);
        assert_eq!(up("a = 1; upstream = ['x']\nupstream = ['y']"), ["y"]);
        assert_eq!(up("upstream = ['y']\na = 1 ;upstream = ['x']"), ["y"]);
        // a newline (even after a comment holding `;`) starts a new line
        assert_eq!(up("a = 1  # x; y\nupstream = ['z']"), ["z"]);
        // a line continuation then `;` still shares the logical line
        assert_eq!(up("upstream = ['y']\na = 1 \\\n; upstream = ['x']"), ["y"]);
        // multi-line first statement then `;`
        assert_eq!(
            up("upstream = ['y']\na = (1,\n 2); upstream = ['x']"),
            ["y"]
        );
    }

    #[test]
    fn chained_and_tuple_targets_do_not_count() {
        assert!(up_err("upstream = product = None")
            .message
            .contains("Could not parse"));
        assert!(up_err("upstream, b = ['a'], 1")
            .message
            .contains("Could not parse"));
        assert_eq!(up("upstream = ['a']\nupstream = product = None"), ["a"]);
    }

    #[test]
    fn augmented_assignment_counts() {
        assert_eq!(up("upstream += ['b']"), ["b"]);
        assert_eq!(up("upstream = ['a']\nupstream += ['b']"), ["b"]);
    }

    #[test]
    fn annotated_assignment_is_an_error() {
        let e = up_err("x = 1\nupstream: list = ['a']");
        assert!(
            e.message.contains("annotated assignment is not supported"),
            "{e}"
        );
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn last_statement_wins() {
        assert_eq!(up("upstream = ['a']\nupstream = ['b', 'c']"), ["b", "c"]);
        assert!(up("upstream = ['a']\nupstream = None").is_empty());
    }

    #[test]
    fn names_are_not_defined() {
        let e = up_err("x = 1\nupstream = deps");
        assert_eq!(e.message, "name 'deps' is not defined");
        assert_eq!(e.line, Some(2));
        assert_eq!(
            up_err("upstream = ['a', b]").message,
            "name 'b' is not defined"
        );
        assert_eq!(
            up_err("upstream = get()").message,
            "name 'get' is not defined"
        );
        assert_eq!(
            up_err("upstream = os.deps").message,
            "name 'os' is not defined"
        );
    }

    #[test]
    fn unsupported_expressions_fail() {
        let e = up_err("upstream = [x for x in 'ab']");
        assert!(
            e.message.contains("unsupported expression (comprehension)"),
            "{e}"
        );
    }

    #[test]
    fn missing_upstream_is_an_error() {
        let e = up_err("product = 'x'");
        assert!(e.message.starts_with(
            "Could not parse a valid 'upstream' variable in the 'parameters' cell with code: 'product = 'x''"
        ));
        assert!(e
            .message
            .ends_with("If the notebook does not have dependencies add upstream = None"));
    }

    #[test]
    fn string_value_is_an_error() {
        let e = up_err("upstream = 'a'");
        assert_eq!(
            e.message,
            "Found an upstream variable but it is not a valid type (dictionary, list, tuple set or None, got 'str')"
        );
        assert!(up_err("upstream = 1").message.contains("got 'int'"));
        assert!(up_err("upstream = [1]").message.contains("must be strings"));
    }

    #[test]
    fn syntax_error_has_line() {
        let e = up_err("a = 1\nupstream = [\n\nb = (");
        assert!(e.message.starts_with("invalid Python syntax"), "{e}");
        assert!(e.line.unwrap() >= 2, "{e:?}");
        assert_eq!(up_err("a = 1\nupstream = ]").line, Some(2));
    }

    #[test]
    fn magics_are_ignored() {
        assert_eq!(up("%matplotlib inline\n!ls\nupstream = ['a']"), ["a"]);
        assert_eq!(up_err("%load_ext x\nupstream = z").line, Some(2));
    }

    #[test]
    fn product_values() {
        assert_eq!(
            product("product = 'out.csv'").unwrap(),
            Literal::Str("out.csv".into())
        );
        assert_eq!(
            product("upstream = None\nproduct = {'nb': 'a.ipynb', 'data': 'a.csv'}").unwrap(),
            Literal::Map(vec![
                ("nb".into(), Literal::Str("a.ipynb".into())),
                ("data".into(), Literal::Str("a.csv".into()))
            ])
        );
        assert_eq!(
            product("product = 'a'\nproduct = 'b'").unwrap(),
            Literal::Str("b".into())
        );
    }

    #[test]
    fn product_missing_or_none_is_an_error() {
        for cell in ["upstream = None", "product = None"] {
            let e = product(cell).unwrap_err();
            assert!(
                e.message
                    .starts_with("Couldn't extract 'product' from code: '"),
                "{e}"
            );
        }
        assert_eq!(
            product("product = p").unwrap_err().message,
            "name 'p' is not defined"
        );
    }

    mod fast_reader_agrees_with_the_parser {
        use crate::analysis::literal_cell;
        use crate::analysis::python_cell::extract_variable_parsed;
        use proptest::prelude::*;

        fn string() -> impl Strategy<Value = String> + Clone {
            (
                prop::sample::select(vec!["'", "\""]),
                "[a-z_ '\"#,:\\\\é\\[\\](){}]{0,6}",
            )
                .prop_map(|(q, body)| format!("{q}{body}{q}"))
        }

        fn value() -> impl Strategy<Value = String> {
            let items = prop::collection::vec(string(), 0..4);
            prop_oneof![
                string(),
                Just("None".to_string()),
                Just("Nonesuch".to_string()),
                Just("deps".to_string()),
                (items.clone(), any::<bool>()).prop_map(|(v, t)| format!(
                    "[{}{}]",
                    v.join(", "),
                    if t { "," } else { "" }
                )),
                (items.clone(), any::<bool>()).prop_map(|(v, t)| format!(
                    "({}{})",
                    v.join(" ,"),
                    if t { "," } else { "" }
                )),
                prop::collection::vec((string(), prop_oneof![string(), Just("None".into())]), 0..3)
                    .prop_map(|kv| format!(
                        "{{{}}}",
                        kv.iter()
                            .map(|(k, v)| format!("{k}: {v}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                (string(), string()).prop_map(|(a, b)| format!("{a} + {b}")),
            ]
        }

        fn line() -> impl Strategy<Value = String> {
            let clean = (
                prop::sample::select(vec!["upstream", "product", "x", "match"]),
                prop::sample::select(vec![" = ", "=", "\t=  "]),
                value(),
                prop::sample::select(vec!["", "  # note", " "]),
            )
                .prop_map(|(t, o, v, x)| format!("{t}{o}{v}{x}"));
            let target = prop::sample::select(vec!["upstream", "product", "None", "2x"]);
            let op = prop::sample::select(vec![" = ", " += ", ": list = ", " == "]);
            let tail = prop::sample::select(vec!["", "; y = 1", " x"]);
            let indent = prop::sample::select(vec!["", " ", "#"]);
            let noisy = (indent, target, op, value(), tail)
                .prop_map(|(i, t, o, v, x)| format!("{i}{t}{o}{v}{x}"));
            prop_oneof![
                12 => clean,
                2 => noisy,
                1 => Just(String::new()),
                1 => Just("   # comment 'quoted'".to_string()),
                1 => Just("%matplotlib inline".to_string()),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]
            /// Whenever the fast reader accepts a cell, the parser-based reader gives the
            /// same value and line for `upstream` and `product`.
            #[test]
            fn same_answers(lines in prop::collection::vec(line(), 0..4), crlf in prop::bool::weighted(0.1)) {
                let cell = lines.join(if crlf { "\r\n" } else { "\n" });
                for name in ["upstream", "product"] {
                    if let Some(fast) = literal_cell::extract(&cell, name) {
                        let parsed = extract_variable_parsed(&cell, name);
                        prop_assert!(parsed.is_ok(), "{cell:?}: parser failed: {:?}", parsed.err());
                        prop_assert_eq!(parsed.unwrap(), fast, "{:?}", cell);
                    }
                }
            }
        }
    }
}
