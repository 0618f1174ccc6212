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

use dockls::format::{format_text, meaning::same_meaning, OperatorPlacement, Options};

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: fmt_corpus <folder>");
        std::process::exit(2);
    };
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
        .collect();
    paths.sort();
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
