//! CPU time of a keystroke's diagnostics, for a loaded machine where wall time means little:
//! `SHAPE=run-dense cargo run --release -p dockls --example editcpu -- 5000` replaces a digit
//! in the middle of the file 400 times (as `editprof` does) and prints the process CPU time
//! (every thread) of the whole edit and of its diagnostics, per keystroke, and how many
//! instructions each class of kept rule findings (`lint::memo`) looked at again.
#[path = "../../tests/src/synth.rs"]
#[allow(dead_code)] // the generator is shared; not every user calls every function
mod synth;
use dockls::analysis::Analysis;
use dockls::document::{Change, Document, PositionEncoding, TextPosition};

/// CPU time of the whole process so far (all threads: the lint runs rules on all cores).
fn cpu() -> std::time::Duration {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `t` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    std::time::Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

fn main() {
    let lines: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5000);
    let text = synth::Shape::parse(&std::env::var("SHAPE").unwrap_or_default()).unwrap_or(synth::Shape::Mixed).generate(lines);
    let mid = text.len() / 2;
    let at = mid + text[mid..].find(|c: char| c.is_ascii_digit()).expect("a digit");
    let line = text[..at].matches('\n').count() as u32;
    let col = (at - text[..at].rfind('\n').map_or(0, |i| i + 1)) as u32;
    let mut doc = Document::new(&text, 1);
    let mut previous = Analysis::new(doc.snapshot());
    let diagnose = |a: &Analysis| dockls::diagnostics::diagnose_with(a.text(), &a.dockerfile, &a.semantics, &Default::default(), &Default::default());
    diagnose(&previous);
    let edits = 400;
    let (mut total, mut lint) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    let mut relinted = [0usize; 3];
    for version in 2..2 + edits {
        let digit = if version % 2 == 0 { "2" } else { "1" };
        let change = Change { range: Some((TextPosition::new(line, col), TextPosition::new(line, col + 1))), text: digit.into() };
        let t0 = cpu();
        doc.apply_changes(&[change], version, PositionEncoding::Utf16);
        let a = Analysis::new_reusing(doc.snapshot(), previous);
        let t1 = cpu();
        for (class, n) in relinted.iter_mut().enumerate() {
            *n += a.dockerfile.instructions.iter().filter(|i| dockls::lint::memo::kept(&i.memo, class).is_none()).count();
        }
        let t2 = cpu();
        diagnose(&a);
        let t3 = cpu();
        total += (t1 - t0) + (t3 - t2);
        lint += t3 - t2;
        previous = a;
    }
    let per = |d: std::time::Duration| d.as_secs_f64() * 1e3 / edits as f64;
    println!("{} lines, {} instructions, {edits} edits", lines, previous.dockerfile.instructions.len());
    println!("CPU per edit: {:.3} ms, of which diagnostics {:.3} ms", per(total), per(lint));
    println!("instructions without kept findings per edit (own, earlier, trailing): {:?}", relinted.map(|n| n as f64 / edits as f64));
}
