#!/usr/bin/env bash
# SLURM production settings (issue 14): time limit kills and cancels downstream,
# retries re-run a failing task, on the real single-node cluster (serialised with
# other users of the one cluster through /tmp/slurm.lock).
set -euo pipefail
flock /tmp/slurm.lock bash tests/slurm-settings-e2e.sh
