#!/usr/bin/env bash
# Parses every Dockerfile under DIR (default ../shared/corpus) with our grammar and lists the files
# that contain ERROR or MISSING nodes with their first error line. Exit 1 when any file has one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/../../shared/corpus}
cargo run --quiet --release --manifest-path "$here/Cargo.toml" --example check-corpus -- "$dir"
