//! One instruction's tokens (keyword, flags, arguments, JSON punctuation) and the layout of
//! the gaps between them: one blank on a line, a re-indented continuation across lines.

use std::ops::Range;

use super::gap::{self, Gap};
use super::{shell, Edit, Layout};
use crate::syntax::{Args, Instruction, Kind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Written in upper case (instruction keywords, `AS`).
    Keyword,
    /// Kept as it is.
    Text,
    Open,
    Comma,
    Close,
    /// A RUN's shell-form body, laid out by [`shell::layout`].
    RunBody,
}

struct Tok {
    range: Range<usize>,
    role: Role,
}

/// The edits formatting `ins` (a top-level instruction without syntax errors).
pub(crate) fn format(src: &str, ins: &Instruction, l: &Layout, edits: &mut Vec<Edit>) {
    // The keyword starts its line.
    let line_start = src[..ins.range.start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let lead = &src[line_start..ins.range.start];
    let mut col = if lead.bytes().all(|b| b == b' ' || b == b'\t') {
        if !lead.is_empty() {
            edits.push(Edit { range: line_start..ins.range.start, text: String::new() });
        }
        0
    } else {
        l.width(lead)
    };
    let mut toks = Vec::new();
    let heredocs = ins.heredocs.len() + ins.nested.as_ref().map_or(0, |n| n.heredocs.len());
    let unknown = heredocs > 0 || tokens(src, ins, true, &mut toks).is_none() || !covers(&toks, ins);
    if unknown {
        keywords_only(src, ins, edits);
        return;
    }
    let mut out = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        if k > 0 {
            let prev = &toks[k - 1];
            let Some(g) = gap::parse(&src[prev.range.end..t.range.start], l.escape) else {
                keywords_only(src, ins, edits);
                return;
            };
            let inline = if prev.role == Role::Open || matches!(t.role, Role::Comma | Role::Close) { "" } else { " " };
            let new = gap::render(g, inline, l.escape, &l.indent1);
            col = match g {
                Gap::Inline => col + inline.len(),
                Gap::Broken { .. } => l.indent1_width,
            };
            push(src, prev.range.end..t.range.start, new, &mut out);
        }
        let text = &src[t.range.clone()];
        match t.role {
            Role::Keyword => {
                push(src, t.range.clone(), text.to_ascii_uppercase(), &mut out);
                col += l.width(text);
            }
            Role::RunBody => {
                let Args::Shell(body) = &ins.args else { unreachable!("a RunBody token is a shell-form RUN's") };
                if let Some(body_edits) = shell::layout(src, body, col, l) {
                    out.extend(body_edits);
                }
            }
            _ => col = advance(col, text, l),
        }
    }
    // Trailing blanks after the instruction, where they cannot be part of a value.
    if !keeps_whitespace(ins) {
        let after = &src[ins.range.end..];
        let blanks = after.bytes().take_while(|b| *b == b' ' || *b == b'\t').count();
        let at_end = after[blanks..].is_empty() || after[blanks..].starts_with(['\n', '\r']);
        if blanks > 0 && at_end {
            out.push(Edit { range: ins.range.end..ins.range.end + blanks, text: String::new() });
        }
    }
    edits.extend(out);
}

fn push(src: &str, range: Range<usize>, text: String, out: &mut Vec<Edit>) {
    if src[range.clone()] != *text {
        out.push(Edit { range, text });
    }
}

fn advance(col: usize, text: &str, l: &Layout) -> usize {
    match text.rfind(['\n', '\r']) {
        Some(i) => l.width(&text[i + 1..]),
        None => col + l.width(text),
    }
}

/// Instructions whose arguments' whitespace is part of their value: legacy `ENV k v w` and
/// `LABEL k v`, `WORKDIR /a b`, `MAINTAINER a  b`.
fn keeps_whitespace(ins: &Instruction) -> bool {
    match &ins.args {
        Args::Pairs(p) => matches!(ins.kind, Kind::Env | Kind::Label) && p.iter().any(|p| !p.has_equals),
        Args::Words(_) => matches!(ins.kind, Kind::Workdir | Kind::Maintainer),
        _ => false,
    }
}

/// Only the keywords in upper case: for instructions whose layout is not understood (a
/// keyword's case never changes what it means).
fn keywords_only(src: &str, ins: &Instruction, edits: &mut Vec<Edit>) {
    let mut cur = Some(ins);
    while let Some(i) = cur {
        let text = &src[i.keyword_range.clone()];
        if text.bytes().any(|b| b.is_ascii_lowercase()) {
            edits.push(Edit { range: i.keyword_range.clone(), text: text.to_ascii_uppercase() });
        }
        cur = i.nested.as_deref();
    }
}

/// The tokens must end where the instruction ends.
fn covers(toks: &[Tok], ins: &Instruction) -> bool {
    toks.first().is_some_and(|t| t.range.start == ins.range.start)
        && toks.last().is_some_and(|t| t.range.end == ins.range.end)
        && toks.windows(2).all(|w| w[0].range.end <= w[1].range.start)
}

fn tokens(src: &str, ins: &Instruction, top: bool, out: &mut Vec<Tok>) -> Option<()> {
    let text = |range: Range<usize>| Tok { range, role: Role::Text };
    out.push(Tok { range: ins.keyword_range.clone(), role: Role::Keyword });
    out.extend(ins.flags.iter().map(|f| text(f.range.clone())));
    if let Some(nested) = &ins.nested {
        return tokens(src, nested, false, out);
    }
    let spans = |first: Option<usize>, last: Option<usize>| Some(first?..last?);
    match &ins.args {
        Args::None => return None,
        Args::Exec(words) => {
            let first = words.first()?;
            let before = out.last()?.range.end;
            let open = before + src[before..first.range.start].find('[')?;
            out.push(Tok { range: open..open + 1, role: Role::Open });
            for (i, w) in words.iter().enumerate() {
                if i > 0 {
                    let prev = words[i - 1].range.end;
                    let comma = prev + src[prev..w.range.start].find(',')?;
                    out.push(Tok { range: comma..comma + 1, role: Role::Comma });
                }
                out.push(text(w.range.clone()));
            }
            let last = words.last()?.range.end;
            let close = last + src[last..ins.range.end].find(']')?;
            out.push(Tok { range: close..close + 1, role: Role::Close });
        }
        Args::Shell(shell) if top && ins.kind == Kind::Run => out.push(Tok { range: shell.range.clone(), role: Role::RunBody }),
        Args::Shell(shell) => out.push(text(shell.range.clone())),
        Args::Words(words) if keeps_whitespace(ins) => {
            out.push(text(spans(words.first().map(|w| w.range.start), words.last().map(|w| w.range.end))?))
        }
        Args::Words(words) => out.extend(words.iter().map(|w| text(w.range.clone()))),
        Args::Pairs(pairs) if keeps_whitespace(ins) => {
            out.push(text(spans(pairs.first().map(|p| p.range.start), pairs.last().map(|p| p.range.end))?))
        }
        Args::Pairs(pairs) => out.extend(pairs.iter().map(|p| text(p.range.clone()))),
        Args::From(f) => {
            out.push(text(f.image.range.clone()));
            if let Some(r) = &f.as_keyword {
                out.push(Tok { range: r.clone(), role: Role::Keyword });
            }
            if let Some(a) = &f.alias {
                out.push(text(a.range.clone()));
            }
        }
        Args::User { user, group } => {
            out.push(text(user.range.start..group.as_ref().map_or(user.range.end, |g| g.range.end)))
        }
        Args::HealthcheckNone => {
            let from = out.last()?.range.end;
            let rest = &src[from..ins.range.end];
            let start = from + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
            out.push(Tok { range: start..ins.range.end, role: Role::Keyword });
        }
    }
    Some(())
}
