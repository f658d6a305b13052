#!/usr/bin/env bash
# The toy backend (docs/examples/toy-backend) built as a third-party crate would be:
# outside the workspace (its own [workspace] table), against the public API of
# soopervisor-core and soopervisor-cli only. A use of a private item, or a struct
# literal of a #[non_exhaustive] core type, fails here. Needs nothing from ../shared.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TERM_COLOR=never
manifest=docs/examples/toy-backend/Cargo.toml
# The plain binary its tests compare against (built by .ci/run before the checks).
if [ -z "${SOOPERVISOR_PLAIN_BIN:-}" ] && [ -x "${SOOPERVISOR_BIN:-}" ]; then
  export SOOPERVISOR_PLAIN_BIN="$SOOPERVISOR_BIN"
fi
# The workspace's lock file, so the toy builds with exactly the versions the workspace
# pins (cargo prunes what the toy does not use; the copy is not tracked).
cp Cargo.lock docs/examples/toy-backend/Cargo.lock
# The workspace's target folder: the registry crates, built with the same pinned
# versions and features, are reused rather than compiled a second time.
export CARGO_TARGET_DIR="$PWD/target"
cargo fmt --manifest-path "$manifest" -- --check
cargo clippy --manifest-path "$manifest" --all-targets -- -D warnings
cargo test --manifest-path "$manifest"
