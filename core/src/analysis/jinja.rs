//! SQL and shell Jinja templates (STUB: being implemented).
use super::{AnalysisError, AnalysisResult, Literal};

/// Upstream names referenced as `upstream.x` / `upstream['x']` (sorted, unique).
pub fn upstream(_template: &str) -> AnalysisResult<Vec<String>> {
    Err(AnalysisError::new("jinja analysis not implemented yet"))
}

/// `{% set product = CLASS([...]) %}`: the product class name and its argument.
pub fn product(_template: &str) -> AnalysisResult<Option<(String, Literal)>> {
    Err(AnalysisError::new("jinja analysis not implemented yet"))
}

/// True when the template holds at least one `{{ }}` or `{% %}` (SQLScript requires it).
pub fn has_placeholders(_template: &str) -> bool {
    false
}

/// True when the template references the variable `name` (ShellScript requires `product`).
pub fn references_variable(_template: &str, _name: &str) -> bool {
    false
}
