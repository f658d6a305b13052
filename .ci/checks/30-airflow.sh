#!/usr/bin/env bash
# Airflow: every fixture exported with each preset (kubernetes, bash, docker) and
# loaded by Airflow's DagBag with ../shared/engines/airflow-check.sh --expect (the
# expected graph built from `soopervisor inspect --format json`) on Airflow 3.3.2, and
# on 2.10.5 for one preset per fixture in turn (each with the cncf-kubernetes and
# docker providers; a check costs ~2 s of Airflow start-up); every file is also loaded
# by both versions in one process each, which renders every task's templated fields
# as a worker does; then real runs (`airflow dags test`) of the bash preset:
#   1. shell-tasks with real Ploomber 0.23.3; products compared with `ploomber build`
#      of a copy of the same project;
#   2. the same project with one task broken: it fails, its downstream tasks end
#      upstream_failed and never run;
#   3. hostile task names (quotes, newlines, {{ }}, $(...), run.sh) with a stand-in
#      `ploomber` that records its argv: each task runs exactly its own name.
# Venvs live under $SOOP_ENGINES_HOME/venvs (made on first use; see ../shared/engines).
set -euo pipefail
cd "$(dirname "$0")/../.."
# absolute: the hostile-names run calls the checker from its own work folder
ENGINES=$PWD/../shared/engines
if [[ ! -f $ENGINES/airflow-check.sh ]]; then
  echo "skipping airflow: ../shared/engines not found"
  exit 0
fi
bin=${SOOPERVISOR_BIN:-$PWD/target/release/soopervisor}
SOOP_TAG=30-airflow
source "$ENGINES/engines-lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PLOOMBER_STATS_ENABLED=false PLOOMBER_VERSION_CHECK_DISABLED=true
export AIRFLOW__CORE__LOAD_EXAMPLES=False

# Airflow with the providers the kubernetes and docker presets import
AF3=$SOOP_ENGINES_HOME/venvs/airflow-3.3.2-providers
AF2=$SOOP_ENGINES_HOME/venvs/airflow-2.10.5-providers
# the same stamp as airflow-check.sh's own venv step (so neither reinstalls), then the
# providers, pinned, when missing
soop_venv "$AF3" airflow-3.3.2 "import airflow" apache-airflow==3.3.2
soop_venv "$AF2" airflow-2.10.5 "import airflow" apache-airflow==2.10.5
with_providers() { # VENV CONSTRAINTS|"" PROVIDER==VERSION...
  local venv=$1 constraints=$2; shift 2
  "$venv/bin/python" -c "import airflow.providers.cncf.kubernetes, airflow.providers.docker" 2>/dev/null && return 0
  soop_log "pip install $* into $venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check ${constraints:+-c "$constraints"} "$@" >&2
}
with_providers "$AF3" "$ENGINES/constraints/airflow-3.3.2.txt" \
  apache-airflow-providers-cncf-kubernetes==10.25.0 apache-airflow-providers-docker==4.6.1
with_providers "$AF2" "" \
  apache-airflow==2.10.5 apache-airflow-providers-cncf-kubernetes==10.1.0 apache-airflow-providers-docker==3.14.1
check() { # VERSION VENV [airflow-check.sh args...]
  local version=$1 venv=$2; shift 2
  AIRFLOW_VERSION=$version AIRFLOW_VENV=$venv bash "$ENGINES/airflow-check.sh" "$@"
}

echo "== airflow: export every fixture with each preset, check the graph on Airflow 3.3.2 and 2.10.5"
mkdir -p "$work/dags"
count=0
for dir in tests/fixtures/*/; do
  name=$(basename "$dir")
  [[ -f tests/expected/$name.export-error ]] && continue
  args=()
  if [[ -f tests/expected/$name.args ]]; then read -r -a args < "tests/expected/$name.args"; fi
  "$bin" inspect -C "$dir" --format json "${args[@]}" > "$work/$name.inspect.json" 2>/dev/null
  for preset in kubernetes bash docker; do
    dag=$work/dags/$name-$preset.py
    "$bin" export -C "$dir" --backend airflow --preset "$preset" --mode force --output "$dag" "${args[@]}" 2>/dev/null
    python3 -m py_compile "$dag"
    python3 tests/airflow_dag_check.py expect "$dag" "$work/$name.inspect.json" "$work/$name-$preset.expect.json"
    check 3.3.2 "$AF3" --expect "$work/$name-$preset.expect.json" "$dag" > /dev/null
    if (( count % 4 == 0 )); then
      check 2.10.5 "$AF2" --expect "$work/$name-$preset.expect.json" "$dag" > /dev/null
    fi
    count=$((count + 1))
  done
done
echo "$count DAG files load on Airflow 3.3.2 (and every 4th on 2.10.5) with Ploomber's graph"

echo "== airflow: render every task's templated fields (Airflow 3.3.2 and 2.10.5)"
SOOPERVISOR_AIRFLOW_OUT=$work/hostile SOOPERVISOR_AIRFLOW_PROJECT_DIR=$work/hostile-project \
  cargo test -q -p soopervisor-airflow --test export hostile_dag_for_the_real_run > /dev/null
for venv in "$AF3" "$AF2"; do
  AIRFLOW_HOME=$work/render-home "$venv/bin/python" tests/airflow_dag_check.py render \
    "$work"/dags/*.py "$work/hostile/hostile.py" > "$work/render.log" 2>&1 \
    || { grep -v '^\[\|^20' "$work/render.log" | tail -40; exit 1; }
  rm -rf "$work/render-home"
done
echo "rendered the tasks of $((count + 1)) files"

echo "== airflow: real run of the bash preset with Ploomber 0.23.3 (shell-tasks)"
bash "$ENGINES/ploomber-sample.sh" "$work/sample" > /dev/null   # makes the Ploomber venv
PLOOMBER_BIN=$SOOP_ENGINES_HOME/venvs/ploomber-${PLOOMBER_VERSION:-0.23.3}/bin
git ls-files -z tests/fixtures/shell-tasks | while IFS= read -r -d '' f; do
  for copy in run built broken; do
    mkdir -p "$work/$copy/$(dirname "${f#tests/fixtures/shell-tasks/}")"
    cp "$f" "$work/$copy/${f#tests/fixtures/shell-tasks/}"
  done
done
(cd "$work/built" && "$PLOOMBER_BIN/ploomber" build > "$work/build.log" 2>&1) || { cat "$work/build.log"; exit 1; }
mkdir -p "$work/run-dag" "$work/broken-dag"
"$bin" export -C "$work/run" --backend airflow --preset bash --mode force --output "$work/run-dag/shell_tasks.py" 2>/dev/null
PATH=$PLOOMBER_BIN:$PATH check 3.3.2 "$AF3" --run "$work/run-dag/shell_tasks.py" > "$work/run.txt"
cat "$work/run.txt"
# counts.txt holds the absolute path of its upstream product (wc -l prints it), so each
# copy's own folder is replaced by ROOT before comparing; nothing else may differ
for product in work/access.log work/errors.log work/ok.log work/counts.txt; do
  cmp <(sed "s#$work/run#ROOT#g" "$work/run/$product") <(sed "s#$work/built#ROOT#g" "$work/built/$product") \
    || { echo "product $product differs from ploomber build's"; exit 1; }
done
# a tarball records modification times: compare what it holds
cmp <(tar -xzOf "$work/run/work/logs.tar.gz") <(tar -xzOf "$work/built/work/logs.tar.gz") \
  || { echo "work/logs.tar.gz holds other files than ploomber build's"; exit 1; }
echo "every product equals ploomber build's"

echo "== airflow: a failing task stops its downstream tasks"
# fail before the original body, which stays so the DAG (upstream, products) is the same
{ printf 'echo "split breaks on purpose" >&2\nexit 3\n'; cat "$work/built/scripts/split.sh"; } > "$work/broken/scripts/split.sh"
"$bin" export -C "$work/broken" --backend airflow --preset bash --mode force --output "$work/broken-dag/broken.py" 2>/dev/null
if PATH=$PLOOMBER_BIN:$PATH check 3.3.2 "$AF3" --run "$work/broken-dag/broken.py" > "$work/broken.txt" 2>/dev/null; then
  echo "the run with a failing task passed"; exit 1
fi
cat "$work/broken.txt"
state() { awk -v t="$1" '$2 == t { print $3 }' "$work/broken.txt"; }
[[ $(state download_logs) == success && $(state split) == failed ]] || { echo "unexpected states"; exit 1; }
[[ $(state count) == upstream_failed && $(state archive) == upstream_failed ]] || { echo "downstream tasks are not upstream_failed"; exit 1; }
[[ ! -e $work/broken/work/counts.txt && ! -e $work/broken/work/logs.tar.gz ]] || { echo "a downstream task ran"; exit 1; }
echo "split failed; count and archive ended upstream_failed and never ran"

echo "== airflow: hostile task names run exactly their own Ploomber task"
mkdir -p "$work/hostile-project" "$work/standin/bin" "$work/argv"
cat > "$work/standin/bin/ploomber" <<EOF
#!$(command -v python3)
import json, os, sys, uuid
with open(os.path.join("$work/argv", uuid.uuid4().hex), "w") as f:
    json.dump({"argv": sys.argv[1:], "cwd": os.getcwd()}, f)
EOF
chmod +x "$work/standin/bin/ploomber"
(cd "$work" && PATH=$work/standin/bin:$PATH check 3.3.2 "$AF3" --run "$work/hostile/hostile.py" > "$work/hostile.txt")
python3 - "$work/argv" "$work/hostile/hostile-names.json" "$work/hostile-project" <<'PY'
import json, os, sys
logs, names, project = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
calls = [json.load(open(os.path.join(logs, f))) for f in os.listdir(logs)]
got = sorted(json.dumps(c["argv"]) for c in calls)
want = sorted(json.dumps(["task", n, "--entry-point", "pipeline.yaml", "--force"]) for n in names)
assert got == want, f"ploomber was called with\n{got}\nexpected\n{want}"
assert all(c["cwd"] == project for c in calls), calls
print(f"{len(calls)} tasks ran exactly: " + ", ".join(repr(n) for n in names))
PY
[[ ! -e /tmp/pwned ]] || { echo "a task name was executed by a shell"; exit 1; }
echo "airflow checks passed"
