//! Encoding the IR and assembling the export: `kubeflow.yaml` (a header comment with
//! the Ploomber → KFP task name map, the `PipelineSpec` document and, with a shared
//! disk, the `PlatformSpec` document after `---`, both through the core's YAML
//! emitter), or `kubeflow.json` (the `PipelineSpec` alone, so only without a platform
//! spec); the code strategy's files, size warnings and the next steps to print.

use soopervisor_core::backend::{Export, ExportTarget, OutputFile, OutputFormat};
use soopervisor_core::diagnostics::{UserError, Warning};
use soopervisor_core::output::names::NameMap;
use soopervisor_core::output::shell::quote;
use soopervisor_core::output::yaml;
use soopervisor_core::plan::Plan;

use crate::build::{build, Built};
use crate::config::KubeflowConfig;
use crate::model::{PipelineSpec, PlatformSpec};

/// Above this size the run's Argo Workflow (which embeds every component) may exceed
/// what etcd stores (about 1.5 MiB by default).
pub const SIZE_WARNING_BYTES: usize = 1024 * 1024;

/// The output file name for `format` (never `pipeline.yaml`, which is Ploomber's).
pub fn file_name(format: OutputFormat) -> &'static str {
    match format {
        OutputFormat::Yaml => "kubeflow.yaml",
        OutputFormat::Json => "kubeflow.json",
    }
}

/// The header comment: what wrote the file and the task name map (Ploomber names
/// double-quoted with YAML escapes, so no name can end the comment line).
fn header(spec: &PipelineSpec, names: &NameMap) -> String {
    let mut out = format!(
        "# PIPELINE DEFINITION\n# Name: {}\n# Written by soopervisor {}: a compiled Kubeflow Pipelines v2 pipeline.\n\
         # Each task's exact Ploomber name is its executor's {} variable.\n# Ploomber task -> KFP task:\n",
        spec.pipeline_info.name,
        env!("CARGO_PKG_VERSION"),
        soopervisor_core::strategy::pod::TASK_ENV,
    );
    for (ploomber, kfp) in names.iter() {
        out.push_str(&format!("#   {} -> {kfp}\n", yaml::double_quoted(ploomber)));
    }
    out
}

/// Encodes the documents as YAML (header, PipelineSpec, `---`, PlatformSpec) or JSON.
pub fn encode(
    spec: &PipelineSpec,
    platform: Option<&PlatformSpec>,
    names: &NameMap,
    format: OutputFormat,
) -> anyhow::Result<Vec<u8>> {
    Ok(match format {
        OutputFormat::Yaml => {
            let mut s = header(spec, names);
            s.push_str(&yaml::to_string_from(spec)?);
            if let Some(p) = platform {
                s.push_str("---\n");
                s.push_str(&yaml::to_string_from(p)?);
            }
            s.into_bytes()
        }
        OutputFormat::Json => {
            if platform.is_some() {
                return Err(UserError::new(
                    "--format json writes the PipelineSpec alone, but this pipeline needs the Kubernetes platform spec (the volume of storage nfs, or settings such as node_selector, tolerations, timeout, secrets, labels) as a second document, which only YAML can hold",
                )
                .with_hint("drop --format json (KFP reads the YAML), or use --storage fetch without Kubernetes settings")
                .into());
            }
            let mut s = serde_json::to_string_pretty(spec)?;
            s.push('\n');
            s.into_bytes()
        }
    })
}

/// The whole export: build, lint, encode, size warning, code files, next steps.
pub fn export(cfg: &KubeflowConfig, plan: &Plan, target: &ExportTarget) -> anyhow::Result<Export> {
    let Built {
        spec,
        platform,
        names,
        mut warnings,
    } = build(cfg, plan)?;
    let contents = encode(&spec, platform.as_ref(), &names, target.format)?;
    if contents.len() > SIZE_WARNING_BYTES {
        warnings.push(Warning::new(format!(
            "the pipeline is {:.1} MiB; each run becomes an Argo Workflow embedding every component, and Kubernetes (etcd) refuses objects above about 1.5 MiB by default. Export fewer tasks at a time (--task) or raise the cluster's limits",
            contents.len() as f64 / (1024.0 * 1024.0)
        )));
    }
    let name = file_name(target.format);
    let (rel_dir, rel_root) = target.relative_dirs(&plan.project.root);
    let mut files = vec![OutputFile::main(name, contents)];
    files.extend(cfg.code.files(plan, &*cfg.env.0, &rel_root)?);
    let mut next_steps = cfg.code.next_steps(plan, target.name.as_deref(), &rel_dir);
    let file = quote(&target.dir.join(name).display().to_string());
    next_steps.push(format!(
        "kfp pipeline create -p {} {file}   # or upload the file in the KFP UI (Pipelines > Upload pipeline)",
        quote(&spec.pipeline_info.name)
    ));
    next_steps.push(format!(
        "kfp run create -e {} -f {file} --watch",
        quote(&spec.pipeline_info.name)
    ));
    Ok(Export::new(files)
        .with_next_steps(next_steps)
        .with_warnings(warnings))
}
