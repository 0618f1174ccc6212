//! Where a cold open's time goes, phase by phase, on one thread (run with
//! `RAYON_NUM_THREADS=1` so wall time is CPU time): `SHAPE=run-dense cargo run --release -p
//! dockls --example openphases -- 5000`. One open per process, as an editor sees it.
#[path = "../../tests/src/synth.rs"]
#[allow(dead_code)] // the generator is shared; not every user calls every function
mod synth;
use std::time::Instant;

fn main() {
    let lines: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5000);
    let text = synth::Shape::parse(&std::env::var("SHAPE").unwrap_or_default()).unwrap_or(synth::Shape::Mixed).generate(lines);
    let mut t = Instant::now();
    let mut lap = |what: &str| {
        eprint!("{what} {:.2}  ", t.elapsed().as_secs_f64() * 1e3);
        t = Instant::now();
    };
    // WALL=1: the open as the language server does it, on all cores, timed as a whole: the
    // parse, then the analysis and the diagnostics.
    if std::env::var_os("WALL").is_some() {
        rayon::broadcast(|_| ()); // the pool's threads started, as in a running server
        let start = Instant::now();
        let doc = dockls::document::Document::new(&text, 1);
        let parsed = start.elapsed();
        let a = dockls::analysis::Analysis::new(doc.snapshot());
        let analysed = start.elapsed();
        let d = dockls::diagnostics::diagnose_with(a.text(), &a.dockerfile, &a.semantics, &Default::default(), &Default::default());
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        println!("parse {:.2} analysis {:.2} total {:.2} ms ({} diagnostics)", ms(parsed), ms(analysed - parsed), ms(start.elapsed()), d.len());
        return;
    }
    let doc = dockls::document::Document::new(&text, 1);
    lap("document");
    let snap = doc.snapshot();
    let df = dockls::syntax::Dockerfile::of_snapshot(&snap);
    lap("model");
    let sem = dockls::semantics::Semantics::analyze(&snap.text, &df);
    lap("semantics");
    dockls::shell::prefetch(&snap.text, &df);
    lap("shell");
    let mut out = Vec::new();
    dockls::diagnostics::syntax::check(&snap.text, &df, &mut out);
    lap("syntax");
    let f = dockls::lint::lint(&snap.text, &df, &sem, &Default::default(), &Default::default());
    lap("rules");
    eprintln!("({} findings)", f.len() + out.len());
    // SHELLCHECK=path: what each publish adds once ShellCheck's findings are in the cache
    // (after the first background run): collecting the scripts and mapping the findings.
    if let Ok(bin) = std::env::var("SHELLCHECK") {
        let bin = std::path::PathBuf::from(bin);
        let a = dockls::analysis::Analysis::new(snap.clone());
        let scripts = dockls::shellcheck::Scripts::collect(a.text(), &a.dockerfile, &a.semantics);
        dockls::shellcheck::check_in_background(&bin, scripts);
        for _ in 0..3 {
            let mut t = Instant::now();
            let mut lap = |what: &str| {
                eprint!("{what} {:.2}  ", t.elapsed().as_secs_f64() * 1e3);
                t = Instant::now();
            };
            let scripts = dockls::shellcheck::Scripts::collect(a.text(), &a.dockerfile, &a.semantics);
            lap("collect");
            let (found, missing) = dockls::shellcheck::cached(&bin, &scripts);
            lap("cached");
            eprintln!("({} ShellCheck findings, {missing} scripts missing)", found.len());
        }
    }
}
