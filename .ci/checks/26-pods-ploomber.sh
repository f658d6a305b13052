#!/usr/bin/env bash
# Real Ploomber 0.23.3 runs what pods and jobs get (issue 12, the bugs): regular mode
# on a volume where a task is up to date, pattern and folder entry points
# (tests/pod_commands.rs skips those checks without the venv, which this prepares).
set -euo pipefail
if [[ ! -d ../shared/engines ]]; then echo "skipping: ../shared not found"; exit 0; fi
sample=$(mktemp -d)
trap 'rm -rf "$sample"' EXIT
bash ../shared/engines/ploomber-sample.sh "$sample" >/dev/null
PLOOMBER_VENV=${PLOOMBER_VENV:-${SOOP_ENGINES_HOME:-${TMPDIR:-/tmp}/soop-engines}/venvs/ploomber-0.23.3} \
  cargo test -q -p soopervisor-cli --test pod_commands
