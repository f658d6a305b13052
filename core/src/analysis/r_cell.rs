//! R parameters cell: reads `upstream` and `product` from the cell tagged `parameters`
//! of an R script, R Markdown file or R notebook (spec §8.5).
//!
//! Ploomber does not parse R; it runs a tiny line-based tokenizer and parser, and this
//! module reproduces its observable behaviour, failures included:
//! * the cell is read line by line; empty lines and lines whose first character is
//!   `#` are skipped (an indented comment or a trailing `# comment` fails to tokenize);
//! * every other line must be `NAME <- VALUE` or `NAME = VALUE`, NAME made of ASCII
//!   letters only, VALUE `NULL`, `list("a", 'b')` (unnamed: a list) or
//!   `list(a = "x")` (named: a mapping);
//! * lines are examined until the first assignment to the requested name; lines
//!   after it are not examined, every line before it must be valid;
//! * strings end at the first `'` or `"` (no escapes);
//! * a missing `upstream` means no dependencies (unlike Python).
use super::{upstream_names, AnalysisError, AnalysisResult, Literal};

/// Upstream names of an R parameters cell (sorted, unique); missing `upstream` → empty.
pub fn upstream(cell: &str) -> AnalysisResult<Vec<String>> {
    let Some((value, line)) = find_assignment(cell, "upstream")? else {
        return Ok(Vec::new());
    };
    match upstream_names(value, line)? {
        Ok(names) => Ok(names),
        Err(type_name) => Err(AnalysisError::new(format!(
            "upstream must be a list or NULL, got '{type_name}'"
        ))
        .at_line(line)),
    }
}

/// The `product` value of an R parameters cell.
pub fn product(cell: &str) -> AnalysisResult<Literal> {
    match find_assignment(cell, "product")? {
        Some((Literal::None, _)) | None => Err(AnalysisError::new(format!(
            "Couldn't extract 'product' from code: '{}'",
            cell.trim()
        ))
        .with_hint("declare the product in the parameters cell, e.g. product <- list(nb = \"output/nb.html\")")),
        Some((value, _)) => Ok(value),
    }
}

const LEX_ERROR: &str = "Could not parse parameters in R notebook. Verify they have the right \
     format: \"upstream = list('a', 'b')\" or \"product = list(name='path/to/file')\"";
const VALUE_ERROR: &str =
    "Variables should be assigned to values of type list (e.g. list(\"a\", \"b\")) or NULL";

#[derive(Debug, Clone, PartialEq)]
enum Token<'a> {
    Name(&'a str),
    Assign,
    List,
    Null,
    VectorStart,
    Open,
    Close,
    Comma,
    Str(&'a str),
    Int(i64),
    BinOp,
}

/// Tokenizes one line like Ploomber's R lexer (keywords `list`/`NULL` are recognised
/// as prefixes, even inside longer words).
fn tokenize(line: &str) -> Result<Vec<Token<'_>>, AnalysisError> {
    let bytes = line.as_bytes();
    let mut tokens = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let c = bytes[pos];
        let rest = &line[pos..];
        if c.is_ascii_whitespace() {
            pos += 1;
        } else if rest.starts_with("list") {
            tokens.push(Token::List);
            pos += 4;
        } else if rest.starts_with("NULL") {
            tokens.push(Token::Null);
            pos += 4;
        } else if rest.starts_with("c(") {
            tokens.push(Token::VectorStart);
            pos += 2;
        } else if c.is_ascii_alphabetic() {
            let end = rest
                .find(|ch: char| !ch.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            tokens.push(Token::Name(&rest[..end]));
            pos += end;
        } else if rest.starts_with("<-") {
            tokens.push(Token::Assign);
            pos += 2;
        } else if c == b'=' {
            tokens.push(Token::Assign);
            pos += 1;
        } else if c == b'(' {
            tokens.push(Token::Open);
            pos += 1;
        } else if c == b')' {
            tokens.push(Token::Close);
            pos += 1;
        } else if c == b',' {
            tokens.push(Token::Comma);
            pos += 1;
        } else if c == b'"' || c == b'\'' {
            let body = &rest[1..];
            let end = body.find(['"', '\'']).unwrap_or(body.len());
            tokens.push(Token::Str(&body[..end]));
            pos += 1 + end + 1;
        } else if c.is_ascii_digit() {
            let end = rest
                .find(|ch: char| !ch.is_ascii_digit())
                .unwrap_or(rest.len());
            let value = rest[..end]
                .parse()
                .map_err(|_| AnalysisError::new(LEX_ERROR))?;
            tokens.push(Token::Int(value));
            pos += end;
        } else if matches!(c, b'+' | b'-' | b'*') {
            tokens.push(Token::BinOp);
            pos += 1;
        } else {
            return Err(AnalysisError::new(LEX_ERROR));
        }
    }
    Ok(tokens)
}

fn token_value(token: &Token<'_>) -> Result<Literal, AnalysisError> {
    match token {
        Token::Str(s) => Ok(Literal::Str(s.to_string())),
        Token::Int(i) => Ok(Literal::Int(*i)),
        Token::Null => Ok(Literal::None),
        _ => Err(AnalysisError::new(LEX_ERROR)),
    }
}

/// The value of `NAME <- VALUE` (the tokens after the assignment).
fn build_value(tail: &[Token<'_>]) -> Result<Literal, AnalysisError> {
    match tail.first() {
        Some(Token::Null) => Ok(Literal::None),
        Some(Token::List) => {
            // Ploomber takes the tokens between `list(` and the last token
            let elements = if tail.len() >= 3 {
                &tail[2..tail.len() - 1]
            } else {
                &[][..]
            };
            match elements.first() {
                None => Err(AnalysisError::new(
                    "an empty list() is not supported (Ploomber fails on it): use NULL",
                )),
                Some(Token::Name(_)) => {
                    // key = value, ...
                    let mut entries = Vec::new();
                    for chunk in elements.chunks(4) {
                        match chunk {
                            [Token::Name(key), _, value] | [Token::Name(key), _, value, _] => {
                                entries.push((key.to_string(), token_value(value)?))
                            }
                            _ => return Err(AnalysisError::new(LEX_ERROR)),
                        }
                    }
                    Ok(Literal::Map(entries))
                }
                Some(_) => elements
                    .chunks(2)
                    .map(|chunk| token_value(&chunk[0]))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Literal::List),
            }
        }
        Some(_) => Err(AnalysisError::new(VALUE_ERROR)),
        None => Err(AnalysisError::new(VALUE_ERROR)),
    }
}

/// Value and 1-based line of the first assignment to `name`, validating every line
/// before it.
fn find_assignment(cell: &str, name: &str) -> AnalysisResult<Option<(Literal, usize)>> {
    for (i, line) in cell.split('\n').enumerate() {
        let lineno = i + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = |e: AnalysisError| e.at_line(lineno);
        let tokens = tokenize(line).map_err(at)?;
        let target = match tokens.first() {
            Some(Token::Name(n)) => *n,
            Some(_) => return Err(at(AnalysisError::new("First token must be a valid name"))),
            None => {
                return Err(at(AnalysisError::new(
                    "a line holding only whitespace is not supported (Ploomber fails on it)",
                )))
            }
        };
        if tokens.get(1) != Some(&Token::Assign) {
            return Err(at(AnalysisError::new("Second token must be an assignment")));
        }
        let value = build_value(&tokens[2..]).map_err(at)?;
        if target == name {
            return Ok(Some((value, lineno)));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(cell: &str) -> AnalysisError {
        upstream(cell).expect_err(cell)
    }

    #[test]
    fn list_null_and_named_list() {
        assert_eq!(
            upstream("upstream <- list(\"b\", 'a', 'b')").unwrap(),
            ["a", "b"]
        );
        assert_eq!(upstream("upstream = list('x')").unwrap(), ["x"]);
        assert!(upstream("upstream <- NULL").unwrap().is_empty());
        assert_eq!(
            upstream("upstream <- list(b = \"x\", a = 'y')").unwrap(),
            ["a", "b"]
        );
    }

    #[test]
    fn missing_upstream_is_empty() {
        assert!(upstream("product <- NULL\n").unwrap().is_empty());
        assert!(upstream("").unwrap().is_empty());
    }

    #[test]
    fn comments_and_empty_lines_are_skipped() {
        let cell = "# a comment with anything: x_1 <- c(1)\n\nupstream <- list('a')";
        assert_eq!(upstream(cell).unwrap(), ["a"]);
    }

    #[test]
    fn indented_or_trailing_comment_fails() {
        let e = err("  # indented\nupstream <- NULL");
        assert!(
            e.message
                .starts_with("Could not parse parameters in R notebook"),
            "{e}"
        );
        assert_eq!(e.line, Some(1));
        let e = err("upstream <- NULL # trailing");
        assert!(e
            .message
            .starts_with("Could not parse parameters in R notebook"));
    }

    #[test]
    fn names_are_letters_only() {
        let e = err("up_stream <- NULL");
        assert!(e.message.starts_with(
            "Could not parse parameters in R notebook. Verify they have the right format"
        ));
    }

    #[test]
    fn values_must_be_list_or_null() {
        for cell in ["upstream <- c('a')", "upstream <- 'a'", "upstream <- 1"] {
            assert_eq!(err(cell).message, VALUE_ERROR, "{cell}");
        }
    }

    #[test]
    fn calls_are_not_assignments() {
        let e = err("library(x)\nupstream <- NULL");
        assert_eq!(e.message, "Second token must be an assignment");
        assert_eq!(e.line, Some(1));
        assert_eq!(
            err("'a' <- NULL").message,
            "First token must be a valid name"
        );
    }

    #[test]
    fn lines_before_must_parse_lines_after_are_ignored() {
        let e = err("x <- 1\nupstream <- list('a')");
        assert_eq!(e.message, VALUE_ERROR);
        assert_eq!(e.line, Some(1));
        assert_eq!(
            upstream("product <- NULL\nupstream <- list('a')\nx <- 1\nlibrary(z)").unwrap(),
            ["a"]
        );
        // the first assignment wins
        assert_eq!(
            upstream("upstream <- list('a')\nupstream <- list('b')").unwrap(),
            ["a"]
        );
    }

    #[test]
    fn strings_end_at_any_quote() {
        assert_eq!(upstream("upstream <- list(\"a'\")").unwrap(), ["a"]);
    }

    #[test]
    fn empty_list_is_rejected() {
        assert!(err("upstream <- list()").message.contains("empty list()"));
    }

    #[test]
    fn product_values() {
        assert_eq!(
            product("upstream <- NULL\nproduct <- list(nb = 'a.html', data = \"a.csv\")").unwrap(),
            Literal::Map(vec![
                ("nb".into(), Literal::Str("a.html".into())),
                ("data".into(), Literal::Str("a.csv".into()))
            ])
        );
        assert!(product("product <- NULL")
            .unwrap_err()
            .message
            .starts_with("Couldn't extract 'product'"));
        assert!(product("upstream <- NULL").is_err());
    }
}
