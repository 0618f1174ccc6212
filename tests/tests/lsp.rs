//! End-to-end tests: the real `dockls` binary over stdio, driven by the JSON-RPC client.

use std::time::Duration;

use dockls_tests::client::{
    dockls_binary, encode_message, full_change, range_change, text_document, text_document_position, LspClient,
};
use serde_json::{json, Value};

const APP: &str = include_str!("fixtures/app.Dockerfile");
const URI: &str = "file:///work/project/Dockerfile";

fn server() -> LspClient {
    let mut c = LspClient::spawn(&dockls_binary(), &["serve", "--stdio"]);
    c.initialize("file:///work/project", json!({}));
    c
}

fn opened(text: &str) -> LspClient {
    let mut c = server();
    c.did_open(URI, text);
    c.wait_diagnostics(URI, Some(1));
    c
}

/// `line:col-line:col "text"` for a range in `text` (UTF-16 positions, single-line ranges).
fn show_range(text: &str, r: &Value) -> String {
    let (sl, sc) = (r["start"]["line"].as_u64().unwrap(), r["start"]["character"].as_u64().unwrap());
    let (el, ec) = (r["end"]["line"].as_u64().unwrap(), r["end"]["character"].as_u64().unwrap());
    let snippet = if sl == el {
        let line: Vec<u16> = text.lines().nth(sl as usize).unwrap_or("").encode_utf16().collect();
        String::from_utf16_lossy(&line[sc as usize..(ec as usize).min(line.len())])
    } else {
        "…".into()
    };
    format!("{}:{}-{}:{} {:?}", sl + 1, sc + 1, el + 1, ec + 1, snippet)
}

fn pos_of(text: &str, needle: &str) -> (u32, u32) {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in fixture"));
    let line = text[..at].matches('\n').count() as u32;
    let col = text[..at].rsplit('\n').next().unwrap().encode_utf16().count() as u32;
    (line, col)
}

#[test]
fn initialize_advertises_capabilities_and_negotiates_encoding() {
    let mut c = server();
    let caps = c.server_capabilities().clone();
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    for cap in ["documentSymbolProvider", "definitionProvider", "referencesProvider", "documentHighlightProvider",
        "foldingRangeProvider", "selectionRangeProvider", "documentLinkProvider", "semanticTokensProvider"] {
        assert!(!caps[cap].is_null(), "{cap} missing");
    }
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    c.shutdown_and_exit();

    let mut c = LspClient::spawn(&dockls_binary(), &[]);
    c.initialize("file:///w", json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}));
    assert_eq!(c.server_capabilities()["positionEncoding"], "utf-8");
    c.shutdown_and_exit();
}

#[test]
fn diagnostics_have_exact_ranges() {
    let mut c = server();
    c.did_open(URI, APP);
    let msg = c.wait_diagnostics(URI, Some(1));
    let rendered: Vec<String> = msg["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} [{}] {}", show_range(APP, &d["range"]), d["code"].as_str().unwrap(), d["message"].as_str().unwrap()))
        .collect();
    insta::assert_snapshot!(rendered.join("\n"));
    assert_eq!(msg["params"]["version"], 1);
    c.shutdown_and_exit();
}

#[test]
fn document_symbols_are_stages_with_instructions() {
    let mut c = opened(APP);
    let result = c.request("textDocument/documentSymbol", text_document(URI)).unwrap();
    fn render(v: &Value, depth: usize, out: &mut Vec<String>) {
        for s in v.as_array().unwrap() {
            out.push(format!(
                "{}{} ({}) {}",
                "  ".repeat(depth),
                s["name"].as_str().unwrap(),
                s["kind"],
                s["detail"].as_str().unwrap_or("")
            ));
            if let Some(ch) = s.get("children") {
                render(ch, depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    render(&result, 0, &mut out);
    insta::assert_snapshot!(out.join("\n"));
    c.shutdown_and_exit();
}

#[test]
fn definition_references_highlight_and_rename_of_a_stage() {
    let mut c = opened(APP);
    let (l, col) = pos_of(APP, "build /install");
    let def = c.request("textDocument/definition", text_document_position(URI, l, col + 2)).unwrap();
    assert_eq!(show_range(APP, &def["range"]), "3:39-3:44 \"build\"");

    let mut params = text_document_position(URI, l, col);
    params["context"] = json!({"includeDeclaration": true});
    let refs = c.request("textDocument/references", params).unwrap();
    let shown: Vec<String> = refs.as_array().unwrap().iter().map(|r| show_range(APP, &r["range"])).collect();
    insta::assert_snapshot!("stage_references", shown.join("\n"));

    let hl = c.request("textDocument/documentHighlight", text_document_position(URI, l, col)).unwrap();
    assert_eq!(hl.as_array().unwrap().len(), shown.len());
    assert_eq!(hl[0]["kind"], 3, "the definition is a write");

    let prep = c.request("textDocument/prepareRename", text_document_position(URI, l, col)).unwrap();
    assert_eq!(prep["placeholder"], "build");

    let mut params = text_document_position(URI, l, col);
    params["newName"] = json!("builder");
    let edit = c.request("textDocument/rename", params).unwrap();
    let edits = edit["changes"][URI].as_array().unwrap();
    let shown: Vec<String> =
        edits.iter().map(|e| format!("{} -> {}", show_range(APP, &e["range"]), e["newText"].as_str().unwrap())).collect();
    insta::assert_snapshot!("stage_rename", shown.join("\n"));

    let mut bad = text_document_position(URI, l, col);
    bad["newName"] = json!("9 lives");
    let err = c.request("textDocument/rename", bad).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("not a valid name"), "{err}");
    c.shutdown_and_exit();
}

#[test]
fn variables_respect_scope() {
    let mut c = opened(APP);
    // The global ARG: used in both FROMs and re-declared in the first stage.
    let (l, col) = pos_of(APP, "PYTHON_VERSION=3.12");
    let mut params = text_document_position(URI, l, col);
    params["context"] = json!({"includeDeclaration": true});
    let refs = c.request("textDocument/references", params).unwrap();
    let shown: Vec<String> = refs.as_array().unwrap().iter().map(|r| show_range(APP, &r["range"])).collect();
    insta::assert_snapshot!("arg_references", shown.join("\n"));

    // ENV used by WORKDIR and COPY in the same stage.
    let (l, col) = pos_of(APP, "$APP_HOME");
    let def = c.request("textDocument/definition", text_document_position(URI, l, col + 1)).unwrap();
    assert_eq!(show_range(APP, &def["range"]), "15:5-15:13 \"APP_HOME\"");
    c.shutdown_and_exit();
}

#[test]
fn rapid_edits_keep_order_and_final_diagnostics_match() {
    let mut c = server();
    let start = "FROM alpine:3.20\n";
    c.did_open(URI, start);
    c.wait_diagnostics(URI, Some(1));
    // 1,000 single-character insertions at the end of line 2, sent without waiting.
    let word = "RUNN echo ".repeat(100);
    let mut expected = start.to_string();
    c.did_change(URI, 2, json!([range_change(1, 0, 1, 0, "\n")]));
    expected.push('\n');
    let mut version = 2;
    for (i, ch) in word.chars().enumerate() {
        version += 1;
        c.did_change(URI, version, json!([range_change(1, i as u32, 1, i as u32, &ch.to_string())]));
    }
    expected.insert_str(start.len(), &word);
    let last = c.wait_diagnostics(URI, Some(version));
    // Whatever arrived before the latest version is old news; nothing may arrive after it.
    c.take_messages();
    let late = c.drain_for(Duration::from_millis(500));
    // (A re-publish of the same latest version, e.g. after settings arrive, is fine.)
    for m in &late {
        if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == URI && m["params"]["version"] != version {
            panic!("older diagnostics published after the latest version: {m}");
        }
    }
    // A fresh document with the expected text must get exactly the same diagnostics.
    let other = "file:///work/project/expected.Dockerfile";
    c.did_open(other, &expected);
    let fresh = c.wait_diagnostics(other, Some(1));
    assert_eq!(last["params"]["diagnostics"], fresh["params"]["diagnostics"]);
    assert!(last["params"]["diagnostics"].as_array().unwrap().iter().any(|d| d["message"].as_str().unwrap().contains("RUNN")));
    c.shutdown_and_exit();
}

#[test]
fn non_ascii_and_crlf_positions() {
    for (encoding, offer) in [("utf-16", json!({})), ("utf-8", json!({"general": {"positionEncodings": ["utf-8"]}}))] {
        let mut c = LspClient::spawn(&dockls_binary(), &[]);
        c.initialize("file:///w", offer);
        let text = "FROM alpine:3.20 AS 构建\r\nLABEL note=\"🐳 容器\"\r\nRUNN x\r\n";
        c.did_open(URI, text);
        let d = c.wait_diagnostics(URI, Some(1));
        let diag = d["params"]["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "unknown-instruction").unwrap().clone();
        assert_eq!(diag["range"]["start"], json!({"line": 2, "character": 0}), "{encoding}");
        assert_eq!(diag["range"]["end"], json!({"line": 2, "character": 4}), "{encoding}");
        // Insert right after the emoji, in the client's units (2 UTF-16 code units, 4 bytes).
        let after_whale = if encoding == "utf-16" { 14 } else { 16 };
        c.did_change(URI, 2, json!([range_change(1, after_whale, 1, after_whale, "x")]));
        // Replace "RUNN" (after the emoji line) with "RUN ": the error must go away.
        c.did_change(URI, 3, json!([range_change(2, 0, 2, 4, "RUN ")]));
        let d = c.wait_diagnostics(URI, Some(3));
        let unknown: Vec<&Value> = d["params"]["diagnostics"].as_array().unwrap().iter().filter(|d| d["code"] == "unknown-instruction").collect();
        assert!(unknown.is_empty(), "{encoding}: {unknown:?}");
        let syms = c.request("textDocument/documentSymbol", text_document(URI)).unwrap();
        assert_eq!(syms[0]["name"], "构建");
        assert_eq!(syms[0]["children"][0]["detail"], "\"🐳x 容器\"", "{encoding}");
        c.shutdown_and_exit();
    }
}

#[test]
fn bad_input_never_crashes_the_server() {
    let mut c = server();
    // Requests for a document that is not open.
    let r = c.request("textDocument/documentSymbol", text_document("file:///nope")).unwrap();
    assert!(r.is_null());
    // Unknown method: MethodNotFound, and the server keeps answering.
    let err = c.request("textDocument/notAThing", json!({})).unwrap_err();
    assert_eq!(err["code"], -32601);
    // Malformed params for a request answered in front of tower-lsp-server: InvalidParams.
    for method in ["textDocument/documentSymbol", "textDocument/foldingRange", "textDocument/semanticTokens/full"] {
        let err = c.request(method, json!({ "textDocument": 42 })).unwrap_err();
        assert_eq!(err["code"], -32602, "{method}: {err}");
    }
    // Out-of-range positions are clamped.
    c.did_open(URI, "FROM alpine:3.20\n");
    c.wait_diagnostics(URI, Some(1));
    let r = c.request("textDocument/definition", text_document_position(URI, 9999, 9999)).unwrap();
    assert!(r.is_null());
    c.did_change(URI, 2, json!([range_change(500, 3, 900, 0, "RUN x\n")]));
    c.wait_diagnostics(URI, Some(2));
    // Binary junk and a 10 MB file.
    let junk: String = (0..20_000u32).map(|i| char::from_u32((i * 7919) % 0xD7FF + 1).unwrap_or('?')).collect();
    c.did_change(URI, 3, json!([full_change(&junk)]));
    c.wait_diagnostics(URI, Some(3));
    let big = dockls_tests::synth::dockerfile(300_000);
    assert!(big.len() > 10_000_000);
    c.set_timeout(Duration::from_secs(120));
    c.did_change(URI, 4, json!([full_change(&big)]));
    c.wait_diagnostics(URI, Some(4));
    let syms = c.request("textDocument/documentSymbol", text_document(URI)).unwrap();
    assert!(syms.as_array().unwrap().len() > 1000);
    c.shutdown_and_exit();
}

/// Bash nests a `&&` chain one level per command: a RUN of 2,200 of them overflowed the stack
/// of the thread that analysed it, and the server aborted with every open document.
#[test]
fn a_long_command_chain_in_one_run_gets_diagnostics_not_a_crash() {
    let text = format!("FROM alpine:3.20\nRUN {}true\nUSER app\n", "echo hi && \\\n    ".repeat(20_000));
    let mut c = server();
    c.set_timeout(Duration::from_secs(60));
    c.did_open(URI, &text);
    c.wait_diagnostics(URI, Some(1));
    let syms = c.request("textDocument/documentSymbol", text_document(URI)).unwrap();
    assert!(syms.is_array());
    c.shutdown_and_exit();
}

#[test]
fn frames_that_are_not_messages_are_answered_and_the_session_goes_on() {
    let mut c = server();
    c.did_open(URI, "FROM alpine:3.20\n");
    c.wait_diagnostics(URI, Some(1));
    // Not JSON; JSON that is not JSON-RPC; bytes that are not a frame at all.
    c.send_raw(b"Content-Length: 10\r\n\r\n{\"jsonrpc\"");
    c.send_raw(b"Content-Length: 7\r\n\r\n[1,2,3]");
    c.send_raw(b"garbage\r\n");
    // A lower-case header, and half an emoji in the text (a lone surrogate, as JavaScript's
    // JSON.stringify writes it): the edit is kept, with U+FFFD in its place.
    let change = json!({
        "jsonrpc": "2.0",
        "method": "textDocument/didChange",
        "params": { "textDocument": { "uri": URI, "version": 2 }, "contentChanges": [full_change("FROM alpine:3.20\nRUN echo HALF\n")] },
    })
    .to_string()
    .replace("HALF", "\\ud83d");
    c.send_raw(format!("content-length: {}\r\n\r\n{change}", change.len()).as_bytes());
    c.wait_diagnostics(URI, Some(2));
    let syms = c.request("textDocument/documentSymbol", text_document(URI)).unwrap();
    assert_eq!(syms[0]["children"][0]["detail"], "echo \u{fffd}", "{syms}");
    // The protocol's `$/` requests must be answered too.
    let err = c.request("$/dockls/unknown", json!({})).unwrap_err();
    assert_eq!(err["code"], -32601, "{err}");
    let stderr = c.stderr();
    assert!(stderr.contains("ignored a message that is not JSON"), "{stderr}");
    c.shutdown_and_exit();
}

#[test]
fn exit_without_shutdown_ends_with_status_one() {
    let mut c = server();
    let status = c.exit_without_shutdown(Duration::from_secs(5)).unwrap();
    assert_eq!(status.code(), Some(1), "the protocol: exit code 1 without a shutdown request");
}

/// A client may write `exit` right behind `shutdown` without waiting for its answer: the
/// shutdown was still asked for, so the status is 0.
#[test]
fn shutdown_and_exit_written_together_exit_with_status_zero() {
    for _ in 0..5 {
        let mut c = server();
        let frames = [
            encode_message(&json!({ "jsonrpc": "2.0", "id": 999, "method": "shutdown" })),
            encode_message(&json!({ "jsonrpc": "2.0", "method": "exit" })),
        ]
        .concat();
        c.send_raw(&frames);
        c.close_stdin();
        let status = c.wait_exit(Duration::from_secs(10)).unwrap();
        assert_eq!(status.code(), Some(0), "shutdown was received before exit");
    }
}

/// `exit` ends the server even while a large answer waits for a client that stopped reading
/// (tower-lsp-server waits for pending requests; the server gives them two seconds).
#[test]
fn exit_ends_the_server_while_an_answer_waits_for_a_client_that_stopped_reading() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(dockls_binary())
        .args(["serve", "--stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Never read, never closed until the end: what the server writes fills the pipe.
    let _stdout = child.stdout.take();
    let mut stdin = child.stdin.take().unwrap();
    let text = dockls_tests::synth::dockerfile(60_000);
    let messages = [
        json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "capabilities": {
            "textDocument": { "documentSymbol": { "hierarchicalDocumentSymbolSupport": true } } } } }),
        json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
        json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": {
            "uri": URI, "languageId": "dockerfile", "version": 1, "text": text } } }),
        json!({ "jsonrpc": "2.0", "id": 2, "method": "textDocument/documentSymbol", "params": text_document(URI) }),
    ];
    for m in &messages {
        stdin.write_all(&encode_message(m)).unwrap();
    }
    // Let the megabytes of symbols start and get stuck in the full pipe.
    std::thread::sleep(Duration::from_millis(1500));
    stdin.write_all(&encode_message(&json!({ "jsonrpc": "2.0", "method": "exit" }))).unwrap();
    drop(stdin);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server was still running 20 s after exit");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(1), "exit without shutdown");
}

#[test]
fn a_panicking_handler_is_answered_and_the_server_survives() {
    std::env::set_var("DOCKLS_ENABLE_TEST_METHODS", "1");
    let mut c = server();
    let err = c.request("dockls/testPanic", json!({})).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("internal error"), "{err}");
    c.did_open(URI, "RUNN x\n");
    let d = c.wait_diagnostics(URI, Some(1));
    assert_eq!(d["params"]["diagnostics"][0]["code"], "unknown-instruction");
    c.shutdown_and_exit();
}

#[test]
fn configuration_filters_diagnostics() {
    let mut c = LspClient::spawn(&dockls_binary(), &[]);
    c.set_settings(json!({"dockls": {"ignore": ["unknown-instruction"]}}));
    c.initialize("file:///w", json!({}));
    c.did_open(URI, "FROM alpine:3.20\nRUNN x\nEXPOSE 70000\n");
    // Settings are pulled with workspace/configuration after `initialized`; the first publish
    // may race with that, so wait for a publish without the ignored code.
    c.notify("workspace/didChangeConfiguration", json!({"settings": {}}));
    let d = c.wait_notification(
        "textDocument/publishDiagnostics",
        |m| {
            let ds = m["params"]["diagnostics"].as_array().unwrap();
            !ds.is_empty() && ds.iter().all(|d| d["code"] != "unknown-instruction")
        },
        Duration::from_secs(10),
    );
    let codes: Vec<&str> = d["params"]["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"expose-port-range"), "{codes:?}");
    c.shutdown_and_exit();
}

#[test]
fn tokens_folding_selection_links_over_stdio() {
    let mut c = opened(APP);
    let legend = c.server_capabilities()["semanticTokensProvider"]["legend"].clone();
    let types: Vec<String> = legend["tokenTypes"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect();
    let tokens = c.request("textDocument/semanticTokens/full", text_document(URI)).unwrap();
    let data: Vec<u64> = tokens["data"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!(data.len() % 5, 0);
    let (mut line, mut col) = (0u64, 0u64);
    let mut shown = Vec::new();
    for t in data.chunks(5) {
        if t[0] > 0 {
            line += t[0];
            col = t[1];
        } else {
            col += t[1];
        }
        let l: Vec<u16> = APP.lines().nth(line as usize).unwrap().encode_utf16().collect();
        let text = String::from_utf16_lossy(&l[col as usize..(col + t[2]) as usize]);
        shown.push(format!("{}:{} {} {:?}", line + 1, col + 1, types[t[3] as usize], text));
    }
    insta::assert_snapshot!("semantic_tokens", shown.join("\n"));

    // A range request returns the tokens of those lines only.
    let mut p = text_document(URI);
    p["range"] = json!({"start": {"line": 2, "character": 0}, "end": {"line": 3, "character": 0}});
    let ranged = c.request("textDocument/semanticTokens/range", p).unwrap();
    assert!(ranged["data"].as_array().unwrap().len() < data.len() && !ranged["data"].as_array().unwrap().is_empty());

    let folds = c.request("textDocument/foldingRange", text_document(URI)).unwrap();
    let shown: Vec<String> = folds
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}-{} {}", f["startLine"].as_u64().unwrap() + 1, f["endLine"].as_u64().unwrap() + 1, f["kind"].as_str().unwrap_or("")))
        .collect();
    insta::assert_snapshot!("folding_ranges", shown.join("\n"));

    let (l, col) = pos_of(APP, "pip install");
    let mut p = text_document(URI);
    p["positions"] = json!([{"line": l, "character": col + 1}]);
    let sel = c.request("textDocument/selectionRange", p).unwrap();
    let mut chain = Vec::new();
    let mut cur = &sel[0];
    while !cur.is_null() {
        chain.push(format!("{}:{}-{}:{}", cur["range"]["start"]["line"], cur["range"]["start"]["character"], cur["range"]["end"]["line"], cur["range"]["end"]["character"]));
        cur = &cur["parent"];
    }
    assert!(chain.len() >= 3, "{chain:?}");
    assert!(chain.first().unwrap().starts_with(&format!("{l}:")), "{chain:?}");

    let links = c.request("textDocument/documentLink", text_document(URI)).unwrap();
    let shown: Vec<String> = links.as_array().unwrap().iter().map(|k| format!("{} {}", show_range(APP, &k["range"]), k["target"].as_str().unwrap())).collect();
    insta::assert_snapshot!("document_links", shown.join("\n"));
    c.shutdown_and_exit();
}

#[test]
fn quick_fixes_fix_all_and_rule_hover() {
    let text = "FROM debian:12\nMAINTAINER Jane <j@x.org>\nADD app.py /srv/\n";
    let mut c = opened(text);
    let (l, col) = pos_of(text, "MAINTAINER");
    let mut p = text_document(URI);
    p["range"] = json!({"start": {"line": l, "character": col}, "end": {"line": l, "character": col}});
    p["context"] = json!({"diagnostics": [], "only": ["quickfix"]});
    let actions = c.request("textDocument/codeAction", p).unwrap();
    let titles: Vec<&str> = actions.as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert!(titles.iter().any(|t| t.contains("LABEL org.opencontainers.image.authors")), "{titles:?}");
    assert!(titles.iter().any(|t| t.contains("Ignore `maintainer-deprecated` for this instruction")), "{titles:?}");
    assert!(titles.iter().any(|t| t.contains("check=skip")), "{titles:?}");
    let fix = actions.as_array().unwrap().iter().find(|a| a["isPreferred"] == true).expect("a preferred fix");
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["diagnostics"][0]["code"], "maintainer-deprecated");

    let mut p = text_document(URI);
    p["range"] = json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}});
    p["context"] = json!({"diagnostics": [], "only": ["source.fixAll"]});
    let all = c.request("textDocument/codeAction", p).unwrap();
    let edits = &all[0]["edit"]["changes"][URI];
    assert!(edits.as_array().unwrap().len() >= 2, "{all}");

    let (l, col) = pos_of(text, "ADD");
    let hover = c.request("textDocument/hover", text_document_position(URI, l, col + 1)).unwrap();
    let md = hover["contents"]["value"].as_str().unwrap();
    // The keyword's docs, then the rule's summary in a line (not its whole page).
    assert!(md.starts_with("**ADD**") && md.contains("`add-instead-of-copy`") && !md.contains("## What it does"), "{md}");
    // `debian:12` carries several findings: the hover explains every rule, over the part of
    // the line they all cover.
    let (l, col) = pos_of(text, "debian");
    let hover = c.request("textDocument/hover", text_document_position(URI, l, col + 1)).unwrap();
    let md = hover["contents"]["value"].as_str().unwrap();
    let on_image = ["image-digest", "missing-user", "slim-base-image"];
    for code in &on_image {
        assert!(md.contains(code), "{code} missing from {md}");
    }
    c.shutdown_and_exit();
}

/// Answers above ~1 MB are measured and then streamed in pieces (`lsp::direct`): a file made of
/// one block repeated must get exactly the block's answer repeated, shifted by the block's
/// lines, and the frames after it must still line up.
#[test]
fn large_answers_are_streamed_whole() {
    const BLOCK: &str = "FROM alpine:3.20\nENV A=1 B=2\nRUN apk add --no-cache curl && \\\n    echo done\nCOPY a.txt /a\n";
    const LINES: u64 = 5;
    // 10,000 blocks: each answer is estimated above the 1 MiB limit and streamed.
    const K: usize = 10_000;
    let mut small = server();
    small.did_open(URI, BLOCK);
    small.wait_diagnostics(URI, Some(1));
    let mut big = server();
    big.set_timeout(Duration::from_secs(120));
    big.did_open(URI, &BLOCK.repeat(K));
    big.wait_diagnostics(URI, Some(1));

    fn assert_next_answer_whole(c: &mut LspClient) {
        let params = json!({ "textDocument": { "uri": URI }, "positions": [{ "line": 2, "character": 1 }] });
        let r = c.request("textDocument/selectionRange", params).unwrap();
        assert_eq!(r[0]["range"]["start"], json!({ "line": 2, "character": 0 }), "{r}");
    }
    fn shift(v: &Value, by: u64) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, x)| {
                        let x = if k == "line" || k == "startLine" || k == "endLine" {
                            json!(x.as_u64().unwrap() + by)
                        } else {
                            shift(x, by)
                        };
                        (k.clone(), x)
                    })
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(|x| shift(x, by)).collect()),
            other => other.clone(),
        }
    }
    for method in ["textDocument/documentSymbol", "textDocument/foldingRange"] {
        let one = small.request(method, text_document(URI)).unwrap();
        let one = one.as_array().unwrap();
        assert!(!one.is_empty(), "{method}");
        let all = big.request(method, text_document(URI)).unwrap();
        let all = all.as_array().unwrap();
        assert_eq!(all.len(), one.len() * K, "{method}");
        for (i, item) in all.iter().enumerate() {
            let b = (i / one.len()) as u64;
            let mut want = shift(&one[i % one.len()], b * LINES);
            // An unnamed stage is called by its index.
            if want["name"] == "stage 0" {
                want["name"] = json!(format!("stage {b}"));
            }
            assert_eq!(*item, want, "{method} item {i}");
        }
        // The next frame is read whole.
        assert_next_answer_whole(&mut big);
    }
    // Semantic tokens are relative: every block's tokens are the first block's, except the
    // line step into each block.
    let one = small.request("textDocument/semanticTokens/full", text_document(URI)).unwrap();
    let one: Vec<u64> = one["data"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect();
    let all = big.request("textDocument/semanticTokens/full", text_document(URI)).unwrap();
    let all: Vec<u64> = all["data"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect();
    assert_eq!(all.len(), one.len() * K);
    let last_line: u64 = one.chunks(5).map(|t| t[0]).sum();
    for (i, chunk) in all.chunks(one.len()).enumerate() {
        let mut want = one.clone();
        if i > 0 {
            want[0] = LINES - last_line;
        }
        assert_eq!(chunk, &want[..], "block {i}");
    }
    assert_next_answer_whole(&mut big);
    small.shutdown_and_exit();
    big.shutdown_and_exit();
}

/// A heredoc body is one token that spans lines: whole for a client with
/// `multilineTokenSupport` (its length counts the line breaks), one token per line otherwise.
#[test]
fn multiline_tokens_are_whole_only_for_clients_that_support_them() {
    const TEXT: &str = "FROM alpine:3.20\nRUN <<EOF\necho hi\necho there\nEOF\n";
    let tokens = |multiline: bool| {
        let mut c = LspClient::spawn(&dockls_binary(), &["serve", "--stdio"]);
        c.initialize(
            "file:///work/project",
            json!({ "textDocument": { "semanticTokens": { "multilineTokenSupport": multiline } } }),
        );
        c.did_open(URI, TEXT);
        c.wait_diagnostics(URI, Some(1));
        let r = c.request("textDocument/semanticTokens/full", text_document(URI)).unwrap();
        c.shutdown_and_exit();
        // Absolute (line, start, length) of each token.
        let data: Vec<u64> = r["data"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect();
        let (mut line, mut start) = (0, 0);
        data.chunks(5)
            .map(|t| {
                start = if t[0] == 0 { start + t[1] } else { t[1] };
                line += t[0];
                (line, start, t[2])
            })
            .collect::<Vec<_>>()
    };
    let body: Vec<(u64, u64, u64)> = tokens(true).into_iter().filter(|t| t.0 == 2 || t.0 == 3).collect();
    // Tokens never end in a line break.
    assert_eq!(body, [(2, 0, "echo hi\necho there".len() as u64)]);
    let body: Vec<(u64, u64, u64)> = tokens(false).into_iter().filter(|t| t.0 == 2 || t.0 == 3).collect();
    assert_eq!(body, [(2, 0, 7), (3, 0, 10)]);
}

#[test]
fn completion_offers_keywords_flags_stages_and_variables() {
    // A CJK comment first: positions are UTF-16 code units, the server works in bytes.
    let text = "# ビルド\nFROM golang:1.23 AS build\nARG VERSION=1.2\nFROM alpine\nCOPY --from= /x /y\nR\nENV GREETING=hi\nRUN echo $GR\n";
    let mut c = opened(text);
    let complete = |c: &mut LspClient, line: u32, character: u32| -> Vec<Value> {
        let mut p = text_document_position(URI, line, character);
        p["context"] = json!({ "triggerKind": 1 });
        c.request("textDocument/completion", p).unwrap().as_array().cloned().unwrap_or_default()
    };
    let labels = |items: &[Value]| items.iter().map(|i| i["label"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    let stage = complete(&mut c, 4, 12);
    assert_eq!(labels(&stage), ["build"]);
    assert_eq!(stage[0]["textEdit"]["range"]["start"], json!({"line": 4, "character": 12}));
    let keyword = complete(&mut c, 5, 1);
    assert_eq!(labels(&keyword), ["RUN"]);
    assert_eq!(keyword[0]["insertTextFormat"], 2, "a snippet");
    let variable = complete(&mut c, 7, 12);
    assert_eq!(labels(&variable), ["GREETING"]);
    assert_eq!(variable[0]["detail"], "= hi");
    assert_eq!(variable[0]["textEdit"]["range"]["start"], json!({"line": 7, "character": 10}));
    let flags = complete(&mut c, 4, 7);
    assert!(labels(&flags).contains(&"--link".to_string()), "{flags:?}");
    // Out of range: clamped to the end of the file, answered (an error would fail `request`).
    assert_eq!(labels(&complete(&mut c, 99, 99)).first().map(String::as_str), Some("FROM"));
    c.shutdown_and_exit();
}

/// Every cursor of the completion fixture (`server/tests/fixtures/completion/contexts.Dockerfile`,
/// whose library answers are a snapshot) asked over stdio: the same items, in the same order,
/// each replacing the same text — directives, instructions, flags and their values, mount types
/// and keys, variables and operators, stages.
#[test]
fn every_completion_context_of_the_fixture_answers_over_stdio() {
    let fixture = include_str!("../../server/tests/fixtures/completion/contexts.Dockerfile");
    let text = fixture.replace('|', "");
    let mut c = opened(&text);
    let a = dockls::analysis::Analysis::new(dockls::document::Snapshot::from_text(&text));
    let mut asked = 0;
    for (n, _) in fixture.match_indices('|') {
        let offset = n - fixture[..n].matches('|').count();
        let line = text[..offset].matches('\n').count() as u32;
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let character = text[line_start..offset].encode_utf16().count() as u32;
        let mut p = text_document_position(URI, line, character);
        p["context"] = json!({ "triggerKind": 1 });
        let answer = c.request("textDocument/completion", p).unwrap();
        let items = answer.as_array().or_else(|| answer["items"].as_array()).cloned().unwrap_or_default();
        let expected = dockls::ide::completion::complete(a.text(), &a.dockerfile, &a.semantics, offset);
        let got: Vec<(String, String)> = items.iter().map(|i| (i["label"].as_str().unwrap().to_string(), i["textEdit"]["newText"].as_str().unwrap().to_string())).collect();
        let want: Vec<(String, String)> = expected.iter().map(|i| (i.label.clone(), i.insert.clone())).collect();
        assert_eq!(got, want, "at line {} column {}", line + 1, character + 1);
        for (item, e) in items.iter().zip(&expected) {
            let start = &item["textEdit"]["range"]["start"];
            let e_line = text[..e.range.start].matches('\n').count() as u64;
            let e_col = text[text[..e.range.start].rfind('\n').map_or(0, |i| i + 1)..e.range.start].encode_utf16().count() as u64;
            assert_eq!((start["line"].as_u64().unwrap(), start["character"].as_u64().unwrap()), (e_line, e_col), "{item}");
        }
        assert!(!items.is_empty() || expected.is_empty());
        asked += 1;
    }
    assert!(asked >= 15, "{asked}");
    c.shutdown_and_exit();
}

#[test]
fn the_first_publish_already_uses_the_clients_settings() {
    // The document is opened right after `initialized`, before the server has the settings it
    // asks for: its first (and only) diagnostics must still honour them, with no flicker.
    let mut c = LspClient::spawn(&dockls_binary(), &["serve", "--stdio"]);
    c.set_settings(json!({ "dockls": { "ignore": ["image-digest"] } }));
    c.hold_configuration();
    c.initialize("file:///work/project", json!({}));
    c.did_open(URI, "FROM alpine:3.20\nMAINTAINER x\n");
    // Nothing is published while the settings are not there (for up to two seconds).
    let early: Vec<Value> =
        c.drain_for(Duration::from_millis(300)).into_iter().filter(|m| m["method"] == "textDocument/publishDiagnostics").collect();
    assert!(early.is_empty(), "published before the settings arrived: {early:?}");
    c.answer_configuration();
    let first = c.wait_diagnostics(URI, Some(1));
    let codes: Vec<&str> = first["params"]["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["code"].as_str()).collect();
    assert!(codes.contains(&"maintainer-deprecated") && !codes.contains(&"image-digest"), "{codes:?}");
    let more: Vec<Value> =
        c.drain_for(Duration::from_millis(500)).into_iter().filter(|m| m["method"] == "textDocument/publishDiagnostics").collect();
    assert!(more.is_empty(), "a second publish: {more:?}");
    c.shutdown_and_exit();
}

#[test]
fn hover_signature_help_and_inlay_hints() {
    // CJK before the cursor positions: UTF-16 offsets on the wire, bytes inside.
    let text = "ARG PY=3.12\nFROM python:${PY}-slim AS ビルド\nCOPY --chown=1:1 a \nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n";
    let mut c = opened(text);
    let hover = |c: &mut LspClient, needle: &str, by: u32| -> String {
        let (l, col) = pos_of(text, needle);
        let h = c.request("textDocument/hover", text_document_position(URI, l, col + by)).unwrap();
        h["contents"]["value"].as_str().unwrap_or_default().to_string()
    };
    assert!(hover(&mut c, "COPY", 1).starts_with("**COPY**"));
    assert!(hover(&mut c, "--chown", 3).starts_with("**`--chown`** (COPY)"));
    assert!(hover(&mut c, "cache,", 1).starts_with("**`--mount=type=cache`**"));
    assert!(hover(&mut c, "target", 1).starts_with("**`target`**"));
    assert!(hover(&mut c, "PY}", 1).contains("= `3.12`"));

    let (l, col) = pos_of(text, "COPY --chown=1:1 a ");
    let p = text_document_position(URI, l, col + "COPY --chown=1:1 a ".len() as u32);
    let sig = c.request("textDocument/signatureHelp", p).unwrap();
    let active = &sig["signatures"][sig["activeSignature"].as_u64().unwrap() as usize];
    let label = active["label"].as_str().unwrap();
    let offsets = &active["parameters"][sig["activeParameter"].as_u64().unwrap() as usize]["label"];
    let utf16: Vec<u16> = label.encode_utf16().collect();
    let param = String::from_utf16(&utf16[offsets[0].as_u64().unwrap() as usize..offsets[1].as_u64().unwrap() as usize]).unwrap();
    assert_eq!(param, "<dest>", "{sig}");

    let mut p = text_document(URI);
    p["range"] = json!({"start": {"line": 0, "character": 0}, "end": {"line": 4, "character": 0}});
    let hints = c.request("textDocument/inlayHint", p).unwrap();
    assert_eq!(hints.as_array().unwrap().len(), 1, "{hints}");
    assert_eq!(hints[0]["label"], "= 3.12");
    assert_eq!(hints[0]["position"], json!({"line": 1, "character": 17}));
    c.shutdown_and_exit();
}

/// A large file is opened in two halves parsed at once (`document::split`), its whole tree made
/// after the first publish; a document that gets the same text as a full-text change is parsed
/// whole. Both must answer alike: diagnostics, semantic tokens (asked for at once, while the
/// whole tree may still be in the making) and the diagnostics after an edit in each half.
#[test]
fn a_large_file_opened_in_halves_answers_like_one_parsed_whole() {
    let text = dockls_tests::synth::run_dense(1500);
    assert!(text.len() > 40_000);
    let halves = "file:///work/project/halves.Dockerfile";
    let whole = "file:///work/project/whole.Dockerfile";
    let mut c = server();
    c.did_open(halves, &text);
    let tokens_halves = c.request("textDocument/semanticTokens/full", text_document(halves)).unwrap();
    let opened = c.wait_diagnostics(halves, Some(1));
    c.did_open(whole, "FROM scratch\n");
    c.wait_diagnostics(whole, Some(1));
    c.did_change(whole, 2, json!([full_change(&text)]));
    let changed = c.wait_diagnostics(whole, Some(2));
    assert!(opened["params"]["diagnostics"].as_array().unwrap().len() > 100);
    assert_eq!(opened["params"]["diagnostics"], changed["params"]["diagnostics"]);
    let tokens_whole = c.request("textDocument/semanticTokens/full", text_document(whole)).unwrap();
    assert_eq!(tokens_halves["data"], tokens_whole["data"]);
    let lines = text.lines().count() as u32;
    for (k, line) in [3, lines / 2, lines - 10].into_iter().enumerate() {
        let edit = json!([range_change(line, 0, line, 0, "RUN sudo apt-get install curl\n")]);
        let version = 2 + k as i64;
        c.did_change(halves, version, edit.clone());
        c.did_change(whole, version + 1, edit);
        let a = c.wait_diagnostics(halves, Some(version));
        let b = c.wait_diagnostics(whole, Some(version + 1));
        assert_eq!(a["params"]["diagnostics"], b["params"]["diagnostics"], "after the edit at line {line}");
    }
    c.shutdown_and_exit();
}
