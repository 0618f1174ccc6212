//! Code actions end to end: the real binary over stdio, asked as Neovim asks (the cursor at
//! column 0, the line's diagnostics in `context.diagnostics`), each returned WorkspaceEdit
//! applied the way a client applies it.

use dockls_tests::client::{dockls_binary, text_document, LspClient};
use serde_json::{json, Value};

const URI: &str = "file:///work/project/Dockerfile";

fn opened(text: &str) -> (LspClient, Value) {
    let mut c = LspClient::spawn_without_shellcheck(&dockls_binary(), &["serve"]);
    c.initialize("file:///work/project", json!({}));
    c.did_open(URI, text);
    let published = c.wait_diagnostics(URI, Some(1));
    (c, published["params"]["diagnostics"].clone())
}

/// `text` with the action's edits applied.
fn apply(text: &str, action: &Value) -> String {
    dockls_tests::client::apply_text_edits(text, &action["edit"]["changes"][URI])
}

fn actions(c: &mut LspClient, line: u32, diagnostics: Vec<Value>, only: Option<&str>) -> Vec<Value> {
    let mut p = text_document(URI);
    p["range"] = json!({"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}});
    p["context"] = match only {
        Some(k) => json!({"diagnostics": diagnostics, "only": [k]}),
        None => json!({"diagnostics": diagnostics}),
    };
    c.request("textDocument/codeAction", p).unwrap().as_array().unwrap().clone()
}

#[test]
fn the_line_diagnostics_get_their_fixes_with_the_cursor_at_column_zero() {
    let text = "FROM debian:12\nRUN apt-get update\nRUN apt-get install --no-install-recommends curl\nCMD [\"bash\"]\n";
    let (mut c, published) = opened(text);
    // Neovim: every diagnostic of line 3, the cursor at its column 0.
    let line3: Vec<Value> = published.as_array().unwrap().iter().filter(|d| d["range"]["start"]["line"] == 2).cloned().collect();
    let assume_yes = line3.iter().find(|d| d["code"] == "pm-assume-yes").expect("pm-assume-yes on line 3");
    assert!(assume_yes["range"]["start"]["character"].as_u64().unwrap() > 0, "not under the cursor");
    let got = actions(&mut c, 2, line3.clone(), None);
    let titles: Vec<&str> = got.iter().map(|a| a["title"].as_str().unwrap()).collect();
    // Every diagnostic sent gets its fixes, the cursor's column notwithstanding; those come first.
    let fixed: Vec<&Value> = got.iter().filter(|a| a["kind"] == "quickfix").map(|a| &a["diagnostics"][0]["code"]).collect();
    for code in ["pm-assume-yes", "consecutive-run"] {
        assert!(fixed.iter().any(|c| *c == code), "no fix for {code}: {titles:?}");
    }
    assert_eq!(got[0]["kind"], "quickfix", "{titles:?}");
    assert_eq!(got[0]["isPreferred"], true, "{titles:?}");
    assert_eq!(got.iter().filter(|a| a["isPreferred"] == true).count(), 1, "{titles:?}");
    let yes = got.iter().find(|a| a["diagnostics"][0]["code"] == "pm-assume-yes" && !a["title"].as_str().unwrap().starts_with("Ignore")).unwrap();
    assert_eq!(apply(text, yes), "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\nCMD [\"bash\"]\n");
    let merge = got.iter().find(|a| a["diagnostics"][0]["code"] == "consecutive-run" && a["title"].as_str().unwrap().starts_with("Merge")).unwrap();
    assert_eq!(
        apply(text, merge),
        "FROM debian:12\nRUN apt-get update && \\\n    apt-get install --no-install-recommends curl\nCMD [\"bash\"]\n"
    );

    // A diagnostic sent for a line the cursor is not on still gets its fix.
    let other: Vec<Value> = published.as_array().unwrap().iter().filter(|d| d["code"] == "apt-lists-cleanup").cloned().collect();
    if let Some(d) = other.first() {
        let got = actions(&mut c, 0, vec![d.clone()], Some("quickfix"));
        assert_eq!(got[0]["diagnostics"][0]["code"], "apt-lists-cleanup", "{got:#?}");
    }

    // Fix all says how many fixes it applies and that unsafe ones are left.
    let all = actions(&mut c, 0, vec![], Some("source.fixAll"));
    let title = all[0]["title"].as_str().unwrap();
    assert!(title.starts_with("Fix all (dockls): apply ") && title.contains("unsafe"), "{title}");
    c.shutdown_and_exit();
}

#[test]
fn refactors_at_a_selection_apply_cleanly() {
    let text = "# syntax=docker/dockerfile:1\r\nFROM alpine:3.20\r\nRUN apk add --no-cache curl\r\nRUN curl -fsSL https://example.com/t -o /t && \\\r\n    chmod +x /t\r\nRUN /t --version\r\n";
    let (mut c, _) = opened(text);
    // A selection over the first two RUNs (lines 3 and 4).
    let mut p = text_document(URI);
    p["range"] = json!({"start": {"line": 2, "character": 0}, "end": {"line": 3, "character": 5}});
    p["context"] = json!({"diagnostics": [], "only": ["refactor"]});
    let got = c.request("textDocument/codeAction", p).unwrap();
    let got = got.as_array().unwrap();
    assert!(got.iter().all(|a| a["kind"] == "refactor.rewrite"), "{got:#?}");
    let heredoc = got.iter().find(|a| a["title"].as_str().unwrap().contains("heredoc")).expect("the heredoc form");
    assert_eq!(
        apply(text, heredoc),
        "# syntax=docker/dockerfile:1\r\nFROM alpine:3.20\r\nRUN <<EOF\r\nset -e\r\napk add --no-cache curl\r\ncurl -fsSL https://example.com/t -o /t\r\nchmod +x /t\r\nEOF\r\nRUN /t --version\r\n"
    );
    let chain = got.iter().find(|a| a["title"].as_str().unwrap().contains("(`&&`)")).expect("the && form");
    assert_eq!(
        apply(text, chain),
        "# syntax=docker/dockerfile:1\r\nFROM alpine:3.20\r\nRUN apk add --no-cache curl && \\\r\n    curl -fsSL https://example.com/t -o /t && \\\r\n    chmod +x /t\r\nRUN /t --version\r\n"
    );
    c.shutdown_and_exit();
}
