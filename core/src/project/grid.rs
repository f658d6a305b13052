//! `grid` expansion (§7.8): cartesian products of each grid mapping, concatenated;
//! params merged in; names rendered with `[[ ]]` placeholders or suffixed with the
//! index; File products get `-<index>` before their suffixes, then `[[ ]]` rendered.

use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, UndefinedBehavior};

use crate::diagnostics::{UserError, UserResult};

use super::paths::split_suffixes;
use super::yaml::{Node, Value};

/// One point of a grid: its index and values in key order.
#[derive(Debug, Clone)]
pub struct GridPoint {
    pub index: usize,
    pub values: Vec<(String, Value)>,
}

/// Expands a `grid` value (mapping or list of mappings) into points.
pub fn expand(grid: &Node, file: &std::path::Path) -> UserResult<Vec<GridPoint>> {
    let mappings: Vec<&Node> = match &grid.value {
        Value::Map(_) => vec![grid],
        Value::Seq(items) => items.iter().collect(),
        _ => {
            return Err(
                UserError::new("'grid' must be a mapping or a list of mappings")
                    .in_file(file)
                    .at_line(grid.line),
            )
        }
    };
    let mut points = Vec::new();
    for m in mappings {
        let Some(entries) = m.as_map() else {
            return Err(
                UserError::new("each entry of a 'grid' list must be a mapping")
                    .in_file(file)
                    .at_line(m.line),
            );
        };
        let mut combos: Vec<Vec<(String, Value)>> = vec![Vec::new()];
        for (k, v) in entries {
            let key = k.value.python_str();
            if let Value::Str(s) = &v.value {
                if s.contains("::") {
                    return Err(UserError::new(format!(
                        "grid value '{s}' for '{key}' is a function to call ({}): soopervisor never runs user code",
                        "module::function"
                    ))
                    .in_file(file)
                    .at_line(v.line)
                    .with_hint("write the values as a YAML list in the grid"));
                }
            }
            let values: Vec<Value> = match &v.value {
                Value::Seq(items) => items.iter().map(|n| n.value.clone()).collect(),
                other => vec![other.clone()],
            };
            let mut next = Vec::with_capacity(combos.len() * values.len());
            for combo in &combos {
                for value in &values {
                    let mut c = combo.clone();
                    c.push((key.clone(), value.clone()));
                    next.push(c);
                }
            }
            combos = next;
            if combos.len() > super::tasks::MAX_TASKS {
                return Err(UserError::new(format!(
                    "this grid expands to more than {} tasks",
                    super::tasks::MAX_TASKS
                ))
                .in_file(file)
                .at_line(grid.line)
                .with_hint("split the grid or export part of it; a 10 KB grid of a million tasks needs gigabytes"));
            }
        }
        for values in combos {
            points.push(GridPoint {
                index: points.len(),
                values,
            });
        }
    }
    Ok(points)
}

/// A Jinja environment with `[[ ]]` variable delimiters; missing variables render as
/// empty strings (Ploomber relies on this).
pub fn bracket_environment() -> Environment<'static> {
    let mut env = Environment::new();
    let syntax = SyntaxConfig::builder()
        .variable_delimiters("[[", "]]")
        .block_delimiters("[%", "%]")
        .comment_delimiters("[#", "#]")
        .build()
        .expect("valid delimiters");
    env.set_syntax(syntax);
    env.set_undefined_behavior(UndefinedBehavior::Lenient);
    env.set_fuel(Some(1_000_000));
    env
}

/// Renders `[[key]]` placeholders of `template` with a grid point (Python `str()` of
/// each value).
pub fn render_brackets(
    env: &Environment<'static>,
    template: &str,
    point: &GridPoint,
    file: &std::path::Path,
    line: usize,
) -> UserResult<String> {
    if !template.contains("[[") {
        return Ok(template.to_string());
    }
    let ctx: std::collections::BTreeMap<&str, String> = point
        .values
        .iter()
        .map(|(k, v)| (k.as_str(), v.python_str()))
        .collect();
    env.render_str(template, ctx).map_err(|e| {
        UserError::new(format!(
            "cannot render '{template}' with the grid values: {e}"
        ))
        .in_file(file)
        .at_line(line)
    })
}

/// The name of a grid task: `[[ ]]` template, or name + index.
pub fn task_name(
    env: &Environment<'static>,
    name: &str,
    point: &GridPoint,
    file: &std::path::Path,
    line: usize,
) -> UserResult<String> {
    if name.contains("[[") && name.contains("]]") {
        render_brackets(env, name, point, file, line)
    } else {
        Ok(format!("{name}{}", point.index))
    }
}

/// Inserts `-<index>` before the suffixes of the file name: `dir/report.html` →
/// `dir/report-3.html`, `a.tar.gz` → `a-3.tar.gz`.
pub fn indexed_path(path: &str, index: usize) -> String {
    let (dir, file) = match path.rfind('/') {
        Some(i) => (&path[..=i], &path[i + 1..]),
        None => ("", path),
    };
    let (stem, suffixes) = split_suffixes(file);
    format!("{dir}{stem}-{index}{suffixes}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::yaml::parse;
    use std::path::Path;

    #[test]
    fn cartesian_product_in_key_order_and_lists_concatenate() {
        let g = parse("- {a: [1, 2], b: [x, y]}\n- {a: 9, b: z}\n").unwrap();
        let pts = expand(&g, Path::new("p.yaml")).unwrap();
        let flat: Vec<String> = pts
            .iter()
            .map(|p| {
                p.values
                    .iter()
                    .map(|(_, v)| v.python_str())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect();
        assert_eq!(flat, ["1,x", "1,y", "2,x", "2,y", "9,z"]);
        assert_eq!(pts[4].index, 4);
    }

    #[test]
    fn names_and_products() {
        let env = bracket_environment();
        let p = GridPoint {
            index: 2,
            values: vec![("m".into(), Value::Float(0.5))],
        };
        let f = Path::new("p.yaml");
        assert_eq!(
            task_name(&env, "fit-[[m]]-[[missing]]", &p, f, 1).unwrap(),
            "fit-0.5-"
        );
        assert_eq!(task_name(&env, "fit-", &p, f, 1).unwrap(), "fit-2");
        assert_eq!(indexed_path("out/model.v1.pkl", 2), "out/model-2.v1.pkl");
        assert_eq!(indexed_path("report.html", 0), "report-0.html");
        assert_eq!(
            render_brackets(&env, &indexed_path("out/[[m]]/r.html", 2), &p, f, 1).unwrap(),
            "out/0.5/r-2.html"
        );
    }
}
