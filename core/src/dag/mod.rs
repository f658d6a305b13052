//! The dependency graph (petgraph): unique task names, wildcard upstream expanded
//! against every task name (§8.11), unknown upstream names, cycles (named, unlike
//! Ploomber), duplicated products (§9.1), and a deterministic topological order
//! (declaration order breaks ties).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use petgraph::graph::{DiGraph, NodeIndex};
use rustc_hash::FxHashMap;

use crate::diagnostics::{pretty_list, UserError, UserResult};
use crate::model::{SqlRelation, Task};

/// A checked pipeline DAG.
#[derive(Debug, Clone)]
pub struct Dag {
    /// Tasks in declaration order, upstream names expanded, sorted and unique.
    tasks: Vec<Task>,
    graph: DiGraph<usize, ()>,
    /// Task name to index (FxHash: names are short, and hashing them is a tenth of
    /// the DAG build with the standard SipHash).
    by_name: FxHashMap<String, usize>,
    order: Vec<usize>,
}

fn location(t: &Task) -> String {
    format!("{}:{}", t.declared_in.display(), t.declared_line)
}

fn task_error(t: &Task, message: String) -> UserError {
    UserError::new(message)
        .in_file(&t.declared_in)
        .at_line(t.declared_line)
}

/// An error about the upstream name `up` of `t`, located at the line of the task's
/// source file that names it (`fit.py:14`: where the user wrote the typo), or at the
/// task's declaration when the source does not name it literally (declared in the spec,
/// a function task, a name built at run time).
/// The error for an upstream name that is no task of the pipeline, listing the tasks.
fn unknown_upstream(t: &Task, up: &str, tasks: &[Task]) -> UserError {
    let mut available: Vec<&str> = tasks.iter().map(|t| t.name.as_str()).collect();
    available.sort();
    let shown: Vec<&str> = available.iter().take(50).copied().collect();
    let more = if available.len() > 50 {
        format!(" (and {} more)", available.len() - 50)
    } else {
        String::new()
    };
    upstream_error(
        t,
        up,
        format!(
            "task '{}' has an upstream dependency '{up}', but such task doesn't exist. Available tasks: {}{more}",
            t.name,
            pretty_list(shown)
        ),
    )
    .with_hint("fix the name in the task's source (upstream = [...]) or add the missing task to the pipeline")
    .suggest(up, &available)
}

fn upstream_error(t: &Task, up: &str, message: String) -> UserError {
    if let crate::model::Source::File { path, .. } = &t.source {
        if let Some(line) = line_naming(path, up) {
            return UserError::new(message).in_file(path).at_line(line);
        }
    }
    task_error(t, message)
}

/// The first line of the file at `path` that names `up` as an upstream: quoted
/// (`'up'`, `"up"`) or as an attribute (`upstream.up`, in SQL and shell templates).
fn line_naming(path: &std::path::Path, up: &str) -> Option<usize> {
    let text = std::fs::read_to_string(path).ok()?;
    let needles = [
        format!("'{up}'"),
        format!("\"{up}\""),
        format!("\\\"{up}\\\""), // inside a notebook's JSON string
        format!("upstream.{up}"),
    ];
    let attribute_end = |line: &str, at: usize| {
        line[at + needles[3].len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
    };
    text.lines()
        .position(|line| {
            needles[..3].iter().any(|n| line.contains(n.as_str()))
                || line
                    .match_indices(needles[3].as_str())
                    .any(|(at, _)| attribute_end(line, at))
        })
        .map(|i| i + 1)
}

impl Dag {
    /// Builds and checks the DAG.
    pub fn build(mut tasks: Vec<Task>) -> UserResult<Dag> {
        let mut by_name: FxHashMap<String, usize> =
            FxHashMap::with_capacity_and_hasher(tasks.len(), Default::default());
        for (i, t) in tasks.iter().enumerate() {
            if let Some(&first) = by_name.get(&t.name) {
                return Err(task_error(
                    t,
                    format!(
                        "DAG already has a task with name '{}' (declared at {} and again here)",
                        t.name,
                        location(&tasks[first])
                    ),
                )
                .with_hint("pass a \"name\" argument to one of the tasks to tell them apart"));
            }
            by_name.insert(t.name.clone(), i);
        }

        // Expand wildcards and check names. Upstream lists without a wildcard (nearly
        // all of them) are checked and sorted in place; only the others are rebuilt.
        let mut pattern_cache: HashMap<String, Vec<String>> = HashMap::new();
        let mut expansions: Vec<(usize, Vec<String>)> = Vec::new();
        for (i, t) in tasks.iter().enumerate() {
            if !t.upstream.iter().any(|u| u.contains('*')) {
                if let Some(up) = t.upstream.iter().find(|u| !by_name.contains_key(*u)) {
                    return Err(unknown_upstream(t, up, &tasks));
                }
                continue;
            }
            let mut expanded = Vec::with_capacity(t.upstream.len());
            for up in &t.upstream {
                if up.contains('*') {
                    let matches = pattern_cache.entry(up.clone()).or_insert_with(|| {
                        let pattern = glob::Pattern::new(up).unwrap_or_else(|_| {
                            glob::Pattern::new(&glob::Pattern::escape(up)).expect("escaped")
                        });
                        tasks
                            .iter()
                            .map(|t| &t.name)
                            .filter(|n| pattern.matches(n))
                            .cloned()
                            .collect()
                    });
                    expanded.extend(matches.iter().cloned());
                } else if by_name.contains_key(up) {
                    expanded.push(up.clone());
                } else {
                    return Err(unknown_upstream(t, up, &tasks));
                }
            }
            expansions.push((i, expanded));
        }
        for (i, expanded) in expansions {
            tasks[i].upstream = expanded;
        }
        for t in tasks.iter_mut() {
            t.upstream.sort_unstable();
            t.upstream.dedup();
        }

        let mut graph = DiGraph::<usize, ()>::with_capacity(tasks.len(), tasks.len() * 2);
        let nodes: Vec<NodeIndex> = (0..tasks.len()).map(|i| graph.add_node(i)).collect();
        for (i, t) in tasks.iter().enumerate() {
            for up in &t.upstream {
                graph.add_edge(nodes[by_name[up]], nodes[i], ());
            }
        }

        let dag = Dag {
            order: Vec::new(),
            tasks,
            graph,
            by_name,
        };
        dag.check_cycles()?;
        dag.check_duplicate_products()?;
        let order = dag.topological_indices();
        Ok(Dag { order, ..dag })
    }

    fn check_cycles(&self) -> UserResult<()> {
        for scc in petgraph::algo::tarjan_scc(&self.graph) {
            let cyclic = scc.len() > 1 || self.graph.contains_edge(scc[0], scc[0]);
            if !cyclic {
                continue;
            }
            let mut members: Vec<usize> = scc.iter().map(|n| self.graph[*n]).collect();
            members.sort();
            let first = &self.tasks[members[0]];
            let names: Vec<&str> = members
                .iter()
                .map(|i| self.tasks[*i].name.as_str())
                .collect();
            let message = if members.len() == 1 {
                format!(
                    "failed to process DAG because it contains cycles: task '{}' depends on itself",
                    first.name
                )
            } else {
                format!("failed to process DAG because it contains cycles: tasks {} depend on each other", pretty_list(&names))
            };
            let hint = if members.len() == 1 {
                "a wildcard upstream such as 'fit-*' also matches the task itself; narrow the pattern or rename the task"
            } else {
                "remove one of the upstream references that closes the loop"
            };
            return Err(task_error(first, message).with_hint(hint));
        }
        Ok(())
    }

    fn check_duplicate_products(&self) -> UserResult<()> {
        // Keyed by the path's bytes: the paths are normalised, so equal bytes mean the
        // same file, and hashing bytes is much cheaper than `Path`'s component walk.
        let mut files: HashMap<&std::ffi::OsStr, usize> = HashMap::with_capacity(self.tasks.len());
        let mut relations: HashMap<&SqlRelation, usize> = HashMap::new();
        for (i, t) in self.tasks.iter().enumerate() {
            // Files compare by normalised absolute path; messages show the project form.
            for (path, shown) in t.product.file_paths().into_iter().zip(t.product.files()) {
                let path = path.as_os_str();
                if let Some(&j) = files.get(path) {
                    if j != i {
                        return Err(self.duplicate(j, i, shown));
                    }
                }
                files.insert(path, i);
            }
            for rel in t.product.relations() {
                if let Some(&j) = relations.get(rel) {
                    if j != i {
                        let name = match &rel.schema {
                            Some(s) => format!("{s}.{}", rel.name),
                            None => rel.name.clone(),
                        };
                        return Err(self.duplicate(j, i, &name));
                    }
                }
                relations.insert(rel, i);
            }
        }
        Ok(())
    }

    fn duplicate(&self, first: usize, second: usize, product: &str) -> UserError {
        let (a, b) = (&self.tasks[first], &self.tasks[second]);
        task_error(
            b,
            format!(
                "tasks must generate unique products: '{product}' is generated by tasks '{}' ({}) and '{}'",
                a.name,
                location(a),
                b.name
            ),
        )
        .with_hint("give each task its own product path")
    }

    fn topological_indices(&self) -> Vec<usize> {
        let n = self.tasks.len();
        let mut indegree: Vec<usize> = vec![0; n];
        for t in &self.tasks {
            let i = self.by_name[&t.name];
            indegree[i] = t.upstream.len();
        }
        let mut heap: BinaryHeap<Reverse<usize>> =
            (0..n).filter(|i| indegree[*i] == 0).map(Reverse).collect();
        let mut order = Vec::with_capacity(n);
        while let Some(Reverse(i)) = heap.pop() {
            order.push(i);
            for next in self.graph.neighbors(NodeIndex::new(i)) {
                let j = self.graph[next];
                indegree[j] -= 1;
                if indegree[j] == 0 {
                    heap.push(Reverse(j));
                }
            }
        }
        order
    }

    /// Tasks in declaration order.
    pub fn tasks(&self) -> &[Task] {
        &self.tasks
    }

    /// Tasks in deterministic topological order.
    pub fn topological(&self) -> impl Iterator<Item = &Task> {
        self.order.iter().map(|i| &self.tasks[*i])
    }

    /// The task called `name`.
    pub fn get(&self, name: &str) -> Option<&Task> {
        self.by_name.get(name).map(|i| &self.tasks[*i])
    }

    /// Names of the tasks that depend directly on `name`.
    pub fn downstream(&self, name: &str) -> Vec<&str> {
        let Some(&i) = self.by_name.get(name) else {
            return Vec::new();
        };
        let mut v: Vec<&str> = self
            .graph
            .neighbors(NodeIndex::new(i))
            .map(|n| self.tasks[self.graph[n]].name.as_str())
            .collect();
        v.sort();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Product, Source};
    use std::path::PathBuf;

    fn task(name: &str, up: &[&str]) -> Task {
        Task {
            name: name.into(),
            class: "NotebookRunner".into(),
            product_class: "File".into(),
            source: Source::DottedPath(format!("m.{name}")),
            product: Product::File {
                path: PathBuf::from(format!("/p/out/{name}")),
                relative: format!("out/{name}"),
            },
            params: Default::default(),
            upstream: up.iter().map(|s| s.to_string()).collect(),
            declared_in: PathBuf::from("pipeline.yaml"),
            declared_line: 1,
        }
    }

    #[test]
    fn wildcards_expand_against_every_task() {
        let dag = Dag::build(vec![
            task("fit-1", &[]),
            task("fit-2", &[]),
            task("eval", &["fit-*"]),
            task("fit", &[]),
        ])
        .unwrap();
        assert_eq!(dag.get("eval").unwrap().upstream, ["fit-1", "fit-2"]);
        let order: Vec<&str> = dag.topological().map(|t| t.name.as_str()).collect();
        assert_eq!(order, ["fit-1", "fit-2", "eval", "fit"]);
    }

    #[test]
    fn wildcard_matching_itself_is_a_named_cycle() {
        let err = Dag::build(vec![task("fit-a", &["fit-*"])]).unwrap_err();
        assert!(
            err.message.contains("'fit-a' depends on itself"),
            "{}",
            err.message
        );
    }

    #[test]
    fn cycles_name_their_tasks() {
        let err = Dag::build(vec![
            task("a", &["c"]),
            task("b", &["a"]),
            task("c", &["b"]),
            task("d", &[]),
        ])
        .unwrap_err();
        assert!(err.message.contains("'a', 'b', and 'c'"), "{}", err.message);
    }

    #[test]
    fn unknown_upstream_lists_tasks() {
        let err = Dag::build(vec![task("a", &[]), task("b", &["nope"])]).unwrap_err();
        assert!(
            err.message.contains("'nope'") && err.message.contains("'a', and 'b'"),
            "{}",
            err.message
        );
    }

    #[test]
    fn duplicate_names_and_products() {
        let err = Dag::build(vec![task("a", &[]), task("a", &[])]).unwrap_err();
        assert!(err.message.contains("already has a task with name 'a'"));
        let mut b = task("b", &[]);
        b.product = task("a", &[]).product;
        let err = Dag::build(vec![task("a", &[]), b]).unwrap_err();
        assert!(
            err.message.contains("unique products")
                && err.message.contains("'a'")
                && err.message.contains("'b'"),
            "{}",
            err.message
        );
    }

    #[test]
    fn question_marks_without_star_are_literal() {
        let err = Dag::build(vec![task("a1", &[]), task("b", &["a?"])]).unwrap_err();
        assert!(err.message.contains("'a?'"));
    }
}
