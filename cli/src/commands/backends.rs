//! `soopervisor backends`: every backend linked into this binary, with aliases and a
//! one-line description.

use soopervisor_core::backend;

pub fn run() -> anyhow::Result<()> {
    let all = backend::all();
    let width = all.iter().map(|d| d.name().len()).max().unwrap_or(0);
    for d in all {
        let aliases = if d.aliases().is_empty() {
            String::new()
        } else {
            format!(" (also: {})", d.aliases().join(", "))
        };
        println!("{:width$}  {}{aliases}", d.name(), d.summary());
    }
    Ok(())
}
