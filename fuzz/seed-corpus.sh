#!/usr/bin/env bash
# Builds a small seed corpus for every fuzz target from the fixture projects
# (tests/fixtures and tests/fixtures-bad) into fuzz/corpus/<target>/. Idempotent:
# files are named by content hash, so re-running adds nothing twice.
set -euo pipefail
cd "$(dirname "$0")/.."
out=fuzz/corpus
seed() { # seed TARGET FILE...
  local target=$1; shift
  mkdir -p "$out/$target"
  for f in "$@"; do
    [ -f "$f" ] || continue
    # skip large files: libFuzzer works best with small inputs
    [ "$(wc -c <"$f")" -le 65536 ] || continue
    cp "$f" "$out/$target/$(sha1sum "$f" | cut -c1-16)"
  done
}
mapfile -t yaml < <(find tests/fixtures tests/fixtures-bad -name '*.yaml' -o -name '*.yml' | sort)
mapfile -t py < <(find tests/fixtures tests/fixtures-bad -name '*.py' | sort)
mapfile -t nb < <(find tests/fixtures tests/fixtures-bad \( -name '*.py' -o -name '*.R' -o -name '*.r' -o -name '*.Rmd' -o -name '*.ipynb' \) | sort)
mapfile -t rr < <(find tests/fixtures tests/fixtures-bad \( -name '*.R' -o -name '*.r' -o -name '*.Rmd' \) | sort)
mapfile -t tpl < <(find tests/fixtures tests/fixtures-bad \( -name '*.sql' -o -name '*.sh' \) | sort)
seed yaml11 "${yaml[@]}"
seed spec_loader $(printf '%s\n' "${yaml[@]}" | grep -E '/pipeline[^/]*\.ya?ml$' || true)
seed notebook "${nb[@]}"
seed python_cell "${py[@]}"
seed python_function "${py[@]}"
seed r_cell "${rr[@]}"
seed jinja "${tpl[@]}"
# a spec naming the sources the spec_loader target writes, with an env file
mkdir -p "$out/spec_loader"
printf 'tasks:\n  - source: a.py\n    product: "{{root}}/a.ipynb"\n  - source: b.py\n    product: out/b.ipynb\n  - source: fns.f\n    product: f.csv\n  - source: q.sql\n    product: [s, t, table]\n    client: db.get\n#--env--\nroot: out\n' \
  >"$out/spec_loader/handmade-env"
mkdir -p "$out/batch_requests"
printf 'load\x00\x01clean\x01\x00x$(touch y)\x02\x00\x01' >"$out/batch_requests/seed"
mkdir -p "$out/yaml_emitter"
printf '\x04\x05\x00\x00\x00abc\x02\x03' >"$out/yaml_emitter/seed"
mkdir -p "$out/kubeflow_ir"
printf '\x03\x00\x00\x00\x00\x00\x00\x00\x04load\x00\x05clean\x01\x00\x05yes $\x02\x00\x01\x01\x00' >"$out/kubeflow_ir/seed"
mkdir -p "$out/airflow_emitter"
printf '\x03\x00\x00\x00{{ x }}\x05\x00\x00\x00a.sh\n\x01' >"$out/airflow_emitter/seed"
echo "seed corpus in $out: $(find "$out" -type f | wc -l) files"
