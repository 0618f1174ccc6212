#!/usr/bin/env bash
# Formatters side by side: dockls fmt, dockerfmt (@reteps/dockerfmt), dprint's Dockerfile plugin
# (@dprint/dockerfile with @dprint/formatter) and dockerfile-utils (the formatter behind
# docker-langserver), over every file of a folder (default ../shared/corpus), in one run:
# files changed, failed, not idempotent, meaning changed (judged by npm's dockerfile-ast, not
# our parser) and two times for every tool, each the median of 3 runs: the format calls alone
# (one thread, files already read) and the whole process (start, load, read, format, write;
# node for the peers). Then textDocument/formatting of a generated 50,000-line file by
# docker-langserver and by dockls, over stdio.
#
#   bench/fmt-vs-peers.sh [FOLDER]
#
# Environment: SKIP_BUILD=1 uses the binaries in target/release; LINES=50000 the large file's size.
# Needs cargo, node and npm; the peers are installed into bench/.peers (gitignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DIR="${1:-$ROOT/../shared/corpus}"
LINES="${LINES:-50000}"
PEERS_DIR="$ROOT/bench/.peers"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
DOCKLS="$TARGET_DIR/release/dockls"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'fmt-vs-peers: %s\n' "$*" >&2; exit 1; }
command -v node >/dev/null || die "node is required (apt-get install nodejs npm)"
[ -d "$DIR" ] || die "no folder $DIR"

if [ -z "${SKIP_BUILD:-}" ]; then
    log "building dockls and gen-dockerfile (release)"
    cargo build --release -p dockls --bin dockls --example fmt_corpus >&2
    cargo build --release -p dockls-tests --bin gen-dockerfile >&2
fi

PEERS=("@reteps/dockerfmt@0.5.4" "@dprint/dockerfile@0.6.0" "@dprint/formatter" "dockerfile-utils@0.16.3"
       "dockerfile-ast" "dockerfile-language-server-nodejs@0.15.0")
if ! node -e 'for (const p of process.argv.slice(1)) require.resolve(p + "/package.json", { paths: [process.argv[1]] })' \
        "$PEERS_DIR/node_modules" "@reteps/dockerfmt" "@dprint/dockerfile" "@dprint/formatter" "dockerfile-utils" \
        "dockerfile-ast" "dockerfile-language-server-nodejs" 2>/dev/null; then
    log "installing the peers into bench/.peers"
    mkdir -p "$PEERS_DIR"
    npm install --prefix "$PEERS_DIR" --no-audit --no-fund --loglevel=error "${PEERS[@]}" >&2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/dockls"
files=()
while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$DIR" -maxdepth 1 -type f ! -name '*.md' -print0 | sort -z)
cp "${files[@]}" "$work/dockls/"
out_files=()
for f in "${files[@]}"; do out_files+=("$work/dockls/$(basename "$f")"); done

log "dockls fmt over ${#files[@]} files"
set +e
"$DOCKLS" fmt "${out_files[@]}" 2> "$work/dockls.log"
set -e
failed=$(grep -c '^error: ' "$work/dockls.log" || true)
set +e
"$DOCKLS" fmt --check "${out_files[@]}" 2> "$work/dockls-check.log"
set -e
unstable=$(grep -c '^would reformat ' "$work/dockls-check.log" || true)

"$TARGET_DIR/release/gen-dockerfile" "$LINES" > "$work/large.Dockerfile"
log "the peers over the same files, then textDocument/formatting of a $LINES-line file"
# The report comes on descriptor 3; the peers' own output (dockerfmt prints panics and whole
# files) goes to bench/.peers/fmt-vs-peers.log.
node "$ROOT/bench/fmt_peers.js" "$PEERS_DIR/node_modules" "$DIR" "$work/dockls" "$unstable" "$failed" \
    "$work/large.Dockerfile" "$DOCKLS" "$TARGET_DIR/release/examples/fmt_corpus" 3>&1 > "$PEERS_DIR/fmt-vs-peers.log" 2>&1
