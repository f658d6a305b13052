//! Putting the three strategies together: the combination checks (universal ones and
//! a backend's [`Capabilities`]) and, per task, the merged [`Contribution`] a backend
//! maps into its spec.

use std::collections::HashMap;

use super::{
    CodeStrategy, Concern, Contribution, EnvironmentStrategy, SharedDisk, StorageStrategy,
    TaskContext,
};
use crate::diagnostics::{UserError, UserResult, Warning};
use crate::plan::{Plan, PlannedTask};

/// A combination a backend refuses, with why and what works instead. Built with the
/// `const fn` [`Refusal::new`] and narrowed with [`Refusal::storage`],
/// [`Refusal::code`] and [`Refusal::env`]; a concern left unnamed matches any strategy.
///
/// ```
/// use soopervisor_core::strategy::Refusal;
///
/// const NO_PACKAGE_WITH_FETCH: Refusal = Refusal::new(
///     "the engine has no place to build the package",
///     "--code git",
/// )
/// .storage("fetch")
/// .code("package");
/// assert_eq!(NO_PACKAGE_WITH_FETCH.env, None);
/// ```
#[non_exhaustive]
pub struct Refusal {
    /// The storage it applies to (`None`: any).
    pub storage: Option<&'static str>,
    /// The code delivery it applies to (`None`: any).
    pub code: Option<&'static str>,
    /// The environment it applies to (`None`: any).
    pub env: Option<&'static str>,
    /// Why the combination cannot work.
    pub why: &'static str,
    /// A combination that works instead (flags).
    pub instead: &'static str,
}

impl Refusal {
    /// Refuses every combination (until narrowed) because of `why`; `instead` names
    /// flags that work.
    pub const fn new(why: &'static str, instead: &'static str) -> Self {
        Refusal {
            storage: None,
            code: None,
            env: None,
            why,
            instead,
        }
    }

    /// Only with this storage.
    pub const fn storage(mut self, name: &'static str) -> Self {
        self.storage = Some(name);
        self
    }

    /// Only with this code delivery.
    pub const fn code(mut self, name: &'static str) -> Self {
        self.code = Some(name);
        self
    }

    /// Only with this environment.
    pub const fn env(mut self, name: &'static str) -> Self {
        self.env = Some(name);
        self
    }
}

/// What a backend can honour: the strategy names it supports per concern and the
/// combinations it refuses. Declared as a constant with the `const fn`
/// [`Capabilities::new`] and checked with [`Strategies::check`].
///
/// ```
/// use soopervisor_core::strategy::{Capabilities, Refusal};
///
/// const CAPABILITIES: Capabilities = Capabilities::new(
///     "batch",
///     &["nfs", "fetch"],
///     &["git", "image"],
///     &["pip", "image"],
/// )
/// .refusing(&[Refusal::new("no shared disk on Fargate", "--storage fetch").storage("nfs")]);
/// assert_eq!(CAPABILITIES.refused.len(), 1);
/// ```
#[non_exhaustive]
pub struct Capabilities {
    /// The backend's name, for messages.
    pub backend: &'static str,
    /// Supported storages.
    pub storages: &'static [&'static str],
    /// Supported code deliveries.
    pub code: &'static [&'static str],
    /// Supported environments.
    pub envs: &'static [&'static str],
    /// Combinations refused besides [`UNIVERSAL_REFUSALS`].
    pub refused: &'static [Refusal],
}

impl Capabilities {
    /// `backend` supports these storages, code deliveries and environments, in any
    /// combination but the [`UNIVERSAL_REFUSALS`].
    pub const fn new(
        backend: &'static str,
        storages: &'static [&'static str],
        code: &'static [&'static str],
        envs: &'static [&'static str],
    ) -> Self {
        Capabilities {
            backend,
            storages,
            code,
            envs,
            refused: &[],
        }
    }

    /// `backend` supports every storage, code delivery and environment the core
    /// offers ([`Capabilities::STORAGES`], [`Capabilities::CODE`],
    /// [`Capabilities::ENVS`]), in any combination but the [`UNIVERSAL_REFUSALS`]:
    /// what a backend whose engine runs a container per task with a shared volume, an
    /// object store and a checkout step can say (Argo, AWS Batch).
    ///
    /// ```
    /// use soopervisor_core::strategy::Capabilities;
    ///
    /// const CAPABILITIES: Capabilities = Capabilities::all("batch");
    /// assert_eq!(CAPABILITIES.code, ["shared-disk", "package", "git", "image"]);
    /// assert!(CAPABILITIES.refused.is_empty());
    /// ```
    pub const fn all(backend: &'static str) -> Self {
        Capabilities::new(
            backend,
            Capabilities::STORAGES,
            Capabilities::CODE,
            Capabilities::ENVS,
        )
    }

    /// Every storage the core offers.
    pub const STORAGES: &'static [&'static str] = &["nfs", "fetch"];
    /// Every code delivery the core offers.
    pub const CODE: &'static [&'static str] = &["shared-disk", "package", "git", "image"];
    /// Every environment the core offers.
    pub const ENVS: &'static [&'static str] = &["conda", "pip", "image"];

    /// Combinations this backend refuses too.
    pub const fn refusing(mut self, refused: &'static [Refusal]) -> Self {
        self.refused = refused;
        self
    }
}

/// Combinations no backend can honour.
pub const UNIVERSAL_REFUSALS: &[Refusal] = &[Refusal::new(
    "code shared-disk runs the project from the shared disk, but storage fetch has no shared disk",
    "--storage fetch --code git (or --code package, --code image), or --storage nfs --code shared-disk",
)
.storage("fetch")
.code("shared-disk")];

/// The three configured strategies, as a backend's config holds them
/// (`Choice<dyn StorageStrategy>`, ...).
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct Strategies<'a> {
    /// How data moves between tasks.
    pub storage: &'a dyn StorageStrategy,
    /// How the code reaches the pods.
    pub code: &'a dyn CodeStrategy,
    /// How the pods get their environment.
    pub env: &'a dyn EnvironmentStrategy,
}

impl<'a> Strategies<'a> {
    /// The three strategies of a backend's config.
    ///
    /// ```
    /// use soopervisor_core::strategy::{Choice, CodeStrategy, EnvironmentStrategy, StorageStrategy, Strategies};
    ///
    /// let storage = Choice::<dyn StorageStrategy>::named("fetch").unwrap();
    /// let code = Choice::<dyn CodeStrategy>::named("git").unwrap();
    /// let env = Choice::<dyn EnvironmentStrategy>::named("pip").unwrap();
    /// let s = Strategies::new(&*storage, &*code, &*env);
    /// assert_eq!(s.describe(), "--storage fetch --code git --env pip");
    /// assert!(!s.is_default());
    /// ```
    pub fn new(
        storage: &'a dyn StorageStrategy,
        code: &'a dyn CodeStrategy,
        env: &'a dyn EnvironmentStrategy,
    ) -> Self {
        Strategies { storage, code, env }
    }

    /// `storage=nfs code=shared-disk env=conda`.
    pub fn describe(&self) -> String {
        format!(
            "--storage {} --code {} --env {}",
            self.storage.typetag_name(),
            self.code.typetag_name(),
            self.env.typetag_name()
        )
    }

    /// True for `--storage nfs --code shared-disk --env conda`.
    pub fn is_default(&self) -> bool {
        [
            (Concern::Storage, self.storage.typetag_name()),
            (Concern::Code, self.code.typetag_name()),
            (Concern::Env, self.env.typetag_name()),
        ]
        .iter()
        .all(|(c, n)| c.default_name() == *n)
    }

    /// Refuses what `caps` (or no backend) supports, then runs each strategy's check.
    pub fn check(&self, plan: &Plan, caps: &Capabilities) -> UserResult<Vec<Warning>> {
        let names = [
            (Concern::Storage, self.storage.typetag_name(), caps.storages),
            (Concern::Code, self.code.typetag_name(), caps.code),
            (Concern::Env, self.env.typetag_name(), caps.envs),
        ];
        for (concern, name, supported) in names {
            if !supported.contains(&name) {
                return Err(UserError::new(format!(
                    "the {} backend does not support {concern} '{name}'",
                    caps.backend
                ))
                .with_hint(format!("use one of: {}", supported.join(", "))));
            }
        }
        for r in UNIVERSAL_REFUSALS.iter().chain(caps.refused) {
            let hit = |want: Option<&str>, have: &str| want.is_none_or(|w| w == have);
            if hit(r.storage, self.storage.typetag_name())
                && hit(r.code, self.code.typetag_name())
                && hit(r.env, self.env.typetag_name())
            {
                return Err(UserError::new(format!(
                    "{} cannot be combined ({}): {}",
                    self.describe(),
                    caps.backend,
                    r.why
                ))
                .with_hint(format!("use {}", r.instead)));
            }
        }
        if self.storage.shared_disk(plan).is_some() && !self.code.on_shared_disk() {
            // products are copied between the pod's own folder and the disk
            crate::plan::build::require_products_inside_root(plan)?;
        }
        let mut w = self.storage.check(plan)?;
        w.extend(self.code.check(plan)?);
        w.extend(self.env.check(plan)?);
        match self.code.folders_above_project(plan) {
            None => crate::plan::build::require_sources_shipped(
                plan,
                0,
                &format!(
                    "code {} ships only the project folder to the pods",
                    self.code.typetag_name()
                ),
            )?,
            Some(levels) => crate::plan::build::require_sources_shipped(
                plan,
                levels,
                &format!(
                    "code {} ships only the repository holding the project",
                    self.code.typetag_name()
                ),
            )?,
        }
        Ok(w)
    }

    /// The shared disk, if the storage has one.
    pub fn disk(&self, plan: &Plan) -> Option<SharedDisk> {
        self.storage.shared_disk(plan)
    }
}

/// Builds each task's [`Contribution`] from the three strategies: what a container
/// backend maps into its spec (volumes, image, env) and hands to
/// [`pod_script`](super::pod::pod_script).
pub struct Composer<'a> {
    s: Strategies<'a>,
    plan: &'a Plan,
    disk: Option<SharedDisk>,
    workdir: String,
    by_name: HashMap<&'a str, &'a PlannedTask>,
}

impl<'a> Composer<'a> {
    /// `disk` is [`Strategies::disk`], possibly adjusted by the backend.
    pub fn new(s: Strategies<'a>, plan: &'a Plan, disk: Option<SharedDisk>) -> Self {
        let workdir = s.code.workdir(plan, disk.as_ref());
        Composer {
            s,
            plan,
            disk,
            workdir,
            by_name: plan.tasks.iter().map(|t| (t.name.as_str(), t)).collect(),
        }
    }

    /// The project root in the pods.
    pub fn workdir(&self) -> &str {
        &self.workdir
    }

    /// Everything task `t` needs.
    pub fn task(&self, t: &PlannedTask) -> Contribution {
        let ctx = TaskContext {
            task: t,
            upstream: t
                .all_upstream
                .iter()
                .filter_map(|u| self.by_name.get(u.as_str()).copied())
                .collect(),
            disk: self.disk.as_ref(),
            workdir: &self.workdir,
            code_on_disk: self.s.code.on_shared_disk(),
            env_baked: self.s.code.bakes_environment(),
        };
        let mut c = Contribution {
            image: Some(self.s.env.image()),
            workdir: Some(self.workdir.clone()),
            volumes: self.disk.clone().into_iter().collect(),
            ..Contribution::default()
        };
        c.merge(self.s.env.contribute(self.plan, &ctx));
        c.merge(self.s.code.contribute(self.plan, &ctx));
        c.merge(self.s.storage.contribute(self.plan, &ctx));
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::Choice;

    #[test]
    fn all_names_every_registered_strategy() {
        for name in Capabilities::STORAGES {
            assert!(Choice::<dyn StorageStrategy>::named(name).is_ok(), "{name}");
        }
        for name in Capabilities::CODE {
            assert!(Choice::<dyn CodeStrategy>::named(name).is_ok(), "{name}");
        }
        for name in Capabilities::ENVS {
            assert!(
                Choice::<dyn EnvironmentStrategy>::named(name).is_ok(),
                "{name}"
            );
        }
        assert!(Choice::<dyn StorageStrategy>::named("s3").is_err());
        let all = Capabilities::all("x");
        assert_eq!(
            (
                all.backend,
                all.storages.len(),
                all.code.len(),
                all.envs.len()
            ),
            ("x", 2, 4, 3)
        );
    }
}
