//! Rule family `security`: who the image runs as, secrets, where base images come from and how
//! they are pinned, cross-stage copies, and the build context (`.dockerignore`).
//!
//! `image-vulnerabilities` is not here: like `invalid-base-image-platform` it reads what the
//! caller looked up over the network (`rules/image_vulnerabilities.rs`).

use super::prelude;

mod base_image;
mod common;
mod context;
mod copy_from;
pub mod dockerignore;
mod platform;
mod secrets;
mod users;

use super::prelude::Rule;

pub static RULES: &[&Rule] = &[
    &users::LAST_USER_ROOT,
    &users::MISSING_USER,
    &users::NON_NUMERIC_USER,
    &secrets::RULE,
    &base_image::TRUSTED_REGISTRY,
    &base_image::IMAGE_DIGEST,
    &base_image::SLIM_BASE_IMAGE,
    &platform::FROM_PLATFORM_CONST,
    &platform::REDUNDANT_TARGET_PLATFORM,
    &copy_from::COPY_WHOLE_STAGE_ROOT,
    &copy_from::COPY_LINK,
    &context::MISSING_DOCKERIGNORE,
    &context::COPY_IGNORED_FILE,
];

#[cfg(test)]
mod tests;
