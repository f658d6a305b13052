//! Python parameters cell (STUB: being implemented).
use super::{AnalysisError, AnalysisResult, Literal};

/// Upstream names declared in a Python parameters cell (sorted, unique). `upstream = None`
/// or an empty collection gives an empty list; a missing `upstream` is an error.
pub fn upstream(_cell: &str) -> AnalysisResult<Vec<String>> {
    Err(AnalysisError::new("python cell analysis not implemented yet"))
}

/// The `product` value of a Python parameters cell (a string or a dict of strings).
pub fn product(_cell: &str) -> AnalysisResult<Literal> {
    Err(AnalysisError::new("python cell analysis not implemented yet"))
}
