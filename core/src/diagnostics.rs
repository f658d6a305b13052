//! User-facing diagnostics: the one error type every failure caused by the user's
//! project or configuration becomes (what, where, how to fix), and the warnings
//! collected along the way.
//!
//! Internal failures (I/O on our own output, bugs) stay plain `anyhow` errors; anything
//! a user can fix is a [`UserError`] so the CLI can print it as one clear paragraph.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem in the user's input, with its location and a fix.
///
/// Fields are public for reading; build one with [`UserError::new`] and the builder
/// methods (new fields may be added in a minor release). A backend returns it through
/// `anyhow` (`Err(UserError::new(..).into())`); the CLI prints it as one paragraph and
/// exits 1.
///
/// ```
/// use soopervisor_core::diagnostics::UserError;
///
/// let e = UserError::new("the prefix has an empty word")
///     .in_file("/p/soopervisor.yaml")
///     .at_line(4)
///     .with_hint("remove the empty entry from `prefix`");
/// assert_eq!(
///     e.to_string(),
///     "/p/soopervisor.yaml:4: the prefix has an empty word\n  help: remove the empty entry from `prefix`"
/// );
/// let as_anyhow: anyhow::Error = e.clone().into();
/// assert_eq!(as_anyhow.downcast_ref::<UserError>(), Some(&e));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserError {
    /// What is wrong, in one sentence.
    pub message: String,
    /// The file that holds the problem, if there is one.
    pub file: Option<PathBuf>,
    /// 1-based line in `file`.
    pub line: Option<usize>,
    /// How to fix it.
    pub hint: Option<String>,
}

impl UserError {
    /// What is wrong, in one sentence; no location, no hint.
    pub fn new(message: impl Into<String>) -> Self {
        UserError {
            message: message.into(),
            file: None,
            line: None,
            hint: None,
        }
    }

    /// The file that holds the problem.
    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    /// The 1-based line in the file (0 means unknown and is ignored).
    pub fn at_line(mut self, line: usize) -> Self {
        if line > 0 {
            self.line = Some(line);
        }
        self
    }

    /// Sets the line only if none is known yet.
    pub fn or_line(mut self, line: usize) -> Self {
        if self.line.is_none() && line > 0 {
            self.line = Some(line);
        }
        self
    }

    /// How to fix it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the file only if none is known yet.
    pub fn or_file(mut self, file: impl AsRef<Path>) -> Self {
        if self.file.is_none() {
            self.file = Some(file.as_ref().to_path_buf());
        }
        self
    }

    /// Puts "did you mean 'x'?" before the hint when `name` looks like a typo of one
    /// of `candidates` (see [`closest`]); unchanged otherwise.
    pub fn suggest<'a, I, S>(mut self, name: &str, candidates: I) -> Self
    where
        I: IntoIterator<Item = &'a S>,
        S: AsRef<str> + ?Sized + 'a,
    {
        if let Some(d) = did_you_mean(name, candidates) {
            self.hint = Some(match self.hint.take() {
                Some(h) => format!("{d} ({h})"),
                None => d,
            });
        }
        self
    }

    /// Prefixes the message with context ("Failed to initialize task 'x': ...").
    pub fn context(mut self, prefix: impl fmt::Display) -> Self {
        self.message = format!("{prefix}: {}", self.message);
        self
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{}:{}: ", file.display(), line)?,
            (Some(file), None) => write!(f, "{}: ", file.display())?,
            _ => {}
        }
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  help: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UserError {}

/// Shorthand for results whose error is always the user's to fix.
pub type UserResult<T> = Result<T, UserError>;

/// A non-fatal finding, printed to stderr before the command's output.
///
/// Fields are public for reading; build one with [`Warning::new`] and the builder
/// methods (new fields may be added in a minor release).
///
/// ```
/// use soopervisor_core::diagnostics::Warning;
///
/// let w = Warning::new("the workflow is 900 KiB; Argo's limit is 1 MiB")
///     .in_file("argo.yaml");
/// assert_eq!(w.to_string(), "argo.yaml: the workflow is 900 KiB; Argo's limit is 1 MiB");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub struct Warning {
    /// The file the finding is about, if any.
    pub file: Option<PathBuf>,
    /// 1-based line in `file`.
    pub line: Option<usize>,
    /// The finding, in one sentence.
    pub message: String,
}

impl Warning {
    /// The finding, with no location.
    pub fn new(message: impl Into<String>) -> Self {
        Warning {
            file: None,
            line: None,
            message: message.into(),
        }
    }

    /// The file the finding is about.
    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    /// The 1-based line in the file (0 means unknown and is ignored).
    pub fn at_line(mut self, line: usize) -> Self {
        if line > 0 {
            self.line = Some(line);
        }
        self
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{}:{}: ", file.display(), line)?,
            (Some(file), None) => write!(f, "{}: ", file.display())?,
            _ => {}
        }
        write!(f, "{}", self.message)
    }
}

/// The candidate closest to `name`, when one is close enough to be a likely typo
/// (Jaro-Winkler similarity of at least 0.8, or a case-only difference): for "did you
/// mean ...?" hints on task names, targets, backends, keys and placeholders.
pub fn closest<'a, I, S>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a S>,
    S: AsRef<str> + ?Sized + 'a,
{
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .map(|c| c.as_ref())
        .filter(|c| *c != name)
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `did you mean 'x'?` for the closest candidate, or `None`.
pub fn did_you_mean<'a, I, S>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a S>,
    S: AsRef<str> + ?Sized + 'a,
{
    closest(name, candidates).map(|c| format!("did you mean '{c}'?"))
}

/// Formats a list of names the way Ploomber does in its messages: `'a', 'b', and 'c'`.
pub fn pretty_list<I, S>(items: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let items: Vec<String> = items
        .into_iter()
        .map(|s| format!("'{}'", s.as_ref()))
        .collect();
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        2 => format!("{}, and {}", items[0], items[1]),
        n => format!("{}, and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_puts_location_first_and_hint_last() {
        let e = UserError::new("bad thing")
            .in_file("p/pipeline.yaml")
            .at_line(3)
            .with_hint("do this");
        assert_eq!(
            e.to_string(),
            "p/pipeline.yaml:3: bad thing\n  help: do this"
        );
    }

    #[test]
    fn did_you_mean_finds_likely_typos_only() {
        let names = ["clean", "train", "report"];
        assert_eq!(closest("trian", &names), Some("train"));
        assert_eq!(closest("Report", &names), Some("report"));
        assert_eq!(closest("zzz", &names), None);
        assert_eq!(
            did_you_mean("claen", &names).as_deref(),
            Some("did you mean 'clean'?")
        );
    }

    #[test]
    fn pretty_list_matches_ploomber() {
        assert_eq!(pretty_list(["a"]), "'a'");
        assert_eq!(pretty_list(["a", "b"]), "'a', and 'b'");
        assert_eq!(pretty_list(["a", "b", "c"]), "'a', 'b', and 'c'");
    }
}
