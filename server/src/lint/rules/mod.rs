//! The rule catalogue, one file per rule or small family. `ALL` is the registry; the generic
//! tests in `tests.rs` hold every rule to its bad and good fixtures in `fixtures/`.

#[allow(unused_imports)]
pub(crate) mod prelude {
    pub use crate::diagnostics::{Severity, Tag};
    pub use crate::lint::{Category, Context, Edit, Finding, Fix, Rule, Safety};
    pub use crate::syntax::{Args, Instruction, Kind};
}

mod add_instead_of_copy;
mod copy_relative_no_workdir;
pub mod expose_inherited;
mod packages;
mod security;
mod shell_practices;
mod structure;
mod image_tag;
mod image_vulnerabilities;
mod invalid_base_image_platform;
mod maintainer_deprecated;
mod workdir_absolute;
// Added for the precision review (issue 19).
mod chmod_world_writable;
mod downloads;
mod heredoc_set_e;
mod image_moving_tag;
mod label_key_invalid;

pub use invalid_base_image_platform::{base_config, base_image_references, base_images, BaseImage};

/// The rules that read base image configs (`LintOptions::image_configs`): whoever lints
/// fetches those configs only when one of them is on.
pub const IMAGE_CONFIG_RULES: &[&str] = &["missing-user", "undefined-var", "copy-relative-no-workdir", "expose-inherited"];
pub(crate) use packages::RUN_MENTIONS;

use std::sync::OnceLock;

use super::Rule;

/// Rules defined one per file in this module.
static CORE: &[&Rule] = &[
    &workdir_absolute::RULE,
    &add_instead_of_copy::RULE,
    &image_tag::TAG_MISSING,
    &image_tag::LATEST,
    &maintainer_deprecated::RULE,
    &copy_relative_no_workdir::RULE,
    &invalid_base_image_platform::RULE,
    &image_vulnerabilities::RULE,
    &heredoc_set_e::RULE,
    &image_moving_tag::RULE,
    &downloads::INSECURE,
    &downloads::ADD_CHECKSUM,
    &chmod_world_writable::RULE,
    &label_key_invalid::RULE,
    &expose_inherited::RULE,
];

/// Every rule: the core ones and each family's `RULES`.
pub fn all() -> &'static [&'static Rule] {
    static ALL: OnceLock<Vec<&'static Rule>> = OnceLock::new();
    ALL.get_or_init(|| {
        let families: &[&[&'static Rule]] = &[CORE, structure::RULES, packages::RULES, shell_practices::RULES, security::RULES];
        families.iter().flat_map(|f| f.iter().copied()).collect()
    })
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod image_config_tests;
