// Formatters side by side, for bench/fmt-vs-peers.sh: every file of a folder through each npm
// peer and through dockls; per tool: files changed, failed, not idempotent (a second pass
// changes the result) and meaning changed, judged by npm's dockerfile-ast (not our parser):
// same comments, instructions, flags and argument values, whitespace outside quotes aside.
// Two times per tool, each the median of 3 runs, so that every tool is timed on the same thing:
// - format calls: only the calls that turn a file's text into its formatted text, one after
//   the other in one thread, the files read beforehand (the peers in this process; dockls by
//   `fmt_corpus --time`, which parses and formats each file on one thread the same way);
// - whole process: a fresh process started, the tool loaded, every file read, formatted and
//   written to a folder, the process ended (node and its module for the peers, run as
//   `node fmt_peers.js --process <tool> …`; `dockls fmt` over fresh copies for dockls).
// Then textDocument/formatting of one large file by docker-langserver and by `dockls serve`,
// over stdio. Usage: node fmt_peers.js <peers node_modules> <folder> <dockls output folder>
// <dockls not idempotent> <dockls failed> <large file> <dockls binary> <fmt_corpus binary>
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const { spawnSync } = require('child_process');

const PROCESS = process.argv[2] === '--process';
const [modules, dir, docklsOut, docklsUnstable, docklsFailed, largeFile, docklsBin, fmtCorpusBin] = process.argv.slice(PROCESS ? 4 : 2);
const need = (name) => require(path.join(modules, name));
// The report goes to file descriptor 3: dockerfmt's WebAssembly prints its panics and whole
// files on standard output and error, which the script sends to a log.
const report = (line) => fs.writeSync(3, line + '\n');
const ast = PROCESS ? null : need('dockerfile-ast');

const listFiles = (d) => fs.readdirSync(d).filter((f) => !f.endsWith('.md') && fs.statSync(path.join(d, f)).isFile()).sort();
const files = PROCESS ? [] : listFiles(dir);
const inputs = files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ROUNDS = 3;

// Each peer's format function (text in, formatted text out; dockerfmt's is async).
async function formatter(tool) {
  if (tool === 'dockerfmt') {
    const dockerfmt = await import(require('url').pathToFileURL(path.join(modules, '@reteps/dockerfmt', 'dist', 'node.js')).href);
    return (text) => dockerfmt.formatDockerfileContents(text, { indent: 4, trailingNewline: true, spaceRedirects: false });
  }
  if (tool === 'dprint') {
    const { createFromBuffer } = need('@dprint/formatter');
    const plugin = need('@dprint/dockerfile');
    const f = createFromBuffer(fs.readFileSync(plugin.getPath()));
    return (text) => (f.formatText.length >= 2 ? f.formatText('Dockerfile', text) : f.formatText({ filePath: 'Dockerfile', fileText: text }));
  }
  if (tool === 'dockerfile-utils') {
    const utils = need('dockerfile-utils');
    return (text) => applyEdits(text, utils.format(text, { insertSpaces: true, tabSize: 4 }));
  }
  throw new Error(`unknown tool ${tool}`);
}

// `--process <tool> <modules> <folder> <output folder>`: what the whole-process time measures.
async function runProcess() {
  const [tool, mods, inDir, outDir] = process.argv.slice(3);
  void mods;
  const fmt = await formatter(tool);
  for (const f of listFiles(inDir)) {
    let out;
    try { out = await fmt(fs.readFileSync(path.join(inDir, f), 'utf8')); } catch (e) { continue; }
    fs.writeFileSync(path.join(outDir, f), out);
  }
}

// Wall time of `cmd args` (seconds), the median of ROUNDS runs, `before` run untimed first.
function processSeconds(cmd, args, before) {
  const times = [];
  for (let i = 0; i < ROUNDS; i++) {
    if (before) before();
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    if (r.error) throw r.error;
  }
  return median(times);
}

// A peer's whole process: node started, the module loaded, the folder formatted to a scratch folder.
function peerProcessSeconds(tool) {
  const out = fs.mkdtempSync(path.join(require('os').tmpdir(), 'fmt-peer-'));
  try {
    return processSeconds(process.execPath, [__filename, '--process', tool, modules, dir, out]);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

// Text edits (LSP positions; JS strings count UTF-16 units as LSP does) applied to `text`.
function applyEdits(text, edits) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\r' && text[i + 1] === '\n') { starts.push(i + 2); i++; }
    else if (text[i] === '\n' || text[i] === '\r') starts.push(i + 1);
  }
  const at = (p) => Math.min((starts[p.line] ?? text.length) + p.character, text.length);
  const sorted = edits.map((e) => [at(e.range.start), at(e.range.end), e.newText]).sort((a, b) => b[0] - a[0]);
  let out = text;
  for (const [s, e, t] of sorted) out = out.slice(0, s) + t + out.slice(e);
  return out;
}

// A JSON array (exec form), spacing aside, or undefined.
function json(text) {
  if (!/^\s*\[/.test(text)) return undefined;
  try { const v = JSON.parse(text); return Array.isArray(v) ? JSON.stringify(v) : undefined; } catch (e) { return undefined; }
}

// What a Dockerfile says, as dockerfile-ast reads it.
function meaning(text) {
  const df = ast.DockerfileParser.parse(text);
  const squeeze = (s) => s.replace(/\s*(;|&&|\|\||\|)\s*/g, '$1');
  const out = [];
  for (const c of df.getComments()) out.push('#' + c.getContent());
  for (const ins of df.getInstructions()) {
    const row = [ins.getKeyword().toUpperCase()];
    if (typeof ins.getFlags === 'function') for (const f of ins.getFlags()) row.push(`--${f.getName()}=${f.getValue()}`);
    if (typeof ins.getProperties === 'function') {
      for (const p of ins.getProperties()) row.push(`${p.getName()}=${p.getValue()}`);
    } else {
      let joined = ins.getArguments().map((a) => a.getValue()).join(' ');
      // `AS` in FROM is a keyword: its case means nothing.
      if (row[0] === 'FROM') joined = joined.replace(/ as /i, ' AS ');
      row.push(json(joined) ?? squeeze(joined));
    }
    out.push(row.join('\u0000'));
  }
  return out.join('\n');
}

// Files changed, failed, not idempotent and meaning changed by `format` (async or not), and
// the median over ROUNDS of the time its calls take over all files.
async function tally(name, format, processTime) {
  let changed = 0, failed = 0, unstable = 0, meaningChanged = 0;
  const rounds = [];
  let outs;
  for (let round = 0; round < ROUNDS; round++) {
    let t = 0n;
    outs = [];
    for (const text of inputs) {
      const t0 = process.hrtime.bigint();
      let out;
      try {
        out = format(text);
        // Only dockerfmt answers with a promise: the others are not awaited (no extra tick).
        if (out && typeof out.then === 'function') out = await out;
      } catch (e) { out = null; }
      t += process.hrtime.bigint() - t0;
      outs.push(out);
    }
    rounds.push(Number(t) / 1e9);
  }
  for (let i = 0; i < inputs.length; i++) {
    const text = inputs[i], out = outs[i];
    if (out == null) { failed++; continue; }
    if (out !== text) changed++;
    let again;
    try { again = await format(out); } catch (e) { again = null; }
    if (again !== out) unstable++;
    try { if (meaning(text) !== meaning(out)) meaningChanged++; } catch (e) { meaningChanged++; }
  }
  return { name, changed, failed, unstable, meaningChanged, calls: median(rounds), process: processTime };
}

async function main() {
  const rows = [];
  // dockls: its output folder, written by `dockls fmt` (idempotence and failures measured by the script).
  {
    let changed = 0, meaningChanged = 0;
    files.forEach((f, i) => {
      const out = fs.readFileSync(path.join(docklsOut, f), 'utf8');
      if (out !== inputs[i]) changed++;
      try { if (meaning(inputs[i]) !== meaning(out)) meaningChanged++; } catch (e) { meaningChanged++; }
    });
    // Format calls: fmt_corpus prints "<n> files: <ms> ms (…)", the median of its 3 rounds.
    const timed = spawnSync(fmtCorpusBin, ['--time', dir], { encoding: 'utf8' });
    const m = /files: ([0-9.]+) ms/.exec(timed.stdout || '');
    if (!m) throw new Error(`fmt_corpus --time: ${timed.stdout}${timed.stderr}`);
    // Whole process: `dockls fmt` over fresh copies of the files (copied before each run, untimed).
    const scratch = fs.mkdtempSync(path.join(require('os').tmpdir(), 'fmt-dockls-'));
    const copies = files.map((f) => path.join(scratch, f));
    const copy = () => files.forEach((f, i) => fs.writeFileSync(copies[i], inputs[i]));
    const seconds = processSeconds(docklsBin, ['fmt', ...copies], copy);
    fs.rmSync(scratch, { recursive: true, force: true });
    rows.push({ name: 'dockls', changed, failed: Number(docklsFailed), unstable: Number(docklsUnstable), meaningChanged, calls: Number(m[1]) / 1e3, process: seconds });
  }
  for (const [tool, name] of [['dockerfmt', 'dockerfmt 0.5.4'], ['dprint', 'dprint-plugin-dockerfile 0.6.0'], ['dockerfile-utils', 'dockerfile-utils 0.16.3']]) {
    try {
      rows.push(await tally(name, await formatter(tool), peerProcessSeconds(tool)));
    } catch (e) {
      report(`${name}: not run (${e.message})`);
    }
  }
  report(`\n${files.length} files in ${dir}; times are medians of ${ROUNDS} runs. Format calls: the formatting`);
  report('calls only, one thread, files already read. Whole process: start, load, read, format, write, exit.\n');
  report('| formatter | changed | failed | not idempotent | meaning changed | format calls (s) | whole process (s) |');
  report('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) report(`| ${r.name} | ${r.changed} | ${r.failed} | ${r.unstable} | ${r.meaningChanged} | ${r.calls.toFixed(3)} | ${r.process.toFixed(3)} |`);

  // One large file through both language servers' textDocument/formatting.
  const large = fs.readFileSync(largeFile, 'utf8');
  const peer = path.join(modules, 'dockerfile-language-server-nodejs', 'bin', 'docker-langserver');
  const lines = large.split('\n').length;
  const a = await lspFormatting(process.execPath, [peer, '--stdio'], large);
  const b = await lspFormatting(docklsBin, ['serve'], large);
  report(`\ntextDocument/formatting of a ${lines}-line file: docker-langserver ${a.ms.toFixed(0)} ms (${a.edits} edits), dockls ${b.ms.toFixed(0)} ms (${b.edits} edits): ${(a.ms / b.ms).toFixed(1)}x`);
}

// Starts a language server, opens `text` and times one textDocument/formatting request.
function lspFormatting(cmd, args, text) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    let buf = Buffer.alloc(0), id = 0, published = null;
    const diagnostics = new Promise((res) => { published = res; });
    const pending = new Map();
    const send = (msg) => {
      const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }));
      child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
      child.stdin.write(body);
    };
    const request = (method, params) => new Promise((res) => { id++; pending.set(id, res); send({ id, method, params }); });
    child.stdout.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const sep = buf.indexOf('\r\n\r\n');
        if (sep < 0) return;
        const len = Number(/Content-Length: *(\d+)/i.exec(buf.slice(0, sep).toString())[1]);
        if (buf.length < sep + 4 + len) return;
        const msg = JSON.parse(buf.slice(sep + 4, sep + 4 + len).toString());
        buf = buf.slice(sep + 4 + len);
        if (msg.method === 'textDocument/publishDiagnostics' && published) { published(); published = null; }
        if (msg.id !== undefined && msg.method) send({ id: msg.id, result: msg.method === 'workspace/configuration' ? (msg.params.items || []).map(() => null) : null });
        else if (msg.id !== undefined && pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); }
      }
    });
    child.on('error', reject);
    (async () => {
      await request('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
      send({ method: 'initialized', params: {} });
      const uri = 'file:///bench/Dockerfile';
      send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'dockerfile', version: 1, text } } });
      // Timed once the document is analysed and its diagnostics published (the servers'
      // background work would otherwise share the cores with the formatting): the median of 3.
      await Promise.race([diagnostics, new Promise((res) => setTimeout(res, 30000))]);
      await new Promise((res) => setTimeout(res, 1000));
      const times = [];
      let r;
      for (let i = 0; i < 3; i++) {
        const started = process.hrtime.bigint();
        r = await request('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 4, insertSpaces: true } });
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      const ms = times.sort((x, y) => x - y)[1];
      await request('shutdown', null);
      send({ method: 'exit' });
      setTimeout(() => child.kill(), 2000).unref();
      resolve({ ms, edits: (r.result || []).length });
    })().catch(reject);
  });
}

(PROCESS ? runProcess() : main()).catch((e) => { console.error(e); process.exit(1); });
