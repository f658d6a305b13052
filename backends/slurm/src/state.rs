//! The state file `TARGET/.soopervisor-slurm-jobs.tsv`: one `task<TAB>job-id` row per
//! submitted job, written as each job is submitted (so a failure halfway leaves an
//! exact record), in the core's format (`soopervisor_core::backend::tracking`).

use std::path::Path;

pub use soopervisor_core::backend::tracking::escape;

/// Reads `(task, job id)` pairs.
pub fn read(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let rows = soopervisor_core::backend::tracking::read(
        path,
        &soopervisor_core::backend::tracking::StateFormat {
            fields: 2,
            row: "task<TAB>job-id",
            nothing_here: "no submitted SLURM jobs are recorded here",
            how_to_submit:
                "submit first: run the target's submit.sh, or `soopervisor export TARGET --submit`",
        },
    )?;
    Ok(rows
        .into_iter()
        .map(|mut r| {
            let id = r.pop().unwrap_or_default();
            (r.pop().unwrap_or_default(), id)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use soopervisor_core::backend::tracking::row;

    #[test]
    fn reads_what_it_writes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.tsv");
        std::fs::write(&p, row(&["a\tb", "12"]) + &row(&["c", "13"])).unwrap();
        assert_eq!(
            read(&p).unwrap(),
            vec![("a\tb".into(), "12".into()), ("c".into(), "13".into())]
        );
        let err = read(&dir.path().join("none")).unwrap_err().to_string();
        assert!(err.contains("submit first"), "{err}");
    }
}
