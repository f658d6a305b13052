//! The command that runs one task, for every backend: `ploomber task NAME
//! --entry-point EP`, with `--force` in force mode. Regular mode cannot use `ploomber
//! task` as it is: without `--force` Ploomber refuses a task that is up to date (exit 1,
//! `TaskBuildError ... TaskStatus.Skipped`), so a workflow on a volume where some
//! products are current would stop at the first such task. Regular mode runs
//! [`RUN_UNLESS_UP_TO_DATE_PY`] instead: the same entry-point loading as `ploomber
//! task` (Ploomber's own `CustomParser`, so `--env--KEY` and every entry-point kind
//! work), then the task is skipped when Ploomber's status says it is up to date (as
//! `ploomber build` skips it) and built otherwise, so the tasks downstream of an edit
//! really run.

use super::Mode;

/// Python run as `python -c RUN_UNLESS_UP_TO_DATE_PY NAME --entry-point EP`: loads the
/// DAG as `ploomber task` does, renders it, exits 0 when the task is up to date, and
/// otherwise builds it; errors go through Ploomber's CLI handler (message, exit 1).
pub const RUN_UNLESS_UP_TO_DATE_PY: &str = r#"from ploomber.cli.io import cli_endpoint
from ploomber.cli.parsers import CustomParser
from ploomber.constants import TaskStatus
@cli_endpoint
def main():
    parser = CustomParser(description="Build one task unless it is up to date", prog="ploomber task")
    with parser:
        parser.add_argument("task_name")
    dag, args = parser.load_from_entry_point_arg()
    dag.render()
    task = dag[args.task_name]
    if task.exec_status == TaskStatus.Skipped:
        return print(f"{task.name!r} is up to date: skipped, as ploomber build skips it")
    task.build()
    print(f"{task.name!r} task executed successfully!")
main()
"#;

/// The arguments that run `task` with `entry_point` in `mode`.
pub fn task_command(mode: Mode, task: &str, entry_point: &str) -> Vec<String> {
    let head: &[&str] = match mode {
        Mode::Regular => &["python", "-c", RUN_UNLESS_UP_TO_DATE_PY],
        Mode::Incremental | Mode::Force => &["ploomber", "task"],
    };
    let mut cmd: Vec<String> = head.iter().map(|s| s.to_string()).collect();
    cmd.extend([
        task.to_string(),
        "--entry-point".to_string(),
        entry_point.to_string(),
    ]);
    if mode == Mode::Force {
        cmd.push("--force".to_string());
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mode_has_its_command() {
        assert_eq!(
            task_command(Mode::Incremental, "a", "pipeline.yaml"),
            ["ploomber", "task", "a", "--entry-point", "pipeline.yaml"]
        );
        assert_eq!(
            task_command(Mode::Force, "a", "p.yaml").last().unwrap(),
            "--force"
        );
        let regular = task_command(Mode::Regular, "a", "pipeline.yaml");
        assert_eq!(regular[..2], ["python", "-c"]);
        assert_eq!(regular[3..], ["a", "--entry-point", "pipeline.yaml"]);
        assert!(!regular.contains(&"--force".to_string()));
    }
}
