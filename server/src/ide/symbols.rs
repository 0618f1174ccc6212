//! Document symbols: stages with their instructions, and global ARGs.

use std::ops::Range;

use crate::syntax::{Args, Dockerfile, Instruction, Kind};

/// What a symbol is, in words an outline view can give an icon to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutlineKind {
    Stage,
    Variable,
    Constant,
    Property,
    Command,
    File,
    Event,
    Key,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outline {
    pub name: String,
    pub detail: Option<String>,
    pub kind: OutlineKind,
    pub range: Range<usize>,
    pub selection_range: Range<usize>,
    pub children: Vec<Outline>,
}

pub fn document_symbols(text: &str, df: &Dockerfile) -> Vec<Outline> {
    outline_items(text, df).collect()
}

/// The top-level symbols one at a time (global instructions, then stages with their
/// instructions), so that a caller writing them out holds one stage's outline, not the file's.
pub fn outline_items<'a>(text: &'a str, df: &'a Dockerfile) -> impl Iterator<Item = Outline> + 'a {
    let globals = df.global_instructions().iter().map(move |i| instruction(text, i));
    let stages = df.stages.iter().map(move |stage| {
        let from = &df.instructions[stage.from];
        let name = match &stage.name {
            Some(n) => n.text.to_string(),
            None => format!("stage {}", stage.index),
        };
        let selection = stage.name.as_ref().map_or(from.keyword_range.clone(), |n| n.range.clone());
        Outline {
            name,
            detail: Some(format!("FROM {}", stage.image.text)),
            kind: OutlineKind::Stage,
            range: stage.range.clone(),
            selection_range: selection,
            children: df.stage_instructions(stage)[1..].iter().map(|i| instruction(text, i)).collect(),
        }
    });
    globals.chain(stages)
}

fn first_line(s: &str, max: usize) -> String {
    let line = s.lines().next().unwrap_or("").trim().trim_end_matches('\\').trim_end();
    if line.chars().count() > max {
        let cut: String = line.chars().take(max).collect();
        format!("{cut}…")
    } else {
        line.to_string()
    }
}

fn instruction(text: &str, ins: &Instruction) -> Outline {
    let args = first_line(&text[ins.keyword_range.end..ins.range.end.max(ins.keyword_range.end)], 60);
    let mut children = Vec::new();
    let kind = match ins.kind {
        Kind::Arg | Kind::Env | Kind::Label => {
            for p in ins.pairs() {
                children.push(Outline {
                    // `LABEL ""=x`: an outline entry needs a name (VS Code rejects an empty one).
                    name: if p.key.value.is_empty() { "\"\"".to_string() } else { p.key.value.to_string() },
                    detail: p.value.as_ref().map(|v| first_line(&v.text, 40)),
                    kind: if ins.kind == Kind::Label { OutlineKind::Property } else { OutlineKind::Variable },
                    range: p.range.clone(),
                    selection_range: p.key.range.clone(),
                    children: Vec::new(),
                });
            }
            if ins.kind == Kind::Label { OutlineKind::Property } else { OutlineKind::Variable }
        }
        Kind::Run | Kind::Cmd | Kind::Entrypoint | Kind::Shell | Kind::Healthcheck | Kind::Onbuild => OutlineKind::Command,
        Kind::Copy | Kind::Add | Kind::Workdir | Kind::Volume => OutlineKind::File,
        Kind::Expose => OutlineKind::Constant,
        Kind::Stopsignal => OutlineKind::Event,
        Kind::User | Kind::Maintainer => OutlineKind::Key,
        Kind::From => OutlineKind::Stage,
    };
    // A single pair is the instruction itself; don't nest one child.
    let (name, detail, children) = if children.len() == 1 && !matches!(ins.args, Args::None) {
        let c = children.pop().expect("one child");
        (format!("{} {}", ins.kind.keyword(), c.name), c.detail, Vec::new())
    } else {
        (ins.kind.keyword().to_string(), if args.is_empty() { None } else { Some(args) }, children)
    };
    Outline { name, detail, kind, range: ins.range.clone(), selection_range: ins.keyword_range.clone(), children }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Snapshot;

    #[test]
    fn every_symbol_has_a_name_and_nested_instructions_end_at_their_text() {
        let text = "FROM a\nLABEL \"\"=a \"\"=b\nENV \"\"=x\nHEALTHCHECK --interval=5s CMD true\nONBUILD RUN make\n";
        let snap = Snapshot::from_text(text);
        let df = Dockerfile::new(&snap.text, &snap.tree);
        let outline = document_symbols(text, &df);
        fn names(o: &Outline, out: &mut Vec<String>) {
            out.push(o.name.clone());
            o.children.iter().for_each(|c| names(c, out));
        }
        let mut all = Vec::new();
        outline.iter().for_each(|o| names(o, &mut all));
        assert!(all.iter().all(|n| !n.is_empty() && n.trim_end() == n), "{all:?}");
        let stage = &outline[0];
        let ranges: Vec<&str> = stage.children.iter().map(|c| &text[c.range.clone()]).collect();
        assert_eq!(ranges[2], "HEALTHCHECK --interval=5s CMD true");
        assert_eq!(ranges[3], "ONBUILD RUN make");
        assert_eq!(&text[stage.range.clone()], text.trim_end());
    }
}
