//! Whether two texts mean the same Dockerfile: the same directives, comments, instructions,
//! flags and argument values (as our parser reads them), and RUN bodies whose
//! tree-sitter-bash trees are the same but for blanks and line continuations. The formatter's
//! property tests and the corpus check hold every formatted file to this.

use crate::shell::{parse_bash, Script};
use crate::syntax::{Args, Dockerfile, Instruction, Word};

/// `Ok` when `after` means what `before` does, else what differs first.
pub fn same_meaning(before: &str, after: &str) -> Result<(), String> {
    let (tb, ta) = (crate::document::parse(before), crate::document::parse(after));
    let (b, a) = (Dockerfile::new(before, &tb), Dockerfile::new(after, &ta));
    let directives = |df: &Dockerfile| df.directives.iter().map(|d| (d.name.to_ascii_lowercase(), d.value.clone())).collect::<Vec<_>>();
    if directives(&b) != directives(&a) {
        return Err("parser directives differ".into());
    }
    let comments = |df: &Dockerfile, src: &str| df.comments.iter().map(|r| src[r.clone()].trim_end().to_string()).collect::<Vec<_>>();
    if comments(&b, before) != comments(&a, after) {
        return Err("comments differ".into());
    }
    if b.errors.len() != a.errors.len() {
        return Err(format!("{} syntax errors before, {} after", b.errors.len(), a.errors.len()));
    }
    if b.instructions.len() != a.instructions.len() {
        return Err(format!("{} instructions before, {} after", b.instructions.len(), a.instructions.len()));
    }
    for (x, y) in b.instructions.iter().zip(&a.instructions) {
        let line = before[..x.range.start].matches('\n').count() + 1;
        instruction(before, x, after, y).map_err(|e| format!("line {line}: {e}"))?;
    }
    Ok(())
}

fn values(words: &[Word]) -> Vec<&str> {
    words.iter().map(|w| w.value.as_str()).collect()
}

fn instruction(sb: &str, b: &Instruction, sa: &str, a: &Instruction) -> Result<(), String> {
    if b.kind != a.kind {
        return Err(format!("{:?} became {:?}", b.kind, a.kind));
    }
    let flags = |i: &Instruction| {
        i.flags.iter().map(|f| (f.name.to_string(), f.value.as_ref().map(|v| v.value.to_string()))).collect::<Vec<_>>()
    };
    if flags(b) != flags(a) {
        return Err(format!("{} flags differ", b.kind.keyword()));
    }
    let heredocs = |i: &Instruction, s: &str| {
        i.heredocs.iter().map(|h| (h.delimiter.clone(), h.body_range.as_ref().map(|r| s[r.clone()].to_string()))).collect::<Vec<_>>()
    };
    if heredocs(b, sb) != heredocs(a, sa) {
        return Err("heredocs differ".into());
    }
    let same = match (&b.args, &a.args) {
        (Args::None, Args::None) | (Args::HealthcheckNone, Args::HealthcheckNone) => true,
        (Args::Exec(x), Args::Exec(y)) | (Args::Words(x), Args::Words(y)) => values(x) == values(y),
        (Args::Pairs(x), Args::Pairs(y)) => {
            let pairs = |p: &[crate::syntax::Pair]| {
                p.iter().map(|p| (p.key.value.to_string(), p.value.as_ref().map(|v| v.value.to_string()), p.has_equals)).collect::<Vec<_>>()
            };
            pairs(x) == pairs(y)
        }
        (Args::From(x), Args::From(y)) => x.image.text == y.image.text && x.alias.as_ref().map(|w| &w.value) == y.alias.as_ref().map(|w| &w.value),
        (Args::User { user: u1, group: g1 }, Args::User { user: u2, group: g2 }) => {
            u1.value == u2.value && g1.as_ref().map(|g| &g.value) == g2.as_ref().map(|g| &g.value)
        }
        (Args::Shell(x), Args::Shell(y)) => {
            let sx = Script::from_shell_form(sb, x, &b.heredocs);
            let sy = Script::from_shell_form(sa, y, &a.heredocs);
            match (parse_bash(&sx.text), parse_bash(&sy.text)) {
                (Some(tx), Some(ty)) => super::shell::same_tree(tx.root_node(), &sx.text, ty.root_node(), &sy.text),
                _ => sx.text == sy.text,
            }
        }
        _ => false,
    };
    if !same {
        return Err(format!("{} arguments differ", b.kind.keyword()));
    }
    match (&b.nested, &a.nested) {
        (None, None) => Ok(()),
        (Some(x), Some(y)) => instruction(sb, x, sa, y),
        _ => Err("nested instruction differs".into()),
    }
}
