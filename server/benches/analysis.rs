//! The pure work behind one keystroke in the editor: apply a one-character edit to an open
//! document (rope edit, tree edit, incremental reparse, new snapshot), then compute its
//! diagnostics, and the other per-request analyses. Compared in BENCHMARKS.md with the
//! edit→diagnostics round trip measured over LSP by `bench/lsp-vs-peers.sh`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use dockls::analysis::Analysis;
use dockls::document::{Change, Document, PositionEncoding, TextPosition};

#[path = "../../tests/src/synth.rs"]
#[allow(dead_code)] // the generator is shared; not every user calls every function
mod synth;

/// A change of one digit in the middle of the file (`=1.` → `=2.` inside an ARG default of
/// the mixed shape; the first digit after the middle otherwise).
fn middle_edit(text: &str) -> (u32, u32) {
    let mid = text.len() / 2;
    let at = text[mid..]
        .find("=1.")
        .map(|i| mid + i + 1)
        .or_else(|| text[mid..].find(|c: char| c.is_ascii_digit()).map(|i| mid + i))
        .unwrap_or(mid);
    let line = text[..at].matches('\n').count() as u32;
    let col = (at - text[..at].rfind('\n').map_or(0, |i| i + 1)) as u32;
    (line, col)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("analysis");
    // The mixed shape keeps the benchmarks' old names; the RUN-dense one (≈ 14 RUNs per 100
    // lines) is suffixed.
    let cases = [40usize, 5_000, 50_000].into_iter().map(|n| (synth::Shape::Mixed, n)).chain([5_000, 50_000].map(|n| (synth::Shape::RunDense, n)));
    for (shape, lines) in cases {
        let text = shape.generate(lines);
        let suffix = if shape == synth::Shape::Mixed { String::new() } else { format!("/{}", shape.name()) };
        let (line, col) = middle_edit(&text);
        group.bench_function(BenchmarkId::new(format!("edit+reparse+diagnostics{suffix}"), lines), |b| {
            let mut doc = Document::new(&text, 1);
            let mut version = 1;
            // As the server does: each version's model reuses the previous one's instructions.
            let mut previous = Some(Analysis::new(doc.snapshot()));
            b.iter(|| {
                version += 1;
                let digit = if version % 2 == 0 { "2" } else { "1" };
                let change = Change {
                    range: Some((TextPosition::new(line, col), TextPosition::new(line, col + 1))),
                    text: digit.into(),
                };
                doc.apply_changes(&[change], version, PositionEncoding::Utf16);
                let a = Analysis::new_reusing(doc.snapshot(), previous.take().expect("set after every iteration"));
                // Syntax checks and every default rule, as the server publishes them.
                let diagnostics =
                    dockls::diagnostics::diagnose_with(a.text(), &a.dockerfile, &a.semantics, &Default::default(), &Default::default());
                previous = Some(a);
                diagnostics
            });
        });
        let analysis = Analysis::new(Document::new(&text, 1).snapshot());
        group.bench_function(BenchmarkId::new(format!("document-symbols{suffix}"), lines), |b| {
            b.iter(|| dockls::ide::symbols::document_symbols(analysis.text(), &analysis.dockerfile));
        });
        group.bench_function(BenchmarkId::new(format!("typed-model+semantics{suffix}"), lines), |b| {
            b.iter(|| Analysis::new(analysis.snapshot.clone()));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
