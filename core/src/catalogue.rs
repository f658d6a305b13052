//! The error catalogue: every error soopervisor knows, each with a stable code
//! (`SV` and four digits: the stage, then the entry), the phrase its message contains,
//! its cause and its fix. `soopervisor explain CODE` prints an entry, and the command
//! line prints the code with the error, so an installed binary never sends users to
//! documents they do not have.
//!
//! The catalogue is markdown (the format of `docs/errors.md`): each crate that adds
//! errors submits its own chunk with `inventory::submit! { ErrorCatalogue {
//! markdown: include_str!("errors.md") } }`, so a new backend adds its codes without
//! touching the core. An entry is a `### Title` section with `* message:`, `* code:`,
//! `* cause:`, `* fix:` (and optionally `* test:`) lines. An error's entry is found from
//! its message (the longest catalogued phrase it contains), so error sites need no
//! change to get their code.

use std::collections::BTreeMap;

/// A markdown chunk of catalogue entries, submitted by a crate with `inventory`.
pub struct ErrorCatalogue {
    /// The entries (see the module documentation for the format).
    pub markdown: &'static str,
}

inventory::collect!(ErrorCatalogue);

/// One catalogued error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorEntry {
    /// `SV0101`.
    pub code: String,
    /// The section title (`No pipeline found`).
    pub title: String,
    /// The `## ` stage the entry belongs to (`Finding the project`).
    pub stage: String,
    /// A phrase every message of this error contains (the first code span of its
    /// `* message:` line).
    pub message: String,
    /// Every code span of the `* message:` line: the phrases that identify the error
    /// (an entry may list variants: `` `is not a CPU quantity` (also `is not a
    /// duration`) ``).
    pub phrases: Vec<String>,
    pub cause: String,
    pub fix: String,
}

impl ErrorEntry {
    /// The entry as `soopervisor explain` prints it.
    pub fn explain(&self) -> String {
        format!(
            "{code}: {title} ({stage})\n\nThe message contains: {message}\n\nCause: {cause}\n\nFix: {fix}\n",
            code = self.code,
            title = self.title,
            stage = self.stage,
            message = self.message,
            cause = self.cause,
            fix = self.fix
        )
    }
}

/// The entries of one markdown chunk, in order. Sections without a `* code:` line are
/// left out (the catalogue test reports them).
pub fn parse(markdown: &str) -> Vec<ErrorEntry> {
    let mut out = Vec::new();
    let mut stage = String::new();
    let mut current: Option<(String, BTreeMap<&str, String>)> = None;
    let flush = |current: &mut Option<(String, BTreeMap<&str, String>)>,
                 stage: &str,
                 out: &mut Vec<ErrorEntry>| {
        if let Some((title, fields)) = current.take() {
            if let Some(code) = fields.get("code") {
                let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
                out.push(ErrorEntry {
                    code: code.trim_matches('`').to_string(),
                    title,
                    stage: stage.to_string(),
                    message: first_code_span(&get("message")),
                    phrases: spans(&get("message")),
                    cause: get("cause"),
                    fix: get("fix"),
                });
            }
        }
    };
    for line in markdown.lines() {
        if let Some(t) = line.strip_prefix("### ") {
            flush(&mut current, &stage, &mut out);
            current = Some((t.trim().to_string(), BTreeMap::new()));
        } else if let Some(s) = line.strip_prefix("## ") {
            flush(&mut current, &stage, &mut out);
            stage = s.trim().to_string();
        } else if let (Some(rest), Some((_, fields))) = (line.strip_prefix("* "), current.as_mut())
        {
            if let Some((key, value)) = rest.split_once(": ") {
                if let Some(k) = ["message", "code", "cause", "fix"]
                    .into_iter()
                    .find(|k| *k == key)
                {
                    fields.insert(k, value.trim().to_string());
                }
            }
        }
    }
    flush(&mut current, &stage, &mut out);
    out
}

/// The first markdown code span of `text` (`` `a` (also `b`) `` gives `a`; a span in
/// double backticks may hold single ones), or the whole text when it has none.
fn first_code_span(text: &str) -> String {
    let text = text.trim();
    for fence in ["``", "`"] {
        if let Some(rest) = text.strip_prefix(fence) {
            if let Some(end) = rest.find(fence) {
                return rest[..end].trim().to_string();
            }
        }
    }
    text.to_string()
}

/// Every catalogued error of the linked crates, sorted by code.
pub fn entries() -> Vec<ErrorEntry> {
    let mut v: Vec<ErrorEntry> = inventory::iter::<ErrorCatalogue>
        .into_iter()
        .flat_map(|c| parse(c.markdown))
        .collect();
    v.sort_by(|a, b| a.code.cmp(&b.code));
    v
}

/// The entry with this code (case-insensitive: `sv0101` works too).
pub fn find(code: &str) -> Option<ErrorEntry> {
    entries()
        .into_iter()
        .find(|e| e.code.eq_ignore_ascii_case(code.trim()))
}

/// The entry of an error message: the one whose phrase the message contains (the
/// longest such phrase, so a specific entry wins over a general one).
///
/// Quoted names are examples in the catalogue (`'nope' is not a task of this
/// pipeline`): any quoted text matches them.
pub fn entry_for(message: &str) -> Option<ErrorEntry> {
    let message = without_quoted(&message.to_lowercase());
    entries()
        .into_iter()
        .flat_map(|e| {
            e.phrases
                .iter()
                .map(|p| without_quoted(&p.to_lowercase()))
                .collect::<Vec<_>>()
                .into_iter()
                .map(move |p| (p, e.clone()))
        })
        .filter(|(phrase, _)| !phrase.is_empty() && message.contains(phrase.as_str()))
        .max_by_key(|(phrase, _)| phrase.len())
        .map(|(_, e)| e)
}

/// The code spans of a markdown line (`` `a` (also `b`) `` → `a`, `b`); the whole
/// line when it has none. A line that is one double-backtick span (a phrase with
/// backticks in it) is that one phrase.
fn spans(line: &str) -> Vec<String> {
    if line.trim_start().starts_with("``") {
        return vec![line.trim().trim_matches('`').trim().to_string()];
    }
    let parts: Vec<&str> = line.split('`').collect();
    if parts.len() < 3 {
        return vec![line.trim().to_string()];
    }
    parts
        .iter()
        .skip(1)
        .step_by(2)
        .take((parts.len() - 1) / 2)
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// `text` with the contents of every single-quoted span removed (`'x'` → `''`).
fn without_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for c in text.chars() {
        if c == '\'' {
            inside = !inside;
            out.push(c);
        } else if !inside {
            out.push(c);
        }
    }
    if inside {
        // an apostrophe, not a quote: keep the text as it was
        return text.to_string();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# Errors\n\n## Finding\n\n### No pipeline\n\n* message: `unable to find`\n* code: SV0101\n* cause: none here.\n* fix: run there.\n* test: `x::y`\n\n### Uncoded\n\n* message: `x`\n\n## Later\n\n### Longer\n\n* message: `unable to find a pipeline`\n* code: SV0201\n* cause: c\n* fix: f\n";

    #[test]
    fn every_code_span_of_the_message_line_identifies_the_entry() {
        assert_eq!(
            spans("`is not a memory quantity` (also `is not a duration`)"),
            ["is not a memory quantity", "is not a duration"]
        );
        assert_eq!(spans("plain words"), ["plain words"]);
        assert_eq!(
            spans("`` `sbatch` was not found ``"),
            ["`sbatch` was not found"]
        );
    }

    #[test]
    fn parses_entries_with_codes() {
        let e = parse(SAMPLE);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].code, "SV0101");
        assert_eq!(e[0].stage, "Finding");
        assert_eq!(e[0].message, "unable to find");
        assert_eq!(e[1].stage, "Later");
        assert!(e[0].explain().contains("Fix: run there."));
    }

    #[test]
    fn the_phrase_is_the_first_code_span() {
        assert_eq!(first_code_span("`a b` (also `c`)"), "a b");
        assert_eq!(first_code_span("`` x `y` z ``"), "x `y` z");
        assert_eq!(first_code_span("plain"), "plain");
    }

    #[test]
    fn quoted_examples_match_any_name() {
        assert_eq!(without_quoted("'nope' is not a task"), "'' is not a task");
        assert_eq!(without_quoted("don't"), "don't");
    }
}
