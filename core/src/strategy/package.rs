//! `code: package`: the project is built into a source distribution stamped with a
//! unique version, uploaded to a package index (`soopervisor upload`), and every pod
//! downloads and unpacks exactly that version (the project's files, `pipeline.yaml`
//! included) and installs it. The version comes from git (`0.0.0+g<commit>`) or, for
//! a dirty or untracked tree, from the content of the files shipped
//! (`0.0.0+h<hash>`), so the same files always give the same version. The user's
//! files are never modified: the version is stamped in a temporary copy.

use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::code::CodeStrategy;
use super::registry::{Concern, StrategyDescription};
use super::{code::install_project_lines, Contribution, Phase, SetupStep, SharedDisk, TaskContext};
use crate::diagnostics::{UserError, UserResult, Warning};
use crate::output::names::short_hash;
use crate::output::shell::quote;
use crate::plan::Plan;

/// Folder the pod downloads the distribution into.
const SDIST_DIR: &str = "/tmp/soopervisor-sdist";

/// `code: package` settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct PackageCode {
    /// The index pods install from (`pip --index-url`).
    pub index_url: String,
    /// Where `twine upload --repository-url` sends it; default: `index_url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload_url: Option<String>,
    /// The distribution name; default: read from pyproject.toml, setup.cfg or setup.py.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package_name: Option<String>,
    /// A fixed version instead of the stamped one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The project root in the pod.
    pub workdir: String,
    /// Extra files to ship besides the git-tracked ones.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// Files never shipped.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    #[serde(skip)]
    pub cache: OnceLock<Option<(String, String)>>,
}

impl Default for PackageCode {
    fn default() -> Self {
        PackageCode {
            index_url: String::new(),
            upload_url: None,
            package_name: None,
            version: None,
            workdir: "/project".into(),
            include: Vec::new(),
            exclude: Vec::new(),
            cache: OnceLock::new(),
        }
    }
}

impl PackageCode {
    /// The distribution name and the stamped version.
    pub fn name_and_version(&self, plan: &Plan) -> UserResult<(String, String)> {
        let cached = self.cache.get_or_init(|| {
            let name = self
                .package_name
                .clone()
                .or_else(|| package_name(&plan.project.root))?;
            let version = match &self.version {
                Some(v) => v.clone(),
                None => stamp(plan, &self.include, &self.exclude)?,
            };
            Some((name, version))
        });
        cached.clone().ok_or_else(|| {
            UserError::new("code package: cannot tell the distribution's name (no name in pyproject.toml, setup.cfg or setup.py)")
                .in_file(&plan.project.root)
                .with_hint("set package_name under code")
        })
    }

    /// `twine`'s destination.
    pub fn upload_url(&self) -> &str {
        self.upload_url.as_deref().unwrap_or(&self.index_url)
    }
}

/// `0.0.0+g<commit>` for a clean git tree, else `0.0.0+h<hash of the shipped files>`.
fn stamp(plan: &Plan, include: &[String], exclude: &[String]) -> Option<String> {
    if let Some(info) = super::git::info(&plan.project.root).filter(|i| !i.dirty) {
        return Some(format!("0.0.0+g{}", info.short()));
    }
    let sel = super::files::select(plan, include, exclude).ok()?;
    let mut all = String::new();
    for f in &sel.files {
        let bytes = std::fs::read(plan.project.root.join(f)).ok()?;
        all.push_str(f);
        all.push('\0');
        all.push_str(&short_hash(&String::from_utf8_lossy(&bytes), 16));
        all.push('\n');
    }
    Some(format!("0.0.0+h{}", short_hash(&all, 10)))
}

/// The `name` of `[project]` in pyproject.toml, `[metadata]` in setup.cfg, or a
/// literal `name=` argument in setup.py.
pub fn package_name(root: &Path) -> Option<String> {
    let unquote = |s: &str| {
        let s = s.trim().trim_end_matches(',');
        let q = s.chars().next()?;
        (q == '"' || q == '\'').then(|| s.trim_matches(q).to_string())
    };
    let in_section = |text: &str, section: &str, sep: char| -> Option<String> {
        let mut inside = false;
        for line in text.lines() {
            let l = line.trim();
            if l.starts_with('[') {
                inside = l == section;
            } else if inside {
                if let Some((k, v)) = l.split_once(sep) {
                    if k.trim() == "name" {
                        let v = v.trim();
                        return unquote(v).or_else(|| (sep == '=').then(|| v.to_string()));
                    }
                }
            }
        }
        None
    };
    if let Ok(t) = std::fs::read_to_string(root.join("pyproject.toml")) {
        if let Some(n) = in_section(&t, "[project]", '=').filter(|n| !n.is_empty()) {
            return Some(n);
        }
    }
    if let Ok(t) = std::fs::read_to_string(root.join("setup.cfg")) {
        if let Some(n) = in_section(&t, "[metadata]", '=').filter(|n| !n.is_empty()) {
            return Some(n);
        }
    }
    let t = std::fs::read_to_string(root.join("setup.py")).ok()?;
    let at = t.find("name=").or_else(|| t.find("name ="))?;
    let rest = t[at..].split_once('=')?.1.trim_start();
    let q = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    rest[1..].split(q).next().map(str::to_string)
}

/// Stamps `version` into the build files of a *copy* of the project at `dir`
/// (pyproject.toml `[project] version`, setup.cfg `[metadata] version`, a literal
/// `version=` in setup.py). Returns whether anything was stamped; dynamic versions
/// (setuptools-scm) read `SETUPTOOLS_SCM_PRETEND_VERSION`, which the caller sets.
pub fn stamp_version(dir: &Path, version: &str) -> std::io::Result<bool> {
    let mut stamped = false;
    for (file, section) in [("pyproject.toml", "[project]"), ("setup.cfg", "[metadata]")] {
        let path = dir.join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let mut inside = false;
        let mut out = Vec::new();
        for line in text.lines() {
            let l = line.trim();
            if l.starts_with('[') {
                inside = l == section;
            }
            if inside
                && l.split_once('=')
                    .is_some_and(|(k, _)| k.trim() == "version")
            {
                out.push(format!("version = \"{version}\""));
                stamped = true;
            } else {
                out.push(line.to_string());
            }
        }
        std::fs::write(&path, out.join("\n") + "\n")?;
    }
    let setup = dir.join("setup.py");
    if let Ok(text) = std::fs::read_to_string(&setup) {
        if let Some(at) = text.find("version=") {
            let rest = &text[at + "version=".len()..];
            if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
                if let Some(end) = rest[1..].find(q) {
                    let new = format!("{}version={q}{version}{q}{}", &text[..at], &rest[end + 2..]);
                    std::fs::write(&setup, new)?;
                    stamped = true;
                }
            }
        }
    }
    Ok(stamped)
}

/// Shell lines that write each environment file of the project (`environment.yml`,
/// the pip requirements) with its export-time content when the unpacked distribution
/// does not hold it, so the environment step can never fail on a missing file. A file
/// that cannot be read now is left to the environment strategy's own check.
fn environment_files_lines(plan: &Plan) -> Vec<String> {
    let files = plan
        .project
        .conda
        .as_ref()
        .map(|c| c.file.clone())
        .into_iter()
        .chain(plan.project.pip_requirements.clone());
    let mut lines = Vec::new();
    for file in files {
        let Ok(content) = std::fs::read_to_string(plan.project.root.join(&file)) else {
            continue;
        };
        let f = quote(&file);
        lines.push(format!(
            "[ -e {f} ] || printf '%s' {} > {f}",
            quote(&content)
        ));
    }
    lines
}

#[typetag::serde(name = "package")]
impl CodeStrategy for PackageCode {
    fn workdir(&self, _plan: &Plan, _disk: Option<&SharedDisk>) -> String {
        self.workdir.trim_end_matches('/').to_string()
    }

    fn check(&self, plan: &Plan) -> UserResult<Vec<Warning>> {
        if !plan.project.is_package {
            return Err(UserError::new(
                "code package builds the project as a Python package, but it has no setup.py or pyproject.toml",
            )
            .in_file(&plan.project.root)
            .with_hint("make it a package (pyproject.toml), or use --code git or --code image"));
        }
        if self.index_url.trim().is_empty() {
            return Err(UserError::new(
                "code package needs the package index the pods install from",
            )
            .with_hint(
                "set it: code: {kind: package, index_url: https://pypi.example.com/simple}",
            ));
        }
        if !self.workdir.starts_with('/') {
            return Err(UserError::new(format!(
                "code package: workdir must be an absolute path, got '{}'",
                self.workdir
            )));
        }
        let (name, version) = self.name_and_version(plan)?;
        Ok(vec![Warning::new(format!(
            "code package: pods install {name}=={version}; upload it before submitting (soopervisor upload)"
        ))])
    }

    fn contribute(&self, plan: &Plan, _ctx: &TaskContext<'_>) -> Contribution {
        let mut c = Contribution::default();
        let Ok((name, version)) = self.name_and_version(plan) else {
            return c;
        };
        let spec = quote(&format!("{name}=={version}"));
        let index = quote(&self.index_url);
        c.setup.push(SetupStep::new(
            Phase::FetchCode,
            "unpack the project's files from its exact distribution",
            vec![
                format!("pip download --no-deps --no-binary :all: --index-url {index} --dest {SDIST_DIR} {spec}"),
                format!("tar -xzf {SDIST_DIR}/*.tar.gz --strip-components=1"),
            ],
        ));
        let restore = environment_files_lines(plan);
        if !restore.is_empty() {
            c.setup.push(SetupStep::new(
                Phase::FetchCode,
                "a distribution built from a typical MANIFEST.in lacks the environment files: write them as exported when missing",
                restore,
            ));
        }
        let mut install = install_project_lines(false);
        install.description = "install exactly the exported version".into();
        install.shell_lines = vec![format!("pip install --no-deps --index-url {index} {spec}")];
        c.setup.push(install);
        c
    }

    fn next_steps(&self, plan: &Plan, target: Option<&str>, _dir: &str) -> Vec<String> {
        let t = target.map(|t| format!(" {}", quote(t))).unwrap_or_default();
        let what = self
            .name_and_version(plan)
            .map(|(n, v)| format!("{n} {v}"))
            .unwrap_or_default();
        vec![format!(
            "soopervisor upload{t}   # builds {what} (python -m build --sdist) from a temporary copy and uploads it with twine"
        )]
    }
}

inventory::submit! {
    StrategyDescription { concern: Concern::Code, name: "package",
        summary: "a versioned source distribution on a package index; pods install exactly that version" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_name_from_each_build_file() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join("setup.py"),
            "setup(\n  name='from-setup',\n)\n",
        )
        .unwrap();
        assert_eq!(package_name(d.path()).as_deref(), Some("from-setup"));
        std::fs::write(d.path().join("setup.cfg"), "[metadata]\nname = from-cfg\n").unwrap();
        assert_eq!(package_name(d.path()).as_deref(), Some("from-cfg"));
        std::fs::write(
            d.path().join("pyproject.toml"),
            "[build-system]\nrequires = []\n[project]\nname = \"from-pyproject\"\nversion = \"1.0\"\n",
        )
        .unwrap();
        assert_eq!(package_name(d.path()).as_deref(), Some("from-pyproject"));
    }

    #[test]
    fn stamps_static_versions_in_a_copy() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join("pyproject.toml"),
            "[tool.x]\nversion = \"keep\"\n[project]\nname = \"p\"\nversion = \"1.0\"\n",
        )
        .unwrap();
        std::fs::write(
            d.path().join("setup.py"),
            "setup(name='p', version='1.0')\n",
        )
        .unwrap();
        assert!(stamp_version(d.path(), "0.0.0+gabc").unwrap());
        let py = std::fs::read_to_string(d.path().join("pyproject.toml")).unwrap();
        assert!(
            py.contains("version = \"keep\"") && py.contains("version = \"0.0.0+gabc\""),
            "{py}"
        );
        let setup = std::fs::read_to_string(d.path().join("setup.py")).unwrap();
        assert_eq!(setup, "setup(name='p', version='0.0.0+gabc')\n");
        let empty = tempfile::tempdir().unwrap();
        assert!(!stamp_version(empty.path(), "1").unwrap());
    }
}
