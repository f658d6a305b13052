//! The typed model of an exported DAG file ([`DagFile`]: the DAG's settings, the
//! task-id map, shared scripts, one [`Task`] per Ploomber task with its [`Operator`])
//! and its rendering to Python through [`crate::python`]. Which operator fields
//! Airflow renders with Jinja is decided here, once: their user values go through
//! [`crate::jinja::inert`], every other value is written as is.

use std::fmt::Write;

use crate::jinja::inert;
use crate::python::{string_literal, Expr};

/// Module-level name of the Ploomber name → Airflow task id map.
pub const TASK_IDS: &str = "TASK_IDS";
/// Name of the operator dict inside the DAG block.
const TASKS: &str = "tasks";

/// The DAG's own settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Dag {
    pub dag_id: String,
    pub schedule: Option<String>,
    /// (year, month, day), UTC.
    pub start_date: (i64, u32, u32),
    pub retries: u32,
    pub retry_delay_seconds: u64,
    pub tags: Vec<String>,
}

/// A volume every pod mounts (a persistent volume claim).
#[derive(Debug, Clone, PartialEq)]
pub struct PodVolume {
    pub name: String,
    pub claim_name: String,
    pub mount_path: String,
    pub sub_path: Option<String>,
}

/// The operator of one task. `script` names a module-level constant holding the
/// bash script the task runs; `env` holds the task's environment variables.
#[derive(Debug, Clone, PartialEq)]
pub enum Operator {
    Bash {
        script: String,
        env: Vec<(String, String)>,
        cwd: String,
    },
    KubernetesPod {
        script: String,
        env: Vec<(String, String)>,
        pod_name: String,
        namespace: String,
        image: String,
        /// Mount the file's [`DagFile::pod_volumes`].
        mounts_volumes: bool,
    },
    Docker {
        script: String,
        env: Vec<(String, String)>,
        image: String,
        /// Host folder bind-mounted at `target`, the container's working folder.
        source: String,
        target: String,
    },
}

/// Per-task settings (the target's `defaults:`/`tasks:`), as operator arguments every
/// operator accepts (`BaseOperator`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskOptions {
    pub retries: Option<u32>,
    pub retry_delay_seconds: Option<u64>,
    pub timeout_seconds: Option<u64>,
    pub queue: Option<String>,
}

impl TaskOptions {
    fn kwargs(&self) -> Vec<(&'static str, Expr)> {
        let seconds = |s: u64| {
            Expr::call(
                "datetime.timedelta",
                vec![],
                vec![("seconds", Expr::Int(i64::try_from(s).unwrap_or(i64::MAX)))],
            )
        };
        let mut v = Vec::new();
        if let Some(r) = self.retries {
            v.push(("retries", Expr::Int(r.into())));
        }
        if let Some(s) = self.retry_delay_seconds {
            v.push(("retry_delay", seconds(s)));
        }
        if let Some(s) = self.timeout_seconds {
            v.push(("execution_timeout", seconds(s)));
        }
        if let Some(q) = &self.queue {
            v.push(("queue", Expr::str(q.as_str())));
        }
        v
    }
}

/// One Ploomber task.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// The exact Ploomber name (the key of [`TASK_IDS`]).
    pub ploomber: String,
    /// Upstream Ploomber names, among the exported tasks.
    pub upstream: Vec<String>,
    pub operator: Operator,
    pub options: TaskOptions,
}

/// A module-level string constant.
#[derive(Debug, Clone, PartialEq)]
pub struct Constant {
    pub name: String,
    pub comment: String,
    pub value: String,
}

/// The whole file.
#[derive(Debug, Clone, PartialEq)]
pub struct DagFile {
    /// First paragraph of the module docstring.
    pub summary: String,
    pub dag: Dag,
    /// (Ploomber name, Airflow task id), sorted by Ploomber name.
    pub task_ids: Vec<(String, String)>,
    /// Scripts shared by the tasks, referenced by name from the operators.
    pub scripts: Vec<Constant>,
    /// Volumes every pod mounts (module-level `POD_VOLUMES`, `POD_VOLUME_MOUNTS`).
    pub pod_volumes: Vec<PodVolume>,
    /// In plan order (upstream tasks first).
    pub tasks: Vec<Task>,
}

/// Module-level names of the pods' volumes and their mounts.
const POD_VOLUMES: &str = "POD_VOLUMES";
const POD_VOLUME_MOUNTS: &str = "POD_VOLUME_MOUNTS";

/// `k8s.V1Volume(...)` for each volume.
fn volumes_expr(volumes: &[PodVolume]) -> Expr {
    Expr::List(
        volumes
            .iter()
            .map(|v| {
                Expr::call(
                    "k8s.V1Volume",
                    vec![],
                    vec![
                        ("name", Expr::str(v.name.as_str())),
                        (
                            "persistent_volume_claim",
                            Expr::call(
                                "k8s.V1PersistentVolumeClaimVolumeSource",
                                vec![],
                                vec![("claim_name", Expr::str(v.claim_name.as_str()))],
                            ),
                        ),
                    ],
                )
            })
            .collect(),
    )
}

/// `k8s.V1VolumeMount(...)` for each volume.
fn mounts_expr(volumes: &[PodVolume]) -> Expr {
    Expr::List(
        volumes
            .iter()
            .map(|v| {
                let mut kw = vec![
                    ("name", Expr::str(v.name.as_str())),
                    ("mount_path", Expr::str(v.mount_path.as_str())),
                ];
                if let Some(s) = &v.sub_path {
                    kw.push(("sub_path", Expr::str(s.as_str())));
                }
                Expr::call("k8s.V1VolumeMount", vec![], kw)
            })
            .collect(),
    )
}

/// The imports the operators need, in file order. These paths load on Airflow 2.10
/// and 3.x (3.x maps `airflow.operators.bash` to the standard provider).
fn imports(tasks: &[Task]) -> Vec<&'static str> {
    let has = |f: fn(&Operator) -> bool| tasks.iter().any(|t| f(&t.operator));
    let mut v = vec!["import datetime", ""];
    if has(|o| matches!(o, Operator::KubernetesPod { .. })) {
        v.push("from kubernetes.client import models as k8s");
        v.push("");
    }
    if has(|o| matches!(o, Operator::Docker { .. })) {
        v.push("from docker.types import Mount");
        v.push("");
    }
    v.push("from airflow import DAG");
    if has(|o| matches!(o, Operator::Bash { .. })) {
        v.push("from airflow.operators.bash import BashOperator");
    }
    if has(|o| matches!(o, Operator::KubernetesPod { .. })) {
        v.push("from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator");
    }
    if has(|o| matches!(o, Operator::Docker { .. })) {
        v.push("from airflow.providers.docker.operators.docker import DockerOperator");
    }
    v
}

/// A string Airflow renders with Jinja, made inert.
fn templated(s: &str) -> Expr {
    Expr::Str(inert(s))
}

/// The env dict of a task: every value is rendered by Airflow.
fn env_dict(env: &[(String, String)]) -> Expr {
    Expr::Dict(
        env.iter()
            .map(|(k, v)| (Expr::str(k.as_str()), templated(v)))
            .collect(),
    )
}

impl Operator {
    fn to_expr(&self, task_id: Expr) -> Expr {
        match self {
            Operator::Bash { script, env, cwd } => Expr::call(
                "BashOperator",
                vec![],
                vec![
                    ("task_id", task_id),
                    ("bash_command", Expr::name(script.as_str())),
                    ("env", env_dict(env)),
                    ("append_env", Expr::Bool(true)),
                    ("cwd", templated(cwd)),
                ],
            ),
            Operator::KubernetesPod {
                script,
                env,
                pod_name,
                namespace,
                image,
                mounts_volumes,
            } => {
                let mut kwargs = vec![
                    ("task_id", task_id),
                    ("name", Expr::str(pod_name.as_str())),
                    ("namespace", templated(namespace)),
                    ("image", templated(image)),
                    ("cmds", Expr::List(vec![Expr::str("bash"), Expr::str("-c")])),
                    ("arguments", Expr::List(vec![Expr::name(script.as_str())])),
                    ("env_vars", env_dict(env)),
                ];
                if *mounts_volumes {
                    kwargs.push(("volumes", Expr::name(POD_VOLUMES)));
                    kwargs.push(("volume_mounts", Expr::name(POD_VOLUME_MOUNTS)));
                }
                Expr::call("KubernetesPodOperator", vec![], kwargs)
            }
            Operator::Docker {
                script,
                env,
                image,
                source,
                target,
            } => Expr::call(
                "DockerOperator",
                vec![],
                vec![
                    ("task_id", task_id),
                    ("image", templated(image)),
                    (
                        "command",
                        Expr::List(vec![
                            Expr::str("bash"),
                            Expr::str("-c"),
                            Expr::name(script.as_str()),
                        ]),
                    ),
                    ("environment", env_dict(env)),
                    (
                        "mounts",
                        Expr::List(vec![Expr::call(
                            "Mount",
                            vec![],
                            vec![
                                ("source", Expr::str(source.as_str())),
                                ("target", Expr::str(target.as_str())),
                                ("type", Expr::str("bind")),
                            ],
                        )]),
                    ),
                    ("working_dir", Expr::str(target.as_str())),
                    ("mount_tmp_dir", Expr::Bool(false)),
                ],
            ),
        }
    }
}

impl Dag {
    fn to_expr(&self) -> Expr {
        let (y, m, d) = self.start_date;
        Expr::call(
            "DAG",
            vec![],
            vec![
                ("dag_id", Expr::str(self.dag_id.as_str())),
                (
                    "schedule",
                    self.schedule
                        .as_ref()
                        .map(|s| Expr::str(s.as_str()))
                        .unwrap_or(Expr::None),
                ),
                (
                    "start_date",
                    Expr::call(
                        "datetime.datetime",
                        vec![Expr::Int(y), Expr::Int(m.into()), Expr::Int(d.into())],
                        vec![("tzinfo", Expr::name("datetime.timezone.utc"))],
                    ),
                ),
                ("catchup", Expr::Bool(false)),
                (
                    "default_args",
                    Expr::Dict(vec![
                        (Expr::str("retries"), Expr::Int(self.retries.into())),
                        (
                            Expr::str("retry_delay"),
                            Expr::call(
                                "datetime.timedelta",
                                vec![],
                                vec![(
                                    "seconds",
                                    Expr::Int(
                                        i64::try_from(self.retry_delay_seconds).unwrap_or(i64::MAX),
                                    ),
                                )],
                            ),
                        ),
                    ]),
                ),
                (
                    "tags",
                    Expr::List(self.tags.iter().map(|t| Expr::str(t.as_str())).collect()),
                ),
            ],
        )
    }
}

impl DagFile {
    /// The Python module, ending with a newline.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // the docstring is one ASCII literal (a user value may hold `"""`)
        let _ = writeln!(out, "{}\n", string_literal(&self.summary));
        for line in imports(&self.tasks) {
            let _ = writeln!(out, "{line}");
        }
        out.push_str("\n# Ploomber task name -> Airflow task id (the exact name is what `ploomber task` runs).\n");
        // one pair per line, always (black keeps it so thanks to the trailing comma)
        let _ = writeln!(out, "{TASK_IDS} = {{");
        for (p, a) in &self.task_ids {
            let _ = writeln!(out, "    {}: {},", string_literal(p), string_literal(a));
        }
        out.push_str("}\n");
        for c in &self.scripts {
            let _ = writeln!(out, "\n# {}", c.comment);
            let _ = writeln!(
                out,
                "{} = {}",
                c.name,
                Expr::Text(inert(&c.value)).render(0, c.name.len() + 3, 0)
            );
        }
        if !self.pod_volumes.is_empty() {
            out.push_str(
                "\n# The volumes every pod mounts (the project and its products are on them).\n",
            );
            for (name, value) in [
                (POD_VOLUMES, volumes_expr(&self.pod_volumes)),
                (POD_VOLUME_MOUNTS, mounts_expr(&self.pod_volumes)),
            ] {
                let _ = writeln!(out, "{name} = {}", value.render(0, name.len() + 3, 0));
            }
        }
        let dag = self
            .dag
            .to_expr()
            .render(0, "with ".len(), " as dag:".len());
        let _ = writeln!(out, "\nwith {dag} as dag:");
        let _ = writeln!(out, "    {TASKS} = {{}}");
        for t in &self.tasks {
            let key = Expr::str(t.ploomber.as_str()).render(1, 0, 0);
            let prefix = format!("{TASKS}[{key}] = ");
            let mut op = t.operator.to_expr(Expr::index(TASK_IDS, &t.ploomber));
            if let Expr::Call { kwargs, .. } = &mut op {
                kwargs.extend(
                    t.options
                        .kwargs()
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v)),
                );
            }
            let op = op.render(1, prefix.len(), 0);
            let _ = writeln!(out, "    {prefix}{op}");
        }
        let with_upstream: Vec<&Task> = self
            .tasks
            .iter()
            .filter(|t| !t.upstream.is_empty())
            .collect();
        if !with_upstream.is_empty() {
            out.push_str("\n    # Ploomber's upstream tasks among the exported ones\n");
        }
        for t in with_upstream {
            let ups = Expr::List(t.upstream.iter().map(|u| Expr::index(TASKS, u)).collect());
            let call = Expr::call(
                &format!("{TASKS}[{}].set_upstream", string_literal(&t.ploomber)),
                vec![ups],
                vec![],
            );
            let _ = writeln!(out, "    {}", call.render(1, 0, 0));
        }
        out
    }
}
