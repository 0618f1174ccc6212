#!/usr/bin/env python3
"""Joins the JSON of several `lsp-bench --runs 1` invocations (one per round, same server,
shape and sizes) into the JSON one `lsp-bench --runs N` would have written: the samples of each
metric and size in round order, and the median, min, max and counts recomputed from them the
way lsp-bench computes them. `bench/lsp-vs-peers.sh` uses it to interleave the servers' runs.

usage: merge-lsp-bench.py OUT.json ROUND1.json ROUND2.json ...
"""
import json
import re
import sys


def summarize(samples):
    values = sorted(s for s in samples if isinstance(s, (int, float)))
    timeouts = sum(1 for s in samples if s == "timeout")
    not_supported = sum(1 for s in samples if s == "n/a")
    errors = sum(1 for s in samples if isinstance(s, dict))
    if not values:
        median = None
    elif len(values) % 2:
        median = values[len(values) // 2]
    else:
        median = (values[len(values) // 2 - 1] + values[len(values) // 2]) / 2
    if values:
        status = "ok"
    elif not_supported == len(samples):
        status = "n/a"
    elif timeouts > 0 and timeouts >= errors:
        status = "timeout"
    else:
        status = "error"
    return {
        "status": status,
        "median": None if median is None else round(median, 3),
        "min": values[0] if values else None,
        "max": values[-1] if values else None,
        "ok": len(values),
        "timeouts": timeouts,
        "errors": errors,
        "not_supported": not_supported,
    }


def shown(summary, unit):
    if summary["status"] != "ok":
        return summary["status"]
    v = summary["median"]
    if unit == "ms":
        return f"{v:.2f} ms" if v < 10 else f"{v:.1f} ms"
    return f"{v:.1f} {unit}"


def round_of(path):
    m = re.search(r"-r(\d+)\.json$", path)
    return int(m.group(1)) if m else 0


def main():
    out_path, parts = sys.argv[1], sorted(sys.argv[2:], key=round_of)
    if not parts:
        sys.exit("merge-lsp-bench: no input")
    docs = [json.load(open(p)) for p in parts]
    merged = dict(docs[0])
    merged["runs"] = sum(d["runs"] for d in docs)
    merged["server_info"] = next((d["server_info"] for d in docs if d.get("server_info")), None)
    merged["problems"] = [dict(p, run=k) for k, d in enumerate(docs, 1) for p in d.get("problems", [])]
    rows = []
    for row in docs[0]["results"]:
        key = (row["metric"], row["lines"])
        samples = [s for d in docs for r in d["results"] if (r["metric"], r["lines"]) == key for s in r["samples"]]
        summary = summarize(samples)
        rows.append(dict(row, **summary, display=shown(summary, row["unit"]), samples=samples))
    merged["results"] = rows
    with open(out_path, "w") as f:
        json.dump(merged, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
