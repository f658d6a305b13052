//! Parallel parsing of a large `pipeline.yaml`: its `tasks:` list is cut into pieces
//! at item boundaries, the pieces and the rest of the document are parsed on rayon's
//! threads, and the results are put back together with their real line numbers.
//!
//! A YAML stream cannot in general be split without scanning it, so the cut is made
//! only where it is certain to be harmless, and any doubt falls back to parsing the
//! whole text ([`super::yaml::parse_one`]):
//! * `tasks:` is a block-style key at column 0, alone on its line, that occurs once;
//! * its value is a block sequence whose items (`- ` at the column of the first one)
//!   are the only lines at that column until the list ends at a lesser one (or, for
//!   items at column 0, at the next line there that is not an item); tabs in the
//!   indentation, or another line at the items' column deeper than 0, give up;
//! * no piece and not the rest of the document holds an anchor or an alias (they
//!   could reach across a cut), every piece is a sequence, and the rest of the
//!   document is a mapping whose single `tasks` key is left empty by the cut.
//!
//! In valid YAML a line at the items' column inside the list can only start an item
//! (block scalars and multi-line flow scalars must be indented further), so each
//! piece parses as its items would in place. Invalid YAML makes a piece or the rest
//! fail to parse, and the whole text is then parsed to report the error as before.
//! Tests check the two paths agree on every fixture and on generated documents.
use rayon::prelude::*;

use super::yaml::{parse_one, Node, Value};

/// Task lists shorter than this are parsed in one piece (splitting pays from a few
/// thousand tasks).
const MIN_ITEMS: usize = 2_000;

/// Deepest nesting a piece may have (far below the parsers' own limits, so that the
/// two levels above the piece cannot cross them).
const MAX_PIECE_DEPTH: usize = 64;

/// The parsed document, when `text` is a large pipeline that can be split safely.
pub(crate) fn parse_in_parallel(text: &str) -> Option<Node> {
    parse_split(text, MIN_ITEMS, rayon::current_num_threads() * 4)
}

/// The lines of the task list: where it starts and ends, and where each item starts
/// (indices into the text's lines).
struct TaskList {
    end: usize,
    items: Vec<usize>,
}

/// [`parse_in_parallel`] with the threshold and the number of pieces given.
pub(crate) fn parse_split(text: &str, min_items: usize, pieces: usize) -> Option<Node> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let list = task_list(&lines)?;
    if list.items.len() < min_items.max(1) {
        return None;
    }
    let mut offsets = Vec::with_capacity(lines.len() + 1);
    let mut at = 0;
    for line in &lines {
        offsets.push(at);
        at += line.len();
    }
    offsets.push(at);

    let first = list.items[0];
    let per_piece = list.items.len().div_ceil(pieces.max(1));
    let starts: Vec<usize> = list.items.iter().step_by(per_piece).copied().collect();
    let bounds: Vec<(usize, usize)> = starts
        .iter()
        .enumerate()
        .map(|(i, &start)| (start, starts.get(i + 1).copied().unwrap_or(list.end)))
        .collect();
    // The rest of the document keeps its line numbers: the list's lines become blank.
    let mut rest =
        String::with_capacity(offsets[first] + (list.end - first) + text.len() - offsets[list.end]);
    rest.push_str(&text[..offsets[first]]);
    rest.extend(std::iter::repeat_n('\n', list.end - first));
    rest.push_str(&text[offsets[list.end]..]);

    let (rest, pieces) = rayon::join(
        || parse_one(&rest).ok(),
        || {
            bounds
                .par_iter()
                .map(|&(start, end)| {
                    let (node, facts) = parse_one(&text[offsets[start]..offsets[end]]).ok()?;
                    if facts.anchors_or_aliases || facts.depth > MAX_PIECE_DEPTH {
                        return None;
                    }
                    let mut node = node;
                    shift_lines(&mut node, start);
                    match node.value {
                        Value::Seq(items) => Some((items, node.line)),
                        _ => None,
                    }
                })
                .collect::<Option<Vec<_>>>()
        },
    );
    let (mut root, facts) = rest?;
    let pieces = pieces?;
    if facts.anchors_or_aliases {
        return None;
    }
    let Value::Map(entries) = &mut root.value else {
        return None;
    };
    let mut tasks = entries
        .iter_mut()
        .filter(|(key, _)| matches!(&key.value, Value::Str(k) if k == "tasks"));
    let (_, value) = tasks.next()?;
    if tasks.next().is_some() || !value.is_null() {
        return None;
    }
    let line = pieces.first()?.1;
    let items = pieces.into_iter().flat_map(|(items, _)| items).collect();
    *value = Node::new(Value::Seq(items), line);
    Some(root)
}

/// Finds the block-style task list (see the module documentation for the rules).
fn task_list(lines: &[&str]) -> Option<TaskList> {
    let is_key = |line: &&str| {
        line.strip_prefix("tasks:").is_some_and(|after| {
            let after = after.trim_end_matches(['\n', '\r']);
            let trimmed = after.trim_start_matches([' ', '\t']);
            trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < after.len())
        })
    };
    let mut keys = lines.iter().enumerate().filter(|(_, l)| is_key(l));
    let (key, _) = keys.next()?;
    if keys.next().is_some() {
        return None;
    }
    let is_item = |after: &str| after == "-" || after.starts_with("- ");

    let mut column = None;
    let mut items = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(key + 1) {
        let Some((indent, after)) = significant(line)? else {
            continue;
        };
        match column {
            None if is_item(after) => {
                column = Some(indent);
                items.push(i);
            }
            None => return None,
            Some(c) if indent > c => {}
            Some(c) if indent == c && is_item(after) => items.push(i),
            // At column 0 any other line is the next top-level key (or a document
            // marker); deeper, a line at the items' column that is not an item is
            // not valid YAML.
            Some(c) if indent == c && c > 0 => return None,
            Some(_) => return Some(TaskList { end: i, items }),
        }
    }
    column?;
    Some(TaskList {
        end: lines.len(),
        items,
    })
}

/// The indentation and the rest of a line that is not blank or a comment (`Some(None)`
/// for one that is); `None` when a tab starts the indentation (give up).
fn significant(line: &str) -> Option<Option<(usize, &str)>> {
    let line = line.trim_end_matches(['\n', '\r']);
    let trimmed = line.trim_start_matches(' ');
    if trimmed.trim_start_matches('\t').is_empty() || trimmed.starts_with('#') {
        return Some(None);
    }
    if trimmed.starts_with('\t') {
        return None;
    }
    Some(Some((line.len() - trimmed.len(), trimmed)))
}

/// Adds `by` to the line of `node` and of everything in it.
fn shift_lines(node: &mut Node, by: usize) {
    node.line += by;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift_lines(n, by)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            shift_lines(k, by);
            shift_lines(v, by);
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `text` split into pieces of one or two items and as a whole; they must
    /// agree, and the split must have happened when `splits` says so.
    fn agree(text: &str, splits: bool) {
        let whole = parse_one(text).map(|(n, _)| n);
        for pieces in [1, 2, 3, 64] {
            let split = parse_split(text, 1, pieces);
            assert_eq!(split.is_some(), splits, "split? pieces={pieces}\n{text}");
            if let Some(split) = split {
                assert_eq!(Ok(split), whole.clone(), "pieces={pieces}\n{text}");
            }
        }
    }

    #[test]
    fn splits_plain_task_lists_and_keeps_lines() {
        agree(
            "meta:\n  extract_upstream: true\n\ntasks:\n  # first\n  - source: a.py\n    product: a.ipynb\n\n  - source: b.py\n    product:\n      nb: b.ipynb\n      data: |\n        - not an item\n        x\n# trailing\n  - {source: c.py, product: c.ipynb}\n  -\n    source: d.py\n    product: d.ipynb\nclients: {}\n",
            true,
        );
        agree(
            "tasks:\n- source: a.py\n  product: a\n- source: b.py\n  product: b\n",
            true,
        );
        agree("tasks: # the list\r\n  - source: a.py\r\n    product: a\r\n  - source: b.py\r\n    product: b\r\n", true);
    }

    #[test]
    fn gives_up_where_a_cut_could_be_wrong() {
        for text in [
            // anchors and aliases may cross a cut
            "tasks:\n  - &t {source: a.py, product: a}\n  - *t\n",
            "base: &b {product: x}\ntasks:\n  - <<: *b\n    source: a.py\n  - source: b.py\n    product: b\n",
            // flow style, a tab, another line at the items' column
            "tasks: [{source: a.py, product: a}]\n",
            "tasks:\n\t- source: a.py\n",
            "tasks:\n  - source: a.py\n    product: a\n  source: b\n",
            // two task lists, no list, a list that is not at the top
            "tasks:\n  - source: a\ntasks:\n  - source: b\n",
            "meta: {}\n",
            "x:\n  tasks:\n    - a\n",
        ] {
            assert!(parse_split(text, 1, 4).is_none(), "{text}");
        }
    }

    #[test]
    fn invalid_documents_are_left_to_the_whole_parse() {
        for text in [
            "tasks:\n  - source: 'a.py\n  - source: b.py'\n",
            "tasks:\n  - source: [a,\n  - b]\n",
            "tasks:\n  - source: a.py\n  - source: b.py\n meta: {}\n",
        ] {
            if let Some(split) = parse_split(text, 1, 4) {
                assert_eq!(Ok(split), parse_one(text).map(|(n, _)| n), "{text}");
            }
        }
    }

    fn item(k: usize, form: u8, n: usize, crlf: bool) -> String {
        let pad = " ".repeat(k);
        let nl = if crlf { "\r\n" } else { "\n" };
        let text = match form % 6 {
            0 => format!("{pad}- source: s{n}.py{nl}{pad}  product: o/{n}.ipynb{nl}"),
            1 => format!("{pad}- source: s{n}.py{nl}{pad}  product:{nl}{pad}    nb: o/{n}.ipynb{nl}{pad}    data: o/{n}.csv{nl}"),
            2 => format!("{pad}- {{source: \"s{n}.sql\", product: [a, b{n}, table], upstream: ['x', 'y']}}{nl}"),
            3 => format!("{pad}- source: s{n}.py{nl}{pad}  params:{nl}{pad}    text: |{nl}{pad}      - not an item{nl}{pad}      # not a comment{nl}{nl}{pad}      end{n}{nl}{pad}  product: o/{n}{nl}"),
            4 => format!("{pad}# about task {n}{nl}{nl}{pad}-{nl}{pad}  source: s{n}.py  # inline{nl}{pad}  product: 'o/{n}: x'{nl}"),
            _ => format!("{pad}- source: >-{nl}{pad}    folded {n}{nl}{pad}    more{nl}{pad}  product: 1_000{nl}{pad}  grid: {{a: [1, 2], b: yes}}{nl}"),
        };
        text
    }

    proptest::proptest! {
        /// Generated pipelines in many layouts: the split parse equals the whole one.
        #[test]
        fn generated_pipelines_agree(
            k in proptest::sample::select(vec![0usize, 2, 4]),
            forms in proptest::collection::vec(0u8..6, 1..12),
            crlf in proptest::bool::ANY,
            head in proptest::bool::ANY,
            tail in 0u8..3,
            pieces in 1usize..6,
        ) {
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut text = String::new();
            if head {
                text.push_str(&format!("meta:{nl}  extract_product: false{nl}{nl}"));
            }
            text.push_str(&format!("tasks:{nl}"));
            for (n, form) in forms.iter().enumerate() {
                text.push_str(&item(k, *form, n, crlf));
            }
            match tail {
                0 => {}
                1 => text.push_str(&format!("# end{nl}clients:{nl}  SQLScript: db.get{nl}")),
                _ => text.push_str(&format!("serializer: x.y{nl}")),
            }
            let whole = parse_one(&text).map(|(n, _)| n);
            proptest::prop_assert!(whole.is_ok(), "{:?}", whole);
            let split = parse_split(&text, 1, pieces);
            proptest::prop_assert!(split.is_some(), "not split:\n{}", text);
            proptest::prop_assert_eq!(Ok(split.unwrap()), whole, "{}", text);
        }
    }

    /// Every pipeline.yaml of the fixture projects (good, bad and Python-assisted)
    /// parses the same split or not.
    #[test]
    fn fixtures_agree() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests");
        let mut seen = 0;
        let mut stack = vec![
            root.join("fixtures"),
            root.join("fixtures-bad"),
            root.join("fixtures-python"),
        ];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("pipeline") && n.ends_with(".yaml"))
                {
                    let Ok(text) = std::fs::read_to_string(&path) else {
                        continue;
                    };
                    seen += 1;
                    let whole = parse_one(&text).map(|(n, _)| n);
                    for pieces in [1, 2, 5] {
                        if let Some(split) = parse_split(&text, 1, pieces) {
                            assert_eq!(Ok(split), whole.clone(), "{}", path.display());
                        }
                    }
                }
            }
        }
        assert!(seen > 20, "only {seen} pipeline files found");
    }
}
