//! The state file `TARGET/.soopervisor-slurm-jobs.tsv`: one `task<TAB>job-id` line per
//! submitted job, written as each job is submitted (so a failure halfway leaves an
//! exact record). Task names are escaped so that any name fits on one line: `\\`,
//! `\t`, `\n` and `\r` stand for themselves.

use std::path::Path;

use soopervisor_core::diagnostics::UserError;

/// Escapes a task name for one TSV field.
pub fn escape(task: &str) -> String {
    let mut out = String::with_capacity(task.len());
    for c in task.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
    out
}

/// Reverses [`escape`].
pub fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// One line of the state file.
pub fn line(task: &str, job_id: &str) -> String {
    format!("{}\t{job_id}\n", escape(task))
}

/// Reads `(task, job id)` pairs.
pub fn read(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(UserError::new(
            "no submitted SLURM jobs are recorded here",
        )
        .in_file(path)
        .with_hint(
            "submit first: run the target's submit.sh, or `soopervisor export TARGET --submit`",
        )
        .into()),
        Err(e) => return Err(anyhow::anyhow!(e).context(format!("cannot read {}", path.display()))),
    };
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        if l.is_empty() {
            continue;
        }
        let Some((task, id)) = l.rsplit_once('\t') else {
            return Err(UserError::new("malformed line (expected task<TAB>job-id)")
                .in_file(path)
                .at_line(i + 1)
                .into());
        };
        out.push((unescape(task), id.to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_round_trips() {
        for s in ["plain", "a\tb", "a\nb\r", "back\\slash\\t", "x$(y)'\""] {
            assert_eq!(unescape(&escape(s)), s);
            assert!(!escape(s).contains(['\t', '\n']));
        }
    }

    #[test]
    fn reads_what_it_writes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.tsv");
        std::fs::write(&p, line("a\tb", "12") + &line("c", "13")).unwrap();
        assert_eq!(
            read(&p).unwrap(),
            vec![("a\tb".into(), "12".into()), ("c".into(), "13".into())]
        );
        let err = read(&dir.path().join("none")).unwrap_err().to_string();
        assert!(err.contains("submit first"), "{err}");
    }
}
