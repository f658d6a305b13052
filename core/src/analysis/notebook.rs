//! Scripts and notebooks into cells (STUB: being implemented).
use super::{AnalysisError, AnalysisResult};

/// The language a notebook's code is analysed as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Language {
    Python,
    R,
    /// Any other kernel language (lower-cased), e.g. `julia`.
    Other(String),
}

/// The first cell tagged `parameters`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamsCell {
    /// The cell's text as jupytext gives it (marker line removed, trailing blank lines trimmed).
    pub source: String,
    /// 1-based line of the file where the cell's code starts (for `.ipynb`, the line of
    /// the cell's `"source"` key when it can be found, else 1).
    pub first_line: usize,
    /// True when the parameters cell is the last non-empty cell (Ploomber fails at render).
    pub is_last_cell: bool,
}

/// What the loader needs to know about one script or notebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotebookInfo {
    pub language: Language,
    pub params: Option<ParamsCell>,
}

/// Reads a script or notebook. `ext` is the file extension without the dot, exactly as
/// on disk (`py`, `R`, `r`, `Rmd`, `ipynb`).
pub fn read_notebook(_text: &str, _ext: &str) -> AnalysisResult<NotebookInfo> {
    Err(AnalysisError::new("notebook analysis not implemented yet"))
}
