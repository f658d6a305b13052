#!/usr/bin/env bash
# tests/slurm-e2e.sh -- the SLURM backend on a real single-node SLURM cluster.
#
# Run from the repository root, as root (slurm-up.sh installs and starts SLURM), with
# the shared engines folder at ../shared. Prints "skipping: ..." and exits 0 without it.
#
#   1. starts SLURM (../shared/engines/slurm-up.sh; slurm-down.sh runs on exit);
#   2. builds the driver: for now the example `slurm_e2e` of backends/slurm, which
#      builds a fixed plan by hand (load -> {clean a/1, clean-b} -> fit -> report, plus
#      the unrelated tasks side and an injection attempt) and calls the backend's
#      export/submit/status (switch to `soopervisor export TARGET --backend slurm` once
#      the CLI exists);
#   3. run 1: export, `bash hpc/submit.sh`, wait; every task ran exactly once, after
#      all its upstream tasks ended, in the project root, with its own log file;
#   4. run 2: clean-b fails; export --submit (the Rust submission), wait; fit and report
#      end CANCELLED (not PENDING), the unrelated tasks COMPLETED.
# A stand-in `ploomber` on PATH records "<task> <start-ns> <end-ns>" per run.
# Ends with "SLURM E2E PASSED" (exit 0) or "SLURM E2E FAILED" (exit 1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ ! -d ../shared/engines ]]; then echo "skipping: ../shared not found"; exit 0; fi
ENGINES=$(cd ../shared/engines && pwd)
REPO=$PWD

W=$(mktemp -d "${TMPDIR:-/tmp}/slurm-e2e.XXXXXX")
chmod 755 "$W"
FINISHED=0
cleanup() {
  local rc=$?
  if [[ -s $W/all-ids ]]; then scancel $(cat "$W/all-ids") 2>/dev/null || true; fi
  bash "$ENGINES/slurm-down.sh" || true
  if [[ $FINISHED == 1 && ${FAILS:-1} == 0 ]]; then rm -rf "$W"; else echo "work folder kept: $W"; fi
  if [[ $FINISHED != 1 ]]; then echo "SLURM E2E FAILED (aborted, exit status $rc)"; exit 1; fi
}
trap cleanup EXIT

PASSES=0 FAILS=0
ok() { echo "ok:   $*"; PASSES=$((PASSES + 1)); }
bad() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

bash "$ENGINES/slurm-up.sh"

echo "== building the driver (release)"
T=$(date +%s)
cargo build --release -q -p soopervisor-slurm --example slurm_e2e
DRIVER=$REPO/target/release/examples/slurm_e2e
echo "built in $(( $(date +%s) - T )) s"

# ---- fixture -----------------------------------------------------------------
NASTY='x$(touch MARKER)y'\''"; echo pwned'
TASKS=(load 'clean a/1' clean-b fit report side "$NASTY")
declare -A UP=(
  [load]='' ['clean a/1']=load [clean-b]=load [fit]=$'clean a/1\tclean-b' [report]=fit
  [side]='' ["$NASTY"]=''
)
PROJ=$W/proj
mkdir -p "$PROJ" "$W/bin"
echo "tasks: {}" > "$PROJ/pipeline.yaml"
touch "$W/run.log" "$W/fail-task"
chmod 666 "$W/run.log" "$W/fail-task"
cat > "$W/bin/ploomber" <<EOS
#!/bin/bash
# stand-in for: ploomber task NAME --entry-point SPEC
[[ \$1 == task && \$3 == --entry-point && -f \$4 ]] || { echo "bad call or cwd: \$* in \$PWD" >&2; exit 4; }
start=\$(date +%s%N)
sleep 1
end=\$(date +%s%N)
printf '%s\t%s\t%s\n' "\$2" "\$start" "\$end" >> '$W/run.log'
[[ "\$2" != "\$(cat '$W/fail-task')" ]] || { echo "failing on purpose" >&2; exit 3; }
EOS
chmod 755 "$W/bin/ploomber"
export PATH="$W/bin:$PATH"   # jobs inherit the submitter's environment

STATE=$PROJ/hpc/.soopervisor-slurm-jobs.tsv
ids() { cut -f2 "$STATE" | tr '\n' ' '; }
id_of() { awk -F'\t' -v t="$1" '$1 == t { print $2 }' "$STATE"; }
state_of() { awk -v j="$(id_of "$1")" '$1 == j { print $3 }' <<<"$WAIT_OUT"; }
runs_of() { awk -F'\t' -v t="$1" '$1 == t' "$W/run.log" | wc -l; }
col() { awk -F'\t' -v t="$1" -v c="$2" '$1 == t { print $c }' "$W/run.log"; }

# ---- run 1: everything succeeds, submitted with submit.sh --------------------
echo "== run 1: bash hpc/submit.sh"
"$DRIVER" export "$PROJ"
T0=$(date +%s%N)
(cd "$W" && bash "$PROJ/hpc/submit.sh")
ids >> "$W/all-ids"
set +e
WAIT_OUT=$(bash "$ENGINES/slurm-wait.sh" --timeout 180 $(ids)); WAIT_RC=$?
set -e
T1=$(date +%s%N)
echo "$WAIT_OUT"
check "run 1: every job COMPLETED (slurm-wait rc=$WAIT_RC)" test "$WAIT_RC" = 0
for t in "${TASKS[@]}"; do
  check "run 1: task [$t] ran exactly once" test "$(runs_of "$t")" = 1
done
MAXGAP=0
for t in "${TASKS[@]}"; do
  [[ -n ${UP[$t]} ]] || continue
  IFS=$'\t' read -r -a ups <<<"${UP[$t]}"
  for u in "${ups[@]}"; do
    s=$(col "$t" 2); e=$(col "$u" 3)
    if [[ -n $s && -n $e ]] && (( s >= e )); then
      gap=$(( (s - e) / 1000000 )); (( gap > MAXGAP )) && MAXGAP=$gap
      ok "run 1: [$t] started $gap ms after [$u] ended"
    else bad "run 1: [$t] did not start after [$u] ended"; fi
  done
done
check "run 1: no MARKER file anywhere (no injection)" test -z "$(find "$W" -name MARKER)"
check "run 1: one log file per job in hpc/logs" test "$(ls "$PROJ/hpc/logs" | wc -l)" = "${#TASKS[@]}"
check "run 1: nothing new in the project root" test "$(ls -A "$PROJ" | tr '\n' ' ')" = "hpc pipeline.yaml "
STATUS=$("$DRIVER" status "$PROJ"); echo "$STATUS"
check "run 1: status shows ${#TASKS[@]} COMPLETED" test "$(grep -c ' COMPLETED$' <<<"$STATUS")" = "${#TASKS[@]}"
RUN1_S=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')

# ---- run 2: clean-b fails, submitted from Rust (export --submit) ----------------
echo "== run 2: clean-b fails; export --submit"
: > "$W/run.log"
echo clean-b > "$W/fail-task"
T0=$(date +%s%N)
"$DRIVER" export "$PROJ" --submit
ids >> "$W/all-ids"
set +e
WAIT_OUT=$(bash "$ENGINES/slurm-wait.sh" --timeout 180 $(ids)); WAIT_RC=$?
set -e
T1=$(date +%s%N)
echo "$WAIT_OUT"
check "run 2: slurm-wait settles with a failure (rc=$WAIT_RC)" test "$WAIT_RC" = 1
for t in load 'clean a/1' side "$NASTY"; do
  check "run 2: [$t] COMPLETED" test "$(state_of "$t")" = COMPLETED
done
check "run 2: [clean-b] FAILED" test "$(state_of clean-b)" = FAILED
for t in fit report; do
  check "run 2: [$t] CANCELLED (not PENDING)" test "$(state_of "$t")" = CANCELLED
  check "run 2: [$t] never ran" test "$(runs_of "$t")" = 0
done
STATUS=$("$DRIVER" status "$PROJ"); echo "$STATUS"
check "run 2: status shows 2 CANCELLED" test "$(grep -c ' CANCELLED$' <<<"$STATUS")" = 2
RUN2_S=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')

FINISHED=1
echo "== summary: $PASSES passed, $FAILS failed; run 1 ${RUN1_S} s (max dependency gap ${MAXGAP} ms), run 2 ${RUN2_S} s"
if [[ $FAILS == 0 ]]; then echo "SLURM E2E PASSED"; else echo "SLURM E2E FAILED"; exit 1; fi
