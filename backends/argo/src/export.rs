//! Building the Argo Workflow for a plan and encoding it: metadata (generateName,
//! annotations with the name map, version and mode), the `run-task` script template,
//! the DAG templates, the volumes; above `max_tasks_per_workflow` tasks, the parent
//! Workflow and one WorkflowTemplate per part instead ([`crate::split`]); then lint,
//! YAML or JSON (the parts in `argo-templates.yaml`), size checks and the next steps
//! to print.

use indexmap::IndexMap;
use rayon::prelude::*;
use soopervisor_core::backend::{Export, ExportTarget, OutputFile, OutputFormat};
use soopervisor_core::diagnostics::{UserError, Warning};
use soopervisor_core::output::names::{generate_name, short_hash, NameMap};
use soopervisor_core::output::shell::quote;
use soopervisor_core::output::yaml;
use soopervisor_core::plan::{Plan, PlannedTask};
use soopervisor_core::strategy::storage::copy_lines;
use soopervisor_core::strategy::{in_pod, Composer, Contribution, Phase, SetupStep};

use crate::config::ArgoConfig;
use crate::model::{
    Artifact, ArtifactRepositoryRef, EnvVar, GitArtifact, Inputs, List, LocalObjectReference,
    ObjectMeta, Outputs, Parameter, PersistentVolumeClaimVolumeSource, PodGc, ScriptTemplate,
    Template, Volume, VolumeMount, Workflow, WorkflowSpec, WorkflowTemplate,
};
use crate::nest::{dag_templates, ENTRY_DAG, MAX_DAG_TASKS, MAX_TEMPLATES, RUN_TASK, TASK_PARAM};
use crate::params;
use crate::settings;
use crate::split;
use soopervisor_core::strategy::pod::{pod_script, ScriptInputs, TASK_ENV};

/// Annotation keys written on the Workflow.
pub const ANNOTATION_VERSION: &str = "soopervisor/version";
pub const ANNOTATION_MODE: &str = "soopervisor/mode";
pub const ANNOTATION_NAMES: &str = "soopervisor/task-names";
pub const ANNOTATION_STRATEGIES: &str = "soopervisor/strategies";

/// Above this size, etcd (and so the API server) may refuse the object.
pub const SIZE_WARNING_BYTES: usize = 1024 * 1024;
/// Largest name-map annotation we write (Kubernetes allows 256 KiB for all of them).
const MAX_NAMES_ANNOTATION: usize = 128 * 1024;

/// The Workflow and the warnings found while building it.
pub struct Built {
    /// The Workflow to submit: the whole pipeline, or the parent of a split one.
    pub workflow: Workflow,
    /// The parts of a split pipeline (empty when it fits one Workflow).
    pub parts: Vec<WorkflowTemplate>,
    /// Every task runs the shared `run-task` template, so the pipeline can be split.
    pub uniform: bool,
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
    plan.require_tasks()?;
    let names = NameMap::new(plan.tasks.iter().map(|t| t.name.as_str()));
    let entry_point = cfg.effective_entry_point(plan);
    let composer = Composer::new(cfg.strategies(), plan, cfg.disk(plan));
    let (contributions, per_task) = contributions(&composer, plan);

    let first = &contributions[0];
    let mut volume_mounts: Vec<VolumeMount> = first
        .volumes
        .iter()
        .map(|d| VolumeMount {
            name: d.volume_name.clone(),
            mount_path: d.mount_path.clone(),
            sub_path: d.sub_path.clone(),
        })
        .collect();
    let mut volumes: Vec<Volume> = first
        .volumes
        .iter()
        .map(|d| Volume {
            name: d.volume_name.clone(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: d.claim_name.clone(),
            }),
            other: serde_json::Map::new(),
        })
        .collect();
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
    let image = match (cfg.code.bakes_environment(), cfg.image_override()) {
        (false, Some(i)) => i.to_string(),
        _ => first.image.clone().unwrap_or_default(),
    };
    let script_template = |name: String, c: &Contribution, artifacts: &ArtifactNames| {
        let workdir = c.workdir.clone().unwrap_or_default();
        let mut inputs = Inputs {
            parameters: vec![Parameter {
                name: TASK_PARAM.to_string(),
                value: None,
                ..Parameter::default()
            }],
            artifacts: Vec::new(),
        };
        if let Some(g) = &c.git {
            inputs.artifacts.push(Artifact {
                name: CODE_ARTIFACT.to_string(),
                path: Some(g.path.clone()),
                git: Some(GitArtifact {
                    repo: g.repo.clone(),
                    revision: g.revision.clone(),
                }),
                ..Artifact::default()
            });
        }
        for d in &c.downloads {
            let name = artifacts.name(&d.path);
            inputs.artifacts.push(Artifact {
                path: Some(in_pod(INPUTS_DIR, &name)),
                name,
                ..Artifact::default()
            });
        }
        let outputs = (!c.uploads.is_empty()).then(|| Outputs {
            artifacts: c
                .uploads
                .iter()
                .map(|u| Artifact {
                    name: artifacts.name(&u.path),
                    path: Some(in_pod(&workdir, &u.path)),
                    ..Artifact::default()
                })
                .collect(),
        });
        Template {
            name,
            inputs: Some(inputs),
            outputs,
            dag: None,
            script: Some(ScriptTemplate {
                image: image.clone(),
                command: vec!["bash".to_string()],
                working_dir: Some(workdir).filter(|w| !w.is_empty()),
                env: vec![EnvVar {
                    name: TASK_ENV.to_string(),
                    value: Some(format!("{{{{inputs.parameters.{TASK_PARAM}}}}}")),
                    value_from: None,
                }],
                resources: None,
                volume_mounts: volume_mounts.clone(),
                source: pod_script(&ScriptInputs::new(
                    plan,
                    &with_staged_inputs(c, artifacts),
                    &entry_point,
                )),
            }),
            resource: None,
            ..Template::default()
        }
    };

    let artifacts = ArtifactNames::new(&contributions);
    let max_tasks = cfg.max_tasks_per_workflow();
    let mut templates;
    if per_task && plan.tasks.len() > max_tasks {
        warnings.push(Warning::new(format!(
            "max_tasks_per_workflow ({max_tasks}) is not applied: {} passes files between tasks as \
             artifacts, which cannot cross from one Workflow to another, so the {} tasks stay in one Workflow",
            cfg.strategies().describe(),
            plan.tasks.len()
        )));
    }
    if per_task && (plan.tasks.len() + 1 > MAX_TEMPLATES || plan.tasks.len() > chunk) {
        // one template per task would not fit (or the DAG is nested): shared
        // templates per artifact shape
        templates = dag_templates(&plan.tasks, &names, chunk)?;
        let make = |name: String, c: &Contribution| script_template(name, c, &artifacts);
        crate::fetch::add_shared_templates(
            plan,
            &contributions,
            &names,
            &artifacts,
            &mut templates,
            &make,
        )?;
    } else if per_task {
        templates = dag_templates(&plan.tasks, &names, MAX_DAG_TASKS)?;
        let template_names = task_template_names(&names);
        let by_name: std::collections::HashMap<&str, (usize, &PlannedTask)> = plan
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.as_str(), (i, t)))
            .collect();
        for node in templates[0].dag.iter_mut().flat_map(|d| d.tasks.iter_mut()) {
            let ploomber = node
                .arguments
                .as_ref()
                .and_then(|a| a.parameters.first())
                .and_then(|p| p.value.clone())
                .unwrap_or_default();
            let Some((i, _)) = by_name.get(ploomber.as_str()) else {
                continue;
            };
            node.template = template_names[&ploomber].clone();
            if let Some(args) = node.arguments.as_mut() {
                for d in &contributions[*i].downloads {
                    let up = names.get(&d.from_task).unwrap_or_default();
                    let art = artifacts.name(&d.path);
                    args.artifacts.push(Artifact {
                        name: art.clone(),
                        from: Some(format!("{{{{tasks.{up}.outputs.artifacts.{art}}}}}")),
                        ..Artifact::default()
                    });
                }
            }
        }
        for (t, c) in plan.tasks.iter().zip(&contributions) {
            let mut template = script_template(template_names[&t.name].clone(), c, &artifacts);
            settings::apply(&mut template, plan.settings(&t.name));
            templates.push(template);
        }
    } else if plan.tasks.len() > max_tasks {
        // a workflow of workflows: one WorkflowTemplate per part, run by a parent
        let parts = split::partition(&plan.tasks, max_tasks, &plan.project.name)?;
        let run_task = script_template(RUN_TASK.to_string(), first, &artifacts);
        // The parts are independent: they are laid out in parallel, in order.
        let laid_out = parts
            .par_iter()
            .map(|part| -> anyhow::Result<(WorkflowTemplate, bool)> {
                let tasks = &plan.tasks[part.range.clone()];
                let mut templates = dag_templates(&split::local_tasks(tasks), &names, chunk)?;
                add_settings_templates(plan, tasks, &mut templates, &run_task)?;
                let mut annotations = base_annotations(cfg, plan);
                let mut pairs: Vec<(&str, &str)> = tasks
                    .iter()
                    .map(|t| (t.name.as_str(), names.get(&t.name).unwrap_or_default()))
                    .collect();
                pairs.sort_unstable();
                let named = match names_annotation(&pairs) {
                    Some(json) => {
                        annotations.insert(ANNOTATION_NAMES.to_string(), json);
                        true
                    }
                    None => false,
                };
                let template = WorkflowTemplate {
                    api_version: "argoproj.io/v1alpha1".to_string(),
                    kind: "WorkflowTemplate".to_string(),
                    metadata: ObjectMeta {
                        name: Some(part.name.clone()),
                        annotations,
                        ..ObjectMeta::default()
                    },
                    spec: spec(
                        cfg,
                        templates,
                        volumes.clone(),
                        artifact_repository_ref(first),
                    ),
                };
                Ok((template, named))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let names_left_out = laid_out.iter().filter(|(_, named)| !named).count();
        let templates_out: Vec<WorkflowTemplate> =
            laid_out.into_iter().map(|(template, _)| template).collect();
        if names_left_out > 0 {
            warnings.push(names_left_out_warning(&format!(
                "of {names_left_out} of the {} parts",
                parts.len()
            )));
        }
        let workflow = workflow(
            plan,
            base_annotations(cfg, plan),
            spec(
                cfg,
                split::parent_templates(&parts, chunk)?,
                Vec::new(),
                None,
            ),
        );
        crate::lint::lint_split(&workflow, &templates_out)?;
        return Ok(Built {
            workflow,
            parts: templates_out,
            uniform: true,
            names,
            warnings,
        });
    } else {
        templates = dag_templates(&plan.tasks, &names, chunk)?;
        let run_task = script_template(RUN_TASK.to_string(), first, &artifacts);
        add_settings_templates(plan, &plan.tasks, &mut templates, &run_task)?;
    }

    let mut annotations = base_annotations(cfg, plan);
    let pairs: Vec<(&str, &str)> = names.iter().collect();
    match names_annotation(&pairs) {
        Some(json) => {
            annotations.insert(ANNOTATION_NAMES.to_string(), json);
        }
        None => warnings.push(names_left_out_warning("")),
    }

    let workflow = workflow(
        plan,
        annotations,
        spec(cfg, templates, volumes, artifact_repository_ref(first)),
    );
    crate::lint::lint(&workflow)?;
    Ok(Built {
        workflow,
        parts: Vec::new(),
        uniform: !per_task,
        names,
        warnings,
    })
}

/// Adds one copy of `run_task` per distinct setting of `tasks` (the first keeps the
/// name `run-task`) and points each DAG node at its task's copy. When that many
/// copies do not fit Argo's limit, the settings become parameters of shared templates
/// instead, one per [`params::ParamKey`].
fn add_settings_templates(
    plan: &Plan,
    tasks: &[PlannedTask],
    templates: &mut Vec<Template>,
    run_task: &Template,
) -> Result<(), UserError> {
    let (groups, of_task) = settings::template_groups(plan, tasks.iter().map(|t| t.name.as_str()));
    if templates.len() + groups.len() <= MAX_TEMPLATES {
        settings::route(templates, &of_task);
        for (i, s) in groups.iter().enumerate() {
            let mut t = run_task.clone();
            t.name = settings::template_name(i);
            settings::apply(&mut t, s);
            templates.push(t);
        }
        return Ok(());
    }
    let (keys, of_task) = params::groups(plan, tasks.iter().map(|t| t.name.as_str()));
    if templates.len() + keys.len() > MAX_TEMPLATES {
        return Err(too_many_setting_kinds(keys.len(), templates.len()));
    }
    params::route(templates, plan, &keys, &of_task);
    for (i, k) in keys.iter().enumerate() {
        let mut t = run_task.clone();
        t.name = settings::template_name(i);
        params::parameterize(&mut t, k);
        templates.push(t);
    }
    Ok(())
}

/// The refusal when even shared settings templates exceed Argo's template limit.
fn too_many_setting_kinds(kinds: usize, others: usize) -> UserError {
    UserError::new(format!(
        "the tasks' settings need {kinds} different Argo templates (tasks share one when they set the same keys \
         and the same label and annotation names), and with the {others} other templates that exceeds Argo's limit \
         of {MAX_TEMPLATES} templates per Workflow"
    ))
    .with_hint("give the patterns under 'tasks' fewer different combinations of keys and of label and annotation names \
                (the values may all differ), or lower max_tasks_per_workflow so each part holds fewer of them")
}

/// What the strategies contribute to each task, and whether tasks need templates of
/// their own. When every task gets the same contribution (no per-task transfers, same
/// setup), all tasks run from one template and only that one contribution is returned;
/// else one per task, in plan order. In the uniform case the per-task contributions are
/// only compared, in parallel, and dropped at once: at 100,000 tasks, keeping them
/// would take more memory than the rest of the export.
fn contributions(composer: &Composer, plan: &Plan) -> (Vec<Contribution>, bool) {
    use rayon::prelude::*;
    let has_transfers = |c: &Contribution| !c.downloads.is_empty() || !c.uploads.is_empty();
    let first = composer.task(&plan.tasks[0]);
    let uniform = !has_transfers(&first)
        && plan.tasks[1..].par_iter().all(|t| {
            let c = composer.task(t);
            !has_transfers(&c) && c.setup == first.setup
        });
    if uniform {
        (vec![first], false)
    } else {
        let rest = plan.tasks[1..].iter().map(|t| composer.task(t));
        (std::iter::once(first).chain(rest).collect(), true)
    }
}

/// The Workflow submitted for `plan` (named by Argo from the project's name).
fn workflow(plan: &Plan, annotations: IndexMap<String, String>, spec: WorkflowSpec) -> Workflow {
    Workflow {
        api_version: "argoproj.io/v1alpha1".to_string(),
        kind: "Workflow".to_string(),
        metadata: ObjectMeta {
            generate_name: Some(generate_name(&plan.project.name)),
            annotations,
            ..ObjectMeta::default()
        },
        spec,
    }
}

/// A spec that starts at the entry DAG, with the configured service account.
fn spec(
    cfg: &ArgoConfig,
    templates: Vec<Template>,
    volumes: Vec<Volume>,
    artifact_repository_ref: Option<ArtifactRepositoryRef>,
) -> WorkflowSpec {
    WorkflowSpec {
        workflow_template_ref: None,
        entrypoint: ENTRY_DAG.to_string(),
        service_account_name: cfg.service_account.clone(),
        artifact_repository_ref,
        parallelism: cfg.parallelism,
        image_pull_secrets: cfg
            .image_pull_secrets
            .iter()
            .map(|name| LocalObjectReference { name: name.clone() })
            .collect(),
        pod_gc: cfg.pod_gc.clone().map(|strategy| PodGc { strategy }),
        ttl_strategy: cfg.ttl_strategy(),
        templates,
        volumes,
    }
}

/// The annotations every object carries: version, mode, and the strategies unless
/// they are the defaults.
fn base_annotations(cfg: &ArgoConfig, plan: &Plan) -> IndexMap<String, String> {
    let mut annotations = IndexMap::new();
    annotations.insert(
        ANNOTATION_VERSION.to_string(),
        env!("CARGO_PKG_VERSION").to_string(),
    );
    annotations.insert(ANNOTATION_MODE.to_string(), plan.mode.as_str().to_string());
    if !cfg.strategies().is_default() {
        annotations.insert(
            ANNOTATION_STRATEGIES.to_string(),
            cfg.strategies().describe(),
        );
    }
    annotations
}

/// The warning for a name map left out (`whose`: which objects, when split).
fn names_left_out_warning(whose: &str) -> Warning {
    let whose = if whose.is_empty() {
        String::new()
    } else {
        format!(" {whose}")
    };
    Warning::new(format!(
        "the Ploomber-to-Argo task name map{whose} is too large for an annotation and was left out; \
         each DAG task still carries its exact Ploomber name in its '{TASK_PARAM}' parameter"
    ))
}

/// The artifact repository the object store strategy names, if any.
fn artifact_repository_ref(c: &Contribution) -> Option<ArtifactRepositoryRef> {
    c.object_store.as_ref().map(|o| ArtifactRepositoryRef {
        config_map: o.repository.clone(),
        key: o.key.clone(),
    })
}

/// Where Argo places input artifacts before the script copies them into the project
/// (outside the working folder: no artifact is mounted over the code or another one).
pub const INPUTS_DIR: &str = "/tmp/soopervisor/inputs";

/// `c` plus the step that copies the downloaded artifacts into the project.
fn with_staged_inputs(c: &Contribution, artifacts: &ArtifactNames) -> Contribution {
    let mut c = c.clone();
    let lines: Vec<String> = c
        .downloads
        .iter()
        .flat_map(|d| copy_lines(&in_pod(INPUTS_DIR, &artifacts.name(&d.path)), &d.path))
        .collect();
    if !lines.is_empty() {
        c.setup.push(SetupStep::new(
            Phase::FetchInputs,
            "place the upstream products and their metadata Argo downloaded",
            lines,
        ));
    }
    c
}

/// Name of the git input artifact holding the code.
pub const CODE_ARTIFACT: &str = "soopervisor-code";

/// Artifact names (`[-a-zA-Z0-9_]+`) for every transferred path, unique in the spec:
/// the path with other characters turned into `_`, plus a hash when two paths would
/// collide.
pub struct ArtifactNames(std::collections::BTreeMap<String, String>);

impl ArtifactNames {
    fn new(contributions: &[Contribution]) -> Self {
        let paths: std::collections::BTreeSet<&str> = contributions
            .iter()
            .flat_map(|c| c.uploads.iter().chain(&c.downloads))
            .map(|t| t.path.as_str())
            .collect();
        let mut used = std::collections::HashSet::from([CODE_ARTIFACT.to_string()]);
        let mut map = std::collections::BTreeMap::new();
        for p in paths {
            let mut name: String = p
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            if name.len() > 100 || used.contains(&name) {
                name.truncate(100);
                name = format!("{name}-{}", short_hash(p, 8));
            }
            used.insert(name.clone());
            map.insert(p.to_string(), name);
        }
        ArtifactNames(map)
    }

    /// The artifact name of `path`.
    pub fn name(&self, path: &str) -> String {
        self.0.get(path).cloned().unwrap_or_default()
    }
}

/// One script template per task: `run-<argo name>` (hashed when too long).
fn task_template_names(names: &NameMap) -> std::collections::HashMap<String, String> {
    names
        .iter()
        .map(|(ploomber, argo)| {
            let n = format!("run-{argo}");
            let n = if n.len() <= 63 {
                n
            } else {
                format!(
                    "run-{}-{}",
                    &argo[..40.min(argo.len())].trim_end_matches('-'),
                    short_hash(ploomber, 8)
                )
            };
            (ploomber.to_string(), n)
        })
        .collect()
}

/// The name map as JSON (every pair; only the renamed ones if that is too large).
fn names_annotation(pairs: &[(&str, &str)]) -> Option<String> {
    let all: IndexMap<&str, &str> = pairs.iter().copied().collect();
    let json = serde_json::to_string(&all).ok()?;
    if json.len() <= MAX_NAMES_ANNOTATION {
        return Some(json);
    }
    let renamed: IndexMap<&str, &str> = pairs.iter().copied().filter(|(a, b)| a != b).collect();
    let json = serde_json::to_string(&renamed).ok()?;
    (json.len() <= MAX_NAMES_ANNOTATION).then_some(json)
}

/// Encodes the workflow (or the object wrapping it) as YAML or JSON.
pub fn encode<T: serde::Serialize>(wf: &T, format: OutputFormat) -> anyhow::Result<Vec<u8>> {
    Ok(match format {
        OutputFormat::Yaml => yaml::to_string_from(wf)?.into_bytes(),
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(wf)?;
            s.push('\n');
            s.into_bytes()
        }
    })
}

/// Encodes the parts of a split pipeline: a YAML stream of documents separated by
/// `---`, or in JSON a Kubernetes `List` (both read by `kubectl apply -f`).
pub fn encode_parts(parts: Vec<WorkflowTemplate>, format: OutputFormat) -> anyhow::Result<Vec<u8>> {
    use rayon::prelude::*;
    Ok(match format {
        OutputFormat::Yaml => {
            // parts are independent documents: encode them in parallel, free the model
            // (the text is the larger half of the peak memory), then join in order
            let documents: Vec<String> = parts
                .par_iter()
                .map(yaml::to_string_from)
                .collect::<Result<_, _>>()?;
            drop(parts);
            documents.join("---\n").into_bytes()
        }
        OutputFormat::Json => {
            let list = List {
                api_version: "v1".to_string(),
                kind: "List".to_string(),
                items: parts.iter().collect(),
            };
            let mut s = serde_json::to_string_pretty(&list)?;
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

/// What the parts file's name adds to the main file's stem; under `--output FILE` the
/// parts go next to `FILE`, named with this suffix.
pub const PARTS_SUFFIX: &str = "-templates";

/// The file holding the parts of a split pipeline, next to [`file_name`] (a
/// [`FileRole::Companion`](soopervisor_core::backend::FileRole::Companion)).
pub fn parts_file_name(format: OutputFormat) -> &'static str {
    match format {
        OutputFormat::Yaml => "argo-templates.yaml",
        OutputFormat::Json => "argo-templates.json",
    }
}

const ETCD_NOTE: &str = "Kubernetes stores objects in etcd, which by default refuses \
     requests above about 1.5 MiB, and Argo needs room for the status it adds while running";

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Size of `object` as compact JSON, as the API server stores it (counted, not kept).
fn json_size<T: serde::Serialize>(object: &T) -> serde_json::Result<usize> {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    serde_json::to_writer(&mut counter, object)?;
    Ok(counter.0)
}

/// Warnings for objects above [`SIZE_WARNING_BYTES`] (measured as compact JSON, as
/// the API server stores them).
fn size_warnings(
    cfg: &ArgoConfig,
    workflow: &Workflow,
    parts: &[WorkflowTemplate],
    uniform: bool,
) -> anyhow::Result<Vec<Warning>> {
    let mut warnings = Vec::new();
    let max = cfg.max_tasks_per_workflow();
    let size = json_size(workflow)?;
    if size > SIZE_WARNING_BYTES {
        let fix = if !parts.is_empty() {
            format!("Raise max_tasks_per_workflow (now {max}) for fewer, larger parts, or raise the cluster's limits")
        } else if uniform {
            format!(
                "Lower max_tasks_per_workflow (now {max}) to split the pipeline into smaller Workflows, \
                 export fewer tasks at a time (--task) or raise the cluster's limits"
            )
        } else {
            "Export fewer tasks at a time (--task) or raise the cluster's limits".to_string()
        };
        let what = if parts.is_empty() {
            "the Workflow"
        } else {
            "the parent Workflow"
        };
        warnings.push(Warning::new(format!(
            "{what} is {:.1} MiB; {ETCD_NOTE}. {fix}",
            mib(size)
        )));
    }
    let sizes: Vec<usize> = {
        use rayon::prelude::*;
        parts.par_iter().map(json_size).collect::<Result<_, _>>()?
    };
    let big: Vec<(usize, &str)> = parts
        .iter()
        .zip(sizes)
        .filter(|(_, size)| *size > SIZE_WARNING_BYTES)
        .map(|(p, size)| (size, p.metadata.name.as_deref().unwrap_or_default()))
        .collect();
    if let Some(&(size, name)) = big.iter().max() {
        warnings.push(Warning::new(format!(
            "{} of the {} WorkflowTemplates are above 1 MiB (the largest, {name}, is {:.1} MiB); {ETCD_NOTE}. \
             Lower max_tasks_per_workflow (now {max}) or raise the cluster's limits",
            big.len(),
            parts.len(),
            mib(size)
        )));
    }
    Ok(warnings)
}

/// The whole export: build, lint, encode, size warnings, next steps.
pub fn export(cfg: &ArgoConfig, plan: &Plan, target: &ExportTarget) -> anyhow::Result<Export> {
    let Built {
        workflow,
        parts,
        mut warnings,
        uniform,
        ..
    } = build(cfg, plan)?;
    warnings.extend(size_warnings(cfg, &workflow, &parts, uniform)?);
    let object = crate::kind::wrap(cfg, workflow);
    let contents = encode(&object, target.format)?;
    let name = file_name(target.format);
    let (rel_dir, rel_root) = target.relative_dirs(&plan.project.root);
    let mut files = vec![OutputFile::main(name, contents)];
    let split = !parts.is_empty();
    if split {
        // `--output out/x.yaml` writes the templates to `out/x-templates.yaml`
        files.push(OutputFile::companion(
            parts_file_name(target.format),
            encode_parts(parts, target.format)?,
            PARTS_SUFFIX,
        ));
    }
    files.extend(cfg.code.files(plan, &*cfg.env.0, &rel_root)?);
    let mut next_steps = cfg.code.next_steps(plan, target.name.as_deref(), &rel_dir);
    if split {
        // server-side: a client-side apply would copy each object into an annotation,
        // and Kubernetes limits annotations to 256 KiB
        next_steps.push(format!(
            "kubectl apply --server-side -n {} -f {}",
            quote(&cfg.namespace),
            quote(
                &target
                    .dir
                    .join(parts_file_name(target.format))
                    .display()
                    .to_string()
            )
        ));
    }
    next_steps.extend(crate::kind::next_steps(
        cfg,
        &object,
        &target.dir.join(name).display().to_string(),
    ));
    Ok(Export::new(files)
        .with_next_steps(next_steps)
        .with_warnings(warnings))
}
