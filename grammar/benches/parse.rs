//! Full parse and incremental reparse after a one-character edit, on generated 40 / 5,000 /
//! 50,000-line Dockerfiles and on the real-world corpus when `../shared/corpus` exists.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use tree_sitter::{InputEdit, Parser, Point, Tree};

// Only the mixed shape is parsed here; the generator's other shapes are unused.
#[allow(dead_code)]
#[path = "../../tests/src/synth.rs"]
mod synth;

fn parser() -> Parser {
    let mut p = Parser::new();
    p.set_language(&tree_sitter_dockerfile::LANGUAGE.into()).unwrap();
    p
}

/// Replaces one character in the middle of the file (a digit inside an ARG default, so the
/// structure stays the same) and returns the edited text and the edit.
fn one_char_edit(text: &str) -> (String, InputEdit) {
    let mid = text.len() / 2;
    let at = text[mid..].find("=1.").map(|i| mid + i + 1).unwrap_or(mid);
    let mut edited = text.to_string();
    edited.replace_range(at..at + 1, "2");
    let row = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    let p = Point::new(row, col);
    let p2 = Point::new(row, col + 1);
    (edited, InputEdit { start_byte: at, old_end_byte: at + 1, new_end_byte: at + 1, start_position: p, old_end_position: p2, new_end_position: p2 })
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for lines in [40usize, 5_000, 50_000] {
        let text = synth::dockerfile(lines);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("full", lines), &text, |b, text| {
            let mut p = parser();
            b.iter(|| p.parse(text, None).unwrap());
        });
        let (edited, edit) = one_char_edit(&text);
        let mut p = parser();
        let base: Tree = p.parse(&text, None).unwrap();
        group.bench_with_input(BenchmarkId::new("incremental", lines), &edited, |b, edited| {
            b.iter_batched(
                || {
                    let mut t = base.clone();
                    t.edit(&edit);
                    t
                },
                |old| p.parse(edited, Some(&old)).unwrap(),
                criterion::BatchSize::SmallInput,
            );
        });
    }
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    if let Ok(rd) = std::fs::read_dir(&corpus) {
        let mut files: Vec<Vec<u8>> = rd
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_none_or(|x| x != "md"))
            .filter_map(|e| std::fs::read(e.path()).ok())
            .collect();
        files.sort();
        let total: usize = files.iter().map(|f| f.len()).sum();
        group.throughput(Throughput::Bytes(total as u64));
        group.bench_function(BenchmarkId::new("full", format!("corpus-{}-files", files.len())), |b| {
            let mut p = parser();
            b.iter(|| {
                for f in &files {
                    p.parse(f, None).unwrap();
                }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
