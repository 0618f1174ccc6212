//! Replays the edits of a chaos-test log in-process and, when the edited document stops
//! matching a fresh parse of its text (tree or diagnostics), shrinks the problem to one change
//! on a short text: the start of a regression test.
//!
//! ```sh
//! CHAOS_LOG=/tmp/chaos.json CHAOS_SEED=7 cargo test -p dockls-tests --test chaos
//! cargo run --release -p dockls --example replay -- /tmp/chaos.json
//! ```

use dockls::analysis::Analysis;
use dockls::document::{Change, Document, LineIndex, PositionEncoding, Snapshot, TextPosition};

fn diagnostics(a: &Analysis) -> String {
    format!("{:?}", dockls::diagnostics::diagnose_with(a.text(), &a.dockerfile, &a.semantics, &Default::default(), &Default::default()))
}

/// Whether one change (bytes `a..b` of `start` replaced by `insert`) applied to a document
/// opened with `start` gives another tree or other diagnostics than a fresh parse.
fn diverges(start: &str, a: usize, b: usize, insert: &str) -> bool {
    let idx = LineIndex::new(start);
    let enc = PositionEncoding::Utf8;
    let mut doc = Document::new(start, 0);
    let previous = Analysis::new(doc.snapshot());
    let range = (idx.position(start, a, enc), idx.position(start, b, enc));
    doc.apply_changes(&[Change { range: Some(range), text: insert.into() }], 1, enc);
    let mut text = start.to_string();
    text.replace_range(a..b, insert);
    let fresh = Analysis::new(Snapshot::from_text(&text));
    let edited = Analysis::new_reusing(doc.snapshot(), previous);
    fresh.snapshot.tree.root_node().to_sexp() != edited.snapshot.tree.root_node().to_sexp() || diagnostics(&fresh) != diagnostics(&edited)
}

/// Drops pieces of `text` outside the changed bytes while the change still diverges.
fn shrink(mut text: String, mut a: usize, mut b: usize, insert: &str) -> (String, usize, usize) {
    let mut chunk = 64;
    while chunk >= 1 {
        let mut i = 0;
        while i < text.len() {
            let j = (i + chunk).min(text.len());
            if !text.is_char_boundary(i) || !text.is_char_boundary(j) || (i < b && j > a) {
                i += 1;
                continue;
            }
            let mut t = text.clone();
            t.replace_range(i..j, "");
            let (na, nb) = if j <= a { (a - (j - i), b - (j - i)) } else { (a, b) };
            if diverges(&t, na, nb, insert) {
                (text, a, b) = (t, na, nb);
            } else {
                i += chunk;
            }
        }
        chunk /= 2;
    }
    (text, a, b)
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: replay <chaos log>");
        std::process::exit(2);
    };
    let log: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("a readable log")).expect("a JSON log");
    let enc = if log["utf8"].as_bool() == Some(true) { PositionEncoding::Utf8 } else { PositionEncoding::Utf16 };
    let start = log["start"].as_str().expect("the start text");
    let position = |p: &serde_json::Value| TextPosition::new(p["line"].as_u64().unwrap_or(0) as u32, p["character"].as_u64().unwrap_or(0) as u32);
    let notifications = log["edits"].as_array().expect("the edits");

    // 1. The edited document against a fresh parse after every notification.
    let mut doc = Document::new(start, 1);
    let mut previous = Analysis::new(doc.snapshot());
    let mut texts = vec![start.to_string()];
    let mut first_bad = None;
    for (i, n) in notifications.iter().enumerate() {
        let changes: Vec<Change> = n
            .as_array()
            .expect("a list of changes")
            .iter()
            .map(|c| Change {
                range: c.get("range").map(|r| (position(&r["start"]), position(&r["end"]))),
                text: c["text"].as_str().unwrap_or("").to_string(),
            })
            .collect();
        doc.apply_changes(&changes, i as i32 + 2, enc);
        let fresh = Analysis::new(Snapshot::from_text(&doc.snapshot().text));
        let edited = Analysis::new_reusing(doc.snapshot(), previous);
        texts.push(edited.text().to_string());
        if fresh.snapshot.tree.root_node().to_sexp() != edited.snapshot.tree.root_node().to_sexp() || diagnostics(&fresh) != diagnostics(&edited) {
            first_bad = Some(i);
            break;
        }
        previous = edited;
    }
    let Some(bad) = first_bad else {
        println!("{} notifications replayed: the edited document always matched a fresh parse", notifications.len());
        return;
    };
    println!("after notification {bad} the edited document differs from a fresh parse of {:?}", texts[bad + 1]);

    // 2. The first single change that diverges on a freshly opened text, shrunk.
    for (i, n) in notifications.iter().enumerate().take(bad + 1) {
        let mut text = texts[i].clone();
        for c in n.as_array().into_iter().flatten() {
            let insert = c["text"].as_str().unwrap_or("");
            let Some(range) = c.get("range") else {
                text = insert.to_string(); // the whole text: nothing incremental to blame
                continue;
            };
            let idx = LineIndex::new(&text);
            let mut a = idx.offset(&text, position(&range["start"]), enc);
            let mut b = idx.offset(&text, position(&range["end"]), enc);
            if b < a {
                std::mem::swap(&mut a, &mut b);
            }
            if diverges(&text, a, b, insert) {
                let (small, a, b) = shrink(text, a, b, insert);
                println!("shrunk: open {small:?}, then replace bytes {a}..{b} ({:?}) with {insert:?}", &small[a..b]);
                return;
            }
            text.replace_range(a..b, insert);
        }
    }
    println!("no single change diverges on a freshly opened text: the history before it matters");
}
