//! What git knows about the project (read with the `git` command; never required):
//! the repository's top folder, the project's place in it, the commit, whether the
//! working tree has uncommitted changes, the `origin` URL and the tracked files.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The project's git facts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GitInfo {
    pub toplevel: PathBuf,
    /// The project root relative to `toplevel`, `/`-separated, `""` at the top.
    pub prefix: String,
    /// The full commit hash of `HEAD`.
    pub head: String,
    /// Tracked files differ from `HEAD`.
    pub dirty: bool,
    /// `git remote get-url origin`.
    pub remote: Option<String>,
}

impl GitInfo {
    /// The first 8 characters of the commit.
    pub fn short(&self) -> &str {
        &self.head[..self.head.len().min(8)]
    }
}

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim_end().to_string())
}

/// `None` when git is missing or the project is not in a repository with a commit.
pub fn info(root: &Path) -> Option<GitInfo> {
    let toplevel = git(root, &["rev-parse", "--show-toplevel"])?;
    let prefix = git(root, &["rev-parse", "--show-prefix"])?;
    let head = git(root, &["rev-parse", "--verify", "HEAD"])?;
    let status = git(
        root,
        &["status", "--porcelain", "--untracked-files=no", "."],
    )?;
    Some(GitInfo {
        toplevel: PathBuf::from(toplevel),
        prefix: prefix.trim_end_matches('/').to_string(),
        head,
        dirty: !status.trim().is_empty(),
        remote: git(root, &["remote", "get-url", "origin"]).filter(|s| !s.is_empty()),
    })
}

/// Files tracked by git under `root`, relative to it; `None` outside a repository.
pub fn tracked_files(root: &Path) -> Option<Vec<String>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["ls-files", "-z", "--cached", "--", "."])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let mut v: Vec<String> = out
        .stdout
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect();
    v.sort();
    Some(v)
}
