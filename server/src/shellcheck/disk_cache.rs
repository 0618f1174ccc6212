//! ShellCheck's results kept on disk between `dockls check` runs.
//!
//! ShellCheck is by far the slowest part of a check (~3 s for the 684-file corpus, against
//! ~0.3 s for everything else), and CI runs check mostly unchanged files. Results are stored
//! by a hash of everything that decides them: the script with its prelude, the dialect, the
//! excluded codes, the ShellCheck binary (path, size, modification time) and the `.shellcheckrc`
//! it reads. A script ShellCheck could not check is never stored. The language server does not
//! use this cache: it checks open files, and keeps its own in memory.
//!
//! One JSON file, read once per run and written back (to a temporary file, then renamed) only
//! when something changed; a missing, unreadable or broken file is an empty cache. Entries not
//! used for [`FORGET_AFTER`] are dropped, and at most [`MAX_ENTRIES`] are kept.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::Finding;

/// Bumped when the stored findings change shape or meaning.
const FORMAT: u32 = 1;
const FORGET_AFTER: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// A hit refreshes an entry's time only when it is older than this (so a run that only hits
/// does not rewrite the file).
const REFRESH_AFTER: Duration = Duration::from_secs(24 * 60 * 60);
const MAX_ENTRIES: usize = 50_000;

#[derive(Serialize, Deserialize)]
struct Stored {
    format: u32,
    entries: HashMap<String, Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    /// Seconds since the epoch when a run last used it.
    used: u64,
    findings: Vec<Finding>,
}

pub struct DiskCache {
    path: PathBuf,
    entries: HashMap<String, Entry>,
    now: u64,
    dirty: bool,
}

/// The file under a cache folder (`$XDG_CACHE_HOME/dockls`).
pub fn file_in(cache_dir: &Path) -> PathBuf {
    cache_dir.join("shellcheck").join(format!("results-v{FORMAT}.json"))
}

impl DiskCache {
    /// The cache stored at `path`; empty when there is none or it cannot be read.
    pub fn load(path: PathBuf) -> DiskCache {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let entries = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Stored>(&bytes).ok())
            .filter(|s| s.format == FORMAT)
            .map(|s| s.entries)
            .unwrap_or_default();
        DiskCache { path, entries, now, dirty: false }
    }

    pub fn get(&mut self, key: &str) -> Option<Vec<Finding>> {
        let entry = self.entries.get_mut(key)?;
        if self.now.saturating_sub(entry.used) > REFRESH_AFTER.as_secs() {
            entry.used = self.now;
            self.dirty = true;
        }
        Some(entry.findings.clone())
    }

    pub fn insert(&mut self, key: String, findings: Vec<Finding>) {
        self.entries.insert(key, Entry { used: self.now, findings });
        self.dirty = true;
    }

    /// Writes the cache back when it changed. Best effort: a cache that cannot be written only
    /// costs the next run the ShellCheck time.
    pub fn save(mut self) {
        if !self.dirty {
            return;
        }
        let cutoff = self.now.saturating_sub(FORGET_AFTER.as_secs());
        self.entries.retain(|_, e| e.used >= cutoff);
        if self.entries.len() > MAX_ENTRIES {
            let mut by_age: Vec<(u64, String)> = self.entries.iter().map(|(k, e)| (e.used, k.clone())).collect();
            by_age.sort_unstable_by(|a, b| b.cmp(a));
            for (_, key) in by_age.into_iter().skip(MAX_ENTRIES) {
                self.entries.remove(&key);
            }
        }
        let stored = Stored { format: FORMAT, entries: self.entries };
        let Ok(json) = serde_json::to_vec(&stored) else { return };
        crate::cache_file::write_atomically(&self.path, &json);
    }
}

/// What, besides the script, decides ShellCheck's answer: the binary (path, size, modification
/// time: a new version is a new file), the rc file's text and the options dockls passes.
pub fn fingerprint(binary: &Path, rc_file: Option<&Path>, options: &str) -> String {
    let mut parts = vec![binary.display().to_string()];
    match std::fs::metadata(binary) {
        Ok(m) => {
            let modified = m.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
            parts.push(format!("{}:{modified}", m.len()));
        }
        Err(_) => parts.push("?".into()),
    }
    if let Some(rc) = rc_file {
        parts.push(rc.display().to_string());
        parts.push(std::fs::read_to_string(rc).unwrap_or_default());
    }
    parts.push(options.to_string());
    parts.join("\0")
}

/// A 128-bit key (two independently seeded 64-bit hashes): a false hit would show another
/// script's findings, so 64 bits over many thousands of stored scripts is not enough margin.
pub fn key(fingerprint: &str, dialect: &str, input: &str) -> String {
    let half = |seed: u8| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (seed, fingerprint, dialect, input).hash(&mut h);
        h.finish()
    };
    format!("{:016x}{:016x}", half(1), half(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(code: u32) -> Finding {
        Finding {
            file: None,
            line: 1,
            column: 6,
            end_line: 1,
            end_column: 8,
            level: "info".into(),
            code,
            message: "Double quote to prevent globbing and word splitting.".into(),
        }
    }

    #[test]
    fn stores_and_reads_back_findings() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_in(dir.path());
        let mut cache = DiskCache::load(path.clone());
        assert!(cache.get("k").is_none());
        cache.insert("k".into(), vec![finding(2086)]);
        cache.insert("empty".into(), Vec::new());
        cache.save();
        let mut again = DiskCache::load(path);
        let got = again.get("k").expect("stored");
        assert_eq!((got.len(), got[0].code, got[0].column), (1, 2086, 6));
        assert_eq!(again.get("empty").map(|f| f.len()), Some(0), "a clean script is a hit too");
        assert!(!again.dirty, "fresh hits do not rewrite the file");
    }

    #[test]
    fn a_broken_or_foreign_file_is_an_empty_cache() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_in(dir.path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        for junk in ["", "{", "[1,2]", "{\"format\":99,\"entries\":{}}", "\u{0}\u{1}binary"] {
            std::fs::write(&path, junk).unwrap();
            let mut cache = DiskCache::load(path.clone());
            assert!(cache.get("k").is_none(), "{junk:?}");
            cache.insert("k".into(), vec![finding(2046)]);
            cache.save();
            assert_eq!(DiskCache::load(path.clone()).get("k").map(|f| f[0].code), Some(2046), "overwritten after {junk:?}");
        }
    }

    #[test]
    fn old_entries_are_forgotten_and_old_hits_refreshed() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_in(dir.path());
        let mut cache = DiskCache::load(path.clone());
        cache.insert("old".into(), vec![finding(1)]);
        cache.insert("stale".into(), vec![finding(2)]);
        cache.insert("new".into(), vec![finding(3)]);
        let now = cache.now;
        cache.entries.get_mut("old").unwrap().used = now - FORGET_AFTER.as_secs() - 10;
        cache.entries.get_mut("stale").unwrap().used = now - REFRESH_AFTER.as_secs() - 10;
        cache.save();
        let mut again = DiskCache::load(path);
        assert!(again.get("old").is_none());
        assert!(again.get("stale").is_some());
        assert!(again.dirty, "a hit on a day-old entry refreshes its time");
        assert!(again.get("new").is_some());
    }

    #[test]
    fn keys_change_with_everything_that_decides_the_answer() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("shellcheck");
        std::fs::write(&bin, "v1").unwrap();
        let rc = dir.path().join(".shellcheckrc");
        std::fs::write(&rc, "disable=SC2086\n").unwrap();
        let base = fingerprint(&bin, Some(&rc), "SC1090");
        let without_rc = fingerprint(&bin, None, "SC1090");
        let k = key(&base, "sh", "echo $x");
        assert_eq!(k.len(), 32);
        assert_eq!(k, key(&fingerprint(&bin, Some(&rc), "SC1090"), "sh", "echo $x"), "stable");
        assert_ne!(k, key(&base, "bash", "echo $x"));
        assert_ne!(k, key(&base, "sh", "echo $y"));
        assert_ne!(base, without_rc);
        assert_ne!(base, fingerprint(&bin, Some(&rc), "SC1091"));
        std::fs::write(&rc, "disable=SC2046\n").unwrap();
        assert_ne!(base, fingerprint(&bin, Some(&rc), "SC1090"), "rc file text");
        std::fs::write(&bin, "version 2").unwrap();
        assert_ne!(without_rc, fingerprint(&bin, None, "SC1090"), "binary size");
    }
}
