//! Parses every file in the given directories (recursively) and reports the files whose tree
//! contains ERROR or MISSING nodes, with the first error's line. Exit status 1 when any has one.
//!
//!     cargo run --release -p tree-sitter-dockerfile --example check-corpus -- DIR...

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for entry in entries {
            collect(&entry, out);
        }
    } else if path.extension().is_none_or(|ext| ext != "md") {
        out.push(path.to_path_buf());
    }
}

fn first_error(node: tree_sitter::Node) -> Option<tree_sitter::Node> {
    if node.is_error() || node.is_missing() {
        return Some(node);
    }
    if !node.has_error() {
        return None;
    }
    let mut cursor = node.walk();
    let found = node.children(&mut cursor).find_map(first_error);
    found
}

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if args.is_empty() {
        eprintln!("usage: check-corpus DIR...");
        return ExitCode::from(2);
    }
    let mut files = Vec::new();
    for arg in &args {
        collect(arg, &mut files);
    }
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&tree_sitter_dockerfile::LANGUAGE.into()).unwrap();
    let mut failed = 0usize;
    let mut bytes = 0usize;
    let start = std::time::Instant::now();
    for file in &files {
        let source = match std::fs::read(file) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{}: cannot read: {e}", file.display());
                failed += 1;
                continue;
            }
        };
        bytes += source.len();
        let tree = parser.parse(&source, None).expect("parser returns a tree");
        if let Some(err) = first_error(tree.root_node()) {
            failed += 1;
            let line_no = err.start_position().row;
            let line = source.split(|&b| b == b'\n').nth(line_no).unwrap_or_default();
            println!(
                "{}:{}:{}: {} | {}",
                file.display(),
                line_no + 1,
                err.start_position().column + 1,
                if err.is_missing() { format!("MISSING {}", err.kind()) } else { "ERROR".into() },
                String::from_utf8_lossy(line).trim_end()
            );
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} of {} files with errors ({:.1} MB parsed in {:.0} ms)",
        failed,
        files.len(),
        bytes as f64 / 1e6,
        secs * 1e3
    );
    if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
