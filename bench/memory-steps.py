#!/usr/bin/env python3
"""Where dockls's peak memory is reached: the server's VmHWM (peak) and VmRSS (now) after each
step of the LSP benchmark's sequence, on a generated Dockerfile.

Usage: bench/memory-steps.py [LINES=50000] [RUNS=3] [DOCKLS=target/release/dockls]
       (SHAPE=run-dense for the RUN-dense file; ShellCheck runs if it is on PATH)

Steps: initialize, didOpen (until its diagnostics, then 0.3 s for the background work),
documentSymbol, foldingRange, a one-character didChange (until its diagnostics), semantic
tokens. Needs `cargo build --release -p dockls -p dockls-tests` (for gen-dockerfile) and
Linux's /proc. Prints one Markdown table: median MiB per step over RUNS fresh servers.
"""
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINES = int(sys.argv[1]) if len(sys.argv) > 1 else 50000
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
DOCKLS = sys.argv[3] if len(sys.argv) > 3 else os.path.join(ROOT, "target/release/dockls")
GEN = os.path.join(ROOT, "target/release/gen-dockerfile")
URI = "file:///tmp/dockls-memory-steps/Dockerfile"


class Server:
    def __init__(self):
        self.p = subprocess.Popen([DOCKLS, "serve", "--stdio"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  env=dict(os.environ, DOCKLS_OFFLINE="1"))
        self.buf = b""

    def status(self):
        out = {}
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith(("VmHWM", "VmRSS")):
                    key, value = line.split(":")
                    out[key] = int(value.split()[0]) / 1024
        return out

    def send(self, message):
        body = json.dumps(message).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def recv(self):
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                length = int(self.buf[:end].split(b"Content-Length: ")[1])
                if len(self.buf) >= end + 4 + length:
                    body = self.buf[end + 4:end + 4 + length]
                    self.buf = self.buf[end + 4 + length:]
                    return json.loads(body)
            chunk = os.read(self.p.stdout.fileno(), 1 << 20)
            if not chunk:
                raise EOFError("server closed its output")
            self.buf += chunk

    def request(self, id, method, params):
        self.send({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
        while True:
            m = self.recv()
            if m.get("id") == id and "method" not in m:
                return m

    def wait_diagnostics(self, version):
        while True:
            m = self.recv()
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"].get("version") == version:
                return

    def close(self):
        self.request(99, "shutdown", None)
        self.send({"jsonrpc": "2.0", "method": "exit"})
        self.p.wait(timeout=10)


def one_run(text):
    s = Server()
    steps = []
    caps = {"textDocument": {"documentSymbol": {"hierarchicalDocumentSymbolSupport": True}}}
    s.request(1, "initialize", {"processId": None, "rootUri": None, "capabilities": caps})
    s.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    steps.append(("initialize", s.status()))
    s.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": URI, "languageId": "dockerfile", "version": 1, "text": text}}})
    s.wait_diagnostics(1)
    time.sleep(0.3)
    steps.append(("didOpen", s.status()))
    td = {"textDocument": {"uri": URI}}
    s.request(2, "textDocument/documentSymbol", td)
    steps.append(("documentSymbol", s.status()))
    s.request(3, "textDocument/foldingRange", td)
    steps.append(("foldingRange", s.status()))
    line = text.count("\n") // 2
    s.send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": URI, "version": 2},
        "contentChanges": [{"range": {"start": {"line": line, "character": 0},
                                      "end": {"line": line, "character": 0}}, "text": "#"}]}})
    s.wait_diagnostics(2)
    time.sleep(0.3)
    steps.append(("didChange", s.status()))
    s.request(4, "textDocument/semanticTokens/full", td)
    steps.append(("semanticTokens/full", s.status()))
    s.close()
    return steps


def main():
    text = subprocess.run([GEN, str(LINES), os.environ.get("SHAPE", "mixed")], check=True, capture_output=True, text=True).stdout
    runs = [one_run(text) for _ in range(RUNS)]
    print(f"dockls memory after each step, {LINES} lines, median of {RUNS} runs (MiB)\n")
    print("| step | peak (VmHWM) | resident (VmRSS) |")
    print("|---|---:|---:|")
    for k, (name, _) in enumerate(runs[0]):
        hwm = statistics.median(r[k][1]["VmHWM"] for r in runs)
        rss = statistics.median(r[k][1]["VmRSS"] for r in runs)
        print(f"| {name} | {hwm:.1f} | {rss:.1f} |")


if __name__ == "__main__":
    main()
