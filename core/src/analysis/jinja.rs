//! SQL and shell Jinja templates (spec §8.7): upstream references, the
//! `{% set product = CLASS([...]) %}` product declaration, and the placeholder checks
//! SQLScript/ShellScript rely on.
//!
//! Templates are parsed once with minijinja's parser (`unstable_machinery`) and the
//! AST is walked; nothing is rendered. Jinja comments `{# #}` are dropped by the lexer,
//! while text such as SQL `-- {{ upstream['a'] }}` comments is template data whose
//! expressions count, exactly like Ploomber's Jinja2 AST analysis.
use super::{AnalysisError, AnalysisResult, Literal};
use minijinja::machinery::ast::{CallArg, Expr, Stmt};
use minijinja::machinery::parse;
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Value, ValueKind};

fn parse_template(template: &str) -> AnalysisResult<Stmt<'_>> {
    parse(template, "<template>", SyntaxConfig::default()).map_err(|e| {
        let mut message = format!("invalid Jinja template: {}", e.kind());
        if let Some(detail) = e.detail() {
            message.push_str(": ");
            message.push_str(detail);
        }
        let err = AnalysisError::new(message);
        match e.line() {
            Some(line) => err.at_line(line),
            None => err,
        }
    })
}

/// Upstream names referenced as `upstream.x` / `upstream['x']` (sorted, unique).
pub fn upstream(template: &str) -> AnalysisResult<Vec<String>> {
    let ast = parse_template(template)?;
    let mut finder = UpstreamFinder {
        names: Vec::new(),
        error: None,
    };
    walk_stmt(&ast, &mut |e| finder.visit(e));
    if let Some(err) = finder.error {
        return Err(err);
    }
    let mut names = finder.names;
    names.sort();
    names.dedup();
    Ok(names)
}

struct UpstreamFinder {
    names: Vec<String>,
    error: Option<AnalysisError>,
}

impl UpstreamFinder {
    fn visit(&mut self, expr: &Expr<'_>) {
        match expr {
            Expr::GetAttr(a) if is_var(&a.expr, "upstream") => self.names.push(a.name.to_string()),
            Expr::GetItem(g) if is_var(&g.expr, "upstream") => match g.subscript_expr.as_const() {
                Some(v) if v.kind() == ValueKind::String => {
                    self.names.push(v.as_str().unwrap_or_default().to_string())
                }
                _ if self.error.is_some() => {}
                _ => {
                    self.error = Some(
                        AnalysisError::new(
                            "upstream[...] must be indexed with a string constant, e.g. \
                                 upstream['load'] (Jinja2 raises Impossible on a variable key)",
                        )
                        .at_line(g.subscript_expr.span().start_line as usize),
                    )
                }
            },
            _ => {}
        }
    }
}

fn is_var(expr: &Expr<'_>, name: &str) -> bool {
    matches!(expr, Expr::Var(v) if v.id == name)
}

/// `{% set product = CLASS([...]) %}`: the product class name and its argument.
pub fn product(template: &str) -> AnalysisResult<Option<(String, Literal)>> {
    let ast = parse_template(template)?;
    let mut found: Option<AnalysisResult<(String, Literal)>> = None;
    walk_stmts_only(&ast, &mut |stmt| {
        if found.is_some() {
            return;
        }
        if let Stmt::Set(set) = stmt {
            if is_var(&set.target, "product") {
                let line = set.span().start_line as usize;
                found = Some(product_call(&set.expr).map_err(|m| {
                    AnalysisError::new(format!("Couldn't extract 'product': {m}"))
                        .at_line(line)
                        .with_hint(
                            "write {% set product = SQLRelation(['schema', 'name', 'table']) %}",
                        )
                }));
            }
        }
    });
    found.transpose()
}

fn product_call(expr: &Expr<'_>) -> Result<(String, Literal), String> {
    let Expr::Call(call) = expr else {
        return Err("expected a call such as SQLRelation([...])".into());
    };
    let Expr::Var(class) = &call.expr else {
        return Err("expected a product class name, e.g. SQLRelation".into());
    };
    match call.args.as_slice() {
        [CallArg::Pos(arg)] => {
            let value = arg
                .as_const()
                .ok_or_else(|| format!("the argument of {} must be a constant", class.id))?;
            Ok((class.id.to_string(), to_literal(&value)?))
        }
        _ => Err(format!(
            "{} must be called with exactly one argument",
            class.id
        )),
    }
}

fn to_literal(value: &Value) -> Result<Literal, String> {
    Ok(match value.kind() {
        ValueKind::None | ValueKind::Undefined => Literal::None,
        ValueKind::Bool => Literal::Bool(value.is_true()),
        ValueKind::String => Literal::Str(value.as_str().unwrap_or_default().to_string()),
        ValueKind::Number => match value.as_i64() {
            Some(i) if value.is_integer() => Literal::Int(i),
            _ => Literal::Float(f64::try_from(value.clone()).map_err(|e| e.to_string())?),
        },
        ValueKind::Seq => Literal::List(
            value
                .try_iter()
                .map_err(|e| e.to_string())?
                .map(|v| to_literal(&v))
                .collect::<Result<_, _>>()?,
        ),
        ValueKind::Map => {
            let mut entries = Vec::new();
            for key in value.try_iter().map_err(|e| e.to_string())? {
                let Some(k) = key.as_str() else {
                    return Err("map keys must be strings".into());
                };
                let v = value.get_item(&key).map_err(|e| e.to_string())?;
                entries.push((k.to_string(), to_literal(&v)?));
            }
            Literal::Map(entries)
        }
        other => return Err(format!("unsupported constant of kind {other:?}")),
    })
}

/// True when the template holds at least one `{{ }}` or `{% %}` (SQLScript requires it).
/// A template that does not parse counts as having placeholders (the parse error is
/// reported by [`upstream`]).
pub fn has_placeholders(template: &str) -> bool {
    match parse_template(template) {
        Ok(Stmt::Template(t)) => t.children.iter().any(|s| !matches!(s, Stmt::EmitRaw(_))),
        Ok(_) => true,
        Err(_) => true,
    }
}

/// True when the template references the variable `name` (ShellScript requires `product`).
/// Assignment targets (`{% set name = ... %}`, loop variables) are not references.
pub fn references_variable(template: &str, name: &str) -> bool {
    let Ok(ast) = parse_template(template) else {
        return false;
    };
    let mut found = false;
    walk_stmt(&ast, &mut |e| found |= is_var(e, name));
    found
}

/// Calls `f` on every statement, depth first.
fn walk_stmts_only<'a>(stmt: &Stmt<'a>, f: &mut dyn FnMut(&Stmt<'a>)) {
    f(stmt);
    for child in child_stmts(stmt) {
        walk_stmts_only(child, f);
    }
}

fn child_stmts<'s, 'a>(stmt: &'s Stmt<'a>) -> Vec<&'s Stmt<'a>> {
    let bodies: Vec<&'s [Stmt<'a>]> = match stmt {
        Stmt::Template(t) => vec![&t.children],
        Stmt::ForLoop(l) => vec![&l.body, &l.else_body],
        Stmt::IfCond(c) => vec![&c.true_body, &c.false_body],
        Stmt::WithBlock(w) => vec![&w.body],
        Stmt::SetBlock(s) => vec![&s.body],
        Stmt::AutoEscape(a) => vec![&a.body],
        Stmt::FilterBlock(fb) => vec![&fb.body],
        Stmt::Block(b) => vec![&b.body],
        Stmt::Macro(m) => vec![&m.body],
        Stmt::CallBlock(c) => vec![&c.macro_decl.body],
        _ => vec![],
    };
    bodies.into_iter().flatten().collect()
}

/// Calls `f` on every expression of the template that is read (not assignment targets).
fn walk_stmt<'a>(stmt: &Stmt<'a>, f: &mut dyn FnMut(&Expr<'a>)) {
    match stmt {
        Stmt::EmitExpr(e) => walk_expr(&e.expr, f),
        Stmt::ForLoop(l) => {
            walk_expr(&l.iter, f);
            if let Some(filter) = &l.filter_expr {
                walk_expr(filter, f);
            }
        }
        Stmt::IfCond(c) => walk_expr(&c.expr, f),
        Stmt::WithBlock(w) => {
            for (_, value) in &w.assignments {
                walk_expr(value, f);
            }
        }
        Stmt::Set(s) => walk_expr(&s.expr, f),
        Stmt::SetBlock(s) => {
            if let Some(filter) = &s.filter {
                walk_expr(filter, f);
            }
        }
        Stmt::AutoEscape(a) => walk_expr(&a.enabled, f),
        Stmt::FilterBlock(fb) => walk_expr(&fb.filter, f),
        Stmt::Extends(e) => walk_expr(&e.name, f),
        Stmt::Include(i) => walk_expr(&i.name, f),
        Stmt::Import(i) => walk_expr(&i.expr, f),
        Stmt::FromImport(i) => walk_expr(&i.expr, f),
        Stmt::Macro(m) => {
            for default in &m.defaults {
                walk_expr(default, f);
            }
        }
        Stmt::CallBlock(c) => {
            walk_expr(&c.call.expr, f);
            walk_args(&c.call.args, f);
            for default in &c.macro_decl.defaults {
                walk_expr(default, f);
            }
        }
        Stmt::Do(d) => {
            walk_expr(&d.call.expr, f);
            walk_args(&d.call.args, f);
        }
        Stmt::Template(_) | Stmt::EmitRaw(_) | Stmt::Block(_) => {}
    }
    for child in child_stmts(stmt) {
        walk_stmt(child, f);
    }
}

fn walk_args<'a>(args: &[CallArg<'a>], f: &mut dyn FnMut(&Expr<'a>)) {
    for arg in args {
        match arg {
            CallArg::Pos(e)
            | CallArg::Kwarg(_, e)
            | CallArg::PosSplat(e)
            | CallArg::KwargSplat(e) => walk_expr(e, f),
        }
    }
}

fn walk_expr<'a>(expr: &Expr<'a>, f: &mut dyn FnMut(&Expr<'a>)) {
    f(expr);
    match expr {
        Expr::Var(_) | Expr::Const(_) => {}
        Expr::Slice(s) => {
            walk_expr(&s.expr, f);
            for e in [&s.start, &s.stop, &s.step].into_iter().flatten() {
                walk_expr(e, f);
            }
        }
        Expr::UnaryOp(u) => walk_expr(&u.expr, f),
        Expr::BinOp(b) => {
            walk_expr(&b.left, f);
            walk_expr(&b.right, f);
        }
        Expr::Compare(c) => {
            walk_expr(&c.expr, f);
            for op in &c.ops {
                walk_expr(&op.expr, f);
            }
        }
        Expr::IfExpr(i) => {
            walk_expr(&i.test_expr, f);
            walk_expr(&i.true_expr, f);
            if let Some(e) = &i.false_expr {
                walk_expr(e, f);
            }
        }
        Expr::Filter(fl) => {
            if let Some(e) = &fl.expr {
                walk_expr(e, f);
            }
            walk_args(&fl.args, f);
        }
        Expr::Test(t) => {
            walk_expr(&t.expr, f);
            walk_args(&t.args, f);
        }
        Expr::GetAttr(a) => walk_expr(&a.expr, f),
        Expr::GetItem(g) => {
            walk_expr(&g.expr, f);
            walk_expr(&g.subscript_expr, f);
        }
        Expr::Call(c) => {
            walk_expr(&c.expr, f);
            walk_args(&c.args, f);
        }
        Expr::List(l) => l.items.iter().for_each(|e| walk_expr(e, f)),
        Expr::Tuple(t) => t.items.iter().for_each(|e| walk_expr(e, f)),
        Expr::Map(m) => m.keys.iter().chain(&m.values).for_each(|e| walk_expr(e, f)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_and_item_access() {
        let sql =
            "SELECT * FROM {{ upstream['b'] }} JOIN {{upstream.a}} JOIN {{ upstream[\"b\"] }}";
        assert_eq!(upstream(sql).unwrap(), ["a", "b"]);
    }

    #[test]
    fn found_in_statements_and_sql_comments() {
        let sql = "{% if x %}{{ upstream['i'] }}{% endif %}\n{% set t = upstream.s %}\n-- {{upstream['c']}}\n{% for r in upstream['f'] %}{% endfor %}";
        assert_eq!(upstream(sql).unwrap(), ["c", "f", "i", "s"]);
    }

    #[test]
    fn constant_keys_are_folded_and_macros_are_walked() {
        // checked against Ploomber 0.23.3: {'ab'} and {'mac'}
        assert_eq!(upstream("{{ upstream['a' ~ 'b'] }}").unwrap(), ["ab"]);
        let sql = "{% macro m() %}{{ upstream['mac'] }}{% endmacro %}";
        assert_eq!(upstream(sql).unwrap(), ["mac"]);
        assert!(upstream("{% for x in upstream %}{{x}}{% endfor %}")
            .unwrap()
            .is_empty());
    }

    #[test]
    fn jinja_comments_are_ignored() {
        assert!(upstream("{# {{ upstream['x'] }} #} SELECT 1")
            .unwrap()
            .is_empty());
    }

    #[test]
    fn nested_access_yields_the_first_key() {
        assert_eq!(
            upstream("{{ upstream['a']['data'] }} {{ upstream.b.name }}").unwrap(),
            ["a", "b"]
        );
    }

    #[test]
    fn other_objects_do_not_count() {
        assert!(
            upstream("{{ product['a'] }} {{ x.upstream }} {{ upstreams.a }}")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn variable_key_is_an_error() {
        let e = upstream("SELECT 1\n{{ upstream[k] }}").unwrap_err();
        assert!(e.message.contains("string constant"), "{e}");
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn syntax_error_has_line() {
        let e = upstream("SELECT 1\n\n{{ upstream['a' }}").unwrap_err();
        assert!(e.message.starts_with("invalid Jinja template"), "{e}");
        assert_eq!(e.line, Some(3));
    }

    #[test]
    fn product_declaration() {
        let sql =
            "{% set product = SQLRelation(['sch', 'tbl', 'table']) %}\nCREATE TABLE {{product}}";
        let (class, value) = product(sql).unwrap().unwrap();
        assert_eq!(class, "SQLRelation");
        assert_eq!(
            value,
            Literal::List(vec![
                Literal::Str("sch".into()),
                Literal::Str("tbl".into()),
                Literal::Str("table".into())
            ])
        );
        assert_eq!(product("SELECT {{ a }}").unwrap(), None);
        let e = product("\n{% set product = SQLRelation([x, 'b']) %}").unwrap_err();
        assert!(e.message.contains("must be a constant"), "{e}");
        assert_eq!(e.line, Some(2));
        assert!(product("{% set product = 'a' %}").is_err());
    }

    #[test]
    fn placeholders() {
        assert!(has_placeholders("CREATE TABLE {{product}}"));
        assert!(has_placeholders("{% if x %}{% endif %}"));
        assert!(!has_placeholders("SELECT 1 {# note #}"));
        assert!(!has_placeholders("SELECT 1"));
    }

    #[test]
    fn variable_references() {
        assert!(references_variable("cp a {{ product }}", "product"));
        assert!(references_variable(
            "cp a {{ product['x'] | e }}",
            "product"
        ));
        assert!(!references_variable(
            "cp a {{ upstream.product }}",
            "product"
        ));
        assert!(!references_variable("{% set product = 1 %}", "product"));
        assert!(!references_variable("{# {{product}} #}", "product"));
    }
}
