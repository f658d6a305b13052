#!/usr/bin/env bash
# The Python wheel that carries the binary (cli/pyproject.toml, maturin with
# bindings = "bin"): build it, install it into a fresh venv as a user would
# (`pip install soopervisor-rs`), then run `soopervisor --version` and one export of
# the demo project (its git-tracked files) from that venv. maturin comes from PyPI.
set -euo pipefail
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/build-venv"
"$work/build-venv/bin/pip" install -q "maturin>=1.5,<2"
# The dev profile, as the rest of CI: it reuses the dependencies the tests compiled
# (a release build would compile all of them again); what is checked here is the
# packaging, which the profile does not change. Users build with --release (README).
"$work/build-venv/bin/maturin" build -m cli/Cargo.toml --out "$work/dist"
wheel=$(ls "$work"/dist/soopervisor_rs-*.whl)
echo "== wheel: $(basename "$wheel")"

python3 -m venv "$work/user-venv"
"$work/user-venv/bin/pip" install -q "$wheel"
version=$("$work/user-venv/bin/soopervisor" --version)
want="soopervisor $(grep -m1 '^version' Cargo.toml | cut -d'"' -f2)"
[ "$version" = "$want" ] || { echo "wheel: --version says '$version', want '$want'" >&2; exit 1; }

git archive HEAD docs/examples/demo | tar -x -C "$work"
cd "$work/docs/examples/demo"
"$work/user-venv/bin/soopervisor" export --backend argo --storage nfs
grep -q 'kind: Workflow' argo.yaml
cd "$root"
echo "wheel: installs into a fresh venv, runs --version and exports the demo"
