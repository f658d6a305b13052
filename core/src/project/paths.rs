//! Path arithmetic without touching the disk: lexical normalisation (Ploomber resolves
//! `..` in product paths) and project-relative display forms.

use std::path::{Component, Path, PathBuf};

/// Collapses `.` and `..` lexically.
pub fn normalize(path: &Path) -> PathBuf {
    if is_clean(path) {
        return path.to_path_buf();
    }
    normalize_walk(path)
}

fn normalize_walk(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `path` relative to `root`, `/`-separated; with `..` segments when it lies outside.
pub fn relative_to(path: &Path, root: &Path) -> String {
    let path = normalize(path);
    let root = normalize(root);
    if let Ok(rest) = path.strip_prefix(&root) {
        let s = to_slash(rest);
        return if s.is_empty() { ".".into() } else { s };
    }
    let p: Vec<_> = path.components().collect();
    let r: Vec<_> = root.components().collect();
    let common = p.iter().zip(&r).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return to_slash(&path);
    }
    let mut parts: Vec<String> = vec!["..".to_string(); r.len() - common];
    parts.extend(
        p[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// Joins components with `/` whatever the platform.
pub fn to_slash(path: &Path) -> String {
    if is_clean(path) {
        if let Some(text) = path.to_str() {
            return text.to_string();
        }
    }
    to_slash_walk(path)
}

fn to_slash_walk(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
        .replace("//", "/")
}

/// True when `path` is already what [`normalize`] and [`to_slash`] would make of it: a
/// non-empty, `/`-separated path without `.` or `..` segments, doubled separators or
/// a trailing separator. Most paths a project declares are, and the component walk
/// is a measurable share of a 100,000-task load.
#[cfg(unix)]
fn is_clean(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    if bytes == b"/" {
        return true;
    }
    let body = bytes.strip_prefix(b"/").unwrap_or(bytes);
    !body.is_empty()
        && body
            .split(|b| *b == b'/')
            .all(|segment| !matches!(segment, b"" | b"." | b".."))
}

#[cfg(not(unix))]
fn is_clean(_path: &Path) -> bool {
    false
}

/// True when `path` (normalised) is inside `root`.
pub fn is_inside(path: &Path, root: &Path) -> bool {
    normalize(path).starts_with(normalize(root))
}

/// Python's `Path(name).suffixes` split: (`stem without suffixes`, `all suffixes`).
pub fn split_suffixes(file_name: &str) -> (&str, &str) {
    if file_name.ends_with('.') {
        return (file_name, "");
    }
    let leading = file_name.len() - file_name.trim_start_matches('.').len();
    match file_name[leading..].find('.') {
        Some(i) => file_name.split_at(leading + i),
        None => (file_name, ""),
    }
}

/// Python's `Path(name).stem`.
pub fn stem(file_name: &str) -> &str {
    match file_name.rfind('.') {
        Some(0) | None => file_name,
        Some(i) => &file_name[..i],
    }
}

/// Python's `Path(name).suffix`.
pub fn suffix(file_name: &str) -> &str {
    let name = file_name.rsplit('/').next().unwrap_or(file_name);
    match name.rfind('.') {
        Some(0) | None => "",
        Some(i) if i == name.len() - 1 => "",
        Some(i) => &name[i..],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The clean-path shortcut answers what the component walk answers.
        #[test]
        fn shortcut_agrees_with_the_walk(
            absolute in proptest::bool::ANY,
            segments in proptest::collection::vec(
                proptest::sample::select(vec!["a", "bc", ".", "..", "", "é", ".d", "e."]),
                0..6,
            ),
        ) {
            let text = format!("{}{}", if absolute { "/" } else { "" }, segments.join("/"));
            let path = Path::new(&text);
            proptest::prop_assert_eq!(normalize(path), normalize_walk(path), "{:?}", text);
            proptest::prop_assert_eq!(to_slash(path), to_slash_walk(path), "{:?}", text);
        }
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_to(Path::new("/p/out/../out/a.csv"), Path::new("/p")),
            "out/a.csv"
        );
        assert_eq!(
            relative_to(Path::new("/x/a.csv"), Path::new("/p/q")),
            "../../x/a.csv"
        );
    }

    #[test]
    fn suffix_rules_match_python() {
        assert_eq!(split_suffixes("report.html"), ("report", ".html"));
        assert_eq!(split_suffixes("a.tar.gz.html"), ("a", ".tar.gz.html"));
        assert_eq!(split_suffixes(".hidden"), (".hidden", ""));
        assert_eq!(stem("a.b.py"), "a.b");
        assert_eq!(suffix("x/a.b.sql"), ".sql");
        assert_eq!(suffix("noext"), "");
    }
}
