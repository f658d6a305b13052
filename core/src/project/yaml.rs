//! YAML reading with PyYAML's `safe_load` rules (YAML 1.1 scalar resolution), because
//! Ploomber reads every project file that way: `yes`/`off` are booleans, `007` is octal,
//! `1_000` an integer, `1:30` sexagesimal, `~` null, and `<<` merge keys work. Every
//! node keeps its line so errors can point at the exact spot.
//!
//! Hostile input is bounded: alias expansion and nesting depth have limits, so an alias
//! bomb or a deeply nested document ends with a clear error instead of exhausting memory.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A YAML value after PyYAML 1.1 resolution.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A value with the 1-based line where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: usize,
}

impl Node {
    pub fn new(value: Value, line: usize) -> Node {
        Node { value, line }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The value under a string key of a mapping (the last one, as PyYAML keeps).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// Moves the value of `key` out (the last one, as [`Node::get`] reads), leaving
    /// null in its place.
    pub fn take(&mut self, key: &str) -> Option<Node> {
        let Value::Map(entries) = &mut self.value else {
            return None;
        };
        let (_, v) = entries
            .iter_mut()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))?;
        let line = v.line;
        Some(std::mem::replace(v, Node::new(Value::Null, line)))
    }

    /// A short name of the value's type, as Python would call it.
    pub fn type_name(&self) -> &'static str {
        self.value.type_name()
    }
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Seq(_) => "list",
            Value::Map(_) => "dict",
        }
    }

    /// The value as Python's `str()` prints it (used for grid names and keys).
    pub fn python_str(&self) -> String {
        match self {
            Value::Null => "None".into(),
            Value::Bool(true) => "True".into(),
            Value::Bool(false) => "False".into(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => python_float(*f),
            Value::Str(s) => s.clone(),
            Value::Seq(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(|n| n.value.python_repr())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Map(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", k.value.python_repr(), v.value.python_repr()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The value as Python's `repr()` prints it.
    pub fn python_repr(&self) -> String {
        match self {
            Value::Str(s) => {
                if s.contains('\'') && !s.contains('"') {
                    format!("\"{s}\"")
                } else {
                    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
                }
            }
            other => other.python_str(),
        }
    }

    /// Converts to JSON (map keys become their Python `str()`).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or_else(|| J::String(python_float(*f))),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(|n| n.value.to_json()).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.value.python_str(), v.value.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Python's `str(float)`.
pub fn python_float(f: f64) -> String {
    if f.is_nan() {
        "nan".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        }
    } else if f == f.trunc() && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        let s = format!("{f}");
        if s.contains('e') || s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    }
}

/// A YAML syntax error or a limit hit, with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub line: usize,
    /// The parser's own syntax error (an unquoted `{{ }}` placeholder is a likely
    /// cause), as opposed to a document that parses but breaks a rule or a limit.
    pub syntax: bool,
}

/// Most nodes one document may expand to through aliases (an alias bomb stops here).
const MAX_NODES: usize = 2_000_000;
/// Deepest nesting accepted.
const MAX_DEPTH: usize = 200;

/// Parses one YAML document (PyYAML `safe_load`). An empty document is `Null`. A
/// leading UTF-8 byte order mark is skipped, as PyYAML's scanner skips it (editors on
/// Windows write one); CRLF line endings are plain line breaks to both parsers.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(node) = super::yaml_chunks::parse_in_parallel(text) {
        return Ok(node);
    }
    parse_one(text).map(|(node, _)| node)
}

/// What [`parse_one`] noticed about a document besides its value.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Facts {
    /// An anchor or an alias occurs (they can reach across a split document).
    pub anchors_or_aliases: bool,
    /// Deepest collection nesting.
    pub depth: usize,
}

/// [`parse`] of one whole text, without splitting it.
pub(crate) fn parse_one(text: &str) -> Result<(Node, Facts), YamlError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut builder, false) {
        // the parser's own depth guard is a limit, not a syntax error
        let too_deep = e.info().contains("recursion limit");
        return Err(YamlError {
            message: if too_deep {
                format!("the document is nested too deeply ({})", e.info())
            } else {
                e.info().to_string()
            },
            line: e.marker().line(),
            syntax: !too_deep,
        });
    }
    if let Some(err) = builder.error {
        return Err(err);
    }
    let root = builder.root.unwrap_or_else(|| Node::new(Value::Null, 1));
    Ok((root, builder.facts))
}

enum Frame {
    Seq {
        items: Vec<Node>,
        line: usize,
        anchor: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
        /// The pending key is a plain `<<` (a merge, not an ordinary key).
        pending_merge: bool,
        /// Indices in `entries` of the merge entries.
        merges: Vec<usize>,
        line: usize,
        anchor: usize,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    nodes: usize,
    error: Option<YamlError>,
    facts: Facts,
}

impl Builder {
    fn fail(&mut self, message: String, line: usize) {
        if self.error.is_none() {
            self.error = Some(YamlError {
                message,
                line,
                syntax: false,
            });
        }
    }

    fn push_value(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                pending_merge,
                merges,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => {
                    if std::mem::take(pending_merge) {
                        merges.push(entries.len());
                    }
                    entries.push((key, node))
                }
            },
        }
    }
}

fn count_nodes(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| count_nodes(k) + count_nodes(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let line = mark.line();
        match &ev {
            Event::Scalar(_, _, anchor, _) => self.facts.anchors_or_aliases |= *anchor > 0,
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.facts.anchors_or_aliases |= *anchor > 0;
                self.facts.depth = self.facts.depth.max(self.stack.len() + 1);
            }
            Event::Alias(_) => self.facts.anchors_or_aliases = true,
            _ => {}
        }
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                self.nodes += 1;
                let is_key = matches!(
                    self.stack.last(),
                    Some(Frame::Map {
                        pending_key: None,
                        ..
                    })
                );
                if is_key && style == TScalarStyle::Plain && tag.is_none() && text == "<<" {
                    // Only a plain `<<` key merges (a quoted "<<" is an ordinary string).
                    if let Some(Frame::Map { pending_merge, .. }) = self.stack.last_mut() {
                        *pending_merge = true;
                    }
                }
                let value = match resolve_scalar(&text, style, tag.as_ref()) {
                    Ok(v) => v,
                    Err(msg) => return self.fail(msg, line),
                };
                let node = Node::new(value, line);
                if anchor > 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                self.push_value(node);
            }
            Event::SequenceStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    return self.fail(
                        format!("the document is nested more than {MAX_DEPTH} levels deep"),
                        line,
                    );
                }
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    line,
                    anchor,
                });
            }
            Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    return self.fail(
                        format!("the document is nested more than {MAX_DEPTH} levels deep"),
                        line,
                    );
                }
                self.stack.push(Frame::Map {
                    entries: Vec::new(),
                    pending_key: None,
                    pending_merge: false,
                    merges: Vec::new(),
                    line,
                    anchor,
                });
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq {
                    items,
                    line,
                    anchor,
                }) = self.stack.pop()
                {
                    self.nodes += 1;
                    let node = Node::new(Value::Seq(items), line);
                    if anchor > 0 {
                        self.anchors.insert(anchor, node.clone());
                    }
                    self.push_value(node);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    entries,
                    merges,
                    line,
                    anchor,
                    ..
                }) = self.stack.pop()
                {
                    self.nodes += 1;
                    let entries = match apply_merge_keys(entries, &merges) {
                        Ok(e) => e,
                        Err(msg) => return self.fail(msg, line),
                    };
                    let node = Node::new(Value::Map(entries), line);
                    if anchor > 0 {
                        self.anchors.insert(anchor, node.clone());
                    }
                    self.push_value(node);
                }
            }
            Event::Alias(id) => {
                let Some(node) = self.anchors.get(&id).cloned() else {
                    return self.fail("found an alias to an unknown anchor".into(), line);
                };
                self.nodes += count_nodes(&node);
                if self.nodes > MAX_NODES {
                    return self.fail(
                        format!("the document expands to more than {MAX_NODES} values through aliases (an alias bomb?)"),
                        line,
                    );
                }
                self.push_value(node);
            }
            _ => {}
        }
    }
}

/// `<<: *base` and `<<: [*a, *b]` merge keys (PyYAML supports them in safe_load):
/// explicit keys win over merged ones; earlier merged mappings win over later ones.
fn apply_merge_keys(
    entries: Vec<(Node, Node)>,
    merges: &[usize],
) -> Result<Vec<(Node, Node)>, String> {
    if merges.is_empty() {
        return Ok(entries);
    }
    let identity = |n: &Node| format!("{}:{}", n.type_name(), n.value.python_repr());
    let mut merged: Vec<(Node, Node)> = Vec::new();
    let mut merged_keys = std::collections::HashSet::new();
    let mut own: Vec<(Node, Node)> = Vec::new();
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if !merges.contains(&i) {
            own.push((k, v));
            continue;
        }
        let sources: Vec<Node> = match v.value {
            Value::Map(_) => vec![v],
            Value::Seq(items) => items,
            _ => {
                return Err(
                    "expected a mapping or list of mappings for merging (the value of '<<')"
                        .to_string(),
                )
            }
        };
        for src in sources {
            let Value::Map(m) = src.value else {
                return Err(
                    "expected a mapping for merging, but found another kind of value in the '<<' list"
                        .to_string(),
                );
            };
            for (mk, mv) in m {
                if merged_keys.insert(identity(&mk)) {
                    merged.push((mk, mv));
                }
            }
        }
    }
    let own_keys: std::collections::HashSet<String> =
        own.iter().map(|(k, _)| identity(k)).collect();
    merged.retain(|(mk, _)| !own_keys.contains(&identity(mk)));
    merged.extend(own);
    Ok(merged)
}

fn resolve_scalar(text: &str, style: TScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    if let Some(tag) = tag {
        let suffix = tag.suffix.as_str();
        let standard = tag.handle == "!!" || tag.handle == "tag:yaml.org,2002:";
        if standard {
            return match suffix {
                "str" => Ok(Value::Str(text.to_string())),
                "int" => resolve_int(text).map(Value::Int).ok_or_else(|| format!("'{text}' is not an int")),
                "float" => resolve_float(text).map(Value::Float).ok_or_else(|| format!("'{text}' is not a float")),
                "bool" => resolve_bool(text).map(Value::Bool).ok_or_else(|| format!("'{text}' is not a bool")),
                "null" => Ok(Value::Null),
                other => Err(format!(
                    "the tag !!{other} is not supported by safe YAML loading (Ploomber uses yaml.safe_load)"
                )),
            };
        }
        if !(tag.handle == "!" && suffix.is_empty()) {
            return Err(format!(
                "could not determine a constructor for the tag '{}{}' (Ploomber reads YAML with yaml.safe_load, which only allows standard tags)",
                tag.handle, suffix
            ));
        }
        return Ok(Value::Str(text.to_string()));
    }
    if style != TScalarStyle::Plain {
        return Ok(Value::Str(text.to_string()));
    }
    Ok(resolve_plain(text))
}

/// Resolves a plain scalar with PyYAML's YAML 1.1 implicit resolvers.
pub fn resolve_plain(text: &str) -> Value {
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Value::Null;
    }
    if let Some(b) = resolve_bool(text) {
        return Value::Bool(b);
    }
    if let Some(i) = resolve_int(text) {
        return Value::Int(i);
    }
    if let Some(f) = resolve_float(text) {
        return Value::Float(f);
    }
    Value::Str(text.to_string())
}

fn resolve_bool(text: &str) -> Option<bool> {
    match text {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

fn split_sign(text: &str) -> (i64, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (-1, &text[1..]),
        Some(b'+') => (1, &text[1..]),
        _ => (1, text),
    }
}

fn all_in(s: &str, allowed: impl Fn(u8) -> bool) -> bool {
    !s.is_empty() && s.bytes().all(allowed)
}

/// PyYAML's int resolver: binary, octal (leading 0), decimal, hex, sexagesimal; `_` allowed.
fn resolve_int(text: &str) -> Option<i64> {
    let (sign, body) = split_sign(text);
    if body.is_empty() {
        return None;
    }
    let digits = |s: &str| s.replace('_', "");
    let value = if let Some(rest) = body.strip_prefix("0b") {
        if !all_in(rest, |b| b == b'0' || b == b'1' || b == b'_') {
            return None;
        }
        i64::from_str_radix(&digits(rest), 2).ok()?
    } else if let Some(rest) = body.strip_prefix("0x") {
        if !all_in(rest, |b| b.is_ascii_hexdigit() || b == b'_') {
            return None;
        }
        i64::from_str_radix(&digits(rest), 16).ok()?
    } else if body.contains(':') {
        // sexagesimal: [1-9][0-9_]*(:[0-5]?[0-9])+
        let mut parts = body.split(':');
        let first = parts.next()?;
        if !first.as_bytes().first()?.is_ascii_digit()
            || first.starts_with('0')
            || !all_in(first, |b| b.is_ascii_digit() || b == b'_')
        {
            return None;
        }
        let mut value: i64 = digits(first).parse().ok()?;
        for part in parts {
            if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            if part.len() == 2 && part.as_bytes()[0] > b'5' {
                return None;
            }
            value = value
                .checked_mul(60)?
                .checked_add(part.parse::<i64>().ok()?)?;
        }
        value
    } else if body.starts_with('0') && body.len() > 1 {
        if !all_in(&body[1..], |b| (b'0'..=b'7').contains(&b) || b == b'_') {
            return None;
        }
        let d = digits(&body[1..]);
        if d.is_empty() {
            0
        } else {
            i64::from_str_radix(&d, 8).ok()?
        }
    } else {
        if !body.as_bytes()[0].is_ascii_digit()
            || !all_in(body, |b| b.is_ascii_digit() || b == b'_')
        {
            return None;
        }
        // parsed with its sign: the magnitude of i64::MIN is no i64
        let signed = format!("{}{}", if sign < 0 { "-" } else { "" }, digits(body));
        return signed.parse().ok();
    };
    Some(sign * value)
}

/// PyYAML's float resolver (a `.` is required; `1e3` is a string in YAML 1.1).
fn resolve_float(text: &str) -> Option<f64> {
    match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    let (sign, body) = split_sign(text);
    if body.contains(':') {
        // sexagesimal float: [0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*
        let (int_part, frac) = body.rsplit_once('.')?;
        if !frac.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
            return None;
        }
        let mut parts = int_part.split(':');
        let first = parts.next()?;
        if !all_in(first, |b| b.is_ascii_digit() || b == b'_')
            || !first.as_bytes()[0].is_ascii_digit()
        {
            return None;
        }
        let mut value: f64 = first.replace('_', "").parse().ok()?;
        let mut any = false;
        for part in parts {
            any = true;
            if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            value = value * 60.0 + part.parse::<f64>().ok()?;
        }
        if !any {
            return None;
        }
        let frac: f64 = format!("0.{}", frac.replace('_', ""))
            .parse()
            .unwrap_or(0.0);
        return Some(sign as f64 * (value + frac));
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int_part, frac_part) = mantissa.split_once('.')?;
    if int_part.is_empty() {
        // \.[0-9_]+ (no sign allowed by PyYAML, but tolerate it as Python float does)
        if !all_in(frac_part, |b| b.is_ascii_digit() || b == b'_') {
            return None;
        }
    } else if !int_part.as_bytes()[0].is_ascii_digit()
        || !int_part.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        || !frac_part.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    if let Some(exp) = exponent {
        // [eE][-+][0-9]+ : the sign is mandatory in PyYAML's resolver
        let (first, digits) = (exp.as_bytes().first()?, exp.get(1..)?);
        if !(*first == b'-' || *first == b'+') || !all_in(digits, |b| b.is_ascii_digit()) {
            return None;
        }
    }
    let cleaned = body.replace('_', "");
    let v: f64 = if cleaned.starts_with('.') {
        format!("0{cleaned}").parse().ok()?
    } else {
        cleaned.parse().ok()?
    };
    Some(sign as f64 * v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leading_byte_order_mark_and_crlf_are_read_as_pyyaml_reads_them() {
        let doc = parse("\u{feff}tasks:\r\n  - source: a.py\r\n    name: x\r\n").unwrap();
        let tasks = doc.get("tasks").and_then(|t| t.as_seq()).unwrap();
        assert_eq!(tasks[0].get("name").unwrap().value.python_str(), "x");
        assert_eq!(tasks[0].line, 2);
    }

    fn plain(s: &str) -> Value {
        resolve_plain(s)
    }

    #[test]
    fn yaml_11_booleans_but_not_y_and_n() {
        for s in ["yes", "Yes", "YES", "on", "ON", "true"] {
            assert_eq!(plain(s), Value::Bool(true), "{s}");
        }
        for s in ["no", "off", "Off", "FALSE"] {
            assert_eq!(plain(s), Value::Bool(false), "{s}");
        }
        assert_eq!(plain("y"), Value::Str("y".into()));
        assert_eq!(plain("n"), Value::Str("n".into()));
        assert_eq!(plain("yEs"), Value::Str("yEs".into()));
    }

    #[test]
    fn yaml_11_integers() {
        assert_eq!(plain("007"), Value::Int(7));
        assert_eq!(plain("010"), Value::Int(8));
        assert_eq!(plain("1_000"), Value::Int(1000));
        assert_eq!(plain("1:30"), Value::Int(90));
        assert_eq!(plain("0x1F"), Value::Int(31));
        assert_eq!(plain("0b101"), Value::Int(5));
        assert_eq!(plain("-12"), Value::Int(-12));
        assert_eq!(plain("0"), Value::Int(0));
        assert_eq!(plain("08"), Value::Str("08".into()));
        assert_eq!(plain("1:70"), Value::Str("1:70".into()));
    }

    #[test]
    fn yaml_11_floats_need_a_dot() {
        assert_eq!(plain("1.5"), Value::Float(1.5));
        assert_eq!(plain(".5"), Value::Float(0.5));
        assert_eq!(plain("1."), Value::Float(1.0));
        assert_eq!(plain("1.0e+3"), Value::Float(1000.0));
        assert_eq!(plain("1e3"), Value::Str("1e3".into()));
        assert_eq!(plain("1.0e3"), Value::Str("1.0e3".into()));
        assert!(matches!(plain(".nan"), Value::Float(f) if f.is_nan()));
        assert_eq!(plain("-.inf"), Value::Float(f64::NEG_INFINITY));
        assert_eq!(plain("1:30.5"), Value::Float(90.5));
    }

    #[test]
    fn nulls() {
        for s in ["~", "null", "Null", "NULL", ""] {
            assert_eq!(plain(s), Value::Null);
        }
        assert_eq!(plain("none"), Value::Str("none".into()));
    }

    #[test]
    fn quoted_scalars_stay_strings_and_lines_are_kept() {
        let doc = parse("a: 'yes'\nb: yes\nc:\n  - \"007\"\n  - 007\n").unwrap();
        assert_eq!(doc.get("a").unwrap().value, Value::Str("yes".into()));
        assert_eq!(doc.get("b").unwrap().value, Value::Bool(true));
        let c = doc.get("c").unwrap().as_seq().unwrap();
        assert_eq!(c[0].value, Value::Str("007".into()));
        assert_eq!(c[1].value, Value::Int(7));
        assert_eq!(c[1].line, 5);
    }

    #[test]
    fn merge_keys_and_aliases() {
        let doc = parse("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n").unwrap();
        let d = doc.get("d").unwrap();
        assert_eq!(d.get("x").unwrap().value, Value::Int(1));
        assert_eq!(d.get("y").unwrap().value, Value::Int(3));
        assert_eq!(d.as_map().unwrap().len(), 2);
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            doc.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                p = i - 1
            ));
        }
        let err = parse(&doc).unwrap_err();
        assert!(err.message.contains("alias"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let doc = "[".repeat(5000) + &"]".repeat(5000);
        assert!(parse(&doc).is_err());
    }

    #[test]
    fn syntax_errors_carry_the_line() {
        let err = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
    }

    #[test]
    fn python_str_of_values() {
        assert_eq!(Value::Float(0.5).python_str(), "0.5");
        assert_eq!(Value::Float(1.0).python_str(), "1.0");
        assert_eq!(Value::Bool(true).python_str(), "True");
        let seq = Value::Seq(vec![
            Node::new(Value::Int(1), 1),
            Node::new(Value::Str("a".into()), 1),
        ]);
        assert_eq!(seq.python_str(), "[1, 'a']");
    }

    #[test]
    fn only_a_plain_merge_key_merges() {
        let doc = parse("\"<<\": 1\nx: 2\n").unwrap();
        assert_eq!(doc.get("<<").unwrap().value, Value::Int(1));
        let err = parse("a: &a 1\nb:\n  <<: *a\n").unwrap_err();
        assert!(err.message.contains("merging"), "{}", err.message);
    }

    #[test]
    fn a_quoted_key_that_spells_an_internal_marker_is_just_a_string() {
        // found by the yaml_emitter fuzz target: keys are data, whatever they contain
        let doc = parse("\"\\0<<\": null\n").unwrap();
        assert_eq!(doc.as_map().unwrap().len(), 1);
        assert_eq!(doc.as_map().unwrap()[0].0.value, Value::Str("\0<<".into()));
    }
}
