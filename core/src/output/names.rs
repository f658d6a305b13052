//! Engine-safe names, decided once and centrally: Ploomber task names (any characters)
//! become unique Kubernetes/Argo-safe names (`[a-z0-9][-a-z0-9]*`, ≤ 63 characters, no
//! leading digit), project folder names become DNS labels for `generateName`, and
//! arbitrary strings become parameter names.
//!
//! Collisions (`clean_1` vs `clean-1`, names that differ only in case, long names cut
//! to the same prefix) are resolved by a short suffix derived from a stable hash of the
//! original name, so the result never depends on input order or on the run.

use std::collections::{BTreeMap, BTreeSet};

/// Longest engine name: a DNS label, so pod and node names built from it stay valid.
pub const MAX_NAME_LEN: usize = 63;

/// Hex digits of the hash suffix added on collisions and truncation.
const SUFFIX_LEN: usize = 6;

/// FNV-1a, 64 bits: a hash that is the same on every platform, build and run.
pub fn stable_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// `len` lowercase hex digits of [`stable_hash`].
pub fn short_hash(s: &str, len: usize) -> String {
    let full = format!("{:016x}", stable_hash(s));
    full[..len.min(16)].to_string()
}

/// Lowercases, maps every character outside `[a-z0-9]` to `-`, collapses runs of `-`
/// and trims `-` at both ends. May return an empty string.
fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Words that engines' dependency expressions (Argo's `depends`, Airflow's...) read
/// as literals or operators rather than as a task name.
const RESERVED: &[&str] = &["true", "false", "and", "or", "not", "in", "nil", "null"];

/// The readable part of an engine name for `name`, before collision handling:
/// the slug, `task` when nothing is left, `t-` before a leading digit.
fn base_name(name: &str) -> String {
    let s = slug(name);
    if s.is_empty() {
        "task".to_string()
    } else if s.starts_with(|c: char| c.is_ascii_digit()) || RESERVED.contains(&s.as_str()) {
        format!("t-{s}")
    } else {
        s
    }
}

/// `base` cut so that `base-<suffix>` fits in [`MAX_NAME_LEN`], then suffixed.
fn with_suffix(base: &str, original: &str, suffix_len: usize) -> String {
    let keep = MAX_NAME_LEN - suffix_len - 1;
    let cut: String = base.chars().take(keep).collect();
    format!(
        "{}-{}",
        cut.trim_end_matches('-'),
        short_hash(original, suffix_len)
    )
}

/// Ploomber task name → engine name, unique over one pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameMap {
    forward: BTreeMap<String, String>,
}

impl NameMap {
    /// Names every distinct Ploomber name. The result depends only on the set of names.
    pub fn new<I, S>(ploomber_names: I) -> NameMap
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let originals: BTreeSet<String> = ploomber_names
            .into_iter()
            .map(|s| s.as_ref().to_string())
            .collect();
        let bases: BTreeMap<&str, String> = originals
            .iter()
            .map(|o| (o.as_str(), base_name(o)))
            .collect();
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for b in bases.values() {
            *count.entry(b.as_str()).or_default() += 1;
        }
        // a suffixed name equal to another task's plain name is astronomically rare;
        // then every suffix is lengthened to the full hash
        let mut suffix_len = SUFFIX_LEN;
        loop {
            let forward: BTreeMap<String, String> = bases
                .iter()
                .map(|(orig, base)| {
                    let clash = count[base.as_str()] > 1;
                    let too_long = base.len() > MAX_NAME_LEN;
                    let name = if clash || too_long {
                        with_suffix(base, orig, suffix_len)
                    } else {
                        base.clone()
                    };
                    (orig.to_string(), name)
                })
                .collect();
            let distinct: BTreeSet<&String> = forward.values().collect();
            if distinct.len() == forward.len() || suffix_len >= 16 {
                return NameMap { forward };
            }
            suffix_len = 16;
        }
    }

    /// The engine name of a Ploomber task (`None` for a name not given to `new`).
    pub fn get(&self, ploomber_name: &str) -> Option<&str> {
        self.forward.get(ploomber_name).map(String::as_str)
    }

    /// `(ploomber name, engine name)` pairs, sorted by Ploomber name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.forward.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.forward.len()
    }

    pub fn is_empty(&self) -> bool {
        self.forward.is_empty()
    }
}

/// Engines whose names keep case and allow more than Kubernetes (Airflow task and DAG
/// ids: `[A-Za-z0-9_.-]`, at most 250 characters): every character outside the
/// alphabet becomes `_`; an empty result becomes `task`; collisions and names cut to
/// `max_len` get `_` and a hash suffix of the original name, as in [`NameMap::new`].
pub fn identifier(s: &str, allowed: fn(char) -> bool) -> String {
    let out: String = s
        .chars()
        .map(|c| if allowed(c) { c } else { '_' })
        .collect();
    if out.is_empty() {
        "task".to_string()
    } else {
        out
    }
}

impl NameMap {
    /// Like [`NameMap::new`], for engines whose names are [`identifier`]s of `allowed`
    /// characters, at most `max_len` long. The result depends only on the set of names.
    pub fn with_alphabet<I, S>(
        ploomber_names: I,
        allowed: fn(char) -> bool,
        max_len: usize,
    ) -> NameMap
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let originals: BTreeSet<String> = ploomber_names
            .into_iter()
            .map(|s| s.as_ref().to_string())
            .collect();
        let bases: BTreeMap<&str, String> = originals
            .iter()
            .map(|o| (o.as_str(), identifier(o, allowed)))
            .collect();
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for b in bases.values() {
            *count.entry(b.as_str()).or_default() += 1;
        }
        let mut suffix_len = SUFFIX_LEN;
        loop {
            let forward: BTreeMap<String, String> = bases
                .iter()
                .map(|(orig, base)| {
                    let name = if count[base.as_str()] > 1 || base.chars().count() > max_len {
                        let cut: String = base.chars().take(max_len - suffix_len - 1).collect();
                        format!("{cut}_{}", short_hash(orig, suffix_len))
                    } else {
                        base.clone()
                    };
                    (orig.to_string(), name)
                })
                .collect();
            let distinct: BTreeSet<&String> = forward.values().collect();
            if distinct.len() == forward.len() || suffix_len >= 16 {
                return NameMap { forward };
            }
            suffix_len = 16;
        }
    }
}

/// A DNS-1123 label (lowercase alphanumerics and `-`, alphanumeric at both ends,
/// ≤ 63 characters) made from `s`: `My_Project` → `my-project`. Never empty.
pub fn dns_label(s: &str) -> String {
    let slug = slug(s);
    if slug.is_empty() {
        return "project".to_string();
    }
    let cut: String = slug.chars().take(MAX_NAME_LEN).collect();
    cut.trim_end_matches('-').to_string()
}

/// A `metadata.generateName` prefix: the DNS label of `s`, cut so that Kubernetes'
/// 58-character prefix keeps it whole, plus `-`: `My_Project` → `my-project-`.
pub fn generate_name(s: &str) -> String {
    let label: String = dns_label(s).chars().take(57).collect();
    format!("{}-", label.trim_end_matches('-'))
}

/// A parameter or artifact name (`[-a-zA-Z0-9_]+`): other characters become `_`.
pub fn param_name(s: &str) -> String {
    if s.is_empty() {
        return "param".to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// True for a valid engine task/template name as [`NameMap`] produces them.
pub fn is_engine_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME_LEN
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_names_are_kept_readable() {
        let m = NameMap::new(["load", "clean_data", "Plot.Final", "features"]);
        assert_eq!(m.get("load"), Some("load"));
        assert_eq!(m.get("clean_data"), Some("clean-data"));
        assert_eq!(m.get("Plot.Final"), Some("plot-final"));
        assert_eq!(m.get("missing"), None);
    }

    #[test]
    fn leading_digits_and_empty_slugs_get_a_prefix() {
        let m = NameMap::new(["1_000", "___", "9lives"]);
        assert_eq!(m.get("1_000"), Some("t-1-000"));
        assert_eq!(m.get("___"), Some("task"));
        assert_eq!(m.get("9lives"), Some("t-9lives"));
        let m = NameMap::new(["true", "And"]);
        assert_eq!(m.get("true"), Some("t-true"));
        assert_eq!(m.get("And"), Some("t-and"));
    }

    #[test]
    fn collisions_get_hash_suffixes_independent_of_order() {
        let a = NameMap::new(["clean_1", "clean-1", "Clean.1", "other"]);
        let b = NameMap::new(["other", "Clean.1", "clean-1", "clean_1", "clean_1"]);
        assert_eq!(a, b);
        let names: BTreeSet<&str> = a.iter().map(|(_, v)| v).collect();
        assert_eq!(names.len(), 4);
        for (orig, name) in a.iter() {
            assert!(is_engine_name(name), "{orig} -> {name}");
            if orig != "other" {
                assert!(name.starts_with("clean-1-"), "{name}");
                assert_eq!(name.len(), "clean-1-".len() + SUFFIX_LEN);
            }
        }
        assert_eq!(a.get("other"), Some("other"));
        // the suffix depends on the original name only
        let c = NameMap::new(["clean_1", "clean-1"]);
        assert_eq!(c.get("clean_1"), a.get("clean_1"));
    }

    #[test]
    fn case_only_differences_do_not_collide() {
        let m = NameMap::new(["Load", "load", "LOAD"]);
        let names: BTreeSet<&str> = m.iter().map(|(_, v)| v).collect();
        assert_eq!(names.len(), 3);
    }

    #[test]
    fn long_names_are_cut_to_63_with_a_hash() {
        let long_a = format!("{}_a", "x".repeat(100));
        let long_b = format!("{}_b", "x".repeat(100));
        let m = NameMap::new([&long_a, &long_b]);
        let a = m.get(&long_a).unwrap();
        let b = m.get(&long_b).unwrap();
        assert_ne!(a, b);
        assert!(a.len() <= MAX_NAME_LEN && is_engine_name(a), "{a}");
        assert!(b.len() <= MAX_NAME_LEN && is_engine_name(b), "{b}");
    }

    #[test]
    fn every_name_is_engine_safe() {
        let odd = [
            "a",
            "A",
            "-",
            "_x_",
            "x--y",
            "ünïcødé",
            "日本",
            "yes",
            "1",
            "a.b.c",
            "$(rm)",
            "x y",
            "end-",
            "🙂task",
        ];
        let m = NameMap::new(odd);
        for (orig, name) in m.iter() {
            assert!(is_engine_name(name), "{orig:?} -> {name:?}");
        }
        assert_eq!(m.len(), odd.len());
    }

    #[test]
    fn identifier_maps_keep_case_and_resolve_collisions() {
        fn airflow(c: char) -> bool {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
        }
        let long = "L".repeat(300);
        let m = NameMap::with_alphabet(["Load.csv", "a b", "a_b", "", &long, "日本"], airflow, 250);
        assert_eq!(m.get("Load.csv"), Some("Load.csv"));
        assert_eq!(m.get(""), Some("task"));
        assert_eq!(m.get("日本"), Some("__"));
        let (ab, a_b) = (m.get("a b").unwrap(), m.get("a_b").unwrap());
        assert_ne!(ab, a_b);
        assert!(
            ab.starts_with("a_b_") && a_b.starts_with("a_b_"),
            "{ab} {a_b}"
        );
        let l = m.get(&long).unwrap();
        assert_eq!(l.len(), 250);
        assert!(m
            .iter()
            .all(|(_, v)| v.chars().all(airflow) && v.len() <= 250));
    }

    #[test]
    fn stable_hash_is_fixed() {
        // FNV-1a test vectors
        assert_eq!(stable_hash(""), 0xcbf29ce484222325);
        assert_eq!(stable_hash("a"), 0xaf63dc4c8601ec8c);
        assert_eq!(short_hash("a", 6), "af63dc");
    }

    #[test]
    fn dns_labels_and_generate_names() {
        assert_eq!(dns_label("My_Project"), "my-project");
        assert_eq!(generate_name("My_Project"), "my-project-");
        assert_eq!(dns_label("__"), "project");
        assert_eq!(dns_label("123abc"), "123abc");
        assert_eq!(dns_label(&"a".repeat(80)).len(), 63);
        let g = generate_name(&format!("{}_{}", "a".repeat(56), "b".repeat(10)));
        assert!(
            g.len() <= 58 && g.ends_with('-') && !g.ends_with("--"),
            "{g}"
        );
    }

    #[test]
    fn param_names_keep_the_allowed_alphabet() {
        assert_eq!(param_name("task_name"), "task_name");
        assert_eq!(param_name("source.table"), "source_table");
        assert_eq!(param_name("a-b c"), "a-b_c");
        assert_eq!(param_name(""), "param");
    }
}
