//! Production settings passed as input parameters of shared script templates, for
//! pipelines with more distinct settings than Argo's 200 templates per Workflow can
//! hold as one template each ([`crate::settings`] writes those).
//!
//! Tasks are grouped only by what cannot be a parameter: which keys are set and the
//! names of their pod labels and annotations ([`ParamKey`]). Each group's template
//! takes the values from `{{inputs.parameters.…}}`, which Argo substitutes before it
//! creates the pod: the container's resources and env, `nodeSelector`, `tolerations`
//! and `priorityClassName` through `podSpecPatch` (a strategic merge patch of the
//! pod, the main container matched by its name `main`), `retryStrategy.limit`,
//! `backoff.duration`, `activeDeadlineSeconds` and the label and annotation values.
//! Each DAG task passes its own values, so every task gets exactly its settings.

use std::collections::HashMap;

use serde_json::{json, Value};
use soopervisor_core::plan::Plan;
use soopervisor_core::settings::TaskSettings;

use crate::model::{Inputs, IntOrString, Parameter, PodMetadata, Template};
use crate::settings;

/// The Kubernetes name of the container of a script template.
const MAIN_CONTAINER: &str = "main";

/// What a shared settings template is built from: which settings its tasks set, and
/// the names of their labels and annotations (the values are parameters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ParamKey {
    resources: bool,
    env: bool,
    node_selector: bool,
    tolerations: bool,
    priority: bool,
    retries: bool,
    backoff: bool,
    timeout: bool,
    labels: Vec<String>,
    annotations: Vec<String>,
}

/// Parameter names (none collides with `task_name` or the artifact parameters).
const RESOURCES: &str = "resources";
const ENV: &str = "env";
const NODE_SELECTOR: &str = "node-selector";
const TOLERATIONS: &str = "tolerations";
const PRIORITY: &str = "priority-class";
const RETRIES: &str = "retries";
const BACKOFF: &str = "retry-backoff";
const TIMEOUT: &str = "timeout";

fn label_param(i: usize) -> String {
    format!("label-{i}")
}

fn annotation_param(i: usize) -> String {
    format!("annotation-{i}")
}

fn reference(param: &str) -> String {
    format!("{{{{inputs.parameters.{param}}}}}")
}

impl ParamKey {
    /// The key of the settings `s`.
    pub fn of(s: &TaskSettings) -> Self {
        ParamKey {
            resources: settings::resources(s).is_some(),
            env: !s.env.is_empty(),
            node_selector: !s.node_selector.is_empty(),
            tolerations: !s.tolerations.is_empty(),
            priority: settings::priority_class(s).is_some(),
            retries: settings::retries(s).is_some(),
            backoff: settings::backoff(s).is_some(),
            timeout: s.timeout.is_some(),
            labels: s.labels.keys().cloned().collect(),
            annotations: s.annotations.keys().cloned().collect(),
        }
    }

    /// Whether tasks of this key need a pod spec patch.
    fn patches_pod(&self) -> bool {
        self.resources || self.env || self.node_selector || self.tolerations || self.priority
    }
}

/// The distinct keys of `tasks` in order of first appearance, and each task's index
/// into that list.
pub fn groups<'a>(
    plan: &'a Plan,
    tasks: impl IntoIterator<Item = &'a str>,
) -> (Vec<ParamKey>, HashMap<&'a str, usize>) {
    let mut keys: Vec<ParamKey> = Vec::new();
    let mut slot: HashMap<ParamKey, usize> = HashMap::new();
    let mut of_task = HashMap::new();
    for t in tasks {
        let key = ParamKey::of(plan.settings(t));
        let i = *slot.entry(key.clone()).or_insert_with(|| {
            keys.push(key);
            keys.len() - 1
        });
        of_task.insert(t, i);
    }
    (keys, of_task)
}

/// The pod spec patch of `key`, as JSON text whose object-valued fields are
/// parameter references (Argo substitutes them, escaped for the JSON they sit in).
fn pod_spec_patch(key: &ParamKey) -> String {
    let mut container = serde_json::Map::new();
    container.insert("name".into(), json!(MAIN_CONTAINER));
    let mut objects = Vec::new();
    if key.resources {
        container.insert("resources".into(), json!(reference(RESOURCES)));
        objects.push(RESOURCES);
    }
    if key.env {
        container.insert("env".into(), json!(reference(ENV)));
        objects.push(ENV);
    }
    let mut pod = serde_json::Map::new();
    if key.resources || key.env {
        pod.insert("containers".into(), json!([Value::Object(container)]));
    }
    if key.node_selector {
        pod.insert("nodeSelector".into(), json!(reference(NODE_SELECTOR)));
        objects.push(NODE_SELECTOR);
    }
    if key.tolerations {
        pod.insert("tolerations".into(), json!(reference(TOLERATIONS)));
        objects.push(TOLERATIONS);
    }
    if key.priority {
        // a string: the reference stays inside the JSON string
        pod.insert("priorityClassName".into(), json!(reference(PRIORITY)));
    }
    let mut text = Value::Object(pod).to_string();
    for p in objects {
        // the value is a JSON object or list: unquote its reference
        text = text.replace(&format!("\"{}\"", reference(p)), &reference(p));
    }
    text
}

/// Makes `template` take the settings of `key` from its input parameters.
pub fn parameterize(template: &mut Template, key: &ParamKey) {
    let mut declared = Vec::new();
    if key.patches_pod() {
        template.pod_spec_patch = Some(pod_spec_patch(key));
        for (on, p) in [
            (key.resources, RESOURCES),
            (key.env, ENV),
            (key.node_selector, NODE_SELECTOR),
            (key.tolerations, TOLERATIONS),
            (key.priority, PRIORITY),
        ] {
            if on {
                declared.push(p.to_string());
            }
        }
    }
    if key.retries {
        declared.push(RETRIES.to_string());
        let backoff = key.backoff.then(|| {
            declared.push(BACKOFF.to_string());
            reference(BACKOFF)
        });
        template.retry_strategy = Some(settings::retry_strategy(
            IntOrString::String(reference(RETRIES)),
            backoff,
        ));
    }
    if key.timeout {
        declared.push(TIMEOUT.to_string());
        template.active_deadline_seconds = Some(IntOrString::String(reference(TIMEOUT)));
    }
    if !key.labels.is_empty() || !key.annotations.is_empty() {
        let mut meta = PodMetadata::default();
        for (i, k) in key.labels.iter().enumerate() {
            declared.push(label_param(i));
            meta.labels.insert(k.clone(), reference(&label_param(i)));
        }
        for (i, k) in key.annotations.iter().enumerate() {
            declared.push(annotation_param(i));
            meta.annotations
                .insert(k.clone(), reference(&annotation_param(i)));
        }
        template.metadata = Some(meta);
    }
    let inputs = template.inputs.get_or_insert_with(Inputs::default);
    inputs
        .parameters
        .extend(declared.into_iter().map(Parameter::input));
}

/// The values a DAG task running `key`'s template passes for the settings `s` (whose
/// key is `key`), in the order [`parameterize`] declares them.
pub fn arguments(s: &TaskSettings, key: &ParamKey) -> Vec<Parameter> {
    let mut out = Vec::new();
    if key.resources {
        if let Some(r) = settings::resources(s) {
            out.push(Parameter::with_value(RESOURCES, json(&r)));
        }
    }
    if key.env {
        out.push(Parameter::with_value(ENV, json(&settings::env_vars(s))));
    }
    if key.node_selector {
        out.push(Parameter::with_value(NODE_SELECTOR, json(&s.node_selector)));
    }
    if key.tolerations {
        out.push(Parameter::with_value(
            TOLERATIONS,
            json(&settings::tolerations(s)),
        ));
    }
    if key.priority {
        if let Some(c) = settings::priority_class(s) {
            out.push(Parameter::with_value(PRIORITY, c));
        }
    }
    if key.retries {
        if let Some(r) = settings::retries(s) {
            out.push(Parameter::with_value(RETRIES, r.to_string()));
        }
        if let Some(b) = settings::backoff(s).filter(|_| key.backoff) {
            out.push(Parameter::with_value(BACKOFF, b));
        }
    }
    if let Some(t) = s.timeout.filter(|_| key.timeout) {
        out.push(Parameter::with_value(TIMEOUT, t.as_secs().to_string()));
    }
    for (i, v) in s.labels.values().enumerate() {
        out.push(Parameter::with_value(label_param(i), v.clone()));
    }
    for (i, v) in s.annotations.values().enumerate() {
        out.push(Parameter::with_value(annotation_param(i), v.clone()));
    }
    out
}

/// Compact JSON of a typed value passed as a parameter.
fn json<T: serde::Serialize>(value: &T) -> String {
    // our own typed values (string maps, lists of structs): serialising cannot fail
    serde_json::to_string(value).unwrap_or_default()
}

/// Points every `run-task` node of `templates` at its task's shared template and
/// appends the task's settings to its arguments.
pub fn route(
    templates: &mut [Template],
    plan: &Plan,
    keys: &[ParamKey],
    of_task: &HashMap<&str, usize>,
) {
    for node in settings::run_task_nodes(templates) {
        let Some(task) = settings::node_task(node).map(str::to_string) else {
            continue;
        };
        if let Some(&i) = of_task.get(task.as_str()) {
            node.template = settings::template_name(i);
            if let Some(args) = node.arguments.as_mut() {
                args.parameters
                    .extend(arguments(plan.settings(&task), &keys[i]));
            }
        }
    }
}
