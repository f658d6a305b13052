//! Jinja rendering of placeholders (`{{key}}`, `{{path.data}}`, filters, expressions)
//! with strict undefined, as Ploomber renders env files and specs. Also records which
//! placeholders were used, so machine-dependent ones can be pinned for the pods.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::Path;

use minijinja::{Environment, UndefinedBehavior};

use crate::diagnostics::{UserError, UserResult};

use super::yaml::{Node, Value};

/// Placeholders whose value differs from pod to pod (or from the exporting machine):
/// pinned at export time so every pod sees one value. `cwd` is not among them: every
/// pod computes the same working directory (the project folder it runs in), so it is
/// reported instead of pinned.
pub const MACHINE_DEPENDENT: &[&str] = &["now", "user", "git", "git_hash"];

/// Renders strings against one context (the expanded env).
pub struct Renderer {
    jinja: Environment<'static>,
    context: minijinja::Value,
    available: BTreeSet<String>,
    used: RefCell<BTreeSet<String>>,
}

/// True when a string holds Jinja syntax that needs rendering.
pub fn has_jinja(s: &str) -> bool {
    s.contains("{{") || s.contains("{%")
}

/// A Jinja environment that formats values as Python's Jinja does (`True`, `None`).
pub fn python_like_environment() -> Environment<'static> {
    let mut jinja = Environment::new();
    jinja.set_undefined_behavior(UndefinedBehavior::Strict);
    jinja.set_fuel(Some(5_000_000));
    jinja.set_recursion_limit(100);
    jinja.set_formatter(|out, state, value| {
        if value.kind() == minijinja::value::ValueKind::Bool {
            out.write_str(if value.is_true() { "True" } else { "False" })?;
            Ok(())
        } else if value.is_none() {
            out.write_str("None")?;
            Ok(())
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    jinja
}

impl Renderer {
    /// A renderer whose context is the given mapping node.
    pub fn new(context: &Node) -> Renderer {
        let json = context.value.to_json();
        let available = match &context.value {
            Value::Map(entries) => entries.iter().map(|(k, _)| k.value.python_str()).collect(),
            _ => BTreeSet::new(),
        };
        Renderer {
            jinja: python_like_environment(),
            context: minijinja::Value::from(minijinja::value::Serde(json)),
            available,
            used: RefCell::new(BTreeSet::new()),
        }
    }

    /// Names of every placeholder rendered so far.
    pub fn used(&self) -> BTreeSet<String> {
        self.used.borrow().clone()
    }

    /// Renders one string; undefined placeholders are an error naming each of them.
    pub fn render(&self, s: &str, file: &Path, line: usize) -> UserResult<String> {
        if !has_jinja(s) {
            return Ok(s.to_string());
        }
        let template = self.jinja.template_from_str(s).map_err(|e| {
            UserError::new(format!(
                "invalid placeholder syntax in '{s}': {}",
                jinja_reason(&e)
            ))
            .in_file(file)
            .at_line(line)
            .with_hint("placeholders look like {{name}} or {{name.key}}; check the braces")
        })?;
        let names = template.undeclared_variables(false);
        // Ploomber renders a value only when it names a placeholder
        // (`EnvironmentExpander.expand_raw_value`: no undeclared variable, no
        // rendering), so `a{{ 7 * 6 }}b` and `{% if true %}x{% endif %}` stay as written.
        if names.is_empty() {
            return Ok(s.to_string());
        }
        let mut missing: Vec<&String> = names
            .iter()
            .filter(|n| !self.available.contains(*n))
            .collect();
        if !missing.is_empty() {
            missing.sort();
            let list: Vec<String> = missing
                .iter()
                .map(|n| format!("{{{{{n}}}}}: {}", missing_hint(n)))
                .collect();
            return Err(UserError::new(format!(
                "undefined placeholder{} in '{s}': {}",
                if missing.len() > 1 { "s" } else { "" },
                list.join("; ")
            ))
            .in_file(file)
            .at_line(line)
            .with_hint("define the key in env.yaml (next to pipeline.yaml), or fix the name")
            .suggest(missing[0], &self.available));
        }
        self.used.borrow_mut().extend(names.iter().cloned());
        template.render(&self.context).map_err(|e| {
            UserError::new(format!("cannot render '{s}': {}", jinja_reason(&e)))
                .in_file(file)
                .at_line(line)
                .with_hint("check the placeholder's keys and filters against env.yaml")
        })
    }

    /// Renders every string value inside `node` (keys are left as they are).
    pub fn render_node(&self, node: &mut Node, file: &Path) -> UserResult<()> {
        match &mut node.value {
            Value::Str(s) if has_jinja(s) => {
                *s = self.render(s, file, node.line)?;
            }
            Value::Seq(items) => {
                for item in items {
                    self.render_node(item, file)?;
                }
            }
            Value::Map(entries) => {
                for (_, v) in entries {
                    self.render_node(v, file)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

pub(crate) fn jinja_reason(e: &minijinja::Error) -> String {
    match e.detail() {
        Some(d) => format!("{} ({d})", e.kind()),
        None => e.kind().to_string(),
    }
}

/// Ploomber's hint for each kind of missing placeholder (§4.4).
pub fn missing_hint(name: &str) -> &'static str {
    match name {
        "git" | "git_hash" => "Ensure git is installed and git repository exists",
        "here" => "Ensure the spec was initialized from a file",
        "root" => "Ensure a pipeline.yaml or setup.py exist in the current directory or a parent directory",
        "env" => "{{env.X}} only works inside env.yaml values, not in pipeline.yaml",
        _ => "Ensure the placeholder is defined in the env",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::yaml::parse;

    #[test]
    fn renders_nested_keys_and_formats_like_python() {
        let ctx = parse("path: {data: /d}\nflag: true\nn: 3\n").unwrap();
        let r = Renderer::new(&ctx);
        let p = Path::new("pipeline.yaml");
        assert_eq!(r.render("{{path.data}}/x.csv", p, 1).unwrap(), "/d/x.csv");
        assert_eq!(r.render("{{flag}}-{{n}}", p, 1).unwrap(), "True-3");
        assert_eq!(r.render("[[x]]", p, 1).unwrap(), "[[x]]");
        assert!(r.used().contains("path"));
    }

    #[test]
    fn undefined_placeholders_are_named() {
        let ctx = parse("a: 1\n").unwrap();
        let r = Renderer::new(&ctx);
        let err = r
            .render("{{nope}}/{{git}}", Path::new("pipeline.yaml"), 7)
            .unwrap_err();
        assert!(err.message.contains("{{nope}}"), "{}", err.message);
        assert!(err.message.contains("git repository"), "{}", err.message);
        assert_eq!(err.line, Some(7));
    }

    #[test]
    fn values_without_a_placeholder_are_left_as_written() {
        let ctx = parse("a: 1\n").unwrap();
        let r = Renderer::new(&ctx);
        let p = Path::new("pipeline.yaml");
        assert_eq!(r.render("a{{ 7 * 6 }}b", p, 1).unwrap(), "a{{ 7 * 6 }}b");
        assert_eq!(
            r.render("{% for i in [1] %}{{ i }}{% endfor %}", p, 1)
                .unwrap(),
            "{% for i in [1] %}{{ i }}{% endfor %}"
        );
        // one placeholder renders the whole value, expressions included
        assert_eq!(r.render("{{ a }}-{{ 7 * 6 }}", p, 1).unwrap(), "1-42");
    }
}
