//! `multiple-cmd`, `multiple-entrypoint`, `multiple-healthcheck`: only the last one of each in
//! a stage takes effect.

use super::super::prelude::*;

macro_rules! once_rule {
    ($name:ident, $id:literal, $hadolint:literal, $kw:literal, $example:literal, $instead:literal) => {
        pub static $name: Rule = Rule {
            id: $id,
            hadolint: &[$hadolint],
            buildkit: Some("MultipleInstructionsDisallowed"),
            severity: Severity::Warning,
            category: Category::Syntax,
            tags: &[Tag::Unnecessary],
            summary: concat!("Only the last ", $kw, " of a stage takes effect; remove the others"),
            docs: concat!(
                "## What it does\nFlags every `", $kw, "` of a stage except the last one.\n\n",
                "## Why is this bad?\nAn image has one `", $kw, "`: each one replaces the previous one, so only the last\n",
                "of a stage counts. The earlier ones do nothing, and a reader may believe they do.\n\n",
                "## Example\n```dockerfile\n", $example, "```\n\n",
                "## Use instead\n```dockerfile\n", $instead, "```\n\n",
                "## Fix safety\nRemoving an overridden `", $kw, "` is safe: the image is the same.\n\n",
                "## Differences from hadolint\nhadolint reports the later instructions; dockls, like BuildKit, reports the earlier\n",
                "ones, which are the ones without effect (shown greyed out), and points to the one that wins.\n",
                "It is a warning, not an error: the build succeeds.\n"
            ),
            opt_in: false,
            check: |ctx, out| check(ctx, out, Kind::from_keyword($kw).expect("a keyword")),
        };
    };
}

once_rule!(
    CMD,
    "multiple-cmd",
    "DL4003",
    "CMD",
    "FROM python:3.12-slim\nCMD [\"python\", \"manage.py\", \"migrate\"]\nCMD [\"gunicorn\", \"app:app\"]\n",
    "FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n"
);
once_rule!(
    ENTRYPOINT,
    "multiple-entrypoint",
    "DL4004",
    "ENTRYPOINT",
    "FROM alpine:3.20\nENTRYPOINT [\"/bin/sh\"]\nENTRYPOINT [\"/usr/local/bin/app\"]\n",
    "FROM alpine:3.20\nENTRYPOINT [\"/usr/local/bin/app\"]\n"
);
once_rule!(
    HEALTHCHECK,
    "multiple-healthcheck",
    "DL3012",
    "HEALTHCHECK",
    "FROM nginx:1.27-alpine\nHEALTHCHECK CMD wget -qO- http://localhost/ || exit 1\nHEALTHCHECK --interval=1m CMD wget -qO- http://localhost/health || exit 1\n",
    "FROM nginx:1.27-alpine\nHEALTHCHECK --interval=1m CMD wget -qO- http://localhost/health || exit 1\n"
);

fn check(ctx: &Context, out: &mut Vec<Finding>, kind: Kind) {
    for stage in &ctx.df.stages {
        let all: Vec<&Instruction> = ctx.df.stage_instructions(stage).iter().map(|b| &**b).filter(|i| i.kind == kind).collect();
        let Some((last, earlier)) = all.split_last() else { continue };
        for ins in earlier {
            out.push(
                Finding::new(
                    ins.range.clone(),
                    format!("This {} has no effect: a later {} in the same stage replaces it", kind.keyword(), kind.keyword()),
                )
                .with_related(last.range.clone(), format!("the {} that takes effect", kind.keyword()))
                .with_fix(Fix::safe(
                    format!("Remove the overridden {}", kind.keyword()),
                    vec![Edit { range: whole_lines(ctx.text, ins.range.clone()), text: String::new() }],
                )),
            );
        }
    }
}

/// `range` widened to whole lines (with the final newline) when nothing else is on them.
pub(super) fn whole_lines(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let start = super::line_start(text, range.start);
    if !text[start..range.start].trim().is_empty() {
        return range;
    }
    let rest = &text[range.end..];
    let eol = rest.find('\n');
    match eol {
        Some(i) if rest[..i].trim().is_empty() => start..range.end + i + 1,
        None if rest.trim().is_empty() => start..text.len(),
        _ => range,
    }
}
