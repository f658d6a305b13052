//! Job names. AWS Batch takes `^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$`; each task gets
//! the core's engine name ([`NameMap`]: lowercase letters, digits and `-`, at most 63
//! characters, unique over the pipeline, a hash suffix on collisions). Names of one
//! character get `_task` appended (moto, the emulator, wants at least 2). The barrier
//! jobs that let a task wait for more than 20 upstream jobs are `<job>_wait_<level>_<n>`:
//! no task's name holds `_`, so a barrier never collides with a task. The exact
//! Ploomber name travels in the job's `PLOOMBER_TASK` environment variable and in the
//! state file, never in a name.

use soopervisor_core::output::names::NameMap;

/// Longest job name AWS Batch accepts.
pub const MAX_JOB_NAME: usize = 128;

/// Ploomber task name → job name.
#[derive(Debug, Clone)]
pub struct JobNames {
    map: NameMap,
}

impl JobNames {
    pub fn new<'a>(tasks: impl IntoIterator<Item = &'a str>) -> Self {
        JobNames {
            map: NameMap::new(tasks),
        }
    }

    /// The job name of `task` (one of the names given to `new`).
    pub fn job(&self, task: &str) -> String {
        let n = self.map.get(task).unwrap_or("task");
        if n.len() < 2 {
            format!("{n}_task")
        } else {
            n.to_string()
        }
    }
}

/// The `n`-th barrier job at `level` (1 = waits for upstream tasks) in front of `job`.
pub fn barrier(job: &str, level: usize, n: usize) -> String {
    format!("{job}_wait_{level}_{n}")
}

/// True for a name AWS Batch accepts as a job or job definition name.
pub fn is_batch_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.len() <= MAX_JOB_NAME
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_valid_and_unique() {
        let tasks = [
            "a",
            "A",
            "load",
            "clean_1",
            "clean-1",
            "$(rm -rf /)",
            "日本",
            "9",
            "_",
        ];
        let names = JobNames::new(tasks);
        let jobs: std::collections::BTreeSet<String> = tasks.iter().map(|t| names.job(t)).collect();
        assert_eq!(jobs.len(), tasks.len());
        for j in &jobs {
            assert!(is_batch_name(j) && j.len() >= 2, "{j}");
            assert!(is_batch_name(&barrier(j, 3, 41)), "{j}");
        }
        assert_eq!(names.job("load"), "load");
        let alone = JobNames::new(["a", "load"]);
        assert_eq!(alone.job("a"), "a_task");
    }

    #[test]
    fn the_pattern_is_awss() {
        assert!(is_batch_name("A-b_9"));
        assert!(!is_batch_name("-a"));
        assert!(!is_batch_name("_a"));
        assert!(!is_batch_name("a b"));
        assert!(!is_batch_name(""));
        assert!(is_batch_name(&"a".repeat(128)));
        assert!(!is_batch_name(&"a".repeat(129)));
    }
}
