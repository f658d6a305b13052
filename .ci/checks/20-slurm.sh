#!/usr/bin/env bash
# SLURM: the real single-node cluster.
set -euo pipefail
bash tests/slurm-e2e.sh
