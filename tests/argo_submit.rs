//! `export --submit`, `status` and `cancel` for Argo through the binary, with
//! stand-in `argo` and `kubectl` executables (shell scripts, alone on `PATH`) that
//! record their arguments and print outputs shaped as Argo's own (tests/argo-live,
//! whose README says where the shape comes from). Checked: the calls and their order,
//! the state file, the status table of running, failed and succeeded Workflows
//! (retried tasks, omitted ones, the failed task's message), `--watch` ending with
//! the Workflow, the kubectl fallbacks, template kind, split pipelines, and
//! `--submit` refusals before anything is written (more in error_catalog.rs).

mod common;

use std::path::PathBuf;

use common::*;

/// The stand-in client: appends `NAME<TAB>ARG...` to `calls.log` next to it, then
/// prints `OUT.N.json` (the N-th call of that kind) or `OUT.json`, or fails with the
/// text of `OUT.fail`. Shell builtins only, since `PATH` holds nothing else.
const STAND_IN: &str = r#"#!/bin/sh
here=${0%/*}
me=${0##*/}
line=$me
for a in "$@"; do line="$line	$a"; done
printf '%s\n' "$line" >> "$here/calls.log"
case "$me $1 $2" in
  "argo submit "*|"argo template create"|"argo cron create"|"kubectl create -n") out=create ;;
  "argo get "*|"kubectl get workflow") out=get ;;
  "argo list "*|"kubectl get workflows") out=list ;;
  "argo stop "*) printf 'workflow %s stopped\n' "$4"; exit 0 ;;
  "kubectl patch workflow") printf 'workflow.argoproj.io/%s patched\n' "$3"; exit 0 ;;
  "kubectl apply --server-side") out=apply ;;
  *) printf 'stand-in %s: unexpected arguments: %s\n' "$me" "$*" >&2; exit 64 ;;
esac
if [ -f "$here/$out.fail" ]; then
  while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l" >&2; done < "$here/$out.fail"
  exit 1
fi
n=1
if [ -f "$here/$out.count" ]; then read n < "$here/$out.count"; n=$((n+1)); fi
printf '%s\n' "$n" > "$here/$out.count"
f="$here/$out.$n.json"
[ -f "$f" ] || f="$here/$out.json"
[ -f "$f" ] || exit 0
while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done < "$f"
"#;

/// A copy of the light-scripts fixture (five tasks) with `soopervisor.yaml`, and a
/// `bin` folder holding the stand-ins `clients`.
struct Cluster {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    bin: PathBuf,
}

impl Cluster {
    fn new(config: &str, clients: &[&str]) -> Cluster {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("light-scripts");
        copy_dir(&fixtures().join("light-scripts"), &root);
        std::fs::write(root.join("soopervisor.yaml"), config).unwrap();
        let bin = tmp.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        for c in clients {
            let p = bin.join(c);
            std::fs::write(&p, STAND_IN).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Cluster {
            _tmp: tmp,
            root,
            bin,
        }
    }

    /// The stand-ins print `fixture` for the `n`-th call of `kind` (every call: None).
    fn serve(&self, kind: &str, n: Option<u32>, fixture: &str) {
        let name = match n {
            Some(n) => format!("{kind}.{n}.json"),
            None => format!("{kind}.json"),
        };
        std::fs::copy(
            repo().join("tests/argo-live").join(fixture),
            self.bin.join(name),
        )
        .unwrap();
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        run_with_path(&self.root, args, &self.bin)
    }

    fn ok(&self, args: &[&str]) -> (String, String) {
        let out = self.run(args);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{args:?} failed:\n{err}");
        (String::from_utf8_lossy(&out.stdout).into_owned(), err)
    }

    /// Every recorded call, in order, as `[program, args...]`.
    fn calls(&self) -> Vec<Vec<String>> {
        std::fs::read_to_string(self.bin.join("calls.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| l.split('\t').map(str::to_string).collect())
            .collect()
    }

    fn forget_calls(&self) {
        let _ = std::fs::remove_file(self.bin.join("calls.log"));
    }

    fn path(&self, rel: &str) -> String {
        self.root.join(rel).display().to_string()
    }
}

fn call(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

const TARGET: &str = "training:\n  backend: argo\n  defaults: {retries: 2}\n";
const WF: &str = "light-scripts-x7k2p";

/// The state file rows after submitting the light-scripts Workflow (`part`: each
/// task's part, when split).
fn state_rows(kind: &str, name: &str, parts: [&str; 5]) -> String {
    let tasks = [
        ("load_survey", "load-survey"),
        ("weights", "weights"),
        ("tabulate", "tabulate"),
        ("crosstab", "crosstab"),
        ("untagged", "untagged"),
    ];
    let mut out = format!("object\t{kind}\t{name}\targo\n");
    for ((task, argo), part) in tasks.iter().zip(parts) {
        out.push_str(&format!("task\t{task}\t{argo}\t{part}\n"));
    }
    out
}

#[test]
fn submit_with_argo_records_the_workflow_and_status_follows_it() {
    let c = Cluster::new(TARGET, &["argo"]);
    c.serve("create", None, "light-scripts-submit.json");
    let (_, err) = c.ok(&["export", "training", "--mode", "force", "--submit"]);
    let spec = c.path("training/argo.yaml");
    assert_eq!(
        c.calls(),
        [call(&["argo", "submit", "-n", "argo", &spec, "-o", "json"])]
    );
    assert!(
        err.contains(&format!(
            "submitted Workflow {WF} (namespace argo) with argo"
        )),
        "{err}"
    );
    assert!(
        err.contains("follow it with: soopervisor status training --watch"),
        "{err}"
    );
    assert!(!err.contains("Next steps"), "{err}");
    assert_eq!(
        std::fs::read_to_string(c.root.join("training/.soopervisor-argo.tsv")).unwrap(),
        state_rows("Workflow", WF, [""; 5])
    );

    c.forget_calls();
    c.serve("get", None, "light-scripts-running.json");
    let (out, _) = c.ok(&["status", "training"]);
    assert_eq!(
        c.calls(),
        [call(&["argo", "get", "-n", "argo", WF, "-o", "json"])]
    );
    assert_eq!(
        out,
        format!(
            "Workflow {WF} (namespace argo): Running\n\n\
             TASK         ARGO-TASK    PHASE\n\
             load_survey  load-survey  Succeeded\n\
             weights      weights      Running (2 attempts)\n\
             tabulate     tabulate     Pending\n\
             crosstab     crosstab     Pending\n\
             untagged     untagged     Running\n"
        )
    );

    c.serve("get", None, "light-scripts-failed.json");
    let (out, _) = c.ok(&["status", "training"]);
    let weights_id = "light-scripts-x7k2p-722254158";
    assert!(
        out.starts_with(&format!(
            "Workflow {WF} (namespace argo): Failed (child '{weights_id}' failed)\n\n\
             TASK         ARGO-TASK    PHASE\n\
             load_survey  load-survey  Succeeded\n\
             weights      weights      Failed (3 attempts)\n\
             tabulate     tabulate     Omitted\n\
             crosstab     crosstab     Omitted\n\
             untagged     untagged     Succeeded\n"
        )),
        "{out}"
    );
    // the last attempt's message, then the retry node's
    assert!(
        out.ends_with(&format!(
            "\nweights ({WF}, node {weights_id}) Failed: OOMKilled (exit code 137) (No more retries left)\n"
        )),
        "{out}"
    );

    c.serve("get", None, "light-scripts-succeeded.json");
    let (out, _) = c.ok(&["status", "training"]);
    assert!(
        out.starts_with(&format!("Workflow {WF} (namespace argo): Succeeded\n")),
        "{out}"
    );
    assert!(
        out.contains("weights      weights      Succeeded (2 attempts)\n"),
        "{out}"
    );
    assert_eq!(out.matches("Succeeded").count(), 6, "{out}");
}

#[test]
fn watch_refreshes_until_the_workflow_ends_and_fails_when_a_task_failed() {
    let c = Cluster::new(TARGET, &["argo"]);
    std::fs::create_dir_all(c.root.join("training")).unwrap();
    std::fs::write(
        c.root.join("training/.soopervisor-argo.tsv"),
        state_rows("Workflow", WF, [""; 5]),
    )
    .unwrap();
    c.serve("get", Some(1), "light-scripts-running.json");
    c.serve("get", Some(2), "light-scripts-running.json");
    c.serve("get", None, "light-scripts-succeeded.json");
    let (out, _) = c.ok(&["status", "training", "--watch", "--interval", "1"]);
    assert_eq!(c.calls().len(), 3, "until the third read says Succeeded");
    // not a terminal: each table once, when it changed
    assert_eq!(out.matches("): Running\n").count(), 1, "{out}");
    assert_eq!(out.matches("): Succeeded\n").count(), 1, "{out}");

    c.forget_calls();
    std::fs::remove_file(c.bin.join("get.count")).unwrap();
    c.serve("get", Some(2), "light-scripts-failed.json");
    let out = c.run(&["status", "training", "--watch", "--interval", "1"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("1 job(s) failed"), "{err}");
    assert_eq!(c.calls().len(), 2);
}

#[test]
fn without_argo_kubectl_creates_reads_and_stops() {
    let c = Cluster::new(TARGET, &["kubectl"]);
    c.serve("create", None, "light-scripts-submit.json");
    c.ok(&["export", "training", "--mode", "force", "--submit"]);
    let spec = c.path("training/argo.yaml");
    c.serve("get", None, "light-scripts-running.json");
    let (out, _) = c.ok(&["status", "training"]);
    assert!(
        out.contains("weights      weights      Running (2 attempts)"),
        "{out}"
    );
    let (out, _) = c.ok(&["cancel", "training"]);
    assert_eq!(
        out,
        format!("stopped Workflow {WF} (namespace argo) with kubectl\n")
    );
    let get = call(&["kubectl", "get", "workflow", WF, "-n", "argo", "-o", "json"]);
    assert_eq!(
        c.calls(),
        [
            call(&["kubectl", "create", "-n", "argo", "-f", &spec, "-o", "json"]),
            get.clone(),
            get,
            call(&[
                "kubectl",
                "patch",
                "workflow",
                WF,
                "-n",
                "argo",
                "--type",
                "merge",
                "-p",
                r#"{"spec":{"shutdown":"Stop"}}"#
            ]),
        ]
    );
}

#[test]
fn cancel_stops_a_running_workflow_once_and_leaves_an_ended_one() {
    let c = Cluster::new(TARGET, &["argo", "kubectl"]);
    c.serve("create", None, "light-scripts-submit.json");
    c.ok(&["export", "training", "--mode", "force", "--submit"]);
    c.forget_calls();
    c.serve("get", None, "light-scripts-running.json");
    let (out, _) = c.ok(&["cancel", "training"]);
    assert_eq!(
        out,
        format!("stopped Workflow {WF} (namespace argo) with argo\n")
    );
    assert_eq!(
        c.calls(),
        [
            call(&["argo", "get", "-n", "argo", WF, "-o", "json"]),
            call(&["argo", "stop", "-n", "argo", WF]),
        ]
    );
    c.forget_calls();
    c.serve("get", None, "light-scripts-failed.json");
    let (out, _) = c.ok(&["cancel", "training"]);
    assert_eq!(
        out,
        format!("Workflow {WF} has already ended (Failed); nothing to stop\n")
    );
    assert_eq!(c.calls().len(), 1, "only read");
}

#[test]
fn a_template_is_created_and_status_says_how_to_run_it() {
    let c = Cluster::new(TARGET, &["argo"]);
    c.serve("create", None, "light-scripts-template.json");
    let (_, err) = c.ok(&[
        "export", "training", "--mode", "force", "--kind", "template", "--submit",
    ]);
    let spec = c.path("training/argo.yaml");
    assert_eq!(
        c.calls(),
        [call(&[
            "argo", "template", "create", "-n", "argo", &spec, "-o", "json"
        ])]
    );
    assert!(
        err.contains("submitted WorkflowTemplate light-scripts (namespace argo)"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(c.root.join("training/.soopervisor-argo.tsv")).unwrap(),
        state_rows("WorkflowTemplate", "light-scripts", [""; 5])
    );
    let (out, _) = c.ok(&["status", "training"]);
    assert!(
        out.contains("argo submit -n argo --from workflowtemplate/light-scripts"),
        "{out}"
    );
    assert_eq!(c.calls().len(), 1, "status asks the cluster nothing");
    let out = c.run(&["cancel", "training"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("runs nothing by itself, so there is nothing to cancel"),
        "{err}"
    );
}

#[test]
fn a_split_pipeline_applies_its_parts_first_and_status_reads_the_children() {
    let config = "training:\n  backend: argo\n  max_tasks_per_workflow: 2\n";
    let c = Cluster::new(config, &["argo", "kubectl"]);
    c.serve("create", None, "split-submit.json");
    c.ok(&["export", "training", "--mode", "force", "--submit"]);
    let parent = "light-scripts-p4r8t";
    assert_eq!(
        c.calls(),
        [
            call(&[
                "kubectl",
                "apply",
                "--server-side",
                "-n",
                "argo",
                "-f",
                &c.path("training/argo-templates.yaml"),
                "-o",
                "name"
            ]),
            call(&[
                "argo",
                "submit",
                "-n",
                "argo",
                &c.path("training/argo.yaml"),
                "-o",
                "json"
            ]),
        ]
    );
    assert_eq!(
        std::fs::read_to_string(c.root.join("training/.soopervisor-argo.tsv")).unwrap(),
        state_rows(
            "Workflow",
            parent,
            [
                "light-scripts-part-001",
                "light-scripts-part-001",
                "light-scripts-part-002",
                "light-scripts-part-002",
                "light-scripts-part-003"
            ]
        )
    );
    c.forget_calls();
    c.serve("get", None, "split-parent-running.json");
    c.serve("list", None, "split-list.json");
    let (out, _) = c.ok(&["status", "training"]);
    assert_eq!(
        c.calls(),
        [
            call(&["argo", "get", "-n", "argo", parent, "-o", "json"]),
            call(&["argo", "list", "-n", "argo", "-o", "json"]),
        ]
    );
    // the old submission's failed child of part 2 is not this one's
    assert_eq!(
        out,
        format!(
            "Workflow {parent} (namespace argo): Running\n\n\
             TASK         ARGO-TASK    PHASE\n\
             load_survey  load-survey  Succeeded\n\
             weights      weights      Succeeded\n\
             tabulate     tabulate     Running\n\
             crosstab     crosstab     Pending\n\
             untagged     untagged     Failed\n\
             \nuntagged (light-scripts-part-003-c3v8n, node light-scripts-part-003-c3v8n-{}) Failed: Error (exit code 1)\n",
            crc_of_node("light-scripts-part-003-c3v8n.untagged")
        )
    );
    // cancel stops the parent and its running child
    c.forget_calls();
    let (out, _) = c.ok(&["cancel", "training"]);
    assert_eq!(
        out,
        format!(
            "stopped Workflow {parent} (namespace argo) with argo\n\
             stopped Workflow light-scripts-part-002-h5k7m (namespace argo) with argo\n"
        )
    );
    assert_eq!(c.calls().len(), 4, "get, list, stop, stop");
}

/// The id the fixture generator gave a node (read back from the fixture, not
/// recomputed).
fn crc_of_node(name: &str) -> String {
    let list: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/argo-live/split-list.json")).unwrap(),
    )
    .unwrap();
    for wf in list.as_array().unwrap() {
        for (id, node) in wf["status"]["nodes"].as_object().unwrap() {
            if node["name"] == name {
                return id.rsplit('-').next().unwrap().to_string();
            }
        }
    }
    panic!("no node {name}");
}

#[test]
fn without_a_target_the_state_is_at_the_project_root_where_status_finds_it() {
    let c = Cluster::new("", &["argo"]);
    std::fs::remove_file(c.root.join("soopervisor.yaml")).unwrap();
    c.serve("create", None, "light-scripts-submit.json");
    let (_, err) = c.ok(&["export", "--backend", "argo", "--mode", "force", "--submit"]);
    assert!(
        err.contains("follow it with: soopervisor status --backend argo --watch"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(c.root.join(".soopervisor-argo.tsv")).unwrap(),
        state_rows("Workflow", WF, [""; 5])
    );
    c.serve("get", None, "light-scripts-succeeded.json");
    let (out, _) = c.ok(&["status", "--backend", "argo"]);
    assert!(
        out.starts_with(&format!("Workflow {WF} (namespace argo): Succeeded\n")),
        "{out}"
    );
}

#[test]
fn submit_is_not_combined_with_output() {
    let c = Cluster::new(TARGET, &["argo"]);
    let before = snapshot_tree(&c.root);
    let out = c.run(&["export", "training", "--submit", "--output", "x.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
    assert_eq!(before, snapshot_tree(&c.root));
    assert!(c.calls().is_empty());
}

#[test]
fn a_failed_submission_keeps_the_files_but_records_nothing() {
    let c = Cluster::new(TARGET, &["argo"]);
    std::fs::write(
        c.bin.join("create.fail"),
        "time=\"2026-12-06T22:10:04Z\" level=fatal msg=\"Failed to submit workflow: workflows.argoproj.io is forbidden\"\n",
    )
    .unwrap();
    let out = c.run(&["export", "training", "--mode", "force", "--submit"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("failed to submit the Workflow: `argo submit -n argo"),
        "{err}"
    );
    assert!(err.contains("exited with 1: time="), "{err}");
    assert!(c.root.join("training/argo.yaml").is_file());
    assert!(!c.root.join("training/.soopervisor-argo.tsv").exists());
}
