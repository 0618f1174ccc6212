//! `dockls fmt [--check] [--diff] [PATH...]`: formats Dockerfiles in place (each file written
//! whole through a temporary file renamed over it), or with `--check` / `--diff` only says
//! which files would change (and how) and exits with status 1 when any would. `-` formats
//! standard input to standard output. Options come from `.editorconfig` and `.dockls.toml`
//! `[format]` next to each file or above it.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::check::read_input;
use super::walk::{self, Input, Source};
use super::FmtArgs;
use crate::format::{format_text, Options};

/// What happened to one file.
enum Outcome {
    /// Already formatted (its text, echoed when standard input is formatted).
    Unchanged(String),
    /// The formatted text differs (written back unless only checking).
    Changed { before: String, after: String },
    Failed(String),
}

pub fn run(args: &FmtArgs) -> ExitCode {
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let discovery = walk::discover(&paths);
    let mut stderr = io::stderr().lock();
    for w in &discovery.warnings {
        let _ = writeln!(stderr, "warning: {w}");
    }
    drop(stderr);
    let write = !args.check && !args.diff;
    let configs = Configs::default();
    let outcomes: Vec<Outcome> = discovery.inputs.par_iter().map(|input| format_one(input, write, &configs)).collect();

    let (mut changed, mut unchanged, mut failed) = (0usize, 0usize, discovery.errors.len());
    let mut out = io::stdout().lock();
    let mut stderr = io::stderr().lock();
    for e in &discovery.errors {
        let _ = writeln!(stderr, "error: {e}");
    }
    for (input, outcome) in discovery.inputs.iter().zip(outcomes) {
        let name = input.display();
        match outcome {
            Outcome::Unchanged(text) => {
                unchanged += 1;
                if write && input.source == Source::Stdin {
                    let _ = out.write_all(text.as_bytes());
                }
            }
            Outcome::Failed(message) => {
                failed += 1;
                let _ = writeln!(stderr, "error: {name}: {message}");
            }
            Outcome::Changed { before, after } => {
                changed += 1;
                if args.diff {
                    let diff = similar::TextDiff::from_lines(&before, &after);
                    let _ = write!(out, "{}", diff.unified_diff().context_radius(3).header(&name, &name));
                } else if args.check {
                    let _ = writeln!(stderr, "would reformat {name}");
                } else if input.source == Source::Stdin {
                    let _ = out.write_all(after.as_bytes());
                }
            }
        }
    }
    let _ = out.flush();
    let files = |n: usize| if n == 1 { "1 file".to_string() } else { format!("{n} files") };
    let verb = if write { "reformatted" } else { "would be reformatted" };
    let _ = writeln!(stderr, "{} {verb}, {} already formatted{}", files(changed), files(unchanged), if failed > 0 { format!(", {} failed", files(failed)) } else { String::new() });
    if failed > 0 {
        ExitCode::from(2)
    } else if changed > 0 && !write {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `.dockls.toml` found per folder: the files of one folder share it, and looking for it
/// above every file was three `stat`s per folder level per file.
#[derive(Default)]
struct Configs(Mutex<HashMap<PathBuf, Arc<crate::config::Config>>>);

impl Configs {
    fn get(&self, dir: &Path) -> Arc<crate::config::Config> {
        if let Some(c) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(dir) {
            return c.clone();
        }
        // Looked up outside the lock; two threads may both look, with the same result.
        let config = Arc::new(crate::config::discover(dir).0);
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(dir.to_path_buf(), config.clone());
        config
    }
}

fn format_one(input: &Input, write: bool, configs: &Configs) -> Outcome {
    let text = match read_input(input) {
        Ok(t) => t,
        Err(e) => return Outcome::Failed(e.message),
    };
    let path = match &input.source {
        Source::File(p) => p.clone(),
        Source::Stdin => PathBuf::from("Dockerfile"),
    };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let config = configs.get(dir);
    let options = Options::for_file(&path, &config.format);
    // A byte-order mark stays in front, outside what is formatted.
    let bom = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let formatted = format!("{}{}", &text[..bom], format_text(&text[bom..], &options));
    if formatted == text {
        return Outcome::Unchanged(text);
    }
    if write {
        if let Source::File(p) = &input.source {
            if let Err(e) = write_in_place(p, formatted.as_bytes()) {
                return Outcome::Failed(format!("writing: {}", walk::describe_io(&e)));
            }
        }
    }
    Outcome::Changed { before: text, after: formatted }
}

/// Replaces the file at `path` by `bytes` at once (a temporary file in the same folder renamed
/// over it), keeping its permissions.
fn write_in_place(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(path)?.permissions();
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().set_permissions(permissions)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
