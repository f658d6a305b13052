//! Discovery of linked strategies through `inventory`, one list per concern: names and
//! summaries for `soopervisor backends`, `--help` and "did you mean" messages. A
//! strategy's default config is not stored here: every strategy's fields have
//! defaults, so `storage: NAME` deserialised through `typetag` *is* its default (one
//! path for the file, the flags and the defaults; see [`super::choice`]).

use std::fmt;

/// The three independent concerns of PRODUCT.md §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Concern {
    Storage,
    Code,
    Env,
}

impl Concern {
    /// The `soopervisor.yaml` key and command-line flag (`--storage`, `--code`, `--env`).
    pub fn key(self) -> &'static str {
        match self {
            Concern::Storage => "storage",
            Concern::Code => "code",
            Concern::Env => "env",
        }
    }

    /// The strategy used when nothing is configured.
    pub fn default_name(self) -> &'static str {
        match self {
            Concern::Storage => "nfs",
            Concern::Code => "shared-disk",
            Concern::Env => "conda",
        }
    }
}

impl fmt::Display for Concern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Static description a strategy submits with `inventory::submit!`, built with the
/// `const fn` [`StrategyDescription::new`] (fields are public for reading; new ones
/// may be added in a minor release).
///
/// ```
/// use soopervisor_core::strategy::{Concern, StrategyDescription};
///
/// const RSYNC: StrategyDescription =
///     StrategyDescription::new(Concern::Storage, "rsync", "copy products with rsync");
/// assert_eq!(RSYNC.name, "rsync");
/// ```
#[non_exhaustive]
pub struct StrategyDescription {
    /// Storage, code or environment.
    pub concern: Concern,
    /// The `kind` (also its `typetag` name).
    pub name: &'static str,
    /// One line for listings.
    pub summary: &'static str,
}

impl StrategyDescription {
    /// The strategy `name` (its `kind` and `typetag` name) of `concern`, listed with
    /// `summary`.
    pub const fn new(concern: Concern, name: &'static str, summary: &'static str) -> Self {
        StrategyDescription {
            concern,
            name,
            summary,
        }
    }
}

inventory::collect!(StrategyDescription);

/// Every linked strategy of `concern`, sorted by name.
pub fn all(concern: Concern) -> Vec<&'static StrategyDescription> {
    let mut v: Vec<_> = inventory::iter::<StrategyDescription>
        .into_iter()
        .filter(|d| d.concern == concern)
        .collect();
    v.sort_by_key(|d| d.name);
    v
}

/// The strategy of `concern` called `name`.
pub fn find(concern: Concern, name: &str) -> Option<&'static StrategyDescription> {
    inventory::iter::<StrategyDescription>
        .into_iter()
        .find(|d| d.concern == concern && d.name == name)
}

/// The names of `concern`'s strategies, for messages.
pub fn names(concern: Concern) -> Vec<&'static str> {
    all(concern).iter().map(|d| d.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_concern_lists_its_strategies() {
        assert_eq!(names(Concern::Storage), vec!["fetch", "nfs"]);
        assert_eq!(
            names(Concern::Code),
            vec!["git", "image", "package", "shared-disk"]
        );
        assert_eq!(names(Concern::Env), vec!["conda", "image", "pip"]);
        for c in [Concern::Storage, Concern::Code, Concern::Env] {
            assert!(find(c, c.default_name()).is_some(), "{c}");
        }
    }
}
