//! Rule family `packages` (see the family's files). Each rule is registered in `RULES`.

#[allow(unused_imports)]
use super::prelude::*;

pub static RULES: &[&Rule] = &[];
