//! The tree-free reader of plain command lines (`shell::simple`) against tree-sitter-bash on
//! real Dockerfiles: for every RUN script of every file, either the reader declines it or
//! both give the same commands, pipes and top level. The unit tests do this on generated
//! scripts; CI on the corpus in `../shared/corpus`.
//!
//! ```sh
//! cargo run --release -p dockls --example shell_paths -- ../shared/corpus
//! ```
//!
//! Exit status 1 when any script differs (each is printed with both results).

#[path = "common/corpus.rs"]
mod corpus;

fn main() {
    let Some(root) = std::env::args().nth(1) else {
        eprintln!("usage: shell_paths <folder>");
        std::process::exit(2);
    };
    let paths = corpus::files(&root);
    let (mut scripts, mut one_line, mut read, mut differ) = (0, 0, 0, 0);
    for p in &paths {
        let Ok(text) = std::fs::read_to_string(p) else { continue };
        let snap = dockls::document::Snapshot::from_text(&text);
        let df = dockls::syntax::Dockerfile::new(&snap.text, &snap.tree);
        for ins in &df.instructions {
            for script in dockls::shell::analyze_run(&text, ins).scripts {
                scripts += 1;
                if script.text.contains('\n') {
                    continue;
                }
                one_line += 1;
                match dockls::shell::compare_paths(&script.text) {
                    None => {}
                    Some(Ok(())) => read += 1,
                    Some(Err(diff)) => {
                        differ += 1;
                        println!("{}:\n{diff}\n", p.display());
                    }
                }
            }
        }
    }
    println!(
        "{} files, {scripts} RUN scripts ({one_line} on one line): {read} read without a tree, {differ} of them differ from tree-sitter-bash",
        paths.len()
    );
    std::process::exit(i32::from(differ > 0));
}
