//! Heap bytes held by each layer of one open document (rope + tree, typed model, semantics,
//! diagnostics), read from glibc's counters so tree-sitter's C allocations count too. Used for
//! the memory section of BENCHMARKS.md:
//!
//!     cargo run --release -p dockls --example memory -- 50000

#[path = "../../tests/src/synth.rs"]
#[allow(dead_code)] // the generator is shared; not every user calls every function
mod synth;

/// Bytes in use in glibc's heap: Rust's allocations and tree-sitter's alike. `mallinfo2`
/// counts the main arena only, so every thread is made to allocate there (`start`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn start() {
    // SAFETY: called before any other thread exists; only changes allocator tuning.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn live() -> Option<usize> {
    // SAFETY: mallinfo2 only reads the allocator's counters.
    let info = unsafe { libc::mallinfo2() };
    Some(info.uordblks + info.hblkhd)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn start() {}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn live() -> Option<usize> {
    None
}

fn main() {
    start();
    let lines: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50_000);
    let Some(start) = live() else {
        eprintln!("memory: needs glibc's mallinfo2 (Linux with glibc)");
        std::process::exit(2);
    };
    let text = synth::Shape::parse(&std::env::var("SHAPE").unwrap_or_default()).unwrap_or(synth::Shape::Mixed).generate(lines);
    let mut last = start;
    let mut step = |name: &str| {
        let now = live().unwrap_or(0);
        let mib = |b: f64| b / (1024.0 * 1024.0);
        println!("{name:<24} {:>+7.1} MiB   (live {:6.1} MiB)", mib(now as f64 - last as f64), mib(now as f64));
        last = now;
    };
    step("text");
    let doc = dockls::document::Document::new(&text, 1);
    step("rope + tree");
    let snapshot = doc.snapshot();
    let dockerfile = dockls::syntax::Dockerfile::new(&snapshot.text, &snapshot.tree);
    step("typed model");
    let semantics = dockls::semantics::Semantics::analyze(&snapshot.text, &dockerfile);
    step("semantics");
    // Every RUN body parsed with tree-sitter-bash into the shell cache the rules read.
    dockls::shell::prefetch(&snapshot.text, &dockerfile);
    step("shell analysis");
    let diagnostics =
        dockls::diagnostics::diagnose_with(&snapshot.text, &dockerfile, &semantics, &Default::default(), &Default::default());
    step("diagnostics");
    println!("{lines} lines, {} bytes, {} instructions, {} diagnostics", text.len(), dockerfile.instructions.len(), diagnostics.len());
}
