use std::path::PathBuf;

use proptest::prelude::*;

use super::*;
use crate::analysis::Analysis;
use crate::document::{Change, Document, PositionEncoding, Snapshot};
use crate::lint::{rules, Context, LintOptions, Rule, RuleSelection};

#[path = "../../../../tests/src/synth.rs"]
#[allow(dead_code)] // the generator is shared with the benchmarks; not every function is used here
mod synth;

fn fixtures() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/lint/rules/fixtures");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("fixtures")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "Dockerfile"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).expect("fixture")))
        .collect();
    files.sort();
    files
}

fn findings_of(text: &str, rule: &Rule) -> Vec<Finding> {
    let a = Analysis::new(Snapshot::from_text(text));
    let options = LintOptions::default();
    let ctx = Context::new(a.text(), &a.dockerfile, &a.semantics, &options);
    let mut out = Vec::new();
    (rule.check)(&ctx, &mut out);
    out
}

fn print(fs: &[Finding]) -> String {
    format!("{fs:#?}")
}

/// The claim [`LOCAL`] and [`TRAILING`] make: such a rule finds on an instruction exactly what
/// it finds on that instruction's text alone, up to the next instruction (after a `FROM`,
/// under the same directives), moved to where the instruction is, and everything a finding
/// points at lies inside that text.
#[test]
fn per_instruction_rules_find_the_same_on_each_instruction_alone() {
    let mut checked = 0;
    for &id in LOCAL.iter().chain(TRAILING) {
        let rule = crate::lint::rule(id).unwrap_or_else(|| panic!("{id} is in the catalogue"));
        for (name, text) in fixtures().into_iter().chain([("synth run-dense".into(), synth::run_dense(400))]) {
            let a = Analysis::new(Snapshot::from_text(&text));
            let ins = &a.dockerfile.instructions;
            if ins.is_empty() {
                continue;
            }
            let starts: Vec<usize> = ins.iter().map(|i| i.range.start).collect();
            let whole = findings_of(&text, rule);
            // Directives (the escape character) and comments before the first instruction.
            let head = &text[..starts[0]];
            for (k, i) in ins.iter().enumerate() {
                let end = starts.get(k + 1).copied().unwrap_or(text.len());
                let here: Vec<Finding> = whole.iter().filter(|f| instruction_at(&starts, f.range.start) == Some(k)).cloned().collect();
                for f in &here {
                    for r in ranges(f) {
                        assert!(i.range.start <= r.start && r.end <= end, "{id} in {name}: {r:?} outside instruction {k} {:?}", i.range);
                    }
                }
                let from = if i.kind == crate::syntax::Kind::From { "" } else { "FROM scratch\n" };
                let alone = format!("{head}{from}{}", &text[i.range.start..end]);
                let at = head.len() + from.len();
                let mut found: Vec<Finding> =
                    findings_of(&alone, rule).into_iter().filter(|f| f.range.start >= at).collect();
                for f in &mut found {
                    f.shift(i.range.start as isize - at as isize);
                }
                assert_eq!(print(&found), print(&here), "{id} in {name}, instruction {k}: {:?}", &text[i.range.clone()]);
                checked += here.len();
            }
            assert!(whole.iter().all(|f| instruction_at(&starts, f.range.start).is_some()), "{id} in {name}: a finding before the first instruction");
        }
    }
    // The fixtures trigger every per-instruction rule: the test looked at real findings.
    assert!(checked > LOCAL.len() + TRAILING.len(), "only {checked} findings checked");
}

/// The claim [`EARLIER`] makes: such a rule finds on an instruction exactly what it finds on
/// the file cut down to the instructions before it that are not RUNs (with the comments and
/// directives before the first one), a stand-in for each earlier RUN that mentions some of
/// `RUN_MENTIONS` (naming just those), and the instruction itself, moved to where the
/// instruction is; and everything a finding points at lies inside the instruction (the
/// findings move with it while the earlier ones stay).
#[test]
fn earlier_rules_find_the_same_with_only_the_earlier_declarations() {
    let mut checked = 0;
    for &id in EARLIER {
        let rule = crate::lint::rule(id).unwrap_or_else(|| panic!("{id} is in the catalogue"));
        for (name, text) in fixtures().into_iter().chain([("synth run-dense".into(), synth::run_dense(200))]) {
            let a = Analysis::new(Snapshot::from_text(&text));
            let ins = &a.dockerfile.instructions;
            if ins.is_empty() {
                continue;
            }
            let starts: Vec<usize> = ins.iter().map(|i| i.range.start).collect();
            let segment = |k: usize| starts[k]..starts.get(k + 1).copied().unwrap_or(text.len());
            let whole = findings_of(&text, rule);
            let mut cut = text[..starts[0]].to_string();
            for (k, i) in ins.iter().enumerate() {
                let end = segment(k).end;
                let here: Vec<Finding> = whole.iter().filter(|f| instruction_at(&starts, f.range.start) == Some(k)).cloned().collect();
                for f in &here {
                    for r in ranges(f) {
                        assert!(i.range.start <= r.start && r.end <= end, "{id} in {name}: {r:?} outside instruction {k} {:?}", i.range);
                    }
                }
                let at = cut.len();
                let alone = format!("{cut}{}", &text[segment(k)]);
                let mut found: Vec<Finding> = findings_of(&alone, rule).into_iter().filter(|f| f.range.start >= at).collect();
                for f in &mut found {
                    f.shift(i.range.start as isize - at as isize);
                }
                assert_eq!(print(&found), print(&here), "{id} in {name}, instruction {k}: {:?}", &text[i.range.clone()]);
                checked += here.len();
                if i.kind != crate::syntax::Kind::Run {
                    cut.push_str(&text[segment(k)]);
                } else {
                    // An earlier RUN counts only by which configuration texts it mentions.
                    let lower = text[i.range.clone()].to_ascii_lowercase();
                    let named: Vec<&str> = rules::RUN_MENTIONS.iter().copied().filter(|m| lower.contains(&m.to_ascii_lowercase())).collect();
                    if !named.is_empty() {
                        cut.push_str(&format!("RUN echo '{}'\n", named.join(" ")));
                    }
                }
            }
        }
    }
    assert!(checked > EARLIER.len(), "only {checked} findings checked");
}

#[test]
fn every_per_instruction_rule_is_in_the_catalogue() {
    for id in LOCAL {
        assert!(rules::all().iter().any(|r| r.id == *id), "{id}");
    }
    assert_eq!(local_rules().count_ones() as usize, LOCAL.len());
    for id in EARLIER.iter().chain(TRAILING) {
        assert!(rules::all().iter().any(|r| r.id == *id) && !LOCAL.contains(id), "{id}");
    }
    assert_eq!(earlier_rules().count_ones() as usize, EARLIER.len());
    assert_eq!(trailing_rules().count_ones() as usize, TRAILING.len());
    assert_eq!(earlier_rules() & trailing_rules(), 0);
}

fn diagnose(a: &Analysis, selection: &RuleSelection) -> String {
    let d = crate::diagnostics::diagnose_with(a.text(), &a.dockerfile, &a.semantics, &LintOptions::default(), selection);
    format!("{d:#?}")
}

/// Text the random edits insert: instructions the per-instruction rules report on, pieces
/// that split or join instructions, and characters that change their meaning.
const PIECES: &[&str] = &[
    "RUN apt-get install -y curl\n",
    "RUN sudo apk add git && npm install left-pad@latest\n",
    "EXPOSE 80:8080/TCP 99999\n",
    "ADD http://example.com/a.tar.gz /tmp/\n",
    "MAINTAINER someone\n",
    "WORKDIR app\n",
    "ENV API_TOKEN=x\n",
    "FROM --platform=linux/amd64 alpine AS base\n",
    "CMD ['a', 'b']\n",
    "ONBUILD RUN apt install vim\n",
    "# escape=`\n",
    "# hadolint ignore=DL3008\n",
    "\\\n",
    "\n",
    " ",
    "apt-get install x ",
    "=1.0",
    "`",
    "\"",
    "#",
    "RUN <<EOF\nchmod 777 /x\nEOF\n",
    // What the rules that read earlier declarations look at.
    "ENV PIP_CONSTRAINT=/c.txt\n",
    "ENV PIP_NO_CACHE_DIR=1 UID=70000\n",
    "ARG UV_CACHE_DIR=/uv\n",
    "USER app\n",
    "USER root\n",
    "WORKDIR /src\n",
    "FROM golang:1.22 AS build\n",
    "FROM build\n",
    "RUN cd sub && pip install flask && go build ./...\n",
    "RUN useradd -u $UID bob && yarn install\n",
    "cd x && ",
    "RUN echo 'APT::Get::Assume-Yes \"true\";' > /etc/apt/apt.conf.d/90yes\n",
    "RUN apt-get install curl\n",
    "APT::Install-Recommends ",
    "RUN a \\\n\n# c\n\n  b\n",
    // The file's line ending, which fixes write (a first CRLF changes every kept fix).
    "\r\n",
    "ENV A=1\r\n",
];

fn selections() -> [RuleSelection; 2] {
    [RuleSelection::default(), RuleSelection { disabled: vec!["apt-pin".into(), "no-sudo".into()], ..Default::default() }]
}

/// Random one-range edits over rule fixtures and a RUN-dense synthetic file: after each, the
/// diagnostics of the model that kept the per-instruction findings (moved, reused, or under
/// another selection than last time) are a fresh open's.
fn check_edits(base: usize, edits: Vec<(usize, usize, usize, bool)>) {
    let files = fixtures();
    let bad: Vec<&(String, String)> = files.iter().filter(|(n, _)| n.ends_with(".bad.Dockerfile")).collect();
    let initial = match base % (bad.len() + 1) {
        0 => synth::run_dense(120),
        k => format!("{}{}", bad[k - 1].1, bad[(k * 7) % bad.len()].1),
    };
    let mut doc = Document::new(&initial, 0);
    let mut previous = Analysis::new(doc.snapshot());
    let sel = selections();
    diagnose(&previous, &sel[0]);
    for (step, (at, len, piece, other_selection)) in edits.into_iter().enumerate() {
        let text = doc.snapshot().text;
        let floor = |mut i: usize| {
            i = i.min(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let start = floor(at % (text.len() + 1));
        let end = floor(start + len % 12);
        let lines = crate::document::LineIndex::new(&text);
        let (a, b) = (lines.position(&text, start, PositionEncoding::Utf8), lines.position(&text, end, PositionEncoding::Utf8));
        doc.apply_changes(&[Change { range: Some((a, b)), text: PIECES[piece % PIECES.len()].into() }], step as i32 + 1, PositionEncoding::Utf8);
        let snap = doc.snapshot();
        let fresh = Analysis::new(Snapshot::from_text(&snap.text));
        let reused = Analysis::new_reusing(snap, previous);
        let selection = &sel[other_selection as usize];
        assert_eq!(diagnose(&reused, selection), diagnose(&fresh, selection), "after edit {step}:\n{}", reused.text());
        previous = reused;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn kept_findings_give_a_fresh_runs_diagnostics(
        base in 0usize..400,
        edits in prop::collection::vec((0usize..20_000, 0usize..40, 0usize..64, any::<bool>()), 1..12),
    ) {
        check_edits(base, edits);
    }
}

/// An unchanged instruction keeps its findings: after an edit inside one RUN of a RUN-dense
/// file, the per-instruction rules and those that read earlier declarations look at that one
/// instruction only.
#[test]
fn an_edit_relints_only_the_edited_instruction() {
    let text = synth::run_dense(400);
    let mut doc = Document::new(&text, 0);
    let first = Analysis::new(doc.snapshot());
    diagnose(&first, &RuleSelection::default());
    let total = first.dockerfile.instructions.len();
    assert!(first.dockerfile.instructions.iter().all(|i| (0..CLASSES).all(|class| i.memo.findings(class).is_some())));
    // Replace a digit in the middle of the file, then insert a character (every later
    // instruction moves).
    let mid = text.len() / 2;
    let at = mid + text[mid..].find(|c: char| c.is_ascii_digit()).expect("a digit");
    let lines = crate::document::LineIndex::new(&text);
    let p = lines.position(&text, at, PositionEncoding::Utf8);
    let q = crate::document::TextPosition::new(p.line, p.character + 1);
    let mut previous = first;
    for (v, (range, insert)) in [((p, q), "7"), ((p, p), "1")].into_iter().enumerate() {
        doc.apply_changes(&[Change { range: Some(range), text: insert.into() }], v as i32 + 1, PositionEncoding::Utf8);
        let a = Analysis::new_reusing(doc.snapshot(), previous);
        for class in 0..CLASSES {
            let without: usize = a.dockerfile.instructions.iter().filter(|i| i.memo.findings(class).is_none()).count();
            assert_eq!(without, 1, "of {total} instructions, class {class}");
        }
        let fresh = Analysis::new(Snapshot::from_text(a.text()));
        assert_eq!(diagnose(&a, &RuleSelection::default()), diagnose(&fresh, &RuleSelection::default()));
        previous = a;
    }
}

/// Edits that change only what comes before an instruction (a RUN that writes apt's
/// configuration, an ENV, a USER, a WORKDIR, the base image) change that instruction's
/// findings of the rules that read earlier declarations, as a fresh run's.
#[test]
fn an_edit_before_an_instruction_changes_its_findings() {
    let text = "FROM debian AS base\nRUN echo hi\nENV A=1\nUSER root\nWORKDIR /a\nFROM base\n\
                RUN apt-get install curl && pip install flask && cd b && make && useradd -u $A x && go mod download\n";
    let edits: &[(&str, &str)] = &[
        ("echo hi", "echo 'APT::Get::Assume-Yes \"1\";' > /etc/apt/apt.conf.d/y"),
        ("echo 'APT", "echo 'APT::Install-Recommends 0' 'APT"),
        ("ENV A=1", "ENV A=70000 PIP_CONSTRAINT=/c.txt"),
        ("USER root", "USER app"),
        ("WORKDIR /a", "WORKDIR /b"),
        ("FROM debian", "FROM golang:1.22"),
    ];
    // What the rules say about the last RUN (messages and fixes), its ranges aside (the edits move it).
    let on_last = |a: &Analysis| -> Vec<(&'static str, String, Vec<String>)> {
        let start = a.dockerfile.instructions.last().expect("instructions").range.start;
        let d = crate::diagnostics::diagnose_with(a.text(), &a.dockerfile, &a.semantics, &LintOptions::default(), &RuleSelection::default());
        d.into_iter().filter(|d| d.range.start >= start).map(|d| (d.code, d.message.to_string(), d.fixes.iter().map(|f| f.title.to_string()).collect())).collect()
    };
    let mut doc = Document::new(text, 0);
    let mut previous = Analysis::new(doc.snapshot());
    let mut last = on_last(&previous);
    for (v, (from, to)) in edits.iter().enumerate() {
        let text = doc.snapshot().text;
        let at = text.find(from).expect("edited text");
        let lines = crate::document::LineIndex::new(&text);
        let (a, b) = (lines.position(&text, at, PositionEncoding::Utf8), lines.position(&text, at + from.len(), PositionEncoding::Utf8));
        doc.apply_changes(&[Change { range: Some((a, b)), text: (*to).into() }], v as i32 + 1, PositionEncoding::Utf8);
        let a = Analysis::new_reusing(doc.snapshot(), previous);
        // The last RUN was not edited: it kept its per-instruction findings.
        assert!(a.dockerfile.instructions.last().is_some_and(|i| i.memo.findings(OWN).is_some()), "edit {v}");
        let now = on_last(&a);
        assert_eq!(diagnose(&a, &RuleSelection::default()), diagnose(&Analysis::new(Snapshot::from_text(a.text())), &RuleSelection::default()), "edit {v}:\n{}", a.text());
        assert_ne!(now, last, "edit {v} changes the findings on the last RUN");
        last = now;
        previous = a;
    }
}

/// Blank lines typed after a last `\` lie after the RUN's node: its node text is unchanged,
/// yet `empty-continuation` now reports them. The model rebuilds the instruction before an
/// edit today, so this hands the RUN's kept findings over by hand, as a model that reused it
/// (its node text is the same) would: the key, the text up to the next instruction, must turn
/// them down.
#[test]
fn blank_lines_after_a_final_continuation_are_found() {
    let mut text = String::from("FROM alpine\nRUN echo hi \\\n");
    let mut previous = Analysis::new(Snapshot::from_text(&text));
    diagnose(&previous, &RuleSelection::default());
    for insert in ["\n", "  \n", "# c\n", "\n"] {
        text.push_str(insert);
        let a = Analysis::new(Snapshot::from_text(&text));
        let fresh = diagnose(&a, &RuleSelection::default());
        let a = Analysis::new(Snapshot::from_text(&text));
        for (old, new) in previous.dockerfile.instructions.iter().zip(&a.dockerfile.instructions) {
            assert_eq!(previous.text()[old.range.clone()], a.text()[new.range.clone()]);
            for class in 0..CLASSES {
                new.memo.set_findings(class, old.memo.findings(class).expect("kept"));
            }
        }
        assert_eq!(diagnose(&a, &RuleSelection::default()), fresh, "after {insert:?}:\n{text}");
        previous = a;
    }
    assert!(diagnose(&previous, &RuleSelection::default()).contains("empty-continuation"));
}
