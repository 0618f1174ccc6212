//! `empty-continuation`: a blank line inside a `\` line continuation.

use std::ops::Range;

use super::super::prelude::*;

pub static EMPTY_CONTINUATION: Rule = Rule {
    id: "empty-continuation",
    hadolint: &[],
    buildkit: Some("NoEmptyContinuation"),
    severity: Severity::Warning,
    category: Category::Syntax,
    tags: &[],
    summary: "Remove blank lines inside a line continuation",
    docs: r#"## What it does
Flags blank lines that follow a line ending with the escape character (`\`), directly or
after comment lines.

## Why is this bad?
Docker skips the blank line and keeps joining, so the instruction goes on past what looks
like its end. A forgotten `\` on the last line of a `RUN` can then swallow the next line.
BuildKit warns that empty continuation lines will become an error in a future release.

## Example
```dockerfile
RUN apt-get update && \

    apt-get install -y --no-install-recommends curl
```

## Use instead
```dockerfile
RUN apt-get update && \
    apt-get install -y --no-install-recommends curl
```

## Fix safety
Removing the blank lines is safe: Docker ignores them when it joins the lines.
"#,
    opt_in: false,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let text = ctx.text;
    let esc = ctx.df.escape;
    // Comments and heredoc bodies, sorted and non-overlapping, looked up by binary search.
    let mut skip: Vec<Range<usize>> = ctx.df.comments.clone();
    for (_, ins) in ctx.instructions() {
        for h in ins.heredocs.iter().chain(ins.nested.iter().flat_map(|n| n.heredocs.iter())) {
            let start = h.body_range.as_ref().map_or(h.marker_range.end, |b| b.start);
            let end = h.end_range.as_ref().or(h.body_range.as_ref()).map_or(start, |r| r.end);
            skip.push(start..end);
        }
    }
    skip.sort_by_key(|r| r.start);
    let inside = |ranges: &[Range<usize>], p: usize| {
        let i = ranges.partition_point(|r| r.start <= p);
        i > 0 && ranges[..i].iter().rev().take(4).any(|r| r.start <= p && p < r.end)
    };
    for (i, ins) in ctx.instructions() {
        let region_end = ctx.df.instructions.get(i + 1).map_or(text.len(), |n| n.range.start);
        let mut p = ins.range.start;
        while let Some(off) = text[p..region_end].find(esc) {
            let at = p + off;
            p = at + esc.len_utf8();
            if inside(&skip, at) || (at >= ins.range.end && !text[ins.range.end..at].trim().is_empty()) {
                continue;
            }
            let rest = &text[p..];
            let blanks = rest.len() - rest.trim_start_matches([' ', '\t', '\r']).len();
            if !rest[blanks..].starts_with('\n') {
                continue;
            }
            blank_lines(ctx, p + blanks + 1, out);
        }
    }
}

/// From the line after a continuation: report each run of blank lines until the next line
/// that is neither blank nor a comment.
fn blank_lines(ctx: &Context, mut line: usize, out: &mut Vec<Finding>) {
    let text = ctx.text;
    let mut group: Option<Range<usize>> = None;
    let mut flush = |group: &mut Option<Range<usize>>| {
        if let Some(g) = group.take() {
            out.push(
                Finding::new(g.clone(), "Empty continuation line: Docker skips it and keeps joining lines; remove it")
                    .with_fix(Fix::safe("Remove the empty line", vec![Edit { range: g, text: String::new() }])),
            );
        }
    };
    while line < text.len() {
        let end = text[line..].find('\n').map_or(text.len(), |i| line + i + 1);
        let content = text[line..end].trim();
        if content.is_empty() {
            group = Some(group.map_or(line..end, |g| g.start..end));
        } else if content.starts_with('#') {
            flush(&mut group);
        } else {
            break;
        }
        line = end;
    }
    flush(&mut group);
}
