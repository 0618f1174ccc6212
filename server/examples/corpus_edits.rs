//! Random edits on real Dockerfiles, each applied as an editor sends it (one range change) and
//! compared with a fresh open of the same text: the typed model (which after an edit keeps the
//! previous model's unchanged instructions and reads only the tree around the edit) and the
//! diagnostics must be identical. The property test does this on small generated texts; this
//! does it on whatever files it is given (CI: the corpus in `../shared/corpus`).
//!
//! ```sh
//! cargo run --release -p dockls --example corpus_edits -- ../shared/corpus [EDITS_PER_FILE] [SEED] [gentle]
//! ```
//!
//! `gentle`: only insertions that keep the file well-formed (whole lines at a line's start, a
//! character at a line's end), so most edits take the fast path that reads the tree only
//! around the edit; by default edits land anywhere, also delete, and break structure.
//!
//! Each file, and the text after each edit, is also opened in two halves at every place
//! `document::split` may cut it (after an edit: the place nearest the middle): the halves' nodes
//! and model must be the whole tree's.
//!
//! Exit status 1 when any edit or cut differs (each is printed: file, text before, change).

#[path = "../../tests/src/rng.rs"]
mod rng;

use dockls::analysis::Analysis;
use dockls::document::{split, Change, Document, LineIndex, PositionEncoding, Snapshot};
use dockls::syntax::Dockerfile;
use rng::Rng;

/// Text an edit may insert: what typing in a Dockerfile produces, and what breaks structure
/// (line continuations, heredoc markers, quotes, brackets).
const PIECES: &[&str] = &[
    "\n", " ", "\\\n", "\\", "RUN echo hi\n", "FROM alpine:3.20 AS x\n", "<<EOF\n", "EOF\n", "# note\n", "ENV A=1\n",
    "\"", "'", "$", "${", "}", "[", "]", "--mount=type=cache,target=/x ", "&& ", "ARG V=1\n", "COPY --from=x / /\n",
    "\r\n", "\t", "é", "🐳", "#", "=", ":", "ONBUILD ", "# escape=`\n", "x", "1",
];

/// Whole lines for `gentle` runs, inserted at a line's start.
const GENTLE: &[&str] = &["\n", "# note\n", "RUN echo hi\n", "ENV A=1\n", "ARG V=1\n", "FROM alpine:3.20 AS x\n", "COPY --from=x / /\n", "LABEL a=b\n"];

/// The nearest offset at or before `i` that a client can name: a character boundary, and not
/// between the `\r` and `\n` of a CRLF (one line break to LSP positions).
fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    if i > 0 && text.as_bytes()[i - 1] == b'\r' && text.as_bytes().get(i) == Some(&b'\n') {
        i -= 1;
    }
    i
}

/// Checks `text` opened in two halves at `at` (see `document::split`): whether the cut was
/// taken, or how it differs from the whole parse.
fn check_cut(text: &str, at: usize) -> Result<bool, String> {
    if !split::verify_cut(text, at)? {
        return Ok(false);
    }
    let (_, halves) = split::parse_halves(text, at).expect("verified");
    let model = |df: &Dockerfile| format!("{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}", df.directives, df.instructions, df.stages, df.comments, df.errors, df.escape);
    if model(&Dockerfile::from_parts(text, &halves)) != model(&Dockerfile::new(text, &dockls::document::parse(text))) {
        return Err("the model from the halves differs".into());
    }
    Ok(true)
}

/// Everything of an analysis that must not depend on how the text was reached.
fn fingerprint(a: &Analysis) -> String {
    let df = &a.dockerfile;
    let diagnostics = dockls::diagnostics::diagnose_with(a.text(), df, &a.semantics, &Default::default(), &Default::default());
    format!("{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{diagnostics:?}", df.directives, df.instructions, df.stages, df.comments, df.errors, df.escape)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: corpus_edits <folder> [edits per file] [seed]");
        std::process::exit(2);
    };
    let per_file: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let pieces = if args.next().as_deref() == Some("gentle") { GENTLE } else { PIECES };
    let mut paths: Vec<_> = match std::fs::read_dir(&dir) {
        // Every file but notes about the folder (`*.md`), as `.ci/run` checks them.
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
            .collect(),
        Err(e) => {
            eprintln!("corpus_edits: cannot read {dir}: {e}");
            std::process::exit(2);
        }
    };
    paths.sort();
    let (mut edits, mut walked, mut failures) = (0usize, 0usize, 0usize);
    let (mut cuts, mut cuts_refused) = (0usize, 0usize);
    let mut cut = |text: &str, at: usize, what: &str, failures: &mut usize| match check_cut(text, at) {
        Ok(taken) => {
            cuts += 1;
            cuts_refused += usize::from(!taken);
        }
        Err(e) => {
            *failures += 1;
            println!("CUT DIFFERS {what} at {at}: {e} in {text:?}");
        }
    };
    for (n, path) in paths.iter().enumerate() {
        let Ok(start) = std::fs::read_to_string(path) else { continue }; // not UTF-8: not a document
        for at in split::all_cuts(&start) {
            cut(&start, at, &path.display().to_string(), &mut failures);
        }
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(n as u64 + 1) | 1);
        let mut doc = Document::new(&start, 0);
        let mut previous = Analysis::new(doc.snapshot());
        let mut text = start.clone();
        // Typing goes on where it was: half the edits land next to the previous one.
        let mut at = rng.below(text.len() + 1);
        for version in 1..=per_file as i32 {
            if rng.chance(50) {
                at = rng.below(text.len() + 1);
            }
            let gentle = pieces == GENTLE;
            let (a, b, insert) = if gentle {
                // A line's start (or, one time in three, the end of that line's text), where
                // the line before does not continue into it.
                let start = text[..floor_boundary(&text, at)].rfind('\n').map_or(0, |i| i + 1);
                let continued = |end: usize| text[..end].trim_end().ends_with(['\\', '`']);
                let end = text[start..].find(['\r', '\n']).map_or(text.len(), |i| start + i);
                if continued(start) || continued(end) {
                    continue;
                }
                if rng.chance(33) {
                    (end, end, "1")
                } else {
                    (start, start, GENTLE[rng.below(GENTLE.len())])
                }
            } else {
                let a = floor_boundary(&text, at);
                let b = floor_boundary(&text, a + if rng.chance(33) { rng.below(24) } else { 0 });
                (a, b, if rng.chance(25) { "" } else { PIECES[rng.below(PIECES.len())] })
            };
            let before = text.clone();
            let enc = if version % 2 == 0 { PositionEncoding::Utf8 } else { PositionEncoding::Utf16 };
            let idx = LineIndex::new(&text);
            let range = (idx.position(&text, a, enc), idx.position(&text, b, enc));
            doc.apply_changes(&[Change { range: Some(range), text: insert.into() }], version, enc);
            text.replace_range(a..b, insert);
            at = a + insert.len();
            if let Some(middle) = split::cut_near_middle(&text) {
                cut(&text, middle, &format!("{} after edit {version}", path.display()), &mut failures);
            }
            let edited = Analysis::new_reusing(doc.snapshot(), previous);
            edits += 1;
            walked += usize::from(edited.dockerfile.walked_only_the_edit());
            if edited.text() != text {
                failures += 1;
                println!("TEXT DIFFERS {} edit {version}: replace {a}..{b} with {insert:?} in {before:?}", path.display());
                break;
            }
            let (got, want) = (fingerprint(&edited), fingerprint(&Analysis::new(Snapshot::from_text(&text))));
            if got != want {
                failures += 1;
                println!("DIFFERS {} edit {version}: replace {a}..{b} ({:?}) with {insert:?} in {before:?}", path.display(), &before[a..b]);
                if let Some((g, w)) = got.lines().zip(want.lines()).find(|(g, w)| g != w) {
                    let at = g.bytes().zip(w.bytes()).take_while(|(x, y)| x == y).count().saturating_sub(80);
                    println!("  edited: …{}", g.get(at..(at + 400).min(g.len())).unwrap_or(g));
                    println!("  fresh:  …{}", w.get(at..(at + 400).min(w.len())).unwrap_or(w));
                }
                break; // the rest of this file's edits would start from a wrong model
            }
            previous = edited;
        }
    }
    println!("{} files, {edits} edits ({walked} read only the tree around the edit), {cuts} cuts in two halves ({cuts_refused} refused: a syntax error in a half, or a heredoc open at the cut): {failures} differ from a fresh open", paths.len());
    std::process::exit(i32::from(failures > 0));
}
