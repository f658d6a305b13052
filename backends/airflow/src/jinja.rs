//! Making strings inert for Airflow's templating. Airflow renders every string in an
//! operator's templated fields (`bash_command`, `env`, `cwd`, `cmds`, `arguments`,
//! `env_vars`, `environment`, ...) with Jinja before the task runs, and reads a string
//! ending in one of the operator's template extensions (`.sh`, `.bash`, ...) as the
//! name of a template *file*. [`inert`] rewrites a value so that rendering gives back
//! exactly the value:
//!
//! * every `{` becomes `{{ '{' }}`, so no `{{`, `{%` or `{#` of the value can open a
//!   tag (every `{` left in the output opens one of our own expressions);
//! * `\r` becomes `{{ '\r' }}` (Jinja turns a carriage return in template text into a
//!   newline), and a final `\n` becomes `{{ '\n' }}` (Jinja drops one trailing newline);
//! * a value ending in a template extension gets `{{ '' }}` appended, which renders
//!   to nothing but ends the string with `}}` instead of `.sh`.
//!
//! Values without `{`, carriage returns, a trailing newline or such a suffix are
//! returned unchanged, so ordinary names stay readable in the DAG file.

/// Every extension an operator we emit reads as a template file: BashOperator
/// (`.sh`, `.bash`), DockerOperator (`.sh`, `.bash`, `.env`), KubernetesPodOperator
/// (`.yaml`, `.yaml.j2`, `.json`). Airflow compares case-sensitively; we guard every
/// case.
pub const TEMPLATE_EXTENSIONS: &[&str] = &[".sh", ".bash", ".env", ".yaml", ".j2", ".json"];

/// `value` rewritten so that Airflow's Jinja renders it back to exactly `value`.
pub fn inert(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.len().checked_sub(1);
    for (i, c) in value.char_indices() {
        match c {
            '{' => out.push_str("{{ '{' }}"),
            '\r' => out.push_str("{{ '\\r' }}"),
            '\n' if Some(i) == last => out.push_str("{{ '\\n' }}"),
            c => out.push(c),
        }
    }
    let lower = out.to_ascii_lowercase();
    if TEMPLATE_EXTENSIONS.iter().any(|ext| lower.ends_with(ext)) {
        out.push_str("{{ '' }}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_are_unchanged() {
        assert_eq!(inert("load"), "load");
        assert_eq!(inert("/srv/project dir/$(x)"), "/srv/project dir/$(x)");
        assert_eq!(inert("a}}b"), "a}}b");
        assert_eq!(inert("line1\nline2"), "line1\nline2");
    }

    #[test]
    fn braces_returns_and_the_final_newline_are_wrapped() {
        assert_eq!(inert("{{ x }}"), "{{ '{' }}{{ '{' }} x }}");
        assert_eq!(inert("{%"), "{{ '{' }}%");
        assert_eq!(inert("a\r\n"), "a{{ '\\r' }}{{ '\\n' }}");
    }

    #[test]
    fn template_file_suffixes_are_broken() {
        assert_eq!(inert("run.sh"), "run.sh{{ '' }}");
        assert_eq!(inert("RUN.BASH"), "RUN.BASH{{ '' }}");
        assert_eq!(inert("x.yaml.j2"), "x.yaml.j2{{ '' }}");
        assert_eq!(inert("x.shx"), "x.shx");
    }
}
