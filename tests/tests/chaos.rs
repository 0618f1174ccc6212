//! Random typing against the real binary: edits built from Dockerfile fragments, line breaks of
//! every kind, emoji and CJK, interleaved with every request the server answers, at valid and
//! invalid positions. Whatever the text becomes, no request may fail with an internal error, no
//! handler may panic, every range the server sends must lie inside the document the client
//! has, and the final diagnostics, symbols and tokens must equal those of a fresh open of the
//! client's text (no edit lost or reordered).
//!
//! Deterministic: the seed is fixed (override with `CHAOS_SEED`, longer runs with
//! `CHAOS_STEPS`). `CHAOS_LOG=path` writes the edits, for `cargo run --release -p dockls
//! --example replay -- path`, which finds the first divergence in-process and shrinks it.

use dockls_tests::client::{dockls_binary, full_change, range_change, text_document, LspClient};
use dockls_tests::rng::Rng;
use serde_json::{json, Value};

const URI: &str = "file:///work/chaos/Dockerfile";

/// What the random typing inserts: pieces of instructions, the characters that change how a
/// line is read (quotes, escapes, heredoc markers, brackets), and non-ASCII text.
const PIECES: &[&str] = &[
    "RUN echo hi\n", "FROM alpine:3.20 AS build\n", "FROM build\n", "COPY --from=build /a /b\n",
    "RUN --mount=type=cache,target=/root/.cache pip install x\n", "ARG VERSION=1\n", "ENV A=b C=\"d e\"\n",
    "${VERSION:-2}", "$A", "\\\n", "<<EOF\n", "<<-'END'\n", "EOF\n", "END\n", "[\"sh\", \"-c\", \"x\"]", "\"", "'",
    "[", "]", "=", "--", "--platform=$BUILDPLATFORM ", "AS ", " ", "\t", "#", "# escape=`\n", "`\n", "\n", "\r\n",
    "\r", "🐳", "日本語", "é", "\u{FEFF}", "\u{0}", "ONBUILD ", "HEALTHCHECK --interval=5s CMD true\n",
    "USER 1000:1000\n", "EXPOSE 80/tcp 443\n", "WORKDIR /app\n", "SHELL [\"bash\", \"-c\"]\n", "LABEL a=b\n",
    "STOPSIGNAL SIGTERM\n", "CMD [\"x\"\n", "ADD --chmod=755 https://example.com/a /a\n", "MAINTAINER me\n",
    // Instructions that may end after their flags (typed a word at a time).
    "COPY --link ", "ADD ", "HEALTHCHECK --retries=3 ", "CMD ",
];

const START: &str = "# syntax=docker/dockerfile:1\r\nARG BASE=alpine:3.20\nFROM ${BASE} AS 构建\nRUN apk add --no-cache curl \\\n    && echo \"🐳\"\nCOPY <<EOF /etc/motd\nhello\nEOF\n\nFROM 构建\nCMD [\"sh\"]\n";

/// The client's view of positions, as the LSP specification defines them: lines end at `\n`,
/// `\r\n` or a lone `\r`; characters count UTF-16 code units or UTF-8 bytes.
struct Lines<'a> {
    text: &'a str,
    /// Byte offset where each line starts, and where its content ends (before the break).
    lines: Vec<(usize, usize)>,
    utf8: bool,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str, utf8: bool) -> Self {
        let b = text.as_bytes();
        let (mut lines, mut start, mut i) = (Vec::new(), 0, 0);
        while i < b.len() {
            match b[i] {
                b'\n' => {
                    lines.push((start, i));
                    start = i + 1;
                }
                b'\r' if b.get(i + 1) == Some(&b'\n') => {
                    lines.push((start, i));
                    i += 1;
                    start = i + 1;
                }
                b'\r' => {
                    lines.push((start, i));
                    start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        lines.push((start, b.len()));
        Lines { text, lines, utf8 }
    }

    fn width(&self, s: &str) -> usize {
        if self.utf8 { s.len() } else { s.encode_utf16().count() }
    }

    /// The position of a byte offset that is a character boundary and not inside a `\r\n`.
    fn position(&self, offset: usize) -> (u32, u32) {
        let line = self.lines.partition_point(|&(start, _)| start <= offset) - 1;
        let (start, _) = self.lines[line];
        (line as u32, self.width(&self.text[start..offset]) as u32)
    }

    /// Offsets where an edit may start or end.
    fn boundaries(&self) -> Vec<usize> {
        let b = self.text.as_bytes();
        (0..=self.text.len())
            .filter(|&o| self.text.is_char_boundary(o) && !(o > 0 && b[o - 1] == b'\r' && b.get(o) == Some(&b'\n')))
            .collect()
    }

    /// Checks that `(line, character)` is a position inside the document.
    fn check(&self, p: &Value, what: &str) {
        let (line, ch) = (p["line"].as_u64().unwrap_or(u64::MAX), p["character"].as_u64().unwrap_or(u64::MAX));
        assert!((line as usize) < self.lines.len(), "{what}: line {line} of {} lines", self.lines.len());
        let (start, end) = self.lines[line as usize];
        let width = self.width(&self.text[start..end]) as u64;
        assert!(ch <= width, "{what}: character {ch} past the end ({width}) of line {line} {:?}", &self.text[start..end]);
    }

    /// Every `{start, end}` range in `v` lies inside the document, start before end.
    fn check_ranges(&self, v: &Value, what: &str) {
        match v {
            Value::Object(o) => {
                if let (Some(s), Some(e)) = (o.get("start"), o.get("end")) {
                    if s.get("line").is_some() {
                        self.check(s, what);
                        self.check(e, what);
                        let key = |p: &Value| (p["line"].as_u64(), p["character"].as_u64());
                        assert!(key(s) <= key(e), "{what}: range ends before it starts: {v}");
                    }
                }
                o.values().for_each(|c| self.check_ranges(c, what));
            }
            Value::Array(a) => a.iter().for_each(|c| self.check_ranges(c, what)),
            _ => {}
        }
    }

    /// Every semantic token (relative lines and starts, as the client decodes them) lies
    /// within one line of the document.
    fn check_tokens(&self, v: &Value, what: &str) {
        let Some(data) = v.get("data").and_then(Value::as_array) else { return };
        assert_eq!(data.len() % 5, 0, "{what}: token data is not in fives");
        let (mut line, mut start) = (0u64, 0u64);
        for t in data.chunks(5) {
            let n = |k: usize| t[k].as_u64().expect("token numbers are unsigned");
            if n(0) > 0 {
                line += n(0);
                start = n(1);
            } else {
                start += n(1);
            }
            self.check(&json!({ "line": line, "character": start + n(2) }), &format!("{what}: token end"));
        }
    }

    /// Every folding range starts before it ends, inside the document.
    fn check_folds(&self, v: &Value, what: &str) {
        for f in v.as_array().into_iter().flatten() {
            let (s, e) = (f["startLine"].as_u64().unwrap(), f["endLine"].as_u64().unwrap());
            assert!(s <= e && (e as usize) < self.lines.len(), "{what}: {f} in {} lines", self.lines.len());
        }
    }
}


/// A random position: usually on a real line near its start, sometimes far past a line's end
/// or past the last line, and by chance inside an emoji's surrogate pair.
fn any_position(rng: &mut Rng, lines: &Lines) -> Value {
    let line = rng.below(lines.lines.len() + 2);
    let ch = if rng.chance(80) { rng.below(40) } else { rng.below(5000) };
    json!({ "line": line, "character": ch })
}

fn requests(rng: &mut Rng, c: &mut LspClient, lines: &Lines, diagnostics: &Value) {
    let td = json!({ "uri": URI });
    let p = any_position(rng, lines);
    let q = any_position(rng, lines);
    let (a, b) = if (p["line"].as_u64(), p["character"].as_u64()) <= (q["line"].as_u64(), q["character"].as_u64()) { (p, q) } else { (q, p) };
    let names = ["x", "new-stage", "", "bad name", "日本", "A_1"];
    let all: Vec<(&str, Value)> = vec![
        ("textDocument/hover", json!({ "textDocument": td, "position": a })),
        ("textDocument/definition", json!({ "textDocument": td, "position": a })),
        ("textDocument/references", json!({ "textDocument": td, "position": a, "context": { "includeDeclaration": true } })),
        ("textDocument/documentHighlight", json!({ "textDocument": td, "position": a })),
        ("textDocument/prepareRename", json!({ "textDocument": td, "position": a })),
        ("textDocument/rename", json!({ "textDocument": td, "position": a, "newName": names[rng.below(names.len())] })),
        ("textDocument/selectionRange", json!({ "textDocument": td, "positions": [a, b] })),
        ("textDocument/codeAction", json!({ "textDocument": td, "range": { "start": a, "end": b },
            "context": { "diagnostics": diagnostics, "only": if rng.chance(30) { json!(["source.fixAll"]) } else { Value::Null } } })),
        ("textDocument/semanticTokens/range", json!({ "textDocument": td, "range": { "start": a, "end": b } })),
        ("textDocument/semanticTokens/full", json!({ "textDocument": td })),
        ("textDocument/documentSymbol", json!({ "textDocument": td })),
        ("textDocument/foldingRange", json!({ "textDocument": td })),
        ("textDocument/documentLink", json!({ "textDocument": td })),
    ];
    for _ in 0..3 {
        let (method, params) = &all[rng.below(all.len())];
        match c.request(method, params.clone()) {
            Ok(result) => {
                lines.check_ranges(&result, method);
                lines.check_tokens(&result, method);
                if *method == "textDocument/foldingRange" {
                    lines.check_folds(&result, method);
                }
            }
            // A rename the server refuses (not a name, nothing to rename) is an answer; an
            // internal error is a bug.
            Err(e) => assert!(*method == "textDocument/rename" && e["code"] != -32603, "{method} {params}: {e}"),
        }
    }
}

fn chaos(utf8: bool, seed: u64, steps: usize) {
    let mut rng = Rng(seed);
    let mut c = LspClient::spawn_without_shellcheck(&dockls_binary(), &["serve", "--stdio"]);
    let offer = if utf8 { json!({"general": {"positionEncodings": ["utf-8"]}}) } else { json!({}) };
    c.initialize("file:///work/chaos", offer);
    assert_eq!(c.position_encoding(), if utf8 { "utf-8" } else { "utf-16" });
    let mut text = START.to_string();
    c.did_open(URI, &text);
    let mut version = 1;
    let mut log: Vec<Value> = Vec::new();
    let mut diagnostics = c.wait_diagnostics(URI, Some(1))["params"]["diagnostics"].clone();
    for step in 0..steps {
        // A burst of notifications sent without waiting, each with one to three changes (a
        // later change's positions are in the text the earlier ones made), then the
        // diagnostics of the last.
        for _ in 0..1 + rng.below(4) {
            let mut changes = Vec::new();
            for _ in 0..if rng.chance(20) { 2 + rng.below(2) } else { 1 } {
                let lines = Lines::new(&text, utf8);
                let cuts = lines.boundaries();
                let from = cuts[rng.below(cuts.len())];
                let to = if rng.chance(40) { cuts[(cuts.partition_point(|&o| o < from) + rng.below(30)).min(cuts.len() - 1)] } else { from };
                let insert = if rng.chance(15) { "" } else { PIECES[rng.below(PIECES.len())] };
                let (sl, sc) = lines.position(from);
                let (el, ec) = lines.position(to);
                text.replace_range(from..to, insert);
                // Now and then the whole text, as clients without incremental sync send it.
                changes.push(if rng.chance(3) { full_change(&text) } else { range_change(sl, sc, el, ec, insert) });
            }
            version += 1;
            c.did_change(URI, version, Value::Array(changes.clone()));
            log.push(Value::Array(changes));
        }
        // Written before anything can fail, so the failing sequence can be replayed.
        if let Ok(path) = std::env::var("CHAOS_LOG") {
            let record = json!({ "start": START, "utf8": utf8, "edits": log });
            std::fs::write(path, record.to_string()).expect("CHAOS_LOG is writable");
        }
        let published = c.wait_diagnostics(URI, Some(version));
        diagnostics = published["params"]["diagnostics"].clone();
        let lines = Lines::new(&text, utf8);
        lines.check_ranges(&diagnostics, &format!("diagnostics at step {step}"));
        requests(&mut rng, &mut c, &lines, &diagnostics);
        same_as_fresh_open(&mut c, &text, &diagnostics, &format!("step {step}"), step % 10 == 9);
    }
    same_as_fresh_open(&mut c, &text, &diagnostics, "the end", true);
    let stderr = c.stderr();
    assert!(!stderr.contains("panicked"), "a handler panicked:\n{stderr}");
    c.shutdown_and_exit();
}

/// The server's document is the client's text, and its answers depend on that text alone, not
/// on how it was typed: a fresh open of the same text gets the same diagnostics (and, with
/// `all`, the same symbols, tokens and folds). Replay a failure in-process with `CHAOS_LOG` and
/// the `replay` example.
fn same_as_fresh_open(c: &mut LspClient, text: &str, diagnostics: &Value, when: &str, all: bool) {
    // A new URI each time: nothing published for an earlier one can be mistaken for this.
    let fresh = &format!("file:///work/chaos/fresh-{}/Dockerfile", when.replace(' ', "-"));
    c.did_open(fresh, text);
    // Related locations name the document they are in.
    let published = c.wait_diagnostics(fresh, Some(1))["params"]["diagnostics"].to_string().replace(fresh, URI);
    let fresh_diagnostics: Value = serde_json::from_str(&published).expect("diagnostics are JSON");
    if *diagnostics != fresh_diagnostics {
        let (a, b) = (diagnostics.as_array().unwrap(), fresh_diagnostics.as_array().unwrap());
        let only_edited: Vec<_> = a.iter().filter(|d| !b.contains(d)).collect();
        let only_fresh: Vec<_> = b.iter().filter(|d| !a.contains(d)).collect();
        panic!("{when}: diagnostics differ from a fresh open of {text:?}\nonly edited: {only_edited:#?}\nonly fresh: {only_fresh:#?}");
    }
    for method in ["textDocument/documentSymbol", "textDocument/semanticTokens/full", "textDocument/foldingRange"] {
        if !all {
            break;
        }
        let edited = c.request(method, text_document(URI)).unwrap();
        let opened = c.request(method, text_document(fresh)).unwrap();
        assert_eq!(edited, opened, "{when}: {method} differs from a fresh open of {text:?}");
    }
    c.did_close(fresh);
}

fn seed() -> u64 {
    std::env::var("CHAOS_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5EED_D0C4_E12F_11E5)
}

fn steps() -> usize {
    std::env::var("CHAOS_STEPS").ok().and_then(|s| s.parse().ok()).unwrap_or(150)
}

#[test]
fn random_typing_in_utf16_never_breaks_the_server() {
    chaos(false, seed(), steps());
}

#[test]
fn random_typing_in_utf8_never_breaks_the_server() {
    chaos(true, seed() ^ 0x9E37_79B9_7F4A_7C15, steps());
}

/// Texts a reopened document gets: with and without findings, one with a rule the settings
/// below turn off.
const REOPEN: &[&str] = &[
    "FROM alpine:3.20\nRUNN echo typo\nEXPOSE 70000\n",
    "FROM alpine:3.20\nRUN echo ok\n",
    "FROM ubuntu\nRUN apt-get install curl\nUSER root\n",
    "",
];

/// Two documents opened, edited, closed and reopened (with version 1 again, as editors do) while
/// the settings change, all without waiting. Whenever the server has settled, the last
/// diagnostics published for a closed document are empty and for an open one they are those of
/// its current version under the current settings — never a late answer for an older version,
/// an earlier open of the same URI, or older settings.
#[test]
fn closing_reopening_and_settings_changes_leave_the_last_word_right() {
    let mut rng = Rng(seed() ^ 0xC105_E0FE);
    let mut c = LspClient::spawn_without_shellcheck(&dockls_binary(), &["serve", "--stdio"]);
    c.initialize("file:///work/chaos", json!({}));
    let uris = ["file:///work/chaos/a/Dockerfile", "file:///work/chaos/b/Dockerfile"];
    // (text, version) of each open document; None when closed.
    let mut docs: Vec<Option<(String, i64)>> = vec![None, None];
    let settings = [json!({}), json!({"dockls": {"ignore": ["unknown-instruction"]}}), json!({"dockls": {"severity": {"expose-port-range": "hint"}}})];
    let mut current_settings = 0;
    // The last publishDiagnostics seen per URI, in arrival order.
    let mut last: std::collections::HashMap<String, Value> = Default::default();
    let record = |last: &mut std::collections::HashMap<String, Value>, messages: Vec<Value>| {
        for m in messages {
            if m["method"] == "textDocument/publishDiagnostics" {
                last.insert(m["params"]["uri"].as_str().unwrap().to_string(), m["params"].clone());
            }
        }
    };
    for round in 0..steps() / 5 {
        // Documents opened or edited this round: a publish for their new version is due.
        let mut changed = [false, false];
        for _ in 0..1 + rng.below(8) {
            let k = rng.below(2);
            match (&mut docs[k], rng.below(10)) {
                (None, _) => {
                    let text = REOPEN[rng.below(REOPEN.len())].to_string();
                    c.did_open(uris[k], &text);
                    docs[k] = Some((text, 1));
                    changed[k] = true;
                }
                (Some(_), 0 | 1) => {
                    c.did_close(uris[k]);
                    docs[k] = None;
                }
                (Some(_), 2) => {
                    current_settings = rng.below(settings.len());
                    c.set_settings(settings[current_settings].clone());
                    c.notify("workspace/didChangeConfiguration", json!({ "settings": {} }));
                }
                (Some((text, version)), _) => {
                    let lines = Lines::new(text, false);
                    let cuts = lines.boundaries();
                    let at = cuts[rng.below(cuts.len())];
                    let (l, ch) = lines.position(at);
                    let insert = PIECES[rng.below(PIECES.len())];
                    text.insert_str(at, insert);
                    *version += 1;
                    c.did_change(uris[k], *version, json!([range_change(l, ch, l, ch, insert)]));
                    changed[k] = true;
                }
            }
        }
        // Settle: read in arrival order until every changed document's current version was
        // published and then nothing more came for a while (settings are pulled and applied
        // asynchronously, and a late answer would come after).
        let deadline = std::time::Instant::now() + c.timeout();
        loop {
            let messages = c.drain_for(std::time::Duration::from_millis(150));
            let quiet = messages.is_empty();
            record(&mut last, messages);
            let published = (0..2).all(|k| match &docs[k] {
                Some((_, version)) if changed[k] => last.get(uris[k]).is_some_and(|p| p["version"] == json!(version)),
                _ => true,
            });
            if published && quiet {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "round {round}: no diagnostics for the current versions of {docs:?}");
        }
        for (k, uri) in uris.iter().enumerate() {
            let seen = last.get(*uri).cloned().unwrap_or(json!({ "diagnostics": [] }));
            match &docs[k] {
                None => assert_eq!(seen["diagnostics"], json!([]), "round {round}: {uri} is closed but shows {seen}"),
                Some((text, version)) => {
                    assert_eq!(seen["version"], json!(version), "round {round}: {uri}: {seen}");
                    // What a fresh open of the same text gets under the same settings.
                    let fresh = format!("file:///work/chaos/fresh-{round}-{k}/Dockerfile");
                    c.did_open(&fresh, text);
                    let expected = c.wait_diagnostics(&fresh, Some(1))["params"]["diagnostics"].to_string().replace(&fresh, uri);
                    c.did_close(&fresh);
                    let expected: Value = serde_json::from_str(&expected).expect("diagnostics are JSON");
                    if seen["diagnostics"] != expected {
                        let (a, b) = (seen["diagnostics"].as_array().unwrap(), expected.as_array().unwrap());
                        let only_published: Vec<_> = a.iter().filter(|d| !b.contains(d)).collect();
                        let only_fresh: Vec<_> = b.iter().filter(|d| !a.contains(d)).collect();
                        panic!("round {round}: {uri} v{version} (settings {}) text {text:?}\nonly published: {only_published:#?}\nonly fresh: {only_fresh:#?}", settings[current_settings]);
                    }
                }
            }
        }
        c.discard_queued("textDocument/publishDiagnostics");
    }
    let stderr = c.stderr();
    assert!(!stderr.contains("panicked"), "a handler panicked:\n{stderr}");
    c.shutdown_and_exit();
}

/// A document closed while its diagnostics are still being computed, then opened again with
/// other text at the same version number (editors restart at 1): the late answer for the old
/// text must not be published over the new text's.
#[test]
fn a_late_answer_for_a_closed_document_does_not_cover_its_reopened_text() {
    let mut c = LspClient::spawn_without_shellcheck(&dockls_binary(), &["serve", "--stdio"]);
    c.initialize("file:///work/chaos", json!({}));
    let big = dockls_tests::synth::dockerfile(20_000);
    // How long the big text takes, to know how long a late answer could take.
    let started = std::time::Instant::now();
    c.did_open("file:///work/chaos/timing/Dockerfile", &big);
    c.wait_diagnostics("file:///work/chaos/timing/Dockerfile", Some(1));
    let analysis_time = started.elapsed();

    let uri = "file:///work/chaos/reopened/Dockerfile";
    let small = "FROM alpine:3.20\nRUNN echo typo\n";
    c.did_open(uri, &big);
    c.did_close(uri);
    c.did_open(uri, small);
    let expected = {
        let fresh = "file:///work/chaos/expected/Dockerfile";
        c.did_open(fresh, small);
        c.wait_diagnostics(fresh, Some(1))["params"]["diagnostics"].to_string().replace(fresh, uri)
    };
    // Everything published for the URI until well after the old text could have been analysed.
    let mut last = None;
    let deadline = std::time::Instant::now() + analysis_time * 3 + std::time::Duration::from_millis(500);
    while std::time::Instant::now() < deadline {
        for m in c.drain_for(std::time::Duration::from_millis(100)) {
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri {
                last = Some(m["params"]["diagnostics"].to_string());
            }
        }
    }
    assert_eq!(last.as_deref(), Some(expected.as_str()), "the reopened document shows diagnostics of its old text");
    c.shutdown_and_exit();
}
