//! R parameters cell (STUB: being implemented).
use super::{AnalysisError, AnalysisResult, Literal};

/// Upstream names of an R parameters cell (sorted, unique); missing `upstream` → empty.
pub fn upstream(_cell: &str) -> AnalysisResult<Vec<String>> {
    Err(AnalysisError::new("R cell analysis not implemented yet"))
}

/// The `product` value of an R parameters cell.
pub fn product(_cell: &str) -> AnalysisResult<Literal> {
    Err(AnalysisError::new("R cell analysis not implemented yet"))
}
