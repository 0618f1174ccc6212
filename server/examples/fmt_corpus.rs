//! The formatter over real Dockerfiles: every file is formatted with the default options and
//! with the other choices (trailing operators, tabs, a narrow width); a second pass must change
//! nothing and the result must mean the same (`dockls::format::meaning::same_meaning`: our
//! parser's instructions, flags and values; RUN bodies' tree-sitter-bash trees).
//!
//! ```sh
//! cargo run --release -p dockls --example fmt_corpus -- ../shared/corpus
//! ```
//!
//! Prints the counts; exit status 1 when any file is not idempotent or changes meaning (each
//! is printed with what differs).
//!
//! `fmt_corpus --time PATH` (a folder or one file) only times the formatter, for
//! `bench/fmt-vs-peers.sh`: each file parsed and formatted with the default options, one after
//! the other on one thread as the peers' format calls run in node (reading the files and
//! starting the process not counted), three rounds; prints the median round's milliseconds,
//! and the parse and the formatting apart.

use dockls::format::{format_text, meaning::same_meaning, OperatorPlacement, Options};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["--time", path] => time(path),
        [dir] => check(dir),
        _ => {
            eprintln!("usage: fmt_corpus [--time] <folder>");
            std::process::exit(2);
        }
    }
}

fn files(dir: &str) -> Vec<std::path::PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
        .collect();
    paths.sort();
    paths
}

fn time(path: &str) {
    use std::time::Instant;
    let single = std::path::Path::new(path).is_file();
    let paths = if single { vec![path.into()] } else { files(path) };
    let texts: Vec<String> = paths.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect();
    let o = Options::default();
    // One thread, as node runs the peers.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a thread pool");
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mut rounds, mut parses, mut formats) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        pool.install(|| {
            let (mut parse, mut format) = (0.0, 0.0);
            let start = Instant::now();
            for text in &texts {
                let t0 = Instant::now();
                let tree = dockls::document::parse(text);
                let df = dockls::syntax::Dockerfile::new(text, &tree);
                let t1 = Instant::now();
                let edits = dockls::format::format(text, &df, &o);
                std::hint::black_box(dockls::format::apply(text, &edits));
                format += t1.elapsed().as_secs_f64();
                parse += (t1 - t0).as_secs_f64();
            }
            rounds.push(start.elapsed().as_secs_f64() * 1e3);
            parses.push(parse * 1e3);
            formats.push(format * 1e3);
        });
    }
    let what = if single { path.to_string() } else { format!("{} files", texts.len()) };
    println!("{what}: {:.1} ms (parse {:.1} ms, format {:.1} ms), one thread, median of 3", median(rounds), median(parses), median(formats));
}

fn check(dir: &str) {
    let paths = files(dir);
    let variants = [
        ("default", Options::default()),
        ("trailing, tabs, width 40", Options { operators: OperatorPlacement::Trailing, tabs: true, line_width: 40, ..Options::default() }),
    ];
    let (mut files, mut changed, mut unstable, mut meaning) = (0, 0, 0, 0);
    for path in &paths {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        files += 1;
        for (name, o) in &variants {
            let once = format_text(&text, o);
            if *name == "default" && once != text {
                changed += 1;
            }
            let twice = format_text(&once, o);
            if once != twice {
                unstable += 1;
                println!("NOT IDEMPOTENT ({name}): {}", path.display());
                print_first_difference(&once, &twice);
            }
            if let Err(e) = same_meaning(&text, &once) {
                meaning += 1;
                println!("MEANING CHANGED ({name}): {}: {e}", path.display());
            }
        }
    }
    println!("{files} files: {changed} changed by the default options, {unstable} not idempotent, {meaning} meaning changed");
    if unstable + meaning > 0 {
        std::process::exit(1);
    }
}

fn print_first_difference(a: &str, b: &str) {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            println!("  line {}:\n  - {x}\n  + {y}", i + 1);
            return;
        }
    }
    println!("  (line counts differ: {} and {})", a.lines().count(), b.lines().count());
}
