//! Fuzz target: a whole project load. The input is `pipeline.yaml`, optionally followed
//! by `\n#--env--\n` and an `env.yaml`; both are written into a fresh temp folder (with
//! a few small sources the spec may name) and loaded with `project::load`, then
//! `Dag::build`. Any error is fine; a panic, hang or runaway allocation is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use soopervisor_core::dag::Dag;
use soopervisor_core::project::{load, LoadOptions};

const SEPARATOR: &[u8] = b"\n#--env--\n";

fuzz_target!(|data: &[u8]| {
    let (spec, env) = match data.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
        Some(at) => (&data[..at], Some(&data[at + SEPARATOR.len()..])),
        None => (data, None),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::write(root.join("pipeline.yaml"), spec).unwrap();
    if let Some(env) = env {
        std::fs::write(root.join("env.yaml"), env).unwrap();
    }
    std::fs::write(
        root.join("a.py"),
        "# %% tags=[\"parameters\"]\nupstream = None\nproduct = None\n",
    )
    .unwrap();
    std::fs::write(
        root.join("b.py"),
        "# %% tags=[\"parameters\"]\nupstream = ['a']\nproduct = None\n",
    )
    .unwrap();
    std::fs::write(root.join("q.sql"), "select * from {{upstream['a']}}\n").unwrap();
    std::fs::write(
        root.join("fns.py"),
        "def f(product, upstream):\n    upstream['a']\n",
    )
    .unwrap();
    let opts = LoadOptions {
        cwd: root.to_path_buf(),
        entry_point: Some("pipeline.yaml".into()),
    };
    if let Ok(project) = load(&opts) {
        let _ = Dag::build(project.tasks);
    }
});
