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

/// A combination a backend refuses, with why and what works instead. `None` matches
/// any strategy of that concern.
pub struct Refusal {
    pub storage: Option<&'static str>,
    pub code: Option<&'static str>,
    pub env: Option<&'static str>,
    pub why: &'static str,
    pub instead: &'static str,
}

/// What a backend can honour.
pub struct Capabilities {
    pub backend: &'static str,
    pub storages: &'static [&'static str],
    pub code: &'static [&'static str],
    pub envs: &'static [&'static str],
    pub refused: &'static [Refusal],
}

/// Combinations no backend can honour.
pub const UNIVERSAL_REFUSALS: &[Refusal] = &[Refusal {
    storage: Some("fetch"),
    code: Some("shared-disk"),
    env: None,
    why: "code shared-disk runs the project from the shared disk, but storage fetch has no shared disk",
    instead: "--storage fetch --code git (or --code package, --code image), or --storage nfs --code shared-disk",
}];

/// The three configured strategies.
#[derive(Clone, Copy)]
pub struct Strategies<'a> {
    pub storage: &'a dyn StorageStrategy,
    pub code: &'a dyn CodeStrategy,
    pub env: &'a dyn EnvironmentStrategy,
}

impl<'a> Strategies<'a> {
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

/// Builds each task's [`Contribution`] from the three strategies.
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
