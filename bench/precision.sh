#!/usr/bin/env bash
# Precision report: what dockls finds over a folder of Dockerfiles, laid out for review.
#
# Prints, for every rule: its findings and the files it fires in (most findings first); then
# every error-severity finding as path:line:col with its message and source line, since an
# error claims the build fails and each one deserves a look. The output is sorted and has no
# timestamps: running it twice on the same code and files gives the same text.
#
# Usage: bench/precision.sh DIR > report.txt
#   e.g. bench/precision.sh ../shared/corpus > bench/results/precision-corpus.txt
#
# Files: every regular file under DIR except Markdown (*.md) and hidden folders (.git…), so a
# corpus of files named `owner+repo__path__Dockerfile` is read whole. With DISCOVER=1, DIR is
# handed to `dockls check` instead, which searches it the way `dockls check DIR` does
# (Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*, honouring .gitignore).
# Paths are printed as they are passed (relative to the current folder when DIR is).
#
# Environment:
#   DOCKLS_BIN=path   dockls binary to use (default: target/debug/dockls, built first)
#   PROFILE=release   build and use target/release/dockls instead of the debug build
#   SKIP_BUILD=1      use the binary as it is
#   DISCOVER=1        let dockls find the Dockerfiles under DIR
#   SHELLCHECK=never  --shellcheck for dockls: never (the default, so the report does not depend
#                     on whether ShellCheck is installed), auto or always
#   EXAMPLES=0        source lines shown under each error finding (1, the default, or 0)
#
# Needs: cargo (unless SKIP_BUILD or DOCKLS_BIN), python3 (standard library only).
set -euo pipefail

die() { printf 'precision: %s\n' "$*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: bench/precision.sh DIR"
DIR="$1"
[ -d "$DIR" ] || die "not a folder: $DIR"
command -v python3 >/dev/null || die "python3 is required"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROFILE="${PROFILE:-debug}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac

if [ -n "${DOCKLS_BIN:-}" ]; then
    BIN="$DOCKLS_BIN"
else
    BIN="$TARGET_DIR/$PROFILE/dockls"
    if [ -z "${SKIP_BUILD:-}" ]; then
        release=()
        [ "$PROFILE" = release ] && release=(--release)
        printf '==> building dockls (%s)\n' "$PROFILE" >&2
        (cd "$ROOT" && nice -n 10 cargo build -q -p dockls --bin dockls "${release[@]}") >&2
    fi
fi
[ -x "$BIN" ] || die "no dockls binary at $BIN (build it, or set DOCKLS_BIN)"

OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT

CHECK_ARGS=(--offline --format json --fail-level none --color never --shellcheck "${SHELLCHECK:-never}")
if [ -n "${DISCOVER:-}" ]; then
    "$BIN" check "${CHECK_ARGS[@]}" "$DIR" >"$OUT"
else
    files=()
    while IFS= read -r -d '' f; do files+=("$f"); done < <(
        find "$DIR" -mindepth 1 -name '.*' -prune -o -type f ! -name '*.md' -print0 | LC_ALL=C sort -z
    )
    [ ${#files[@]} -gt 0 ] || die "no files under $DIR"
    "$BIN" check "${CHECK_ARGS[@]}" "${files[@]}" >"$OUT"
fi

python3 - "$OUT" "$DIR" "${EXAMPLES:-1}" "${SHELLCHECK:-never}" <<'PY'
import collections
import json
import sys

path, folder, examples, shellcheck = sys.argv[1], sys.argv[2], sys.argv[3] != "0", sys.argv[4]
with open(path, encoding="utf-8") as f:
    report = json.load(f)

files = report.get("files", [])
SEVERITIES = ["error", "warning", "info", "hint"]
by_rule = collections.defaultdict(lambda: {"findings": 0, "files": set(), "severities": collections.Counter()})
by_severity = collections.Counter()
errors = []
for entry in files:
    for d in entry["diagnostics"]:
        r = by_rule[d["code"]]
        r["findings"] += 1
        r["files"].add(entry["path"])
        r["severities"][d["severity"]] += 1
        by_severity[d["severity"]] += 1
        if d["severity"] == "error":
            start = d["range"]["start"]
            errors.append((entry["path"], start["line"] + 1, start["character"] + 1, d["code"], d["message"]))

tool = report.get("tool", {})
total = sum(by_severity.values())
print(f"# dockls precision report: {folder}")
print()
print(f"{tool.get('name', 'dockls')} {tool.get('version', '?')}; `dockls check --offline --fail-level none --shellcheck {shellcheck}`")
print(f"files checked: {len(files)}; files with findings: {sum(1 for e in files if e['diagnostics'])}")
print(f"findings: {total} (" + ", ".join(f"{s} {by_severity[s]}" for s in SEVERITIES) + ")")
input_errors = report.get("inputErrors", [])
if input_errors:
    print(f"files dockls could not read: {len(input_errors)}")
    for e in sorted(input_errors, key=lambda e: json.dumps(e, sort_keys=True)):
        print(f"  {e.get('path', '?')}: {e.get('message', e)}")
print()

print("## Findings per rule (most findings first)")
print()
width = max([len(k) for k in by_rule] + [4])
print(f"{'rule':<{width}}  {'findings':>8}  {'files':>5}  severity")
for code, r in sorted(by_rule.items(), key=lambda kv: (-kv[1]["findings"], kv[0])):
    sev = ", ".join(f"{s} {r['severities'][s]}" if len(r["severities"]) > 1 else s for s in SEVERITIES if r["severities"][s])
    print(f"{code:<{width}}  {r['findings']:>8}  {len(r['files']):>5}  {sev}")
print()

print(f"## Error-severity findings ({len(errors)})")
print()
print("Each claims that the build fails (or that BuildKit rejects the file): check every one.")
print()
lines_cache = {}
for p, line, col, code, message in sorted(errors):
    print(f"{p}:{line}:{col}: [{code}] {message}")
    if examples:
        if p not in lines_cache:
            try:
                with open(p, encoding="utf-8", errors="replace") as f:
                    lines_cache[p] = f.read().splitlines()
            except OSError:
                lines_cache[p] = []
        src = lines_cache[p]
        if 0 < line <= len(src):
            print(f"    | {src[line - 1]}")
if not errors:
    print("(none)")
PY
