#!/usr/bin/env bash
# Every workspace crate packages as it would be published: metadata complete (license,
# description, repository, readme, keywords, categories), path dependencies carrying
# versions, and each .crate file compiling on its own (cargo's verification build,
# against the other crates packaged beside it). Nothing is uploaded. Needs nothing from
# ../shared. The end-to-end tests declared by soopervisor-cli from ../tests are left
# out of its package by design (cargo warns about them).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TERM_COLOR=never
# cargo verifies each crate against the others packaged beside it, unpacked into
# $CARGO_HOME/registry/src under their version; an earlier run's unpacked copy of the
# same version is reused as it is, stale (it lacked APIs added since). Remove ours.
version=$(grep -m1 '^version' Cargo.toml | cut -d'"' -f2)
cargo_home=${CARGO_HOME:-$HOME/.cargo}
for crate in $(sed -n 's/^\(soopervisor-[a-z-]*\) = { version.*/\1/p' Cargo.toml); do
  rm -rf "$cargo_home"/registry/src/*/"$crate-$version" "$cargo_home"/registry/cache/*/"$crate-$version.crate"
done
# --allow-dirty: this checks packaging, not whether the working tree is committed
cargo package --workspace --allow-dirty
for crate in soopervisor-core soopervisor-argo soopervisor-slurm soopervisor-cli; do
  ls target/package/"$crate"-*.crate >/dev/null
done
echo "packaged: $(cd target/package && ls ./*.crate | tr '\n' ' ')"
