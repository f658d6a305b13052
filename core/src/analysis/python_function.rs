//! Dotted-path Python functions (STUB: being implemented).
use super::{AnalysisError, AnalysisResult};
use std::path::{Path, PathBuf};

/// Finds the module file of `dotted` (`pkg.sub.fn` → `pkg/sub.py` or
/// `pkg/sub/__init__.py`) by walking `search_dirs` in order. Returns the module file
/// and the function name.
pub fn locate(_dotted: &str, _search_dirs: &[PathBuf]) -> AnalysisResult<(PathBuf, String)> {
    Err(AnalysisError::new("function analysis not implemented yet"))
}

/// One parsed module; parse once, query many functions.
#[derive(Debug, Default)]
pub struct ModuleAnalysis {}

/// What a function task needs: its upstream names and where it is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionInfo {
    /// Sorted, unique names from `upstream['x']` subscripts anywhere in the body.
    pub upstream: Vec<String>,
    /// 1-based line of the `def` (or its first decorator).
    pub line: usize,
}

impl ModuleAnalysis {
    pub fn parse(_text: &str, _path: &Path) -> AnalysisResult<ModuleAnalysis> {
        Err(AnalysisError::new("function analysis not implemented yet"))
    }

    pub fn function(&self, _name: &str) -> AnalysisResult<FunctionInfo> {
        Err(AnalysisError::new("function analysis not implemented yet"))
    }
}
