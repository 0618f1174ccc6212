//! Writes a generated Dockerfile of N lines to stdout (the same files every benchmark uses):
//! `gen-dockerfile LINES [mixed|run-dense]`.
fn main() {
    let mut args = std::env::args().skip(1);
    let lines: Option<usize> = args.next().and_then(|a| a.parse().ok());
    let shape = args.next().map_or(Some(dockls_tests::synth::Shape::Mixed), |s| dockls_tests::synth::Shape::parse(&s));
    let (Some(lines), Some(shape)) = (lines, shape) else {
        eprintln!("usage: gen-dockerfile LINES [mixed|run-dense]");
        std::process::exit(2)
    };
    print!("{}", shape.generate(lines));
}
