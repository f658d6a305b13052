//! The AWS Batch API through the official AWS SDK for Rust ([`BatchApi`], the
//! production [`Batch`]): the standard configuration chain (profiles, `AWS_PROFILE`,
//! `AWS_REGION`, `AWS_ENDPOINT_URL`, credentials from the environment, files,
//! `credential_process` or the instance role), an HTTPS client on rustls with the ring
//! provider (no aws-lc-rs, so no cmake), and a one-thread tokio runtime each call
//! blocks on; plus the translation of [`crate::model`]'s requests into the SDK's types.

use aws_sdk_batch::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_batch::types as sdk;
use serde_json::Value;
use soopervisor_core::diagnostics::UserError;

use crate::client::{Batch, JobState};
use crate::model::{ContainerOverrides, ContainerProperties, RegisterJobDefinition};

/// The SDK client and the runtime its calls block on.
pub struct BatchApi {
    runtime: tokio::runtime::Runtime,
    client: aws_sdk_batch::Client,
}

impl BatchApi {
    /// Loads the standard AWS configuration; `region` (the section's `region_name`)
    /// wins over the chain's.
    pub fn connect(region: Option<&str>) -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut loader =
            aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(http);
        if let Some(r) = region {
            loader = loader.region(aws_config::Region::new(r.to_string()));
        }
        let conf = runtime.block_on(loader.load());
        if conf.region().is_none() {
            return Err(UserError::new("no AWS region is configured")
                .with_hint(
                    "set region_name in the section, AWS_REGION, or a region in the AWS profile",
                )
                .into());
        }
        let client = aws_sdk_batch::Client::new(&conf);
        Ok(BatchApi { runtime, client })
    }
}

/// `WHAT: CODE: MESSAGE` for an error the service returned, the whole chain otherwise
/// (no connection, no credentials, ...).
fn sdk_error<E>(what: &str, e: E) -> anyhow::Error
where
    E: std::error::Error + ProvideErrorMetadata,
{
    match (e.code(), e.message()) {
        (Some(code), Some(msg)) => anyhow::anyhow!("{what}: {code}: {msg}"),
        _ => anyhow::anyhow!("{what}: {}", DisplayErrorContext(e)),
    }
}

fn env(pairs: &[crate::model::KeyValuePair]) -> Vec<sdk::KeyValuePair> {
    pairs
        .iter()
        .map(|p| {
            sdk::KeyValuePair::builder()
                .name(&p.name)
                .value(&p.value)
                .build()
        })
        .collect()
}

fn requirements(reqs: &[crate::model::ResourceRequirement]) -> Vec<sdk::ResourceRequirement> {
    reqs.iter()
        .map(|r| {
            sdk::ResourceRequirement::builder()
                .r#type(sdk::ResourceType::from(r.kind.as_str()))
                .value(&r.value)
                .build()
        })
        .collect()
}

fn overrides(o: &ContainerOverrides) -> sdk::ContainerOverrides {
    sdk::ContainerOverrides::builder()
        .set_command((!o.command.is_empty()).then(|| o.command.clone()))
        .set_environment((!o.environment.is_empty()).then(|| env(&o.environment)))
        .set_resource_requirements(
            (!o.resource_requirements.is_empty()).then(|| requirements(&o.resource_requirements)),
        )
        .build()
}

fn str_of<'a>(m: &'a serde_json::Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str)
}

fn int_of(m: &serde_json::Map<String, Value>, k: &str) -> Option<i32> {
    m.get(k)
        .and_then(Value::as_i64)
        .and_then(|v| i32::try_from(v).ok())
}

/// The SDK's `containerProperties` for `p` (see [`crate::client::SUPPORTED_PASSTHROUGH`]).
// `vcpus` and `memory` are deprecated in the API, but the Python tool's examples use them
#[allow(deprecated)]
pub fn container_properties(p: &ContainerProperties) -> sdk::ContainerProperties {
    let o = &p.other;
    let volumes = p
        .volumes
        .iter()
        .map(|v| {
            let host = v
                .other
                .get("host")
                .and_then(|h| h.get("sourcePath"))
                .and_then(Value::as_str)
                .map(|s| sdk::Host::builder().source_path(s).build());
            sdk::Volume::builder()
                .set_name(v.name.clone())
                .set_host(host)
                .set_efs_volume_configuration(v.efs_volume_configuration.as_ref().map(|e| {
                    sdk::EfsVolumeConfiguration::builder()
                        .file_system_id(&e.file_system_id)
                        .set_root_directory(e.root_directory.clone())
                        .build()
                }))
                .build()
        })
        .collect::<Vec<_>>();
    let mounts = p
        .mount_points
        .iter()
        .map(|m| {
            sdk::MountPoint::builder()
                .set_container_path(m.container_path.clone())
                .set_source_volume(m.source_volume.clone())
                .set_read_only(m.read_only)
                .build()
        })
        .collect::<Vec<_>>();
    let secrets = o.get("secrets").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(Value::as_object)
            .map(|s| {
                sdk::Secret::builder()
                    .name(str_of(s, "name").unwrap_or_default())
                    .value_from(str_of(s, "valueFrom").unwrap_or_default())
                    .build()
            })
            .collect::<Vec<_>>()
    });
    sdk::ContainerProperties::builder()
        .set_image(p.image.clone())
        .set_command((!p.command.is_empty()).then(|| p.command.clone()))
        .set_environment((!p.environment.is_empty()).then(|| env(&p.environment)))
        .set_volumes((!volumes.is_empty()).then_some(volumes))
        .set_mount_points((!mounts.is_empty()).then_some(mounts))
        .set_resource_requirements(
            (!p.resource_requirements.is_empty()).then(|| requirements(&p.resource_requirements)),
        )
        .set_job_role_arn(str_of(o, "jobRoleArn").map(str::to_string))
        .set_execution_role_arn(str_of(o, "executionRoleArn").map(str::to_string))
        .set_vcpus(int_of(o, "vcpus"))
        .set_memory(int_of(o, "memory"))
        .set_user(str_of(o, "user").map(str::to_string))
        .set_privileged(o.get("privileged").and_then(Value::as_bool))
        .set_readonly_root_filesystem(o.get("readonlyRootFilesystem").and_then(Value::as_bool))
        .set_instance_type(str_of(o, "instanceType").map(str::to_string))
        .set_fargate_platform_configuration(
            o.get("fargatePlatformConfiguration")
                .and_then(|f| f.get("platformVersion"))
                .and_then(Value::as_str)
                .map(|v| {
                    sdk::FargatePlatformConfiguration::builder()
                        .platform_version(v)
                        .build()
                }),
        )
        .set_network_configuration(
            o.get("networkConfiguration")
                .and_then(|f| f.get("assignPublicIp"))
                .and_then(Value::as_str)
                .map(|v| {
                    sdk::NetworkConfiguration::builder()
                        .assign_public_ip(sdk::AssignPublicIp::from(v))
                        .build()
                }),
        )
        .set_secrets(secrets)
        .build()
}

impl Batch for BatchApi {
    fn register(&self, def: &RegisterJobDefinition) -> anyhow::Result<String> {
        let call = self
            .client
            .register_job_definition()
            .job_definition_name(&def.job_definition_name)
            .r#type(sdk::JobDefinitionType::from(def.kind.as_str()))
            .container_properties(container_properties(&def.container_properties));
        let out = self
            .runtime
            .block_on(call.send())
            .map_err(|e| sdk_error("RegisterJobDefinition failed", e))?;
        out.job_definition_arn()
            .map(str::to_string)
            .ok_or_else(|| anyhow::anyhow!("RegisterJobDefinition returned no ARN"))
    }

    fn submit(
        &self,
        job: &crate::model::SubmitJob,
        definition_arn: &str,
    ) -> anyhow::Result<String> {
        let deps: Vec<sdk::JobDependency> = job
            .depends_on
            .iter()
            .map(|d| sdk::JobDependency::builder().job_id(&d.job_id).build())
            .collect();
        let call = self
            .client
            .submit_job()
            .job_name(&job.job_name)
            .job_queue(&job.job_queue)
            .job_definition(definition_arn)
            .set_depends_on((!deps.is_empty()).then_some(deps))
            .set_retry_strategy(job.retry_strategy.as_ref().map(|r| {
                sdk::RetryStrategy::builder()
                    .attempts(i32::try_from(r.attempts).unwrap_or(i32::MAX))
                    .build()
            }))
            .set_timeout(job.timeout.as_ref().map(|t| {
                sdk::JobTimeout::builder()
                    .attempt_duration_seconds(
                        i32::try_from(t.attempt_duration_seconds).unwrap_or(i32::MAX),
                    )
                    .build()
            }))
            .set_scheduling_priority_override(job.scheduling_priority_override)
            .set_tags((!job.tags.is_empty()).then(|| job.tags.clone().into_iter().collect()))
            .set_container_overrides(job.container_overrides.as_ref().map(overrides));
        let out = self
            .runtime
            .block_on(call.send())
            .map_err(|e| sdk_error("SubmitJob failed", e))?;
        out.job_id()
            .map(str::to_string)
            .ok_or_else(|| anyhow::anyhow!("SubmitJob returned no job id"))
    }

    fn describe(&self, ids: &[String]) -> anyhow::Result<Vec<JobState>> {
        let call = self.client.describe_jobs().set_jobs(Some(ids.to_vec()));
        let out = self
            .runtime
            .block_on(call.send())
            .map_err(|e| sdk_error("DescribeJobs failed", e))?;
        Ok(out
            .jobs()
            .iter()
            .map(|j| JobState {
                job_id: j.job_id().unwrap_or_default().to_string(),
                status: j
                    .status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_else(|| "UNKNOWN".into()),
                reason: j.status_reason().map(str::to_string),
            })
            .collect())
    }

    fn terminate(&self, id: &str, reason: &str) -> anyhow::Result<()> {
        let call = self.client.terminate_job().job_id(id).reason(reason);
        self.runtime
            .block_on(call.send())
            .map_err(|e| sdk_error("TerminateJob failed", e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(deprecated)]
    fn passthrough_is_translated() {
        let ok: ContainerProperties = serde_json::from_value(serde_json::json!({
            "jobRoleArn": "arn:r", "vcpus": 2, "memory": 1024,
            "volumes": [{"name": "h", "host": {"sourcePath": "/data"}}],
            "networkConfiguration": {"assignPublicIp": "ENABLED"}
        }))
        .unwrap();
        let sdk = container_properties(&ok);
        assert_eq!(sdk.job_role_arn(), Some("arn:r"));
        assert_eq!(sdk.vcpus(), Some(2));
        assert_eq!(
            sdk.volumes()[0].host().and_then(|h| h.source_path()),
            Some("/data")
        );
        assert_eq!(
            sdk.network_configuration()
                .and_then(|n| n.assign_public_ip()),
            Some(&sdk::AssignPublicIp::Enabled)
        );
    }
}
