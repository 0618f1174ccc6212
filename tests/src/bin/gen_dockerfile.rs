//! Writes a generated Dockerfile of N lines to stdout (the same files every benchmark uses).
fn main() {
    let lines: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or_else(|| {
        eprintln!("usage: gen-dockerfile LINES");
        std::process::exit(2)
    });
    print!("{}", dockls_tests::synth::dockerfile(lines));
}
