//! Submitting, tracking and cancelling against a recording fake of the Batch API:
//! placeholders become the ids returned earlier, the state file records every job as
//! it is accepted, a failure halfway says what was submitted, `status` asks at most 100
//! ids per call, `cancel` terminates only what has not ended.

mod common;

use common::*;
use soopervisor_aws_batch::export::build;
use soopervisor_aws_batch::state::{read, Submitted, STATE_FILE};
use soopervisor_aws_batch::{cancel, status, submit};
use soopervisor_core::backend::ExportTarget;
use soopervisor_core::diagnostics::UserError;
use soopervisor_core::plan::Mode;

fn target(dir: &std::path::Path, name: Option<&str>) -> ExportTarget {
    match name {
        Some(n) => ExportTarget::new(dir).with_name(n),
        None => ExportTarget::new(dir),
    }
}

#[test]
fn submits_in_order_with_real_ids_and_records_each_job() {
    let dir = tempfile::tempdir().unwrap();
    let built = build(&efs_config(), &fan_in(25)).unwrap();
    let fake = FakeBatch::default();
    let report = submit::submit(&fake, &built, &target(dir.path(), Some("batch"))).unwrap();
    assert!(
        report.contains("registered job definition arn:aws:batch"),
        "{report}"
    );
    assert!(
        report.contains("submitted part-0001 as job job-1"),
        "{report}"
    );
    let sent = fake.submitted.borrow();
    assert_eq!(sent.len(), 25 + 2 + 1);
    for (job, arn) in sent.iter() {
        assert!(arn.ends_with("soopervisor-ml-basic:7"), "{arn}");
        for d in &job.depends_on {
            assert!(d.job_id.starts_with("job-"), "{}", d.job_id);
        }
    }
    // the first barrier waits for the first 20 parts, i.e. job-1 .. job-20
    let b1 = &sent[25].0;
    assert_eq!(b1.job_name, "join_wait_1_1");
    let ids: Vec<&str> = b1.depends_on.iter().map(|d| d.job_id.as_str()).collect();
    assert_eq!(ids.first(), Some(&"job-1"));
    assert_eq!(ids.last(), Some(&"job-20"));
    let join = &sent[27].0;
    let ids: Vec<&str> = join.depends_on.iter().map(|d| d.job_id.as_str()).collect();
    assert_eq!(ids, ["job-26", "job-27"]);
    let state = read(&dir.path().join(STATE_FILE)).unwrap();
    assert_eq!(state.len(), 28);
    assert_eq!(state[25].task, None);
    assert_eq!(state[27].task.as_deref(), Some("join"));
    assert_eq!(state[27].job_id, "job-28");
}

#[test]
fn a_failure_halfway_lists_what_was_submitted_and_how_to_cancel() {
    let dir = tempfile::tempdir().unwrap();
    let built = build(&efs_config(), &diamond(Mode::Regular)).unwrap();
    let fake = FakeBatch {
        fail_on: Some("features".into()),
        ..FakeBatch::default()
    };
    let err = submit::submit(&fake, &built, &target(dir.path(), Some("my batch"))).unwrap_err();
    let user = err.downcast_ref::<UserError>().expect("a UserError");
    let text = user.to_string();
    assert!(text.contains("submitting job features failed"), "{text}");
    assert!(text.contains("queue is disabled"), "{text}");
    assert!(
        text.contains("load  load  job-1") && text.contains("clean  clean  job-2"),
        "{text}"
    );
    assert!(text.contains("soopervisor cancel 'my batch'"), "{text}");
    // exactly what was accepted is recorded
    let state = read(&dir.path().join(STATE_FILE)).unwrap();
    let tasks: Vec<_> = state.iter().map(|s| s.task.clone().unwrap()).collect();
    assert_eq!(tasks, ["load", "clean"]);

    let fake = FakeBatch {
        fail_on: Some("load".into()),
        ..FakeBatch::default()
    };
    let err = submit::submit(&fake, &built, &target(dir.path(), None)).unwrap_err();
    assert!(err.to_string().contains("nothing was submitted"), "{err}");
}

fn recorded(dir: &std::path::Path, n: usize) -> Vec<Submitted> {
    let jobs: Vec<Submitted> = (1..=n)
        .map(|i| Submitted {
            task: (i % 10 != 0).then(|| format!("task {i}\t\"x\"")),
            job_name: format!("job{i}"),
            job_id: format!("job-{i}"),
        })
        .collect();
    let mut w =
        soopervisor_core::backend::tracking::StateWriter::create(&dir.join(STATE_FILE)).unwrap();
    for j in &jobs {
        w.push(&j.fields()).unwrap();
    }
    jobs
}

#[test]
fn status_asks_100_ids_at_a_time_and_shows_tasks_only() {
    let dir = tempfile::tempdir().unwrap();
    recorded(dir.path(), 250);
    let fake = FakeBatch::default();
    fake.states
        .borrow_mut()
        .insert("job-1".into(), "SUCCEEDED".into());
    fake.states
        .borrow_mut()
        .insert("job-2".into(), "FAILED".into());
    fake.states
        .borrow_mut()
        .insert("job-3".into(), "GONE".into());
    let report = status::status(&fake, &target(dir.path(), Some("b"))).unwrap();
    assert_eq!(*fake.describe_calls.borrow(), [100, 100, 50]);
    let lines: Vec<&str> = report.text.lines().collect();
    assert_eq!(lines.len(), 1 + 225, "a header and one line per task");
    assert!(lines[0].starts_with("TASK"));
    assert!(
        lines[1].starts_with("task 1\\t\"x\"") && lines[1].ends_with("SUCCEEDED"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].ends_with("FAILED (Essential container in task exited)"),
        "{}",
        lines[2]
    );
    assert!(lines[3].contains("UNKNOWN"), "{}", lines[3]);
    assert!(!report.ended);
    assert_eq!(report.failed, 1);

    let fake = FakeBatch::default();
    for i in 1..=250 {
        fake.states
            .borrow_mut()
            .insert(format!("job-{i}"), "SUCCEEDED".into());
    }
    let report = status::status(&fake, &target(dir.path(), Some("b"))).unwrap();
    assert!(report.ended && report.failed == 0);
}

#[test]
fn cancel_terminates_only_what_has_not_ended() {
    let dir = tempfile::tempdir().unwrap();
    recorded(dir.path(), 12);
    let fake = FakeBatch::default();
    fake.states
        .borrow_mut()
        .insert("job-1".into(), "SUCCEEDED".into());
    fake.states
        .borrow_mut()
        .insert("job-2".into(), "FAILED".into());
    fake.states
        .borrow_mut()
        .insert("job-3".into(), "RUNNING".into());
    let report = cancel::cancel(&fake, &target(dir.path(), Some("b"))).unwrap();
    assert_eq!(fake.terminated.borrow().len(), 10);
    assert!(!fake.terminated.borrow().contains(&"job-1".to_string()));
    assert!(
        report.contains("terminated 10 job(s); 2 had already ended"),
        "{report}"
    );
    assert!(report.contains("(barrier job10)"), "{report}");
    let again = cancel::cancel(&fake, &target(dir.path(), Some("b"))).unwrap();
    assert!(again.contains("terminated 0 job(s)"), "{again}");
}

#[test]
fn status_without_a_submission_says_how_to_submit() {
    let dir = tempfile::tempdir().unwrap();
    let err = status::status(&FakeBatch::default(), &target(dir.path(), Some("b"))).unwrap_err();
    let user = err.downcast_ref::<UserError>().expect("a UserError");
    assert!(
        user.to_string().contains("no submitted AWS Batch jobs"),
        "{user}"
    );
}
