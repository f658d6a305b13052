//! Tracking submitted jobs, for every backend that submits: the state file (one
//! tab-separated row per submitted job, appended and flushed as each job is submitted,
//! so a failure halfway leaves an exact record) and the aligned table `status` prints.
//! Fields are escaped so that any task name fits on one line: `\\`, `\t`, `\n` and
//! `\r` stand for themselves. Moved here from the slurm backend when AWS Batch needed
//! the same record.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::diagnostics::UserError;

/// Escapes one field (a task name) for a state-file row.
pub fn escape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    for c in field.chars() {
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

/// One row of a state file: the escaped fields joined by tabs, then a newline.
pub fn row(fields: &[&str]) -> String {
    let mut line = fields
        .iter()
        .map(|f| escape(f))
        .collect::<Vec<_>>()
        .join("\t");
    line.push('\n');
    line
}

/// Appends rows to a new state file, flushing each so that it survives a crash.
pub struct StateWriter {
    path: PathBuf,
    file: std::fs::File,
}

impl StateWriter {
    /// Creates (or truncates) the state file, creating its folder.
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the folder {}", dir.display()))?;
        }
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        Ok(StateWriter {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Appends one row.
    pub fn push(&mut self, fields: &[&str]) -> anyhow::Result<()> {
        self.file
            .write_all(row(fields).as_bytes())
            .and_then(|_| self.file.flush())
            .with_context(|| format!("cannot write {}", self.path.display()))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// How a backend's state file reads: the fields of a row and the errors.
pub struct StateFormat<'a> {
    /// Fields per row.
    pub fields: usize,
    /// The row as the user should see it (`task<TAB>job-id`), for malformed lines.
    pub row: &'a str,
    /// The error when the file is missing (nothing was submitted).
    pub nothing_here: &'a str,
    /// Its hint: how to submit.
    pub how_to_submit: &'a str,
}

/// Reads the rows of a state file, each with exactly `format.fields` fields. A missing
/// file or a malformed line is a [`UserError`].
pub fn read(path: &Path, format: &StateFormat<'_>) -> anyhow::Result<Vec<Vec<String>>> {
    let (fields, nothing_here, how_to_submit) =
        (format.fields, format.nothing_here, format.how_to_submit);
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(UserError::new(nothing_here)
                .in_file(path)
                .with_hint(how_to_submit)
                .into())
        }
        Err(e) => return Err(anyhow::anyhow!(e).context(format!("cannot read {}", path.display()))),
    };
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        if l.is_empty() {
            continue;
        }
        let row: Vec<String> = l.split('\t').map(unescape).collect();
        if row.len() != fields {
            return Err(
                UserError::new(format!("malformed line (expected {})", format.row))
                    .in_file(path)
                    .at_line(i + 1)
                    .with_hint("the file is written by soopervisor; fix or delete the line, or submit again")
                    .into(),
            );
        }
        out.push(row);
    }
    Ok(out)
}

/// Aligned columns under `header`; the last column is not padded.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let columns = header.len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .chain([&header])
                .map(|r| r.get(c).map_or(0, |f| f.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (c, width) in widths.iter().enumerate() {
            let field = r.get(c).map(String::as_str).unwrap_or("");
            line.push_str(field);
            if c + 1 < columns {
                line.push_str(&" ".repeat(width - field.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_round_trips() {
        for s in ["plain", "a\tb", "a\nb\r", "back\\slash\\t", "x$(y)'\"", ""] {
            assert_eq!(unescape(&escape(s)), s);
            assert!(!escape(s).contains(['\t', '\n']));
        }
    }

    #[test]
    fn reads_what_it_writes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/s.tsv");
        let mut w = StateWriter::create(&p).unwrap();
        w.push(&["a\tb", "12"]).unwrap();
        w.push(&["c", "13"]).unwrap();
        let format = |fields| StateFormat {
            fields,
            row: "a<TAB>b",
            nothing_here: "nothing recorded",
            how_to_submit: "submit first",
        };
        assert_eq!(
            read(&p, &format(2)).unwrap(),
            vec![
                vec!["a\tb".to_string(), "12".into()],
                vec!["c".into(), "13".into()]
            ]
        );
        let err = read(&p, &format(3)).unwrap_err().to_string();
        assert!(err.contains("malformed line (expected a<TAB>b)"), "{err}");
        let err = read(&dir.path().join("none"), &format(2)).unwrap_err();
        let user = err.downcast_ref::<UserError>().expect("a user error");
        assert!(user.to_string().contains("nothing recorded"), "{user}");
    }

    #[test]
    fn table_aligns_columns() {
        let rows = vec![
            vec!["load".to_string(), "7".to_string(), "COMPLETED".to_string()],
            vec![
                "a longer name".to_string(),
                "12".to_string(),
                "PENDING (Dependency)".to_string(),
            ],
        ];
        assert_eq!(
            table(&["TASK", "JOB-ID", "STATE"], &rows),
            "TASK           JOB-ID  STATE\n\
             load           7       COMPLETED\n\
             a longer name  12      PENDING (Dependency)\n"
        );
    }
}
