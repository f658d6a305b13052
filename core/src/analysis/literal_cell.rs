//! The fast reader of parameters cells: a cell made only of one-line assignments of
//! plain literals (`upstream = ['a', 'b']`, `product = None`), blank lines and
//! comments is read without the Python parser.
//!
//! Nearly every parameters cell has that shape, and parsing tens of thousands of
//! two-line cells with rustpython costs more than everything else done per task
//! (docs/performance.md). The reader is deliberately narrow: it accepts a cell only
//! when every line is one it fully understands, and answers `None` otherwise, so
//! that [`super::python_cell`] parses the cell and reports errors as before. A
//! property test checks that, for every cell it accepts, it answers exactly what the
//! parser-based reader answers.
//!
//! Accepted lines: blank; a comment; `NAME = VALUE` at column 0 with an optional
//! trailing comment, where NAME is an ASCII identifier that is not a keyword and
//! VALUE is `None`, a quoted string without backslashes, or a one-line list, tuple
//! or dict of such strings (dict values may also be `None`).
use super::Literal;

/// Python's hard keywords: none of them can be assigned to.
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// The last assignment to `name` in `cell` and its 1-based line, `Some(None)` when
/// the cell has none, or `None` when the cell is not one this reader understands.
pub(crate) fn extract(cell: &str, name: &str) -> Option<Option<(Literal, usize)>> {
    if cell.contains(['\r', '\\', '\x0c', '\0']) {
        return None;
    }
    let mut found = None;
    for (i, line) in cell.split('\n').enumerate() {
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (target, value) = assignment(line)?;
        if target == name {
            found = Some((value, i + 1));
        }
    }
    Some(found)
}

/// `NAME = VALUE [# comment]`, the whole line.
fn assignment(line: &str) -> Option<(&str, Literal)> {
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(line.len());
    let target = &line[..end];
    if target.is_empty() || target.as_bytes()[0].is_ascii_digit() || KEYWORDS.contains(&target) {
        return None;
    }
    let mut rest = Cursor(&line[end..]);
    rest.blanks();
    rest.eat('=')?;
    if rest.0.starts_with('=') {
        return None; // `==`
    }
    rest.blanks();
    let value = value(&mut rest)?;
    rest.blanks();
    (rest.0.is_empty() || rest.0.starts_with('#')).then_some((target, value))
}

/// The unread rest of a line.
struct Cursor<'a>(&'a str);

impl<'a> Cursor<'a> {
    fn blanks(&mut self) {
        self.0 = self.0.trim_start_matches([' ', '\t']);
    }

    fn eat(&mut self, c: char) -> Option<()> {
        self.0 = self.0.strip_prefix(c)?;
        Some(())
    }

    fn peek(&self) -> Option<char> {
        self.0.chars().next()
    }

    /// `'...'` or `"..."` without backslashes (excluded for the whole cell).
    fn string(&mut self) -> Option<String> {
        let quote = self.peek().filter(|q| *q == '\'' || *q == '"')?;
        let body = &self.0[1..];
        let close = body.find(quote)?;
        let text = &body[..close];
        self.0 = &body[close + 1..];
        // `''` followed by a quote is a triple-quoted string; a string right after a
        // string is implicit concatenation: both are left to the parser.
        if self.peek().is_some_and(|c| c == '\'' || c == '"') {
            return None;
        }
        Some(text.to_string())
    }

    /// `None` (not a longer name such as `Nonetheless`).
    fn none(&mut self) -> Option<()> {
        let rest = self.0.strip_prefix("None")?;
        if rest
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            return None;
        }
        self.0 = rest;
        Some(())
    }

    /// Items up to `close`, separated by commas, with an optional trailing comma.
    /// Returns the items and whether a comma followed the last one.
    fn items<T>(
        &mut self,
        close: char,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<(Vec<T>, bool)> {
        let mut items = Vec::new();
        let mut trailing_comma = false;
        loop {
            self.blanks();
            if self.eat(close).is_some() {
                return Some((items, trailing_comma));
            }
            if !items.is_empty() && !trailing_comma {
                return None;
            }
            items.push(item(self)?);
            self.blanks();
            trailing_comma = self.eat(',').is_some();
        }
    }
}

fn value(cursor: &mut Cursor<'_>) -> Option<Literal> {
    match cursor.peek()? {
        '\'' | '"' => cursor.string().map(Literal::Str),
        'N' => cursor.none().map(|_| Literal::None),
        '[' => {
            cursor.eat('[')?;
            let (items, _) = cursor.items(']', |c| c.string())?;
            Some(Literal::List(items.into_iter().map(Literal::Str).collect()))
        }
        '(' => {
            cursor.eat('(')?;
            let (mut items, trailing_comma) = cursor.items(')', |c| c.string())?;
            // `('a')` is the string itself; `('a',)` and `()` are tuples.
            if items.len() == 1 && !trailing_comma {
                return items.pop().map(Literal::Str);
            }
            Some(Literal::List(items.into_iter().map(Literal::Str).collect()))
        }
        '{' => {
            cursor.eat('{')?;
            let (entries, _) = cursor.items('}', |c| {
                let key = c.string()?;
                c.blanks();
                c.eat(':')?;
                c.blanks();
                let value = match c.peek()? {
                    'N' => c.none().map(|_| Literal::None)?,
                    _ => Literal::Str(c.string()?),
                };
                Some((key, value))
            })?;
            // A repeated key keeps its first position and its last value in Python;
            // rare enough to leave to the parser.
            let mut keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
            keys.sort_unstable();
            if keys.windows(2).any(|w| w[0] == w[1]) {
                return None;
            }
            Some(Literal::Map(entries))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(items: &[&str]) -> Literal {
        Literal::List(items.iter().map(|s| Literal::Str(s.to_string())).collect())
    }

    #[test]
    fn reads_the_common_shapes() {
        let cell = "# declare\nupstream = ['a', \"b\",]\nproduct = None  # later\n";
        assert_eq!(
            extract(cell, "upstream"),
            Some(Some((strs(&["a", "b"]), 2)))
        );
        assert_eq!(extract(cell, "product"), Some(Some((Literal::None, 3))));
        assert_eq!(extract(cell, "other"), Some(None));
        assert_eq!(
            extract("upstream = ('a')\n", "upstream"),
            Some(Some((Literal::Str("a".into()), 1)))
        );
        assert_eq!(
            extract("upstream = ('a',)\n", "upstream"),
            Some(Some((strs(&["a"]), 1)))
        );
        assert_eq!(
            extract("upstream = []\nupstream = ['z']", "upstream"),
            Some(Some((strs(&["z"]), 2)))
        );
        assert_eq!(
            extract("product = {'nb': 'out.ipynb', 'data': None}", "product"),
            Some(Some((
                Literal::Map(vec![
                    ("nb".into(), Literal::Str("out.ipynb".into())),
                    ("data".into(), Literal::None)
                ]),
                1
            )))
        );
    }

    #[test]
    fn leaves_everything_else_to_the_parser() {
        for cell in [
            "upstream = deps",
            "upstream = ['a'] + ['b']",
            "upstream += ['a']",
            "upstream: list = ['a']",
            "a = 1; upstream = ['a']",
            "  upstream = ['a']",
            "upstream = [\n 'a']",
            "upstream = '''a'''",
            "upstream = 'a' 'b'",
            "upstream = r'a'",
            "upstream = 'a\\'b'",
            "upstream = Nonetheless",
            "upstream == None",
            "None = 1",
            "%matplotlib inline\nupstream = None",
            "upstream = {'a': 'x', 'a': 'y'}",
            "upstream = ['a' 'b']",
            "upstream = ['a',, 'b']",
            "upstream = ['a'] x",
            "upstream = None\r\n",
            "café = 1\nupstream = None",
        ] {
            assert_eq!(extract(cell, "upstream"), None, "{cell:?}");
        }
    }
}
