//! Project loading (being written).
