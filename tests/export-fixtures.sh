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

# Split pipelines (max_tasks_per_workflow): a copy of each fixture with a target that
# splits it into Workflows of at most MAX tasks. --output writes NAME-split.yaml (the
# parent) and, beside it, NAME-split-templates.yaml (the parts), which
# tests/argo-validate.sh validates together with the child Workflows the parent creates.
export_split() { # name dir max [extra args...]
  local name=$1 dir=$2 max=$3; shift 3
  local work
  work=$(mktemp -d)
  cp -r "$dir" "$work/$name"
  printf 'split:\n  backend: argo\n  storage: nfs\n  max_tasks_per_workflow: %s\n' "$max" > "$work/$name/soopervisor.yaml"
  "$bin" export split -C "$work/$name" --mode force --output "$out/$name-split.yaml" "$@" 2>/dev/null
  "$bin" export split -C "$work/$name" --mode force --format json --output "$out/$name-split.json" "$@" 2>/dev/null
  rm -rf "$work"
  count=$((count + 2))
}
for dir in "$repo"/tests/fixtures/*/; do
  name=$(basename "$dir")
  [ -f "$repo/tests/expected/$name.export-error" ] && continue
  args=()
  if [ -f "$repo/tests/expected/$name.args" ]; then read -r -a args < "$repo/tests/expected/$name.args"; fi
  export_split "$name" "$dir" 2 "${args[@]}"
done
export_split demo "$repo/docs/examples/demo" 2

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
# split in parts of 100 (each nested), and in 225 parts of 2 (the parent nests)
export_split big-450-parts-100 "$big" 100
export_split big-450-parts-2 "$big" 2
rm -rf "$(dirname "$big")"
echo "exported $count specs into $out"
