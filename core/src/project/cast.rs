//! Ploomber's value casting after rendering (§4.5): every string value of the spec
//! becomes a bool (`true`/`false`, any case), `None` (`none`/`null`, any case), or
//! whatever Python's `ast.literal_eval` makes of it (`'123'` → 123, `'[1, 2]'` → a
//! list), else stays a string. `literal_eval` is reproduced on a real Python parser.

use rustpython_parser::{ast, Mode};

use super::yaml::{Node, Value};

/// Casts one rendered string (line is kept for the nodes it produces).
pub fn cast_string(s: &str, line: usize) -> Value {
    let lower = s.to_ascii_lowercase();
    match lower.as_str() {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        "none" | "null" => return Value::Null,
        _ => {}
    }
    literal_eval(s, line).unwrap_or_else(|| Value::Str(s.to_string()))
}

/// Casts every string inside a node, recursively (keys are left alone).
pub fn cast_node(node: &mut Node) {
    match &mut node.value {
        Value::Str(s) => node.value = cast_string(s, node.line),
        Value::Seq(items) => items.iter_mut().for_each(cast_node),
        Value::Map(entries) => entries.iter_mut().for_each(|(_, v)| cast_node(v)),
        _ => {}
    }
}

/// Could `ast.literal_eval` succeed on this string? A cheap first look that skips the
/// parser for ordinary strings (paths, names).
fn may_be_literal(s: &str) -> bool {
    let t = s.trim_start_matches([' ', '\t']);
    match t.as_bytes().first() {
        None => false,
        Some(b) if b.is_ascii_digit() => true,
        Some(b'-' | b'+' | b'.' | b'[' | b'(' | b'{' | b'\'' | b'"') => true,
        Some(b'T' | b'F' | b'N') => {
            let word = t.trim_end();
            word == "True" || word == "False" || word == "None"
        }
        Some(b'b' | b'B' | b'r' | b'R' | b'u' | b'U') => {
            t.len() > 1 && matches!(t.as_bytes()[1], b'\'' | b'"' | b'r' | b'R' | b'b' | b'B')
        }
        _ => false,
    }
}

/// Python's `ast.literal_eval` for the values a spec can hold.
pub fn literal_eval(s: &str, line: usize) -> Option<Value> {
    if !may_be_literal(s) {
        return None;
    }
    let src = s.trim_start_matches([' ', '\t']);
    crate::analysis::check_python_depth(src).ok()?;
    let parsed = rustpython_parser::parse(src, Mode::Expression, "<string>").ok()?;
    let ast::Mod::Expression(expr) = parsed else {
        return None;
    };
    eval(&expr.body, line)
}

fn eval(expr: &ast::Expr, line: usize) -> Option<Value> {
    let node = |v| Node::new(v, line);
    match expr {
        ast::Expr::Constant(c) => constant(&c.value, line),
        ast::Expr::List(l) => Some(Value::Seq(
            l.elts
                .iter()
                .map(|e| eval(e, line).map(node))
                .collect::<Option<_>>()?,
        )),
        ast::Expr::Tuple(t) => Some(Value::Seq(
            t.elts
                .iter()
                .map(|e| eval(e, line).map(node))
                .collect::<Option<_>>()?,
        )),
        ast::Expr::Set(t) => Some(Value::Seq(
            t.elts
                .iter()
                .map(|e| eval(e, line).map(node))
                .collect::<Option<_>>()?,
        )),
        ast::Expr::Dict(d) => {
            let mut entries = Vec::with_capacity(d.values.len());
            for (k, v) in d.keys.iter().zip(&d.values) {
                let k = eval(k.as_ref()?, line)?;
                entries.push((node(k), node(eval(v, line)?)));
            }
            Some(Value::Map(entries))
        }
        ast::Expr::UnaryOp(u) => {
            let v = eval(&u.operand, line)?;
            match (u.op, v) {
                (ast::UnaryOp::USub, Value::Int(i)) => Some(Value::Int(-i)),
                (ast::UnaryOp::USub, Value::Float(f)) => Some(Value::Float(-f)),
                (ast::UnaryOp::UAdd, v @ (Value::Int(_) | Value::Float(_))) => Some(v),
                _ => None,
            }
        }
        _ => None,
    }
}

fn constant(c: &ast::Constant, line: usize) -> Option<Value> {
    Some(match c {
        ast::Constant::None => Value::Null,
        ast::Constant::Bool(b) => Value::Bool(*b),
        ast::Constant::Str(s) => Value::Str(s.clone()),
        ast::Constant::Int(i) => match i.to_string().parse::<i64>() {
            Ok(v) => Value::Int(v),
            Err(_) => Value::Float(i.to_string().parse().ok()?),
        },
        ast::Constant::Float(f) => Value::Float(*f),
        ast::Constant::Tuple(items) => Value::Seq(
            items
                .iter()
                .map(|c| constant(c, line).map(|v| Node::new(v, line)))
                .collect::<Option<_>>()?,
        ),
        ast::Constant::Bytes(_) | ast::Constant::Complex { .. } | ast::Constant::Ellipsis => {
            return None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_like_ploomber() {
        assert_eq!(cast_string("123", 1), Value::Int(123));
        assert_eq!(cast_string("1_000", 1), Value::Int(1000));
        assert_eq!(cast_string("1.5", 1), Value::Float(1.5));
        assert_eq!(cast_string("-2", 1), Value::Int(-2));
        assert_eq!(cast_string("TRUE", 1), Value::Bool(true));
        assert_eq!(cast_string("False", 1), Value::Bool(false));
        assert_eq!(cast_string("Null", 1), Value::Null);
        assert_eq!(cast_string("yes", 1), Value::Str("yes".into()));
        assert_eq!(cast_string("007", 1), Value::Str("007".into()));
        assert_eq!(cast_string("out/a.csv", 1), Value::Str("out/a.csv".into()));
        assert_eq!(cast_string("1.csv", 1), Value::Str("1.csv".into()));
        assert_eq!(cast_string("'quoted'", 1), Value::Str("quoted".into()));
        let Value::Seq(items) = cast_string("[1, 'a']", 1) else {
            panic!()
        };
        assert_eq!(items.len(), 2);
        let Value::Seq(t) = cast_string("(1,)", 1) else {
            panic!()
        };
        assert_eq!(t[0].value, Value::Int(1));
        let Value::Map(m) = cast_string("{'k': 2}", 1) else {
            panic!()
        };
        assert_eq!(m[0].1.value, Value::Int(2));
    }

    #[test]
    fn names_and_calls_are_not_literals() {
        assert_eq!(cast_string("len([1])", 1), Value::Str("len([1])".into()));
        assert_eq!(cast_string("[a]", 1), Value::Str("[a]".into()));
        assert_eq!(
            cast_string("2024-01-01", 1),
            Value::Str("2024-01-01".into())
        );
    }
}
