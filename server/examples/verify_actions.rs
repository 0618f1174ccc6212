//! Fixes and refactors over real Dockerfiles (`actions::verify`): applying any single fix,
//! fix-all or any refactor adds no syntax error, no fix adds a finding that was not there
//! (except the trade-offs its rule's docs name), and merged RUNs run the same commands in
//! order. The unit tests do this over the fixtures; CI over the corpus in `../shared/corpus`.
//!
//! ```sh
//! cargo run --release -p dockls --example verify_actions -- ../shared/corpus
//! ```
//!
//! Exit status 1 when any check fails (each is printed: file, what, the text after).

#[path = "common/corpus.rs"]
mod corpus;

use rayon::prelude::*;

fn main() {
    let Some(root) = std::env::args().nth(1) else {
        eprintln!("usage: verify_actions <folder>");
        std::process::exit(2);
    };
    let paths = corpus::files(&root);
    let reports: Vec<_> = paths
        .par_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(p).ok()?;
            let name = p.display().to_string();
            Some(std::panic::catch_unwind(|| dockls::actions::verify::verify(&name, &text)).unwrap_or_else(|_| dockls::actions::verify::Report {
                problems: vec![format!("{name}: panicked")],
                ..Default::default()
            }))
        })
        .collect();
    let (fixes, refactors): (usize, usize) = reports.iter().fold((0, 0), |(f, r), x| (f + x.fixes, r + x.refactors));
    let (merges, heredoc_merges): (usize, usize) = reports.iter().fold((0, 0), |(m, h), x| (m + x.merges, h + x.heredoc_merges));
    let problems: Vec<&String> = reports.iter().flat_map(|r| &r.problems).collect();
    for p in &problems {
        println!("{p}\n");
    }
    println!("{} files: {fixes} fixes and {refactors} refactors applied, {} problems", reports.len(), problems.len());
    println!("RUN merges checked for order: {merges} ({heredoc_merges} with heredoc RUNs)");
    std::process::exit(i32::from(!problems.is_empty()));
}
