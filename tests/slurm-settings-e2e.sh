#!/usr/bin/env bash
# tests/slurm-settings-e2e.sh -- production settings (issue 14) on the real single-node
# SLURM cluster, through the real CLI:
#
#   slow -> after_slow      slow has `timeout: 1m` and sleeps far longer: SLURM kills it
#                           (TIMEOUT) and after_slow is CANCELLED without running;
#   flaky -> after_flaky    flaky has `retries: 2, retry_backoff: 3s` and fails its first
#                           run: the job script runs it again after 3 s, the job ends
#                           COMPLETED and after_flaky runs once.
#
# plus `cpu`, `partition` and `env` from `defaults`, checked in `scontrol show job` and
# in what the task saw. `ploomber` is a stand-in on PATH (jobs inherit the submitter's
# environment), as in tests/slurm-e2e.sh. Run from anywhere as root with ../shared
# beside the repository (else "skipping"); the cluster is started and stopped here, so
# run it alone: `flock /tmp/slurm.lock bash tests/slurm-settings-e2e.sh`. Ends with
# "SLURM SETTINGS E2E PASSED" (exit 0) or "... FAILED" (exit 1).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/e2e-lib.sh"
e2e_start "SLURM SETTINGS E2E"
e2e_workdir slurm-settings e2e_slurm_down

bash "$ENGINES/slurm-up.sh"
e2e_binary

PROJ=$W/proj
mkdir -p "$W/bin"
e2e_shell_project "$PROJ" <<'EOF'
slow||mkdir -p out; echo slow > {{product}}
after_slow||cat {{upstream["slow"]}} > {{product}}
flaky||mkdir -p out; echo flaky > {{product}}
after_flaky||cat {{upstream["flaky"]}} > {{product}}
EOF
cat > "$PROJ/soopervisor.yaml" <<'EOF'
hpc:
  backend: slurm
  defaults:
    cpu: 1
    partition: debug
    env: {STAGE: "e2e, with spaces"}
  tasks:
    slow: {timeout: 1m}
    flaky: {retries: 2, retry_backoff: 3s}
EOF

touch "$W/run.log"; chmod 666 "$W/run.log"
cat > "$W/bin/ploomber" <<EOS
#!/bin/bash
# stand-in for: ploomber task NAME --entry-point SPEC; records "task<TAB>epoch<TAB>STAGE"
printf '%s\t%s\t%s\n' "\$2" "\$(date +%s)" "\${STAGE:-}" >> '$W/run.log'
case \$2 in
  slow) sleep 600 ;;
  flaky) [[ \$(grep -c '^flaky	' '$W/run.log') -ge 2 ]] || { echo "failing once on purpose" >&2; exit 3; } ;;
esac
EOS
chmod 755 "$W/bin/ploomber"
export PATH="$W/bin:$PATH"
unset SBATCH_EXPORT

# force mode: the job command is plain `ploomber task NAME ... --force`, which the
# stand-in replaces (regular mode runs Ploomber's own loader through python -c)
(cd "$PROJ" && "$SOOP" export hpc --mode force --submit)
STATE=$PROJ/hpc/.soopervisor-slurm-jobs.tsv
cut -f2 "$STATE" >> "$W/all-ids"
id_of() { awk -F'\t' -v t="$1" '$1 == t { print $2 }' "$STATE"; }
show() { scontrol show job -o "$(id_of "$1")"; }
check "slow has a 1 minute time limit" grep -q 'TimeLimit=00:01:00' <<<"$(show slow)"
check "jobs run on partition debug with 1 CPU" \
  grep -q 'Partition=debug .*NumCPUs=1' <<<"$(show flaky)"
set +e
WAIT_OUT=$(bash "$ENGINES/slurm-wait.sh" --timeout 400 $(cut -f2 "$STATE")); WAIT_RC=$?
set -e
echo "$WAIT_OUT"
state_of() { awk -v j="$(id_of "$1")" '$1 == j { print $3 }' <<<"$WAIT_OUT"; }
runs_of() { awk -F'\t' -v t="$1" '$1 == t' "$W/run.log" | wc -l; }
check "slow exceeded --time and was killed (TIMEOUT)" test "$(state_of slow)" = TIMEOUT
check "after_slow was cancelled (state $(state_of after_slow))" test "$(state_of after_slow)" = CANCELLED
check "after_slow never ran" test "$(runs_of after_slow)" = 0
check "flaky COMPLETED after a retry" test "$(state_of flaky)" = COMPLETED
check "flaky ran twice" test "$(runs_of flaky)" = 2
FIRST=$(awk -F'\t' '$1 == "flaky" { print $2 }' "$W/run.log" | head -1)
SECOND=$(awk -F'\t' '$1 == "flaky" { print $2 }' "$W/run.log" | tail -1)
check "flaky waited the 3 s backoff ($FIRST -> $SECOND)" test $((SECOND - FIRST)) -ge 3
check "after_flaky COMPLETED and ran once" test "$(state_of after_flaky)/$(runs_of after_flaky)" = COMPLETED/1
check "every task saw its env from defaults" \
  test "$(cut -f3 "$W/run.log" | sort -u)" = "e2e, with spaces"
check "the retry is in the job log" grep -q 'retrying in 3s' "$PROJ"/hpc/logs/flaky-*.out

e2e_finish
