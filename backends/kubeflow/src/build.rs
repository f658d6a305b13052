//! Building the KFP v2 IR for a plan: one component (`comp-<key>`), executor
//! (`exec-<key>`) and root DAG task (`<key>`) per Ploomber task, keys from the core's
//! name map. Every executor runs the core's pod script with `bash -c`, after entering
//! the project folder (KFP containers have no working directory), with the exact
//! Ploomber name in `PLOOMBER_TASK`. `storage: nfs` mounts the claim through the
//! Kubernetes platform spec; `storage: fetch` declares each product and its
//! `.metadata` as an output artifact of its task and an input artifact of the tasks
//! that read it, whose local paths KFP hands to the script as positional arguments.

use std::collections::{BTreeMap, HashMap};

use soopervisor_core::diagnostics::Warning;
use soopervisor_core::output::names::NameMap;
use soopervisor_core::output::shell::quote;
use soopervisor_core::plan::{Plan, PlannedTask};
use soopervisor_core::strategy::pod::{pod_script, ScriptInputs, TASK_ENV};
use soopervisor_core::strategy::{Composer, Contribution, Phase, SetupStep, Transfer};

use crate::config::KubeflowConfig;
use crate::model::*;

/// `$0` of the `bash -c` script (shown by `ps` and in bash's error messages).
pub const SCRIPT_NAME: &str = "soopervisor-task";

/// The IR documents and what building them found.
pub struct Built {
    pub spec: PipelineSpec,
    /// The Kubernetes platform spec (`storage: nfs`), written as a second document.
    pub platform: Option<PlatformSpec>,
    pub names: NameMap,
    pub warnings: Vec<Warning>,
}

/// The component, executor and key names of one task.
pub fn component_name(key: &str) -> String {
    format!("comp-{key}")
}

/// The executor label of the task with key `key`.
pub fn executor_label(key: &str) -> String {
    format!("exec-{key}")
}

/// `{{$.inputs.artifacts['KEY'].path}}` / `{{$.outputs...}}`: KFP replaces it with the
/// artifact's local path in the container.
fn artifact_path_placeholder(io: &str, key: &str) -> String {
    format!("{{{{$.{io}.artifacts['{key}'].path}}}}")
}

/// Output artifact keys of a task's transfers: `product_<i>` and
/// `product_<i>_metadata`, `i` counting the task's products in order.
fn output_keys(uploads: &[Transfer]) -> Vec<String> {
    let mut product = 0usize;
    uploads
        .iter()
        .map(|u| {
            if u.metadata {
                format!("product_{}_metadata", product.saturating_sub(1))
            } else {
                product += 1;
                format!("product_{}", product - 1)
            }
        })
        .collect()
}

/// Builds and lints the IR (nothing is encoded or written).
pub fn build(cfg: &KubeflowConfig, plan: &Plan) -> anyhow::Result<Built> {
    cfg.validate(plan)?;
    plan.require_tasks()?;
    let names = NameMap::new(plan.tasks.iter().map(|t| t.name.as_str()));
    let key = |name: &str| names.get(name).unwrap_or_default().to_string();
    let entry_point = cfg.effective_entry_point(plan);
    let composer = Composer::new(cfg.strategies(), plan, cfg.disk(plan));
    let code_on_disk = cfg.code.on_shared_disk();

    let contributions: Vec<Contribution> = plan.tasks.iter().map(|t| composer.task(t)).collect();
    // (producer, path) → the producer's output artifact key
    let mut produced: HashMap<(&str, &str), String> = HashMap::new();
    for (t, c) in plan.tasks.iter().zip(&contributions) {
        for (u, k) in c.uploads.iter().zip(output_keys(&c.uploads)) {
            produced.insert((t.name.as_str(), u.path.as_str()), k);
        }
    }

    let mut components = BTreeMap::new();
    let mut executors = BTreeMap::new();
    let mut tasks = BTreeMap::new();
    let mut platform_executors = BTreeMap::new();
    for (t, c) in plan.tasks.iter().zip(&contributions) {
        let k = key(&t.name);
        let label = executor_label(&k);
        let mut args = Vec::new();
        let mut inputs = BTreeMap::new();
        let mut input_defs = BTreeMap::new();
        let mut fetch_lines = Vec::new();
        for d in &c.downloads {
            let producer = key(&d.from_task);
            let Some(out_key) = produced.get(&(d.from_task.as_str(), d.path.as_str())) else {
                anyhow::bail!(
                    "internal error: task '{}' reads {} from '{}', which does not produce it",
                    t.name,
                    d.path,
                    d.from_task
                );
            };
            let in_key = format!("{}__{out_key}", producer.replace('-', "_"));
            args.push(artifact_path_placeholder("inputs", &in_key));
            fetch_lines.extend(copy_from_arg(args.len(), &d.path));
            input_defs.insert(in_key.clone(), ArtifactSpec::generic());
            inputs.insert(
                in_key,
                InputArtifact {
                    task_output_artifact: TaskOutputArtifact {
                        output_artifact_key: out_key.clone(),
                        producer_task: producer,
                    },
                },
            );
        }
        let mut output_defs = BTreeMap::new();
        let mut upload_lines = Vec::new();
        for (u, out_key) in c.uploads.iter().zip(output_keys(&c.uploads)) {
            args.push(artifact_path_placeholder("outputs", &out_key));
            upload_lines.extend(copy_to_arg(&u.path, args.len()));
            output_defs.insert(out_key, ArtifactSpec::generic());
        }

        let script = pod_script(&ScriptInputs::new(
            plan,
            &script_contribution(c, code_on_disk, fetch_lines, upload_lines),
            &entry_point,
        ));
        let mut env = vec![EnvVar {
            name: TASK_ENV.to_string(),
            value: t.name.clone(),
        }];
        env.extend(c.env.iter().map(|(name, value)| EnvVar {
            name: name.clone(),
            value: value.clone(),
        }));
        let settings = plan.settings(&t.name);
        env.extend(crate::settings::literal_env(settings));
        executors.insert(
            label.clone(),
            ExecutorSpec {
                container: ContainerSpec {
                    args,
                    command: vec![
                        "bash".to_string(),
                        "-c".to_string(),
                        script,
                        SCRIPT_NAME.to_string(),
                    ],
                    env,
                    image: c.image.clone().unwrap_or_default(),
                    resources: crate::settings::resources(settings),
                },
            },
        );
        components.insert(
            component_name(&k),
            ComponentSpec {
                executor_label: label.clone(),
                input_definitions: (!input_defs.is_empty()).then_some(IoDefinitions {
                    artifacts: input_defs,
                }),
                output_definitions: (!output_defs.is_empty()).then_some(IoDefinitions {
                    artifacts: output_defs,
                }),
            },
        );
        let mut task = task_spec(t, &k, &names, inputs);
        task.retry_policy = crate::settings::retry_policy(settings);
        tasks.insert(k.clone(), task);
        let mut kubernetes = crate::settings::kubernetes(settings);
        kubernetes.pvc_mount = c
            .volumes
            .iter()
            .map(|v| PvcMount {
                constant: v.claim_name.clone(),
                mount_path: v.mount_path.clone(),
                pvc_name_parameter: ParameterInput::constant(v.claim_name.clone()),
                sub_path: v.sub_path.clone(),
            })
            .collect();
        if !kubernetes.is_empty() {
            platform_executors.insert(label, kubernetes);
        }
    }

    let spec = PipelineSpec {
        components,
        default_pipeline_root: cfg.pipeline_root.clone(),
        deployment_spec: DeploymentSpec { executors },
        pipeline_info: PipelineInfo {
            description: cfg.description.clone(),
            display_name: None,
            name: cfg.pipeline_name(plan),
        },
        root: RootComponent {
            dag: DagSpec { tasks },
        },
        schema_version: SCHEMA_VERSION.to_string(),
        sdk_version: format!("soopervisor-{}", env!("CARGO_PKG_VERSION")),
    };
    let platform = (!platform_executors.is_empty()).then_some(PlatformSpec {
        platforms: Platforms {
            kubernetes: KubernetesPlatform {
                deployment_spec: KubernetesDeploymentSpec {
                    executors: platform_executors,
                },
            },
        },
    });
    crate::lint::lint(&spec, platform.as_ref())?;
    let mut warnings = Vec::new();
    if contributions.iter().any(|c| c.git.is_some()) {
        // refused by the capabilities; kept as a guard if a strategy starts adding it
        warnings.push(Warning::new(
            "a strategy asked for a git checkout, which Kubeflow cannot perform; it was left out",
        ));
    }
    Ok(Built {
        spec,
        platform,
        names,
        warnings,
    })
}

/// The root DAG task of `t`.
fn task_spec(
    t: &PlannedTask,
    key: &str,
    names: &NameMap,
    artifacts: BTreeMap<String, InputArtifact>,
) -> TaskSpec {
    let mut dependent_tasks: Vec<String> = t
        .upstream
        .iter()
        .filter_map(|u| names.get(u).map(str::to_string))
        .collect();
    dependent_tasks.sort();
    dependent_tasks.dedup();
    TaskSpec {
        caching_options: CachingOptions {
            enable_cache: false,
        },
        component_ref: ComponentRef {
            name: component_name(key),
        },
        dependent_tasks,
        inputs: (!artifacts.is_empty()).then_some(TaskInputs { artifacts }),
        retry_policy: None,
        task_info: TaskInfo {
            name: key.to_string(),
        },
    }
}

/// The task's contribution with the steps KFP needs around the strategies' own:
/// entering the project folder first, placing the input artifacts, and handing the
/// products to KFP after the task.
fn script_contribution(
    c: &Contribution,
    code_on_disk: bool,
    fetch_lines: Vec<String>,
    upload_lines: Vec<String>,
) -> Contribution {
    let workdir = c.workdir.clone().unwrap_or_default();
    let enter = if code_on_disk {
        // the project is on the mounted volume: a missing mount must fail here
        vec![format!("cd -- {}", quote(&workdir))]
    } else {
        vec![
            format!("mkdir -p -- {}", quote(&workdir)),
            format!("cd -- {}", quote(&workdir)),
        ]
    };
    let mut out = Contribution::default();
    out.setup.push(SetupStep::new(
        Phase::FetchCode,
        "KFP starts containers without a working directory: enter the project",
        enter,
    ));
    out.merge(c.clone());
    if !fetch_lines.is_empty() {
        out.setup.push(SetupStep::new(
            Phase::FetchInputs,
            "place the upstream products and their metadata KFP downloaded (paths are the script's arguments)",
            fetch_lines,
        ));
    }
    if !upload_lines.is_empty() {
        out.setup.push(SetupStep::new(
            Phase::UploadProducts,
            "hand this task's products and their metadata to KFP as output artifacts",
            upload_lines,
        ));
    }
    out
}

/// Lines replacing root-relative `to` by a copy of the path in argument `n`.
fn copy_from_arg(n: usize, to: &str) -> Vec<String> {
    let mut v = Vec::new();
    if let Some((dir, _)) = to.rsplit_once('/').filter(|(d, _)| !d.is_empty()) {
        v.push(format!("mkdir -p -- {}", quote(dir)));
    }
    v.push(format!("rm -rf -- {}", quote(to)));
    v.push(format!("cp -R -- \"${{{n}}}\" {}", quote(to)));
    v
}

/// Lines replacing the path in argument `n` by a copy of root-relative `from`.
fn copy_to_arg(from: &str, n: usize) -> Vec<String> {
    vec![
        format!("mkdir -p -- \"$(dirname -- \"${{{n}}}\")\""),
        format!("rm -rf -- \"${{{n}}}\""),
        format!("cp -R -- {} \"${{{n}}}\"", quote(from)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transfer(path: &str, metadata: bool) -> Transfer {
        Transfer::new(path, "t", metadata)
    }

    #[test]
    fn output_keys_count_products() {
        let keys = output_keys(&[
            transfer("a.csv", false),
            transfer(".a.csv.metadata", true),
            transfer("b.csv", false),
            transfer(".b.csv.metadata", true),
        ]);
        assert_eq!(
            keys,
            [
                "product_0",
                "product_0_metadata",
                "product_1",
                "product_1_metadata"
            ]
        );
    }

    #[test]
    fn copies_use_positional_arguments_and_quote_paths() {
        assert_eq!(
            copy_from_arg(12, "out dir/a'b.csv"),
            [
                "mkdir -p -- 'out dir'",
                "rm -rf -- 'out dir/a'\\''b.csv'",
                "cp -R -- \"${12}\" 'out dir/a'\\''b.csv'"
            ]
        );
        assert_eq!(copy_to_arg("a.csv", 1)[2], "cp -R -- a.csv \"${1}\"");
    }
}
