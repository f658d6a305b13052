#!/usr/bin/env bash
# tests/argo-validate.sh FILE_OR_DIR...
#
# Validates generated Argo specs offline with ../shared/tools/argo_validate.py
# (YAML as go-yaml v2 reads it, Argo's JSON schema, the v4 CRDs with CEL rules, Hera,
# and Argo's validate.go rules), treating warnings as errors. Run from anywhere; paths
# are taken relative to the caller's directory.
#
# Without arguments, exports the Argo backend's test plans (the snapshot cases) to a
# temporary folder with `cargo test` and validates those.
#
# If ../shared (next to the repository) is absent, prints "skipping: ../shared not
# found" and exits 0, so the script is safe in CI without the reference material.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=$REPO/../shared
if [[ ! -d $SHARED/tools ]]; then
  echo "skipping: ../shared not found (looked for $SHARED/tools)"
  exit 0
fi

files=()
if [[ $# -eq 0 ]]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  echo "[argo-validate] exporting the Argo test plans to $out" >&2
  (cd "$REPO" && SOOPERVISOR_ARGO_OUT=$out cargo test -q -p soopervisor-argo --test export --test nesting --test strategies >&2)
  files=("$out")
else
  files=("$@")
fi

# the venv lives in the repository root (setup-argo-validate.sh resolves a relative
# VENV_DIR against the caller's directory)
PY=$(cd "$REPO" && bash "$SHARED/tools/setup-argo-validate.sh")
"$PY" "$SHARED/tools/argo_validate.py" --warnings-as-errors "${files[@]}"
