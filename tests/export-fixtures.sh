#!/usr/bin/env bash
# Exports every fixture project (and the demo, and a generated 450-task pipeline) with
# the Argo backend, in every mode, into OUTDIR, for the offline Argo validator.
# Usage: bash tests/export-fixtures.sh OUTDIR [SOOPERVISOR_BINARY]
set -euo pipefail
out=${1:?usage: export-fixtures.sh OUTDIR [BINARY]}
bin=${2:-target/release/soopervisor}
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
count=0

export_one() { # name dir [extra args...]
  local name=$1 dir=$2; shift 2
  for mode in incremental regular force; do
    "$bin" export -C "$dir" --backend argo --storage nfs --mode "$mode" --output "$out/$name-$mode.yaml" "$@" 2>/dev/null
    count=$((count + 1))
  done
  "$bin" export -C "$dir" --backend argo --mode force --format json --output "$out/$name-force.json" "$@" 2>/dev/null
  count=$((count + 1))
}

for dir in "$repo"/tests/fixtures/*/; do
  name=$(basename "$dir")
  # Fixtures that cannot be exported (tests/export_argo.rs checks their error).
  [ -f "$repo/tests/expected/$name.export-error" ] && continue
  args=()
  if [ -f "$repo/tests/expected/$name.args" ]; then read -r -a args < "$repo/tests/expected/$name.args"; fi
  export_one "$name" "$dir" "${args[@]}"
done
export_one demo "$repo/docs/examples/demo"

# Strategy combinations on real projects: a copy of each fixture is exported with code
# baked into an image (nfs and fetch storage), which writes Dockerfiles beside the spec.
export_combo() { # name dir label [flags...]
  local name=$1 dir=$2 label=$3; shift 3
  local work
  work=$(mktemp -d)
  cp -r "$dir" "$work/$name"
  local args=()
  if [ -f "$repo/tests/expected/$name.args" ]; then read -r -a args < "$repo/tests/expected/$name.args"; fi
  "$bin" export -C "$work/$name" --backend argo --mode force "$@" "${args[@]}" 2>/dev/null
  find "$work/$name" -maxdepth 3 -name argo.yaml -newer "$dir" -exec cp {} "$out/$name-$label.yaml" \;
  [ -f "$out/$name-$label.yaml" ] || { echo "no spec for $name $label" >&2; exit 1; }
  rm -rf "$work"
  count=$((count + 1))
}
for dir in "$repo"/tests/fixtures/*/; do
  name=$(basename "$dir")
  [ -f "$repo/tests/expected/$name.export-error" ] && continue
  export_combo "$name" "$dir" fetch-image --storage fetch --code image
  export_combo "$name" "$dir" nfs-image --storage nfs --code image
done

# A 450-task pipeline: the spec must nest into DAG templates of at most 200 tasks.
big=$(mktemp -d)/big-pipeline
mkdir -p "$big/scripts"
{
  echo "tasks:"
  for i in $(seq 0 449); do
    echo "  - source: scripts/t$i.py"
    echo "    product: out/t$i.ipynb"
  done
} > "$big/pipeline.yaml"
for i in $(seq 0 449); do
  if [ "$i" -eq 0 ]; then up="None"; else up="['t$(( (i - 1) / 2 ))']"; fi
  printf '# %%%% tags=["parameters"]\nupstream = %s\n\n# %%%%\nprint(%d)\n' "$up" "$i" > "$big/scripts/t$i.py"
done
printf 'name: big\ndependencies:\n  - pip\n  - pip:\n    - ploomber\n' > "$big/environment.yml"
export_one big-450 "$big"
rm -rf "$(dirname "$big")"
echo "exported $count specs into $out"
