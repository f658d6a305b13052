//! Assembles a [`Plan`] from a loaded project and its DAG: the selected tasks, the
//! project facts (entry point, package, environment files) and the machine-dependent
//! placeholders pinned at export time. Also the engine-neutral checks of PRODUCT.md §6
//! that backends and strategies call.

use std::path::Path;

use crate::dag::Dag;
use crate::diagnostics::{UserError, UserResult, Warning};
use crate::project::{yaml, Project};

use super::{select, CondaEnvironment, Mode, Plan, ProjectInfo};

/// Builds the plan for `mode` (and optionally a single task).
pub fn build(project: &Project, dag: &Dag, mode: Mode, only: Option<&str>) -> UserResult<Plan> {
    build_with(project, dag, mode, only, None)
}

/// [`build`] with Ploomber's list of the tasks `ploomber build` would run (`--exact`),
/// used instead of the static status in incremental mode.
pub fn build_with(
    project: &Project,
    dag: &Dag,
    mode: Mode,
    only: Option<&str>,
    would_run: Option<&std::collections::BTreeSet<String>>,
) -> UserResult<Plan> {
    let tasks = select::select_with(dag, mode, only, would_run)?;
    let mut warnings = project.warnings.clone();
    if project.used_placeholders.iter().any(|p| p == "cwd")
        && !project.env_file_keys.iter().any(|k| k == "cwd")
    {
        warnings.push(
            Warning::new("the spec uses {{cwd}}: in the pods it is the folder each task runs in (the project folder on the engine), not this machine's working directory")
                .in_file(&project.spec_path),
        );
    }
    if let Some(f) = &project.env_file {
        // the env file travels with the code to the pods: no credentials in it
        warnings.extend(crate::settings::secrets::env_file_warnings(f));
    }
    let (conda, conda_warnings) = conda_environment(&project.root);
    warnings.extend(conda_warnings);
    let info = ProjectInfo {
        root: project.root.clone(),
        name: project
            .root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "project".into()),
        entry_point: project.entry_point_relative(),
        is_package: project.root.join("setup.py").is_file()
            || project.root.join("pyproject.toml").is_file(),
        conda,
        pip_requirements: ["requirements.lock.txt", "requirements.txt"]
            .into_iter()
            .find(|f| project.root.join(f).is_file())
            .map(str::to_string),
    };
    Ok(Plan {
        project: info,
        mode,
        tasks,
        pinned_placeholders: project.machine_dependent_placeholders(),
        settings: Default::default(),
        warnings,
    })
}

/// Reads `environment.yml` (or `.yaml`): its `name:`, and a warning when `ploomber` is
/// not among its dependencies.
pub fn conda_environment(root: &Path) -> (Option<CondaEnvironment>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let Some(file) = ["environment.yml", "environment.yaml"]
        .into_iter()
        .find(|f| root.join(f).is_file())
    else {
        return (None, warnings);
    };
    let path = root.join(file);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return (None, warnings);
    };
    let Ok(doc) = yaml::parse(&text) else {
        return (None, warnings);
    };
    let Some(name) = doc
        .get("name")
        .map(|n| n.value.python_str())
        .filter(|n| !n.is_empty() && n != "None")
    else {
        return (None, warnings);
    };
    let mentions_ploomber = |n: &yaml::Node| -> bool {
        let s = n.value.python_str();
        let pkg = s
            .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
            .next()
            .unwrap_or("");
        pkg.eq_ignore_ascii_case("ploomber")
    };
    let mut has = false;
    if let Some(deps) = doc.get("dependencies").and_then(|d| d.as_seq()) {
        for d in deps {
            if mentions_ploomber(d) {
                has = true;
            }
            if let Some(pip) = d.get("pip").and_then(|p| p.as_seq()) {
                has |= pip.iter().any(mentions_ploomber);
            }
        }
    }
    if !has {
        warnings.push(
            Warning::new("ploomber is not among the dependencies: each pod will pip install it before running its task, which is slower and unpinned")
                .in_file(&path),
        );
    }
    (
        Some(CondaEnvironment {
            file: file.to_string(),
            name,
        }),
        warnings,
    )
}

/// The conda environment, or an error saying how to add one (for strategies that
/// create the environment from `environment.yml`).
pub fn require_conda(plan: &Plan) -> UserResult<&CondaEnvironment> {
    plan.project.conda.as_ref().ok_or_else(|| {
        let root = &plan.project.root;
        let path = root.join("environment.yml");
        let reason = if path.is_file() || root.join("environment.yaml").is_file() {
            "environment.yml does not name an environment (no 'name:' key) or cannot be read"
        } else {
            "the project has no environment.yml, which each pod needs to create its conda environment"
        };
        UserError::new(reason).in_file(&path).with_hint(
            "add an environment.yml with a name and your dependencies, e.g.\nname: my-project\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n    - ploomber",
        )
    })
}

/// Every File product must be inside the project root when the project lives on a
/// shared disk that pods mount.
pub fn require_products_inside_root(plan: &Plan) -> UserResult<()> {
    for t in &plan.tasks {
        for p in &t.products {
            if p.starts_with("../") || p == ".." || p.starts_with('/') {
                return Err(UserError::new(format!(
                    "task '{}' writes its product to {p}, outside the project folder, which the pods cannot reach on the shared disk",
                    t.name
                ))
                .in_file(plan.project.root.join(&plan.project.entry_point))
                .with_hint("use a path relative to the project root, e.g. output/result.csv"));
            }
        }
    }
    Ok(())
}

/// How many folders a root-relative path climbs above the root (`../../x.py` → 2;
/// an absolute path climbs out entirely: `usize::MAX`).
fn levels_above_root(path: &str) -> usize {
    if path.starts_with('/') {
        return usize::MAX;
    }
    let mut depth: isize = 0;
    let mut highest: isize = 0;
    for part in path.split('/') {
        match part {
            ".." => depth -= 1,
            "." | "" => {}
            _ => depth += 1,
        }
        highest = highest.min(depth);
    }
    (-highest) as usize
}

/// Every task's source file must lie inside what the code strategy ships to the pods:
/// the project folder (`levels_up` = 0) or, for a checkout of the whole repository,
/// up to `levels_up` folders above it. `what` names the strategy and what it ships.
pub fn require_sources_shipped(plan: &Plan, levels_up: usize, what: &str) -> UserResult<()> {
    for t in &plan.tasks {
        let Some(source) = &t.source else { continue };
        if levels_above_root(source) > levels_up {
            return Err(UserError::new(format!(
                "task '{}' has its source at {source}, outside the project folder, but {what}, so the pods would not find it",
                t.name
            ))
            .in_file(plan.project.root.join(&plan.project.entry_point))
            .with_hint("move the source into the project folder and point the task's source: at its new place"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::levels_above_root;

    #[test]
    fn counts_the_folders_a_path_climbs() {
        assert_eq!(levels_above_root("scripts/a.py"), 0);
        assert_eq!(levels_above_root("../a.py"), 1);
        assert_eq!(levels_above_root("../../lib/a.py"), 2);
        assert_eq!(levels_above_root("x/../../a.py"), 1);
        assert_eq!(levels_above_root("/abs/a.py"), usize::MAX);
    }
}
