//! The Python emitter: a tiny expression model ([`Expr`]) rendered in a stable,
//! black-like layout (an expression stays on one line when it fits in
//! [`LINE_WIDTH`] columns, else one element per line with a trailing comma), and
//! [`string_literal`], the one function through which every string reaches the file.
//!
//! String literals are pure ASCII and double-quoted: `\` and `"` are escaped, control
//! characters and every non-ASCII character become `\xNN`, `\uNNNN` or `\UNNNNNNNN`.
//! Python reads them back as exactly the original string whatever it contains
//! (`'''`, newlines, NUL, emoji): no f-strings, no raw strings, no string formatting.

use std::fmt::Write;

/// Black's default line length.
pub const LINE_WIDTH: usize = 88;

const INDENT: &str = "    ";

/// `s` as a Python string literal that reads back as exactly `s`.
pub fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            c if (c as u32) <= 0xff => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) <= 0xffff => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// True for a plain Python identifier we may emit as a name (ASCII only).
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A Python expression. Names and callees are written as given (the emitter only
/// builds them from constants); every user value is a [`Expr::Str`].
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Str(String),
    /// A long, multi-line string: one literal per line, implicitly concatenated
    /// inside parentheses (a single line is a plain literal).
    Text(String),
    Int(i64),
    Bool(bool),
    None,
    /// A name or dotted attribute path (`datetime.timezone.utc`).
    Name(String),
    /// `value[key]`.
    Index(Box<Expr>, Box<Expr>),
    List(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    Call {
        func: String,
        args: Vec<Expr>,
        kwargs: Vec<(String, Expr)>,
    },
}

impl Expr {
    pub fn str(s: impl Into<String>) -> Expr {
        Expr::Str(s.into())
    }

    pub fn name(s: impl Into<String>) -> Expr {
        Expr::Name(s.into())
    }

    /// `name[key]` with a string key.
    pub fn index(name: &str, key: &str) -> Expr {
        Expr::Index(Box::new(Expr::name(name)), Box::new(Expr::str(key)))
    }

    pub fn call(func: &str, args: Vec<Expr>, kwargs: Vec<(&str, Expr)>) -> Expr {
        Expr::Call {
            func: func.to_string(),
            args,
            kwargs: kwargs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        }
    }

    /// The expression on one line, or `None` when it cannot be (multi-line text).
    pub fn flat(&self) -> Option<String> {
        Some(match self {
            Expr::Str(s) => string_literal(s),
            Expr::Text(s) => {
                if text_lines(s).len() > 1 {
                    return None;
                }
                string_literal(s)
            }
            Expr::Int(i) => i.to_string(),
            Expr::Bool(true) => "True".into(),
            Expr::Bool(false) => "False".into(),
            Expr::None => "None".into(),
            Expr::Name(n) => n.clone(),
            Expr::Index(v, k) => format!("{}[{}]", v.flat()?, k.flat()?),
            Expr::List(items) => {
                let parts: Option<Vec<String>> = items.iter().map(Expr::flat).collect();
                format!("[{}]", parts?.join(", "))
            }
            Expr::Dict(entries) => {
                let parts: Option<Vec<String>> = entries
                    .iter()
                    .map(|(k, v)| Some(format!("{}: {}", k.flat()?, v.flat()?)))
                    .collect();
                format!("{{{}}}", parts?.join(", "))
            }
            Expr::Call { func, args, kwargs } => {
                let mut parts: Vec<String> = Vec::with_capacity(args.len() + kwargs.len());
                for a in args {
                    parts.push(a.flat()?);
                }
                for (k, v) in kwargs {
                    parts.push(format!("{k}={}", v.flat()?));
                }
                format!("{func}({})", parts.join(", "))
            }
        })
    }

    /// Renders the expression starting at column `indent * 4 + prefix` (the text
    /// before it on its line is `prefix` wide) with `suffix` columns after it.
    /// Continuation lines are indented from `indent`.
    pub fn render(&self, indent: usize, prefix: usize, suffix: usize) -> String {
        if let Some(flat) = self.flat() {
            if indent * INDENT.len() + prefix + flat.len() + suffix <= LINE_WIDTH
                || !self.can_explode()
            {
                return flat;
            }
        }
        let inner = INDENT.repeat(indent + 1);
        let close = INDENT.repeat(indent);
        let mut out = String::new();
        match self {
            Expr::Text(s) => {
                out.push_str("(\n");
                for line in text_lines(s) {
                    let _ = writeln!(out, "{inner}{}", string_literal(line));
                }
                let _ = write!(out, "{close})");
            }
            Expr::List(items) => {
                out.push_str("[\n");
                for item in items {
                    let _ = writeln!(out, "{inner}{},", item.render(indent + 1, 0, 1));
                }
                let _ = write!(out, "{close}]");
            }
            Expr::Dict(entries) => {
                out.push_str("{\n");
                for (k, v) in entries {
                    let key = k.render(indent + 1, 0, 2);
                    let value = v.render(indent + 1, key.len() + 2, 1);
                    let _ = writeln!(out, "{inner}{key}: {value},");
                }
                let _ = write!(out, "{close}}}");
            }
            Expr::Call { func, args, kwargs } => {
                let _ = writeln!(out, "{func}(");
                for a in args {
                    let _ = writeln!(out, "{inner}{},", a.render(indent + 1, 0, 1));
                }
                for (k, v) in kwargs {
                    let _ = writeln!(out, "{inner}{k}={},", v.render(indent + 1, k.len() + 1, 1));
                }
                let _ = write!(out, "{close})");
            }
            // not explodable: handled above
            _ => out.push_str(&self.flat().unwrap_or_default()),
        }
        out
    }

    fn can_explode(&self) -> bool {
        match self {
            Expr::Text(s) => text_lines(s).len() > 1,
            Expr::List(v) => !v.is_empty(),
            Expr::Dict(v) => !v.is_empty(),
            Expr::Call { args, kwargs, .. } => !args.is_empty() || !kwargs.is_empty(),
            _ => false,
        }
    }
}

/// `s` cut after each newline (the newlines stay at the end of their line).
fn text_lines(s: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = s.split_inclusive('\n').collect();
    if lines.is_empty() {
        lines.push("");
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_quotes_backslashes_controls_and_non_ascii() {
        assert_eq!(string_literal("load"), "\"load\"");
        assert_eq!(string_literal(""), "\"\"");
        assert_eq!(string_literal("a\"b'c"), "\"a\\\"b'c\"");
        assert_eq!(string_literal("'''"), "\"'''\"");
        assert_eq!(string_literal("back\\"), "\"back\\\\\"");
        assert_eq!(string_literal("l1\nl2\r\t"), "\"l1\\nl2\\r\\t\"");
        assert_eq!(string_literal("\0\x7f"), "\"\\x00\\x7f\"");
        assert_eq!(string_literal("é名🚀"), "\"\\xe9\\u540d\\U0001f680\"");
        assert_eq!(string_literal("{{ x }}"), "\"{{ x }}\"");
        assert!(string_literal("日本\u{2028}").is_ascii());
    }

    #[test]
    fn short_calls_stay_on_one_line_long_ones_explode() {
        let short = Expr::call("f", vec![Expr::Int(1)], vec![("b", Expr::Bool(true))]);
        assert_eq!(short.render(0, 0, 0), "f(1, b=True)");
        let long = Expr::call(
            "BashOperator",
            vec![],
            vec![
                ("task_id", Expr::str("x".repeat(50))),
                (
                    "env",
                    Expr::Dict(vec![(Expr::str("K"), Expr::str("y".repeat(80)))]),
                ),
            ],
        );
        let text = long.render(1, 10, 0);
        let want = format!(
            "BashOperator(\n        task_id=\"{}\",\n        env={{\n            \"K\": \"{}\",\n        }},\n    )",
            "x".repeat(50),
            "y".repeat(80)
        );
        assert_eq!(text, want);
    }

    #[test]
    fn multi_line_text_is_one_literal_per_line() {
        let t = Expr::Text("set -e\nexec x\n".into());
        assert_eq!(
            t.render(0, 0, 0),
            "(\n    \"set -e\\n\"\n    \"exec x\\n\"\n)"
        );
        assert_eq!(Expr::Text("one".into()).render(0, 0, 0), "\"one\"");
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("TASK_IDS"));
        assert!(!is_identifier("1x"));
        assert!(!is_identifier("a-b"));
        assert!(!is_identifier(""));
    }
}
