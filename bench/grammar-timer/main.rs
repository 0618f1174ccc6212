// Times full parses of the given files with whichever grammar this program is built against
// (the build script compiles it twice: with our grammar and with the published one).
// Prints one line per input: name, bytes, median ms of N runs, MB/s.
fn main() {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(7);
    let inputs: Vec<String> = args.collect();
    let mut parser = tree_sitter::Parser::new();
    setup(&mut parser);
    for input in inputs {
        let files: Vec<Vec<u8>> = if std::path::Path::new(&input).is_dir() {
            let mut v: Vec<_> = std::fs::read_dir(&input).unwrap().filter_map(|e| e.ok()).map(|e| e.path())
                .filter(|p| p.extension().map_or(true, |x| x != "md")).collect();
            v.sort();
            v.into_iter().map(|p| std::fs::read(p).unwrap()).collect()
        } else {
            vec![std::fs::read(&input).unwrap()]
        };
        let bytes: usize = files.iter().map(|f| f.len()).sum();
        let mut errors = 0;
        for f in &files {
            if parser.parse(f, None).unwrap().root_node().has_error() { errors += 1; }
        }
        let mut times = Vec::new();
        for _ in 0..runs {
            let t = std::time::Instant::now();
            for f in &files { std::hint::black_box(parser.parse(f, None).unwrap()); }
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let med = times[times.len() / 2];
        println!("{}\t{}\t{:.2}\t{:.1}\t{}", input.rsplit('/').next().unwrap(), bytes, med, bytes as f64 / 1e6 / (med / 1e3), errors);
    }
}
