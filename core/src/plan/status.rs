//! Outdated-task detection from `.metadata` files (being written).
