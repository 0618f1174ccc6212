//! Hashes for the keys kept in memory (the lint memo, the shell and ShellCheck caches, the
//! stage-name index): foldhash with a fixed seed. The standard library's SipHash resists
//! chosen collisions, which no key here needs, and was the largest single cost of a
//! keystroke's lint on a large file. A 64-bit key stands for the text it hashes (a kept result
//! is reused when keys are equal), so the hash must spread well: foldhash's `quality` variant.
//! Nothing written to disk uses these (their values may change with the crate's version).

use std::hash::{BuildHasher, Hasher};

/// What [`hasher`] returns.
pub type KeyHasher = foldhash::quality::FoldHasher<'static>;

/// A map hashed with foldhash instead of SipHash, for maps rebuilt on every keystroke (the
/// stage names): the keys are the file's own names, and nothing needs collision resistance.
pub type Map<K, V> = std::collections::HashMap<K, V, foldhash::quality::FixedState>;

/// A hasher for an in-memory key.
pub fn hasher() -> KeyHasher {
    foldhash::quality::FixedState::with_seed(0x5eed_d0c6_15).build_hasher()
}

/// A case-insensitive key of a name (stage names compare so in Docker), without lower-casing a
/// copy: rules look names up on every keystroke.
pub fn name_key(name: &str) -> u64 {
    let mut h = hasher();
    for b in name.bytes() {
        h.write_u8(b.to_ascii_lowercase());
    }
    h.finish()
}
