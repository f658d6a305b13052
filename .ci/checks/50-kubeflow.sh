#!/usr/bin/env bash
# Kubeflow Pipelines: every fixture exported with --storage nfs and with --storage fetch
# --code image is checked by the KFP SDK (../shared/engines/kfp-check.sh: strict
# protobuf parse, references, cycles, SDK-style names, DAG equal to Ploomber's), its
# executors and platform settings parsed strictly against their own protos; then KFP's
# local orchestrator runs exports of real fixtures and of a project with hostile task
# names, with a stand-in `ploomber` that records its calls: every task runs once after
# its upstream tasks, with its exact Ploomber name, and a failing task stops its
# dependents. Run from the repository root after `cargo build --release -p soopervisor-cli`
# (or with SOOPERVISOR_BIN naming the binary, as .ci/run does).
set -euo pipefail
repo=$(pwd)
engines=$repo/../shared/engines
if [ ! -f "$engines/kfp-check.sh" ]; then
  echo "skipping kubeflow checks: ../shared/engines not found"
  exit 0
fi
bin=${SOOPERVISOR_BIN:-$repo/target/release/soopervisor}
tools=$repo/tests/kubeflow/kfp_tools.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# the kfp venv (made by kfp-check.sh) and kfp-kubernetes for the platform spec's proto
bash "$engines/kfp-check.sh" --help >/dev/null
state=${SOOP_ENGINES_HOME:-${TMPDIR:-/tmp}/soop-engines}
venv=${KFP_VENV:-$state/venvs/kfp-${KFP_VERSION:-2.17.3}}
py=$venv/bin/python
k8s=$state/kfp-kubernetes-2.17.3
if [ ! -d "$k8s/kfp/kubernetes" ]; then
  "$py" -m pip install -q --no-deps --target "$k8s.tmp.$$" kfp-kubernetes==2.17.3
  mv -T "$k8s.tmp.$$" "$k8s" 2>/dev/null || rm -rf "$k8s.tmp.$$"
fi

check() { # check PIPELINE.yaml PLOOMBER_DAG.json
  "$py" "$tools" expect "$1" "$2" >"$1.dag.json"
  bash "$engines/kfp-check.sh" --strict-names --expect "$1.dag.json" "$1" >/dev/null
  PYTHONPATH=$k8s "$py" "$tools" strict "$1" >/dev/null
}

count=0
for dir in "$repo"/tests/fixtures/*/ "$repo/docs/examples/demo/"; do
  name=$(basename "$dir")
  [ -f "$repo/tests/expected/$name.export-error" ] && continue
  args=()
  if [ -f "$repo/tests/expected/$name.args" ]; then read -r -a args < "$repo/tests/expected/$name.args"; fi
  for mode in regular force; do
    "$bin" export -C "$dir" --backend kubeflow --storage nfs --mode "$mode" \
      --output "$work/$name-nfs-$mode.yaml" "${args[@]}" 2>/dev/null
    check "$work/$name-nfs-$mode.yaml" "$repo/tests/expected/$name.json"
    count=$((count + 1))
  done
  # fetch + code image writes Dockerfiles beside the spec: export a copy
  cp -r "$dir" "$work/copy-$name"
  "$bin" export -C "$work/copy-$name" --backend kubeflow --storage fetch --code image --mode force \
    "${args[@]}" 2>/dev/null
  mv "$work/copy-$name/kubeflow.yaml" "$work/$name-fetch-image.yaml"
  rm -rf "$work/copy-$name"
  check "$work/$name-fetch-image.yaml" "$repo/tests/expected/$name.json"
  count=$((count + 1))
done
echo "kubeflow: $count exports of the fixtures and the demo pass kfp-check --strict-names --expect and the strict executor parse"

# A stand-in ploomber: records the working folder and its argv (NUL-separated, one
# call per line); fails for the task named in KFP_FAIL_TASK.
mkdir -p "$work/bin"
cat >"$work/bin/ploomber" <<'STUB'
#!/bin/bash
printf '%s\0' "$PWD" "$@" >>"$KFP_CALLS"
printf '\n' >>"$KFP_CALLS"
if [ -n "${KFP_FAIL_TASK:-}" ] && [ "$2" = "$KFP_FAIL_TASK" ]; then
  echo "stand-in ploomber: failing $2 on purpose" >&2
  exit 3
fi
STUB
chmod +x "$work/bin/ploomber"

# run_project NAME PROJECT_DIR PLOOMBER_DAG.json [FAILING_TASK]: export with a target
# whose storage is this local folder and whose image is ignored, then run it locally
run_project() {
  local name=$1 proj=$2 dag=$3 fail=${4:-}
  local args=()
  if [ -f "$repo/tests/expected/$name.args" ]; then read -r -a args < "$repo/tests/expected/$name.args"; fi
  printf 'local:\n  backend: kubeflow\n  env: {kind: image, image: example.com/unused:1}\n  storage: {kind: nfs, mount_path: %s}\n' \
    "$("$py" -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$proj")" >"$proj/soopervisor.yaml"
  "$bin" export local -C "$proj" --mode force "${args[@]}" 2>/dev/null
  check "$proj/local/kubeflow.yaml" "$dag"
  local calls=$work/calls-$name${fail:+-fail}
  rm -f "$calls"
  local status=0
  # from the scratch folder: anything injected would land where it is looked for
  (cd "$work" && KFP_CALLS=$calls KFP_FAIL_TASK=$fail PATH="$work/bin:$PATH" \
    bash "$engines/kfp-check.sh" --run "$proj/local/kubeflow.yaml") >"$work/run.log" 2>&1 || status=$?
  if [ -z "$fail" ] && [ $status -ne 0 ]; then tail -40 "$work/run.log"; echo "kubeflow: local run of $name failed"; exit 1; fi
  if [ -n "$fail" ] && [ $status -eq 0 ]; then echo "kubeflow: local run of $name succeeded although $fail failed"; exit 1; fi
  "$py" "$tools" calls "$calls" "$dag" ${fail:+--failed "$fail"}
}

for name in shell-tasks grid-wildcard demo; do
  src=$repo/tests/fixtures/$name
  [ "$name" = demo ] && src=$repo/docs/examples/demo
  rm -rf "$work/run-$name"
  # only tracked files: a user's outputs in docs/examples/demo stay out
  mkdir -p "$work/run-$name"
  (cd "$repo" && git ls-files -z -- "${src#"$repo"/}") | while IFS= read -r -d '' f; do
    rel=${f#"${src#"$repo"/}"/}
    mkdir -p "$work/run-$name/$(dirname "$rel")"
    cp "$repo/$f" "$work/run-$name/$rel"
  done
  run_project "$name" "$work/run-$name" "$repo/tests/expected/$name.json"
done
# a failing task stops its dependents (shell-tasks: split feeds count and archive)
run_project shell-tasks "$work/run-shell-tasks" "$repo/tests/expected/shell-tasks.json" split

# hostile task names: valid IR, exact names reach ploomber, nothing injected
h=$work/hostile
mkdir -p "$h/scripts"
printf 'name: hostile\ndependencies:\n  - pip\n' >"$h/environment.yml"
cell() { printf '# %%%% tags=["parameters"]\nupstream = %s\nproduct = None\n# %%%%\nprint(1)\n' "$1"; }
cell None >"$h/scripts/a.py"
cell '["load $(touch MARKER) `touch MARKER`; x'"'"'y \"z\""]' >"$h/scripts/b.py"
cell '["b;touch MARKER", "Fit.Model && touch MARKER"]' >"$h/scripts/c.py"
cell '["b;touch MARKER"]' >"$h/scripts/d.py"
cat >"$h/pipeline.yaml" <<'SPEC'
tasks:
  - source: scripts/a.py
    name: "load $(touch MARKER) `touch MARKER`; x'y \"z\""
    product: out/a.ipynb
  - source: scripts/b.py
    name: "b;touch MARKER"
    product: out/b.ipynb
  - source: scripts/d.py
    name: "Fit.Model && touch MARKER"
    product: out/d.ipynb
  - source: scripts/c.py
    name: "yes"
    product: out/c.ipynb
SPEC
cat >"$h.dag.json" <<'DAG'
{"load $(touch MARKER) `touch MARKER`; x'y \"z\"": [],
 "b;touch MARKER": ["load $(touch MARKER) `touch MARKER`; x'y \"z\""],
 "Fit.Model && touch MARKER": ["b;touch MARKER"],
 "yes": ["b;touch MARKER", "Fit.Model && touch MARKER"]}
DAG
run_project hostile "$h" "$h.dag.json"
if find "$work" -name MARKER | grep -q . || [ -e "$repo/MARKER" ]; then
  echo "kubeflow: an injected command ran"; exit 1
fi
echo "kubeflow checks passed"
