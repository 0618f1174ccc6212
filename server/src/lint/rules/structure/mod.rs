//! Rule family `structure`: what Docker rejects or silently misreads in the shape of a
//! Dockerfile (stages, EXPOSE, JSON forms, variables, continuations), and the casing and
//! legacy-syntax checks BuildKit runs. Each rule is registered in `RULES`.

#[allow(unused_imports)]
use super::prelude::*;

mod casing;
mod continuation;
mod copy;
mod expose;
mod json_form;
mod legacy_kv;
mod multiple;
mod optin;
mod order;
mod stages;
mod vars;

pub static RULES: &[&Rule] = &[
    // Syntax and semantics.
    &expose::PORT_RANGE,
    &expose::INVALID_FORMAT,
    &json_form::SINGLE_QUOTES,
    &multiple::CMD,
    &multiple::ENTRYPOINT,
    &multiple::HEALTHCHECK,
    &copy::MULTI_SRC_DIR_DEST,
    &copy::FROM_UNKNOWN_STAGE,
    &copy::FROM_SELF,
    &stages::DUPLICATE_NAME,
    &stages::RESERVED_NAME,
    &stages::INVALID_NAME,
    &stages::FROM_AS_KEYWORD,
    &order::ONBUILD_FORBIDDEN_TRIGGER,
    &order::FIRST_INSTRUCTION_FROM,
    &vars::ENV_SELF_REFERENCE,
    &vars::UNDEFINED_VAR,
    &vars::UNDEFINED_ARG_IN_FROM,
    &vars::INVALID_DEFAULT_ARG_IN_FROM,
    &continuation::EMPTY_CONTINUATION,
    // Maintainability and style.
    &json_form::EXEC_FORM_CMD,
    &expose::PROTO_CASING,
    &casing::INSTRUCTION_CASING,
    &stages::FROM_AS_CASING,
    &stages::STAGE_NAME_CASING,
    &casing::DIRECTIVE_CASING,
    &legacy_kv::RULE,
    // Off by default.
    &optin::HEALTHCHECK_MISSING,
    &optin::INLINE_IGNORE_PRAGMA,
    &optin::INVALID_DEFINITION_DESCRIPTION,
];

/// Every instruction with its trigger (ONBUILD's nested instruction) right after it.
pub(super) fn with_nested<'a>(ctx: &'a Context) -> impl Iterator<Item = &'a Instruction> + 'a {
    ctx.instructions().flat_map(|(_, i)| std::iter::once(i).chain(i.nested.as_deref().filter(|_| i.kind == Kind::Onbuild)))
}

/// `text` in the case of `model` (a keyword as written): lower case if `model` is all lower
/// case, upper case otherwise.
pub(super) fn cased_like(model: &str, text: &str) -> String {
    if !model.is_empty() && model == model.to_ascii_lowercase() {
        text.to_ascii_lowercase()
    } else {
        text.to_ascii_uppercase()
    }
}

/// The start of the line containing `offset`.
pub(super) fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}
