//! A deterministic YAML emitter for `serde_json::Value` whose output reads the same under
//! YAML 1.1 (go-yaml v2 in `argo`/`kubectl`, PyYAML) and YAML 1.2.
//!
//! Block style, 2-space indentation, sequences indented under their key, mappings in
//! sequences in the usual `- key: value` form, multi-line strings as literal blocks.
//! A string (key or value) is written plain only when it is unambiguous under both YAML
//! versions: it starts with a letter, `_` or `/`, uses only a small safe alphabet, and
//! is none of the boolean/null words in any letter case. Everything else is written as a
//! double-quoted scalar with JSON-style escapes (plus escapes for every character YAML
//! does not allow raw or treats as a line break). `serde_yaml`'s own emitter is not used
//! because it leaves YAML 1.1 booleans such as `yes` or `on` unquoted.

use serde_json::{Map, Value};
use std::fmt::Write as _;

/// Serialises `value` as a YAML document (ends with a newline, no `---` marker).
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_mapping(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_sequence(&mut out, items, 0),
        // at the top level an indentation indicator would count from column -1
        Value::String(s) if literal_block_ok(s) && !s.starts_with([' ', '\n']) => {
            write_literal(&mut out, s, 0);
        }
        other => {
            out.push_str(&inline_scalar(other));
            out.push('\n');
        }
    }
    out
}

/// Serialises any `serde::Serialize` value (through `serde_json::Value`, keeping field
/// order).
pub fn to_string_from<T: serde::Serialize>(value: &T) -> Result<String, serde_json::Error> {
    Ok(to_string(&serde_json::to_value(value)?))
}

/// A string written as-is when it is safe as a plain scalar, else double-quoted.
pub fn scalar_string(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

/// True when `s` can be written unquoted and reads back as the same string under both
/// YAML 1.1 and YAML 1.2, in block context, as a key or as a value.
pub fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    // Numbers, dates, sexagesimals, `.inf`, `~` and every indicator start with
    // something other than a letter, `_` or `/`.
    if !(first.is_ascii_alphabetic() || first == '_' || first == '/') {
        return false;
    }
    if !s.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(c, '_' | '.' | '/' | ':' | '+' | '=' | '@' | '-' | ' ')
    }) {
        return false;
    }
    if s.ends_with(' ') || s.ends_with(':') || s.contains(": ") {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    !matches!(
        lower.as_str(),
        "y" | "yes"
            | "n"
            | "no"
            | "on"
            | "off"
            | "true"
            | "false"
            | "null"
            | "none"
            | "inf"
            | "nan"
            | "infinity"
    )
}

/// `s` as a double-quoted YAML scalar with JSON-compatible escapes.
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters that must not appear raw in a YAML scalar: non-printables, and the
/// characters YAML 1.1 treats as line breaks (NEL, LS, PS) or as a byte-order mark.
fn needs_escape(c: char) -> bool {
    let u = c as u32;
    u < 0x20
        || (0x7F..=0x9F).contains(&u)
        || u == 0x2028
        || u == 0x2029
        || u == 0xFEFF
        || u == 0xFFFE
        || u == 0xFFFF
        || (0xD800..=0xDFFF).contains(&u)
}

/// A multi-line string that a literal block scalar reproduces exactly.
fn literal_block_ok(s: &str) -> bool {
    s.contains('\n')
        && s.chars().any(|c| !c.is_whitespace())
        && !s.chars().any(|c| c != '\n' && c != '\t' && needs_escape(c))
        // a tab or space right after a line break could be taken as indentation
        // trouble only for the first line; the explicit indicator handles spaces,
        // tabs at a line start are refused to stay clear of parser differences
        && !s.split('\n').any(|line| line.starts_with('\t'))
}

fn inline_scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number(n),
        Value::String(s) => scalar_string(s),
        Value::Array(_) => "[]".to_string(),
        Value::Object(_) => "{}".to_string(),
    }
}

/// A number as both YAML versions read it: a float in exponent form gets a `.0`
/// mantissa and a signed exponent (`1e+20` → `1.0e+20`), since YAML 1.1 resolves a float
/// only with a dot and a signed exponent, and reads `1e+20` as a string.
fn number(n: &serde_json::Number) -> String {
    let s = n.to_string();
    let Some(at) = s.find(['e', 'E']) else {
        return s;
    };
    let (mantissa, exponent) = (&s[..at], &s[at + 1..]);
    let mantissa = if mantissa.contains('.') {
        mantissa.to_string()
    } else {
        format!("{mantissa}.0")
    };
    let sign = if exponent.starts_with(['+', '-']) {
        ""
    } else {
        "+"
    };
    format!("{mantissa}e{sign}{exponent}")
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Writes the literal block header (after `key: ` or `- `) and its content lines at
/// `parent + 2` columns.
fn write_literal(out: &mut String, s: &str, parent: usize) {
    let trailing = s.len() - s.trim_end_matches('\n').len();
    let body = s.trim_end_matches('\n');
    out.push('|');
    if body.starts_with(' ') || body.starts_with('\n') {
        out.push('2');
    }
    match trailing {
        0 => out.push('-'),
        1 => {}
        _ => out.push('+'),
    }
    out.push('\n');
    for line in body.split('\n') {
        if !line.is_empty() {
            indent(out, parent + 2);
            out.push_str(line);
        }
        out.push('\n');
    }
    for _ in 1..trailing {
        out.push('\n');
    }
}

/// Writes a value after `key:` or `-` has been written (no space yet), at `level`
/// = the column of the key or dash.
fn write_value_after_indicator(out: &mut String, v: &Value, level: usize, in_sequence: bool) {
    match v {
        Value::Object(map) if !map.is_empty() => {
            if in_sequence {
                out.push(' ');
                write_mapping_body(out, map, level + 2, true);
            } else {
                out.push('\n');
                write_mapping(out, map, level + 2);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_sequence(out, items, level + 2);
        }
        Value::String(s) if literal_block_ok(s) => {
            out.push(' ');
            write_literal(out, s, level);
        }
        other => {
            out.push(' ');
            out.push_str(&inline_scalar(other));
            out.push('\n');
        }
    }
}

fn write_mapping(out: &mut String, map: &Map<String, Value>, level: usize) {
    write_mapping_body(out, map, level, false);
}

/// Writes `key: value` entries at `level`; when `first_inline`, the first key follows
/// a `- ` already written on the current line.
fn write_mapping_body(
    out: &mut String,
    map: &Map<String, Value>,
    level: usize,
    first_inline: bool,
) {
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 || !first_inline {
            indent(out, level);
        }
        let key = scalar_key(k);
        if key.len() > MAX_SIMPLE_KEY {
            // an implicit key is limited to 1024 characters (libyaml, go-yaml): long
            // keys are written as explicit `? key` / `: value` entries
            out.push_str("? ");
            out.push_str(&key);
            out.push('\n');
            indent(out, level);
        } else {
            out.push_str(&key);
        }
        out.push(':');
        write_value_after_indicator(out, v, level, false);
    }
}

/// Longest key written in the implicit `key: value` form (PyYAML's emitter uses 128 too).
const MAX_SIMPLE_KEY: usize = 128;

fn scalar_key(k: &str) -> String {
    scalar_string(k)
}

fn write_sequence(out: &mut String, items: &[Value], level: usize) {
    for item in items {
        indent(out, level);
        out.push('-');
        write_value_after_indicator(out, item, level, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Strings that are easy to get wrong under YAML 1.1, YAML 1.2 or both.
    fn tricky() -> Vec<String> {
        let mut v: Vec<String> = [
            "",
            " ",
            "  ",
            "a",
            "plain",
            "with space",
            " lead",
            "trail ",
            "y",
            "Y",
            "yes",
            "Yes",
            "YES",
            "yEs",
            "n",
            "N",
            "no",
            "No",
            "NO",
            "on",
            "On",
            "ON",
            "oN",
            "off",
            "Off",
            "OFF",
            "true",
            "True",
            "TRUE",
            "false",
            "False",
            "FALSE",
            "null",
            "Null",
            "NULL",
            "~",
            "None",
            "0",
            "1",
            "-1",
            "+1",
            "1_000",
            "0o7",
            "0x1F",
            "0b101",
            "007",
            "0755",
            "1:30",
            "190:20:30",
            ".5",
            "1.",
            "1e3",
            "1E3",
            "-1.5e-3",
            ".inf",
            "-.inf",
            ".Inf",
            ".NAN",
            ".nan",
            "inf",
            "nan",
            "2024-01-01",
            "2001-12-14t21:59:43.10-05:00",
            "2001-12-14 21:59:43.10 -5",
            "-",
            "--",
            "---",
            "...",
            "- a",
            "-a",
            "?",
            "? a",
            ":",
            ":a",
            "a:",
            "a: b",
            "a:b",
            "http://x.y/z",
            "a #b",
            "a#b",
            "#c",
            ",",
            "[a]",
            "{a}",
            "]",
            "}",
            "&a",
            "*a",
            "!a",
            "!!str",
            "|",
            ">",
            "'",
            "\"",
            "%",
            "@a",
            "`a`",
            "a'b",
            "a\"b",
            "a\\b",
            "=",
            "<<",
            "a\nb",
            "a\n",
            "a\n\n",
            "\na",
            "\n",
            "\n\n",
            " a\nb",
            "  x\n y\n",
            "a\n  b\n\n\n",
            "tab\there",
            "\tlead",
            "a\n\tb",
            "a\r\nb",
            "nul\0",
            "bell\u{7}",
            "del\u{7f}",
            "nel\u{85}x",
            "ls\u{2028}x",
            "ps\u{2029}x",
            "bom\u{feff}",
            "é",
            "日本語",
            "emoji 😀",
            "a\n😀\n",
            "{{inputs.parameters.task_name}}",
            "$(touch MARKER)",
            "`touch MARKER`",
            "set -euo pipefail\nexec \"$X\"\n",
            "argoproj.io/v1alpha1",
            "continuumio/miniconda3",
            "task_name",
            "clean.1",
            "key with: colon",
            "trailing colon:",
            "x -- y",
            "x # y",
            "0.0.1",
            "1.0",
            "v1.0",
            "1a",
            "a1",
            "NaN",
            "Infinity",
            "-.5",
            "+.5",
            "0_7",
            "_1",
            "/abs/path",
            "a=b",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.push("x".repeat(300));
        v
    }

    fn roundtrip_serde_yaml(doc: &str) -> Value {
        serde_yaml::from_str(doc).unwrap_or_else(|e| panic!("serde_yaml failed: {e}\n{doc}"))
    }

    fn roundtrip_yaml_rust2(doc: &str) -> Value {
        let docs = yaml_rust2::YamlLoader::load_from_str(doc)
            .unwrap_or_else(|e| panic!("yaml-rust2 failed: {e}\n{doc}"));
        assert_eq!(docs.len(), 1, "{doc}");
        to_json(&docs[0])
    }

    fn to_json(y: &yaml_rust2::Yaml) -> Value {
        use yaml_rust2::Yaml;
        match y {
            Yaml::String(s) => Value::String(s.clone()),
            Yaml::Integer(i) => json!(i),
            Yaml::Real(r) => json!(r.parse::<f64>().expect("real")),
            Yaml::Boolean(b) => json!(b),
            Yaml::Null => Value::Null,
            Yaml::Array(a) => Value::Array(a.iter().map(to_json).collect()),
            Yaml::Hash(h) => {
                let mut m = Map::new();
                for (k, v) in h {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        other => format!("<non-string key {other:?}>"),
                    };
                    m.insert(key, to_json(v));
                }
                Value::Object(m)
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    fn assert_roundtrip(v: &Value) {
        let doc = to_string(v);
        assert_eq!(&roundtrip_serde_yaml(&doc), v, "serde_yaml, doc:\n{doc}");
        assert_eq!(&roundtrip_yaml_rust2(&doc), v, "yaml-rust2, doc:\n{doc}");
    }

    #[test]
    fn tricky_strings_survive_as_values_keys_and_items() {
        for s in tricky() {
            assert_roundtrip(&json!({ "k": s }));
            assert_roundtrip(&json!([s]));
            assert_roundtrip(&json!([{ "k": s, "other": s }]));
            assert_roundtrip(&json!({ "outer": { "inner": [s, { "x": s }] } }));
            let mut m = Map::new();
            m.insert(s.clone(), json!("v"));
            assert_roundtrip(&Value::Object(m));
            assert_roundtrip(&Value::String(s.clone()));
        }
    }

    #[test]
    fn nested_structures_and_scalars_roundtrip() {
        let v = json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "spec": {
                "templates": [
                    { "name": "a", "dag": { "tasks": [ { "name": "x", "depends": "a && b" } ] } },
                    { "name": "b", "script": { "command": ["bash"], "source": "set -e\necho hi\n" } }
                ],
                "empty_map": {},
                "empty_list": [],
                "nested": [[1, 2], [], [{}], [[true, null]]],
                "num": 1.5,
                "neg": -3,
                "flag": false,
                "nothing": null
            }
        });
        assert_roundtrip(&v);
    }

    #[test]
    fn layout_is_block_style_with_two_space_indent() {
        let v = json!({
            "a": [ { "name": "x", "value": "yes" }, "plain" ],
            "b": { "c": "line1\nline2\n" }
        });
        assert_eq!(
            to_string(&v),
            "a:\n  - name: x\n    value: \"yes\"\n  - plain\nb:\n  c: |\n    line1\n    line2\n"
        );
    }

    /// Every YAML 1.1 resolution form (bool, null, int, float, sexagesimal, timestamp,
    /// merge, value) must come out quoted.
    #[test]
    fn no_yaml_1_1_special_form_is_emitted_plain() {
        let forms = [
            "y",
            "Y",
            "yes",
            "Yes",
            "YES",
            "n",
            "N",
            "no",
            "No",
            "NO",
            "true",
            "True",
            "TRUE",
            "false",
            "False",
            "FALSE",
            "on",
            "On",
            "ON",
            "off",
            "Off",
            "OFF",
            "null",
            "Null",
            "NULL",
            "~",
            "",
            "0b1010",
            "0b1_0",
            "+0b1",
            "012",
            "0_12",
            "-012",
            "0",
            "10",
            "1_000",
            "-1_0",
            "+12",
            "0x1F",
            "0x_1F",
            "-0xA",
            "190:20:30",
            "1:30",
            "-1:30",
            "1.5",
            "1_0.5",
            ".5",
            "+.5",
            "-.5",
            "1.",
            "1e3",
            "1.0e+3",
            "6.8523015e+5",
            "190:20:30.15",
            ".inf",
            "-.inf",
            "+.inf",
            ".Inf",
            ".INF",
            ".nan",
            ".NaN",
            ".NAN",
            "2002-12-14",
            "2001-12-14t21:59:43.10-05:00",
            "2001-12-14 21:59:43.10 -5",
            "2001-12-15T02:59:43.1Z",
            "<<",
            "=",
            "0o17",
            "0O17",
        ];
        for f in forms {
            let out = to_string(&json!({ "k": f }));
            assert!(out.starts_with("k: \""), "{f:?} was emitted plain: {out:?}");
            let out = to_string(&json!({ f: 1 }));
            assert!(out.starts_with('"'), "key {f:?} was emitted plain: {out:?}");
        }
    }

    #[test]
    fn safe_words_stay_plain() {
        for s in [
            "bash",
            "run-task",
            "argoproj.io/v1alpha1",
            "/mnt/vol",
            "task_name",
            "a b",
        ] {
            assert!(is_plain_safe(s), "{s}");
        }
    }

    #[test]
    fn literal_blocks_keep_leading_spaces_and_trailing_newlines() {
        assert_eq!(to_string(&json!({"k": " a\nb"})), "k: |2-\n   a\n  b\n");
        assert_eq!(to_string(&json!({"k": "a\n\n"})), "k: |+\n  a\n\n");
        assert_eq!(to_string(&json!({"k": "a\nb"})), "k: |-\n  a\n  b\n");
    }
}
