#[path = "../../tests/src/synth.rs"]
#[allow(dead_code)] // the generator is shared; not every user calls every function
mod synth;
fn main() {
    let lines: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5000);
    let text = synth::Shape::parse(&std::env::var("SHAPE").unwrap_or_default()).unwrap_or(synth::Shape::Mixed).generate(lines);
    let mut rows: Vec<[f64; 4]> = vec![];
    // OPENS=1 for a profiler run of cold opens only (one per process).
    let opens: usize = std::env::var("OPENS").ok().and_then(|v| v.parse().ok()).unwrap_or(15);
    for _ in 0..opens {
        let t0 = std::time::Instant::now();
        let doc = dockls::document::Document::new(&text, 1);
        let t1 = t0.elapsed().as_secs_f64() * 1e3;
        let a = dockls::analysis::Analysis::new(doc.snapshot());
        let t2 = t0.elapsed().as_secs_f64() * 1e3;
        let d = dockls::diagnostics::diagnose_with(a.text(), &a.dockerfile, &a.semantics, &Default::default(), &Default::default());
        let t3 = t0.elapsed().as_secs_f64() * 1e3;
        std::hint::black_box(d);
        rows.push([t1, t2 - t1, t3 - t2, t3]);
    }
    // The first open in a fresh process is what an editor (and lsp-bench) sees: cold caches,
    // heap pages touched for the first time.
    println!("first: {:.2} {:.2} {:.2} {:.2}", rows[0][0], rows[0][1], rows[0][2], rows[0][3]);
    print!("median: ");
    for k in 0..4 { let mut v: Vec<f64> = rows.iter().map(|r| r[k]).collect(); v.sort_by(|a, b| a.partial_cmp(b).unwrap()); print!("{:.2} ", v[v.len()/2]); }
    println!(" (doc, analysis, diagnostics, total ms)");
}
