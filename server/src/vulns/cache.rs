//! The disk cache of vulnerability data: one small JSON file per entry under
//! `<cache dir>/vulnerabilities/<kind>/`, each with its full key and the time it was fetched.
//! Everything here expires after [`TTL`]: advisories change even when an image's digest does
//! not. A missing, stale, unreadable or broken file is a miss; writes go through a temporary
//! file and a rename so a reader never sees half a file.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// How long an answer is trusted.
pub const TTL: Duration = Duration::from_secs(24 * 60 * 60);

#[derive(Serialize, Deserialize)]
struct Entry<T> {
    /// The full key, checked on read (file names are a lossy encoding of it).
    key: String,
    /// Seconds since the Unix epoch.
    fetched: u64,
    value: T,
}

pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Whether something fetched at `fetched` (seconds since the epoch) is still fresh.
pub fn fresh(fetched: u64) -> bool {
    now().saturating_sub(fetched) < TTL.as_secs()
}

fn file_for(dir: &Path, kind: &str, key: &str) -> PathBuf {
    let name: String = key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect();
    // Long keys are cut; the key inside tells collisions apart.
    let name: String = name.chars().take(200).collect();
    dir.join("vulnerabilities").join(kind).join(format!("{name}.json"))
}

/// The fresh value stored under `key`, with when it was fetched.
pub fn read<T: DeserializeOwned>(dir: &Path, kind: &str, key: &str) -> Option<(u64, T)> {
    let text = std::fs::read(file_for(dir, kind, key)).ok()?;
    let entry: Entry<T> = serde_json::from_slice(&text).ok()?;
    (entry.key == key && fresh(entry.fetched)).then_some((entry.fetched, entry.value))
}

/// Best effort: a cache that cannot be written only costs a later fetch.
pub fn write<T: Serialize>(dir: &Path, kind: &str, key: &str, fetched: u64, value: &T) {
    let Ok(json) = serde_json::to_vec(&Entry { key: key.to_string(), fetched, value }) else { return };
    crate::cache_file::write_atomically(&file_for(dir, kind, key), &json);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_expiry_and_broken_files() {
        let dir = tempfile::tempdir().unwrap();
        let key = "https://api.osv.dev CVE-2024-1";
        assert!(read::<Vec<u32>>(dir.path(), "osv", key).is_none());
        write(dir.path(), "osv", key, now(), &vec![1u32, 2]);
        assert_eq!(read::<Vec<u32>>(dir.path(), "osv", key).map(|(_, v)| v), Some(vec![1, 2]));
        // Another key that encodes to the same file name is a miss.
        assert!(read::<Vec<u32>>(dir.path(), "osv", "https://api.osv.dev CVE-2024_1").is_none());
        // Older than a day: a miss.
        write(dir.path(), "osv", key, now() - TTL.as_secs() - 1, &vec![1u32]);
        assert!(read::<Vec<u32>>(dir.path(), "osv", key).is_none());
        std::fs::write(file_for(dir.path(), "osv", key), "{not json").unwrap();
        assert!(read::<Vec<u32>>(dir.path(), "osv", key).is_none());
    }
}
