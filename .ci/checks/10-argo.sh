#!/usr/bin/env bash
# Argo: export every fixture and validate it offline, then the backend's test plans.
set -euo pipefail
outdir=target/ci-exports
rm -rf "$outdir"
bash tests/export-fixtures.sh "$outdir" "${SOOPERVISOR_BIN:-target/release/soopervisor}"
bash tests/argo-validate.sh "$outdir"/*.yaml "$outdir"/*.json
echo "== argo: validate the backend's test plans (every strategy combination, nesting)"
bash tests/argo-validate.sh
