//! The KFP v2 pipeline IR as typed serde structs: the `PipelineSpec` document (the
//! parts of `pipeline_spec.proto` a container pipeline uses) and the Kubernetes
//! `PlatformSpec` document (`kubernetes_executor_config.proto`'s PVC mount). Field
//! names are the protobuf JSON names; fields are declared in alphabetical order and
//! maps are `BTreeMap`s, so the output has the key order `kfp compile` writes (it
//! sorts keys) and never depends on insertion order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The pipeline schema version this backend writes.
pub const SCHEMA_VERSION: &str = "2.1.0";

/// The first YAML document: the whole pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PipelineSpec {
    pub components: BTreeMap<String, ComponentSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_pipeline_root: Option<String>,
    pub deployment_spec: DeploymentSpec,
    pub pipeline_info: PipelineInfo,
    pub root: RootComponent,
    pub schema_version: String,
    pub sdk_version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PipelineInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `^[a-z0-9][a-z0-9-]{0,127}$`.
    pub name: String,
}

/// A component that runs one executor (`comp-<task>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ComponentSpec {
    /// `exec-<task>`, a key of [`DeploymentSpec::executors`].
    pub executor_label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_definitions: Option<IoDefinitions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_definitions: Option<IoDefinitions>,
}

/// A component's input or output artifacts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IoDefinitions {
    pub artifacts: BTreeMap<String, ArtifactSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArtifactSpec {
    pub artifact_type: ArtifactType,
}

/// The artifact's type in KFP's type system (`system.Artifact`: an untyped file or
/// folder).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArtifactType {
    pub schema_title: String,
    pub schema_version: String,
}

impl ParameterInput {
    /// A constant value.
    pub fn constant(value: impl Into<String>) -> Self {
        ParameterInput {
            runtime_value: RuntimeValue {
                constant: value.into(),
            },
        }
    }
}

impl ArtifactSpec {
    /// A generic file or folder artifact.
    pub fn generic() -> Self {
        ArtifactSpec {
            artifact_type: ArtifactType {
                schema_title: "system.Artifact".into(),
                schema_version: "0.0.1".into(),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeploymentSpec {
    pub executors: BTreeMap<String, ExecutorSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExecutorSpec {
    pub container: ContainerSpec,
}

/// What runs: KFP starts `command + args` in `image` (no working directory is set).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContainerSpec {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    pub command: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    pub image: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnvVar {
    pub name: String,
    pub value: String,
}

/// Container resources, in the string forms (`resourceCpuLimit: "2"`,
/// `resourceMemoryLimit: 4G`) the SDK writes since KFP 2.2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accelerator: Option<Accelerator>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_cpu_limit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_cpu_request: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_memory_limit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_memory_request: Option<String>,
}

/// GPUs: `resourceType` is the Kubernetes resource (`nvidia.com/gpu`), `resourceCount`
/// how many (a string, as the SDK writes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Accelerator {
    pub resource_count: String,
    pub resource_type: String,
}

/// The pipeline's own component: a DAG of tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RootComponent {
    pub dag: DagSpec,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DagSpec {
    /// Task key (`[a-z0-9-]`) → task.
    pub tasks: BTreeMap<String, TaskSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskSpec {
    pub caching_options: CachingOptions,
    pub component_ref: ComponentRef,
    /// Sibling task keys this task waits for (sorted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependent_tasks: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<TaskInputs>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<RetryPolicy>,
    pub task_info: TaskInfo,
}

/// Caching stays off: a Ploomber task has side effects (its products) that KFP's
/// cache would skip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CachingOptions {
    pub enable_cache: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ComponentRef {
    pub name: String,
}

/// `name` is the task key: KFP backends before 2.5 resolve artifacts by this name, so
/// it is never a different display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskInfo {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskInputs {
    pub artifacts: BTreeMap<String, InputArtifact>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InputArtifact {
    pub task_output_artifact: TaskOutputArtifact,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskOutputArtifact {
    pub output_artifact_key: String,
    pub producer_task: String,
}

/// Retries of a failed task (durations as protobuf JSON durations, `30s`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetryPolicy {
    pub backoff_duration: String,
    pub backoff_factor: f64,
    pub backoff_max_duration: String,
    pub max_retry_count: i32,
}

/// The second YAML document: per-executor Kubernetes settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlatformSpec {
    pub platforms: Platforms,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Platforms {
    pub kubernetes: KubernetesPlatform,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KubernetesPlatform {
    pub deployment_spec: KubernetesDeploymentSpec,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KubernetesDeploymentSpec {
    /// Executor label → its Kubernetes settings.
    pub executors: BTreeMap<String, KubernetesExecutorConfig>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KubernetesExecutorConfig {
    /// The task's timeout in seconds (an int64, written as a string as protobuf JSON
    /// does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<NodeSelector>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_metadata: Option<PodMetadata>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pvc_mount: Vec<PvcMount>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secret_as_env: Vec<SecretAsEnv>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<Toleration>,
}

impl KubernetesExecutorConfig {
    pub fn is_empty(&self) -> bool {
        self == &KubernetesExecutorConfig::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeSelector {
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodMetadata {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// Environment variables read from a Kubernetes Secret (the value never appears in
/// the file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretAsEnv {
    pub key_to_env: Vec<SecretKeyToEnv>,
    pub optional: bool,
    pub secret_name: String,
    pub secret_name_parameter: ParameterInput,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretKeyToEnv {
    pub env_var: String,
    pub secret_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Toleration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// An int64, written as a string as protobuf JSON does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toleration_seconds: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A PVC mounted in the executor's pod. The claim is written twice, as the
/// kfp-kubernetes extension does: `constant` for older backends,
/// `pvcNameParameter` for current ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PvcMount {
    pub constant: String,
    pub mount_path: String,
    pub pvc_name_parameter: ParameterInput,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_path: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ParameterInput {
    pub runtime_value: RuntimeValue,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuntimeValue {
    pub constant: String,
}
