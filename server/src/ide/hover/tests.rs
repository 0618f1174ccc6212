use super::*;
use crate::document::Snapshot;

const FIXTURE: &str = include_str!("../../../tests/fixtures/features/hover.Dockerfile");

/// The hover where `needle` (its `nth` occurrence, from 0) starts, `at` bytes into it.
fn hover_at(text: &str, needle: &str, nth: usize, at: usize) -> Option<HoverInfo> {
    let start = text.match_indices(needle).nth(nth).unwrap_or_else(|| panic!("{needle} #{nth}")).0;
    let a = Analysis::new(Snapshot::from_text(text));
    let diagnostics = crate::diagnostics::diagnose(&a.snapshot);
    hover(&a, start + at, &diagnostics, &[])
}

/// Every hover of the fixture's interesting places: the hovered text, then the Markdown.
#[test]
fn hovers_of_the_fixture() {
    let places: &[(&str, usize, usize)] = &[
        ("syntax", 0, 1),
        ("check=skip", 0, 1),
        ("ARG", 0, 0),
        ("FROM", 0, 1),
        ("--platform", 0, 3),
        ("BUILDPLATFORM", 0, 2),
        ("PYTHON_VERSION", 1, 2),
        ("DEBIAN", 1, 2),
        ("build", 0, 1),
        ("TARGETARCH", 0, 2),
        ("VENV", 0, 1),
        ("PATH", 1, 1),
        ("--mount", 0, 3),
        ("cache", 0, 2),
        ("target=", 0, 1),
        ("sharing", 0, 1),
        ("--from", 0, 3),
        ("build", 1, 1),
        ("--chown", 0, 3),
        ("USER", 0, 1),
        ("--interval", 0, 3),
        ("CMD python", 0, 1),
        ("python -m", 0, 1),
    ];
    let mut out = String::new();
    for &(needle, nth, at) in places {
        let start = FIXTURE.match_indices(needle).nth(nth).unwrap().0;
        let line = FIXTURE[..start].matches('\n').count() + 1;
        match hover_at(FIXTURE, needle, nth, at) {
            Some(h) => out.push_str(&format!("== line {line}: `{}` ==\n{}\n\n", &FIXTURE[h.range.clone()], h.markdown)),
            None => out.push_str(&format!("== line {line}: {needle}: no hover ==\n\n")),
        }
    }
    insta::assert_snapshot!(out);
}

#[test]
fn a_variable_shows_its_value_where_it_is_used() {
    let text = "ARG V=1\nFROM alpine\nARG V\nENV W=${V}-x\nRUN echo $W\nENV W=2\n";
    let h = hover_at(text, "$W", 0, 1).unwrap();
    assert!(h.markdown.contains("= `1-x`"), "{}", h.markdown);
    let h = hover_at(text, "W=2", 0, 0).unwrap();
    assert!(h.markdown.contains("= `2`"), "{}", h.markdown);
}

#[test]
fn problems_are_one_short_entry_per_rule() {
    let text = "FROM python\nRUN apt-get install curl\n";
    let h = hover_at(text, "python", 0, 1).unwrap();
    // Several findings cover the image; each rule appears once, without its whole page.
    assert!(!h.markdown.contains("## Example"), "{}", h.markdown);
    assert!(h.markdown.contains("`image-tag-missing`"), "{}", h.markdown);
    let entries = h.markdown.matches("— more: `dockls rule").count();
    let mut codes: Vec<&str> = h.markdown.match_indices("**`").map(|(i, _)| &h.markdown[i + 3..i + 3 + h.markdown[i + 3..].find('`').unwrap()]).collect();
    codes.dedup();
    assert_eq!(entries, codes.len());
}

#[test]
fn onbuild_trigger_and_healthcheck_none() {
    let text = "FROM alpine\nONBUILD COPY . /app\nHEALTHCHECK NONE\n";
    let h = hover_at(text, "COPY", 0, 1).unwrap();
    assert!(h.markdown.starts_with("**COPY**"), "{}", h.markdown);
    let h = hover_at(text, "NONE", 0, 1).unwrap();
    assert!(h.markdown.starts_with("**HEALTHCHECK**"), "{}", h.markdown);
}

#[test]
fn every_offset_is_safe() {
    let text = "# escape=`\nFROM mcr.microsoft.com/windows:ltsc2022\nRUN echo é 🐳 `\n  中文\nCOPY --from= a b\r\nENV\n";
    let a = Analysis::new(Snapshot::from_text(text));
    let diagnostics = crate::diagnostics::diagnose(&a.snapshot);
    for offset in 0..text.len() + 2 {
        let _ = hover(&a, offset, &diagnostics, &[]);
    }
}
