//! Fuzz target: the SQL/shell Jinja template analysis (upstream references, the
//! `{% set product = ... %}` declaration and the placeholder checks).
#![no_main]

use libfuzzer_sys::fuzz_target;
use soopervisor_core::analysis::jinja;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = jinja::upstream(text);
    let _ = jinja::product(text);
    let _ = jinja::has_placeholders(text);
    let _ = jinja::references_variable(text, "product");
});
