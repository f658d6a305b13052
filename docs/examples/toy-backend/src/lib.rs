//! # soopervisor-toy-backend
//!
//! A third-party soopervisor backend, kept small enough to read in one sitting: the
//! worked example of `docs/writing-a-backend.md`. It lives in its own crate, changes
//! nothing in `soopervisor-core` or `soopervisor-cli`, and becomes available in any
//! binary that links it (see `src/main.rs`, the `soopervisor-toy` binary).
//!
//! The "engine" is a plan file, `toy-plan.txt` (or `toy-plan.json`): one step per task
//! in the order the tasks must run, with the task's upstream tasks and the command that
//! runs it. A `soopervisor.yaml` section selects it with `backend: toy`:
//!
//! ```yaml
//! plan:
//!   backend: toy
//!   format: json            # text (default) or json
//!   prefix: [nice, -n, "10"] # words put before every command (default: none)
//!   index: true             # also write toy-index.json (default: false)
//! ```
//!
//! With `index: true` the export has a second file, `toy-index.json` (each task's step
//! number), declared as a *companion* of the plan file: `--output out/p.txt` writes the
//! plan to `out/p.txt` and the index to `out/p-index.json`. The CLI knows this from the
//! declaration ([`OutputFile::companion`]), never from the files' names.
//!
//! The three pieces every backend has:
//!
//! * [`ToyConfig`], its `soopervisor.yaml` section, read through `typetag` (the tag
//!   `backend: toy` picks the type; unknown keys are refused);
//! * its [`BackendConfig`] implementation: `check` (refuse bad settings before any
//!   work), `export` (build files in memory; the CLI writes them atomically);
//! * an `inventory::submit!` of a [`BackendDescription`] (name, summary, default
//!   config, default folder), so `soopervisor backends` lists it and `--backend toy`
//!   works without a section.

use serde::{Deserialize, Serialize};

use soopervisor_core::backend::{
    BackendConfig, BackendDescription, Export, ExportTarget, OutputFile,
};
use soopervisor_core::diagnostics::{UserError, Warning};
use soopervisor_core::output::shell;
use soopervisor_core::plan::Plan;

/// The backend's name: the `typetag` tag, the registry name and `--backend toy`.
pub const NAME: &str = "toy";

/// How the plan file is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanFormat {
    /// `toy-plan.txt`: one line per task.
    #[default]
    Text,
    /// `toy-plan.json`: `{"mode", "entry_point", "steps": [{"task", "after", "command"}]}`.
    Json,
}

impl PlanFormat {
    /// The file the export writes, relative to the target folder.
    pub fn file_name(self) -> &'static str {
        match self {
            PlanFormat::Text => "toy-plan.txt",
            PlanFormat::Json => "toy-plan.json",
        }
    }
}

/// The `toy` section of `soopervisor.yaml`. Every key is optional: `{backend: toy}` is
/// complete, and is what `soopervisor add NAME --backend toy` writes (plus defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToyConfig {
    /// `text` (default) or `json`.
    #[serde(default)]
    pub format: PlanFormat,
    /// Words put before every task's command (`[srun]`, `[conda, run, -n, env]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefix: Vec<String>,
    /// Also write `toy-index.json`, a companion of the plan file.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub index: bool,
}

/// The companion file `index: true` adds.
pub const INDEX_FILE: &str = "toy-index.json";
/// What the index's name adds to the main file's stem under `--output`.
pub const INDEX_SUFFIX: &str = "-index";

/// One step of the plan: what the engine would run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The exact Ploomber task name.
    pub task: String,
    /// Upstream tasks that are part of this export (they run first).
    pub after: Vec<String>,
    /// The command, as separate words.
    pub command: Vec<String>,
}

impl ToyConfig {
    /// Settings serde cannot refuse by itself: an empty word in `prefix` would become
    /// an empty argument (`'' ploomber task ...`), which no shell can run.
    pub fn validate(&self) -> anyhow::Result<()> {
        if let Some(i) = self.prefix.iter().position(|w| w.trim().is_empty()) {
            return Err(UserError::new(format!(
                "the toy backend's prefix has an empty word (position {})",
                i + 1
            ))
            .with_hint("remove the empty entry from `prefix`, e.g. prefix: [nice, -n, \"10\"]")
            .into());
        }
        Ok(())
    }

    /// The steps, in the plan's order (a topological order: upstream tasks first).
    pub fn steps(&self, plan: &Plan) -> Vec<Step> {
        plan.tasks
            .iter()
            .map(|t| Step {
                task: t.name.clone(),
                after: t.upstream.clone(),
                command: self
                    .prefix
                    .iter()
                    .cloned()
                    .chain(plan.task_command(&t.name))
                    .collect(),
            })
            .collect()
    }

    /// The plan file's contents.
    pub fn render(&self, plan: &Plan) -> anyhow::Result<String> {
        let steps = self.steps(plan);
        match self.format {
            PlanFormat::Text => Ok(render_text(plan, &steps)),
            PlanFormat::Json => {
                let doc = serde_json::json!({
                    "mode": plan.mode,
                    "entry_point": plan.project.entry_point,
                    "steps": steps,
                });
                Ok(serde_json::to_string_pretty(&doc)? + "\n")
            }
        }
    }

    /// `{"TASK": step number}`, in run order.
    pub fn render_index(&self, plan: &Plan) -> anyhow::Result<String> {
        let index: serde_json::Map<String, serde_json::Value> = plan
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), serde_json::Value::from(i + 1)))
            .collect();
        Ok(serde_json::to_string_pretty(&index)? + "\n")
    }
}

/// `N. TASK  after: UP, UP  run: COMMAND`, names and words shell-quoted where needed,
/// so a name with spaces or quotes stays one unambiguous field.
fn render_text(plan: &Plan, steps: &[Step]) -> String {
    let mut out = format!(
        "# soopervisor toy plan: {} task(s) in run order ({} mode, entry point {})\n",
        steps.len(),
        plan.mode.as_str(),
        plan.project.entry_point
    );
    for (i, s) in steps.iter().enumerate() {
        let after = if s.after.is_empty() {
            "-".to_string()
        } else {
            s.after
                .iter()
                .map(|u| shell::quote(u))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "{}. {}  after: {}  run: {}\n",
            i + 1,
            shell::quote(&s.task),
            after,
            shell::join(&s.command)
        ));
    }
    out
}

#[typetag::serde(name = "toy")]
impl BackendConfig for ToyConfig {
    fn check(&self, plan: &Plan) -> anyhow::Result<Vec<Warning>> {
        self.validate()?;
        // Production settings (`defaults:`/`tasks:`): a plan file cannot honour any, so
        // refuse every one at its line instead of dropping it.
        plan.settings.check_honoured("toy", &[])?;
        // A finding that does not stop the export is a warning, printed by the CLI.
        let mut warnings = Vec::new();
        if plan.tasks.len() == 1 && plan.tasks[0].upstream.is_empty() {
            warnings.push(Warning::new(format!(
                "the toy plan has a single step ({}); nothing to order",
                plan.tasks[0].name
            )));
        }
        Ok(warnings)
    }

    fn export(&self, plan: &Plan, target: &ExportTarget) -> anyhow::Result<Export> {
        self.validate()?;
        let file = self.format.file_name();
        let shown = match &target.name {
            Some(t) => format!("{t}/{file}"),
            None => file.to_string(),
        };
        // The plan file is declared the main one: `--output FILE` and `--output -`
        // act on it. The index is its companion: it follows `--output FILE`.
        let mut files = vec![OutputFile::main(file, self.render(plan)?)];
        if self.index {
            files.push(OutputFile::companion(
                INDEX_FILE,
                self.render_index(plan)?,
                INDEX_SUFFIX,
            ));
        }
        Ok(Export::new(files).with_next_steps(vec![format!("cat {}", shell::quote(&shown))]))
    }

    // `submit` and `status` keep the trait's defaults, which refuse with a clear
    // message: this backend only writes a file.
}

inventory::submit! {
    // `const fn` constructor and builders: a struct literal is impossible from another
    // crate (`#[non_exhaustive]`), so a field added to the core breaks nothing here.
    BackendDescription::new(
        NAME,
        "Toy example (third-party crate): a plan file listing each task's command in run order",
        || Box::new(ToyConfig::default()),
    )
    .with_aliases(&["toy-plan"])
    // One file: an export without a named target writes it at the project root, like
    // argo.yaml (the default). Backends that write several files name a folder instead.
    .with_default_folder("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use soopervisor_core::plan::{Mode, PlannedTask, ProjectInfo};

    fn plan(mode: Mode) -> Plan {
        // Constructors, not struct literals: the core may add fields to these types.
        let task = |name: &str, up: &[&str]| {
            PlannedTask::new(name, "ShellScript").with_upstream(up.iter().copied())
        };
        Plan::new(
            ProjectInfo::new("/p", "pipeline.yaml"),
            mode,
            vec![
                task("load", &[]),
                task("clean it", &["load"]),
                task("fit", &["clean it", "load"]),
            ],
        )
    }

    #[test]
    fn reads_through_typetag_and_refuses_unknown_keys() {
        let cfg: Box<dyn BackendConfig> =
            serde_json::from_str(r#"{"backend": "toy", "format": "json", "prefix": ["srun"]}"#)
                .unwrap();
        let text = serde_json::to_string(&cfg).unwrap();
        assert_eq!(
            text,
            r#"{"backend":"toy","format":"json","prefix":["srun"]}"#
        );
        let err =
            serde_json::from_str::<Box<dyn BackendConfig>>(r#"{"backend": "toy", "colour": 1}"#)
                .unwrap_err()
                .to_string();
        assert!(err.contains("colour") && err.contains("prefix"), "{err}");
        let err = serde_json::from_str::<Box<dyn BackendConfig>>(
            r#"{"backend": "toy", "format": "xml"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("xml") && err.contains("text"), "{err}");
    }

    #[test]
    fn text_plan_lists_steps_in_order_with_quoted_names() {
        let cfg = ToyConfig {
            prefix: vec!["nice".into(), "-n".into(), "10".into()],
            ..ToyConfig::default()
        };
        assert_eq!(
            cfg.render(&plan(Mode::Force)).unwrap(),
            "# soopervisor toy plan: 3 task(s) in run order (force mode, entry point pipeline.yaml)\n\
             1. load  after: -  run: nice -n 10 ploomber task load --entry-point pipeline.yaml --force\n\
             2. 'clean it'  after: load  run: nice -n 10 ploomber task 'clean it' --entry-point pipeline.yaml --force\n\
             3. fit  after: 'clean it', load  run: nice -n 10 ploomber task fit --entry-point pipeline.yaml --force\n"
        );
    }

    #[test]
    fn json_plan_has_every_step() {
        let cfg = ToyConfig {
            format: PlanFormat::Json,
            ..ToyConfig::default()
        };
        let v: serde_json::Value =
            serde_json::from_str(&cfg.render(&plan(Mode::Incremental)).unwrap()).unwrap();
        assert_eq!(v["mode"], "incremental");
        assert_eq!(v["steps"][1]["task"], "clean it");
        assert_eq!(
            v["steps"][2]["after"],
            serde_json::json!(["clean it", "load"])
        );
        assert_eq!(v["steps"][0]["command"][0], "ploomber");
    }

    #[test]
    fn the_index_is_declared_a_companion_of_the_plan() {
        use soopervisor_core::backend::FileRole;
        let target = ExportTarget::new("/p");
        let plain = ToyConfig::default()
            .export(&plan(Mode::Regular), &target)
            .unwrap();
        assert_eq!(plain.files.len(), 1);
        assert_eq!(plain.files[0].role(), FileRole::Main);
        let cfg = ToyConfig {
            index: true,
            ..ToyConfig::default()
        };
        let e = cfg.export(&plan(Mode::Regular), &target).unwrap();
        assert_eq!(
            e.main_file().unwrap().path(),
            std::path::Path::new("toy-plan.txt")
        );
        let index: Vec<_> = e.companions().collect();
        assert_eq!(index.len(), 1);
        assert_eq!(index[0].path(), std::path::Path::new(INDEX_FILE));
        assert_eq!(index[0].companion_suffix(), Some(INDEX_SUFFIX));
        let v: serde_json::Value = serde_json::from_slice(index[0].contents()).unwrap();
        assert_eq!(v, serde_json::json!({"load": 1, "clean it": 2, "fit": 3}));
    }

    #[test]
    fn empty_prefix_word_is_a_user_error() {
        let cfg = ToyConfig {
            prefix: vec!["srun".into(), " ".into()],
            ..ToyConfig::default()
        };
        let err = cfg.check(&plan(Mode::Regular)).unwrap_err();
        let user = err.downcast_ref::<UserError>().expect("a UserError");
        assert!(user.message.contains("position 2"), "{user}");
        assert!(user.hint.is_some());
    }

    #[test]
    fn is_registered_under_its_name_and_alias() {
        let d = soopervisor_core::backend::find("toy-plan").expect("registered");
        assert_eq!(d.name(), NAME);
        assert_eq!(d.aliases(), ["toy-plan"]);
        assert_eq!(d.default_folder(), "");
        let cfg = d.default_config();
        assert_eq!(
            serde_json::to_string(&cfg).unwrap(),
            r#"{"backend":"toy","format":"text"}"#
        );
    }
}
