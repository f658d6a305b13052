//! Fuzz target: the R parameters-cell extractor (`upstream` and `product`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use soopervisor_core::analysis::r_cell;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = r_cell::upstream(text);
    let _ = r_cell::product(text);
});
