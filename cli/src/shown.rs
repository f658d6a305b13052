//! How paths and commands appear in what soopervisor prints ("Wrote ...", next steps,
//! hints), one rule for every command: a path is shown relative to the folder the
//! user's shell is in (`../other/argo.yaml` when needed), absolute only when the user
//! gave `-C` or `--entry-point` as an absolute path; and a `soopervisor ...` command
//! printed as a next step repeats the user's own `-C DIR` and `--entry-point FILE`, so
//! that it works when pasted into the same shell.

use std::path::{Component, Path, PathBuf};

use soopervisor_core::output::shell::quote;

use crate::pipeline::ProjectArgs;

/// The user's shell as the printed paths and commands must fit it.
#[derive(Debug, Clone)]
pub struct Shown {
    /// The folder the shell is in.
    shell: PathBuf,
    /// The user gave an absolute `-C` or `--entry-point`: keep paths absolute.
    absolute: bool,
    /// ` -C DIR -e FILE` as the user typed them (shell-quoted), or empty.
    flags: String,
}

impl Shown {
    /// The rule for a command run with `project`'s options from the current folder.
    pub fn new(project: &ProjectArgs) -> anyhow::Result<Shown> {
        Ok(Shown::at(std::env::current_dir()?, project))
    }

    /// The rule for a shell in `shell`.
    pub fn at(shell: PathBuf, project: &ProjectArgs) -> Shown {
        let absolute = project.directory.as_ref().is_some_and(|d| d.is_absolute())
            || project
                .entry_point
                .as_ref()
                .is_some_and(|e| Path::new(e).is_absolute());
        let mut flags = String::new();
        if let Some(d) = &project.directory {
            flags.push_str(&format!(" -C {}", quote(&d.display().to_string())));
        }
        if let Some(e) = &project.entry_point {
            flags.push_str(&format!(" -e {}", quote(e)));
        }
        if let Some(p) = &project.python {
            flags.push_str(&format!(" --python {}", quote(&p.display().to_string())));
        }
        if project.no_python {
            flags.push_str(" --no-python");
        }
        Shown {
            shell: soopervisor_core::project::paths::normalize(&shell),
            absolute,
            flags,
        }
    }

    /// `path` as the user should read it.
    pub fn path(&self, path: &Path) -> String {
        if self.absolute || !path.is_absolute() {
            return path.display().to_string();
        }
        let rel = relative(path, &self.shell);
        if rel.as_os_str().is_empty() {
            ".".to_string()
        } else {
            rel.display().to_string()
        }
    }

    /// A printed command as the user should paste it: absolute paths under `root`
    /// shown by [`Shown::path`], and `soopervisor` commands given the user's `-C`
    /// and `--entry-point` (before a trailing `# comment`).
    pub fn command(&self, step: &str, root: &Path) -> String {
        let mut step = step.to_string();
        if !self.absolute {
            let root_s = root.display().to_string();
            let shown = self.path(root);
            if root_s.len() > 1 {
                let (with_slash, replacement) = if shown == "." {
                    (format!("{root_s}/"), String::new())
                } else {
                    (format!("{root_s}/"), format!("{shown}/"))
                };
                step = replace_at_word_start(&step, &with_slash, &replacement);
                // the root itself, as a whole word
                step = replace_word(&step, &root_s, &shown);
            }
        }
        if step.starts_with("soopervisor ") && !self.flags.is_empty() {
            let (command, comment) = match step.find("   #") {
                Some(i) => step.split_at(i),
                None => (step.as_str(), ""),
            };
            step = format!("{}{}{comment}", command.trim_end(), self.flags);
        }
        step
    }
}

/// `from` replaced by `to` where it starts a shell word (at the start of `text`, or
/// after a space or an opening quote), never inside another path.
fn replace_at_word_start(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(from) {
        let before = text.len() - rest.len() + i;
        let starts_word = before == 0 || matches!(text.as_bytes()[before - 1], b' ' | b'\'' | b'"');
        out.push_str(&rest[..i]);
        out.push_str(if starts_word { to } else { from });
        rest = &rest[i + from.len()..];
    }
    out.push_str(rest);
    out
}

/// `to` replaced by `with` where it stands as a whole shell word in `text`.
fn replace_word(text: &str, to: &str, with: &str) -> String {
    text.split(' ')
        .map(|w| if w == to { with } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `path` relative to `base` (both absolute and normalised), with `..` as needed.
pub fn relative(path: &Path, base: &Path) -> PathBuf {
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return path.to_path_buf(); // another drive: nothing in common
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c.as_os_str());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(dir: Option<&str>, entry: Option<&str>) -> ProjectArgs {
        ProjectArgs {
            entry_point: entry.map(str::to_string),
            directory: dir.map(PathBuf::from),
            python: None,
            no_python: false,
        }
    }

    #[test]
    fn paths_are_relative_to_the_shell() {
        let s = Shown::at("/home/u/work".into(), &args(Some("demo"), None));
        assert_eq!(
            s.path(Path::new("/home/u/work/demo/argo.yaml")),
            "demo/argo.yaml"
        );
        assert_eq!(
            s.path(Path::new("/home/u/other/argo.yaml")),
            "../other/argo.yaml"
        );
        assert_eq!(s.path(Path::new("/home/u/work")), ".");
    }

    #[test]
    fn absolute_flags_keep_paths_absolute() {
        let s = Shown::at("/home/u".into(), &args(Some("/srv/demo"), None));
        assert_eq!(
            s.path(Path::new("/srv/demo/argo.yaml")),
            "/srv/demo/argo.yaml"
        );
    }

    #[test]
    fn soopervisor_commands_keep_the_users_flags() {
        let s = Shown::at("/w".into(), &args(Some("my demo"), Some("p.yaml")));
        assert_eq!(
            s.command("soopervisor upload t   # copies", Path::new("/w/my demo")),
            "soopervisor upload t -C 'my demo' -e p.yaml   # copies"
        );
        assert_eq!(
            s.command(
                "argo submit -n argo '/w/my demo/argo.yaml'",
                Path::new("/w/my demo")
            ),
            "argo submit -n argo 'my demo/argo.yaml'"
        );
    }
}
