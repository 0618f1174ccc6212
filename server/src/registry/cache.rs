//! The disk cache: one small JSON file per image under `<cache dir>/platforms/`. A missing,
//! unreadable or broken file is a miss; writes go through a temporary file and a rename so a
//! reader never sees half a file.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::{Platform, Reference, TAG_TTL};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// The full key, checked on read (file names are a lossy encoding of it).
    pub key: String,
    /// Seconds since the Unix epoch.
    pub fetched: u64,
    pub platforms: Vec<Platform>,
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Entry {
    pub fn now(key: &str, platforms: Vec<Platform>) -> Entry {
        Entry { key: key.to_string(), fetched: now(), platforms }
    }

    /// Digests name immutable content; a tag can be re-pushed, so its answer expires.
    pub fn fresh(&self, r: &Reference) -> bool {
        r.is_digest() || now().saturating_sub(self.fetched) < TAG_TTL.as_secs()
    }
}

fn file_for(dir: &Path, key: &str) -> PathBuf {
    let name: String = key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect();
    // Long names (digests behind a long path) are cut; the key inside tells collisions apart.
    let name: String = name.chars().take(200).collect();
    dir.join("platforms").join(format!("{name}.json"))
}

pub fn read(dir: &Path, key: &str) -> Option<Entry> {
    let text = std::fs::read_to_string(file_for(dir, key)).ok()?;
    let entry: Entry = serde_json::from_str(&text).ok()?;
    (entry.key == key).then_some(entry)
}

/// Best effort: a cache that cannot be written only costs a later fetch.
pub fn write(dir: &Path, entry: &Entry) {
    let Ok(json) = serde_json::to_vec(entry) else { return };
    crate::cache_file::write_atomically(&file_for(dir, &entry.key), &json);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_broken_files() {
        let dir = tempfile::tempdir().unwrap();
        let r = Reference::parse("alpine:3.20").unwrap();
        let key = format!("https://x {r}");
        assert!(read(dir.path(), &key).is_none());
        write(dir.path(), &Entry::now(&key, vec![Platform::parse("linux/amd64").unwrap()]));
        let e = read(dir.path(), &key).unwrap();
        assert!(e.fresh(&r));
        assert_eq!(e.platforms[0].to_string(), "linux/amd64");
        std::fs::write(file_for(dir.path(), &key), "{not json").unwrap();
        assert!(read(dir.path(), &key).is_none());
        let old = Entry { fetched: 0, ..e };
        assert!(!old.fresh(&r));
        assert!(old.fresh(&Reference::parse("alpine@sha256:abc").unwrap()));
    }
}
