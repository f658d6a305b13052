//! Large pipelines: DAG templates stay within Argo v4's limits and every task still runs
//! after all of its upstream tasks.

mod common;

use std::path::PathBuf;

use common::*;
use soopervisor_argo::export::{build, build_with_chunk};
use soopervisor_argo::model::Workflow;
use soopervisor_argo::nest::{MAX_DAG_TASKS, MAX_TEMPLATES};
use soopervisor_argo::ArgoConfig;
use soopervisor_core::backend::{BackendConfig, ExportTarget, OutputFormat};
use soopervisor_core::plan::Plan;

fn assert_correct(plan: &Plan, wf: &Workflow) {
    let before = guaranteed_before(wf);
    assert_eq!(
        before.len(),
        plan.tasks.len(),
        "every task runs exactly once"
    );
    for t in &plan.tasks {
        for u in &t.upstream {
            assert!(
                before[&t.name].contains(u),
                "{} may start before {u}",
                t.name
            );
        }
    }
    assert!(wf.spec.templates.len() <= MAX_TEMPLATES);
    for tpl in &wf.spec.templates {
        if let Some(d) = &tpl.dag {
            assert!(
                !d.tasks.is_empty() && d.tasks.len() <= MAX_DAG_TASKS,
                "{}",
                tpl.name
            );
        }
    }
}

#[test]
fn a_450_task_pipeline_nests_into_dags_of_at_most_200() {
    let plan = big(450);
    assert_eq!(plan.tasks.len(), 450);
    let built = build(&ArgoConfig::default(), &plan).unwrap();
    let wf = &built.workflow;
    let names: Vec<&str> = wf.spec.templates.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["dag", "chunk-001", "chunk-002", "chunk-003", "run-task"]
    );
    assert_correct(&plan, wf);
    let out = ArgoConfig::default()
        .export(
            &plan,
            &ExportTarget::new(PathBuf::from("/tmp")).with_format(OutputFormat::Yaml),
        )
        .unwrap();
    if let Ok(dir) = std::env::var("SOOPERVISOR_ARGO_OUT") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            PathBuf::from(dir).join("big-450.yaml"),
            out.files[0].contents(),
        )
        .unwrap();
    }
    let again = ArgoConfig::default()
        .export(
            &plan,
            &ExportTarget::new(PathBuf::from("/tmp")).with_format(OutputFormat::Yaml),
        )
        .unwrap();
    assert_eq!(out.files, again.files, "deterministic");
}

#[test]
fn small_chunks_stay_correct_for_diamonds_and_odd_names() {
    for plan in [
        diamond(soopervisor_core::plan::Mode::Regular),
        odd_names(),
        packaged(),
        big(57),
    ] {
        for chunk in [1, 2, 3, 5] {
            let built = build_with_chunk(&ArgoConfig::default(), &plan, chunk).unwrap();
            assert_correct(&plan, &built.workflow);
        }
    }
}

#[test]
fn up_to_200_tasks_use_a_single_dag() {
    let plan = big(200);
    let wf = build(&ArgoConfig::default(), &plan).unwrap().workflow;
    assert_eq!(wf.spec.templates.len(), 2);
    assert_correct(&plan, &wf);
    let plan = big(201);
    let wf = build(&ArgoConfig::default(), &plan).unwrap().workflow;
    assert_eq!(wf.spec.templates.len(), 4);
    assert_correct(&plan, &wf);
}

#[test]
fn ten_thousand_tasks_export_and_warn_about_size() {
    let plan = big(10_000);
    let target = ExportTarget::new(PathBuf::from("/tmp")).with_format(OutputFormat::Yaml);
    // in one Workflow (max_tasks_per_workflow raised): too large for etcd, and the
    // warning names the setting that splits it
    let one = ArgoConfig {
        max_tasks_per_workflow: 10_000,
        ..ArgoConfig::default()
    };
    // speed is measured by bench/run.sh (docs/performance.md), never by a timed test
    let out = one.export(&plan, &target).unwrap();
    assert_eq!(out.files.len(), 1);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.message.contains("MiB") && w.message.contains("max_tasks_per_workflow")),
        "{:?}",
        out.warnings
    );
    // by default it is split into parts that each stay well below the limit
    let out = ArgoConfig::default().export(&plan, &target).unwrap();
    assert_eq!(out.files.len(), 2);
    assert!(
        !out.warnings.iter().any(|w| w.message.contains("MiB")),
        "{:?}",
        out.warnings
    );
}

#[test]
fn too_many_chunks_is_a_clear_error() {
    let plan = big(400);
    let err = build_with_chunk(&ArgoConfig::default(), &plan, 2)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("200 templates"), "{err}");
}
