//! Reorder COPY for caching: when a stage copies the whole build context before a dependency
//! install, copy the dependency manifests and install first, then the rest. The fix of
//! `deps-manifest-first` (which finds the install and its ecosystem).

use std::sync::Arc;

use super::line_start;
use crate::lint::{Edit, Fix};
use crate::shell::RunAnalysis;
use crate::syntax::{Dockerfile, Kind};

/// Whether a build-context root entry is a dependency manifest some ecosystem reads (listed
/// in `LintOptions::context_manifests`; directories end with `/`).
pub fn is_manifest_name(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "pyproject.toml", "poetry.lock", "uv.lock", "Pipfile", "Pipfile.lock", "package.json", "package-lock.json", "yarn.lock",
        "pnpm-lock.yaml", "npm-shrinkwrap.json", "go.mod", "go.sum", "Cargo.toml", "Cargo.lock", "Gemfile", "Gemfile.lock",
        "composer.json", "composer.lock", "pom.xml", "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts",
        "gradlew", "gradle/",
    ];
    NAMES.contains(&name) || (name.starts_with("requirements") && name.ends_with(".txt"))
}

/// The manifests to copy for an ecosystem: those of its files that exist in the build context
/// when it is known (`files`), else `canonical` (the ecosystem's usual pair). `None` when the
/// context is known and lacks the main manifest (the COPY would fail).
pub fn manifests(family: &str, canonical: &[String], files: Option<&[String]>) -> Option<Vec<String>> {
    let Some(files) = files else { return Some(canonical.to_vec()) };
    let has = |n: &str| files.iter().any(|f| f == n);
    let (main, optional): (&[&str], &[&str]) = match family {
        "node" => (&["package.json"], &["package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"]),
        "poetry" => (&["pyproject.toml"], &["poetry.lock"]),
        "uv" => (&["pyproject.toml"], &["uv.lock"]),
        "pipenv" => (&["Pipfile"], &["Pipfile.lock"]),
        "go" => (&["go.mod"], &["go.sum"]),
        "cargo" => (&["Cargo.toml"], &["Cargo.lock"]),
        "ruby" => (&["Gemfile"], &["Gemfile.lock"]),
        "php" => (&["composer.json"], &["composer.lock"]),
        "maven" => (&["pom.xml"], &[]),
        "gradle" => {
            let wrapper = canonical.iter().any(|m| m == "gradlew");
            let build: Vec<String> = ["build.gradle", "build.gradle.kts"].into_iter().filter(|n| has(n)).map(String::from).collect();
            if build.is_empty() || (wrapper && !has("gradlew")) {
                return None;
            }
            let extra: &[&str] = if wrapper { &["settings.gradle", "settings.gradle.kts", "gradlew", "gradle/"] } else { &["settings.gradle", "settings.gradle.kts"] };
            return Some(build.into_iter().chain(extra.iter().filter(|n| has(n)).map(|n| n.to_string())).collect());
        }
        // pip's `-r` files: each must be there (a path below the root cannot be checked).
        _ => return canonical.iter().all(|m| m.contains('/') || has(m)).then(|| canonical.to_vec()),
    };
    if !main.iter().all(|m| has(m)) {
        return None;
    }
    Some(main.iter().chain(optional.iter().filter(|n| has(n))).map(|n| n.to_string()).collect())
}

/// The COPY lines (sources, destination) that put the manifests where the install expects
/// them: files grouped by directory, a directory (`gradle/`) on its own line.
pub fn copy_lines(manifests: &[String], dest: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for m in manifests {
        let (src, to) = if m.ends_with('/') {
            (m.clone(), format!("{dest}{m}"))
        } else if let Some(abs) = m.strip_prefix('/') {
            // An absolute path: the context file is its path under the COPY destination.
            let inside = format!("/{abs}").strip_prefix(dest).map(str::to_string);
            match inside {
                Some(rel) => {
                    let dir = rel.rsplit_once('/').map_or(String::new(), |(d, _)| format!("{d}/"));
                    (rel.clone(), format!("{dest}{dir}"))
                }
                None => {
                    let (dir, base) = m.rsplit_once('/').unwrap_or(("", m));
                    (base.to_string(), format!("{dir}/"))
                }
            }
        } else {
            let dir = m.rsplit_once('/').map_or(String::new(), |(d, _)| format!("{d}/"));
            (m.clone(), format!("{dest}{dir}"))
        };
        match out.iter_mut().find(|(_, t)| *t == to && !src.ends_with('/')) {
            Some((srcs, _)) if !srcs.ends_with('/') => {
                srcs.push(' ');
                srcs.push_str(&src);
            }
            _ => out.push((src, to)),
        }
    }
    out
}

/// What to reorder: the whole-context COPY, the RUN that installs, and what to run first.
pub struct Plan<'a> {
    pub copy: usize,
    pub run: usize,
    /// The COPY lines for the manifests ([`copy_lines`]).
    pub lines: Vec<(String, String)>,
    /// The install to run before the whole context is there.
    pub prep: &'a str,
    /// `prep` is the install command itself (not a download step before a build).
    pub prep_is_command: bool,
}

/// The end of the line holding `offset`, after its line break.
fn line_end(text: &str, offset: usize) -> usize {
    text[offset..].find('\n').map_or(text.len(), |i| offset + i + 1)
}

/// `COPY <manifests> <dest>` and `RUN <install>` before the whole-context COPY (its flags and
/// the RUN's flags kept). The install RUN moves up when it is that command alone and nothing
/// but LABEL/EXPOSE lies between; otherwise it stays and runs after the sources arrive, with
/// the dependencies already fetched.
pub fn fix(text: &str, df: &Dockerfile, runs: &[Arc<RunAnalysis>], plan: &Plan) -> Option<Fix> {
    let copy = df.instructions.get(plan.copy)?;
    let run = df.instructions.get(plan.run)?;
    if plan.lines.is_empty() || copy.flags.iter().any(|f| f.name.eq_ignore_ascii_case("from")) || copy.words().iter().any(|w| w.has_expansions()) {
        return None;
    }
    let at = line_start(text, copy.range.start);
    let indent = &text[at..copy.range.start];
    // Above the comments that belong to the whole-context COPY.
    let at = super::move_up::lines_of(text, df, plan.copy).start;
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let newline = super::newline(text);
    let lower = copy.keyword.chars().any(|c| c.is_ascii_lowercase());
    let (copy_kw, run_kw) = if lower { ("copy", "run") } else { ("COPY", "RUN") };
    let copy_flags: String = copy.flags.iter().map(|f| format!("{} ", &text[f.range.clone()])).collect();
    let run_flags: String = run.flags.iter().map(|f| format!("{} ", &text[f.range.clone()])).collect();
    let mut inserted = String::new();
    for (src, to) in &plan.lines {
        inserted.push_str(&format!("{indent}{copy_kw} {copy_flags}{src} {to}{newline}"));
    }
    inserted.push_str(&format!("{indent}{run_kw} {run_flags}{}{newline}", plan.prep));
    let only_install = plan.prep_is_command && runs.get(plan.run).is_some_and(|r| r.commands.len() == 1);
    let between_inert = (plan.copy + 1..plan.run).all(|i| matches!(df.instructions[i].kind, Kind::Label | Kind::Expose));
    let mut edits = vec![Edit { range: at..at, text: inserted }];
    let files = plan.lines.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>().join(" ");
    let title = if only_install && between_inert && run.heredocs.is_empty() {
        let start = line_start(text, run.range.start);
        if !text[start..run.range.start].trim().is_empty() {
            return None;
        }
        edits.push(Edit { range: start..line_end(text, run.range.end), text: String::new() });
        format!("Copy {files} and run `{}` before the whole context (unsafe: the install no longer sees the other sources)", plan.prep)
    } else {
        format!(
            "Copy {files} and run `{}` first; keep the whole-context COPY after it (unsafe: that step no longer sees the other sources)",
            plan.prep
        )
    };
    Some(Fix::unsafe_(title, edits))
}
