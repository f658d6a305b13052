//! The artifact layout of `storage: fetch` when one script template per task does not
//! fit Argo's 200 templates per Workflow (more than 199 tasks, or a nested DAG).
//!
//! Tasks are grouped by their artifact *shape*: how many files they download and
//! upload, the rest of their pod (image, code, setup), and their settings (one group
//! per distinct setting, or per [`crate::params::ParamKey`] when that does not fit).
//! When even that does not fit, the number of downloads is rounded up to a power of
//! two: a task with fewer passes fewer, and the template's extra inputs are optional
//! (the artifact `optional`, its path parameter empty by default, its copy skipped).
//! Each group gets one template whose artifacts are positional: inputs `in-0`, `in-1`,
//! ... staged under [`INPUTS_DIR`], outputs `out-0`, ...
//! Each DAG task says, in its parameters `input-N` and `output-N`, the project path of
//! each file, and passes `in-N` from its producer's `{{tasks.UP.outputs.artifacts.out-M}}`.
//! The script copies `in-N` to the path in `$SOOPERVISOR_INPUT_N` (an environment
//! variable, so no path ever reaches the shell as code); Argo collects `out-N` from
//! `<workdir>/{{inputs.parameters.output-N}}`.
//!
//! Nested DAGs (above 200 tasks) keep a file's hand-over inside one chunk when its
//! producer is there; else the producer's chunk declares it as an output
//! (`from: {{tasks.UP.outputs.artifacts.out-M}}`), the entry DAG passes it to the
//! consumer's chunk (`{{tasks.chunk-A.outputs.artifacts.NAME}}`, NAME unique per path),
//! and the consumer reads `{{inputs.artifacts.NAME}}`. The producer's chunk is always
//! an ancestor of the consumer's in the entry DAG, since chunks wait for the chunks of
//! their tasks' upstream tasks.

use std::collections::{BTreeMap, HashMap};

use soopervisor_core::diagnostics::UserError;
use soopervisor_core::output::names::NameMap;
use soopervisor_core::plan::Plan;
use soopervisor_core::strategy::{in_pod, Contribution, Phase, SetupStep};

use crate::export::{ArtifactNames, INPUTS_DIR};
use crate::model::{Artifact, EnvVar, Inputs, Outputs, Parameter, Template};
use crate::nest::{MAX_TEMPLATES, TASK_PARAM};
use crate::params;
use crate::settings;

/// Argo v4 CRD limit on the input parameters (and artifacts) of one template.
const MAX_INPUTS: usize = 500;

/// Name of the `n`th input artifact of a shared template.
fn in_artifact(n: usize) -> String {
    format!("in-{n}")
}

/// Name of the `n`th output artifact of a shared template.
fn out_artifact(n: usize) -> String {
    format!("out-{n}")
}

/// Parameter holding the project path of the `n`th downloaded file.
fn input_param(n: usize) -> String {
    format!("input-{n}")
}

/// Parameter holding the project path of the `n`th uploaded file.
fn output_param(n: usize) -> String {
    format!("output-{n}")
}

/// Environment variable holding the project path of the `n`th downloaded file.
fn input_env(n: usize) -> String {
    format!("SOOPERVISOR_INPUT_{n}")
}

/// How a group's template gets its settings.
#[derive(Clone, PartialEq, Eq, Hash)]
enum SettingsOf {
    /// A copy of the settings group (index into [`settings::template_groups`]).
    Copy(usize),
    /// Parameters, by kind (index into [`params::groups`]).
    Params(usize),
}

/// What tasks sharing a template have in common.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Shape {
    inputs: usize,
    outputs: usize,
    /// Index into the distinct pods (contributions without their transfers).
    pod: usize,
    settings: SettingsOf,
}

/// Adds the shared script templates for `plan` to `templates` (its DAG templates,
/// entry DAG first) and wires every DAG task to its template and its files.
/// `contributions` are the tasks' own, in plan order; `make` builds a script
/// template from a contribution (without transfers).
pub fn add_shared_templates(
    plan: &Plan,
    contributions: &[Contribution],
    names: &NameMap,
    artifacts: &ArtifactNames,
    templates: &mut Vec<Template>,
    make: &dyn Fn(String, &Contribution) -> Template,
) -> Result<(), UserError> {
    // the pods without their transfers: usually one
    let mut pods: Vec<Contribution> = Vec::new();
    let pod_of: Vec<usize> = contributions
        .iter()
        .map(|c| {
            let mut bare = c.clone();
            bare.downloads.clear();
            bare.uploads.clear();
            match pods.iter().position(|p| *p == bare) {
                Some(i) => i,
                None => {
                    pods.push(bare);
                    pods.len() - 1
                }
            }
        })
        .collect();
    let task_names = plan.tasks.iter().map(|t| t.name.as_str());
    let (groups, group_of) = settings::template_groups(plan, task_names.clone());
    let (keys, key_of) = params::groups(plan, task_names);
    // bucketed: inputs rounded up to a power of two (at most the most any task
    // has), the missing ones optional
    let most = contributions
        .iter()
        .map(|c| c.downloads.len())
        .max()
        .unwrap_or(0);
    let shapes_with = |by_params: bool, bucketed: bool| -> Vec<Shape> {
        plan.tasks
            .iter()
            .zip(contributions)
            .zip(&pod_of)
            .map(|((t, c), pod)| Shape {
                inputs: if bucketed {
                    c.downloads.len().next_power_of_two().min(most)
                } else {
                    c.downloads.len()
                },
                outputs: c.uploads.len(),
                pod: *pod,
                settings: if by_params {
                    SettingsOf::Params(key_of[t.name.as_str()])
                } else {
                    SettingsOf::Copy(group_of[t.name.as_str()])
                },
            })
            .collect()
    };
    let distinct = |shapes: &[Shape]| -> Vec<Shape> {
        let mut seen = std::collections::HashSet::new();
        shapes
            .iter()
            .filter(|s| seen.insert((*s).clone()))
            .cloned()
            .collect()
    };
    let mut shapes = shapes_with(false, false);
    let mut kinds = distinct(&shapes);
    for (by_params, bucketed) in [(true, false), (true, true)] {
        if templates.len() + kinds.len() <= MAX_TEMPLATES {
            break;
        }
        shapes = shapes_with(by_params, bucketed);
        kinds = distinct(&shapes);
    }
    if templates.len() + kinds.len() > MAX_TEMPLATES {
        return Err(UserError::new(format!(
            "storage fetch needs {} different Argo templates here (one per number of files a task downloads and uploads, \
             and kind of settings), and with the {} DAG templates that exceeds Argo's limit of {MAX_TEMPLATES} templates per Workflow",
            kinds.len(),
            templates.len()
        ))
        .with_hint("export part of the pipeline at a time (--task), or use --storage nfs, which passes no files between pods"));
    }
    let index_of: HashMap<&Shape, usize> = kinds.iter().enumerate().map(|(i, s)| (s, i)).collect();
    // the fewest files a task of each kind downloads: inputs beyond are optional
    let mut required: Vec<usize> = kinds.iter().map(|k| k.inputs).collect();
    for (shape, c) in shapes.iter().zip(contributions) {
        let r = &mut required[index_of[shape]];
        *r = (*r).min(c.downloads.len());
    }

    // the templates
    for (i, shape) in kinds.iter().enumerate() {
        let mut t = shared_template(
            settings::template_name(i),
            shape,
            required[i],
            &pods[shape.pod],
            make,
        );
        match shape.settings {
            SettingsOf::Copy(g) => settings::apply(&mut t, groups[g]),
            SettingsOf::Params(k) => params::parameterize(&mut t, &keys[k]),
        }
        let declared = t.inputs.as_ref().map_or(0, |i| i.parameters.len());
        if declared > MAX_INPUTS || shape.inputs + 1 > MAX_INPUTS || shape.outputs > MAX_INPUTS {
            let task = plan
                .tasks
                .iter()
                .zip(&shapes)
                .find(|(_, s)| *s == shape)
                .map(|(t, _)| t.name.as_str())
                .unwrap_or_default();
            return Err(UserError::new(format!(
                "task '{task}' needs {declared} input parameters with storage fetch (one per file it downloads \
                 or uploads: {} and {}), more than Argo's limit of {MAX_INPUTS} per template",
                shape.inputs, shape.outputs
            ))
            .with_hint("use --storage nfs, which passes no files, or give the task fewer upstream products"));
        }
        templates.push(t);
    }

    // where each file comes from: its producer and the position among its outputs
    let index: HashMap<&str, usize> = plan
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    let mut produced: HashMap<&str, usize> = HashMap::new();
    for c in contributions {
        for (m, u) in c.uploads.iter().enumerate() {
            produced.insert(u.path.as_str(), m);
        }
    }
    // which DAG template runs each task (the entry DAG holds chunks when nested)
    let nested = templates.iter().filter(|t| t.dag.is_some()).count() > 1;
    let leaf_dags: Vec<usize> = (0..templates.len())
        .filter(|&i| templates[i].dag.is_some() && (!nested || i > 0))
        .collect();
    let mut dag_of: HashMap<String, usize> = HashMap::new();
    for &d in &leaf_dags {
        for node in templates[d].dag.iter().flat_map(|g| &g.tasks) {
            dag_of.insert(node.name.clone(), d);
        }
    }

    // artifacts crossing chunks: chunk → (name → from) for its outputs, and for its
    // inputs (name → producing chunk)
    let mut chunk_outputs: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
    let mut chunk_inputs: BTreeMap<usize, BTreeMap<String, usize>> = BTreeMap::new();
    for &d in &leaf_dags {
        let Some(dag) = templates[d].dag.as_mut() else {
            continue;
        };
        for node in dag.tasks.iter_mut() {
            let ploomber = node
                .arguments
                .as_ref()
                .and_then(|a| a.parameters.iter().find(|p| p.name == TASK_PARAM))
                .and_then(|p| p.value.clone())
                .unwrap_or_default();
            let Some(&i) = index.get(ploomber.as_str()) else {
                continue;
            };
            let c = &contributions[i];
            let shape = &shapes[i];
            node.template = settings::template_name(index_of[shape]);
            let Some(args) = node.arguments.as_mut() else {
                continue;
            };
            for (n, dl) in c.downloads.iter().enumerate() {
                args.parameters
                    .push(Parameter::with_value(input_param(n), dl.path.clone()));
            }
            for (n, u) in c.uploads.iter().enumerate() {
                args.parameters
                    .push(Parameter::with_value(output_param(n), u.path.clone()));
            }
            if let SettingsOf::Params(k) = shape.settings {
                args.parameters
                    .extend(params::arguments(plan.settings(&ploomber), &keys[k]));
            }
            for (n, dl) in c.downloads.iter().enumerate() {
                let up = names.get(&dl.from_task).unwrap_or_default();
                let m = produced.get(dl.path.as_str()).copied().unwrap_or_default();
                let direct = format!("{{{{tasks.{up}.outputs.artifacts.{}}}}}", out_artifact(m));
                let from = match dag_of.get(up) {
                    Some(&a) if a != d => {
                        let name = artifacts.name(&dl.path);
                        chunk_outputs
                            .entry(a)
                            .or_default()
                            .insert(name.clone(), direct);
                        chunk_inputs.entry(d).or_default().insert(name.clone(), a);
                        format!("{{{{inputs.artifacts.{name}}}}}")
                    }
                    _ => direct,
                };
                args.artifacts.push(Artifact {
                    name: in_artifact(n),
                    from: Some(from),
                    ..Artifact::default()
                });
            }
        }
    }
    for (a, outs) in chunk_outputs {
        let outputs = templates[a].outputs.get_or_insert_with(Outputs::default);
        outputs
            .artifacts
            .extend(outs.into_iter().map(|(name, from)| Artifact {
                name,
                from: Some(from),
                ..Artifact::default()
            }));
    }
    // the entry DAG's task running each chunk template
    let entry_task: HashMap<String, String> = templates[0]
        .dag
        .iter()
        .flat_map(|g| &g.tasks)
        .map(|n| (n.template.clone(), n.name.clone()))
        .collect();
    let task_of_chunk = |a: usize| {
        entry_task
            .get(&templates[a].name)
            .cloned()
            .unwrap_or_default()
    };
    let producers: BTreeMap<usize, String> = chunk_inputs
        .values()
        .flat_map(|ins| ins.values())
        .map(|&a| (a, task_of_chunk(a)))
        .collect();
    for (d, ins) in chunk_inputs {
        let chunk = templates[d].name.clone();
        let inputs = templates[d].inputs.get_or_insert_with(Inputs::default);
        inputs.artifacts.extend(ins.keys().map(|name| Artifact {
            name: name.clone(),
            ..Artifact::default()
        }));
        let entry = templates[0]
            .dag
            .iter_mut()
            .flat_map(|g| g.tasks.iter_mut())
            .find(|n| n.template == chunk);
        if let Some(node) = entry {
            let args = node.arguments.get_or_insert_with(Default::default);
            args.artifacts
                .extend(ins.into_iter().map(|(name, a)| Artifact {
                    from: Some(format!(
                        "{{{{tasks.{}.outputs.artifacts.{name}}}}}",
                        producers[&a]
                    )),
                    name,
                    ..Artifact::default()
                }));
        }
    }
    Ok(())
}

/// The script template of a shape: `pod`'s script plus the staging of its inputs,
/// positional artifacts, and the parameters naming their paths.
fn shared_template(
    name: String,
    shape: &Shape,
    required: usize,
    pod: &Contribution,
    make: &dyn Fn(String, &Contribution) -> Template,
) -> Template {
    let mut pod = pod.clone();
    if shape.inputs > 0 {
        let lines = (0..shape.inputs)
            .flat_map(|n| {
                let to = format!("\"${}\"", input_env(n));
                let from = in_pod(INPUTS_DIR, &in_artifact(n));
                let copy = [
                    format!("mkdir -p -- \"$(dirname -- {to})\""),
                    format!("rm -rf -- {to}"),
                    format!("cp -R -- {from} {to}"),
                ];
                if n < required {
                    copy.to_vec()
                } else {
                    // an optional input: only when the task passes it
                    vec![format!("[ -z {to} ] || {{ {}; }}", copy.join("; "))]
                }
            })
            .collect();
        pod.setup.push(SetupStep::new(
            Phase::FetchInputs,
            "place the upstream products and their metadata Argo downloaded (paths in SOOPERVISOR_INPUT_N)",
            lines,
        ));
    }
    let workdir = pod.workdir.clone().unwrap_or_default();
    let mut t = make(name, &pod);
    let inputs = t.inputs.get_or_insert_with(Inputs::default);
    for n in 0..shape.inputs {
        let mut p = Parameter::input(input_param(n));
        if n >= required {
            p.default = Some(String::new());
        }
        inputs.parameters.push(p);
    }
    for n in 0..shape.outputs {
        inputs.parameters.push(Parameter::input(output_param(n)));
    }
    for n in 0..shape.inputs {
        inputs.artifacts.push(Artifact {
            name: in_artifact(n),
            path: Some(in_pod(INPUTS_DIR, &in_artifact(n))),
            optional: n >= required,
            ..Artifact::default()
        });
    }
    if shape.outputs > 0 {
        t.outputs = Some(Outputs {
            artifacts: (0..shape.outputs)
                .map(|n| Artifact {
                    name: out_artifact(n),
                    path: Some(in_pod(
                        &workdir,
                        &format!("{{{{inputs.parameters.{}}}}}", output_param(n)),
                    )),
                    ..Artifact::default()
                })
                .collect(),
        });
    }
    if let Some(script) = t.script.as_mut() {
        for n in 0..shape.inputs {
            script.env.push(EnvVar {
                name: input_env(n),
                value: Some(format!("{{{{inputs.parameters.{}}}}}", input_param(n))),
                value_from: None,
            });
        }
    }
    t
}
