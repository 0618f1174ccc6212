//! Finding the files `dockls check` looks at.
//!
//! Paths named on the command line are taken as they are: a file is always checked, whatever
//! its name; a directory is searched (recursively, honouring `.gitignore`, `.ignore` and
//! `.git/info/exclude` even outside a Git repository) for files whose name says they are
//! Dockerfiles (see [`is_dockerfile_name`]). `-` is standard input.

use std::cmp::Ordering;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Where an input's text comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    Stdin,
}

/// One file to check.
#[derive(Debug, Clone)]
pub struct Input {
    pub source: Source,
    /// The path as shown to the user: relative paths without a leading `./`.
    pub path: PathBuf,
}

impl Input {
    /// The path as text (lossy for names that are not UTF-8).
    pub fn display(&self) -> String {
        display_path(&self.path)
    }
}

/// A path that could not be checked (it does not exist, cannot be read, is not UTF-8, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The path the problem is about, when there is one.
    pub path: Option<String>,
    pub message: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{p}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The result of looking at the command-line paths.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Files to check, sorted by path, without duplicates.
    pub inputs: Vec<Input>,
    /// Paths that could not be looked at; each makes the run exit with status 2.
    pub errors: Vec<InputError>,
    /// Problems that do not stop the run (an unreadable pattern in a `.gitignore`).
    pub warnings: Vec<String>,
}

/// Directories never searched, even when no ignore file mentions them.
const SKIPPED_DIRS: &[&str] = &[".git", ".hg", ".svn", ".jj"];

/// Whether a file name is one of the names a directory search picks up: `Dockerfile`,
/// `Containerfile`, `*.Dockerfile`, `*.dockerfile`, `*.containerfile`, `Dockerfile.*` and
/// `Containerfile.*` (case-insensitively), except BuildKit's per-Dockerfile ignore files
/// (`Dockerfile.dockerignore`, `app.Dockerfile.dockerignore`).
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".dockerignore") {
        return false;
    }
    ["dockerfile", "containerfile"].iter().any(|stem| {
        lower == *stem
            || (lower.len() > stem.len() + 1
                && (lower.ends_with(&format!(".{stem}")) || lower.starts_with(&format!("{stem}."))))
    })
}

/// Expands the command-line paths into the sorted list of files to check.
pub fn discover(paths: &[PathBuf]) -> Discovery {
    let mut out = Discovery::default();
    for arg in paths {
        if arg.as_os_str() == "-" {
            out.inputs.push(Input { source: Source::Stdin, path: PathBuf::from("<stdin>") });
            continue;
        }
        match std::fs::metadata(arg) {
            Err(err) => out.errors.push(InputError { path: Some(display_path(arg)), message: describe_io(&err) }),
            Ok(meta) if meta.is_dir() => walk_dir(arg, &mut out),
            Ok(_) => out.inputs.push(Input { source: Source::File(arg.clone()), path: normalize(arg) }),
        }
    }
    out.inputs.sort_by(|a, b| compare_paths(&a.path, &b.path));
    out.inputs.dedup_by(|a, b| a.path == b.path);
    // The same file named twice (`Dockerfile ./Dockerfile $PWD/Dockerfile`) is checked once.
    let mut seen = std::collections::HashSet::new();
    out.inputs.retain(|i| match &i.source {
        Source::File(p) => seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())),
        Source::Stdin => true,
    });
    out
}

fn walk_dir(dir: &Path, out: &mut Discovery) {
    // Inside a Git repository its ignore files apply up to its root, not those of a checkout
    // around it (which may well ignore the whole nested repository); outside any repository
    // `.gitignore` files still count.
    let in_repo = std::path::absolute(dir).is_ok_and(|d| d.ancestors().any(|a| a.join(".git").exists()));
    let walker = ignore::WalkBuilder::new(dir)
        .require_git(in_repo)
        .hidden(false)
        .filter_entry(|entry| {
            !(entry.file_type().is_some_and(|t| t.is_dir())
                && entry.depth() > 0
                && entry.file_name().to_str().is_some_and(|n| SKIPPED_DIRS.contains(&n)))
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                if err.io_error().is_some() {
                    out.errors.push(InputError { path: None, message: err.to_string() });
                } else {
                    out.warnings.push(err.to_string());
                }
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        // A name that is not UTF-8 (`Dockerfile.caf\xe9` from a Latin-1 system) is still
        // matched and checked; it is shown with U+FFFD in its place.
        let name = entry.file_name().to_string_lossy();
        if !is_dockerfile_name(&name) {
            continue;
        }
        let is_file = match entry.file_type() {
            Some(t) if t.is_file() => true,
            // A symbolic link to a file counts as that file.
            Some(t) if t.is_symlink() => std::fs::metadata(entry.path()).is_ok_and(|m| m.is_file()),
            _ => false,
        };
        if is_file {
            let path = entry.path().to_path_buf();
            out.inputs.push(Input { path: normalize(&path), source: Source::File(path) });
        }
    }
}

/// Drops `.` components (`./Dockerfile` → `Dockerfile`); `.` alone stays `.`.
pub fn normalize(path: &Path) -> PathBuf {
    let out: PathBuf = path.components().filter(|c| !matches!(c, Component::CurDir)).collect();
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

/// A path as text, with `/` between components on every platform.
pub fn display_path(path: &Path) -> String {
    if std::path::MAIN_SEPARATOR == '/' {
        return path.to_string_lossy().into_owned();
    }
    let mut out = String::new();
    for (i, c) in path.components().enumerate() {
        match c {
            Component::Prefix(p) => out.push_str(&p.as_os_str().to_string_lossy()),
            Component::RootDir => out.push('/'),
            other => {
                if i > 0 && !out.ends_with('/') && !out.ends_with(':') {
                    out.push('/');
                }
                out.push_str(&other.as_os_str().to_string_lossy());
            }
        }
    }
    out
}

/// Component-wise order, so `a/b` sorts with `a`'s other files and before `a-b`.
fn compare_paths(a: &Path, b: &Path) -> Ordering {
    let key = |p: &Path| p.components().map(|c| c.as_os_str().to_owned()).collect::<Vec<_>>();
    key(a).cmp(&key(b)).then_with(|| a.as_os_str().cmp(b.as_os_str()))
}

/// An I/O error in words, without Rust's `(os error N)` suffix.
pub fn describe_io(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::IsADirectory => "is a directory".into(),
        _ => {
            let text = err.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "dockerfile",
            "Containerfile",
            "app.Dockerfile",
            "app.dockerfile",
            "web.containerfile",
            "Dockerfile.dev",
            "Containerfile.prod",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "Dockerfile.dockerignore",
            "app.Dockerfile.dockerignore",
            "Dockerfiles",
            "MyDockerfile",
            "Dockerfile.",
            ".dockerfile",
            "README.md",
            "docker-compose.yml",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }

    #[test]
    fn normalizes_leading_dot() {
        assert_eq!(normalize(Path::new("./Dockerfile")), PathBuf::from("Dockerfile"));
        assert_eq!(normalize(Path::new("./a/./b")), PathBuf::from("a/b"));
        assert_eq!(normalize(Path::new(".")), PathBuf::from("."));
    }
}
