//! Plan → [`DagFile`] → `<dag_id>.py`: task ids from the core name map, the script
//! each task runs from the core pod script (built from the strategies' contributions,
//! the task name travelling in `PLOOMBER_TASK`), one operator per task for the
//! preset, the plan's edges, and the next steps to print.

use std::collections::HashMap;

use soopervisor_core::backend::{Export, ExportTarget, OutputFile};
use soopervisor_core::output::names::NameMap;
use soopervisor_core::output::shell::quote;
use soopervisor_core::plan::Plan;
use soopervisor_core::strategy::pod::{pod_script, ScriptInputs, TASK_ENV};
use soopervisor_core::strategy::{Composer, Contribution, EnvironmentStrategy, Phase, SetupStep};

use crate::config::{is_id_char, AirflowConfig, Preset, MAX_ID_LEN};
use crate::model::{Constant, Dag, DagFile, Operator, PodVolume, Task, TaskOptions};

/// Name of the script constant when every task runs the same script.
const SCRIPT: &str = "TASK_SCRIPT";

/// The typed DAG file for `plan` (validated; nothing is written).
pub fn build(cfg: &AirflowConfig, plan: &Plan) -> anyhow::Result<DagFile> {
    cfg.validate(plan)?;
    plan.require_tasks()?;
    let ids = NameMap::with_alphabet(
        plan.tasks.iter().map(|t| t.name.as_str()),
        is_id_char,
        MAX_ID_LEN,
    );
    let pod_names = NameMap::new(plan.tasks.iter().map(|t| t.name.as_str()));
    let entry_point = cfg.effective_entry_point(plan);
    let env = cfg.env();
    let disk = cfg.disk(plan);
    let (date_y, date_m, date_d) = cfg.start_date()?;

    // one contribution per task (bash: one for all, the environment's activation)
    let contributions: Vec<Contribution> = match (&env, cfg.preset) {
        (_, Preset::Bash) => vec![bash_contribution(cfg, plan, env.as_ref())],
        (Some(env), _) => {
            let composer = Composer::new(cfg.strategies(&*env.0), plan, disk.clone());
            plan.tasks.iter().map(|t| composer.task(t)).collect()
        }
        (None, _) => vec![Contribution::default()],
    };
    let workdir = contributions[0].workdir.clone().unwrap_or_default();

    let mut scripts: Vec<Constant> = Vec::new();
    let mut script_of: HashMap<String, String> = HashMap::new();
    let mut task_script: Vec<String> = Vec::with_capacity(plan.tasks.len());
    for (i, c) in contributions.iter().enumerate() {
        // the script depends only on the setup steps: most tasks share the first's
        if i > 0 && c.setup == contributions[0].setup {
            task_script.push(task_script[0].clone());
            continue;
        }
        let mut c = c.clone();
        if cfg.preset == Preset::Kubernetes && !workdir.is_empty() {
            // the operator has no working-directory setting: the script changes to it
            c.setup.insert(
                0,
                SetupStep::new(
                    Phase::FetchCode,
                    "work in the project folder",
                    vec![format!("cd {}", quote(&workdir))],
                ),
            );
        }
        // `bash -c` needs no final newline, and Jinja would drop it (see crate::jinja)
        let mut text = pod_script(&ScriptInputs::new(plan, &c, &entry_point));
        if text.ends_with('\n') {
            text.pop();
        }
        let n = script_of.len();
        let name = script_of
            .entry(text.clone())
            .or_insert_with(|| {
                let name = if n == 0 {
                    SCRIPT.to_string()
                } else {
                    format!("{SCRIPT}_{n}")
                };
                scripts.push(Constant {
                    name: name.clone(),
                    comment: String::new(),
                    value: text,
                });
                name
            })
            .clone();
        task_script.push(name);
    }
    let whose = if scripts.len() == 1 {
        "every task runs"
    } else {
        "some tasks run"
    };
    for s in &mut scripts {
        s.comment =
            format!("The bash script {whose} (the exact Ploomber task name is in ${TASK_ENV}).");
    }

    let image = cfg
        .image
        .clone()
        .unwrap_or_else(|| contributions[0].image.clone().unwrap_or_default());
    let volumes: Vec<PodVolume> = contributions[0]
        .volumes
        .iter()
        .map(|d| PodVolume {
            name: d.volume_name.clone(),
            claim_name: d.claim_name.clone(),
            mount_path: d.mount_path.clone(),
            sub_path: d.sub_path.clone(),
        })
        .collect();
    let project_dir = cfg.project_dir(plan);

    let tasks = plan
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let c = &contributions[i.min(contributions.len() - 1)];
            let script = task_script[i.min(task_script.len() - 1)].clone();
            let mut env = vec![(TASK_ENV.to_string(), t.name.clone())];
            env.extend(c.env.iter().cloned());
            let operator = match cfg.preset {
                Preset::Bash => Operator::Bash {
                    script,
                    env,
                    cwd: project_dir.clone(),
                },
                Preset::Kubernetes => Operator::KubernetesPod {
                    script,
                    env,
                    pod_name: pod_names.get(&t.name).unwrap_or("task").to_string(),
                    namespace: cfg.namespace.clone(),
                    image: image.clone(),
                    mounts_volumes: !volumes.is_empty(),
                },
                Preset::Docker => Operator::Docker {
                    script,
                    env,
                    image: image.clone(),
                    source: project_dir.clone(),
                    target: workdir.clone(),
                },
            };
            let settings = plan.settings(&t.name);
            Task {
                ploomber: t.name.clone(),
                upstream: t.upstream.clone(),
                operator,
                options: TaskOptions {
                    retries: settings.retries,
                    retry_delay_seconds: settings.retry_backoff.map(|d| d.as_secs()),
                    timeout_seconds: settings.timeout.map(|d| d.as_secs().max(1)),
                    queue: settings.queue.clone(),
                },
            }
        })
        .collect();

    Ok(DagFile {
        summary: format!(
            "Airflow DAG exported by soopervisor {} from the Ploomber pipeline of '{}' \
             (preset {}, mode {}). Export again instead of editing this file.",
            env!("CARGO_PKG_VERSION"),
            plan.project.name,
            cfg.preset.as_str(),
            plan.mode.as_str()
        ),
        dag: Dag {
            dag_id: cfg.dag_id(plan),
            schedule: cfg.schedule.clone(),
            start_date: (date_y, date_m, date_d),
            retries: cfg.retries,
            retry_delay_seconds: cfg.retry_delay,
            tags: cfg.tags.clone(),
        },
        task_ids: ids
            .iter()
            .map(|(p, a)| (p.to_string(), a.to_string()))
            .collect(),
        scripts,
        pod_volumes: if cfg.preset == Preset::Kubernetes {
            volumes
        } else {
            Vec::new()
        },
        tasks,
    })
}

/// What a bash task needs: only the environment's activation (conda), never an
/// image, a volume or the code strategy's install steps (the worker runs the project
/// where it is).
fn bash_contribution(
    cfg: &AirflowConfig,
    plan: &Plan,
    env: Option<&soopervisor_core::strategy::Choice<dyn EnvironmentStrategy>>,
) -> Contribution {
    let mut c = Contribution::default();
    if let Some(env) = env {
        let composer = Composer::new(cfg.strategies(&*env.0), plan, None);
        c.setup = composer
            .task(&plan.tasks[0])
            .setup
            .into_iter()
            .filter(|s| s.phase == Phase::Environment)
            .collect();
    }
    c
}

/// The whole export: build, render, next steps.
pub fn export(cfg: &AirflowConfig, plan: &Plan, target: &ExportTarget) -> anyhow::Result<Export> {
    let file = build(cfg, plan)?;
    let dag_id = file.dag.dag_id.clone();
    let name = format!("{dag_id}.py");
    let contents = file.render().into_bytes();
    let path = target.dir.join(&name);
    let mut next_steps = Vec::new();
    if cfg.preset == Preset::Kubernetes {
        let (rel_dir, _) = target.relative_dirs(&plan.project.root);
        next_steps.extend(cfg.code.next_steps(plan, target.name.as_deref(), &rel_dir));
    }
    next_steps.push(format!(
        "cp {} \"$AIRFLOW_HOME/dags/\"   # or your DAGs folder",
        quote(&path.display().to_string())
    ));
    next_steps.push(format!("airflow dags trigger {}", quote(&dag_id)));
    Ok(Export::new(vec![OutputFile::main(name, contents)]).with_next_steps(next_steps))
}
