#!/usr/bin/env bash
# tests/slurm-ploomber-e2e.sh -- real Ploomber 0.23.3 through soopervisor's SLURM
# export on the real single-node cluster, compared with a local `ploomber build`.
#
# Run from anywhere, as root, with the shared engines folder at ../shared (beside the
# repository); without it prints "skipping: ../shared not found" and exits 0. Run it
# under `flock /tmp/slurm.lock` when others share the cluster (.ci/checks does).
#
#   1. makes the pinned Ploomber venv (../shared/engines/ploomber-sample.sh), starts
#      SLURM (slurm-up.sh; slurm-down.sh on exit), takes the CLI from $SOOPERVISOR_BIN or builds it (release);
#   2. writes a project with real code into a temp folder: a function task (load), a
#      percent script run as a notebook (square), a shell script (count) and a
#      function reading a MetaProduct (total); copies it for the local oracle;
#   3. local: `ploomber build` in the copy;
#      SLURM: `soopervisor export --backend slurm`, `bash slurm/submit.sh` with the
#      venv first on PATH (jobs inherit it), wait; every job COMPLETED, and every data
#      product byte-equal to the local one (notebooks exist: they hold timestamps);
#   4. edits the code of `total` in both copies; `soopervisor export --mode
#      incremental --exact` must export exactly the tasks the local `ploomber build`
#      then really runs (the products whose .metadata it rewrites), while the static
#      status (default) sees nothing to do (its documented gap); the exact export is
#      submitted, and the products compared again.
#
# Ends with "N passed, M failed" and "SLURM PLOOMBER E2E PASSED" (exit 0) or FAILED.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/e2e-lib.sh"
e2e_start "SLURM PLOOMBER E2E"
e2e_workdir slurm-ploomber-e2e e2e_slurm_down

echo "== Ploomber 0.23.3 venv"
PLOOMBER_VERSION=0.23.3 bash "$ENGINES/ploomber-sample.sh" "$W/sample" >/dev/null
VENV=${SOOP_ENGINES_HOME:-${TMPDIR:-/tmp}/soop-engines}/venvs/ploomber-0.23.3
"$VENV/bin/python" -c 'import ploomber; assert ploomber.__version__ == "0.23.3"'

bash "$ENGINES/slurm-up.sh"
e2e_binary

# ---- the project: functions, a notebook script, a shell script -------------------------
PROJ=$W/proj
mkdir -p "$PROJ/scripts"
cat > "$PROJ/pipeline.yaml" <<'EOF'
tasks:
  - source: fns.load
    product: out/load.csv
    params:
      rows: 6
  - source: scripts/square.py
    product:
      nb: out/square.ipynb
      data: out/square.csv
  - source: scripts/count.sh
    product: out/count.txt
  - source: fns.total
    product: out/total.txt
EOF
cat > "$PROJ/fns.py" <<'EOF'
from pathlib import Path


def load(product, rows):
    Path(product).parent.mkdir(parents=True, exist_ok=True)
    Path(product).write_text("n\n" + "".join(f"{i}\n" for i in range(1, rows + 1)))


def total(product, upstream):
    values = Path(upstream["square"]["data"]).read_text().split()[1:]
    Path(product).write_text(f"total={sum(int(v) for v in values)}\n")
EOF
cat > "$PROJ/scripts/square.py" <<'EOF'
# %% tags=["parameters"]
upstream = ["load"]
product = None

# %%
from pathlib import Path

values = Path(upstream["load"]).read_text().split()[1:]
Path(product["data"]).write_text("sq\n" + "".join(f"{int(v) ** 2}\n" for v in values))
EOF
cat > "$PROJ/scripts/count.sh" <<'EOF'
tail -n +2 {{upstream["load"]}} | wc -l | tr -d ' ' > {{product}}
EOF
printf 'name: slurm-ploomber\ndependencies:\n  - pip\n  - pip:\n    - ploomber==0.23.3\n' \
  > "$PROJ/environment.yml"
TASKS="count load square total"
DATA="out/load.csv out/square.csv out/count.txt out/total.txt"
cp -r "$PROJ" "$W/local"

echo "== local: ploomber build"
(cd "$W/local" && "$VENV/bin/ploomber" build >"$W/local-build-1.log" 2>&1) \
  || { cat "$W/local-build-1.log"; bad "local ploomber build"; }

export PATH="$VENV/bin:$PATH"   # jobs inherit the submitter's environment
unset SBATCH_EXPORT
STATE=$PROJ/slurm/.soopervisor-slurm-jobs.tsv
submitted() { grep -o '^submit [^ ]*' "$PROJ/slurm/submit.sh" | cut -d' ' -f2 | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'; }
run_on_slurm() {  # $1 = label
  (cd "$W" && bash "$PROJ/slurm/submit.sh")
  cut -f2 "$STATE" >> "$W/all-ids"
  set +e
  WAIT_OUT=$(bash "$ENGINES/slurm-wait.sh" --timeout 600 $(cut -f2 "$STATE")); WAIT_RC=$?
  set -e
  echo "$WAIT_OUT"
  check "$1: every job COMPLETED (slurm-wait rc=$WAIT_RC)" test "$WAIT_RC" = 0
  [[ $WAIT_RC == 0 ]] || cat "$PROJ"/slurm/logs/* || true
}
same_products() {  # $1 = label
  for p in $DATA; do
    check "$1: $p byte-equal to local ploomber build" cmp -s "$PROJ/$p" "$W/local/$p"
  done
  check "$1: notebook product out/square.ipynb exists" test -s "$PROJ/out/square.ipynb"
}

echo "== SLURM run 1: soopervisor export --backend slurm; bash slurm/submit.sh"
(cd "$PROJ" && "$SOOP" export --backend slurm)
check "run 1: every task exported" test "$(submitted)" = "$TASKS"
run_on_slurm "run 1"
same_products "run 1"
check "run 1: total is 91" grep -qx 'total=91' "$PROJ/out/total.txt"

echo "== edit the code of total (both copies)"
for d in "$PROJ" "$W/local"; do
  sed -i 's/f"total={/f"sum of squares={/' "$d/fns.py"
done
set +e
STATIC=$(cd "$PROJ" && "$SOOP" export --backend slurm 2>&1)
set -e
check "static incremental: the code edit is its documented gap (nothing to export)" \
  grep -q "Every task is up to date" <<<"$STATIC"
T0=$(date +%s%N)
(cd "$PROJ" && "$SOOP" export --backend slurm --mode incremental --exact --python "$VENV/bin/python")
T1=$(date +%s%N)
EXACT_S=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')

# The truth: what `ploomber build` really runs now, seen from the metadata it rewrites.
meta_sums() { (cd "$1" && for t in $TASKS; do
  case $t in load) m=out/.load.csv.metadata;; square) m=out/.square.ipynb.metadata;;
    count) m=out/.count.txt.metadata;; total) m=out/.total.txt.metadata;; esac
  printf '%s %s\n' "$t" "$(md5sum < "$m" | cut -c1-32)"; done); }
BEFORE=$(meta_sums "$W/local")
(cd "$W/local" && "$VENV/bin/ploomber" build >"$W/local-build-2.log" 2>&1) \
  || { cat "$W/local-build-2.log"; bad "local ploomber build after the edit"; }
AFTER=$(meta_sums "$W/local")
RAN=$(join <(echo "$BEFORE") <(echo "$AFTER") | awk '$2 != $3 { print $1 }' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
echo "ploomber build ran: [$RAN]; --exact exported: [$(submitted)] in ${EXACT_S} s"
check "ploomber build reruns something after the edit" test -n "$RAN"
check "--exact exports exactly what ploomber build runs" test "$(submitted)" = "$RAN"

echo "== SLURM run 2: the --exact export"
run_on_slurm "run 2"
same_products "run 2"
check "run 2: total uses the edited code" grep -qx 'sum of squares=91' "$PROJ/out/total.txt"

echo "== --exact export took ${EXACT_S} s"
e2e_finish
