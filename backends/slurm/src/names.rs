//! Safe, unique job and file names for Ploomber task names.
//!
//! A Ploomber name may hold anything (`/`, spaces, quotes, capitals, unicode). Each
//! task gets one *job name*, used as its SLURM `--job-name`, its script file
//! `jobs/<job>.sh` and its log prefix: lowercase ASCII letters, digits, `.`, `_`, `-`,
//! not starting with `.` or `-`, at most 100 characters. A name already in that form
//! is kept; any other gets the sanitised form plus `-` and 8 hex digits of a stable
//! hash of the exact name, so `a/b`, `a_b`, `A_b` and `a b` never collide (not even on
//! case-insensitive file systems). The exact name still goes to `ploomber task`.

use std::collections::{BTreeMap, HashMap};

use soopervisor_core::diagnostics::UserError;

const MAX_LEN: usize = 100;

/// 64-bit FNV-1a: tiny, stable across platforms and releases.
fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The job name for one task name (see the module docs).
pub fn job_name(task: &str) -> String {
    let mut safe: String = task
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '.' | '_' | '-' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '_',
        })
        .collect();
    if safe.starts_with(['.', '-']) {
        safe.replace_range(0..1, "_");
    }
    if safe == task && !safe.is_empty() && safe.len() <= MAX_LEN {
        return safe;
    }
    safe.truncate(MAX_LEN - 9);
    let hash = fnv1a(task) as u32 ^ (fnv1a(task) >> 32) as u32;
    if safe.is_empty() {
        format!("task-{hash:08x}")
    } else {
        format!("{safe}-{hash:08x}")
    }
}

/// Job names for every task of a plan, checked to be unique ignoring case.
#[derive(Debug, Clone)]
pub struct JobNames {
    by_task: HashMap<String, String>,
}

impl JobNames {
    /// Names every task; fails (clearly) in the astronomically unlikely case that two
    /// names still collide.
    pub fn new<'a>(tasks: impl IntoIterator<Item = &'a str>) -> anyhow::Result<Self> {
        let mut by_task = HashMap::new();
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for task in tasks {
            let job = job_name(task);
            if let Some(other) = seen.insert(job.to_ascii_lowercase(), task) {
                if other != task {
                    return Err(UserError::new(format!(
                        "tasks '{other}' and '{task}' map to the same SLURM job name '{job}'"
                    ))
                    .with_hint("rename one of the tasks")
                    .into());
                }
            }
            by_task.insert(task.to_string(), job);
        }
        Ok(JobNames { by_task })
    }

    /// The job name of `task` (which must be one of the named tasks).
    pub fn get(&self, task: &str) -> &str {
        &self.by_task[task]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names_are_kept() {
        assert_eq!(job_name("load"), "load");
        assert_eq!(job_name("fit-1.v2_x"), "fit-1.v2_x");
    }

    #[test]
    fn changed_names_get_a_stable_hash_suffix() {
        let n = job_name("Fit");
        assert!(n.starts_with("fit-") && n.len() == 12, "{n}");
        assert_eq!(n, job_name("Fit"));
        assert!(job_name("a/b").starts_with("a_b-"));
        assert!(job_name(".hidden").starts_with("_hidden-"));
        assert!(job_name("-n").starts_with("_n-"));
        assert!(job_name("").starts_with("task-"));
        assert!(job_name("名前").starts_with("__-"));
    }

    #[test]
    fn nasty_names_become_safe() {
        let n = job_name("x$(touch MARKER)y'\"; echo pwned");
        assert!(n
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c)));
    }

    #[test]
    fn names_differing_in_slash_or_case_do_not_collide() {
        let tasks = ["a/b", "a_b", "A_b", "a b", "A/B", "fit", "Fit", "FIT"];
        let names = JobNames::new(tasks).unwrap();
        let mut all: Vec<String> = tasks
            .iter()
            .map(|t| names.get(t).to_ascii_lowercase())
            .collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), tasks.len());
    }

    #[test]
    fn long_names_are_cut_and_stay_unique() {
        let a = "x".repeat(300);
        let b = format!("{}y", "x".repeat(300));
        assert!(job_name(&a).len() <= MAX_LEN);
        assert_ne!(job_name(&a), job_name(&b));
    }
}
