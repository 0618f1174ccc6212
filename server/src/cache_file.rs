//! Writing a file in dockls's cache folder (registry answers, vulnerability summaries,
//! ShellCheck results).

use std::path::Path;

/// Writes `bytes` to `path` through a temporary file renamed into place, so a concurrent
/// reader sees the old file or the new one, never half of one; creates the folder. Best
/// effort: a cache that cannot be written only costs a later lookup.
pub fn write_atomically(path: &Path, bytes: &[u8]) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir) else { return };
    if std::io::Write::write_all(&mut tmp, bytes).is_ok() {
        let _ = tmp.persist(path);
    }
}
