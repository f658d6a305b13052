#!/usr/bin/env bash
# tests/slurm-e2e.sh -- the real `soopervisor` CLI and its SLURM backend on a real
# single-node SLURM cluster.
#
# Run from anywhere, as root (slurm-up.sh installs and starts SLURM with apt-get), with
# the shared engines folder at ../shared (beside the repository). Without it, prints
# "skipping: ../shared not found" and exits 0. Needs cargo; nothing else is installed
# by hand (no Python: `ploomber` is a stand-in, see below).
#
#   1. starts SLURM (../shared/engines/slurm-up.sh; slurm-down.sh runs on exit) and
#      takes the CLI from $SOOPERVISOR_BIN or builds it (`cargo build --release -p soopervisor-cli`);
#   2. writes a real Ploomber project of shell tasks into a temp folder (checked to load
#      with Ploomber's DAGSpec when `.venv-ploomber` exists):
#        load -> {clean a's "1", clean-b} -> fit -> report, plus side and
#        x$(touch MARKER)y'"; echo pwned (two unrelated tasks; names set with `name:`);
#   3. `soopervisor add hpc --backend slurm`;
#   4. run 1: `soopervisor export hpc` then `bash hpc/submit.sh` (from another folder),
#      wait; every task ran exactly once, after all its upstream tasks ended, in the
#      project root, with its own log file; no MARKER; nothing new in the project root
#      but hpc/; `soopervisor status hpc` shows every job COMPLETED;
#   5. run 2: clean-b fails; `soopervisor export hpc --mode force --submit`, wait;
#      fit and report end CANCELLED (not PENDING) and never ran, clean-b FAILED, the
#      other four COMPLETED; `soopervisor status hpc` shows the same states.
#
# How the jobs find `ploomber`: each job script runs `ploomber task NAME --entry-point
# pipeline.yaml [--force]` by name, so it is looked up on the job's PATH. SLURM's
# default `--export=ALL` gives a job the environment of the `sbatch` call, and both
# submit.sh and `export --submit` call sbatch with the caller's environment, so the
# stand-in's folder is put first on PATH before submitting (SBATCH_EXPORT is unset in
# case the caller narrowed the export). The stand-in records "<task> <start-ns>
# <end-ns> <force?>" per call, so a task run by anything else would show up as missing.
#
# Ends with "N passed, M failed" and "SLURM E2E PASSED" (exit 0) or "SLURM E2E FAILED"
# (exit 1).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/e2e-lib.sh"
e2e_start "SLURM E2E"
e2e_workdir slurm-e2e e2e_slurm_down

command -v cargo >/dev/null || { echo "cargo not found on PATH" >&2; exit 1; }
bash "$ENGINES/slurm-up.sh"

T=$(date +%s)
e2e_binary
echo "binary ready in $(( $(date +%s) - T )) s: $SOOP"

# ---- fixture: a real Ploomber project (tests/e2e-lib.sh), with the unrelated task side --
PROJ=$W/proj
mkdir -p "$W/bin" "$W/elsewhere"
e2e_fan_project "$PROJ" side

PY=$REPO/.venv-ploomber/bin/python
if [[ -x $PY ]]; then
  # Ploomber itself must accept the fixture and see the same DAG.
  DAG=$(cd "$PROJ" && "$PY" -c '
from ploomber.spec import DAGSpec
dag = DAGSpec("pipeline.yaml").to_dag()
dag.render(show_progress=False)
for name in sorted(dag):
    print("\t".join([name] + sorted(dag[name].upstream)))
' 2>/dev/null) || DAG=ERROR
  WANT=$(for t in "${TASKS[@]}"; do printf '%s\t%s\n' "$t" "${UP[$t]}"; done | sed 's/\t$//' | LC_ALL=C sort)
  check "Ploomber's DAGSpec loads the fixture with the expected upstream" \
    test "$(LC_ALL=C sort <<<"$DAG")" = "$WANT"
else
  echo "note: $PY not found; the fixture is not checked against Ploomber"
fi

touch "$W/run.log" "$W/fail-task"
chmod 666 "$W/run.log" "$W/fail-task"
cat > "$W/bin/ploomber" <<EOS
#!/bin/bash
# stand-in for: ploomber task NAME --entry-point SPEC [--force], run in the project root
[[ \$1 == task && \$3 == --entry-point && -f \$4 && \$PWD == '$PROJ' ]] \
  || { echo "bad call or cwd: \$* in \$PWD" >&2; exit 4; }
force=no; [[ \${5:-} == --force ]] && force=yes
start=\$(date +%s%N)
sleep 1
end=\$(date +%s%N)
printf '%s\t%s\t%s\t%s\n' "\$2" "\$start" "\$end" "\$force" >> '$W/run.log'
[[ "\$2" != "\$(cat '$W/fail-task')" ]] || { echo "failing on purpose" >&2; exit 3; }
EOS
chmod 755 "$W/bin/ploomber"
export PATH="$W/bin:$PATH"   # jobs inherit the submitter's environment (--export=ALL)
unset SBATCH_EXPORT

STATE=$PROJ/hpc/.soopervisor-slurm-jobs.tsv
ids() { cut -f2 "$STATE" | tr '\n' ' '; }
id_of() { awk -F'\t' -v t="$1" '$1 == t { print $2 }' "$STATE"; }
state_of() { awk -v j="$(id_of "$1")" '$1 == j { print $3 }' <<<"$WAIT_OUT"; }
runs_of() { awk -F'\t' -v t="$1" '$1 == t' "$W/run.log" | wc -l; }
col() { awk -F'\t' -v t="$1" -v c="$2" '$1 == t { print $c }' "$W/run.log"; }
# status_of TASK: the STATE column of `soopervisor status` for TASK (names hold spaces,
# so the job id, unique and numeric, locates the row).
status_of() { awk -v j="$(id_of "$1")" '$0 ~ "  " j "  " { sub(".*  " j "  +", ""); print }' <<<"$STATUS"; }
soop() { (cd "$PROJ" && "$SOOP" "$@"); }

echo "== soopervisor add hpc --backend slurm"
soop add hpc --backend slurm
cat "$PROJ/soopervisor.yaml"
check "add: soopervisor.yaml has an hpc section for slurm" grep -qx '  backend: slurm' "$PROJ/soopervisor.yaml"
listing() { LC_ALL=C ls -A "$1" | tr '\n' ' '; }
ROOT_AFTER=$(cd "$PROJ" && { LC_ALL=C ls -A; echo hpc; } | LC_ALL=C sort -u | tr '\n' ' ')

# ---- run 1: everything succeeds, submitted with submit.sh --------------------------------
echo "== run 1: soopervisor export hpc; bash hpc/submit.sh"
soop export hpc
check "run 1: one job script per task" test "$(ls "$PROJ/hpc/jobs" | wc -l)" = "${#TASKS[@]}"
T0=$(date +%s%N)
(cd "$W/elsewhere" && bash "$PROJ/hpc/submit.sh")
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
check "run 1: incremental mode ran without --force" test "$(cut -f4 "$W/run.log" | sort -u)" = no
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
check "run 1: nothing new in the project root but hpc/" \
  test "$(listing "$PROJ")" = "$ROOT_AFTER"
check "run 1: nothing written where submit.sh was called" test -z "$(ls -A "$W/elsewhere")"
STATUS=$(soop status hpc); echo "$STATUS"
for t in "${TASKS[@]}"; do
  check "run 1: status shows [$t] COMPLETED" test "$(status_of "$t")" = COMPLETED
done
RUN1_S=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')

# ---- run 2: clean-b fails, submitted by the CLI (export --mode force --submit) --------
echo "== run 2: clean-b fails; soopervisor export hpc --mode force --submit"
: > "$W/run.log"
echo clean-b > "$W/fail-task"
T0=$(date +%s%N)
soop export hpc --mode force --submit
ids >> "$W/all-ids"
set +e
WAIT_OUT=$(bash "$ENGINES/slurm-wait.sh" --timeout 180 $(ids)); WAIT_RC=$?
set -e
T1=$(date +%s%N)
echo "$WAIT_OUT"
check "run 2: slurm-wait settles with a failure (rc=$WAIT_RC)" test "$WAIT_RC" = 1
check "run 2: force mode ran with --force" test "$(cut -f4 "$W/run.log" | sort -u)" = yes
declare -A WANT2=(
  [load]=COMPLETED ["$CLEAN_A"]=COMPLETED [clean-b]=FAILED [fit]=CANCELLED [report]=CANCELLED
  [side]=COMPLETED ["$NASTY"]=COMPLETED
)
for t in "${TASKS[@]}"; do
  check "run 2: [$t] ${WANT2[$t]}" test "$(state_of "$t")" = "${WANT2[$t]}"
done
for t in load "$CLEAN_A" clean-b side "$NASTY"; do
  check "run 2: [$t] ran exactly once" test "$(runs_of "$t")" = 1
done
for t in fit report; do
  check "run 2: [$t] never ran" test "$(runs_of "$t")" = 0
done
check "run 2: no MARKER file anywhere (no injection)" test -z "$(find "$W" -name MARKER)"
check "run 2: nothing new in the project root but hpc/" \
  test "$(listing "$PROJ")" = "$ROOT_AFTER"
STATUS=$(soop status hpc); echo "$STATUS"
for t in "${TASKS[@]}"; do
  check "run 2: status shows [$t] ${WANT2[$t]}" test "$(status_of "$t")" = "${WANT2[$t]}"
done
RUN2_S=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
set +e
WATCH=$(soop status hpc --watch --interval 1 2>"$W/watch.err"); WATCH_RC=$?
set -e
echo "$WATCH"; cat "$W/watch.err"
check "run 2: status --watch exits 1 when a job failed (rc=$WATCH_RC)" test "$WATCH_RC" = 1
check "run 2: status --watch names clean-b's log" grep -q "^clean-b (job [0-9]*) FAILED: log hpc/logs/" <<<"$WATCH"
check "run 2: status --watch shows the log's last lines" grep -q "^  | " <<<"$WATCH"
check "run 2: the failure is an error with its code" grep -q "^error\[SV0910\]: " "$W/watch.err"

# ---- run 3: an export without a target, then `soopervisor status` finds it ---------
echo "== run 3: soopervisor export --backend slurm --submit; soopervisor status --watch"
: > "$W/fail-task"
soop export --backend slurm --mode force --submit
set +e
WATCH3=$(soop status --watch --interval 1); WATCH3_RC=$?
set -e
echo "$WATCH3"
check "run 3: status without a target watches the export without one (rc=$WATCH3_RC)" test "$WATCH3_RC" = 0
check "run 3: every job COMPLETED" test "$(grep -c COMPLETED <<<"$WATCH3")" -ge "${#TASKS[@]}"

echo "== run 1 ${RUN1_S} s (max dependency gap ${MAXGAP} ms), run 2 ${RUN2_S} s"
e2e_finish
