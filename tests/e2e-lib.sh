# tests/e2e-lib.sh -- sourced by the end-to-end scripts (tests/*-e2e.sh): the common
# prologue, pass/fail bookkeeping, cleanup on exit, the SLURM teardown, and the shell
# task project several of them run. Not a script of its own.
#
#   set -euo pipefail
#   source "$(dirname "${BASH_SOURCE[0]}")/e2e-lib.sh"
#   e2e_start "SLURM E2E"               # cd to the repository; skip without ../shared
#   e2e_workdir slurm-e2e e2e_slurm_down  # $W, and what runs first on exit
#   check "what" test ...               # ok/bad/check count passes and failures
#   e2e_finish                          # "N passed, M failed", LABEL PASSED or FAILED
#
# On exit the teardown function runs, then the work folder is removed when everything
# passed (kept and named otherwise); a script that ends before e2e_finish prints
# "... (aborted, exit status N)" and "LABEL FAILED" and exits 1.

# e2e_start LABEL: cd to the repository root; without ../shared/engines beside it,
# print "skipping: ../shared not found" and exit 0. Sets ENGINES, REPO and E2E_LABEL.
e2e_start() {
  E2E_LABEL=$1
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  if [[ ! -d ../shared/engines ]]; then echo "skipping: ../shared not found"; exit 0; fi
  ENGINES=$(cd ../shared/engines && pwd)
  REPO=$PWD
}

# e2e_binary: SOOP, the soopervisor binary under test: $SOOPERVISOR_BIN when it names
# one (CI passes the binary its tests built), else a release build made here.
e2e_binary() {
  if [[ -n ${SOOPERVISOR_BIN:-} ]]; then
    [[ -x $SOOPERVISOR_BIN ]] || { echo "SOOPERVISOR_BIN=$SOOPERVISOR_BIN is not an executable" >&2; exit 1; }
    SOOP=$(cd "$(dirname "$SOOPERVISOR_BIN")" && pwd)/$(basename "$SOOPERVISOR_BIN")
  else
    echo "== building the CLI (release)"
    cargo build --release -q -p soopervisor-cli
    SOOP=$REPO/target/release/soopervisor
  fi
}

# e2e_workdir NAME [TEARDOWN]: a fresh work folder $W (mode 755, so jobs running as
# another user can read it), the counters, and the exit trap running TEARDOWN first.
e2e_workdir() {
  W=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  chmod 755 "$W"
  E2E_TEARDOWN=${2:-true}
  FINISHED=0 PASSES=0 FAILS=0
  trap e2e_cleanup EXIT
}

e2e_cleanup() {
  local rc=$?
  "$E2E_TEARDOWN" || true
  if [[ $FINISHED == 1 && $FAILS == 0 ]]; then rm -rf "$W"; else echo "work folder kept: $W"; fi
  if [[ $FINISHED != 1 ]]; then
    echo "$PASSES passed, $((FAILS + 1)) failed (aborted, exit status $rc)"
    echo "$E2E_LABEL FAILED"
    exit 1
  fi
}

# The SLURM teardown: cancels every job id listed in $W/all-ids, stops the cluster.
e2e_slurm_down() {
  if [[ -s $W/all-ids ]]; then scancel $(cat "$W/all-ids") 2>/dev/null || true; fi
  bash "$ENGINES/slurm-down.sh" || true
}

ok() { echo "ok:   $*"; PASSES=$((PASSES + 1)); }
bad() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

# e2e_finish: the counts, then "LABEL PASSED" (status 0) or "LABEL FAILED" (exit 1).
e2e_finish() {
  FINISHED=1
  echo "$PASSES passed, $FAILS failed"
  if [[ $FAILS == 0 ]]; then echo "$E2E_LABEL PASSED"; else echo "$E2E_LABEL FAILED"; exit 1; fi
}

# e2e_shell_project DIR < TABLE: writes a Ploomber project of shell tasks into DIR, one
# task per line of TABLE, in order: `STEM|NAME|BODY` gives the task with source
# scripts/STEM.sh (holding BODY), product out/STEM.txt and, when NAME is not empty,
# `name: NAME` (written into the YAML as is: quote it there if it needs quotes).
e2e_shell_project() {
  local dir=$1 stem name body
  mkdir -p "$dir/scripts"
  echo 'tasks:' > "$dir/pipeline.yaml"
  while IFS='|' read -r stem name body; do
    {
      echo "  - source: scripts/$stem.sh"
      if [[ -n $name ]]; then echo "    name: $name"; fi
      echo "    product: out/$stem.txt"
    } >> "$dir/pipeline.yaml"
    printf '%s\n' "$body" > "$dir/scripts/$stem.sh"
  done
}

# e2e_fan_project DIR [side]: writes a Ploomber project of shell tasks into DIR:
#   load -> {clean a's "1", clean-b} -> fit -> report, plus x$(touch MARKER)y'"; echo pwned
# (a hostile name; names with quotes are YAML double-quoted scalars set with `name:`,
# upstream references are Jinja string literals in the scripts, where Ploomber finds
# them) and, with `side`, the unrelated task side. Sets CLEAN_A and NASTY (the two
# quoted names), TASKS (every task, in file order) and UP (task -> its upstream tasks,
# tab-separated).
e2e_fan_project() {
  local dir=$1 with_side=${2:-} side=''
  CLEAN_A="clean a's \"1\""
  NASTY='x$(touch MARKER)y'\''"; echo pwned'
  TASKS=(load "$CLEAN_A" clean-b fit report)
  declare -gA UP=([load]='' ["$CLEAN_A"]=load [clean-b]=load [fit]="$CLEAN_A"$'\t'clean-b [report]=fit)
  if [[ $with_side == side ]]; then
    TASKS+=(side)
    UP[side]=''
    side='side||echo side > {{product}}'
  fi
  TASKS+=("$NASTY")
  UP["$NASTY"]=''
  # an unquoted here-document (for $side): \\ and \$ in it stand for \ and $
  grep -v '^$' <<EOF_TABLE | e2e_shell_project "$dir"
load||mkdir -p out; echo load > {{product}}
clean_a|"clean a's \\"1\\""|cat {{upstream["load"]}} > {{product}}
clean_b|clean-b|cat {{upstream["load"]}} > {{product}}
fit||cat {{upstream["clean a's \\"1\\""]}} {{upstream["clean-b"]}} > {{product}}
report||cat {{upstream["fit"]}} > {{product}}
$side
nasty|"x\$(touch MARKER)y'\\"; echo pwned"|echo nasty > {{product}}
EOF_TABLE
}
