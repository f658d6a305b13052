//! Task selection by mode (being written).
