//! Fuzz target: the Python function analyser: parse a module, then ask for every name
//! the text defines (and a few it may not).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use soopervisor_core::analysis::python_function::ModuleAnalysis;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(module) = ModuleAnalysis::parse(text, Path::new("fuzzed.py")) else {
        return;
    };
    let mut names: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .take(64)
        .collect();
    names.extend(["f", "g", "main", ""]);
    for name in names {
        let _ = module.function(name);
    }
});
