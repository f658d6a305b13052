#!/usr/bin/env bash
# Argo: export every fixture and validate it offline, then the backend's test plans,
# then the exports beyond Argo's 200 templates: a 2,000-task --storage fetch export
# (shared templates per artifact shape, files handed across nested DAGs) and 500
# distinct per-task settings (passed as parameters of shared templates).
set -euo pipefail
outdir=target/ci-exports
rm -rf "$outdir"
bash tests/export-fixtures.sh "$outdir" "${SOOPERVISOR_BIN:-target/release/soopervisor}"
bash tests/argo-validate.sh "$outdir"/*.yaml "$outdir"/*.json
echo "== argo: validate the backend's test plans (every strategy combination, nesting)"
bash tests/argo-validate.sh

echo "== argo: 2,000 fetch tasks and 500 distinct settings through the binary"
bin=${SOOPERVISOR_BIN:-$PWD/target/release/soopervisor}
big=$outdir/beyond-templates
rm -rf "$big"
gen() { # dir n: a binary tree of n script tasks t0.. (t_i reads t_{(i-1)/2})
  local dir=$1 n=$2
  mkdir -p "$dir/scripts"
  {
    echo "tasks:"
    for ((i = 0; i < n; i++)); do
      echo "  - source: scripts/t$i.py"
      echo "    product: out/t$i.ipynb"
    done
  } > "$dir/pipeline.yaml"
  for ((i = 0; i < n; i++)); do
    if [ "$i" -eq 0 ]; then up="None"; else up="['t$(( (i - 1) / 2 ))']"; fi
    printf '# %%%% tags=["parameters"]\nupstream = %s\n\n# %%%%\nprint(%d)\n' "$up" "$i" > "$dir/scripts/t$i.py"
  done
  printf 'name: gen\ndependencies:\n  - pip\n  - pip:\n    - ploomber\n' > "$dir/environment.yml"
}
gen "$big/fetch-2000" 2000
printf 'fetch:\n  backend: argo\n  storage: fetch\n  code: {kind: image, repository: registry.example.com/team/gen}\n' > "$big/fetch-2000/soopervisor.yaml"
"$bin" export fetch -C "$big/fetch-2000" --mode regular
"$bin" export fetch -C "$big/fetch-2000" --mode regular --format json
gen "$big/settings-500" 500
{
  printf 'many:\n  backend: argo\n  defaults: {memory: 1Gi, env: {TOKEN: {secret: creds, key: token}}}\n  tasks:\n'
  for ((i = 0; i < 500; i++)); do
    case $((i % 4)) in
      0) extra="retries: $((i % 7 + 1)), retry_backoff: $((i + 1))s" ;;
      1) extra="timeout: $((i + 60))s, gpu: $((i % 3 + 1))" ;;
      2) extra="node_selector: {pool: p$i}, tolerations: [{key: k$i, operator: Exists, effect: NoSchedule}], priority: prio-$i" ;;
      *) extra="annotations: {note: \"n $i\"}" ;;
    esac
    printf '    t%d: {cpu: %dm, labels: {team: t%d}, env: {LEVEL: "level %d"}, %s}\n' "$i" $((i + 1)) "$i" "$i" "$extra"
  done
} > "$big/settings-500/soopervisor.yaml"
"$bin" export many -C "$big/settings-500" --mode regular --output "$PWD/$big/settings-500.yaml"
"$bin" export many -C "$big/settings-500" --mode regular --format json --output "$PWD/$big/settings-500.json"
bash tests/argo-validate.sh "$big/fetch-2000/fetch/argo.yaml" "$big/fetch-2000/fetch/argo.json" \
  "$big/settings-500.yaml" "$big/settings-500.json"
