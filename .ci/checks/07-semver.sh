#!/usr/bin/env bash
# The public API of every workspace crate against the baseline commit named in
# .ci/semver-baseline (cargo semver-checks --baseline-rev): a change that would break a
# backend crate (a removed item, a new required field, a changed signature, ...) fails
# unless the crate's version announces it (0.1.z -> 0.2.0). See "Versioning" in
# docs/writing-a-backend.md. cargo-semver-checks is installed when missing (it compiles
# for several minutes); if that is impossible the script says so and exits 0 (a skip,
# not a pass). Needs nothing from ../shared.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TERM_COLOR=never

if ! cargo semver-checks --version >/dev/null 2>&1; then
  echo "== semver: installing cargo-semver-checks"
  if ! cargo install cargo-semver-checks --locked; then
    echo "skipping semver checks: cargo-semver-checks could not be installed"
    exit 0
  fi
fi
baseline=$(grep -v '^#' .ci/semver-baseline | head -n 1)
if ! git cat-file -e "$baseline^{commit}" 2>/dev/null; then
  echo "the semver baseline $baseline is not in this clone (a shallow clone?): fetch the history" >&2
  exit 1
fi
cargo semver-checks --workspace --baseline-rev "$baseline"
