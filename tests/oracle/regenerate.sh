#!/usr/bin/env bash
# Regenerate tests/expected/ from Ploomber 0.23.3 (the oracle).
#
#   bash tests/oracle/regenerate.sh            # all fixtures
#   bash tests/oracle/regenerate.sh grid-wildcard cycle   # only these
#
# Creates .venv-ploomber (git-ignored) on first use. Good fixtures:
# tests/fixtures/<name>/ -> tests/expected/<name>.json (extra oracle args in
# tests/expected/<name>.args); the demo docs/examples/demo ->
# tests/expected/demo.json. Bad fixtures: tests/fixtures-bad/<name>/ ->
# tests/expected/bad/<name>.txt, whose FIRST line (the substring our error
# must contain, chosen by hand) is preserved; the rest is Ploomber's message.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=${PLOOMBER_VENV:-.venv-ploomber}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q ploomber==0.23.3 pandas
fi
PY="$VENV/bin/python"
"$PY" -c 'import ploomber; assert ploomber.__version__ == "0.23.3", ploomber.__version__'

only=("$@")
wanted() {
  [ ${#only[@]} -eq 0 ] && return 0
  local n
  for n in "${only[@]}"; do [ "$n" = "$1" ] && return 0; done
  return 1
}
read_args() {  # $1 = args file; prints nothing if absent
  [ -f "$1" ] && cat "$1" || true
}

status=0
for dir in tests/fixtures/*/ docs/examples/demo/; do
  [ -d "$dir" ] || continue
  dir=${dir%/}
  name=$(basename "$dir")
  [ "$dir" = docs/examples/demo ] && name=demo
  wanted "$name" || continue
  # shellcheck disable=SC2046
  if "$PY" tests/oracle/ploomber_dag.py "$dir" $(read_args "tests/expected/$name.args") \
      > "tests/expected/$name.json.tmp" 2> "tests/expected/$name.err.tmp"; then
    mv "tests/expected/$name.json.tmp" "tests/expected/$name.json"
    echo "ok   $name"
  else
    echo "FAIL $name"; cat "tests/expected/$name.err.tmp"; status=1
    rm -f "tests/expected/$name.json.tmp"
  fi
  rm -f "tests/expected/$name.err.tmp"
done

# Projects only Python can load (location: factories, dotted-path entry points):
# tests/fixtures-python/<name>/ -> tests/expected/python/<name>.json
mkdir -p tests/expected/python
for dir in tests/fixtures-python/*/; do
  [ -d "$dir" ] || continue
  dir=${dir%/}
  name=$(basename "$dir")
  wanted "$name" || continue
  # shellcheck disable=SC2046
  if "$PY" tests/oracle/ploomber_dag.py "$dir" $(read_args "tests/expected/python/$name.args") \
      > "tests/expected/python/$name.json.tmp" 2> "tests/expected/python/$name.err.tmp"; then
    mv "tests/expected/python/$name.json.tmp" "tests/expected/python/$name.json"
    echo "ok   python/$name"
  else
    echo "FAIL python/$name"; cat "tests/expected/python/$name.err.tmp"; status=1
    rm -f "tests/expected/python/$name.json.tmp"
  fi
  rm -f "tests/expected/python/$name.err.tmp"
done

mkdir -p tests/expected/bad
for dir in tests/fixtures-bad/*/; do
  [ -d "$dir" ] || continue
  dir=${dir%/}
  name=$(basename "$dir")
  wanted "$name" || continue
  out="tests/expected/bad/$name.txt"
  first="TODO: choose a distinctive substring"
  [ -f "$out" ] && first=$(head -n 1 "$out")
  # shellcheck disable=SC2046
  if msg=$("$PY" tests/oracle/ploomber_error.py "$dir" $(read_args "tests/expected/bad/$name.args") 2>/dev/null); then
    printf '%s\n%s\n' "$first" "$msg" > "$out"
    if grep -qF -- "$first" <<<"$msg"; then
      echo "ok   bad/$name"
    else
      echo "WARN bad/$name: first line not found in Ploomber's message"
    fi
  elif grep -q '^PLOOMBER-LOADS-IT' "$out" 2>/dev/null; then
    # e.g. location: factories: Ploomber runs the Python factory; a static
    # tool must refuse them. The .txt is kept as written by hand.
    echo "ok   bad/$name (Ploomber loads it; static tool must refuse)"
  else
    echo "FAIL bad/$name: Ploomber raised no error"; status=1
  fi
done
exit $status
