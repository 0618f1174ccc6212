//! End-to-end tests of the formatter: `textDocument/formatting` and `rangeFormatting` over
//! stdio (the returned TextEdits applied to the client's text, in UTF-16 positions), and the
//! `dockls fmt` command line on files in temporary directories.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use dockls_tests::client::{dockls_binary, file_uri, LspClient};
use serde_json::{json, Value};

/// Lower-case keywords, extra blanks, a JSON array, an `&&` list, CRLF line breaks and a
/// character outside the BMP before an edit on the same line (two UTF-16 units).
const MESSY: &str = "from alpine:3.20\r\nlabel title=\"🐳 whale\"    version=1\r\nrun apk update &&   apk add curl\r\ncmd [ \"sh\" ]\r\n";
const FORMATTED: &str =
    "FROM alpine:3.20\r\nLABEL title=\"🐳 whale\" version=1\r\nRUN apk update \\\r\n    && apk add curl\r\nCMD [\"sh\"]\r\n";

fn server() -> LspClient {
    let mut c = LspClient::spawn_without_shellcheck(&dockls_binary(), &["serve"]);
    c.initialize("file:///work/project", json!({}));
    c
}

use dockls_tests::client::apply_text_edits as apply;

fn formatting(c: &mut LspClient, uri: &str) -> Value {
    c.request("textDocument/formatting", json!({
        "textDocument": { "uri": uri },
        "options": { "tabSize": 4, "insertSpaces": true },
    }))
    .expect("a formatting answer")
}

#[test]
fn formatting_over_stdio_gives_edits_that_format_the_document() {
    let mut c = server();
    let caps = c.server_capabilities().clone();
    assert_eq!(caps["documentFormattingProvider"], true);
    assert_eq!(caps["documentRangeFormattingProvider"], true);
    let uri = "file:///work/project/Dockerfile";
    c.did_open(uri, MESSY);
    let edits = formatting(&mut c, uri);
    // Minimal edits: the unchanged text around them stays (cursors and marks with it).
    assert!(edits.as_array().unwrap().len() >= 5, "{edits:#}");
    let formatted = apply(MESSY, &edits);
    assert_eq!(formatted, FORMATTED);
    assert_eq!(formatted, dockls::format::format_text(MESSY, &Default::default()));

    // Formatted already: nothing to do.
    c.notify("textDocument/didChange", json!({
        "textDocument": { "uri": uri, "version": 2 },
        "contentChanges": [{ "text": formatted }],
    }));
    assert_eq!(formatting(&mut c, uri), json!([]));
    c.shutdown_and_exit();
}

#[test]
fn formatting_lays_out_compound_commands_over_stdio() {
    let mut c = server();
    let uri = "file:///work/project/compound.Dockerfile";
    // CRLF, and a character outside the BMP inside a body that moves to its own line.
    let text = "FROM alpine\r\nRUN if [ -f /a ]; then echo \"🐳\"; rm /a; fi && echo done\r\n";
    c.did_open(uri, text);
    let formatted = apply(text, &formatting(&mut c, uri));
    assert_eq!(
        formatted,
        "FROM alpine\r\nRUN if [ -f /a ]; then \\\r\n        echo \"🐳\"; \\\r\n        rm /a; \\\r\n    fi \\\r\n    && echo done\r\n"
    );
    c.shutdown_and_exit();
}

#[test]
fn range_formatting_touches_only_the_instructions_in_the_range() {
    let mut c = server();
    let uri = "file:///work/project/Dockerfile";
    c.did_open(uri, MESSY);
    // A range inside the RUN line (line 2, UTF-16 positions).
    let edits = c
        .request("textDocument/rangeFormatting", json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 2, "character": 4 }, "end": { "line": 2, "character": 6 } },
            "options": { "tabSize": 2, "insertSpaces": true },
        }))
        .expect("a rangeFormatting answer");
    assert_eq!(
        apply(MESSY, &edits),
        "from alpine:3.20\r\nlabel title=\"🐳 whale\"    version=1\r\nRUN apk update \\\r\n  && apk add curl\r\ncmd [ \"sh\" ]\r\n"
    );
    // An unopened document has nothing to format.
    assert_eq!(formatting(&mut c, "file:///work/project/other.Dockerfile"), Value::Null);
    c.shutdown_and_exit();
}

#[test]
fn formatting_reads_editorconfig_next_to_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".editorconfig"), "root = true\n[*]\nindent_style = tab\n").unwrap();
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, MESSY).unwrap();
    let uri = file_uri(&path);
    let mut c = server();
    c.did_open(&uri, MESSY);
    let edits = formatting(&mut c, &uri);
    assert!(apply(MESSY, &edits).contains("RUN apk update \\\r\n\t&& apk add curl\r\n"));
    c.shutdown_and_exit();
}

#[test]
fn formatting_follows_the_dockls_format_settings() {
    // `workspace/configuration` answers `dockls.format.operators = "trailing"`.
    let mut c = LspClient::spawn_without_shellcheck(&dockls_binary(), &["serve"]);
    c.set_settings(json!({ "dockls": { "format": { "operators": "trailing" } } }));
    c.initialize("file:///work/project", json!({}));
    let uri = "file:///work/project/Dockerfile";
    c.did_open(uri, MESSY);
    c.wait_diagnostics(uri, Some(1));
    let edits = formatting(&mut c, uri);
    assert!(apply(MESSY, &edits).contains("RUN apk update && \\\r\n    apk add curl\r\n"), "{}", apply(MESSY, &edits));
    c.shutdown_and_exit();
}

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn fmt(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(dockls_binary())
        .arg("fmt")
        .args(args)
        .current_dir(dir)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running dockls fmt");
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn fmt_check_diff_and_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("app")).unwrap();
    std::fs::write(root.join("app/Dockerfile"), MESSY).unwrap();
    std::fs::write(root.join("clean.Dockerfile"), FORMATTED).unwrap();
    // Not a Dockerfile by name: a folder search skips it.
    std::fs::write(root.join("notes.txt"), "run   x\n").unwrap();

    let check = fmt(root, &["--check"], None);
    assert_eq!(check.status, 1, "{}", check.stderr);
    assert!(check.stderr.contains("would reformat app/Dockerfile"), "{}", check.stderr);
    assert!(check.stderr.contains("1 file would be reformatted, 1 file already formatted"), "{}", check.stderr);
    assert_eq!(std::fs::read_to_string(root.join("app/Dockerfile")).unwrap(), MESSY, "--check writes nothing");

    let diff = fmt(root, &["--diff", "app"], None);
    assert_eq!(diff.status, 1);
    assert!(diff.stdout.starts_with("--- app/Dockerfile\n+++ app/Dockerfile\n@@ -1,4 +1,5 @@\n"), "{}", diff.stdout);
    assert!(diff.stdout.contains("-run apk update &&   apk add curl\r\n-cmd [ \"sh\" ]\r\n+FROM alpine:3.20\r\n"), "{}", diff.stdout);
    assert!(diff.stdout.contains("+RUN apk update \\\r\n+    && apk add curl\r\n+CMD [\"sh\"]\r\n"), "{}", diff.stdout);

    let write = fmt(root, &[], None);
    assert_eq!(write.status, 0, "{}", write.stderr);
    assert!(write.stderr.contains("1 file reformatted"), "{}", write.stderr);
    assert_eq!(std::fs::read_to_string(root.join("app/Dockerfile")).unwrap(), FORMATTED);
    assert_eq!(std::fs::read_to_string(root.join("notes.txt")).unwrap(), "run   x\n");

    let again = fmt(root, &["--check"], None);
    assert_eq!(again.status, 0, "{}", again.stderr);
}

#[test]
fn fmt_standard_input_and_dockls_toml() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join(".dockls.toml"), "[format]\nindent = 2\noperators = \"trailing\"\n").unwrap();
    let run = fmt(root, &["-"], Some("FROM alpine\nrun a && b\n"));
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "FROM alpine\nRUN a && \\\n  b\n");
    // Already formatted: echoed as it is.
    let run = fmt(root, &["-"], Some("FROM alpine\n"));
    assert_eq!(run.stdout, "FROM alpine\n");

    std::fs::write(root.join(".dockls.toml"), "[format]\noperators = \"sideways\"\n").unwrap();
    std::fs::write(root.join("Dockerfile"), "FROM alpine\n").unwrap();
    let run = fmt(root, &["--check"], None);
    assert_eq!(run.status, 0, "a broken [format] leaves the defaults: {}", run.stderr);
}

#[test]
fn fmt_leaves_broken_instructions_and_reports_unreadable_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("Dockerfile"), "from alpine\nenv   A=\"x   b\nrun   echo   ok\n").unwrap();
    let run = fmt(root, &["Dockerfile", "missing.Dockerfile"], None);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains("missing.Dockerfile"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(root.join("Dockerfile")).unwrap(), "FROM alpine\nenv   A=\"x   b\nRUN echo ok\n");
}
