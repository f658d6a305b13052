//! Which project files reach the pods (code delivery `shared-disk` and `package`):
//! the files git tracks (every file when the project is not in a repository), plus
//! `include` patterns, minus `exclude` patterns and the products' folders; never
//! `.git*` or `__pycache__`. Large files are reported.

use std::collections::BTreeSet;
use std::path::Path;

use crate::diagnostics::{UserError, UserResult, Warning};
use crate::plan::Plan;

/// Files above this size are reported (they slow every upload).
pub const LARGE_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// The chosen files, root-relative and sorted, and what to tell the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Selection {
    pub files: Vec<String>,
    pub total_bytes: u64,
    pub warnings: Vec<Warning>,
}

/// Selects the files of `plan`'s project.
pub fn select(plan: &Plan, include: &[String], exclude: &[String]) -> UserResult<Selection> {
    let root = &plan.project.root;
    if let Some(both) = include.iter().find(|i| exclude.contains(i)) {
        return Err(
            UserError::new(format!("'{both}' is both in include and in exclude"))
                .with_hint("remove it from one of the two lists"),
        );
    }
    let mut warnings = Vec::new();
    let mut files: BTreeSet<String> = match super::git::tracked_files(root) {
        Some(tracked) => tracked.into_iter().collect(),
        None => {
            warnings.push(Warning::new(
                "the project is not in a git repository: every file under its folder is copied (except products); use exclude to leave some out",
            ));
            walk(root)
        }
    };
    for pattern in include {
        let matched = matching(root, pattern)?;
        if matched.is_empty() {
            warnings.push(Warning::new(format!(
                "include: '{pattern}' matches no file"
            )));
        }
        files.extend(matched);
    }
    let excluded: BTreeSet<String> = exclude
        .iter()
        .map(|p| matching(root, p))
        .collect::<UserResult<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    let product_dirs: BTreeSet<String> = plan
        .tasks
        .iter()
        .flat_map(|t| t.products.iter())
        .filter_map(|p| p.rsplit_once('/').map(|(d, _)| format!("{d}/")))
        .collect();
    let products: BTreeSet<String> = plan
        .tasks
        .iter()
        .flat_map(|t| {
            t.products
                .iter()
                .flat_map(|p| [p.clone(), crate::plan::metadata_path(p)])
        })
        .collect();
    let keep = |f: &String| {
        let hidden_git = f
            .split('/')
            .any(|c| c.starts_with(".git") && c != ".gitignore");
        !hidden_git
            && !f.split('/').any(|c| c == "__pycache__")
            && !excluded.contains(f)
            && !exclude
                .iter()
                .any(|e| f.starts_with(&format!("{}/", e.trim_end_matches('/'))))
            && !products.contains(f)
            && !products.iter().any(|p| f.starts_with(&format!("{p}/")))
            && !product_dirs.iter().any(|d| f.starts_with(d.as_str()))
    };
    let mut out = Selection {
        warnings,
        ..Selection::default()
    };
    for f in files.into_iter().filter(keep) {
        let Ok(meta) = std::fs::metadata(root.join(&f)) else {
            continue; // tracked but deleted
        };
        if !meta.is_file() {
            continue;
        }
        if meta.len() > LARGE_FILE_BYTES {
            out.warnings.push(Warning::new(format!(
                "{f} is {:.1} MB; large files slow every upload (add it to exclude if the pods do not need it)",
                meta.len() as f64 / 1_000_000.0
            )));
        }
        out.total_bytes += meta.len();
        out.files.push(f);
    }
    Ok(out)
}

/// Files matching a glob relative to `root` (a folder matches everything under it).
fn matching(root: &Path, pattern: &str) -> UserResult<BTreeSet<String>> {
    let full = root.join(pattern);
    let entries = glob::glob(&full.to_string_lossy()).map_err(|e| {
        UserError::new(format!("'{pattern}' is not a valid pattern: {e}"))
            .with_hint("use a glob relative to the project root, e.g. data/*.csv")
    })?;
    let mut out = BTreeSet::new();
    for p in entries.flatten() {
        let Ok(rel) = p.strip_prefix(root) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if p.is_dir() {
            out.extend(walk(&p).into_iter().map(|f| format!("{rel}/{f}")));
        } else {
            out.insert(rel);
        }
    }
    Ok(out)
}

/// Every file under `dir`, relative to it, skipping `.git` folders.
fn walk(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, prefix)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            };
            match e.file_type() {
                Ok(t) if t.is_dir() && name != ".git" => stack.push((e.path(), rel)),
                Ok(t) if t.is_file() => {
                    out.insert(rel);
                }
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Mode, PlannedTask, ProjectInfo};

    fn plan(root: &Path) -> Plan {
        Plan {
            project: ProjectInfo {
                root: root.to_path_buf(),
                name: "p".into(),
                entry_point: "pipeline.yaml".into(),
                is_package: false,
                conda: None,
                pip_requirements: None,
            },
            mode: Mode::Regular,
            tasks: vec![PlannedTask {
                name: "t".into(),
                class: "NotebookRunner".into(),
                upstream: vec![],
                all_upstream: vec![],
                products: vec!["out/t.ipynb".into()],
                source: None,
            }],
            pinned_placeholders: Default::default(),
            settings: Default::default(),
            warnings: vec![],
        }
    }

    #[test]
    fn without_git_every_file_but_products_caches_and_exclusions() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        for f in [
            "pipeline.yaml",
            "src/a.py",
            "src/__pycache__/a.pyc",
            "out/t.ipynb",
            "out/.t.ipynb.metadata",
            "data/big.csv",
            ".gitignore",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        if crate::strategy::git::tracked_files(root).is_some() {
            return; // the temp folder sits inside a repository here
        }
        let sel = select(&plan(root), &[], &["data".to_string()]).unwrap();
        assert_eq!(sel.files, vec![".gitignore", "pipeline.yaml", "src/a.py"]);
        assert!(sel
            .warnings
            .iter()
            .any(|w| w.message.contains("not in a git repository")));
        let err = select(&plan(root), &["x".into()], &["x".into()]).unwrap_err();
        assert!(err.message.contains("both in include and in exclude"));
    }
}
