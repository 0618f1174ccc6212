//! Helpers shared by the family: the chain of stages the final image is built from, the USER
//! in effect, and what a base image is.

use crate::lint::Context;
use crate::syntax::{Args, ImageRef, Instruction, Kind, Stage, Word};

/// The final stage, then the stage it is built `FROM`, and so on up to the one that starts
/// from a real image (or `scratch`). A parent named through variables (`FROM out-${TARGETOS}`)
/// is followed with the predefined platform args of the build platform.
pub fn final_chain<'a>(ctx: &Context<'a>) -> Vec<&'a Stage> {
    let mut chain: Vec<&Stage> = Vec::new();
    let mut cur = ctx.final_stage();
    while let Some(stage) = cur {
        // A parent is always an earlier stage; the guard keeps a malformed model from looping
        // (and is O(1): long FROM-chains made a "seen" search quadratic).
        if chain.last().is_some_and(|s| stage.index >= s.index) {
            break;
        }
        chain.push(stage);
        cur = match stage.parent {
            Some(p) => ctx.df.stages.get(p),
            None => ctx.stage_through_variables(stage),
        };
    }
    chain
}

/// The USER instruction in effect at the end of the final stage: the last top-level USER of
/// the final stage, else of the stage it is built from, and so on.
pub fn effective_user<'a>(ctx: &Context<'a>) -> Option<&'a Instruction> {
    for stage in final_chain(ctx) {
        if let Some(user) = ctx.df.stage_instructions(stage).iter().rev().find(|i| i.kind == Kind::User) {
            return Some(user);
        }
    }
    None
}

/// The `user` and optional `group` words of a USER instruction.
pub fn user_words(ins: &Instruction) -> Option<(&Word, Option<&Word>)> {
    match &ins.args {
        Args::User { user, group } => Some((&**user, group.as_deref())),
        _ => None,
    }
}

/// The image the final chain ultimately starts from; `None` when it is given by a variable or
/// did not parse.
pub fn root_image<'a>(ctx: &Context<'a>) -> Option<&'a ImageRef> {
    let stage = *final_chain(ctx).last()?;
    let img = &stage.image;
    (stage.parent.is_none() && is_literal_image(img)).then_some(img)
}

/// A base image written out (not an earlier stage is checked by the caller), not starting with
/// a variable and not empty.
pub fn is_literal_image(img: &ImageRef) -> bool {
    let repo = &img.repository.0;
    !repo.is_empty() && !repo.starts_with('$') && !img.registry.as_ref().is_some_and(|(r, _)| r.contains('$'))
}

/// FROM lines that name a real image: not `scratch`, not an earlier stage, not given by a
/// variable as a whole.
pub fn base_images<'a>(ctx: &'a Context<'a>) -> impl Iterator<Item = (&'a Stage, &'a ImageRef)> + 'a {
    ctx.df.stages.iter().filter_map(move |s| base_image(ctx, s).map(|img| (s, img)))
}

/// The base image of one stage, as [`base_images`] yields it.
pub fn base_image<'a>(ctx: &Context<'a>, s: &'a Stage) -> Option<&'a ImageRef> {
    let img = &s.image;
    let image = s.parent.is_none() && !img.is_scratch() && is_literal_image(img);
    (image && ctx.stage_through_variables(s).is_none()).then_some(img)
}

/// An official Docker Hub image (`python`, `library/python`, `docker.io/library/python`):
/// returns its short name.
pub fn official_name(img: &ImageRef) -> Option<&str> {
    if !img.is_docker_hub() {
        return None;
    }
    let repo = img.repository.0.as_str();
    let repo = repo.strip_prefix("library/").unwrap_or(repo);
    (!repo.contains('/')).then_some(repo)
}

/// The range of a word without the quotes of a JSON (exec-form) string.
pub fn unquoted_range(word: &Word) -> std::ops::Range<usize> {
    let r = word.range.clone();
    if word.text.len() >= 2 && word.text.starts_with('"') && word.text.ends_with('"') {
        r.start + 1..r.end - 1
    } else {
        r
    }
}

/// The start of the line `offset` is on.
pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}
