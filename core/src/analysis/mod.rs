//! Static analysis of task sources: finds each task's upstream dependencies (and, with
//! `meta.extract_product`, its product) by parsing the sources, never by importing or
//! running user code. One module per source language:
//!
//! * [`notebook`]: scripts and notebooks (`.py`, `.R`, `.r`, `.Rmd`, `.ipynb`) into
//!   cells, the jupytext subset Ploomber relies on, and the `parameters` cell;
//! * [`python_cell`]: `upstream`/`product` in a Python parameters cell;
//! * [`r_cell`]: `upstream`/`product` in an R parameters cell;
//! * [`jinja`]: `upstream.x` / `upstream['x']` in SQL and shell Jinja templates;
//! * [`python_function`]: dotted-path functions (module lookup on disk, AST walk).
//!
//! Every analyser reports problems as an [`AnalysisError`] whose line is relative to
//! the text it was given; the project loader adds the file and absolute line.

pub mod jinja;
mod literal_cell;
pub mod notebook;
pub mod python_cell;
pub mod python_function;
pub mod r_cell;

use std::fmt;

/// A literal value read from source code: the portable subset Ploomber users write in
/// parameters cells (`None`, strings, lists/tuples/sets, dicts with string keys).
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    None,
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// list, tuple or set, in source order.
    List(Vec<Literal>),
    /// dict with string keys, in source order.
    Map(Vec<(String, Literal)>),
}

/// A failure of static analysis, located relative to the analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisError {
    pub message: String,
    /// 1-based line within the analysed text, when known.
    pub line: Option<usize>,
    /// How the user can fix it.
    pub hint: Option<String>,
}

impl AnalysisError {
    pub fn new(message: impl Into<String>) -> Self {
        AnalysisError {
            message: message.into(),
            line: None,
            hint: None,
        }
    }

    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for AnalysisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for AnalysisError {}

pub type AnalysisResult<T> = Result<T, AnalysisError>;

/// Byte offset → 1-based line, built once per analysed text (binary search per query).
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based line holding byte `offset`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

/// Converts a rustpython parse error into an [`AnalysisError`] at its line.
pub(crate) fn python_syntax_error(
    err: &rustpython_parser::ParseError,
    index: &LineIndex,
) -> AnalysisError {
    let offset: usize = err.offset.into();
    AnalysisError::new(format!("invalid Python syntax: {}", err.error)).at_line(index.line(offset))
}

/// Deepest Python nesting analysed (brackets, operators, blocks), estimated from tokens;
/// 200 as CPython's own limit on nested brackets.
/// rustpython builds and drops its syntax tree recursively, so deeper code (which
/// CPython refuses as well) would overflow the stack instead of failing cleanly.
pub(crate) const MAX_PYTHON_DEPTH: usize = 200;

/// Refuses Python code whose syntax tree could be deeper than [`MAX_PYTHON_DEPTH`],
/// before it is parsed. The estimate counts, per bracket level, the operator and keyword
/// tokens since the last comma or logical line (a long flat list stays shallow, a chain
/// of `+`, `.`, calls or unary minus does not), plus indentation; f-strings are
/// estimated from their text. Lexical errors end the scan (the parser reports them).
pub(crate) fn check_python_depth(code: &str) -> AnalysisResult<()> {
    match python_depth(code, 0) {
        Some(offset) => Err(AnalysisError::new(format!(
            "the Python code is nested more than {MAX_PYTHON_DEPTH} levels deep \
             (brackets, operators or blocks), deeper than soopervisor analyses"
        ))
        .at_line(LineIndex::new(code).line(offset))
        .with_hint("simplify the expression or split it into several statements")),
        None => Ok(()),
    }
}

/// The byte offset where the estimated depth (starting at `base`) first exceeds the
/// limit, if it does.
fn python_depth(code: &str, base: usize) -> Option<usize> {
    use rustpython_parser::{lexer::lex, Mode, StringKind, Tok};
    /// One open bracket (the first entry is the statement level).
    #[derive(Default)]
    struct Level {
        /// Operator and keyword tokens since the last separating comma.
        count: usize,
        /// A `lambda` was seen: its parameters' commas do not separate anything.
        lambda: bool,
    }
    let mut levels: Vec<Level> = vec![Level::default()];
    let mut indent = 0usize;
    let mut total = base;
    for token in lex(code, Mode::Module) {
        let Ok((tok, range)) = token else { break };
        let offset: usize = range.start().into();
        let top = levels
            .last_mut()
            .expect("the statement level is never popped");
        match tok {
            Tok::Lpar | Tok::Lsqb | Tok::Lbrace => {
                top.count += 1;
                levels.push(Level::default());
                total += 2;
            }
            Tok::Rpar | Tok::Rsqb | Tok::Rbrace => {
                if levels.len() > 1 {
                    total -= levels.pop().map_or(0, |l| l.count) + 1;
                }
            }
            Tok::Comma if top.lambda => {}
            Tok::Comma | Tok::Newline | Tok::Semi => {
                total -= top.count;
                top.count = 0;
                top.lambda = false;
            }
            Tok::Lambda => {
                top.count += 1;
                top.lambda = true;
                total += 1;
            }
            Tok::Indent => {
                indent += 1;
                total += 1;
            }
            Tok::Dedent => {
                if indent > 0 {
                    indent -= 1;
                    total -= 1;
                }
            }
            Tok::String { value, kind, .. } => {
                if matches!(kind, StringKind::FString | StringKind::RawFString)
                    && python_depth(&value, total).is_some()
                {
                    return Some(offset);
                }
            }
            Tok::Name { .. }
            | Tok::Int { .. }
            | Tok::Float { .. }
            | Tok::Complex { .. }
            | Tok::Colon
            | Tok::EndOfFile
            | Tok::StartModule
            | Tok::StartExpression
            | Tok::StartInteractive => {}
            _ => {
                top.count += 1;
                total += 1;
            }
        }
        if total > MAX_PYTHON_DEPTH {
            return Some(offset);
        }
    }
    None
}

/// The names an `upstream` value declares, for Python and R cells alike: the items of
/// a list/tuple/set (each must be a string) or the keys of a mapping, sorted and
/// unique; `None` gives no names. The inner `Err` carries the Python type name of any
/// other value, for the caller's language-specific message.
pub(crate) fn upstream_names(
    value: Literal,
    line: usize,
) -> AnalysisResult<Result<Vec<String>, &'static str>> {
    let mut names = match value {
        Literal::None => Vec::new(),
        Literal::Map(entries) => entries.into_iter().map(|(k, _)| k).collect(),
        Literal::List(items) => {
            let mut names = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Literal::Str(s) => names.push(s),
                    other => {
                        return Err(AnalysisError::new(format!(
                            "upstream names must be strings, got '{}'",
                            python_cell::type_name(&other)
                        ))
                        .at_line(line))
                    }
                }
            }
            names
        }
        other => return Ok(Err(python_cell::type_name(&other))),
    };
    names.sort();
    names.dedup();
    Ok(Ok(names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_maps_offsets_to_lines() {
        let index = LineIndex::new("ab\ncd\n\nef");
        assert_eq!(index.line(0), 1);
        assert_eq!(index.line(2), 1);
        assert_eq!(index.line(3), 2);
        assert_eq!(index.line(6), 3);
        assert_eq!(index.line(7), 4);
        assert_eq!(index.line(100), 4);
    }
}
