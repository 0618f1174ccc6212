#!/usr/bin/env bash
# Side-by-side LSP benchmark: dockls vs docker-langserver (dockerfile-language-server-nodejs).
#
# Measures, with the same client (tests/src/bin/lsp_bench.rs) and the same generated files
# (tests/src/synth.rs), for each size: initialize, didOpen→diagnostics, one-character
# edit→diagnostics, documentSymbol, foldingRange, semanticTokens/full, hover, completion and
# peak RSS; medians over RUNS fresh server processes. Prints one Markdown table
# (rows = metric × size; columns = dockls, docker-langserver, ratio peer/dockls) and writes it to
# bench/results/lsp-vs-peers.md (raw samples: bench/results/lsp-vs-peers.json).
#
# Environment:
#   RUNS=5                 runs per size (fresh server each)
#   LINES=40,5000,50000    file sizes in lines
#   SKIP_BUILD=1           use the binaries already in target/release
#   DOCKLS_BIN=path        dockls binary to measure (default target/release/dockls)
#   PEER_VERSION=0.15.0    dockerfile-language-server-nodejs version
#
# Needs: cargo, node + npm (for the peer), python3 (standard library only).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

RUNS="${RUNS:-5}"
LINES="${LINES:-40,5000,50000}"
PEER_VERSION="${PEER_VERSION:-0.15.0}"
PEERS_DIR="$ROOT/bench/.peers"
PEER_PKG="$PEERS_DIR/node_modules/dockerfile-language-server-nodejs"
PEER_BIN="$PEER_PKG/bin/docker-langserver"
RESULTS="$ROOT/bench/results"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
DOCKLS_BIN="${DOCKLS_BIN:-$TARGET_DIR/release/dockls}"
LSP_BENCH="$TARGET_DIR/release/lsp-bench"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'lsp-vs-peers: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is required"
command -v node >/dev/null || die "node is required for the peer (apt-get install nodejs npm)"

# 1. The peer, installed once into bench/.peers (gitignored).
installed_version() {
    [ -f "$PEER_PKG/package.json" ] || return 0
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$PEER_PKG/package.json"
}
if [ "$(installed_version)" != "$PEER_VERSION" ]; then
    command -v npm >/dev/null || die "npm is required to install the peer"
    log "installing dockerfile-language-server-nodejs@$PEER_VERSION into bench/.peers"
    mkdir -p "$PEERS_DIR"
    npm install --prefix "$PEERS_DIR" --no-audit --no-fund --loglevel=error \
        "dockerfile-language-server-nodejs@$PEER_VERSION" >&2
fi
[ -f "$PEER_BIN" ] || die "peer not found at $PEER_BIN"

# 2. dockls and the bench driver, release mode.
if [ "${SKIP_BUILD:-0}" != "1" ]; then
    log "building dockls and lsp-bench (release)"
    cargo build --release -p dockls -p dockls-tests >&2
fi
[ -x "$DOCKLS_BIN" ] || die "dockls binary not found at $DOCKLS_BIN"
[ -x "$LSP_BENCH" ] || die "lsp-bench not found at $LSP_BENCH"

mkdir -p "$RESULTS"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# 3. Both servers, same sizes, same run.
log "dockls: $DOCKLS_BIN serve --stdio (lines $LINES, $RUNS runs)"
"$LSP_BENCH" --label dockls --lines "$LINES" --runs "$RUNS" --json "$TMP/dockls.json" \
    -- "$DOCKLS_BIN" serve --stdio >&2
log "docker-langserver $PEER_VERSION (lines $LINES, $RUNS runs)"
"$LSP_BENCH" --label docker-langserver --lines "$LINES" --runs "$RUNS" --json "$TMP/peer.json" \
    -- node "$PEER_BIN" --stdio >&2

# 4. Join into one table.
python3 - "$TMP/dockls.json" "$TMP/peer.json" "$RESULTS/lsp-vs-peers.md" "$RESULTS/lsp-vs-peers.json" \
    "$(node --version)" "$PEER_VERSION" "$RUNS" <<'PY'
import json, os, platform, sys, time

ours_path, peer_path, md_path, json_path, node_version, peer_version, runs = sys.argv[1:8]
ours = json.load(open(ours_path))
peer = json.load(open(peer_path))

def index(doc):
    return {(r["metric"], r["lines"]): r for r in doc["results"]}

a, b = index(ours), index(peer)
metrics, sizes = [], []
for r in ours["results"] + peer["results"]:
    if r["metric"] not in metrics:
        metrics.append(r["metric"])
    if r["lines"] not in sizes:
        sizes.append(r["lines"])

def fmt(v, unit):
    if unit == "ms":
        return f"{v:.2f} ms" if v < 10 else f"{v:.1f} ms"
    return f"{v:.1f} {unit}"

def cell(r):
    if r is None:
        return "—"
    if r["status"] == "ok":
        s = fmt(r["median"], r["unit"])
        bad = r["timeouts"] + r["errors"]
        if bad:
            s += f" ({r['ok']}/{r['ok'] + bad} ok)"
        return s
    return r["status"]  # timeout / error / n/a

def ratio(ra, rb):
    if ra is None or rb is None or ra["status"] != "ok":
        return "—"
    x = ra["median"]
    if rb["status"] == "ok" and x > 0:
        return f"{rb['median'] / x:.1f}×"
    if rb["status"] == "timeout" and rb.get("timeout_ms") and x > 0:
        return f"> {rb['timeout_ms'] / x:.0f}×"
    return "—"

cpu = ""
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass

dockls_info = ours.get("server_info") or {}
lines = []
lines.append("# dockls vs docker-langserver: LSP latency and memory")
lines.append("")
lines.append(f"Generated by `bench/lsp-vs-peers.sh` on {time.strftime('%Y-%m-%d %H:%M %Z')}; "
             f"{os.cpu_count()} CPU(s){' (' + cpu + ')' if cpu else ''}, {platform.system()} {platform.release()}.")
lines.append(f"dockls {dockls_info.get('version', '?')} (`{' '.join(os.path.basename(c) if i == 0 else c for i, c in enumerate(ours['command']))}`), "
             f"docker-langserver = dockerfile-language-server-nodejs {peer_version} on node {node_version}. "
             f"Median of {runs} runs, a fresh server process per run; files from `tests/src/synth.rs`.")
lines.append("Ratio = docker-langserver / dockls (higher is better for dockls). "
             "`timeout`: no answer within the limit (requests 60 s, diagnostics max(20 s, 60 s × lines/50k)).")
lines.append("Every latency runs from the message written (encoded beforehand) to the last byte of the answer "
             "read, before this client parses it.")
lines.append("`documentSymbol answer` / `documentSymbol client parse`: the answer's size as compact JSON and "
             "how long this client then takes to parse it into a `serde_json::Value` (timed again on the received "
             "answer, median of 5); an editor pays a parse like it on top of the documentSymbol time.")
lines.append("")
lines.append("| metric | lines | dockls | docker-langserver | ratio |")
lines.append("|---|---:|---:|---:|---:|")
for m in metrics:
    for n in sizes:
        ra, rb = a.get((m, n)), b.get((m, n))
        lines.append(f"| {m} | {n} | {cell(ra)} | {cell(rb)} | {ratio(ra, rb)} |")

problems = [("dockls", p) for p in ours.get("problems", [])] + \
           [("docker-langserver", p) for p in peer.get("problems", [])]
if problems:
    lines.append("")
    lines.append("Problems seen during the runs:")
    lines.append("")
    seen = set()
    for who, p in problems:
        key = (who, p["lines"], p["problem"])
        if key in seen:
            continue
        seen.add(key)
        lines.append(f"- {who}, {p['lines']} lines: {p['problem']}")

text = "\n".join(lines) + "\n"
sys.stdout.write(text)
with open(md_path, "w") as f:
    f.write(text)
with open(json_path, "w") as f:
    json.dump({"dockls": ours, "docker-langserver": peer}, f, indent=1)
    f.write("\n")
PY
log "written bench/results/lsp-vs-peers.md and bench/results/lsp-vs-peers.json"
