//! The state file `TARGET/.soopervisor-aws-batch-jobs.tsv`: one row per submitted job,
//! appended as each `SubmitJob` returns (the core's format,
//! `soopervisor_core::backend::tracking`): `task<TAB>PLOOMBER NAME<TAB>JOB NAME<TAB>JOB ID`
//! for a task, `barrier<TAB><TAB>JOB NAME<TAB>JOB ID` for a barrier job. `status` and
//! `cancel` read it; they need no plan.

use std::path::{Path, PathBuf};

use soopervisor_core::backend::tracking;
use soopervisor_core::backend::ExportTarget;

/// File name of the state file in the target folder.
pub const STATE_FILE: &str = ".soopervisor-aws-batch-jobs.tsv";

/// One submitted job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// The Ploomber task; `None` for a barrier job.
    pub task: Option<String>,
    pub job_name: String,
    pub job_id: String,
}

impl Submitted {
    /// The state-file fields.
    pub fn fields(&self) -> [&str; 4] {
        match &self.task {
            Some(t) => ["task", t, &self.job_name, &self.job_id],
            None => ["barrier", "", &self.job_name, &self.job_id],
        }
    }
}

/// Where the state of `target` is.
pub fn path(target: &ExportTarget) -> PathBuf {
    target.dir.join(STATE_FILE)
}

/// Every recorded job, in submission order.
pub fn read(path: &Path) -> anyhow::Result<Vec<Submitted>> {
    let rows = tracking::read(
        path,
        &tracking::StateFormat {
            fields: 4,
            row: "task|barrier<TAB>ploomber-name<TAB>job-name<TAB>job-id",
            nothing_here: "no submitted AWS Batch jobs are recorded here",
            how_to_submit: "submit first: soopervisor export TARGET --submit",
        },
    )?;
    Ok(rows
        .into_iter()
        .map(|mut r| {
            let job_id = r.pop().unwrap_or_default();
            let job_name = r.pop().unwrap_or_default();
            let task = r.pop().unwrap_or_default();
            let kind = r.pop().unwrap_or_default();
            Submitted {
                task: (kind == "task").then_some(task),
                job_name,
                job_id,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_submit_writes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(STATE_FILE);
        let jobs = vec![
            Submitted {
                task: Some("a\tb \"$(x)\"\n".into()),
                job_name: "a-b-1f".into(),
                job_id: "11".into(),
            },
            Submitted {
                task: None,
                job_name: "c_wait_1_1".into(),
                job_id: "12".into(),
            },
        ];
        let mut w = tracking::StateWriter::create(&p).unwrap();
        for j in &jobs {
            w.push(&j.fields()).unwrap();
        }
        assert_eq!(read(&p).unwrap(), jobs);
    }
}
