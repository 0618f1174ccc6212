//! Human-readable output: one header line per diagnostic,
//!
//! ```text
//! Dockerfile:2:1: error[unknown-instruction]: Unknown instruction `RUNN`; did you mean `RUN`?
//!   |
//! 2 | RUNN x
//!   | ^^^^
//! ```
//!
//! followed by the source with the exact range underlined (and related places, labelled), and a
//! summary line at the end. Lines and columns are 1-based; columns count characters (Unicode
//! scalar values), so they do not depend on how the terminal or editor encodes text.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::ops::Range;

use annotate_snippets::renderer::{AnsiColor, Effects, Style, DEFAULT_TERM_WIDTH};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::diagnostics::{Diagnostic, Severity};
use crate::document::PositionEncoding;

use super::{count, CheckedFile, Positioner, Summary};

/// Lines longer than this are cut down to a window around the annotated range before
/// rendering, so that pathological files (megabytes on one line) stay fast.
const MAX_LINE: usize = 4096;
/// Bytes of context kept on each side of a range on a cut line.
const WINDOW: usize = 256;
/// Multi-line ranges covering more source than this are shown by their first line only.
const MAX_SNIPPET: usize = 64 * 1024;

/// Styles of the header line (matching annotate-snippets' defaults for the snippet).
struct Palette {
    path: Style,
    error: Style,
    warning: Style,
    info: Style,
    hint: Style,
    message: Style,
}

impl Palette {
    fn new(color: bool) -> Palette {
        if !color {
            let p = Style::new();
            return Palette { path: p, error: p, warning: p, info: p, hint: p, message: p };
        }
        Palette {
            path: Style::new().effects(Effects::BOLD),
            error: annotate_snippets::renderer::DEFAULT_ERROR_STYLE,
            warning: annotate_snippets::renderer::DEFAULT_WARNING_STYLE,
            info: annotate_snippets::renderer::DEFAULT_INFO_STYLE,
            hint: AnsiColor::BrightCyan.on_default().effects(Effects::BOLD),
            message: Style::new().effects(Effects::BOLD),
        }
    }

    fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
            Severity::Hint => self.hint,
        }
    }
}

fn level(s: Severity) -> Level<'static> {
    match s {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
        Severity::Hint => Level::HELP.with_name("hint"),
    }
}

/// The diagnostics of one file, each followed by a blank line. Empty when there are none.
pub fn render_file(file: &CheckedFile, color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() }.term_width(DEFAULT_TERM_WIDTH);
    let palette = Palette::new(color);
    let path = annotate_snippets::normalize_untrusted_str(&file.path);
    let mut out = String::new();
    let mut columns = Positioner::new(file, PositionEncoding::Utf32);
    for d in &file.diagnostics {
        render_diagnostic(&mut out, file, &path, d, &renderer, &palette, &mut columns);
    }
    out
}

fn render_diagnostic(
    out: &mut String,
    file: &CheckedFile,
    path: &str,
    d: &Diagnostic,
    renderer: &Renderer,
    palette: &Palette,
    columns: &mut Positioner<'_>,
) {
    let range = file.clamp(&d.range);
    let pos = columns.position(range.start);
    let sev = palette.severity(d.severity);
    let _ = writeln!(
        out,
        "{p}{path}:{line}:{col}:{p:#} {sev}{name}[{code}]:{sev:#} {m}{message}{m:#}",
        p = palette.path,
        line = pos.line + 1,
        col = pos.character + 1,
        name = d.severity.as_str(),
        code = d.code,
        m = palette.message,
        message = annotate_snippets::normalize_untrusted_str(&d.message),
    );

    let primary = excerpt(file, &range);
    let mut group = Group::with_level(level(d.severity));
    let mut snippet = Snippet::source(primary.source.clone())
        .line_start(primary.first_line + 1)
        .fold(true)
        .annotation(AnnotationKind::Primary.span(primary.span.clone()));
    let mut others = Vec::new();
    for (r, message) in &d.related {
        let r = file.clamp(r);
        let label = annotate_snippets::normalize_untrusted_str(message);
        // A related place on the primary lines is labelled there; others get their own excerpt.
        if r.start >= primary.base && r.end <= primary.base + primary.covered && !primary.cut {
            snippet = snippet.annotation(AnnotationKind::Context.span(r.start - primary.base..r.end - primary.base).label(label));
        } else {
            let e = excerpt(file, &r);
            others.push(
                Snippet::source(e.source)
                    .path(path.to_string())
                    .line_start(e.first_line + 1)
                    .fold(true)
                    .annotation(AnnotationKind::Context.span(e.span).label(label)),
            );
        }
    }
    group = group.element(snippet);
    for s in others {
        group = group.element(s);
    }
    let rendered = renderer.render(&[group]);
    out.push_str(rendered.trim_end_matches('\n'));
    out.push_str("\n\n");
}

/// The lines around a range, ready for a [`Snippet`].
struct Excerpt<'a> {
    source: Cow<'a, str>,
    /// 0-based line of the excerpt's first line.
    first_line: usize,
    /// The range within `source`.
    span: Range<usize>,
    /// Byte offset in the file where `source` starts (when not cut).
    base: usize,
    /// Bytes of the file that `source` covers, starting at `base`.
    covered: usize,
    /// Whether the line was cut down to a window (then `source` is not a plain slice).
    cut: bool,
}

fn excerpt<'a>(file: &'a CheckedFile, range: &Range<usize>) -> Excerpt<'a> {
    let text = &*file.text;
    let lines = &*file.lines;
    let first_line = lines.line_of(range.start);
    let mut last_line = lines.line_of(range.end);
    // A range that ends just after a line break ends on the line before.
    if last_line > first_line && range.end == lines.line_start(last_line) {
        last_line -= 1;
    }
    let base = lines.line_start(first_line);
    let mut end = lines.line_range(text, last_line).end.max(base);
    let mut span = range.start - base..range.end.min(end).max(range.start) - base;
    let mut single_line = first_line == last_line;
    if end - base > MAX_SNIPPET && !single_line {
        // Show the first line only, underlined to its end.
        end = lines.line_range(text, first_line).end.max(range.start);
        span = range.start - base..end - base;
        single_line = true;
    }
    let slice = &text[base..end];
    if slice.len() > MAX_LINE && single_line {
        // One long line (line terminators are never inside a line's range).
        return windowed(text, base, end, first_line, range.start..range.start + span.len());
    }
    let source = if slice.contains('\r') { lone_cr_to_lf(slice) } else { Cow::Borrowed(slice) };
    Excerpt { source, first_line, span, base, covered: slice.len(), cut: false }
}

/// A long single line cut to a window around `range`, with `...` marking the cuts.
fn windowed(text: &str, line_start: usize, line_end: usize, line: usize, range: Range<usize>) -> Excerpt<'_> {
    let mut from = range.start.saturating_sub(WINDOW).max(line_start);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (range.end.min(range.start + MAX_LINE) + WINDOW).min(line_end);
    while !text.is_char_boundary(to) {
        to += 1;
    }
    let mut source = String::with_capacity(to - from + 6);
    let mut shift = 0;
    if from > line_start {
        source.push_str("...");
        shift = 3;
    }
    source.push_str(&text[from..to]);
    if to < line_end {
        source.push_str("...");
    }
    let span_end = range.end.min(to);
    let span = range.start - from + shift..span_end - from + shift;
    Excerpt { source: Cow::Owned(source), first_line: line, span, base: from, covered: to - from, cut: true }
}

/// Lone carriage returns (old Mac line breaks, which dockls counts as line breaks) become
/// line feeds, so the renderer sees the same lines; byte offsets do not change.
fn lone_cr_to_lf(s: &str) -> Cow<'_, str> {
    let b = s.as_bytes();
    let lone = |i: usize| b[i] == b'\r' && b.get(i + 1) != Some(&b'\n');
    if !(0..b.len()).any(lone) {
        return Cow::Borrowed(s);
    }
    let bytes: Vec<u8> = (0..b.len()).map(|i| if lone(i) { b'\n' } else { b[i] }).collect();
    Cow::Owned(String::from_utf8(bytes).expect("replacing an ASCII byte by another keeps UTF-8 valid"))
}

/// `3 problems (2 errors, 1 warning) in 2 files`, `All 4 files OK`, `No Dockerfiles found`;
/// followed by `; N paths could not be checked` when some could not.
pub fn summary_line(s: &Summary, color: bool) -> String {
    let mut line = if s.files == 0 {
        "No Dockerfiles found".to_string()
    } else if s.problems == 0 {
        if s.files == 1 {
            "All 1 file OK".to_string()
        } else {
            format!("All {} files OK", s.files)
        }
    } else {
        let parts: Vec<String> = [(s.errors, "error"), (s.warnings, "warning"), (s.infos, "info"), (s.hints, "hint")]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, w)| count(n, w))
            .collect();
        format!("{} ({}) in {}", count(s.problems, "problem"), parts.join(", "), count(s.files, "file"))
    };
    if s.input_errors > 0 {
        let _ = write!(line, "; {} could not be checked", count(s.input_errors, "path"));
    }
    if color {
        let style = if s.errors > 0 || s.input_errors > 0 {
            annotate_snippets::renderer::DEFAULT_ERROR_STYLE
        } else if s.problems > 0 {
            annotate_snippets::renderer::DEFAULT_WARNING_STYLE
        } else {
            AnsiColor::BrightGreen.on_default().effects(Effects::BOLD)
        };
        line = format!("{style}{line}{style:#}");
    }
    line
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::document::LineIndex;

    fn file(text: &str, diagnostics: Vec<Diagnostic>) -> CheckedFile {
        CheckedFile {
            path: "dir/Dockerfile".into(),
            text: Arc::from(text),
            lines: Arc::new(LineIndex::new(text)),
            bom: 0,
            diagnostics,
        }
    }

    #[test]
    fn header_and_underline() {
        let text = "FROM alpine:3.20\nRUNN x\n";
        let f = file(text, vec![Diagnostic::error("unknown-instruction", 17..21, "Unknown instruction `RUNN`")]);
        assert_eq!(
            render_file(&f, false),
            "dir/Dockerfile:2:1: error[unknown-instruction]: Unknown instruction `RUNN`\n  |\n2 | RUNN x\n  | ^^^^\n\n"
        );
    }

    #[test]
    fn columns_count_characters() {
        let text = "RUN é😀 x\n";
        let at = text.find('x').unwrap();
        let f = file(text, vec![Diagnostic::warning("w", at..at + 1, "m")]);
        let out = render_file(&f, false);
        assert!(out.starts_with("dir/Dockerfile:1:8: warning[w]: m\n"), "{out}");
    }

    #[test]
    fn related_places_are_labelled() {
        let mut text = String::from("FROM a AS x\n");
        for _ in 0..20 {
            text.push_str("RUN true\n");
        }
        let second = text.len();
        text.push_str("FROM b AS x\n");
        let d = Diagnostic::error("duplicate-stage", second + 10..second + 11, "Stage `x` is defined twice")
            .with_related(10..11, "first defined here")
            .with_related(second + 5..second + 6, "image");
        let out = render_file(&file(&text, vec![d]), false);
        assert!(out.contains("first defined here"), "{out}");
        assert!(out.contains("image"), "{out}");
        assert!(out.contains("22 | FROM b AS x"), "{out}");
        assert!(out.contains("1 | FROM a AS x"), "{out}");
        assert!(out.contains("::: dir/Dockerfile:1:11"), "{out}");
    }

    #[test]
    fn empty_and_out_of_range_spans_do_not_panic() {
        let text = "FROM\nCOPY a\n";
        let diags = vec![
            Diagnostic::error("a", 4..4, "empty at end of line"),
            Diagnostic::error("b", text.len()..text.len(), "empty at end of text"),
            Diagnostic::error("c", 3..500, "past the end"),
            Diagnostic::error("d", 0..5, "ends after the line break"),
        ];
        let out = render_file(&file(text, diags), false);
        assert!(out.contains("dir/Dockerfile:1:5: error[a]"), "{out}");
        assert!(out.contains("dir/Dockerfile:3:1: error[b]"), "{out}");
    }

    #[test]
    fn long_lines_are_cut_around_the_range() {
        let mut text = String::from("EXPOSE ");
        text.push_str(&"1 ".repeat(50_000));
        let at = text.len();
        text.push_str("70000 ");
        text.push_str(&"2 ".repeat(50_000));
        let out = render_file(&file(&text, vec![Diagnostic::error("p", at..at + 5, "bad")]), false);
        assert!(out.len() < 2_000, "{out}");
        assert!(out.contains("70000"), "{out}");
        assert!(out.contains("^^^^^"), "{out}");
    }

    #[test]
    fn control_characters_are_not_sent_to_the_terminal() {
        let text = "RUN \u{1b}[31mred\n";
        let f = file(text, vec![Diagnostic::error("x", 4..5, "escape \u{1b}[2J here")]);
        let out = render_file(&f, false);
        assert!(!out.contains('\u{1b}'), "{out:?}");
    }

    #[test]
    fn lone_carriage_returns_are_line_breaks() {
        let text = "FROM a\rRUNN x\r";
        let f = file(text, vec![Diagnostic::error("u", 7..11, "unknown")]);
        let out = render_file(&f, false);
        assert!(out.starts_with("dir/Dockerfile:2:1:"), "{out}");
        assert!(out.contains("2 | RUNN x"), "{out}");
    }

    #[test]
    fn summaries() {
        let s = |files, e, w, i, h, bad| Summary {
            files,
            problems: e + w + i + h,
            errors: e,
            warnings: w,
            infos: i,
            hints: h,
            input_errors: bad,
        };
        assert_eq!(summary_line(&s(3, 0, 0, 0, 0, 0), false), "All 3 files OK");
        assert_eq!(summary_line(&s(1, 0, 0, 0, 0, 0), false), "All 1 file OK");
        assert_eq!(summary_line(&s(2, 2, 1, 0, 1, 0), false), "4 problems (2 errors, 1 warning, 1 hint) in 2 files");
        assert_eq!(summary_line(&s(0, 0, 0, 0, 0, 2), false), "No Dockerfiles found; 2 paths could not be checked");
    }
}
