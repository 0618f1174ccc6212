//! The cache of tag lists and image facts: a memory map in front of one JSON file per answer
//! under `<cache dir>/<kind>/`. An answer younger than its TTL is fresh; an older one is
//! still returned (marked stale) so callers answer at once and refresh it in the background
//! (stale-while-revalidate). The folder of each kind is kept under a size cap by removing the
//! oldest files. Credentials are never part of what is stored.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Bytes one kind of answer may take on disk before the oldest files are removed.
pub const SIZE_CAP: u64 = 32 << 20;

#[derive(Serialize, Deserialize)]
struct File<T> {
    /// The full key, checked on read (file names are a lossy encoding of it).
    key: String,
    /// Seconds since the Unix epoch.
    fetched: u64,
    value: T,
}

pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A cached answer and whether it is past its TTL.
#[derive(Debug, Clone, PartialEq)]
pub struct Cached<T> {
    pub value: T,
    pub stale: bool,
}

pub struct Store<T> {
    kind: &'static str,
    memory: Mutex<HashMap<String, (u64, T)>>,
}

impl<T: Clone + Serialize + DeserializeOwned> Store<T> {
    pub fn new(kind: &'static str) -> Store<T> {
        Store { kind, memory: Mutex::default() }
    }

    fn file(&self, dir: &Path, key: &str) -> PathBuf {
        let name: String = key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).take(200).collect();
        dir.join(self.kind).join(format!("{name}.json"))
    }

    /// The answer for `key` from memory or disk; `ttl` `None`: never stale.
    pub fn get(&self, dir: Option<&Path>, key: &str, ttl: Option<Duration>) -> Option<Cached<T>> {
        let stale = |fetched: u64| ttl.is_some_and(|ttl| now().saturating_sub(fetched) >= ttl.as_secs());
        if let Some((fetched, value)) = self.memory.lock().unwrap_or_else(|e| e.into_inner()).get(key) {
            return Some(Cached { value: value.clone(), stale: stale(*fetched) });
        }
        let text = std::fs::read(self.file(dir?, key)).ok()?;
        let file: File<T> = serde_json::from_slice(&text).ok()?;
        if file.key != key {
            return None;
        }
        self.memory.lock().unwrap_or_else(|e| e.into_inner()).insert(key.to_string(), (file.fetched, file.value.clone()));
        Some(Cached { value: file.value, stale: stale(file.fetched) })
    }

    /// Remembers `value` in memory and, best effort, on disk (then trims the folder).
    pub fn put(&self, dir: Option<&Path>, key: &str, value: T) {
        let fetched = now();
        if let Some(dir) = dir {
            let file = File { key: key.to_string(), fetched, value: &value };
            if let Ok(json) = serde_json::to_vec(&file) {
                crate::cache_file::write_atomically(&self.file(dir, key), &json);
                trim(&dir.join(self.kind), SIZE_CAP);
            }
        }
        self.memory.lock().unwrap_or_else(|e| e.into_inner()).insert(key.to_string(), (fetched, value));
    }
}

/// Removes the least recently written files of `dir` until it holds at most `cap` bytes.
pub fn trim(dir: &Path, cap: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut files: Vec<(SystemTime, u64, PathBuf)> = entries
        .filter_map(|e| {
            let e = e.ok()?;
            let meta = e.metadata().ok()?;
            meta.is_file().then(|| (meta.modified().unwrap_or(UNIX_EPOCH), meta.len(), e.path()))
        })
        .collect();
    let mut total: u64 = files.iter().map(|f| f.1).sum();
    if total <= cap {
        return;
    }
    files.sort();
    for (_, len, path) in files {
        if total <= cap {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            total -= len;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_stale_and_broken_files() {
        let dir = tempfile::tempdir().unwrap();
        let store: Store<Vec<String>> = Store::new("tags");
        assert!(store.get(Some(dir.path()), "k", None).is_none());
        store.put(Some(dir.path()), "k", vec!["1.0".into()]);
        let fresh = Store::<Vec<String>>::new("tags").get(Some(dir.path()), "k", Some(Duration::from_secs(60))).unwrap();
        assert_eq!(fresh, Cached { value: vec!["1.0".to_string()], stale: false });
        // A TTL of zero: the answer is still there, but stale.
        assert!(Store::<Vec<String>>::new("tags").get(Some(dir.path()), "k", Some(Duration::ZERO)).unwrap().stale);
        std::fs::write(store.file(dir.path(), "k"), "{broken").unwrap();
        assert!(Store::<Vec<String>>::new("tags").get(Some(dir.path()), "k", None).is_none());
    }

    #[test]
    fn the_folder_stays_under_its_cap_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..5 {
            std::fs::write(dir.path().join(format!("{i}.json")), vec![b'x'; 100]).unwrap();
            let t = UNIX_EPOCH + Duration::from_secs(1_000_000 + i);
            std::fs::File::options().write(true).open(dir.path().join(format!("{i}.json"))).unwrap().set_modified(t).unwrap();
        }
        trim(dir.path(), 250);
        let mut left: Vec<String> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        assert_eq!(left, ["3.json", "4.json"]);
    }
}
