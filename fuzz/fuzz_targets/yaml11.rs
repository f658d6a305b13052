//! Fuzz target: the YAML 1.1 reader (`project::yaml::parse`) on arbitrary text, then
//! the JSON conversion every loaded value goes through.
#![no_main]

use libfuzzer_sys::fuzz_target;
use soopervisor_core::project::yaml;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(node) = yaml::parse(text) {
        let _ = node.value.to_json();
        let _ = node.value.python_str();
    }
});
