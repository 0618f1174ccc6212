//! Where a keystroke's time goes at a given size: `cargo run --release -p dockls --example
//! editprof -- 5000` prints the median of each step of the server's didChange work (the
//! criterion bench measures only their sum). `PAUSE_MS=50` waits between keystrokes as typing
//! does: caches and the thread pool go cold, and every step gets slower (3.8 → 6.4 ms in
//! total at 5,000 lines on the benchmark machine). `INSERT=1` types a character and deletes it
//! again, turn about, instead of replacing a digit: every instruction after the edit moves.
//! `PUBLISH=values` converts the diagnostics to `lsp::Diagnostic` values and serializes those, as
//! the server did before it wrote the notification's JSON itself (the `publish` step).
//! `BROKEN=1` puts a syntax error at the top
//! of the file: up to 64 KiB every keystroke then parses the whole text again
//! (`document::FRESH_AFTER_ERROR_LIMIT`).
#[path = "../../tests/src/synth.rs"]
#[allow(dead_code)] // the generator is shared; not every user calls every function
mod synth;
use dockls::analysis::Analysis;
use dockls::document::{Change, Document, PositionEncoding, TextPosition};

fn main() {
    let lines: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5000);
    let mut text = synth::Shape::parse(&std::env::var("SHAPE").unwrap_or_default()).unwrap_or(synth::Shape::Mixed).generate(lines);
    if std::env::var_os("BROKEN").is_some() {
        text.insert_str(0, "FROM alpine\nRUN [\"unclosed\nHEALTHCHECK --interval\n");
    }
    // A digit in the middle of the file, as the criterion bench edits.
    let mid = text.len() / 2;
    let at = mid + text[mid..].find(|c: char| c.is_ascii_digit()).expect("a digit");
    let line = text[..at].matches('\n').count() as u32;
    let col = (at - text[..at].rfind('\n').map_or(0, |i| i + 1)) as u32;
    let mut doc = Document::new(&text, 1);
    println!("{} bytes, syntax error: {}", text.len(), doc.snapshot().tree.root_node().has_error());
    let mut previous = Some(Analysis::new(doc.snapshot()));
    let steps = ["reparse", "model", "semantics", "diagnostics", "publish", "total"];
    let mut rows: Vec<[f64; 6]> = Vec::new();
    let uri: tower_lsp_server::ls_types::Uri = "file:///work/Dockerfile".parse().expect("a URI");
    let values = std::env::var("PUBLISH").is_ok_and(|v| v == "values");
    for version in 2..200 {
        let change = if std::env::var_os("INSERT").is_some() {
            // Insert a digit before the one in the middle, then delete it.
            let end = if version % 2 == 0 { col } else { col + 1 };
            Change { range: Some((TextPosition::new(line, col), TextPosition::new(line, end))), text: if version % 2 == 0 { "7".into() } else { String::new() } }
        } else {
            let digit = if version % 2 == 0 { "2" } else { "1" };
            Change { range: Some((TextPosition::new(line, col), TextPosition::new(line, col + 1))), text: digit.into() }
        };
        let t0 = std::time::Instant::now();
        doc.apply_changes(&[change], version, PositionEncoding::Utf16);
        let t1 = t0.elapsed();
        let snap = doc.snapshot();
        let prev = previous.take().expect("set every round");
        let old_text = prev.snapshot.text.clone();
        // As `Analysis::new_reusing` does: only the changed part of the tree is walked.
        let df = match snap.changed.as_ref().filter(|c| c.since == prev.snapshot.id) {
            Some(c) => dockls::syntax::Dockerfile::new_after_edit(&snap.text, &snap.tree, &old_text, prev.dockerfile, c.range.clone()),
            None => dockls::syntax::Dockerfile::new_reusing(&snap.text, &snap.tree, &old_text, prev.dockerfile),
        };
        let t2 = t0.elapsed();
        let sem = dockls::semantics::Semantics::analyze(&snap.text, &df);
        let t3 = t0.elapsed();
        let d = dockls::diagnostics::diagnose_with(&snap.text, &df, &sem, &Default::default(), &Default::default());
        let t4 = t0.elapsed();
        // What publishing adds: the notification's bytes, in UTF-16 positions.
        let refs: Vec<&dockls::diagnostics::Diagnostic> = d.iter().collect();
        let enc = PositionEncoding::Utf16;
        let body = if values {
            let diagnostics = refs.iter().map(|x| dockls::lsp::convert::diagnostic(&snap, &uri, x, enc)).collect();
            let params = tower_lsp_server::ls_types::PublishDiagnosticsParams { uri: uri.clone(), diagnostics, version: Some(version) };
            #[derive(serde::Serialize)]
            struct Notification<'a> {
                jsonrpc: &'static str,
                method: &'static str,
                params: &'a tower_lsp_server::ls_types::PublishDiagnosticsParams,
            }
            serde_json::to_vec(&Notification { jsonrpc: "2.0", method: "textDocument/publishDiagnostics", params: &params }).expect("serializes")
        } else {
            dockls::lsp::convert::publish_diagnostics_json(&snap, &uri, &refs, enc, Some(version))
        };
        let t5 = t0.elapsed();
        std::hint::black_box(body);
        std::hint::black_box(d);
        previous = Some(Analysis { snapshot: snap, dockerfile: df, semantics: sem });
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        rows.push([ms(t1), ms(t2 - t1), ms(t3 - t2), ms(t4 - t3), ms(t5 - t4), ms(t5)]);
        if let Some(pause) = std::env::var("PAUSE_MS").ok().and_then(|p| p.parse().ok()) {
            std::thread::sleep(std::time::Duration::from_millis(pause));
        }
    }
    for (k, name) in steps.iter().enumerate() {
        let mut v: Vec<f64> = rows.iter().map(|r| r[k]).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        println!("{name:12} {:8.3} ms", v[v.len() / 2]);
    }
}
