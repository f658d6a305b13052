//! [`Choice`]: a strategy as written in `soopervisor.yaml` or on the command line.
//! A bare string (`storage: fetch`) is that strategy with its defaults; a mapping
//! (`storage: {kind: fetch, repository: my-repo}`) sets its keys. Both become the
//! same `{kind: ...}` mapping and go through `typetag` (tag `kind`, so a mapping does
//! not repeat its concern's name as `storage: {storage: fetch}`). Unknown names list
//! the registered ones; unknown keys are errors from the strategy's own type.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::registry::{self, Concern};
use crate::diagnostics::pretty_list;

/// Links a strategy trait object to its concern.
pub trait StrategyObject: std::fmt::Debug + Send + Sync {
    const CONCERN: Concern;
    /// The strategy's registered name.
    fn kind_name(&self) -> &'static str;
}

/// One configured strategy of concern `T` (`dyn StorageStrategy`, ...).
pub struct Choice<T: ?Sized>(pub Box<T>);

impl<T> Choice<T>
where
    T: ?Sized + StrategyObject,
    Box<T>: DeserializeOwned + Serialize,
{
    /// Reads a string or a `{kind, ...}` mapping.
    pub fn from_value(v: Value) -> Result<Self, String> {
        let concern = T::CONCERN;
        let available = || pretty_list(registry::names(concern));
        let map = match v {
            Value::String(s) => {
                let mut m = Map::new();
                m.insert("kind".into(), Value::String(s));
                m
            }
            Value::Object(m) => m,
            other => {
                return Err(format!(
                    "{concern} must be a strategy name or a mapping with a 'kind' key, got {other}; available: {}",
                    available()
                ))
            }
        };
        let Some(kind) = map.get("kind").and_then(Value::as_str).map(str::to_string) else {
            return Err(format!(
                "the {concern} mapping needs a 'kind' key naming the strategy ({})",
                available()
            ));
        };
        if registry::find(concern, &kind).is_none() {
            return Err(format!(
                "unknown {concern} strategy '{kind}'; available: {}",
                available()
            ));
        }
        serde_json::from_value::<Box<T>>(Value::Object(map))
            .map(Choice)
            .map_err(|e| format!("{concern} {kind}: {e}"))
    }

    /// The strategy `name` with its defaults.
    pub fn named(name: &str) -> Result<Self, String> {
        Self::from_value(Value::String(name.to_string()))
    }

    /// The concern's default strategy.
    pub fn default_for_concern() -> Self {
        Self::named(T::CONCERN.default_name())
            .unwrap_or_else(|e| panic!("the default {} strategy is not linked: {e}", T::CONCERN))
    }

    /// The strategy's registered name.
    pub fn kind(&self) -> &'static str {
        self.0.kind_name()
    }

    /// The `{kind, ...}` mapping.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(&self.0).unwrap_or(Value::Null)
    }
}

impl<T: ?Sized> std::ops::Deref for Choice<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized + std::fmt::Debug> std::fmt::Debug for Choice<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<T> Clone for Choice<T>
where
    T: ?Sized + StrategyObject,
    Box<T>: DeserializeOwned + Serialize,
{
    fn clone(&self) -> Self {
        Self::from_value(self.to_value())
            .unwrap_or_else(|e| panic!("a {} strategy does not round-trip: {e}", T::CONCERN))
    }
}

impl<T> PartialEq for Choice<T>
where
    T: ?Sized + StrategyObject,
    Box<T>: DeserializeOwned + Serialize,
{
    fn eq(&self, other: &Self) -> bool {
        self.to_value() == other.to_value()
    }
}

impl<T> Default for Choice<T>
where
    T: ?Sized + StrategyObject,
    Box<T>: DeserializeOwned + Serialize,
{
    fn default() -> Self {
        Self::default_for_concern()
    }
}

impl<T> Serialize for Choice<T>
where
    T: ?Sized,
    Box<T>: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, T> Deserialize<'de> for Choice<T>
where
    T: ?Sized + StrategyObject,
    Box<T>: DeserializeOwned + Serialize,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Self::from_value(v).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::{CodeStrategy, StorageStrategy};

    #[test]
    fn a_name_and_a_mapping_read_the_same() {
        let a = Choice::<dyn StorageStrategy>::from_value(serde_json::json!("fetch")).unwrap();
        let b = Choice::<dyn StorageStrategy>::from_value(serde_json::json!({"kind": "fetch"}))
            .unwrap();
        assert_eq!(a.kind(), "fetch");
        assert!(a == b);
        assert_eq!(a.to_value(), serde_json::json!({"kind": "fetch"}));
        assert!(a.clone() == a);
    }

    #[test]
    fn errors_list_what_exists() {
        let e = Choice::<dyn CodeStrategy>::named("svn").err().unwrap();
        assert!(e.contains("'svn'") && e.contains("shared-disk"), "{e}");
        let e = Choice::<dyn CodeStrategy>::from_value(
            serde_json::json!({"kind": "git", "branch": "x"}),
        )
        .err()
        .unwrap();
        assert!(e.starts_with("code git:") && e.contains("branch"), "{e}");
        let e = Choice::<dyn CodeStrategy>::from_value(serde_json::json!(3))
            .err()
            .unwrap();
        assert!(e.contains("'kind'"), "{e}");
    }
}
