//! The objects the cluster returns about what was submitted (`argo get -o json`,
//! `argo submit -o json`, `kubectl get workflow -o json`, `argo list -o json`), typed
//! after Argo's own schema (`io.argoproj.workflow.v1alpha1.Workflow`, its
//! `WorkflowStatus` and `NodeStatus`). Only the fields `submit`, `status` and
//! `cancel` read are declared; every other field is ignored, and every declared one
//! is optional where the schema does not require it.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Workflow phases after which nothing changes.
pub const FINAL_PHASES: [&str; 3] = ["Succeeded", "Failed", "Error"];

/// A Workflow, WorkflowTemplate or CronWorkflow as the API server returns it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Object {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub metadata: Metadata,
    #[serde(default)]
    pub spec: Spec,
    #[serde(default)]
    pub status: Status,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub creation_timestamp: Option<String>,
    #[serde(default)]
    pub owner_references: Vec<OwnerReference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OwnerReference {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Spec {
    #[serde(default)]
    pub workflow_template_ref: Option<TemplateRef>,
    /// `Stop` or `Terminate` once someone stopped the Workflow.
    #[serde(default)]
    pub shutdown: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct TemplateRef {
    #[serde(default)]
    pub name: String,
}

/// `WorkflowStatus`: empty until the controller has seen the Workflow.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    #[serde(default)]
    pub phase: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    /// Node id → node. Argo may instead keep them compressed or in its database
    /// (`offloadNodeStatusVersion`); `argo get` restores them, `kubectl` does not.
    #[serde(default)]
    pub nodes: BTreeMap<String, Node>,
    #[serde(default)]
    pub compressed_nodes: Option<String>,
    #[serde(default)]
    pub offload_node_status_version: Option<String>,
}

impl Status {
    /// The phase, `Pending` before the controller has set one.
    pub fn phase(&self) -> &str {
        self.phase
            .as_deref()
            .filter(|p| !p.is_empty())
            .unwrap_or("Pending")
    }

    /// Whether the Workflow has ended.
    pub fn ended(&self) -> bool {
        FINAL_PHASES.contains(&self.phase())
    }

    /// The nodes are somewhere this object does not carry.
    pub fn nodes_elsewhere(&self) -> bool {
        self.nodes.is_empty()
            && (self.compressed_nodes.is_some() || self.offload_node_status_version.is_some())
    }
}

/// `NodeStatus`: one node of the Workflow's tree (the Workflow's root DAG, a nested
/// DAG, a task's pod, a retry wrapper and its attempts, a skipped task).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    pub id: String,
    /// The path in the tree (`wf.chunk-001.load(0)`).
    pub name: String,
    /// The DAG task's name (`load`), or an attempt's (`load(0)`).
    #[serde(default)]
    pub display_name: String,
    /// `DAG`, `Pod`, `Retry`, `Skipped`, `Steps`, `StepGroup`, `TaskGroup`, ...
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub phase: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub template_name: Option<String>,
    #[serde(rename = "boundaryID", default)]
    pub boundary_id: Option<String>,
    #[serde(default)]
    pub children: Vec<String>,
}

impl Node {
    pub fn phase(&self) -> &str {
        self.phase
            .as_deref()
            .filter(|p| !p.is_empty())
            .unwrap_or("Pending")
    }

    /// A node that runs (or stands for) one DAG task, not a group of them.
    pub fn is_task(&self) -> bool {
        matches!(self.kind.as_str(), "Pod" | "Retry" | "Skipped" | "Suspend")
    }
}

/// What `argo list -o json` (an array) or `kubectl get workflows -o json` (a `List`)
/// print.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Listing {
    Array(Vec<Object>),
    List { items: Vec<Object> },
}

impl Listing {
    pub fn into_items(self) -> Vec<Object> {
        match self {
            Listing::Array(v) => v,
            Listing::List { items } => items,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_listings_and_notices_nodes_kept_elsewhere() {
        let wf = r#"{"kind": "Workflow", "metadata": {"name": "a-1"},
                     "status": {"phase": "Running", "compressedNodes": "H4sIAAAA"}}"#;
        let array: Listing = serde_json::from_str(&format!("[{wf}]")).unwrap();
        let list: Listing = serde_json::from_str(&format!(
            r#"{{"apiVersion": "v1", "kind": "List", "items": [{wf}]}}"#
        ))
        .unwrap();
        for l in [array, list] {
            let items = l.into_items();
            assert_eq!(items.len(), 1);
            assert_eq!(items[0].metadata.name, "a-1");
            assert!(items[0].status.nodes_elsewhere());
            assert!(!items[0].status.ended());
        }
    }

    #[test]
    fn a_new_workflow_is_pending_until_the_controller_sets_a_phase() {
        let o: Object =
            serde_json::from_str(r#"{"metadata": {"name": "x"}, "status": {"phase": ""}}"#)
                .unwrap();
        assert_eq!(o.status.phase(), "Pending");
        assert!(!o.status.ended() && !o.status.nodes_elsewhere());
        for phase in FINAL_PHASES {
            let o: Object = serde_json::from_str(&format!(
                r#"{{"metadata": {{"name": "x"}}, "status": {{"phase": "{phase}"}}}}"#
            ))
            .unwrap();
            assert!(o.status.ended(), "{phase}");
        }
    }
}
