//! Fuzz target: the notebook reader (jupytext subset) for every extension it accepts,
//! with and without a declared kernelspec.
#![no_main]

use libfuzzer_sys::fuzz_target;
use soopervisor_core::analysis::notebook::{read_notebook, read_notebook_with_kernelspec};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for ext in ["py", "R", "r", "Rmd", "ipynb"] {
        let _ = read_notebook(text, ext);
    }
    let _ = read_notebook_with_kernelspec(text, "ipynb", Some("ir"));
    let _ = read_notebook_with_kernelspec(text, "ipynb", Some("python3"));
});
