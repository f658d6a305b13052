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
