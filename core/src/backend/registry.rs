//! Discovery of linked backends through `inventory`: names, aliases, summaries and the
//! default config used when only `--backend NAME` is given.

use super::BackendConfig;

/// Static description a backend crate submits with `inventory::submit!`.
///
/// Built with the `const fn` [`BackendDescription::new`] and builder methods (a
/// struct literal is impossible outside this crate, so a field added later breaks no
/// backend); read through accessors.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use soopervisor_core::backend::{self, BackendConfig, BackendDescription, Export, ExportTarget, OutputFile};
/// use soopervisor_core::plan::Plan;
///
/// #[derive(Debug, Default, Serialize, Deserialize)]
/// #[serde(deny_unknown_fields)]
/// struct NoteConfig {}
///
/// #[typetag::serde(name = "note")]
/// impl BackendConfig for NoteConfig {
///     fn export(&self, plan: &Plan, _target: &ExportTarget) -> anyhow::Result<Export> {
///         let text = format!("{} task(s)\n", plan.tasks.len());
///         Ok(Export::new(vec![OutputFile::main("note.txt", text)]))
///     }
/// }
///
/// inventory::submit! {
///     BackendDescription::new("note", "Writes how many tasks there are", || Box::new(NoteConfig::default()))
///         .with_aliases(&["notes"])
///         .with_default_folder("")
/// }
///
/// let found = backend::find("notes").unwrap();
/// assert_eq!(found.name(), "note");
/// assert_eq!(found.aliases(), ["notes"]);
/// assert_eq!(found.summary(), "Writes how many tasks there are");
/// assert_eq!(found.default_folder(), "");
/// assert_eq!(found.default_config().typetag_name(), "note");
/// ```
#[non_exhaustive]
pub struct BackendDescription {
    name: &'static str,
    aliases: &'static [&'static str],
    summary: &'static str,
    default_config: fn() -> Box<dyn BackendConfig>,
    default_folder: &'static str,
}

impl BackendDescription {
    /// A backend called `name` (its `typetag` name too), listed with `summary` by
    /// `soopervisor backends`, configured by `default_config` when only `--backend NAME`
    /// is given. No aliases; exports without a target go to the project root.
    pub const fn new(
        name: &'static str,
        summary: &'static str,
        default_config: fn() -> Box<dyn BackendConfig>,
    ) -> Self {
        BackendDescription {
            name,
            aliases: &[],
            summary,
            default_config,
            default_folder: "",
        }
    }

    /// Other names users may type in `--backend` or `backend:` (`argo-workflows`).
    pub const fn with_aliases(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }

    /// Where an export without a named target goes, relative to the project root:
    /// `""` (the default) for the root itself, for a single announced file such as
    /// `argo.yaml`; a folder (`slurm`) for backends that write several files, so the
    /// root stays clean.
    pub const fn with_default_folder(mut self, folder: &'static str) -> Self {
        self.default_folder = folder;
        self
    }

    /// The canonical name (`argo`): also the `typetag` name of its config type.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Other accepted names.
    pub fn aliases(&self) -> &'static [&'static str] {
        self.aliases
    }

    /// One line for `soopervisor backends`.
    pub fn summary(&self) -> &'static str {
        self.summary
    }

    /// The config used when only `--backend NAME` is given.
    pub fn default_config(&self) -> Box<dyn BackendConfig> {
        (self.default_config)()
    }

    /// Where an export without a named target goes, relative to the project root.
    pub fn default_folder(&self) -> &'static str {
        self.default_folder
    }

    /// True when `name` is this backend's name or one of its aliases.
    pub fn answers_to(&self, name: &str) -> bool {
        self.name == name || self.aliases.contains(&name)
    }
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
        .find(|d| d.answers_to(name))
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
