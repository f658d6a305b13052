//! Matches the `tasks:` patterns of a [`SettingsSpec`] against the pipeline and gives
//! each exported task its one resolved [`TaskSettings`]. Tasks with equal settings
//! share a group, so a backend that needs one engine object per distinct setting (an
//! Argo template) makes as many as there are groups, not tasks.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use crate::diagnostics::{pretty_list, UserError, UserResult};

use super::parse::SettingsSpec;
use super::TaskSettings;

/// Every exported task's settings, grouped by equal value.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    file: Option<PathBuf>,
    /// Distinct non-empty settings, in the order their first task comes in the plan.
    groups: Vec<TaskSettings>,
    /// The first task (in plan order) of each group.
    first_task: Vec<String>,
    /// Task name → index in `groups` (tasks with no setting are absent).
    by_task: HashMap<String, usize>,
    /// Line of each key in `defaults`.
    default_lines: BTreeMap<&'static str, usize>,
    /// Each pattern's line and the lines of its keys.
    pattern_lines: Vec<(usize, BTreeMap<&'static str, usize>)>,
    /// Task name → index of the pattern it took its keys from.
    task_pattern: HashMap<String, usize>,
}

/// Whether `pattern` selects `task`: equal names, or a glob match.
pub fn matches(pattern: &str, compiled: Option<&glob::Pattern>, task: &str) -> bool {
    pattern == task || compiled.is_some_and(|p| p.matches(task))
}

/// Resolves `spec` for the `planned` tasks (in plan order). `all_tasks` is every task
/// of the pipeline: a pattern must match one of them (a task outside this export, in
/// incremental mode or with `--task`, still counts).
pub fn resolve<'a>(
    spec: &SettingsSpec,
    all_tasks: impl IntoIterator<Item = &'a str>,
    planned: impl IntoIterator<Item = &'a str>,
) -> UserResult<Settings> {
    let file = spec.file.clone();
    let at = |line: usize, msg: String| {
        let e = UserError::new(msg).at_line(line);
        match &file {
            Some(f) => e.in_file(f),
            None => e,
        }
    };
    let mut settings = Settings {
        file: file.clone(),
        default_lines: spec.defaults.lines().collect(),
        pattern_lines: spec
            .patterns
            .iter()
            .map(|p| (p.line, p.block.lines().collect()))
            .collect(),
        ..Settings::default()
    };
    if spec.is_empty() {
        return Ok(settings);
    }
    let compiled: Vec<Option<glob::Pattern>> = spec
        .patterns
        .iter()
        .map(|p| glob::Pattern::new(&p.pattern).ok())
        .collect();
    let all: Vec<&str> = all_tasks.into_iter().collect();
    for (p, c) in spec.patterns.iter().zip(&compiled) {
        if !all.iter().any(|t| matches(&p.pattern, c.as_ref(), t)) {
            let mut names: Vec<&str> = all.clone();
            names.sort_unstable();
            let more = names.len().saturating_sub(20);
            names.truncate(20);
            let listed = if more > 0 {
                format!("{} (and {more} more)", pretty_list(&names))
            } else {
                pretty_list(&names)
            };
            return Err(at(
                p.line,
                format!(
                    "the pattern '{}' in 'tasks' matches no task of the pipeline",
                    p.pattern
                ),
            )
            .with_hint(format!(
                "patterns are task names or globs (*, ?, [abc]); the tasks are: {listed}"
            )));
        }
    }
    let mut index: HashMap<TaskSettings, usize> = HashMap::new();
    for task in planned {
        let pattern = spec
            .patterns
            .iter()
            .zip(&compiled)
            .position(|(p, c)| matches(&p.pattern, c.as_ref(), task));
        let mut s = TaskSettings::default();
        spec.defaults.apply(&mut s);
        if let Some(i) = pattern {
            spec.patterns[i].block.apply(&mut s);
            settings.task_pattern.insert(task.to_string(), i);
        }
        if s.is_empty() {
            continue;
        }
        let next = settings.groups.len();
        let group = *index.entry(s).or_insert_with_key(|s| {
            settings.groups.push(s.clone());
            settings.first_task.push(task.to_string());
            next
        });
        if group == next {
            let s = &settings.groups[group];
            if s.retry_backoff.is_some() && s.retries.is_none() {
                return Err(settings
                    .refusal(
                        task,
                        "retry_backoff",
                        format!(
                            "task '{task}' has a retry_backoff but no retries, so it never waits"
                        ),
                    )
                    .with_hint("add retries: N beside it (in the same pattern or in defaults)"));
            }
        }
        settings.by_task.insert(task.to_string(), group);
    }
    Ok(settings)
}

impl Settings {
    /// True when no task has any setting (backends then write what they always did).
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The resolved settings of `task` (empty when none apply).
    pub fn get(&self, task: &str) -> &TaskSettings {
        match self.by_task.get(task) {
            Some(&g) => &self.groups[g],
            None => TaskSettings::none(),
        }
    }

    /// The distinct non-empty settings, in the order their first task comes in the
    /// plan.
    pub fn groups(&self) -> &[TaskSettings] {
        &self.groups
    }

    /// The index in [`Settings::groups`] of `task`'s settings (`None`: no setting).
    pub fn group_of(&self, task: &str) -> Option<usize> {
        self.by_task.get(task).copied()
    }

    /// The `soopervisor.yaml` line that set `key` for `task` (its pattern's, else the
    /// default's).
    pub fn line_of(&self, task: &str, key: &str) -> Option<usize> {
        self.task_pattern
            .get(task)
            .and_then(|&p| self.pattern_lines[p].1.get(key))
            .or_else(|| self.default_lines.get(key))
            .copied()
    }

    /// An error about `key` of `task`, at the line that set it: what backends return
    /// when their engine cannot honour a setting.
    pub fn refusal(&self, task: &str, key: &str, message: impl Into<String>) -> UserError {
        let mut e = UserError::new(message);
        if let Some(f) = &self.file {
            e = e.in_file(f);
        }
        if let Some(line) = self.line_of(task, key) {
            e = e.at_line(line);
        }
        e
    }

    /// The first task (in plan order) of group `index` of [`Settings::groups`].
    pub fn first_task_of(&self, index: usize) -> &str {
        &self.first_task[index]
    }

    /// Refuses, at its line, the first key set for some task that `backend` does not
    /// list in `honoured`: every backend calls this in `check` with the keys it maps,
    /// so a setting is either honoured in the spec or refused, never dropped.
    pub fn check_honoured(&self, backend: &str, honoured: &[&str]) -> UserResult<()> {
        for (i, group) in self.groups.iter().enumerate() {
            if let Some(key) = group.keys_set().into_iter().find(|k| !honoured.contains(k)) {
                let task = self.first_task_of(i);
                let supported = if honoured.is_empty() {
                    "none".to_string()
                } else {
                    pretty_list(honoured)
                };
                return Err(self
                    .refusal(task, key, format!("the {backend} backend cannot honour the setting '{key}' (set for task '{task}')"))
                    .with_hint(format!("remove '{key}' from this target's settings; {backend} honours: {supported} (docs/settings.md lists every engine)")));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use super::*;

    fn settings(yaml: &str, tasks: &[&str]) -> UserResult<Settings> {
        let spec = SettingsSpec::from_yaml(yaml, "t", Path::new("/p/soopervisor.yaml"))?;
        resolve(&spec, tasks.iter().copied(), tasks.iter().copied())
    }

    const TRAINING: &str = "t:\n  backend: argo\n  defaults: {cpu: 1, memory: 2Gi, retries: 2, timeout: 1h}\n  tasks:\n    \"fit-*\":  {cpu: 8, memory: 32Gi, gpu: 1, timeout: 6h}\n    download: {retries: 5, retry_backoff: 30s}\n";

    #[test]
    fn first_matching_pattern_overrides_defaults_key_by_key() {
        let s = settings(TRAINING, &["download", "clean", "fit-a", "fit-b"]).unwrap();
        let fit = s.get("fit-a");
        assert_eq!(fit.cpu_millis, Some(8000));
        assert_eq!(fit.retries, Some(2), "unset keys fall back to defaults");
        assert_eq!(fit.timeout, Some(Duration::from_secs(6 * 3600)));
        let download = s.get("download");
        assert_eq!(download.retries, Some(5));
        assert_eq!(download.cpu_millis, Some(1000));
        assert_eq!(s.get("clean").cpu_millis, Some(1000));
        // download, clean (defaults only), fit-*: three distinct settings
        assert_eq!(s.groups().len(), 3);
        assert_eq!(s.group_of("fit-a"), s.group_of("fit-b"));
        assert_eq!(s.line_of("fit-a", "cpu"), Some(5));
        assert_eq!(s.line_of("fit-a", "retries"), Some(3));
    }

    #[test]
    fn the_first_pattern_wins_and_exact_names_match_despite_glob_characters() {
        let yaml = "t:\n  tasks:\n    \"a*\": {cpu: 1}\n    ab: {cpu: 2}\n    \"x[1]\": {cpu: 3}\n";
        let s = settings(yaml, &["ab", "x[1]"]).unwrap();
        assert_eq!(s.get("ab").cpu_millis, Some(1000));
        assert_eq!(s.get("x[1]").cpu_millis, Some(3000));
    }

    #[test]
    fn a_pattern_matching_nothing_is_an_error_at_its_line() {
        let e = settings(TRAINING, &["download", "clean"]).unwrap_err();
        assert_eq!(e.line, Some(5));
        assert!(e.message.contains("'fit-*'"), "{e}");
        assert!(e.hint.unwrap().contains("'clean'"));
    }

    #[test]
    fn tasks_outside_the_export_still_count_for_patterns() {
        let spec = SettingsSpec::from_yaml(TRAINING, "t", Path::new("/p/s.yaml")).unwrap();
        let s = resolve(&spec, ["download", "fit-a"], ["download"]).unwrap();
        assert_eq!(s.get("fit-a"), &TaskSettings::EMPTY);
        assert_eq!(s.groups().len(), 1);
    }

    #[test]
    fn backoff_without_retries_is_refused_at_its_line() {
        let e = settings("t:\n  tasks:\n    a:\n      retry_backoff: 30s\n", &["a"]).unwrap_err();
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("no retries"));
    }

    #[test]
    fn keys_a_backend_does_not_honour_are_refused_at_their_line() {
        let s = settings(TRAINING, &["download", "fit-a"]).unwrap();
        let e = s
            .check_honoured(
                "toy",
                &["cpu", "memory", "retries", "timeout", "retry_backoff"],
            )
            .unwrap_err();
        assert!(
            e.message.contains("'gpu'") && e.message.contains("'fit-a'"),
            "{e}"
        );
        assert_eq!(e.line, Some(5));
        assert!(s.check_honoured("toy", &crate::settings::KEYS).is_ok());
    }

    #[test]
    fn no_settings_leave_every_task_empty() {
        let s = settings("t:\n  backend: argo\n", &["a"]).unwrap();
        assert!(s.is_empty());
        assert!(s.get("a").is_empty());
    }
}
