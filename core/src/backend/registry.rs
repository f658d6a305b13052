//! Discovery of linked backends through `inventory`: names, aliases, summaries and the
//! default config used when only `--backend NAME` is given.

use super::BackendConfig;

/// Static description a backend crate submits with `inventory::submit!`.
pub struct BackendDescription {
    /// The canonical name (`argo`): also the `typetag` name of its config type.
    pub name: &'static str,
    /// Other accepted names (`argo-workflows`).
    pub aliases: &'static [&'static str],
    /// One line for `soopervisor backends`.
    pub summary: &'static str,
    /// The config used when only `--backend NAME` is given.
    pub default_config: fn() -> Box<dyn BackendConfig>,
    /// Where an export without a named target goes, relative to the project root:
    /// `""` for the root itself (a single announced file such as `argo.yaml`), or a
    /// folder for backends that write several files (so the root stays clean).
    pub default_folder: &'static str,
}

inventory::collect!(BackendDescription);

/// Every linked backend, sorted by name.
pub fn all() -> Vec<&'static BackendDescription> {
    let mut v: Vec<_> = inventory::iter::<BackendDescription>.into_iter().collect();
    v.sort_by_key(|d| d.name);
    v
}

/// The backend called `name` or with `name` as an alias.
pub fn find(name: &str) -> Option<&'static BackendDescription> {
    inventory::iter::<BackendDescription>
        .into_iter()
        .find(|d| d.name == name || d.aliases.contains(&name))
}

impl BackendDescription {
    /// The encodings this backend's `export --format` accepts (see
    /// [`BackendConfig::formats`]).
    pub fn formats(&self) -> &'static [super::OutputFormat] {
        (self.default_config)().formats()
    }

    /// The presets `add --preset` accepts (see [`BackendConfig::presets`]).
    pub fn presets(&self) -> &'static [&'static str] {
        (self.default_config)().presets()
    }
}
