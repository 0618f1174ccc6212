//! Where a lint run's time goes, rule by rule: `cargo run --release -p dockls --example
//! ruleprof -- 50000` (`SHAPE=run-dense` for the RUN-dense file) prints, for a warm run on an
//! unchanged analysis, the median time of the syntax checks, of building the lint context
//! (every RUN's shell analysis, kept on its instruction), of collecting the scripts ShellCheck would
//! check with their cache lookup, and of each rule, slowest first (the 25 slowest; `ALL=1` for
//! every rule: the ones outside `lint::memo`'s classes run over the whole file on each
//! keystroke).
#[path = "../../tests/src/synth.rs"]
#[allow(dead_code)]
mod synth;
use dockls::analysis::Analysis;
use dockls::lint::{rules, Context, LintOptions};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let lines: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5000);
    let shape = synth::Shape::parse(&std::env::var("SHAPE").unwrap_or_default()).unwrap_or(synth::Shape::Mixed);
    let text = shape.generate(lines);
    let a = Analysis::new(dockls::document::Snapshot::from_text(&text));
    let options = LintOptions::default();
    let ms = |t: std::time::Instant| t.elapsed().as_secs_f64() * 1e3;
    let mut rows: Vec<(String, Vec<f64>)> =
        vec![("(syntax checks)".into(), vec![]), ("(context)".into(), vec![]), ("(ShellCheck scripts, cache lookup)".into(), vec![])];
    rows.extend(rules::all().iter().map(|r| (r.id.to_string(), vec![])));
    for _ in 0..9 {
        let t = std::time::Instant::now();
        let mut out = Vec::new();
        dockls::diagnostics::syntax::check(a.text(), &a.dockerfile, &mut out);
        rows[0].1.push(ms(t));
        let t = std::time::Instant::now();
        let ctx = Context::new(a.text(), &a.dockerfile, &a.semantics, &options);
        rows[1].1.push(ms(t));
        // What publishing adds when ShellCheck is on: the scripts and their cached findings.
        let t = std::time::Instant::now();
        let scripts = dockls::shellcheck::Scripts::collect(a.text(), &a.dockerfile, &a.semantics);
        let _ = dockls::shellcheck::cached(std::path::Path::new("shellcheck"), &scripts);
        rows[2].1.push(ms(t));
        for (i, rule) in rules::all().iter().enumerate() {
            let t = std::time::Instant::now();
            let mut findings = Vec::new();
            (rule.check)(&ctx, &mut findings);
            rows[i + 3].1.push(ms(t));
        }
    }
    let mut rows: Vec<(String, f64)> = rows.into_iter().map(|(n, v)| (n, median(v))).collect();
    let total: f64 = rows.iter().map(|r| r.1).sum();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!("{} lines ({}), one thread, sum {total:.2} ms", lines, shape.name());
    for (name, t) in rows.iter().take(std::env::var("ALL").map_or(25, |_| 1000)) {
        println!("{name:32} {t:8.3} ms");
    }
}
