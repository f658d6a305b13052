//! Plan → AWS Batch requests ([`build`]) and the files of an export ([`export`]).
//!
//! One job definition (`soopervisor-<project>`, type `container`): the environment's
//! image, the user's `container_properties`, the EFS volume of `storage: nfs`
//! (`fileSystemId`, the project's folder as `rootDirectory`, mounted at `mount_path`)
//! and, when every task runs the same script, the command `["bash", "-c", SCRIPT]`.
//! The script is the core's pod script ([`pod_script`]) preceded by what an AWS Batch
//! container needs and a Kubernetes pod gets from its spec: the git checkout of
//! `code: git` and a `cd` into the project folder (Batch has no working directory).
//!
//! One `SubmitJob` per task in plan order: the task's exact name in the job's
//! `PLOOMBER_TASK` environment variable (the script only ever reads `"$PLOOMBER_TASK"`,
//! so no name reaches a shell as code), its settings ([`crate::settings`]: resources,
//! retries, timeout, env, queue, tags, priority), the per-task script when scripts
//! differ, and `dependsOn` placeholders `${<jobName>}` for its upstream jobs.
//!
//! AWS Batch accepts at most [`MAX_DEPENDS_ON`] `dependsOn` entries per job. A task
//! with more upstream jobs waits on barrier jobs instead: its upstream jobs are cut
//! into groups of 20, each group is the `dependsOn` of a barrier job
//! (`<job>_wait_1_<n>`, the same job definition running `true`), and the task depends
//! on the barriers; above 400 upstream jobs the barriers are grouped again
//! (`<job>_wait_2_<n>`), and so on. A barrier succeeds only when all its upstream
//! jobs succeeded, and fails (so the task fails without running) as soon as one
//! fails: the task runs after every upstream task, exactly as with direct
//! dependencies. Barriers are submitted just before their task, after all its
//! upstream jobs, so the order stays topological.

use soopervisor_core::backend::{Export, ExportTarget, OutputFile};
use soopervisor_core::output::shell::quote;
use soopervisor_core::plan::Plan;
use soopervisor_core::strategy::pod::{pod_script, ScriptInputs, TASK_ENV};
use soopervisor_core::strategy::{Composer, Contribution, Phase, SetupStep};

use crate::config::BatchConfig;
use soopervisor_core::settings::{EnvValue, Priority, TaskSettings};

use crate::model::{
    BatchPlan, ContainerOverrides, ContainerProperties, EfsVolumeConfiguration, JobDependency,
    JobTimeout, KeyValuePair, MountPoint, RegisterJobDefinition, ResourceRequirement,
    RetryStrategy, SubmitJob, Volume,
};
use crate::names::{barrier, JobNames};

/// The most `dependsOn` entries AWS Batch accepts on one job.
pub const MAX_DEPENDS_ON: usize = 20;

/// The export file.
pub const FILE_NAME: &str = "batch.json";

/// The job definition's resources when `container_properties` sets none: 1 vCPU and
/// 2 GiB (AWS Batch wants both in an EC2 job definition).
pub const DEFAULT_RESOURCES: &[(&str, &str)] = &[("VCPU", "1"), ("MEMORY", "2048")];

/// The command of a barrier job.
pub const BARRIER_COMMAND: &[&str] = &["true"];

/// The requests and, for each `SubmitJob`, the Ploomber task it runs (`None` for a
/// barrier job).
#[derive(Debug, Clone)]
pub struct Built {
    pub requests: BatchPlan,
    pub tasks: Vec<Option<String>>,
}

/// Builds every request (nothing is written).
pub fn build(cfg: &BatchConfig, plan: &Plan) -> anyhow::Result<Built> {
    cfg.validate(plan)?;
    plan.require_tasks()?;
    let names = JobNames::new(plan.tasks.iter().map(|t| t.name.as_str()));
    let settings = crate::settings::task_settings(cfg, plan)?;
    let composer = Composer::new(cfg.strategies(), plan, cfg.disk(plan));
    let entry_point = plan.project.entry_point.clone();
    let first = composer.task(&plan.tasks[0]);
    let first_script = script(plan, &first, &entry_point);
    // one script in the definition when every task's is the same (compared, not kept:
    // a large pipeline would hold one copy per task); else one per job
    let uniform = plan.tasks[1..]
        .iter()
        .all(|t| script(plan, &composer.task(t), &entry_point) == first_script);
    let scripts: Vec<String> = if uniform {
        Vec::new()
    } else {
        plan.tasks
            .iter()
            .map(|t| script(plan, &composer.task(t), &entry_point))
            .collect()
    };

    let definition = cfg.job_definition_name(plan);
    let mut props: ContainerProperties =
        serde_json::from_value(serde_json::Value::Object(cfg.container_properties.clone()))?;
    props.image = Some(cfg.image(plan));
    if props.resource_requirements.is_empty()
        && !props.other.contains_key("vcpus")
        && !props.other.contains_key("memory")
    {
        // the API wants both in the definition; tasks override them (task_resources)
        props.resource_requirements = DEFAULT_RESOURCES
            .iter()
            .map(|(kind, value)| ResourceRequirement {
                kind: kind.to_string(),
                value: value.to_string(),
            })
            .collect();
    }
    if uniform {
        props.command = command(&first_script);
    }
    props
        .environment
        .extend(first.env.iter().map(|(name, value)| KeyValuePair {
            name: name.clone(),
            value: value.clone(),
        }));
    if let (Some(disk), Some(fs)) = (cfg.disk(plan), &cfg.storage.file_system_id) {
        let root = format!("/{}", disk.sub_path.clone().unwrap_or_default());
        props.volumes.push(Volume {
            name: Some(disk.volume_name.clone()),
            efs_volume_configuration: Some(EfsVolumeConfiguration {
                file_system_id: fs.clone(),
                root_directory: Some(root),
                other: Default::default(),
            }),
            other: Default::default(),
        });
        props.mount_points.push(MountPoint {
            container_path: Some(disk.mount_path.clone()),
            read_only: None,
            source_volume: Some(disk.volume_name.clone()),
        });
    }
    let register = RegisterJobDefinition {
        job_definition_name: definition.clone(),
        kind: "container".to_string(),
        container_properties: props,
    };

    let mut jobs = Vec::with_capacity(plan.tasks.len());
    let mut owners = Vec::with_capacity(plan.tasks.len());
    for (i, (t, s)) in plan.tasks.iter().zip(&settings).enumerate() {
        let job = names.job(&t.name);
        let queue = s.queue.clone().unwrap_or_else(|| cfg.queue().to_string());
        let mut deps: Vec<String> = t.upstream.iter().map(|u| names.job(u)).collect();
        let mut level = 0;
        while deps.len() > MAX_DEPENDS_ON {
            level += 1;
            let mut next = Vec::new();
            for (n, group) in deps.chunks(MAX_DEPENDS_ON).enumerate() {
                let name = barrier(&job, level, n + 1);
                let mut barrier_job =
                    SubmitJob::new(name.clone(), queue.clone(), definition.clone());
                barrier_job.depends_on = group.iter().map(|d| JobDependency::on(d)).collect();
                barrier_job.container_overrides = Some(ContainerOverrides {
                    command: BARRIER_COMMAND.iter().map(|s| s.to_string()).collect(),
                    ..ContainerOverrides::default()
                });
                jobs.push(barrier_job);
                owners.push(None);
                next.push(name);
            }
            deps = next;
        }
        let mut environment = vec![KeyValuePair {
            name: TASK_ENV.to_string(),
            value: t.name.clone(),
        }];
        environment.extend(s.env.iter().filter_map(|(name, value)| match value {
            EnvValue::Literal(v) => Some(KeyValuePair {
                name: name.clone(),
                value: v.clone(),
            }),
            _ => None, // refused by crate::settings
        }));
        let overrides = ContainerOverrides {
            command: scripts.get(i).map(|s| command(s)).unwrap_or_default(),
            environment,
            resource_requirements: requirements(s),
        };
        let mut task_job = SubmitJob::new(job, queue, definition.clone());
        task_job.depends_on = deps.iter().map(|d| JobDependency::on(d)).collect();
        task_job.container_overrides = Some(overrides);
        task_job.retry_strategy = s.retries.map(|r| RetryStrategy { attempts: r + 1 });
        task_job.timeout = s.timeout.map(|t| JobTimeout {
            attempt_duration_seconds: t.as_secs(),
        });
        task_job.scheduling_priority_override = match s.priority {
            Some(Priority::Value(v)) => Some(i32::try_from(v).unwrap_or(i32::MAX)),
            _ => None,
        };
        task_job.tags = s.labels.clone();
        jobs.push(task_job);
        owners.push(Some(t.name.clone()));
    }
    Ok(Built {
        requests: BatchPlan {
            register_job_definition: vec![register],
            submit_job: jobs,
        },
        tasks: owners,
    })
}

/// The job's `resourceRequirements` from its settings (`VCPU`, `MEMORY` in MiB, `GPU`).
fn requirements(s: &TaskSettings) -> Vec<ResourceRequirement> {
    let mut out = Vec::new();
    let mut push = |kind: &str, value: Option<String>| {
        if let Some(value) = value {
            out.push(ResourceRequirement {
                kind: kind.to_string(),
                value,
            });
        }
    };
    push("VCPU", s.cpu_millis.map(crate::settings::vcpus));
    push("MEMORY", s.memory_mebibytes().map(|m| m.to_string()));
    push(
        "GPU",
        Some(s.gpu_count())
            .filter(|n| *n > 0)
            .map(|n| n.to_string()),
    );
    out
}

/// `["bash", "-c", SCRIPT]`.
fn command(script: &str) -> Vec<String> {
    vec!["bash".to_string(), "-c".to_string(), script.to_string()]
}

/// The script of one job: the git checkout (code git), `cd` into the project folder,
/// then the core's pod script.
pub fn script(plan: &Plan, c: &Contribution, entry_point: &str) -> String {
    let mut batch = Contribution::default();
    if let Some(g) = &c.git {
        batch.setup.push(SetupStep::new(
            Phase::FetchCode,
            "check out the exported commit (AWS Batch has no git input)",
            vec![
                format!("git clone --quiet -- {} {}", quote(&g.repo), quote(&g.path)),
                format!(
                    "git -C {} checkout --quiet {}",
                    quote(&g.path),
                    quote(&g.revision)
                ),
            ],
        ));
    }
    if let Some(w) = c.workdir.as_deref().filter(|w| !w.is_empty()) {
        batch.setup.push(SetupStep::new(
            Phase::FetchCode,
            "work in the project's folder (AWS Batch has no working-directory setting)",
            vec![
                format!("mkdir -p -- {}", quote(w)),
                format!("cd -- {}", quote(w)),
            ],
        ));
    }
    batch.merge(c.clone());
    pod_script(&ScriptInputs::new(plan, &batch, entry_point))
}

/// `batch.json`, pretty-printed, ending with a newline.
pub fn encode(requests: &BatchPlan) -> anyhow::Result<Vec<u8>> {
    let mut s = serde_json::to_string_pretty(requests)?;
    s.push('\n');
    Ok(s.into_bytes())
}

/// The export: `batch.json`, the code strategy's files, and the next steps.
pub fn export(cfg: &BatchConfig, plan: &Plan, target: &ExportTarget) -> anyhow::Result<Export> {
    let built = build(cfg, plan)?;
    let mut files = vec![OutputFile::main(FILE_NAME, encode(&built.requests)?)];
    let (rel_dir, rel_root) = target.relative_dirs(&plan.project.root);
    files.extend(cfg.code.files(plan, &*cfg.env.0, &rel_root)?);
    let shown = target
        .name
        .as_deref()
        .map(|n| format!(" {}", quote(n)))
        .unwrap_or_default();
    let mut next_steps = Vec::new();
    if cfg.code.on_shared_disk() {
        if let (Some(d), Some(fs)) = (cfg.disk(plan), &cfg.storage.file_system_id) {
            next_steps.push(format!(
                "# copy the project to /{} on the EFS file system {fs} (e.g. rsync from an instance that mounts it)",
                d.sub_path.unwrap_or_default()
            ));
        }
    } else {
        next_steps.extend(cfg.code.next_steps(plan, target.name.as_deref(), &rel_dir));
    }
    let export = if target.name.is_some() {
        format!("soopervisor export{shown}")
    } else {
        "soopervisor export --backend aws-batch".to_string()
    };
    next_steps.push(format!(
        "{export} --submit   # registers the job definition, submits the jobs"
    ));
    if target.name.is_some() {
        next_steps.push(format!("soopervisor status{shown} --watch"));
    }
    Ok(Export::new(files).with_next_steps(next_steps))
}
