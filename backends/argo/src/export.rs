//! Building the Argo Workflow for a plan and encoding it: metadata (generateName,
//! annotations with the name map, version and mode), the `run-task` script template,
//! the DAG templates, the volumes; then lint, YAML or JSON, size checks and the next
//! steps to print.

use indexmap::IndexMap;
use soopervisor_core::backend::{Export, ExportTarget, OutputFile, OutputFormat};
use soopervisor_core::diagnostics::{UserError, Warning};
use soopervisor_core::output::names::{generate_name, NameMap};
use soopervisor_core::output::shell::quote;
use soopervisor_core::output::yaml;
use soopervisor_core::plan::Plan;

use crate::config::ArgoConfig;
use crate::model::{
    EnvVar, Inputs, ObjectMeta, Parameter, PersistentVolumeClaimVolumeSource, ScriptTemplate,
    Template, Volume, VolumeMount, Workflow, WorkflowSpec,
};
use crate::nest::{dag_templates, ENTRY_DAG, MAX_DAG_TASKS, RUN_TASK, TASK_PARAM};
use crate::script::{pod_script, ScriptInputs, TASK_ENV};

/// Annotation keys written on the Workflow.
pub const ANNOTATION_VERSION: &str = "soopervisor/version";
pub const ANNOTATION_MODE: &str = "soopervisor/mode";
pub const ANNOTATION_NAMES: &str = "soopervisor/task-names";

/// Above this size, etcd (and so the API server) may refuse the object.
pub const SIZE_WARNING_BYTES: usize = 1024 * 1024;
/// Largest name-map annotation we write (Kubernetes allows 256 KiB for all of them).
const MAX_NAMES_ANNOTATION: usize = 128 * 1024;

/// The Workflow and the warnings found while building it.
pub struct Built {
    pub workflow: Workflow,
    pub names: NameMap,
    pub warnings: Vec<Warning>,
}

/// Builds and lints the Workflow (nothing is encoded or written).
pub fn build(cfg: &ArgoConfig, plan: &Plan) -> anyhow::Result<Built> {
    build_with_chunk(cfg, plan, MAX_DAG_TASKS)
}

/// [`build`] with a custom DAG size (tests use small chunks).
pub fn build_with_chunk(cfg: &ArgoConfig, plan: &Plan, chunk: usize) -> anyhow::Result<Built> {
    // the config's own warnings come from `check`; only export findings are kept here
    cfg.validate(plan)?;
    let mut warnings = Vec::new();
    if plan.tasks.is_empty() {
        return Err(UserError::new(format!(
            "there is nothing to export: no task needs to run (mode {})",
            plan.mode.as_str()
        ))
        .with_hint(
            "use --mode regular to run every task, or --mode force to also overwrite products",
        )
        .into());
    }
    let conda = plan
        .project
        .conda
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("internal error: validated plan lost its conda env"))?;
    let names = NameMap::new(plan.tasks.iter().map(|t| t.name.as_str()));
    let entry_point = cfg.effective_entry_point(plan);
    let source = pod_script(&ScriptInputs {
        plan,
        conda,
        entry_point: &entry_point,
    });

    let mut volume_mounts = vec![VolumeMount {
        name: cfg.volume_name.clone(),
        mount_path: cfg.mount_path.clone(),
        sub_path: Some(cfg.effective_sub_path(plan)).filter(|s| !s.is_empty()),
    }];
    let mut volumes = vec![Volume {
        name: cfg.volume_name.clone(),
        persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
            claim_name: cfg.claim_name.clone(),
        }),
        other: serde_json::Map::new(),
    }];
    for v in &cfg.mounted_volumes {
        volume_mounts.push(VolumeMount {
            name: v.name.clone(),
            mount_path: format!("/mnt/{}", v.name),
            sub_path: Some(v.sub_path.clone()).filter(|s| !s.is_empty()),
        });
        volumes.push(Volume {
            name: v.name.clone(),
            persistent_volume_claim: None,
            other: v.spec.clone(),
        });
    }

    let run_task = Template {
        name: RUN_TASK.to_string(),
        inputs: Some(Inputs {
            parameters: vec![Parameter {
                name: TASK_PARAM.to_string(),
                value: None,
            }],
        }),
        dag: None,
        script: Some(ScriptTemplate {
            image: cfg.effective_image().to_string(),
            command: vec!["bash".to_string()],
            working_dir: Some(cfg.mount_path.clone()),
            env: vec![EnvVar {
                name: TASK_ENV.to_string(),
                value: format!("{{{{inputs.parameters.{TASK_PARAM}}}}}"),
            }],
            volume_mounts,
            source,
        }),
    };
    let mut templates = dag_templates(&plan.tasks, &names, chunk)?;
    templates.push(run_task);

    let mut annotations = IndexMap::new();
    annotations.insert(
        ANNOTATION_VERSION.to_string(),
        env!("CARGO_PKG_VERSION").to_string(),
    );
    annotations.insert(ANNOTATION_MODE.to_string(), plan.mode.as_str().to_string());
    match names_annotation(&names) {
        Some(json) => {
            annotations.insert(ANNOTATION_NAMES.to_string(), json);
        }
        None => warnings.push(Warning::new(format!(
            "the Ploomber-to-Argo task name map is too large for an annotation and was left out; \
             each DAG task still carries its exact Ploomber name in its '{TASK_PARAM}' parameter"
        ))),
    }

    let workflow = Workflow {
        api_version: "argoproj.io/v1alpha1".to_string(),
        kind: "Workflow".to_string(),
        metadata: ObjectMeta {
            generate_name: Some(generate_name(&plan.project.name)),
            annotations,
            ..ObjectMeta::default()
        },
        spec: WorkflowSpec {
            entrypoint: ENTRY_DAG.to_string(),
            service_account_name: cfg.service_account.clone(),
            templates,
            volumes,
        },
    };
    crate::lint::lint(&workflow)?;
    Ok(Built {
        workflow,
        names,
        warnings,
    })
}

/// The name map as JSON (every pair; only the renamed ones if that is too large).
fn names_annotation(names: &NameMap) -> Option<String> {
    let all: IndexMap<&str, &str> = names.iter().collect();
    let json = serde_json::to_string(&all).ok()?;
    if json.len() <= MAX_NAMES_ANNOTATION {
        return Some(json);
    }
    let renamed: IndexMap<&str, &str> = names.iter().filter(|(a, b)| a != b).collect();
    let json = serde_json::to_string(&renamed).ok()?;
    (json.len() <= MAX_NAMES_ANNOTATION).then_some(json)
}

/// Encodes the workflow as YAML or JSON.
pub fn encode(wf: &Workflow, format: OutputFormat) -> anyhow::Result<Vec<u8>> {
    Ok(match format {
        OutputFormat::Yaml => yaml::to_string_from(wf)?.into_bytes(),
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(wf)?;
            s.push('\n');
            s.into_bytes()
        }
    })
}

/// The output file name for `format`.
pub fn file_name(format: OutputFormat) -> &'static str {
    match format {
        OutputFormat::Yaml => "argo.yaml",
        OutputFormat::Json => "argo.json",
    }
}

/// The whole export: build, lint, encode, size warnings, next steps.
pub fn export(cfg: &ArgoConfig, plan: &Plan, target: &ExportTarget) -> anyhow::Result<Export> {
    let Built {
        workflow,
        mut warnings,
        ..
    } = build(cfg, plan)?;
    let contents = encode(&workflow, target.format)?;
    let json_size = serde_json::to_vec(&workflow)?.len();
    if json_size > SIZE_WARNING_BYTES {
        warnings.push(Warning::new(format!(
            "the Workflow is {:.1} MiB; Kubernetes stores objects in etcd, which by default refuses \
             requests above about 1.5 MiB, and Argo needs room for the status it adds while running. \
             Export fewer tasks at a time (--task) or raise the cluster's limits",
            json_size as f64 / (1024.0 * 1024.0)
        )));
    }
    let name = file_name(target.format);
    let sub_path = cfg.effective_sub_path(plan);
    let next_steps = vec![
        format!(
            "kubectl cp {} \"$(kubectl get pods -l role=nfs-server -o jsonpath='{{.items[0].metadata.name}}')\":{}",
            quote(&plan.project.root.display().to_string()),
            quote(&format!("/exports/{sub_path}"))
        ),
        format!(
            "argo submit -n {} {}",
            quote(&cfg.namespace),
            quote(&target.dir.join(name).display().to_string())
        ),
    ];
    Ok(Export {
        files: vec![OutputFile {
            path: name.into(),
            contents,
            executable: false,
        }],
        next_steps,
        warnings,
    })
}
