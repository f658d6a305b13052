#!/usr/bin/env bash
# tests/argo-validate.sh FILE_OR_DIR...
#
# Validates generated Argo specs offline with ../shared/tools/argo_validate.py
# (YAML as go-yaml v2 reads it, Argo's JSON schema, the v4 CRDs with CEL rules, Hera,
# and Argo's validate.go rules), treating warnings as errors and unresolvable
# WorkflowTemplate references as errors (--require-refs). Run from anywhere; paths
# are taken relative to the caller's directory.
#
# Split pipelines (max_tasks_per_workflow): a parent X.yaml (or X.json) whose parts
# are in X-templates.yaml (X-templates.json) is validated as one group, on its own:
# the parent, every WorkflowTemplate (a JSON `List` is expanded into its items, which
# the validator would otherwise skip as a non-Argo object), and the child Workflow the
# parent's resource template creates for each part (its manifest with the part name
# filled in), whose workflowTemplateRef must resolve to a part of the same export.
#
# Without arguments, exports the Argo backend's test plans (the snapshot cases and
# the split layouts) to a temporary folder with `cargo test` and validates those.
#
# If ../shared (next to the repository) is absent, prints "skipping: ../shared not
# found" and exits 0, so the script is safe in CI without the reference material.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=$REPO/../shared
if [[ ! -d $SHARED/tools ]]; then
  echo "skipping: ../shared not found (looked for $SHARED/tools)"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
files=()
if [[ $# -eq 0 ]]; then
  out=$work/exports
  echo "[argo-validate] exporting the Argo test plans to $out" >&2
  (cd "$REPO" && SOOPERVISOR_ARGO_OUT=$out cargo test -q -p soopervisor-argo --test export --test nesting --test strategies --test split --test settings --test kind >&2)
  files=("$out")
else
  files=("$@")
fi

# the venv lives in the repository root (setup-argo-validate.sh resolves a relative
# VENV_DIR against the caller's directory)
PY=$(cd "$REPO" && bash "$SHARED/tools/setup-argo-validate.sh")

# Sort the inputs into plain specs and split groups (one folder per group).
"$PY" - "$work/groups" "${files[@]}" > "$work/plain.txt" <<'PYTHON'
import json, os, re, sys
import yaml

out_dir, inputs = sys.argv[1], sys.argv[2:]
paths = []
for p in inputs:
    if os.path.isdir(p):
        for root, _dirs, names in os.walk(p):
            paths += [os.path.join(root, n) for n in sorted(names) if n.endswith((".yaml", ".yml", ".json"))]
    else:
        paths.append(p)
given = set(os.path.abspath(p) for p in paths)

def companion(p):
    stem, ext = os.path.splitext(p)
    return stem + "-templates" + ext

in_group = set()
groups = []
for p in paths:
    c = companion(p)
    if os.path.abspath(p) in in_group or not os.path.isfile(c):
        continue
    groups.append((p, c))
    in_group.update({os.path.abspath(p), os.path.abspath(c)})
for p in paths:
    if os.path.abspath(p) not in in_group:
        print(p)

def load_all(path):
    with open(path, encoding="utf-8") as fh:
        return [d for d in yaml.safe_load_all(fh) if d is not None]

def children(parent):
    """The objects the parent's resource templates create, one per calling DAG task."""
    spec = parent.get("spec") or {}
    if parent.get("kind") == "CronWorkflow":  # --kind cron: the Workflow is inside
        spec = spec.get("workflowSpec") or {}
    manifests = {t["name"]: t["resource"]["manifest"] for t in spec.get("templates") or []
                 if isinstance(t.get("resource"), dict) and t["resource"].get("manifest")}
    for t in spec.get("templates") or []:
        for task in (t.get("dag") or {}).get("tasks") or []:
            if task.get("template") not in manifests:
                continue
            args = {a["name"]: a.get("value", "") for a in (task.get("arguments") or {}).get("parameters") or []}
            text = re.sub(r"\{\{\s*inputs\.parameters\.([-\w]+)\s*\}\}",
                          lambda m: args.get(m.group(1), m.group(0)), manifests[task["template"]])
            yield from (d for d in yaml.safe_load_all(text) if d is not None)

for i, (parent, templates) in enumerate(groups):
    g = os.path.join(out_dir, "group-%03d" % i)
    os.makedirs(g)
    with open(os.path.join(g, "SOURCE"), "w") as fh:
        fh.write("%s + %s\n" % (parent, templates))
    os.symlink(os.path.abspath(parent), os.path.join(g, "parent" + os.path.splitext(parent)[1]))
    if templates.endswith(".json"):
        with open(templates, encoding="utf-8") as fh:
            data = json.load(fh)
        items = data["items"] if data.get("kind") == "List" else [data]
        for j, item in enumerate(items):
            with open(os.path.join(g, "template-%05d.json" % j), "w") as fh:
                json.dump(item, fh)
    else:
        os.symlink(os.path.abspath(templates), os.path.join(g, "templates.yaml"))
    kids = [c for d in load_all(parent) for c in children(d)]
    if not kids:
        sys.exit("%s: a templates file but no child Workflows in the parent" % parent)
    with open(os.path.join(g, "children.yaml"), "w") as fh:
        yaml.safe_dump_all(kids, fh, sort_keys=False)
PYTHON

validate() {
  "$PY" "$SHARED/tools/argo_validate.py" --warnings-as-errors --require-refs "$@"
}
status=0
mapfile -t plain < "$work/plain.txt"
if [[ ${#plain[@]} -gt 0 ]]; then
  validate "${plain[@]}" || status=1
fi
for g in "$work"/groups/group-*; do
  [[ -d $g ]] || continue
  echo "[argo-validate] split export $(cat "$g/SOURCE")" >&2
  validate --quiet "$g" || status=1
done
exit $status
