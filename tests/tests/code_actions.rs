//! Code actions end to end: the real binary over stdio, asked as Neovim asks (the cursor at
//! column 0, the line's diagnostics in `context.diagnostics`), each returned WorkspaceEdit
//! applied the way a client applies it.

use dockls_tests::client::{dockls_binary, full_change, text_document, LspClient};
use serde_json::{json, Value};

const URI: &str = "file:///work/project/Dockerfile";

fn opened(text: &str) -> (LspClient, Value) {
    opened_with(text, json!({}))
}

/// A client that resolves code actions' edits, as VS Code does.
const RESOLVES_EDITS: fn() -> Value = || json!({"textDocument": {"codeAction": {"dataSupport": true, "resolveSupport": {"properties": ["edit"]}}}});

fn opened_with(text: &str, capabilities: Value) -> (LspClient, Value) {
    let mut c = LspClient::spawn_without_shellcheck(&dockls_binary(), &["serve"]);
    c.initialize("file:///work/project", capabilities);
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
    // A client that does not resolve actions gets every edit in the list.
    assert!(got.iter().all(|a| a.get("edit").is_some() && a.get("data").is_none()), "{got:#?}");
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

/// `codeAction/resolve` on `action`: the answer, or the error.
fn resolve(c: &mut LspClient, action: &Value) -> Result<Value, Value> {
    c.request("codeAction/resolve", action.clone())
}

#[test]
fn a_client_that_resolves_gets_the_list_without_edits_and_each_edit_on_resolve() {
    assert_eq!(
        {
            let (mut c, _) = opened_with("FROM alpine:3.20\n", RESOLVES_EDITS());
            let v = c.server_capabilities()["codeActionProvider"]["resolveProvider"].clone();
            c.shutdown_and_exit();
            v
        },
        true
    );
    let text = "# syntax=docker/dockerfile:1\nFROM debian:12\nRUN apt-get update\nRUN apt-get install --no-install-recommends curl\nRUN <<EOF\ncurl --version\ncurl --help\nEOF\nMAINTAINER me\n";
    let (mut c, published) = opened_with(text, RESOLVES_EDITS());
    let line4: Vec<Value> = published.as_array().unwrap().iter().filter(|d| d["range"]["start"]["line"] == 3).cloned().collect();
    let got = actions(&mut c, 3, line4, None);
    let titles: Vec<&str> = got.iter().map(|a| a["title"].as_str().unwrap()).collect();
    // The fixes, refactors and fix-all come without their edit, with data; "ignore" keeps its edit.
    for a in &got {
        let ignore = a["title"].as_str().unwrap().starts_with("Ignore");
        assert_eq!(a.get("edit").is_some(), ignore, "{a:#}");
        assert_eq!(a.get("data").is_some(), !ignore, "{a:#}");
    }
    let by_title = |needle: &str| got.iter().find(|a| a["title"].as_str().unwrap().contains(needle)).unwrap_or_else(|| panic!("no `{needle}` in {titles:?}")).clone();

    // The quick fix of pm-assume-yes.
    let yes = got.iter().find(|a| a["diagnostics"][0]["code"] == "pm-assume-yes" && !a["title"].as_str().unwrap().starts_with("Ignore")).unwrap();
    let resolved = resolve(&mut c, yes).expect("resolved");
    assert_eq!(resolved["title"], yes["title"]);
    assert_eq!(
        apply(text, &resolved),
        text.replace("apt-get install --no-install-recommends", "apt-get install -y --no-install-recommends")
    );

    // The refactor merging the three RUNs, the heredoc one among them, into one heredoc.
    let merge = by_title("Merge the 3 RUN instructions from line 3 into one heredoc");
    let resolved = resolve(&mut c, &merge).expect("resolved");
    assert_eq!(
        apply(text, &resolved),
        "# syntax=docker/dockerfile:1\nFROM debian:12\nRUN <<EOF\nset -e\napt-get update\napt-get install --no-install-recommends curl\n(\nset +e\ncurl --version\ncurl --help\n)\nEOF\nMAINTAINER me\n"
    );

    // Fix all: its edits are those of the inline answer a client without resolve gets.
    let all = actions(&mut c, 0, vec![], Some("source.fixAll"));
    assert!(all[0].get("edit").is_none());
    let resolved = resolve(&mut c, &all[0]).expect("resolved");
    let (mut plain, _) = opened(text);
    let inline = actions(&mut plain, 0, vec![], Some("source.fixAll"));
    plain.shutdown_and_exit();
    assert_eq!(inline[0]["title"], all[0]["title"]);
    assert_eq!(apply(text, &resolved), apply(text, &inline[0]));
    assert!(apply(text, &resolved).contains("LABEL"), "{}", apply(text, &resolved));
    c.shutdown_and_exit();
}

#[test]
fn resolving_for_a_changed_text_or_unknown_data_is_an_error_and_the_server_goes_on() {
    let text = "FROM debian:12\nRUN apt-get update\nRUN apt-get install curl\n";
    let (mut c, _) = opened_with(text, RESOLVES_EDITS());
    let got = actions(&mut c, 2, vec![], Some("refactor"));
    let merge = got.iter().find(|a| a["title"].as_str().unwrap().starts_with("Merge")).expect("a merge").clone();

    // The text changed since the list: ContentModified, no edit for another text.
    c.did_change(URI, 2, full_change("FROM debian:12\nRUN apt-get update\n\nRUN apt-get install curl\n"));
    let err = resolve(&mut c, &merge).expect_err("stale");
    assert_eq!(err["code"], -32801, "{err:#}");
    assert!(err["message"].as_str().unwrap().contains("ask for code actions again"), "{err:#}");

    // The same version number but another text (closed and opened again): still stale.
    c.did_close(URI);
    c.did_open(URI, "FROM debian:12\nRUN apt-get update\nRUN apt-get install git\n");
    c.wait_diagnostics(URI, Some(1));
    let mut same_version = merge.clone();
    same_version["data"]["version"] = json!(1);
    assert_eq!(resolve(&mut c, &same_version).expect_err("stale")["code"], -32801);

    // Data that is not ours, or none: InvalidParams.
    let mut foreign = merge.clone();
    foreign["data"] = json!({"something": "else"});
    assert_eq!(resolve(&mut c, &foreign).expect_err("unknown")["code"], -32602);
    let mut none = merge.clone();
    none.as_object_mut().unwrap().remove("data");
    assert_eq!(resolve(&mut c, &none).expect_err("no data")["code"], -32602);
    // A document never opened.
    let mut closed = merge.clone();
    closed["data"]["uri"] = json!("file:///work/project/other/Dockerfile");
    assert_eq!(resolve(&mut c, &closed).expect_err("not open")["code"], -32801);

    // A client that resolves but does not keep `data` (no `dataSupport`) gets the edits inline.
    let mut no_data = LspClient::spawn_without_shellcheck(&dockls_binary(), &["serve"]);
    no_data.initialize("file:///work/project", json!({"textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]}}}}));
    no_data.did_open(URI, text);
    no_data.wait_diagnostics(URI, Some(1));
    let inline = actions(&mut no_data, 2, vec![], Some("refactor"));
    assert!(!inline.is_empty() && inline.iter().all(|a| a.get("edit").is_some() && a.get("data").is_none()), "{inline:#?}");
    no_data.shutdown_and_exit();

    // The server still answers, and a fresh list resolves.
    let got = actions(&mut c, 2, vec![], Some("refactor"));
    let merge = got.iter().find(|a| a["title"].as_str().unwrap().starts_with("Merge")).expect("a merge");
    let resolved = resolve(&mut c, merge).expect("resolved");
    assert_eq!(apply("FROM debian:12\nRUN apt-get update\nRUN apt-get install git\n", &resolved), "FROM debian:12\nRUN apt-get update && \\\n    apt-get install git\n");
    c.shutdown_and_exit();
}
