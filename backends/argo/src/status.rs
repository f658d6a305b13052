//! `soopervisor status` and `cancel` for Argo: the Workflow recorded by `export
//! --submit` is read back (`argo get -o json`, else `kubectl get workflow -o json`),
//! each of its task nodes is mapped to its Ploomber task through the export's name
//! map (a DAG task's node has the task's Argo name as `displayName`, at any depth of
//! nested DAG templates; a task with retries is a `Retry` node whose `Pod` children
//! are the attempts), and the phase of every Ploomber task is reported in a
//! `task  argo-task  phase` table, followed by the message of each failed task. For
//! a pipeline split into several Workflows, the children the parent created are
//! found among the namespace's Workflows (owned by the parent, running the part's
//! WorkflowTemplate). The report has ended when the (parent) Workflow's phase is
//! final.

use std::collections::HashMap;

use soopervisor_core::backend::tracking::{escape, table};
use soopervisor_core::backend::StatusReport;
use soopervisor_core::diagnostics::UserError;

use crate::client::Clients;
use crate::live::{Listing, Node, Object};
use crate::state::Submitted;

/// Phases of a task that failed.
const FAILED: [&str; 2] = ["Failed", "Error"];

/// The status report of what `submitted` records.
pub fn report(submitted: &Submitted, clients: &Clients) -> anyhow::Result<StatusReport> {
    let ns = submitted.namespace.as_str();
    if submitted.kind != "Workflow" {
        let how = if submitted.kind == "CronWorkflow" {
            format!("its runs: argo cron get -n {ns} {0}; argo list -n {ns} -l workflows.argoproj.io/cron-workflow={0}", submitted.name)
        } else {
            format!(
                "run it: argo submit -n {ns} --from workflowtemplate/{}",
                submitted.name
            )
        };
        let text = format!(
            "{} {} (namespace {ns}) was created; it runs nothing by itself, so there are no tasks to follow here.\nTo see {how}\n",
            submitted.kind, submitted.name
        );
        return Ok(StatusReport::new(text, true, 0));
    }
    let workflow = get(clients, ns, &submitted.name)?;
    let children = if submitted.tasks.iter().any(|t| t.part.is_some()) {
        children(clients, ns, &submitted.name)?
    } else {
        HashMap::new()
    };
    let parent_nodes = TaskNodes::new(&workflow);
    let child_nodes: HashMap<&str, TaskNodes> = children
        .iter()
        .map(|(part, wf)| (part.as_str(), TaskNodes::new(wf)))
        .collect();
    let mut rows = Vec::with_capacity(submitted.tasks.len());
    let mut failures = String::new();
    let mut failed = 0;
    for t in &submitted.tasks {
        let (nodes, owner) = match &t.part {
            None => (Some(&parent_nodes), &workflow),
            Some(p) => (
                child_nodes.get(p.as_str()),
                children.get(p).unwrap_or(&workflow),
            ),
        };
        let found = nodes.and_then(|n| n.find(&t.argo));
        let (phase, message) = match &found {
            Some(task) => (task.shown_phase(), task.message()),
            // no node yet: waiting, or never started because the Workflow ended
            None if workflow.status.ended() || (owner.status.ended() && nodes.is_some()) => {
                ("Omitted (never started)".to_string(), None)
            }
            None => ("Pending".to_string(), None),
        };
        let word = phase.split_whitespace().next().unwrap_or("").to_string();
        if FAILED.contains(&word.as_str()) {
            failed += 1;
            failures.push_str(&format!(
                "\n{} ({}{}) {word}: {}\n",
                escape(&t.task),
                owner.metadata.name,
                found
                    .as_ref()
                    .map(|f| format!(", node {}", f.node.id))
                    .unwrap_or_default(),
                message.as_deref().unwrap_or("(Argo gave no message)")
            ));
        }
        rows.push(vec![escape(&t.task), t.argo.clone(), phase]);
    }
    let status = &workflow.status;
    let mut text = format!(
        "Workflow {} (namespace {ns}): {}{}\n",
        submitted.name,
        status.phase(),
        status
            .message
            .as_deref()
            .filter(|m| !m.is_empty())
            .map(|m| format!(" ({m})"))
            .unwrap_or_default()
    );
    if status.nodes_elsewhere() {
        text.push_str("the Workflow's nodes are compressed or offloaded to Argo's database, which only the argo CLI reads: install it to see each task\n");
    }
    text.push('\n');
    text.push_str(&table(&["TASK", "ARGO-TASK", "PHASE"], &rows));
    text.push_str(&failures);
    Ok(StatusReport::new(text, status.ended(), failed))
}

/// Reads the Workflow `name`.
pub fn get(clients: &Clients, ns: &str, name: &str) -> anyhow::Result<Object> {
    let call = clients.get(ns, name)?;
    call.json::<Object>().map_err(|e| {
        UserError::new(format!("could not read the submitted Workflow {name}: {e}"))
            .with_hint("check that the cluster is reachable and the Workflow still exists (Argo deletes finished ones after their ttl), or submit again")
            .into()
    })
}

/// The child Workflows of the split Workflow `parent`, by part (the newest when the
/// parent retried one).
pub fn children(
    clients: &Clients,
    ns: &str,
    parent: &str,
) -> anyhow::Result<HashMap<String, Object>> {
    let call = clients.list(ns)?;
    let out = call.run()?;
    let items = if matches!(out.trim(), "" | "null") {
        Vec::new()
    } else {
        serde_json::from_str::<Listing>(&out)
            .map_err(|e| {
                anyhow::anyhow!(
                    "`{}` printed something that is not a list of Workflows ({e})",
                    call.shown()
                )
            })?
            .into_items()
    };
    let mut by_part: HashMap<String, Object> = HashMap::new();
    for wf in items {
        let owned = wf
            .metadata
            .owner_references
            .iter()
            .any(|o| o.kind == "Workflow" && o.name == parent);
        let Some(part) = wf
            .spec
            .workflow_template_ref
            .as_ref()
            .map(|r| r.name.clone())
        else {
            continue;
        };
        if !owned {
            continue;
        }
        let newer = by_part
            .get(&part)
            .is_none_or(|old| old.metadata.creation_timestamp <= wf.metadata.creation_timestamp);
        if newer {
            by_part.insert(part, wf);
        }
    }
    Ok(by_part)
}

/// The task nodes of one Workflow by DAG task name.
struct TaskNodes<'a> {
    by_name: HashMap<&'a str, &'a Node>,
    all: &'a std::collections::BTreeMap<String, Node>,
}

/// A task's node and its attempts.
struct Found<'a> {
    node: &'a Node,
    attempts: Vec<&'a Node>,
}

impl<'a> TaskNodes<'a> {
    fn new(wf: &'a Object) -> Self {
        let mut by_name: HashMap<&str, &Node> = HashMap::new();
        for n in wf.status.nodes.values().filter(|n| n.is_task()) {
            // an attempt of a retried task is named `task(N)`: the Retry node is the task
            match by_name.get(n.display_name.as_str()) {
                Some(old) if old.kind == "Retry" => {}
                _ => {
                    by_name.insert(n.display_name.as_str(), n);
                }
            }
        }
        TaskNodes {
            by_name,
            all: &wf.status.nodes,
        }
    }

    fn find(&self, argo_name: &str) -> Option<Found<'a>> {
        let node = *self.by_name.get(argo_name)?;
        let attempts = if node.kind == "Retry" {
            node.children
                .iter()
                .filter_map(|c| self.all.get(c))
                .filter(|c| c.kind == "Pod")
                .collect()
        } else {
            Vec::new()
        };
        Some(Found { node, attempts })
    }
}

impl Found<'_> {
    /// `Running`, or `Succeeded (2 attempts)` for a task that was retried.
    fn shown_phase(&self) -> String {
        let phase = self.node.phase();
        match self.attempts.len() {
            0 | 1 => phase.to_string(),
            n => format!("{phase} ({n} attempts)"),
        }
    }

    /// Why it is in its phase: the last attempt's message, then the node's own.
    fn message(&self) -> Option<String> {
        let own = self.node.message.clone().filter(|m| !m.is_empty());
        let last = self
            .attempts
            .last()
            .and_then(|a| a.message.clone())
            .filter(|m| !m.is_empty());
        match (last, own) {
            (Some(l), Some(o)) if l != o => Some(format!("{l} ({o})")),
            (Some(l), _) => Some(l),
            (None, o) => o,
        }
    }
}

/// Stops the Workflow (and the running children of a split one).
pub fn cancel(submitted: &Submitted, clients: &Clients) -> anyhow::Result<String> {
    let ns = submitted.namespace.as_str();
    if submitted.kind != "Workflow" {
        let how = if submitted.kind == "CronWorkflow" {
            format!("suspend it (argo cron suspend -n {ns} {0}) or delete it (argo cron delete -n {ns} {0}); stop a run with argo stop", submitted.name)
        } else {
            format!(
                "delete it with argo template delete -n {ns} {}",
                submitted.name
            )
        };
        return Err(UserError::new(format!(
            "{} {} runs nothing by itself, so there is nothing to cancel",
            submitted.kind, submitted.name
        ))
        .with_hint(how)
        .into());
    }
    let workflow = get(clients, ns, &submitted.name)?;
    if workflow.status.ended() {
        return Ok(format!(
            "Workflow {} has already ended ({}); nothing to stop\n",
            submitted.name,
            workflow.status.phase()
        ));
    }
    let mut stop = vec![submitted.name.clone()];
    if submitted.tasks.iter().any(|t| t.part.is_some()) {
        let mut running: Vec<String> = children(clients, ns, &submitted.name)?
            .into_values()
            .filter(|c| !c.status.ended())
            .map(|c| c.metadata.name)
            .collect();
        running.sort();
        stop.extend(running);
    }
    let mut out = String::new();
    for name in &stop {
        let call = clients.stop(ns, name)?;
        call.run().map_err(|e| {
            anyhow::Error::from(
                UserError::new(format!("could not stop Workflow {name}: {e}"))
                    .with_hint("check access to the cluster, then cancel again"),
            )
        })?;
        out.push_str(&format!(
            "stopped Workflow {name} (namespace {ns}) with {}\n",
            call.name
        ));
    }
    Ok(out)
}
