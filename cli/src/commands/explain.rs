//! `soopervisor explain CODE`: the catalogue entry of an error code (as `rustc
//! --explain` does), from the catalogue compiled into the binary, so that an installed
//! binary never points at documents the user does not have. Without a code: every
//! code with its title.

use soopervisor_core::catalogue;
use soopervisor_core::diagnostics::{did_you_mean, UserError};

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// An error code, such as SV0101 (printed with every catalogued error)
    pub code: Option<String>,
}

pub fn run(args: ExplainArgs) -> anyhow::Result<()> {
    let entries = catalogue::entries();
    let Some(code) = args.code else {
        let mut stage = "";
        for e in &entries {
            if e.stage != stage {
                println!("{}{}", if stage.is_empty() { "" } else { "\n" }, e.stage);
                stage = &e.stage;
            }
            println!("  {}  {}", e.code, e.title);
        }
        return Ok(());
    };
    match catalogue::find(&code) {
        Some(entry) => {
            print!("{}", entry.explain());
            Ok(())
        }
        None => {
            let codes: Vec<&str> = entries.iter().map(|e| e.code.as_str()).collect();
            let hint = did_you_mean(&code.to_uppercase(), &codes)
                .map(|d| format!("{d} (soopervisor explain lists every code)"))
                .unwrap_or_else(|| "soopervisor explain lists every code".to_string());
            Err(
                UserError::new(format!("'{code}' is not an error code of soopervisor"))
                    .with_hint(hint)
                    .into(),
            )
        }
    }
}
