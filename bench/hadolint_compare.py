#!/usr/bin/env python3
"""dockls vs hadolint over a directory of Dockerfiles: findings per rule and wall time.

Driven by bench/hadolint-compare.sh (which installs hadolint and ShellCheck and builds dockls);
can be run on its own:

    python3 bench/hadolint_compare.py --dockls target/release/dockls \
        --hadolint bench/.peers/hadolint/bin/hadolint \
        --shellcheck-dir bench/.peers/shellcheck/bin --corpus ../shared/corpus

Matching. hadolint reports every finding (its own DLxxxx and its bundled ShellCheck's SCxxxx) on
the first line of the instruction; dockls reports the exact range (for instance the package
word on the third line of a RUN). So both sides are keyed by (file, rule, first line of the
enclosing instruction), found by a small Dockerfile line scanner below (escape directive, line
continuations, comments inside continuations, heredocs). A finding outside any instruction keeps
its own line. hadolint codes are mapped to dockls rule ids with the alias column of
`dockls rule --list`; SC codes are compared as they are (dockls runs the real ShellCheck on RUN
bodies when it is on PATH). Keys are compared as sets: dockls reports e.g. one apk-pin per
package, hadolint one DL3018 per instruction. "both (same line)" counts the matches where the
raw lines agree too; the rest matched only after moving dockls's line to its instruction.

Files hadolint could not parse (DL1000) or crashed on, and files dockls could not check, are
left out of the per-rule comparison and counted separately.

Standard library only.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HADOLINT_CODE = re.compile(r"^(DL|SC)\d{4}$")

# ---------------------------------------------------------------------------------------------
# Manual review of the disagreement classes, keyed by "<rule>|dockls-only" or
# "<rule>|hadolint-only". Written after reading the examples the report prints (file:line and
# the Dockerfile text); shown next to them. A class without an entry is marked "not reviewed".
# Categories: "dockls false positive", "dockls false negative (missing)", "hadolint false
# positive", "hadolint false negative", "intentional difference (documented)",
# "range/line mismatch only".
# ---------------------------------------------------------------------------------------------
_HADOLINT_ONE_SC = (
    "hadolint 2.15.1 keeps at most one ShellCheck finding per RUN (for a one-line RUN on which "
    "ShellCheck reports SC2046, SC2005, SC2006, SC2164, SC2154 and SC2086, hadolint prints only SC2086; the report's "
    "ShellCheck table note counts this on the corpus). Where hadolint printed a different SC code "
    "on the RUN (count in the heading), dockls's extra finding is real ShellCheck output that "
    "hadolint dropped"
)
REVIEW: dict[str, tuple[str, str]] = {
    "SC2086|dockls-only": (
        "Intentional difference (not documented yet) plus hadolint false negative",
        "On 189 of 220 RUNs hadolint printed no ShellCheck finding at all, and every unquoted variable "
        "there is declared by ARG/ENV (`$PHPIZE_DEPS`, `${SCALA_VERSION}`): hadolint prepends "
        "`export NAME=1` for each ARG/ENV, so ShellCheck takes them for safe constants and drops "
        "SC2086; dockls declares them without a value (`export NAME`), which silences SC2154 but "
        "keeps SC2086 (`$PHPIZE_DEPS` really is a word list). The other RUNs: " + _HADOLINT_ONE_SC + "."),
    "SC1088|hadolint-only": (
        "hadolint false positive",
        "PowerShell RUNs (`SHELL [\"powershell\", …]` in the windowsservercore images): hadolint only "
        "skips ShellCheck for `pwsh`; dockls skips every non-POSIX shell."),
    "SC1065|hadolint-only": (
        "hadolint false positive",
        "Same PowerShell RUNs as SC1088: ShellCheck parsing PowerShell."),
    "SC2166|hadolint-only": (
        "dockls false negative (missing)",
        "The RUN is an `ONBUILD RUN`: dockls does not run ShellCheck on ONBUILD triggers "
        "(its own rules do check them); hadolint does."),
    "consecutive-run|dockls-only": (
        "Intentional difference (documented) / hadolint false negative",
        "dockls pairs RUNs of at most two commands each, the threshold hadolint's own DL3059 "
        "source and docs state; hadolint 2.15.1 counts every simple command twice, so only "
        "one-command RUNs get paired (`RUN echo c` then `RUN echo a && echo b`: hadolint silent). "
        "Blank and comment lines between the RUNs separate neither tool."),
    "wget-progress|hadolint-only": (
        "Intentional difference (documented)",
        "Every one is in an Alpine stage where `wget` is BusyBox wget, which has no `--progress` "
        "(hadolint's fix would break the build) and none of those stages installs GNU wget."),
    "apt-lists-cleanup|hadolint-only": (
        "hadolint false positive",
        "Every one ends with `apt-get dist-clean` (apt 2.7+, Debian trixie), which deletes "
        "/var/lib/apt/lists; hadolint only accepts `rm -rf /var/lib/apt/lists/*`."),
    "apt-lists-cleanup|dockls-only": (
        "hadolint false negative",
        "These RUNs never delete /var/lib/apt/lists (one removes the misspelt `/var/lib/apt/list/*`, "
        "one `/var/cache/apt/list.d/*`, the others only `rm -rf` a build folder): hadolint counts any "
        "`rm` with `-rf` as cleanup (`cmdHasArgs \"rm\" [\"-rf\", \"/var/lib/apt/lists/*\"]` matches "
        "either argument)."),
    "cd-in-run|hadolint-only": (
        "Intentional difference (documented)",
        "Every one is a `cd` inside a subshell `( cd … )` (a deliberate local directory change)."),
    "secrets-in-arg-env|dockls-only": (
        "Intentional difference (documented), practically a dockls false positive",
        "dockls uses BuildKit's SecretsUsedInArgOrEnv word list, which has `key`; hadolint's has no "
        "bare `key`. 24 of 31 are `ENV GPG_KEY <fingerprint>` (docker-library/python: a public key "
        "id), 2 are `*_KEY` holding a file path (`ENV NGROK_CA_KEY assets/…/ngrokroot.key`). BuildKit "
        "warns on the same names, but an allow-list for `GPG_KEY`/`*_GPG_KEY` and values that are "
        "paths would remove most of the noise."),
    "apk-no-cache|hadolint-only": (
        "Intentional difference (documented)",
        "The RUN removes `/var/cache/apk/*` itself (29) or is in a builder stage only copied from "
        "(1, nginx modules)."),
    "apt-pin|dockls-only": (
        "Intentional difference (documented)",
        "Every one is `apt install` (checked like `apt-get install`; hadolint only knows apt-get)."),
    "apt-pin|hadolint-only": (
        "Intentional difference (documented)",
        "The packages are in a variable (`apt-get install -y $buildDeps`, the list assigned in the "
        "same RUN); dockls treats variable words as unknown. Resolving a variable assigned in the "
        "same RUN would be an improvement, not a bug."),
    "apk-pin|hadolint-only": (
        "Intentional difference (documented)",
        "Packages in a variable (`apk --no-cache add $buildDeps`), as for apt-pin."),
    "apt-no-install-recommends|dockls-only": (
        "Intentional difference (documented)",
        "`apt install` (24) and `xargs apt-get install -y < packages.txt` in an ONBUILD (1): "
        "real findings hadolint does not recognise."),
    "apt-no-install-recommends|hadolint-only": (
        "Mostly dockls false negative",
        "8 of 13 (ykman, pivman, neoman, wireshark, …) are a RUN with two `apt-get install`s where "
        "only the first has `--no-install-recommends`: dockls reports none once any install in the "
        "RUN has the flag (bug, reproducer in the review notes). 2 (postgres 18) are hadolint false "
        "positives on `apt-get install -s` (simulation); 3 are `apt-get -f install` without "
        "packages (debatable)."),
    "non-numeric-user|hadolint-only": (
        "Intentional difference (documented)",
        "hadolint flags non-final USERs, `USER root` and the Windows accounts of the nanoserver "
        "images (`ContainerAdministrator`, `ContainerUser`: no numeric form; dockls skips Windows "
        "images). (`USER $MSF_USER` with `ENV MSF_USER msf` in the final stage, a dockls false "
        "negative until the rule resolved variables, is now found by both.)"),
    "add-instead-of-copy|hadolint-only": (
        "hadolint false positive",
        "`ADD $ALPACA_URL …` where the ARG default is an https URL: ADD is right for URLs; dockls "
        "resolves the default."),
    "go-install-pin|hadolint-only": (
        "hadolint false positive (dockls documents the difference)",
        "`go run make.go` runs a local file; nothing is fetched."),
    "pip-no-cache-dir|hadolint-only": (
        "Intentional difference (documented)",
        "`pip install` in a builder stage that is only copied from."),
    "pip-pin|dockls-only": (
        "hadolint false negative",
        "`bin/pip install --no-cache-dir scikits.audiolab` (a virtualenv's pip): hadolint only "
        "recognises the command name `pip`."),
    "pip-pin|hadolint-only": (
        "Intentional difference (documented), debatable",
        "`pip install git+https://…/scrapyd-client.git` without `@ref`: dockls never flags VCS "
        "references, though one without a ref is as unpinned as a bare name."),
    "SC1101|dockls-only": (
        "dockls false positive",
        "A backslash followed by trailing blanks (`&& \\  `) is a line continuation for Docker "
        "(BuildKit's continuation pattern allows blanks after the escape), and hadolint hands "
        "ShellCheck the joined script; dockls passes the raw lines, so ShellCheck reports SC1101 "
        "(at error severity) on a RUN that builds fine."),
    "cd-in-run|dockls-only": (
        "hadolint false negative",
        "`ONBUILD RUN cd /src && …`: dockls checks ONBUILD triggers; hadolint's DL3003 does not "
        "(`ONBUILD RUN cd /src && make` gets nothing from hadolint)."),
    "copy-multi-src-dir-dest|hadolint-only": (
        "Both flag the line differently (dockls syntax error)",
        "`COPY --from build /app/public/* /usr/share/nginx/html`: `--from` without `=` is an error "
        "for BuildKit, which dockls reports (invalid-flag-value); hadolint reads `build` as a second "
        "source. (dockls's copy-link on the same line prints an empty stage name: \"copied from ``\".)"),
    "useradd-no-log-init|hadolint-only": (
        "Intentional difference (documented)",
        "`useradd -u ${UID}` with `ARG UID=1000`: dockls resolves the default, a low UID."),
}
REVIEW_NOTES = """## Suspected dockls bugs (review of 2026-11-24)

Written by hand from the review above; each has a minimal reproducer. Re-check after fixes: this
section is not regenerated.

1. *(Fixed in 6f2ce35, found on the build before it.)* **`dockls check` hung when ShellCheck was
   wanted but not on PATH** (default `--shellcheck auto`).
   `run()` holds `io::stderr().lock()` while the worker threads check files; the first worker calls
   `shellcheck::log_missing_once()` → `eprintln!` → waits for the same lock forever (0 % CPU).
   Reproducer: `printf 'FROM alpine:3.19\\nRUN echo hi\\n' > Dockerfile; env PATH=/usr/bin:/bin dockls check Dockerfile`
   (no output, never exits). This script puts shellcheck on PATH and has a timeout per run anyway.
2. **ShellCheck ranges are wrong on lines with tabs.** dockls asks for `--format=json1`, whose
   columns count a tab as 1, but `shellcheck::offset` expands tabs to 8 (`tab_columns_follow_shellcheck`
   tests the wrong assumption). Reproducer: `FROM alpine:3.19` / `RUN set -eux; \\` /
   `<TAB>echo $x` → SC2086 underlines `ech`/the tab instead of `$x`. Most docker-library files indent
   with tabs.
3. **`apt-no-install-recommends` misses a second `apt-get install` in the same RUN** once any install
   in that RUN has the flag: `RUN apt-get install -y --no-install-recommends a=1 && apt-get install -y b=1`
   (and the reverse order) → nothing; hadolint reports DL3015. 8 corpus files (jessfraz ykman,
   pivman, neoman, wireshark, scudcloud, ykpersonalize, yubico-piv-tool, plex-home-theater).
4. **`non-numeric-user` on Windows images**: `FROM mcr.microsoft.com/windows/nanoserver:ltsc2022` /
   `USER ContainerUser` → flagged, but Windows users have no numeric UID (missing-user already skips
   Windows). 4 golang nanoserver files.
5. *(Fixed: the rule resolves ARG defaults and ENV values; unknown values are not flagged.)*
   **`non-numeric-user` does not resolve variables**: `ENV APP_USER=app` / `USER $APP_USER` in the final
   stage → nothing (useradd-no-log-init does resolve `$UID` from ARG/ENV). 1 file (metasploit arm).
6. **No ShellCheck on `ONBUILD RUN`**: `ONBUILD RUN echo $undefined_var` → no SC2154/SC2086 (the
   plain RUN gets both; dockls's own rules do check ONBUILD RUN). 1 file (scrapyd onbuild).
7. **SC1101 false positive on continuations with trailing blanks**: `RUN echo a && \\<space><space>` /
   `    echo b` → `error[SC1101]: Delete trailing spaces after \\ …`. Docker treats `\\` plus trailing
   blanks as a continuation; the script handed to ShellCheck should join those lines like the others.
   2 corpus files (vimagick ansible, nginx-module-vts).
8. **`copy-link` after an invalid `--from`**: `FROM alpine:3.19 AS build` / `FROM nginx:alpine` /
   `COPY --from build /app/x /y` → besides the invalid-flag-value error, copy-link says "files copied
   from `` form an independent layer" (empty stage name); it should stay silent when `--from` has no value.
9. *(Done: scripts that miss the cache are checked in batches, one process per dialect and chunk,
   the chunks spread over the cores, for the whole `dockls check` run.)*
   Not a bug, but the main gap to the 15x target with ShellCheck on: one `shellcheck` process per
   RUN script plus a 2 ms `try_wait` poll. Batching a file's (or the whole run's) scripts into one
   shellcheck invocation (several file arguments, e.g. temp files) would cut the process overhead;
   the ShellCheck analysis itself stays.
10. Worth a look (documented behaviour, noisy in practice): `secrets-in-arg-env` on `ENV GPG_KEY <fingerprint>`
   (24 docker-library/python files) and on `*_KEY` values that are file paths; SC2086 on every
   ARG/ENV variable (hadolint hides those): document it in the ShellCheck section.
"""

for _code in ("SC2155", "SC2046", "SC2185", "SC2043", "SC1007", "SC2196", "SC2154", "SC2021", "SC2162", "SC2028", "SC2016", "SC2035", "SC2251", "SC2102", "SC3037", "SC2006"):
    REVIEW.setdefault(f"{_code}|dockls-only", ("hadolint false negative", _HADOLINT_ONE_SC + "."))


# --------------------------------------------------------------------------- Dockerfile lines
def instruction_starts(text: str) -> list[int]:
    """For each 1-based line, the 1-based first line of the instruction it belongs to, or 0
    (blank, comment or directive outside any instruction). Index 0 is unused."""
    lines = text.splitlines()
    owner = [0] * (len(lines) + 2)
    escape = "\\"
    # Parser directives: leading `# name=value` lines (blank lines allowed before the first).
    for line in lines:
        m = re.match(r"^\s*#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$", line)
        if not m:
            break
        if m.group(1).lower() == "escape" and m.group(2) in ("`", "\\"):
            escape = m.group(2)
    heredoc_re = re.compile(r"(?<!<)<<(?!<)(-?)\s*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start = i + 1
        keyword = stripped.split(None, 1)[0].upper()
        body = [line]
        owner[i + 1] = start
        # Line continuations; comment and blank lines inside them do not end the instruction.
        while line.rstrip().endswith(escape) and i + 1 < n:
            i += 1
            line = lines[i]
            owner[i + 1] = start
            s = line.strip()
            if not s or s.startswith("#"):
                line = escape  # keep continuing
                continue
            body.append(line)
        i += 1
        if keyword in ("RUN", "COPY", "ADD") or (keyword == "ONBUILD" and len(stripped.split()) > 1):
            for m in heredoc_re.finditer("\n".join(body)):
                strip_tabs = m.group(1) == "-"
                word = m.group(3)
                while i < n:
                    owner[i + 1] = start
                    cand = lines[i].lstrip("\t") if strip_tabs else lines[i]
                    i += 1
                    if cand.rstrip("\r") == word:
                        break
    return owner


def run_bodies(text: str) -> list[str]:
    """Shell-form RUN bodies (continuations joined as lines, comment lines dropped); rough, for
    timing ShellCheck alone."""
    lines = text.splitlines()
    owner = instruction_starts(text)
    groups: dict[int, list[str]] = {}
    for i in range(1, len(lines) + 1):
        if owner[i]:
            groups.setdefault(owner[i], []).append(lines[i - 1])
    out = []
    for body in groups.values():
        first = body[0].strip()
        m = re.match(r"(?i)^RUN\s+(.*)$", first)
        if not m or m.group(1).lstrip().startswith("["):
            continue
        rest = [m.group(1)] + [x for x in body[1:] if not x.strip().startswith("#")]
        out.append("\n".join(rest))
    return out


def shellcheck_alone(sc_bin: str, files: list[str], work: Path):
    """ShellCheck's own time: every body in one process, and each distinct body once with the
    bodies split over one process per core (what a tool running the shellcheck program, with a
    cache of identical scripts, cannot go below)."""
    d = work / "run-bodies"
    d.mkdir()
    paths = []
    unique: dict[str, str] = {}
    for f in files:
        for body in run_bodies(Path(f).read_text(encoding="utf-8", errors="replace")):
            p = d / f"{len(paths):05d}.sh"
            p.write_text("#!/bin/sh\n" + body + "\n")
            paths.append(str(p))
            unique.setdefault(body, str(p))
    t0, c0 = time.perf_counter(), children_cpu()
    subprocess.run([sc_bin, "-f", "json1", *paths], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    one, one_cpu = time.perf_counter() - t0, children_cpu() - c0
    cores = os.cpu_count() or 1
    upaths = list(unique.values())
    t0, c0 = time.perf_counter(), children_cpu()
    procs = [subprocess.Popen([sc_bin, "-f", "json1", *upaths[i::cores]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for i in range(cores) if upaths[i::cores]]
    for p in procs:
        p.wait()
    return {"scripts": len(paths), "one_process_s": one, "one_process_cpu_s": one_cpu, "unique_scripts": len(upaths),
            "cores": cores, "unique_parallel_s": time.perf_counter() - t0, "unique_cpu_s": children_cpu() - c0}


# --------------------------------------------------------------------------- running tools
def children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far: unlike wall time,
    barely changed by other work on a shared machine."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_timed(cmd, env=None, cwd=None, timeout=None):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return time.perf_counter() - t0, p


def dockls_rules(dockls: str) -> list[dict]:
    out = subprocess.run([dockls, "rule", "--list"], stdout=subprocess.PIPE, check=True, text=True).stdout
    rules = []
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) < 3:
            continue
        rid, sev, rest = parts
        aliases: list[str] = []
        m = re.search(r"\(([^()]*)\)\s*$", rest)
        if m:
            aliases = [a.strip() for a in m.group(1).split(",")]
        rules.append({
            "id": rid,
            "severity": sev,
            "hadolint": [a for a in aliases if HADOLINT_CODE.match(a)],
            "buildkit": [a for a in aliases if not HADOLINT_CODE.match(a)],
        })
    return rules


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dockls", required=True)
    ap.add_argument("--hadolint", required=True)
    ap.add_argument("--shellcheck-dir", default="", help="folder holding the shellcheck binary (put first on PATH for dockls)")
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--examples", type=int, default=3, help="examples per disagreement class")
    ap.add_argument("--classes", type=int, default=40, help="disagreement classes shown with examples")
    ap.add_argument("--timeout", type=int, default=900, help="seconds before one tool run counts as hung")
    ap.add_argument("--out-md", required=True)
    ap.add_argument("--out-json", required=True)
    ap.add_argument("--label", default="", help="free text put in the report header (e.g. git revision)")
    ap.add_argument("--render-only", action="store_true",
                    help="re-render --out-md from the existing --out-json (after editing the review) without running anything")
    args = ap.parse_args()
    if args.render_only:
        rep = json.loads(Path(args.out_json).read_text())
        md = render(rep)
        Path(args.out_md).write_text(md)
        sys.stdout.write(md)
        return 0

    corpus = Path(args.corpus).resolve()
    files = sorted(str(p) for p in corpus.iterdir() if p.is_file() and p.name != "README.md" and not p.name.startswith("."))
    if not files:
        print(f"no files in {corpus}", file=sys.stderr)
        return 2
    log = lambda *a: print("==>", *a, file=sys.stderr, flush=True)  # noqa: E731

    # Copy dockls: the engineers rebuild target/release while this runs.
    work = Path(tempfile.mkdtemp(prefix="hadolint-compare-"))
    try:
        return compare(args, files, corpus, work, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def compare(args, files, corpus, work, log) -> int:
    dockls = str(work / "dockls")
    shutil.copy2(args.dockls, dockls)
    hadolint = str(Path(args.hadolint).resolve())
    rules = dockls_rules(dockls)
    rule_ids = {r["id"] for r in rules}
    alias = {}
    for r in rules:
        for code in r["hadolint"]:
            alias[code] = r["id"]
    check_help = subprocess.run([dockls, "check", "--help"], stdout=subprocess.PIPE, text=True).stdout
    has_sc_flag = "--shellcheck" in check_help

    env_d = dict(os.environ)
    # hadolint never asks registries; neither does dockls here (invalid-base-image-platform
    # would otherwise look every base image up, and the timing would measure the network).
    env_d["DOCKLS_OFFLINE"] = "1"
    sc_bin = None
    if args.shellcheck_dir:
        sc_dir = str(Path(args.shellcheck_dir).resolve())
        env_d["PATH"] = sc_dir + os.pathsep + env_d.get("PATH", "")
        if Path(sc_dir, "shellcheck").is_file():
            sc_bin = str(Path(sc_dir, "shellcheck"))
    sc_version = ""
    if sc_bin:
        out = subprocess.run([sc_bin, "--version"], stdout=subprocess.PIPE, text=True).stdout
        m = re.search(r"version:\s*(\S+)", out)
        sc_version = m.group(1) if m else "?"
    base = [dockls, "check", "--format", "json", "--fail-level", "none", "--color", "never"]
    cmd_d_sc = base + (["--shellcheck", "always"] if has_sc_flag and sc_bin else []) + files
    cmd_d_nosc = base + (["--shellcheck", "never"] if has_sc_flag else []) + files

    # hadolint: empty cwd and config home so no user or repository config applies.
    hcwd = work / "hadolint-cwd"
    hcwd.mkdir()
    env_h = dict(os.environ, HOME=str(hcwd), XDG_CONFIG_HOME=str(hcwd))
    env_h.pop("HADOLINT_CONFIG", None)
    hversion = subprocess.run([hadolint, "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    hbase = [hadolint, "-f", "json", "--no-fail", "--no-color"]

    times = collections.defaultdict(list)
    cpu = collections.defaultdict(list)  # CPU seconds (user + system) of the same runs
    dockls_out = None
    dockls_stderr = ""
    dockls_hung = False
    h_all_out = None
    h_per_file: dict[str, dict] = {}
    has_cache_flag = "--no-cache" in check_help
    for r in range(args.runs):
        # Every round starts with an empty cache folder (dockls keeps ShellCheck's results
        # between runs): the main number is a cold run; the warm one is measured after it.
        env_d["XDG_CACHE_HOME"] = str(work / f"dockls-cache-{r}")
        log(f"round {r + 1}/{args.runs}: dockls (ShellCheck {'on' if sc_bin else 'off'}), {len(files)} files, one process, empty cache")
        try:
            c0 = children_cpu()
            t, p = run_timed(cmd_d_sc, env=env_d, timeout=args.timeout)
            times["dockls"].append(t)
            cpu["dockls"].append(children_cpu() - c0)
            if dockls_out is None:
                dockls_out, dockls_stderr = p.stdout, p.stderr.decode(errors="replace")
                if p.returncode not in (0, 1):
                    log(f"dockls exited {p.returncode}: {dockls_stderr[:500]}")
        except subprocess.TimeoutExpired:
            dockls_hung = True
            log(f"dockls did not finish in {args.timeout}s")
        if sc_bin and has_cache_flag:
            log(f"round {r + 1}/{args.runs}: dockls again, ShellCheck results cached by the run before (as in CI with a kept cache)")
            try:
                c0 = children_cpu()
                t, p = run_timed(cmd_d_sc, env=env_d, timeout=args.timeout)
                times["dockls_warm_cache"].append(t)
                cpu["dockls_warm_cache"].append(children_cpu() - c0)
            except subprocess.TimeoutExpired:
                log(f"dockls (warm cache) did not finish in {args.timeout}s")
        if sc_bin:
            log(f"round {r + 1}/{args.runs}: dockls --shellcheck never")
            try:
                c0 = children_cpu()
                t, p = run_timed(cmd_d_nosc, env=env_d, timeout=args.timeout)
                times["dockls_no_shellcheck"].append(t)
                cpu["dockls_no_shellcheck"].append(children_cpu() - c0)
            except subprocess.TimeoutExpired:
                log(f"dockls --shellcheck never did not finish in {args.timeout}s")
        log(f"round {r + 1}/{args.runs}: hadolint, all files in one process")
        c0 = children_cpu()
        t, p = run_timed(hbase + files, env=env_h, cwd=hcwd, timeout=args.timeout * 4)
        times["hadolint_one_process"].append(t)
        cpu["hadolint_one_process"].append(children_cpu() - c0)
        if h_all_out is None:
            h_all_out = (p.returncode, p.stdout, p.stderr.decode(errors="replace"))
        log(f"round {r + 1}/{args.runs}: hadolint, one process per file")
        t0, c0 = time.perf_counter(), children_cpu()
        for f in files:
            try:
                p = subprocess.run(hbase + [f], env=env_h, cwd=hcwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
                res = {"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr.decode(errors="replace")}
            except subprocess.TimeoutExpired:
                res = {"rc": "timeout", "stdout": b"", "stderr": "timeout after 120 s"}
            if r == 0:
                h_per_file[f] = res
        times["hadolint_per_file"].append(time.perf_counter() - t0)
        cpu["hadolint_per_file"].append(children_cpu() - c0)

    sc_alone = None
    if sc_bin:
        log("ShellCheck alone: every shell-form RUN body, one shellcheck process")
        sc_alone = shellcheck_alone(sc_bin, files, work)

    # ---------------------------------------------------------------- parse outputs
    if dockls_out is None:
        print("dockls produced no output (hung?)", file=sys.stderr)
        return 2
    dj = json.loads(dockls_out)
    d_findings = []  # (file, code, line1, severity, message, col)
    d_input_errors = {}
    for e in dj.get("inputErrors", []):
        d_input_errors[e.get("path") or "?"] = e.get("message", "")
    for fobj in dj["files"]:
        path = str(Path(fobj["path"]).resolve())
        for d in fobj["diagnostics"]:
            d_findings.append((path, d["code"], d["range"]["start"]["line"] + 1, d["severity"], d["message"], d["range"]["start"]["character"] + 1))
    d_checked = {str(Path(f["path"]).resolve()) for f in dj["files"]}
    d_failed = {f: d_input_errors.get(f, "not in output") for f in files if f not in d_checked}
    for p_, m in d_input_errors.items():
        d_failed.setdefault(str(Path(p_).resolve()), m)
    syntax_codes = {c for (_, c, *_rest) in d_findings if c not in rule_ids and not c.startswith("SC")}
    d_syntax_error_files = sorted({f for (f, c, _l, sev, *_r) in d_findings if c in syntax_codes and sev == "error"})

    h_findings = []  # (file, code, line, level, message, col)
    h_crashed = {}
    for f, res in h_per_file.items():
        try:
            items = json.loads(res["stdout"] or b"[]")
        except json.JSONDecodeError:
            items = None
        if res["rc"] != 0 or items is None:
            h_crashed[f] = f"exit {res['rc']}: {res['stderr'].strip()[:300]}"
            continue
        for it in items:
            h_findings.append((f, it["code"], it["line"], it["level"], it["message"], it.get("column", 1)))
    h_parse_failed = {f: msg for (f, c, _l, _lv, msg, _c) in h_findings if c == "DL1000"}

    # The one-process run must agree with the per-file runs.
    rc_all, out_all, err_all = h_all_out
    try:
        all_items = json.loads(out_all or b"[]")
        all_set = collections.Counter((str(Path(it["file"]).resolve()), it["code"], it["line"]) for it in all_items)
        per_set = collections.Counter((f, c, l) for (f, c, l, *_r) in h_findings)
        h_consistent = all_set == per_set
    except json.JSONDecodeError:
        h_consistent = False

    # ---------------------------------------------------------------- compare
    texts = {f: Path(f).read_text(encoding="utf-8", errors="replace") for f in files}
    owners = {f: instruction_starts(t) for f, t in texts.items()}
    lines_of = {f: t.splitlines() for f, t in texts.items()}

    def instr(f, line):
        o = owners[f]
        return o[line] if 0 < line < len(o) and o[line] else line

    excluded = set(d_failed) | set(h_parse_failed) | set(h_crashed)
    compared = [f for f in files if f not in excluded]
    comp_set = set(compared)

    def d_key(code):
        return code  # dockls rule id, SC code or syntax code

    def h_key(code):
        if code.startswith("SC"):
            return code
        return alias.get(code, code)

    # per key: dict of (file, instr_line) -> list of raw findings
    d_by = collections.defaultdict(lambda: collections.defaultdict(list))
    h_by = collections.defaultdict(lambda: collections.defaultdict(list))
    for (f, c, l, sev, msg, col) in d_findings:
        if f in comp_set:
            d_by[d_key(c)][(f, instr(f, l))].append((l, col, msg))
    for (f, c, l, lv, msg, col) in h_findings:
        if f in comp_set:
            h_by[h_key(c)][(f, instr(f, l))].append((l, col, msg, c))

    rule_hcodes = {r["id"]: r["hadolint"] for r in rules}
    # ShellCheck codes hadolint printed per instruction, and how many instructions got >1.
    h_sc_codes = collections.defaultdict(set)
    h_sc_per_run = collections.Counter()
    for (f, c, l, lv, msg, col) in h_findings:
        if f in comp_set and c.startswith("SC"):
            h_sc_codes[(f, instr(f, l))].add(c)
            h_sc_per_run[(f, instr(f, l))] += 1
    d_sc_per_run = collections.Counter()
    for (f, c, l, sev, msg, col) in d_findings:
        if f in comp_set and c.startswith("SC"):
            d_sc_per_run[(f, instr(f, l))] += 1
    rows = []
    disagreements = {}
    for key in sorted(set(d_by) | set(h_by)):
        dk, hk = set(d_by[key]), set(h_by[key])
        both = dk & hk
        same_line = 0
        for k in both:
            dl = {x[0] for x in d_by[key][k]}
            hl = {x[0] for x in h_by[key][k]}
            if dl & hl:
                same_line += 1
        if key.startswith("SC"):
            kind = "shellcheck"
            codes = [key]
        elif key in rule_ids:
            kind = "rule" if rule_hcodes.get(key) else "dockls-only rule"
            codes = rule_hcodes.get(key, [])
        elif key in syntax_codes:
            kind = "dockls syntax"
            codes = []
        else:
            kind = "hadolint-only rule"
            codes = [key]
        rows.append({
            "key": key, "kind": kind, "hadolint_codes": codes,
            "dockls_findings": sum(len(v) for v in d_by[key].values()),
            "hadolint_findings": sum(len(v) for v in h_by[key].values()),
            "both": len(both), "both_same_line": same_line,
            "dockls_only": len(dk - hk), "hadolint_only": len(hk - dk),
        })
        disagreements[key] = {
            "dockls_only": sorted(dk - hk),
            "hadolint_only": sorted(hk - dk),
        }

    # ---------------------------------------------------------------- examples
    def repo_of(f):
        return Path(f).name.split("__", 1)[0]

    def pick(keys):
        """Up to N keys, spread over repositories and files."""
        chosen, seen_repo, seen_file = [], set(), set()
        for pass_ in range(3):
            for k in keys:
                if len(chosen) >= args.examples:
                    return chosen
                f = k[0]
                if k in chosen:
                    continue
                if pass_ == 0 and (repo_of(f) in seen_repo or f in seen_file):
                    continue
                if pass_ == 1 and f in seen_file:
                    continue
                chosen.append(k)
                seen_repo.add(repo_of(f))
                seen_file.add(f)
        return chosen

    classes = []
    for row in rows:
        # Rules only one tool has are differences by construction; review the shared ones.
        if row["kind"] not in ("rule", "shellcheck", "hadolint-only rule"):
            continue
        for side in ("dockls_only", "hadolint_only"):
            if row[side]:
                classes.append((row[side], row["key"], side))
    classes.sort(key=lambda x: (-x[0], x[1], x[2]))
    # Every class of a mapped rule or ShellCheck code is listed; examples for the top ones.
    example_sections = []
    for count, key, side in classes[: args.classes]:
        src = d_by if side == "dockls_only" else h_by
        exs = []
        for (f, il) in pick(disagreements[key][side]):
            raw = src[key][(f, il)]
            line = raw[0][0]
            text = lines_of[f][line - 1] if 0 < line <= len(lines_of[f]) else ""
            itext = lines_of[f][il - 1] if 0 < il <= len(lines_of[f]) else ""
            exs.append({"file": Path(f).name, "line": line, "instruction_line": il,
                        "text": text.strip()[:160], "instruction": itext.strip()[:160], "message": raw[0][2][:200]})
        sec = {"key": key, "side": side, "count": count, "examples": exs}
        if key.startswith("SC") and side == "dockls_only":
            sec["hadolint_other_sc"] = sum(1 for k in disagreements[key][side] if h_sc_codes.get(k, set()) - {key})
        example_sections.append(sec)

    # ---------------------------------------------------------------- report
    med = {k: statistics.median(v) for k, v in times.items() if v}
    n = len(files)
    ratio = lambda a, b: (med[a] / med[b]) if a in med and b in med and med[b] > 0 else None  # noqa: E731
    report = {
        "generated": time.strftime("%Y-%m-%d %H:%M:%S"),
        "label": args.label,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "corpus": str(corpus), "files": n, "compared_files": len(compared),
        "dockls": {"binary": args.dockls, "shellcheck": sc_version or None, "shellcheck_flag": has_sc_flag,
                   "failed_files": d_failed, "syntax_error_files": [Path(f).name for f in d_syntax_error_files],
                   "syntax_codes": sorted(syntax_codes), "stderr": dockls_stderr[:2000], "hung": dockls_hung,
                   "findings": len(d_findings)},
        "hadolint": {"version": hversion, "parse_failed": {Path(f).name: m for f, m in h_parse_failed.items()},
                     "crashed": {Path(f).name: m for f, m in h_crashed.items()},
                     "one_process_matches_per_file": h_consistent, "one_process_exit": rc_all,
                     "findings": len(h_findings)},
        "runs": args.runs,
        "times_s": dict(times),
        "median_s": med,
        "cpu_s": dict(cpu),
        "median_cpu_s": {k: statistics.median(v) for k, v in cpu.items() if v},
        "ratios": {
            "hadolint_per_file_over_dockls": ratio("hadolint_per_file", "dockls"),
            "hadolint_one_process_over_dockls": ratio("hadolint_one_process", "dockls"),
            "hadolint_per_file_over_dockls_no_shellcheck": ratio("hadolint_per_file", "dockls_no_shellcheck"),
            "hadolint_one_process_over_dockls_no_shellcheck": ratio("hadolint_one_process", "dockls_no_shellcheck"),
            "hadolint_one_process_over_dockls_warm_cache": ratio("hadolint_one_process", "dockls_warm_cache"),
        },
        "rules": rows,
        "examples": example_sections,
        "shellcheck_per_run": {
            "hadolint_runs_with_sc": len(h_sc_per_run),
            "hadolint_runs_with_more_than_one_sc": sum(1 for v in h_sc_per_run.values() if v > 1),
            "dockls_runs_with_sc": len(d_sc_per_run),
            "dockls_runs_with_more_than_one_sc": sum(1 for v in d_sc_per_run.values() if v > 1),
        },
        "shellcheck_alone_s": sc_alone,
        "disagreements": {k: {s: [[Path(f).name, l] for (f, l) in v[s]] for s in v} for k, v in disagreements.items()},
    }
    md = render(report)
    Path(args.out_md).write_text(md)
    Path(args.out_json).write_text(json.dumps(report, indent=1) + "\n")
    sys.stdout.write(md)
    return 0


def fmt_s(x):
    return "—" if x is None else (f"{x:.2f} s" if x >= 1 else f"{x * 1000:.0f} ms")


def fmt_r(x):
    return "—" if x is None else f"{x:.1f}×"


def render(rep) -> str:
    out = []
    w = out.append
    med = rep["median_s"]
    n = rep["files"]
    w("# dockls vs hadolint on a real-world corpus\n")
    w(f"Generated {rep['generated']} by `bench/hadolint-compare.sh`{' (' + rep['label'] + ')' if rep['label'] else ''}. "
      f"Corpus: `{rep['corpus']}`, {n} files. {rep['hadolint']['version']}; dockls with "
      f"{'ShellCheck ' + rep['dockls']['shellcheck'] if rep['dockls']['shellcheck'] else 'no ShellCheck'}"
      f"{' (`--shellcheck always`)' if rep['dockls']['shellcheck_flag'] and rep['dockls']['shellcheck'] else ''}; "
      f"hadolint uses the ShellCheck library built into its binary. "
      f"Machine: {rep['machine']['cpus']} CPUs, shared with other work, so times are medians of {rep['runs']} runs.\n")

    w("## Wall time (same run)\n")
    cpu_med = rep.get("median_cpu_s", {})
    w("| tool | how | median | runs (s) | per file | hadolint ÷ this | CPU (user+sys), median |")
    w("|---|---|---:|---|---:|---:|---:|")
    rows = [
        ("dockls", "dockls", "one process, all files" + (", ShellCheck on, empty cache" if rep["dockls"]["shellcheck"] else "")),
        ("dockls", "dockls_warm_cache", "the same again, ShellCheck results cached by the run before"),
        ("dockls", "dockls_no_shellcheck", "one process, all files, `--shellcheck never`"),
        ("hadolint", "hadolint_one_process", "one process, all files as arguments"),
        ("hadolint", "hadolint_per_file", "one process per file (as in CI)"),
    ]
    for tool, key, how in rows:
        if key not in med:
            continue
        samples = ", ".join(f"{x:.2f}" for x in rep["times_s"][key])
        if tool == "dockls":
            a = med.get("hadolint_one_process", 0) / med[key] if med[key] else None
            b = med.get("hadolint_per_file", 0) / med[key] if med[key] else None
            rr = f"{fmt_r(a)} (one process), {fmt_r(b)} (per file)"
        else:
            rr = ""
        c = fmt_s(cpu_med[key]) if key in cpu_med else ""
        w(f"| {tool} | {how} | {fmt_s(med[key])} | {samples} | {fmt_s(med[key] / n)} | {rr} | {c} |")
    r = rep["ratios"]
    w("")
    target = r["hadolint_one_process_over_dockls"]
    w(f"Target (one `dockls check` over the corpus ≥ 15× faster than one hadolint run over the same files): "
      f"with ShellCheck on both sides, hadolint one process ÷ dockls = **{fmt_r(target)}**, hadolint per file ÷ dockls = "
      f"**{fmt_r(r['hadolint_per_file_over_dockls'])}**; without ShellCheck in dockls: "
      f"**{fmt_r(r['hadolint_one_process_over_dockls_no_shellcheck'])}** and "
      f"**{fmt_r(r['hadolint_per_file_over_dockls_no_shellcheck'])}** "
      f"(hadolint always runs its built-in ShellCheck, so the first pair compares the same work)"
      + (f"; with ShellCheck and the results of the previous run cached (CI keeping `~/.cache/dockls`): "
         f"**{fmt_r(r.get('hadolint_one_process_over_dockls_warm_cache'))}**" if r.get("hadolint_one_process_over_dockls_warm_cache") else "")
      + ".\n")
    if "dockls" in cpu_med and "hadolint_one_process" in cpu_med and cpu_med["dockls"] > 0:
        cores = lambda k: cpu_med[k] / med[k] if med.get(k) else 0  # noqa: E731
        w(f"In CPU time (user + system; other work on the machine disturbs it much less than wall time): hadolint "
          f"one process {fmt_s(cpu_med['hadolint_one_process'])} ÷ dockls with ShellCheck {fmt_s(cpu_med['dockls'])} = "
          f"**{fmt_r(cpu_med['hadolint_one_process'] / cpu_med['dockls'])}**. Cores in use (CPU ÷ wall, medians): "
          f"dockls {cores('dockls'):.1f}, hadolint one process {cores('hadolint_one_process'):.1f}.\n")
    sa = rep.get("shellcheck_alone_s")
    if sa:
        par = ""
        if "unique_parallel_s" in sa:
            par = (f"; its {sa['unique_scripts']} distinct bodies, split over {sa['cores']} processes in parallel (one per "
                   f"core), take {fmt_s(sa['unique_parallel_s'])} ({fmt_s(sa['unique_cpu_s'])} CPU): the ShellCheck work "
                   f"dockls cannot avoid, so hadolint one process ÷ that = "
                   f"**{fmt_r(med.get('hadolint_one_process', 0) / sa['unique_parallel_s'])}** is the most any tool that "
                   f"runs the `shellcheck` program on these scripts can reach here")
        cpu_one = f", {fmt_s(sa['one_process_cpu_s'])} CPU" if "one_process_cpu_s" in sa else ""
        w(f"Where the time goes with ShellCheck on: ShellCheck by itself, given the corpus's {sa['scripts']} shell-form "
          f"RUN bodies in one process, takes {fmt_s(sa['one_process_s'])} (one core{cpu_one}){par}. dockls checks each distinct "
          f"script once (cached by script, dialect and declared names), in batches: one `shellcheck` process per "
          f"dialect and chunk of scripts, the chunks spread over the cores; hadolint links ShellCheck in. Without "
          f"ShellCheck, dockls's own parsing and rules take {fmt_s(med.get('dockls_no_shellcheck'))} for the whole "
          f"corpus. (The ShellCheck-alone times are single samples, not medians.)\n")

    w("## Files not checked\n")
    d = rep["dockls"]
    h = rep["hadolint"]
    w(f"- dockls could not check (input error or crash): **{len(d['failed_files'])}**"
      + (f" — {', '.join(Path(f).name for f in d['failed_files'])}" if d["failed_files"] else "")
      + (" (dockls hung in at least one run)" if d["hung"] else ""))
    w(f"- dockls reported error-severity syntax problems (the file is still linted) in **{len(d['syntax_error_files'])}** files"
      + (f": {', '.join('`' + x + '`' for x in d['syntax_error_files'][:20])}" if d["syntax_error_files"] else ""))
    w(f"- hadolint failed to parse (DL1000, no other findings for the file): **{len(h['parse_failed'])}**"
      + (f": {', '.join('`' + x + '`' for x in list(h['parse_failed'])[:30])}" if h["parse_failed"] else ""))
    w(f"- hadolint crashed / exited non-zero / printed no JSON: **{len(h['crashed'])}**"
      + (f": {', '.join('`' + x + '`' for x in h['crashed'])}" if h["crashed"] else ""))
    w(f"- hadolint one-process output identical to the per-file outputs: {'yes' if h['one_process_matches_per_file'] else '**no**'}")
    w(f"\nThe per-rule comparison below covers the {rep['compared_files']} files that both tools checked.\n")

    w("## Findings per rule\n")
    w("Matched per file and instruction line (see the top of `bench/hadolint_compare.py`): **both** = same rule on "
      "the same instruction; *same line* = of those, how many also start on the same raw line; dockls-only / "
      "hadolint-only = the rule fired on that instruction for one tool only. Raw finding counts differ from the "
      "keys when one tool reports several findings per instruction (dockls: one per package). A match that is "
      "not on the *same line* is a range/line mismatch only: hadolint reports the instruction's first line, "
      "dockls the word (package, flag, command) on its own line of a multi-line instruction.\n")

    def table(title, kinds, note=""):
        sel = [x for x in rep["rules"] if x["kind"] in kinds]
        if not sel:
            return
        sel.sort(key=lambda x: (-(x["dockls_only"] + x["hadolint_only"] + x["both"]), x["key"]))
        w(f"### {title}\n")
        if note:
            w(note + "\n")
        w("| rule | hadolint | both | same line | dockls only | hadolint only | dockls findings | hadolint findings |")
        w("|---|---|---:|---:|---:|---:|---:|---:|")
        tot = collections.Counter()
        for x in sel:
            w(f"| `{x['key']}` | {', '.join(x['hadolint_codes'])} | {x['both']} | {x['both_same_line']} | {x['dockls_only']} | "
              f"{x['hadolint_only']} | {x['dockls_findings']} | {x['hadolint_findings']} |")
            for k in ("both", "both_same_line", "dockls_only", "hadolint_only", "dockls_findings", "hadolint_findings"):
                tot[k] += x[k]
        w(f"| **total** | | {tot['both']} | {tot['both_same_line']} | {tot['dockls_only']} | {tot['hadolint_only']} | "
          f"{tot['dockls_findings']} | {tot['hadolint_findings']} |")
        w("")

    table("dockls rules with a hadolint equivalent", {"rule"})
    sp = rep.get("shellcheck_per_run", {})
    table("ShellCheck (dockls runs shellcheck on RUN bodies; hadolint its built-in ShellCheck)", {"shellcheck"},
          f"hadolint printed ShellCheck findings on {sp.get('hadolint_runs_with_sc', 0)} RUNs and never more than one "
          f"per RUN ({sp.get('hadolint_runs_with_more_than_one_sc', 0)} RUNs with two or more); dockls printed them on "
          f"{sp.get('dockls_runs_with_sc', 0)} RUNs, {sp.get('dockls_runs_with_more_than_one_sc', 0)} of them with two or "
          f"more. hadolint also declares every ARG/ENV to ShellCheck as `export NAME=1`, which hides SC2086 on them; "
          f"dockls declares names only.")
    table("hadolint rules dockls has no equivalent for", {"hadolint-only rule"},
          "hadolint codes that no dockls rule lists as an alias (a missing alias or a missing rule).")
    table("dockls rules hadolint has no equivalent for", {"dockls-only rule"},
          "Intentional differences: rules hadolint does not have (BuildKit checks and dockls's own).")
    table("dockls syntax diagnostics", {"dockls syntax"})

    w("## Disagreements reviewed\n")
    w("The largest disagreement classes with examples (`file:line` is where the tool reported; for dockls-only "
      "findings the instruction's first line is shown when it differs). Verdicts were written by reading the "
      "examples and the rule docs (`dockls rule <id>`).\n")
    for sec in rep["examples"]:
        side = "dockls only" if sec["side"] == "dockls_only" else "hadolint only"
        rk = f"{sec['key']}|{sec['side'].replace('_', '-')}"
        verdict = REVIEW.get(rk)
        extra = ""
        if "hadolint_other_sc" in sec:
            extra = f" (on {sec['hadolint_other_sc']} of these RUNs hadolint printed a different SC code)"
        w(f"### `{sec['key']}` — {side}: {sec['count']}{extra}\n")
        if verdict:
            w(f"**{verdict[0]}.** {verdict[1]}\n")
        else:
            w("*Not reviewed yet.*\n")
        for ex in sec["examples"]:
            loc = f"`{ex['file']}:{ex['line']}`"
            w(f"- {loc}: `{ex['text'].replace('`', chr(39))}`"
              + (f" (instruction at {ex['instruction_line']}: `{ex['instruction'].replace('`', chr(39))}`)" if ex["instruction_line"] != ex["line"] else "")
              + f" — {ex['message'].replace('|', '/').replace(chr(10), ' ')}")
        w("")
    w(REVIEW_NOTES)
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
