#!/usr/bin/env bash
# Real Ploomber 0.23.3 on the real SLURM cluster: products equal a local `ploomber
# build`, and `--mode incremental --exact` exports what `ploomber build` would run
# (tests/slurm-ploomber-e2e.sh). Also runs the Rust tests that need real Ploomber
# (tests/python_loading.rs skips them without the venv, which the e2e creates).
set -euo pipefail
if [[ ! -d ../shared/engines ]]; then echo "skipping: ../shared not found"; exit 0; fi
flock /tmp/slurm.lock bash tests/slurm-ploomber-e2e.sh
SOOPERVISOR_TEST_PLOOMBER_PYTHON=${SOOP_ENGINES_HOME:-${TMPDIR:-/tmp}/soop-engines}/venvs/ploomber-0.23.3/bin/python \
  cargo test -q -p soopervisor-cli --test python_loading
