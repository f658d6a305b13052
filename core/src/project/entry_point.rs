//! Finding the spec: `-e/--entry-point`, the `ENTRY_POINT` variable, `setup.cfg`'s
//! `[ploomber] entry-point`, the search of the working folder and its parents, and the
//! packaged `setup.py` + `src/<pkg>/` layout (§2); plus the project root of a spec (§3.1).

use std::path::{Path, PathBuf};

use crate::diagnostics::{UserError, UserResult};

/// How many folders are searched: the starting one and five parents.
const LEVELS: usize = 6;

/// What an entry point value refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryPoint {
    /// A spec file (absolute path).
    File(PathBuf),
    /// A folder: one task per script/notebook in it.
    Directory(PathBuf),
    /// A glob: one task per matching file.
    Pattern(String),
}

fn not_static(value: &str, what: &str) -> UserError {
    UserError::new(format!(
        "the entry point '{value}' is {what}: Ploomber builds that DAG by running Python code"
    ))
    .with_hint("let soopervisor run the project's Ploomber (drop --no-python), or point --entry-point at a pipeline.yaml that lists the tasks")
}

/// Classifies an explicit entry point (§2.3), relative to `cwd`.
pub fn classify(value: &str, cwd: &Path) -> UserResult<EntryPoint> {
    if value.contains('*') {
        return Ok(EntryPoint::Pattern(value.to_string()));
    }
    if value.contains("::") {
        return Err(not_static(
            value,
            "a module path (package::file), resolved by importing the package",
        ));
    }
    let path = cwd.join(value);
    if path.is_dir() {
        return Ok(EntryPoint::Directory(path));
    }
    if path.is_file() {
        return Ok(EntryPoint::File(path));
    }
    let is_yaml = value.ends_with(".yaml") || value.ends_with(".yml");
    if value.contains('.') && !is_yaml && !value.contains('/') {
        return Err(not_static(value, "a dotted path to a factory function"));
    }
    Err(
        UserError::new(format!("the entry point '{value}' does not exist")).with_hint(format!(
            "no file or folder at {}; check the path given to --entry-point",
            path.display()
        )),
    )
}

/// Searches `start` and its parents (six levels) for `name`; returns the path and how
/// many levels up it was found.
fn find_upwards(name: &str, start: &Path) -> Option<(PathBuf, usize)> {
    let mut dir = Some(start);
    for level in 0..LEVELS {
        let d = dir?;
        let candidate = d.join(name);
        if candidate.exists() {
            return Some((candidate, level));
        }
        dir = d.parent();
    }
    None
}

fn parent_is_src(path: &Path) -> bool {
    path.parent()
        .and_then(|p| p.parent())
        .and_then(|p| p.file_name())
        .is_some_and(|n| n == "src")
}

/// `src/*/<filename>` below `root` (sorted, first wins; `*.egg-info` ignored).
fn src_candidates(root: &Path, filename: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root.join("src")) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_name().to_string_lossy().ends_with(".egg-info"))
        .map(|e| e.path().join(filename))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found
}

/// Ploomber's `find_root_recursively` (§2.2): the project root for `filename` searched
/// from `start`.
pub fn find_root(start: &Path, filename: &str) -> UserResult<PathBuf> {
    let setup = find_upwards("setup.py", start);
    let spec = find_upwards(filename, start);
    match (setup, spec) {
        (None, None) => Err(UserError::new(format!(
            "failed to determine the project root: looked in {} and its parents for setup.py or {filename}, but none exist",
            start.display()
        ))
        .with_hint(format!("run soopervisor inside the project, pass -C DIR, or -e path/to/{filename}"))),
        (None, Some((spec, _))) => {
            if parent_is_src(&spec) {
                return Err(UserError::new(format!(
                    "invalid project layout: {} sits in a src/ folder, which suggests a package, but no setup.py exists",
                    spec.display()
                ))
                .with_hint("add a setup.py next to src/, or move the pipeline out of src/"));
            }
            Ok(spec.parent().unwrap_or(start).to_path_buf())
        }
        (Some((setup, setup_level)), spec) => {
            if let Some((spec, spec_level)) = &spec {
                if *spec_level < setup_level && !parent_is_src(spec) {
                    return Ok(spec.parent().unwrap_or(start).to_path_buf());
                }
            }
            let root = setup.parent().unwrap_or(start).to_path_buf();
            let in_src = src_candidates(&root, filename);
            let at_root = root.join(filename).is_file();
            match (in_src.is_empty(), at_root) {
                (true, false) => Err(UserError::new(format!(
                    "failed to determine the project root: found {} and expected a {filename} at src/*/{filename}",
                    setup.display()
                ))
                .with_hint(format!("move {filename} to src/<package>/ or next to setup.py"))),
                (false, true) => Err(UserError::new(format!(
                    "failed to determine the project root: found two {filename} files, {} and {}",
                    root.join(filename).display(),
                    in_src[0].display()
                ))
                .with_hint("keep one of them, or select one with --entry-point")),
                _ => Ok(root),
            }
        }
    }
}

/// The entry point Ploomber's CLI would use without `-e` (§2.1), searched from `cwd`.
pub fn discover(cwd: &Path) -> UserResult<EntryPoint> {
    let env_value = std::env::var("ENTRY_POINT").ok().filter(|v| !v.is_empty());
    if let Some(value) = &env_value {
        let is_yaml = value.ends_with(".yaml") || value.ends_with(".yml");
        if value.contains('.') && !is_yaml && !value.contains('/') {
            return Err(not_static(
                value,
                "a dotted path to a factory function (from ENTRY_POINT)",
            ));
        }
        if value.contains('/') {
            return Err(UserError::new(format!(
                "ENTRY_POINT ({value}) must be a filename and not contain any directory components"
            ))
            .with_hint("set ENTRY_POINT to a bare file name such as pipeline.serve.yaml, or use --entry-point"));
        }
    }
    let filename = env_value.as_deref().unwrap_or("pipeline.yaml");

    if let Some(found) = entry_point_from_setup_cfg(cwd)? {
        return Ok(EntryPoint::File(found));
    }
    let root = find_root(cwd, filename).map_err(|e| {
        UserError::new(format!("unable to find a pipeline: {}", e.message)).with_hint(
            "use --entry-point/-e to pass the spec's location, or -C to run in the project folder; a spec named pipeline.yml must be renamed to pipeline.yaml",
        )
    })?;
    if root.join("setup.py").is_file() {
        if let Some(first) = src_candidates(&root, filename).into_iter().next() {
            return Ok(EntryPoint::File(first));
        }
    }
    Ok(EntryPoint::File(root.join(filename)))
}

/// `setup.cfg` with a `[ploomber]` section and `entry-point = path` (§2.1).
fn entry_point_from_setup_cfg(cwd: &Path) -> UserResult<Option<PathBuf>> {
    let Some((cfg, _)) = find_upwards("setup.cfg", cwd) else {
        return Ok(None);
    };
    let Ok(text) = std::fs::read_to_string(&cfg) else {
        return Ok(None);
    };
    let mut in_section = false;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_section = trimmed == "[ploomber]";
            continue;
        }
        if !in_section {
            continue;
        }
        if let Some((key, value)) = trimmed.split_once(['=', ':']) {
            if key.trim() == "entry-point" {
                let path = cfg.parent().unwrap_or(cwd).join(value.trim());
                if !path.is_file() {
                    return Err(UserError::new(format!(
                        "setup.cfg sets entry-point = {}, but that file does not exist",
                        value.trim()
                    ))
                    .in_file(&cfg)
                    .at_line(i + 1)
                    .with_hint(
                        "fix the path in the [ploomber] section (it is relative to setup.cfg)",
                    ));
                }
                return Ok(Some(path));
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(root: &Path, rel: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "").unwrap();
    }

    #[test]
    fn finds_spec_in_parent_folder() {
        let d = tempfile::tempdir().unwrap();
        touch(d.path(), "proj/pipeline.yaml");
        touch(d.path(), "proj/scripts/a.py");
        let ep = discover(&d.path().join("proj/scripts")).unwrap();
        assert_eq!(ep, EntryPoint::File(d.path().join("proj/pipeline.yaml")));
    }

    #[test]
    fn packaged_layout_uses_src() {
        let d = tempfile::tempdir().unwrap();
        touch(d.path(), "setup.py");
        touch(d.path(), "src/pkg/pipeline.yaml");
        assert_eq!(
            discover(d.path()).unwrap(),
            EntryPoint::File(d.path().join("src/pkg/pipeline.yaml"))
        );
        assert_eq!(
            find_root(&d.path().join("src/pkg"), "pipeline.yaml").unwrap(),
            d.path()
        );
    }

    #[test]
    fn src_without_setup_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        touch(d.path(), "src/pkg/pipeline.yaml");
        let err = find_root(&d.path().join("src/pkg"), "pipeline.yaml").unwrap_err();
        assert!(err.message.contains("no setup.py"), "{}", err.message);
    }

    #[test]
    fn two_specs_with_setup_py_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        touch(d.path(), "setup.py");
        touch(d.path(), "pipeline.yaml");
        touch(d.path(), "src/pkg/pipeline.yaml");
        assert!(find_root(d.path(), "pipeline.yaml")
            .unwrap_err()
            .message
            .contains("two"));
    }

    #[test]
    fn nothing_found() {
        let d = tempfile::tempdir().unwrap();
        let err = discover(d.path()).unwrap_err();
        assert!(err.message.contains("unable to find a pipeline"));
    }

    #[test]
    fn dotted_paths_are_not_static() {
        let d = tempfile::tempdir().unwrap();
        let err = classify("pkg.make_dag", d.path()).unwrap_err();
        assert!(err.message.contains("factory"));
    }
}
