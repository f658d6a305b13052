//! Project loading: from an entry point to the list of typed tasks, exactly as
//! Ploomber's `DAGSpec` reads a project (being written).

pub mod yaml;
