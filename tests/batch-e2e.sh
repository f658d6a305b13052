#!/usr/bin/env bash
# tests/batch-e2e.sh -- the real `soopervisor` CLI and its aws-batch backend against an
# emulated AWS Batch that really runs the jobs (moto's Batch server with its own job
# runner: states, dependsOn waits, FAILED parent => FAILED child; each container is a
# local process running the job's command with the server's environment).
#
# Run with the shared engines folder at ../shared (beside the repository); without it,
# prints "skipping: ../shared not found" and exits 0. Usage:
#   bash tests/batch-e2e.sh [SOOPERVISOR_BINARY]      (default target/release/soopervisor)
#
#   1. writes a Ploomber project of shell tasks into a temp folder:
#        load -> {clean a's "1", clean-b} -> fit -> report, plus
#        x$(touch MARKER)y'"; echo pwned (a hostile name, set with `name:`);
#   2. starts the emulator (batch-local-up.sh, from another folder, with a stand-in
#      `ploomber` first on its PATH and tests/batch-local/sitecustomize.py, which lets
#      moto's runner start jobs with an EFS volume; batch-local-down.sh runs on exit) and adds the
#      target `batch`: storage nfs with mount_path = the project folder (the EFS mount
#      as the job sees it), env image, queue local-queue;
#   3. run 1: `export batch --submit`, `status batch --watch`; every task ran exactly
#      once, after its upstream tasks ended, in the project folder, with its exact name
#      as one argument; no MARKER; status shows each task SUCCEEDED;
#   4. run 2 (--mode force): clean-b fails; status --watch exits 1; fit and report end
#      FAILED and never ran; the others SUCCEEDED;
#   5. run 3: load sleeps; `cancel batch` terminates every job not ended; nothing
#      downstream of load runs; every job ends FAILED; cancel again terminates nothing;
#   6. run 4: a task with 50 upstream tasks (three barrier jobs) runs after all 50.
#
# The stand-in records "<task> <start-ns> <end-ns> <force?> <cwd>" per call, so a task
# run by anything else, twice, or under another name shows up.
# Ends with "N passed, M failed" and "BATCH E2E PASSED" (exit 0) or "BATCH E2E FAILED".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/e2e-lib.sh"
e2e_start "BATCH E2E"
SOOP=$(cd "$(dirname "${1:-target/release/soopervisor}")" && pwd)/$(basename "${1:-target/release/soopervisor}")
[[ -x $SOOP ]] || { echo "no soopervisor binary at $SOOP (cargo build --release -p soopervisor-cli)" >&2; exit 1; }

batch_down() { bash "$ENGINES/batch-local-down.sh" >/dev/null 2>&1; }
e2e_workdir batch-e2e batch_down

# ---- the project (tests/e2e-lib.sh) ----------------------------------------------------
PROJ=$W/proj
mkdir -p "$W/bin" "$W/server-cwd"
e2e_fan_project "$PROJ"

: > "$W/run.log"; : > "$W/fail-task"; : > "$W/slow-task"
cat > "$W/bin/ploomber" <<EOS
#!/bin/bash
# stand-in for: ploomber task NAME --entry-point SPEC [--force]
[[ \$# -ge 4 && \$1 == task && \$3 == --entry-point && -f \$4 ]] || { echo "bad call: \$* in \$PWD" >&2; exit 4; }
force=no; [[ \${5:-} == --force ]] && force=yes
start=\$(date +%s%N)
if grep -Fxq -- "\$2" '$W/slow-task'; then sleep 60; else sleep 1; fi
end=\$(date +%s%N)
printf '%s\t%s\t%s\t%s\t%s\n' "\$2" "\$start" "\$end" "\$force" "\$PWD" >> '$W/run.log'
if grep -Fxq -- "\$2" '$W/fail-task'; then echo "failing on purpose" >&2; exit 3; fi
EOS
chmod 755 "$W/bin/ploomber"

# ---- the emulator, started elsewhere with the stand-in first on its PATH -----------------
bash "$ENGINES/batch-local-down.sh" >/dev/null 2>&1 || true
# PYTHONPATH: tests/batch-local/sitecustomize.py lets moto's runner start jobs whose
# definition has an EFS volume (it models only host volumes; see that file)
up() { (cd "$W/server-cwd" && PATH="$W/bin:$PATH" PYTHONPATH="$REPO/tests/batch-local" bash "$ENGINES/batch-local-up.sh"); }
if ! ENV_OUT=$(up); then
  # batch-local-up.sh waits 30 s for the server; on a loaded machine moto's imports
  # take longer and the server comes up after the script gave up on it: adopt it
  LOCAL_DIR=${BATCH_LOCAL_DIR:-${SOOP_ENGINES_HOME:-${TMPDIR:-/tmp}/soop-engines}/batch-local}
  for _ in $(seq 60); do grep -q "server ready" "$LOCAL_DIR/server.log" 2>/dev/null && break; sleep 1; done
  PID=$(pgrep -f "moto_batch_local.py --port ${BATCH_LOCAL_PORT:-5000}" | head -1 || true)
  [[ -n $PID ]] || { echo "the emulator did not start" >&2; exit 1; }
  echo "$PID" > "$LOCAL_DIR/server.pid"
  ENV_OUT=$(up)
fi
eval "$ENV_OUT"
unset AWS_PROFILE
export AWS_REGION=$AWS_DEFAULT_REGION

cat > "$PROJ/soopervisor.yaml" <<EOF
batch:
  backend: aws-batch
  job_queue: local-queue
  storage: {kind: nfs, mount_path: '$PROJ', file_system_id: fs-0123456789abcdef0}
  env: {kind: image, image: example.com/soop/env:1}
EOF
soop() { (cd "$PROJ" && "$SOOP" "$@"); }
STATE=$PROJ/batch/.soopervisor-aws-batch-jobs.tsv
runs_of() { awk -F'\t' -v t="$1" '$1 == t' "$W/run.log" | wc -l; }
col() { awk -F'\t' -v t="$1" -v c="$2" '$1 == t { print $c }' "$W/run.log"; }
id_of() { awk -F'\t' -v t="$1" '$1 == "task" && $2 == t { print $4 }' "$STATE"; }
# the STATE column of `status` for TASK (located by its unique job id)
status_of() { awk -v j="$(id_of "$1")" 'index($0, "  " j "  ") { sub(".*  " j "  +", ""); print }' <<<"$STATUS"; }

# ---- run 1 ---------------------------------------------------------------------------------
echo "== run 1: soopervisor export batch --submit; status batch --watch"
soop export batch --submit
check "run 1: batch.json passes batch-check --check-refs" bash "$ENGINES/batch-check.sh" --check-refs "$PROJ/batch/batch.json"
check "run 1: one recorded job per task" test "$(grep -c '^task' "$STATE")" = "${#TASKS[@]}"
set +e; timeout 300 "$SOOP" status batch -C "$PROJ" --watch --interval 1 > "$W/watch1.out"; RC=$?; set -e
cat "$W/watch1.out"
check "run 1: status --watch ends with exit 0" test "$RC" = 0
for t in "${TASKS[@]}"; do
  check "run 1: task [$t] ran exactly once, by its exact name" test "$(runs_of "$t")" = 1
done
check "run 1: nothing else ran" test "$(wc -l < "$W/run.log")" = "${#TASKS[@]}"
check "run 1: every task ran in the project folder (the EFS mount path)" test "$(cut -f5 "$W/run.log" | sort -u)" = "$PROJ"
check "run 1: incremental mode ran without --force" test "$(cut -f4 "$W/run.log" | sort -u)" = no
for t in "${TASKS[@]}"; do
  [[ -n ${UP[$t]} ]] || continue
  IFS=$'\t' read -r -a ups <<<"${UP[$t]}"
  for u in "${ups[@]}"; do
    s=$(col "$t" 2); e=$(col "$u" 3)
    if [[ -n $s && -n $e ]] && (( s >= e )); then ok "run 1: [$t] started after [$u] ended"
    else bad "run 1: [$t] did not start after [$u] ended"; fi
  done
done
check "run 1: no MARKER file anywhere (no injection)" test -z "$(find "$W" -name MARKER)"
STATUS=$(soop status batch); echo "$STATUS"
for t in "${TASKS[@]}"; do
  check "run 1: status shows [$t] SUCCEEDED" test "$(status_of "$t")" = SUCCEEDED
done

# ---- run 2: clean-b fails -------------------------------------------------------------------
echo "== run 2: clean-b fails; soopervisor export batch --mode force --submit"
: > "$W/run.log"; echo clean-b > "$W/fail-task"
soop export batch --mode force --submit
set +e; timeout 300 "$SOOP" status batch -C "$PROJ" --watch --interval 1 > "$W/watch2.out" 2>&1; RC=$?; set -e
cat "$W/watch2.out"
check "run 2: status --watch exits 1 when a job failed" test "$RC" = 1
check "run 2: force mode ran with --force" test "$(cut -f4 "$W/run.log" | sort -u)" = yes
STATUS=$(soop status batch); echo "$STATUS"
declare -A WANT2=([load]=SUCCEEDED ["$CLEAN_A"]=SUCCEEDED [clean-b]=FAILED [fit]=FAILED [report]=FAILED ["$NASTY"]=SUCCEEDED)
for t in "${TASKS[@]}"; do
  check "run 2: [$t] ${WANT2[$t]}" bash -c '[[ $1 == "$2"* ]]' _ "$(status_of "$t")" "${WANT2[$t]}"
done
for t in load "$CLEAN_A" clean-b "$NASTY"; do
  check "run 2: [$t] ran exactly once" test "$(runs_of "$t")" = 1
done
for t in fit report; do
  check "run 2: [$t] never ran" test "$(runs_of "$t")" = 0
done

# ---- run 3: cancel ------------------------------------------------------------------------
echo "== run 3: the tasks without upstream are slow; soopervisor cancel batch"
: > "$W/run.log"; : > "$W/fail-task"; printf '%s\n' load "$NASTY" > "$W/slow-task"
soop export batch --mode force --submit
sleep 3
soop cancel batch | tee "$W/cancel.out"
check "run 3: cancel terminated every job (none had ended)" grep -q "^terminated ${#TASKS[@]} job(s)" "$W/cancel.out"
set +e; timeout 120 "$SOOP" status batch -C "$PROJ" --watch --interval 1 > "$W/watch3.out" 2>&1; RC=$?; set -e
cat "$W/watch3.out"
check "run 3: status --watch ends (exit 1: jobs failed)" test "$RC" = 1
STATUS=$(soop status batch); echo "$STATUS"
for t in "${TASKS[@]}"; do
  check "run 3: [$t] FAILED (terminated or dependency failed)" bash -c '[[ $1 == FAILED* ]]' _ "$(status_of "$t")"
done
for t in "$CLEAN_A" clean-b fit report; do
  check "run 3: [$t] never ran" test "$(runs_of "$t")" = 0
done
soop cancel batch > "$W/cancel2.out"
check "run 3: a second cancel terminates nothing" grep -q "^terminated 0 job(s)" "$W/cancel2.out"
check "no MARKER file anywhere (no injection)" test -z "$(find "$W" -name MARKER)"

# ---- run 4: a task with 50 upstream tasks (barrier jobs) on the emulator -------------
echo "== run 4: join reads 50 parts (more than 20 dependsOn: barrier jobs)"
FAN=$W/fan-in
mkdir -p "$FAN/scripts"
{
  echo "tasks:"
  for i in $(seq -w 1 50); do
    printf '  - source: scripts/part.sh\n    name: part-%s\n    product: out/part-%s.txt\n' "$i" "$i"
  done
  printf '  - source: scripts/join.sh\n    name: join\n    product: out/join.txt\n'
} > "$FAN/pipeline.yaml"
echo 'echo part > {{product}}' > "$FAN/scripts/part.sh"
{ printf 'cat'; for i in $(seq -w 1 50); do printf ' {{upstream["part-%s"]}}' "$i"; done; echo ' > {{product}}'; } > "$FAN/scripts/join.sh"
cat > "$FAN/soopervisor.yaml" <<EOF
fan:
  backend: aws-batch
  job_queue: local-queue
  storage: {kind: nfs, mount_path: '$FAN', file_system_id: fs-0123456789abcdef0}
  env: {kind: image, image: example.com/soop/env:1}
EOF
: > "$W/run.log"; : > "$W/slow-task"
(cd "$FAN" && "$SOOP" export fan --submit > /dev/null)
check "run 4: three barrier jobs were submitted" test "$(grep -c '^barrier' "$FAN/fan/.soopervisor-aws-batch-jobs.tsv")" = 3
set +e; timeout 600 "$SOOP" status fan -C "$FAN" --watch --interval 2 > "$W/watch4.out" 2>&1; RC=$?; set -e
tail -3 "$W/watch4.out"
check "run 4: every job succeeded" test "$RC" = 0
check "run 4: each of the 51 tasks ran exactly once" test "$(cut -f1 "$W/run.log" | sort | uniq -c | awk '$1 == 1' | wc -l)" = 51
JOIN_START=$(col join 2)
LAST_PART_END=$(awk -F'\t' '$1 ~ /^part-/ { print $3 }' "$W/run.log" | sort -n | tail -1)
check "run 4: join started after all 50 parts ended" test -n "$JOIN_START" -a -n "$LAST_PART_END" -a "${JOIN_START:-0}" -ge "${LAST_PART_END:-1}"

e2e_finish
