//! Reliability suite (issue 7): work in progress.
