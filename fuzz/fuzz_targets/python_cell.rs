//! Fuzz target: the Python parameters-cell extractor (`upstream` and `product`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use soopervisor_core::analysis::python_cell;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = python_cell::upstream(text);
    let _ = python_cell::product(text);
});
