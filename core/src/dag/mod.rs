//! The dependency graph (being written).
