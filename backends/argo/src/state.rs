//! The state file `TARGET/.soopervisor-argo.tsv`, written by `export --submit` and
//! read by `status` and `cancel`, in the core's format
//! (`soopervisor_core::backend::tracking`). Rows of four fields:
//!
//! * `object  KIND  NAME  NAMESPACE`: what was created (`Workflow`,
//!   `WorkflowTemplate`, `CronWorkflow`), with the name the cluster gave it;
//! * `task  PLOOMBER-NAME  ARGO-NAME  PART`: one per exported task, with its DAG task
//!   name in the Workflow (the name map of the export) and, for a pipeline split into
//!   several Workflows, the WorkflowTemplate of its part (empty otherwise).

use std::path::Path;

use soopervisor_core::backend::tracking::{self, StateFormat, StateWriter};
use soopervisor_core::diagnostics::UserError;

/// The state file's name in the target folder.
pub const STATE_FILE: &str = ".soopervisor-argo.tsv";

/// One exported task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRow {
    pub task: String,
    /// The DAG task's name (the nodes' `displayName`).
    pub argo: String,
    /// The WorkflowTemplate of its part, when split.
    pub part: Option<String>,
}

/// What was submitted from a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// `Workflow`, `WorkflowTemplate` or `CronWorkflow`.
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub tasks: Vec<TaskRow>,
}

/// Writes the state file (replacing an earlier one).
pub fn write(path: &Path, s: &Submitted) -> anyhow::Result<()> {
    let mut w = StateWriter::create(path)?;
    w.push(&["object", &s.kind, &s.name, &s.namespace])?;
    for t in &s.tasks {
        w.push(&["task", &t.task, &t.argo, t.part.as_deref().unwrap_or("")])?;
    }
    Ok(())
}

/// Reads the state file.
pub fn read(path: &Path) -> anyhow::Result<Submitted> {
    let rows = tracking::read(
        path,
        &StateFormat {
            fields: 4,
            row: "object<TAB>kind<TAB>name<TAB>namespace or task<TAB>ploomber<TAB>argo<TAB>part",
            nothing_here: "no submitted Argo Workflow is recorded here",
            how_to_submit: "submit first: `soopervisor export TARGET --submit`",
        },
    )?;
    let mut object = None;
    let mut tasks = Vec::new();
    for (i, r) in rows.into_iter().enumerate() {
        match r[0].as_str() {
            "object" if object.is_none() => {
                object = Some((r[1].clone(), r[2].clone(), r[3].clone()))
            }
            "task" => tasks.push(TaskRow {
                task: r[1].clone(),
                argo: r[2].clone(),
                part: Some(r[3].clone()).filter(|p| !p.is_empty()),
            }),
            other => {
                return Err(UserError::new(format!(
                "unexpected row '{other}' (record {}): rows start with 'object' (once) or 'task'",
                i + 1
            ))
                .in_file(path)
                .with_hint("the file is written by soopervisor; submit again to rewrite it")
                .into())
            }
        }
    }
    let Some((kind, name, namespace)) = object else {
        return Err(
            UserError::new("no 'object' row: the submitted object is not recorded")
                .in_file(path)
                .with_hint("the file is written by soopervisor; submit again to rewrite it")
                .into(),
        );
    };
    Ok(Submitted {
        kind,
        name,
        namespace,
        tasks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_it_writes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t/s.tsv");
        let s = Submitted {
            kind: "Workflow".into(),
            name: "proj-x7k2p".into(),
            namespace: "argo".into(),
            tasks: vec![
                TaskRow {
                    task: "a\tb".into(),
                    argo: "a-b-1234".into(),
                    part: None,
                },
                TaskRow {
                    task: "c".into(),
                    argo: "c".into(),
                    part: Some("proj-part-002".into()),
                },
            ],
        };
        write(&p, &s).unwrap();
        assert_eq!(read(&p).unwrap(), s);
        std::fs::write(&p, "task\ta\tb\t\n").unwrap();
        let err = read(&p).unwrap_err().to_string();
        assert!(err.contains("no 'object' row"), "{err}");
        let err = read(&dir.path().join("none")).unwrap_err().to_string();
        assert!(err.contains("no submitted Argo Workflow"), "{err}");
    }
}
