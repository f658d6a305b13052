#!/usr/bin/env bash
# The README's front door: on a clean clone of the commit under test, run the two
# set-up commands of README.md's "Set up" section in order (read out of the README, so
# this check and the README cannot drift apart), then the quickstart's target steps
# (docs/quickstart.md section 5, also read out of the file), then the second command
# again. Untracked outputs left by the first commands must never break the tests.
# Reuses the main target folder (CARGO_TARGET_DIR) so that only the workspace crates
# are compiled again.
set -euo pipefail
root=$(pwd)
commit=$(git rev-parse HEAD)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# the sh block under "## Set up": its lines that are not comments or blank
mapfile -t setup < <(awk '
  /^## Set up/ { in_section = 1; next }
  /^## / { in_section = 0 }
  in_section && /^```sh/ { in_block = 1; next }
  in_section && in_block && /^```/ { exit }
  in_section && in_block && !/^[[:space:]]*(#|$)/ { print }
' README.md)
if [ "${#setup[@]}" -ne 2 ]; then
  echo "README.md: expected 2 set-up commands under '## Set up', found ${#setup[@]}" >&2
  exit 1
fi

# the commands of the quickstart's section 5 (targets), comments stripped
mapfile -t quickstart < <(awk '
  /^## 5\./ { in_section = 1; next }
  /^## / { in_section = 0 }
  in_section && /^```sh/ { in_block = 1; next }
  in_section && in_block && /^```/ { exit }
  in_section && in_block && !/^[[:space:]]*(#|$)/ { sub(/[[:space:]]+#.*/, ""); print }
' docs/quickstart.md)
if [ "${#quickstart[@]}" -eq 0 ]; then
  echo "docs/quickstart.md: no commands found under '## 5.'" >&2
  exit 1
fi

git clone -q "$root" "$work/clone"
git -C "$work/clone" checkout -q "$commit"
cd "$work/clone"
export CARGO_TARGET_DIR="$root/target"
# the debug build the set-up commands made (and the tests step before them)
export PATH="$CARGO_TARGET_DIR/debug:$PATH"

for cmd in "${setup[@]}"; do
  echo "== readme: $cmd"
  bash -c "$cmd"
done
cargo build -p soopervisor-cli
for cmd in "${quickstart[@]}"; do
  echo "== quickstart: $cmd"
  bash -c "$cmd"
done
echo "== readme again after the quickstart: ${setup[1]}"
bash -c "${setup[1]}"
echo "readme: both set-up commands pass on a clean clone, before and after the quickstart"
