//! POSIX shell quoting: turn any string into one shell word that every POSIX shell
//! (sh, bash, dash, zsh) reads back as exactly that string, with no expansion of any
//! kind (`$`, backticks, globs, `~`, `;`, newlines...).
//!
//! Words made only of a conservative safe charset stay bare, so common names stay
//! readable; everything else is wrapped in single quotes, and an embedded single quote
//! becomes `'\''` (close, escaped quote, reopen). The empty string is `''`.

/// Characters that never need quoting anywhere in a word (ASCII only; the same set
/// Python's `shlex.quote` leaves bare).
fn is_safe(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '_' | '@' | '%' | '+' | '=' | ':' | ',' | '.' | '/' | '-')
}

/// Quotes `s` as a single shell word.
pub fn quote(s: &str) -> String {
    if s.is_empty() {
        return "''".to_string();
    }
    if s.chars().all(is_safe) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// Quotes every word and joins them with single spaces: a command line.
pub fn join<S: AsRef<str>>(words: &[S]) -> String {
    words
        .iter()
        .map(|w| quote(w.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn safe_words_stay_bare() {
        assert_eq!(quote("load"), "load");
        assert_eq!(quote("src/pkg/pipeline.yaml"), "src/pkg/pipeline.yaml");
        assert_eq!(quote("--entry-point"), "--entry-point");
        assert_eq!(quote("a=b,c:d@e%f+g"), "a=b,c:d@e%f+g");
    }

    #[test]
    fn empty_is_two_quotes() {
        assert_eq!(quote(""), "''");
    }

    #[test]
    fn unsafe_words_are_single_quoted() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("$(x)"), "'$(x)'");
        assert_eq!(quote("~"), "'~'");
        assert_eq!(quote("*"), "'*'");
        assert_eq!(quote("é"), "'é'");
    }

    #[test]
    fn embedded_single_quotes_close_and_reopen() {
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote("'"), "''\\'''");
    }

    #[test]
    fn join_quotes_each_word() {
        let words = ["ploomber", "task", "a b", "--entry-point", "pipeline.yaml"];
        assert_eq!(
            join(&words),
            "ploomber task 'a b' --entry-point pipeline.yaml"
        );
        let empty: [String; 0] = [];
        assert_eq!(join(&empty), "");
    }

    const NASTY: &[&str] = &[
        "",
        " ",
        "plain",
        "two words",
        "it's",
        "''",
        "\"double\"",
        "back\\slash",
        "trailing\\",
        "$(touch /tmp/soopervisor-shell-test-marker)",
        "`touch /tmp/soopervisor-shell-test-marker`",
        "$HOME ${HOME} $1 $@ $$",
        "a; echo pwned",
        "a && b || c | d & e",
        "line1\nline2\n",
        "\ttab",
        "glob * ? [a-z]",
        "~root",
        "#comment",
        "!event",
        "unicode ünïcødé 名前 🚀",
        "x$(touch MARKER)y'\"; echo pwned",
        "-n",
        "-e",
        "{a,b}",
        "<in >out",
    ];

    /// Each word survives a real shell: `printf '%s\0'` prints the words back exactly.
    #[test]
    fn round_trip_through_bash() {
        let script = format!("printf '%s\\0' {}", join(NASTY));
        let out = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .env_remove("HOME")
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let got: Vec<&str> = text.split('\0').collect();
        assert_eq!(&got[..got.len() - 1], NASTY);
        assert!(!std::path::Path::new("/tmp/soopervisor-shell-test-marker").exists());
    }

    /// The same through `sh` (dash on Debian), the strictest POSIX shell at hand.
    #[test]
    fn round_trip_through_sh() {
        for word in NASTY {
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!("printf '%s\\n' {}", quote(word)))
                .output()
                .expect("sh runs");
            assert!(out.status.success());
            assert_eq!(String::from_utf8(out.stdout).unwrap(), format!("{word}\n"));
        }
    }
}
