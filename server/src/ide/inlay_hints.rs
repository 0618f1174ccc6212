//! Inlay hints: the value a `$VAR` / `${VAR}` expands to where Docker expands it (FROM, COPY,
//! ENV, WORKDIR, …), shown after the expansion — `FROM python:${PY}` reads `${PY} = 3.12` —
//! and how old the image a FROM pins by digest is, when the caller knows it.
//! Shell text (RUN, CMD, ENTRYPOINT) is left alone: the shell expands it at run time, with
//! values the Dockerfile does not know.

use std::ops::Range;

use crate::analysis::Analysis;
use crate::semantics::resolve;
use crate::syntax::{Args, Expansion, Instruction, Kind, Word};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlayHint {
    /// Where the hint is drawn (right after the expansion).
    pub offset: usize,
    pub label: String,
    pub tooltip: String,
}

/// Longest value shown in full; longer ones are cut with `…`.
const MAX_LABEL: usize = 40;

/// The hints in `range`. `image_age` says how old an image pinned by digest is (`3 months
/// ago`), from what the caller has cached; `None` shows nothing.
pub fn inlay_hints(a: &Analysis, range: Range<usize>, image_age: &dyn Fn(&crate::syntax::ImageRef) -> Option<String>) -> Vec<InlayHint> {
    let text = a.text();
    let df = &a.dockerfile;
    let mut out = Vec::new();
    for stage in &df.stages {
        let image = &stage.image;
        if image.digest.is_none() || image.range.end < range.start || image.range.start > range.end || stage.parent.is_some() {
            continue;
        }
        if let Some(age) = image_age(image) {
            out.push(InlayHint { offset: image.range.end, label: format!("built {age}"), tooltip: format!("`{}` was built {age}", image.text) });
        }
    }
    let first = df.instructions.partition_point(|i| i.range.end < range.start);
    for ins in df.instructions[first..].iter().take_while(|i| i.range.start <= range.end) {
        let ins: &Instruction = ins.nested.as_deref().unwrap_or(ins);
        if !ins.kind.expands_variables() {
            continue;
        }
        let mut expansions: Vec<&Expansion> = Vec::new();
        for f in &ins.flags {
            if let Some(v) = &f.value {
                expansions.extend(&v.expansions);
            }
        }
        match &ins.args {
            Args::Words(ws) | Args::Exec(ws) => expansions.extend(ws.iter().flat_map(|w| &w.expansions)),
            Args::Pairs(ps) => {
                for p in ps {
                    expansions.extend(std::iter::once(&p.key).chain(p.value.as_ref()).flat_map(|w: &Word| &w.expansions));
                }
            }
            Args::User { user, group } => {
                expansions.extend(std::iter::once(&**user).chain(group.as_deref()).flat_map(|w: &Word| &w.expansions));
            }
            Args::From(f) => {
                expansions.extend(&f.image.expansions);
                if let Some(alias) = &f.alias {
                    expansions.extend(&alias.expansions);
                }
            }
            Args::None | Args::Shell(_) | Args::HealthcheckNone => {}
        }
        // Only the outermost expansions (`${A:-$B}` gets one hint).
        expansions.sort_by_key(|e| (e.range.start, std::cmp::Reverse(e.range.end)));
        let mut last_end = 0;
        // FROM lines see the global scope.
        let stage = if ins.kind == Kind::From { None } else { ins.stage };
        let mut values: Option<resolve::Values> = None;
        for e in expansions {
            if e.range.start < last_end || e.name.is_empty() || e.range.end < range.start || e.range.start > range.end {
                continue;
            }
            last_end = e.range.end;
            let values = values.get_or_insert_with(|| a.semantics.values_at(text, df, stage, ins.range.start));
            // Unknown without a default: nothing to show.
            if e.operator.is_none() && values.get(e.name.as_str()).is_none_or(|v| v.is_none()) {
                continue;
            }
            let Some(raw) = text.get(e.range.clone()) else { continue };
            let value = resolve::expand(raw, values, df.escape);
            let label = if value.chars().count() > MAX_LABEL {
                format!("= {}…", value.chars().take(MAX_LABEL).collect::<String>())
            } else if value.is_empty() {
                "= \"\"".to_string()
            } else {
                format!("= {value}")
            };
            out.push(InlayHint { offset: e.range.end, label, tooltip: format!("`{raw}` expands to `{value}` here") });
        }
    }
    out.sort_by_key(|h| h.offset);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Snapshot;

    fn render(text: &str) -> String {
        let a = Analysis::new(Snapshot::from_text(text));
        let mut out = text.to_string();
        let age = |image: &crate::syntax::ImageRef| image.text.starts_with("python@").then(|| "3 months ago".to_string());
        for h in inlay_hints(&a, 0..text.len(), &age).iter().rev() {
            out.insert_str(h.offset, &format!("⟨{}⟩", h.label));
        }
        out
    }

    #[test]
    fn values_after_expansions() {
        insta::assert_snapshot!(render(
            "ARG PY=3.12\nARG VARIANT\nFROM python@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef AS pinned\nFROM python:${PY}-slim AS base\nFROM python:${PY}-${VARIANT:-bookworm} AS build\nARG PY\nENV APP_HOME=/srv/app-$PY\nWORKDIR $APP_HOME\nCOPY --chown=${UID:-10001} . ${APP_HOME}/\nRUN echo $APP_HOME\nUSER ${UID}\n"
        ), @r"
        ARG PY=3.12
        ARG VARIANT
        FROM python@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef⟨built 3 months ago⟩ AS pinned
        FROM python:${PY}⟨= 3.12⟩-slim AS base
        FROM python:${PY}⟨= 3.12⟩-${VARIANT:-bookworm}⟨= bookworm⟩ AS build
        ARG PY
        ENV APP_HOME=/srv/app-$PY⟨= 3.12⟩
        WORKDIR $APP_HOME⟨= /srv/app-3.12⟩
        COPY --chown=${UID:-10001}⟨= 10001⟩ . ${APP_HOME}⟨= /srv/app-3.12⟩/
        RUN echo $APP_HOME
        USER ${UID}
        ");
    }

    #[test]
    fn only_the_requested_range_and_safe_everywhere() {
        let text = "ARG A=1\nFROM x:$A\nFROM y:$A\n";
        let a = Analysis::new(Snapshot::from_text(text));
        let second = text.rfind("FROM").unwrap();
        assert_eq!(inlay_hints(&a, second..text.len(), &|_| None).len(), 1);
        for s in 0..text.len() + 2 {
            let _ = inlay_hints(&a, s..s + 3, &|_| Some("1 day ago".into()));
        }
    }
}
