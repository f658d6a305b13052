//! Engine-neutral writers shared by backends: atomic file output, YAML that reads the
//! same under YAML 1.1 and 1.2, shell quoting, and engine-safe names.

pub mod atomic;
pub mod names;
pub mod shell;
pub mod yaml;
