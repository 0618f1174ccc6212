//! `dockls check [PATH...]`: lint Dockerfiles from the command line.
//!
//! Files named on the command line are always checked; directories are searched for
//! Dockerfiles (see [`super::walk`]). Files are read and checked in parallel and reported in
//! path order, in one of three formats (see [`super::output`]).
//!
//! Exit status: 0 when no diagnostic is at or above `--fail-level`, 1 when one is, and 2 when a
//! path could not be checked (it does not exist, cannot be read, or is not UTF-8) or the
//! output could not be written; the other files are still checked and reported.

use std::io::{self, Read as _, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use rayon::prelude::*;

use super::output::{human, json, sarif, CheckedFile, Report};
use super::walk::{self, Input, InputError, Source};
use super::{CheckArgs, ColorChoice, Format, ShellcheckChoice};
use crate::config::{self, ConfigError};
use crate::diagnostics::diagnose_with;
use crate::document::Snapshot;
use crate::lint::LintOptions;
use crate::semantics::Semantics;
use crate::syntax::Dockerfile;

const UTF8_BOM: &str = "\u{feff}";

use crate::analysis::STACK_SIZE;

/// Runs the command and returns its exit status.
pub fn run(args: &CheckArgs) -> ExitCode {
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    if args.unsafe_fixes && !args.fix && !args.diff {
        eprintln!("error: --unsafe-fixes needs --fix or --diff");
        return ExitCode::from(2);
    }
    if args.fix && paths.iter().any(|p| p.as_os_str() == "-") {
        eprintln!("error: --fix cannot write its fixes back to standard input; check a file instead");
        return ExitCode::from(2);
    }
    let discovery = walk::discover(&paths);
    {
        // Not held while files are checked: the workers may log to stderr too.
        let mut stderr = anstream::AutoStream::new(io::stderr().lock(), stream_choice(args.color, &io::stderr()));
        for warning in &discovery.warnings {
            let _ = writeln!(stderr, "{}: {}", styled_label("warning", false), warning);
        }
    }

    // Read and parse everything first, so the base images of all files are fetched together:
    // their platforms, then their configs and vulnerabilities (after the platforms, so those
    // lookups reuse the image indexes just fetched and skip registries found dead).
    let mut prepared = in_pool(|| discovery.inputs.par_iter().map(prepare).collect::<Vec<_>>());
    let platforms = lookup_platforms(&prepared, args.offline);
    let configs = lookup_configs(&prepared, args.offline);
    let vulnerabilities = lookup_vulnerabilities(&prepared, args.offline);
    apply_lookups(&mut prepared, platforms, configs, vulnerabilities, args);
    let outcomes = in_pool(|| {
        prepared.into_par_iter().zip(discovery.inputs.par_iter()).map(|(p, i)| (check_text(i, args, p.text, &p.config, &p.options), p.config_error)).collect::<Vec<_>>()
    });
    let mut files = Vec::with_capacity(outcomes.len());
    let mut errors = discovery.errors;
    let mut config_errors: Vec<ConfigError> = Vec::new();
    // ShellCheck's scripts of every file, checked together once the files are analysed.
    let mut pending: Vec<(usize, PathBuf, crate::shellcheck::Scripts)> = Vec::new();
    let mut diffs = String::new();
    for (outcome, config_error) in outcomes {
        match outcome {
            Ok((file, scripts, diff)) => {
                diffs.push_str(&diff);
                if let Some((bin, scripts)) = scripts {
                    pending.push((files.len(), bin, scripts));
                }
                files.push(file);
            }
            Err(err) => errors.push(err),
        }
        if let Some(e) = config_error {
            if !config_errors.contains(&e) {
                config_errors.push(e);
            }
        }
    }
    shellcheck_all(&mut files, pending, !args.no_cache);
    // A broken configuration file is reported (and fails the run) but never stops checking:
    // the files under it were checked with the defaults.
    for e in config_errors {
        errors.push(InputError {
            path: Some(e.path.display().to_string()),
            message: match e.line {
                Some(l) => format!("line {l}: {} (checked with the default configuration)", e.message),
                None => format!("{} (checked with the default configuration)", e.message),
            },
        });
    }
    let mut stderr = anstream::AutoStream::new(io::stderr().lock(), stream_choice(args.color, &io::stderr()));
    for err in &errors {
        let _ = writeln!(stderr, "{}: {}", styled_label("error", true), sanitize(&err.to_string()));
    }
    let _ = stderr.flush();

    if args.diff {
        // Only the diff, as `patch -p0` and reviewers read it.
        let status = if !errors.is_empty() { 2 } else { u8::from(!diffs.is_empty()) };
        let mut out = io::stdout().lock();
        return match out.write_all(diffs.as_bytes()).and_then(|_| out.flush()) {
            Ok(()) => ExitCode::from(status),
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(status),
            Err(_) => ExitCode::from(2),
        };
    }
    let report = Report { files: &files, errors: &errors };
    let color = color_enabled(args.color);
    let written = write_report(args.format, &report, color);

    let status = if !errors.is_empty() {
        2
    } else if files.iter().flat_map(|f| &f.diagnostics).any(|d| args.fail_level.fails(d.severity)) {
        1
    } else {
        0
    };
    match written {
        Ok(()) => ExitCode::from(status),
        // The reader went away (`dockls check | head`): not worth a message.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(status),
        Err(err) => {
            let _ = writeln!(stderr, "{}: writing the report: {}", styled_label("error", true), walk::describe_io(&err));
            ExitCode::from(2)
        }
    }
}

/// ShellCheck on the scripts of all files, in one batch per binary (a configuration may name
/// its own), its diagnostics merged into each file's.
fn shellcheck_all(files: &mut [CheckedFile], pending: Vec<(usize, PathBuf, crate::shellcheck::Scripts)>, use_cache: bool) {
    let disk = use_cache.then(crate::registry::default_cache_dir).flatten().map(|d| crate::shellcheck::disk_cache_file(&d));
    let mut by_binary: Vec<(PathBuf, Vec<usize>, Vec<crate::shellcheck::Scripts>)> = Vec::new();
    for (file, bin, scripts) in pending {
        match by_binary.iter_mut().find(|(b, _, _)| *b == bin) {
            Some((_, idx, all)) => {
                idx.push(file);
                all.push(scripts);
            }
            None => by_binary.push((bin, vec![file], vec![scripts])),
        }
    }
    for (bin, idx, all) in by_binary {
        // Like each file's own analysis, a panic here must not take the report down: the files
        // are reported without ShellCheck's findings.
        let Ok(results) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| crate::shellcheck::check_many(&bin, &all, disk.as_deref()))) else {
            eprintln!("dockls: internal error while running ShellCheck (please report it); its findings are left out");
            continue;
        };
        for (file, diagnostics) in idx.into_iter().zip(results) {
            let diags = &mut files[file].diagnostics;
            diags.extend(diagnostics);
            diags.sort_by_key(|d| (d.range.start, d.range.end));
        }
    }
}

/// A checked file and, when ShellCheck is on, the binary and the scripts it still has to check.
/// A checked file, its ShellCheck scripts, and with `--diff` the unified diff of its fixes.
type Checked = (CheckedFile, Option<(PathBuf, crate::shellcheck::Scripts)>, String);

/// One input read and parsed, with its configuration, before the registries are asked.
struct Prepared {
    config: config::Config,
    config_error: Option<ConfigError>,
    options: LintOptions,
    /// The text without BOM handling, and its first analysis (reused by the first lint).
    text: Result<(String, Option<Parsed>), InputError>,
    /// Base images whose platforms to look up, when the rule is on.
    images: Vec<crate::registry::Reference>,
    /// Base images whose vulnerabilities to look up, when the rule and the lookup are on.
    vulnerable_images: Vec<crate::registry::Reference>,
    /// Base images whose configs to look up, when a rule reading them is on.
    config_images: Vec<crate::registry::Reference>,
}

type Parsed = (Snapshot, Dockerfile, Semantics);

/// Reads one input, its configuration and build context, and parses it. Never panics on odd
/// input: a panic in the analysis is left for `check_text` to report.
fn prepare(input: &Input) -> Prepared {
    // Configuration and build context: from the file's folder (the working directory for stdin).
    let (config, config_error) = match &input.source {
        Source::File(p) => config::discover(&std::path::absolute(p).unwrap_or(p.clone()).parent().map(|d| d.to_path_buf()).unwrap_or_default()),
        Source::Stdin => config::discover(&std::env::current_dir().unwrap_or_default()),
    };
    let options = match &input.source {
        Source::File(p) => config::lint_options(&std::path::absolute(p).unwrap_or(p.clone()), &config),
        Source::Stdin => config.base_lint_options(),
    };
    let mut images = Vec::new();
    let mut vulnerable_images = Vec::new();
    let mut config_images = Vec::new();
    let text = read_input(input).map(|text| {
        let body = text.strip_prefix(UTF8_BOM).unwrap_or(&text);
        let rule_on = crate::lint::rule("invalid-base-image-platform").is_some_and(|r| config.selection.is_on(r));
        let vulnerabilities_on = config.vulnerabilities_on();
        let configs_on = crate::lint::rules::IMAGE_CONFIG_RULES.iter().any(|id| crate::lint::rule(id).is_some_and(|r| config.selection.is_on(r)));
        let parsed = std::panic::catch_unwind(|| {
            let snapshot = Snapshot::from_text(body);
            let df = Dockerfile::new(&snapshot.text, &snapshot.tree);
            let sem = Semantics::analyze(&snapshot.text, &df);
            (snapshot, df, sem)
        })
        .ok();
        if let (true, Some((snapshot, df, sem))) = (rule_on || vulnerabilities_on || configs_on, &parsed) {
            let refs = crate::lint::rules::base_image_references(&snapshot.text, df, sem, &config.target_platform());
            if vulnerabilities_on {
                vulnerable_images = refs.clone();
            }
            if configs_on {
                config_images = refs.clone();
            }
            if rule_on {
                images = refs;
            }
        }
        (text, parsed)
    });
    Prepared { config, config_error, options, text, images, vulnerable_images, config_images }
}

/// Per file, what the registries answered (by reference), and the warnings to show.
type Answers<V> = (Vec<std::collections::HashMap<String, V>>, Vec<String>);

/// Groups every file's images by the settings they are looked up with (files may have
/// different mirrors or offline settings), looks each distinct image up once per group with
/// `lookup`, and hands every file the answers for its images.
fn batched<S: PartialEq, V: Clone, E>(
    prepared: &[Prepared],
    images: impl Fn(&Prepared) -> &[crate::registry::Reference],
    settings: impl Fn(&Prepared) -> S,
    lookup: impl Fn(&S, &[crate::registry::Reference]) -> Vec<Result<V, E>>,
    mut failed: impl FnMut(&crate::registry::Reference, E),
) -> Vec<std::collections::HashMap<String, V>> {
    let mut batches: Vec<(S, Vec<crate::registry::Reference>)> = Vec::new();
    let mut per_file: Vec<Option<usize>> = Vec::with_capacity(prepared.len());
    for p in prepared {
        if images(p).is_empty() {
            per_file.push(None);
            continue;
        }
        let s = settings(p);
        let batch = match batches.iter().position(|(b, _)| *b == s) {
            Some(b) => b,
            None => {
                batches.push((s, Vec::new()));
                batches.len() - 1
            }
        };
        batches[batch].1.extend(images(p).iter().cloned());
        per_file.push(Some(batch));
    }
    let mut answers: Vec<std::collections::HashMap<String, V>> = Vec::new();
    for (s, refs) in &batches {
        let refs = crate::registry::distinct(refs.iter().cloned());
        let mut found = std::collections::HashMap::new();
        for (r, result) in refs.iter().zip(lookup(s, &refs)) {
            match result {
                Ok(v) => {
                    found.insert(r.to_string(), v);
                }
                Err(e) => failed(r, e),
            }
        }
        answers.push(found);
    }
    prepared
        .iter()
        .zip(per_file)
        .map(|(p, batch)| {
            let Some(batch) = batch else { return Default::default() };
            images(p).iter().filter_map(|r| Some((r.to_string(), answers[batch].get(&r.to_string())?.clone()))).collect()
        })
        .collect()
}

/// Looks up the platforms of every file's base images (each distinct image once, a few at a
/// time, each request with a timeout). Registries that cannot be reached are reported once;
/// the run goes on without their answers.
fn lookup_platforms(prepared: &[Prepared], offline: bool) -> Answers<Vec<crate::registry::Platform>> {
    let registry = crate::registry::Registry::shared();
    let mut warnings: Vec<String> = Vec::new();
    let answers = batched(
        prepared,
        |p| &p.images,
        |p| {
            let mut settings = p.config.registry_settings();
            settings.offline |= offline;
            settings
        },
        |settings, refs| registry.platforms_many(settings, refs),
        |r, e| match e {
            crate::registry::Error::Offline => {}
            crate::registry::Error::Unreachable { host, message } => {
                if !warnings.iter().any(|x| x.starts_with(&format!("registry {host} "))) {
                    warnings.push(format!("registry {host} unreachable ({message}): base image platforms not checked"));
                }
            }
            e => warnings.push(format!("cannot look up the platforms of `{r}`: {e}")),
        },
    );
    (answers, warnings)
}

/// Looks up what every file's base images are (their configs: user, environment, working
/// directory, exposed ports, for the rules that read them), like [`lookup_platforms`]: from the
/// disk cache when fresh, else from their registries (a stale answer when those fail). A
/// missing image is not reported here: the platform lookup says so.
fn lookup_configs(prepared: &[Prepared], offline: bool) -> Answers<crate::registry::ImageInfo> {
    let registry = crate::registry::Registry::shared();
    let mut warnings: Vec<String> = Vec::new();
    let answers = batched(
        prepared,
        |p| &p.config_images,
        |p| {
            let mut settings = p.config.registry_settings();
            settings.offline |= offline;
            settings
        },
        |settings, refs| registry.images_many(settings, refs),
        |r, e| match e {
            crate::registry::Error::Offline | crate::registry::Error::NotFound(_) => {}
            crate::registry::Error::Unreachable { host, message } => {
                if !warnings.iter().any(|x| x.starts_with(&format!("registry {host} "))) {
                    warnings.push(format!("registry {host} unreachable ({message}): base image configs not checked"));
                }
            }
            e => warnings.push(format!("cannot look up the config of `{r}`: {e}")),
        },
    );
    (answers, warnings)
}

/// Looks up the known vulnerabilities of every file's base images (the SBOM from the
/// registry, advisories from OSV), like [`lookup_platforms`]. A missing image is not reported
/// here: the platform lookup says so.
fn lookup_vulnerabilities(prepared: &[Prepared], offline: bool) -> Answers<std::sync::Arc<crate::vulns::ImageVulnerabilities>> {
    let scanner = crate::vulns::Scanner::shared();
    let mut warnings: Vec<String> = Vec::new();
    let answers = batched(
        prepared,
        |p| &p.vulnerable_images,
        |p| {
            let mut settings = p.config.vulnerability_settings();
            settings.registry.offline |= offline;
            settings
        },
        |settings, refs| scanner.scan_many(settings, refs),
        |r, e| {
            let (kind, message) = match &e {
                crate::vulns::Error::Offline | crate::vulns::Error::Registry(crate::registry::Error::NotFound(_)) => return,
                crate::vulns::Error::Registry(crate::registry::Error::Unreachable { message, .. }) => ("registry", message),
                crate::vulns::Error::OsvUnreachable { message, .. } => ("OSV", message),
                e => return warnings.push(format!("cannot look up the vulnerabilities of `{r}`: {e}")),
            };
            let host = e.unreachable_host().unwrap_or_default();
            if !warnings.iter().any(|x| x.starts_with(&format!("{kind} {host} "))) {
                warnings.push(format!("{kind} {host} unreachable ({message}): base image vulnerabilities not checked"));
            }
        },
    );
    (answers, warnings)
}

/// Puts the answers in the files' lint options and shows the warnings (a registry that is
/// down is named once, not once per lookup).
fn apply_lookups(
    prepared: &mut [Prepared],
    (platforms, platform_warnings): Answers<Vec<crate::registry::Platform>>,
    (configs, config_warnings): Answers<crate::registry::ImageInfo>,
    (vulnerabilities, vulnerability_warnings): Answers<std::sync::Arc<crate::vulns::ImageVulnerabilities>>,
    args: &CheckArgs,
) {
    for (p, found) in prepared.iter_mut().zip(platforms) {
        p.options.image_platforms = found;
    }
    for (p, found) in prepared.iter_mut().zip(configs) {
        let target = p.config.target_platform();
        p.options.image_configs = found.into_iter().filter_map(|(r, info)| Some((r, info.for_platform(&target)?.config.clone()))).collect();
    }
    for (p, found) in prepared.iter_mut().zip(vulnerabilities) {
        p.options.image_vulnerabilities = found;
    }
    let warnings = merge_unreachable([platform_warnings, config_warnings, vulnerability_warnings].concat());
    if !warnings.is_empty() {
        let mut stderr = anstream::AutoStream::new(io::stderr().lock(), stream_choice(args.color, &io::stderr()));
        for w in warnings {
            let _ = writeln!(stderr, "{}: {}", styled_label("warning", false), sanitize(&w));
        }
    }
}

/// One line per dead registry, naming every lookup it cost (`registry H unreachable (…): base
/// image platforms, configs and vulnerabilities not checked`); other warnings as they are.
fn merge_unreachable(warnings: Vec<String>) -> Vec<String> {
    const TAIL: &str = " not checked";
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for w in warnings {
        let split = w.strip_prefix("registry ").and_then(|r| r.split(' ').next()).zip(w.rsplit_once(": base image "));
        let Some((host, (head, what))) = split.and_then(|(h, s)| Some((h, (s.0, s.1.strip_suffix(TAIL)?)))) else {
            out.push((w, Vec::new()));
            continue;
        };
        let prefix = format!("registry {host} ");
        match out.iter_mut().find(|(line, whats)| !whats.is_empty() && line.starts_with(&prefix)) {
            Some((_, whats)) if whats.iter().any(|x| x == what) => {}
            Some((_, whats)) => whats.push(what.to_string()),
            None => out.push((head.to_string(), vec![what.to_string()])),
        }
    }
    out.into_iter()
        .map(|(line, whats)| match whats.split_last() {
            None => line,
            Some((last, [])) => format!("{line}: base image {last}{TAIL}"),
            Some((last, rest)) => format!("{line}: base image {} and {last}{TAIL}", rest.join(", ")),
        })
        .collect()
}

pub(crate) fn read_input(input: &Input) -> Result<String, InputError> {
    let path = input.display();
    let fail = |message: String| InputError { path: Some(path.clone()), message };
    let bytes = match &input.source {
        Source::File(p) => std::fs::read(p).map_err(|e| fail(walk::describe_io(&e)))?,
        Source::Stdin => {
            let mut buf = Vec::new();
            io::stdin().lock().read_to_end(&mut buf).map_err(|e| fail(walk::describe_io(&e)))?;
            buf
        }
    };
    String::from_utf8(bytes).map_err(|e| fail(format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to())))
}

/// The ShellCheck binary to use for this run, if any.
fn shellcheck_binary(args: &CheckArgs, config: &config::Config) -> Option<PathBuf> {
    let wanted = match args.shellcheck {
        ShellcheckChoice::Never => false,
        ShellcheckChoice::Always => true,
        ShellcheckChoice::Auto => config.shellcheck_enabled.unwrap_or(true),
    };
    if !wanted {
        return None;
    }
    let found = crate::shellcheck::locate(config.shellcheck_path.as_deref());
    // Asked for explicitly (flag or configuration) but missing: say so once. In `auto` mode
    // a missing ShellCheck is simply skipped.
    if found.is_none() && (args.shellcheck == ShellcheckChoice::Always || config.shellcheck_enabled == Some(true)) {
        crate::shellcheck::log_missing_once();
    }
    found
}

/// Diagnostics of one text (syntax and rules) and, when `shellcheck`, its scripts for
/// ShellCheck (run later for all files at once; its findings have no fixes, so `--fix` does
/// not need them).
fn diagnose_text(text: &str, parsed: Option<Parsed>, config: &config::Config, options: &LintOptions, shellcheck: bool) -> (Snapshot, Vec<crate::diagnostics::Diagnostic>, Option<crate::shellcheck::Scripts>) {
    let (snapshot, df, sem) = parsed.unwrap_or_else(|| {
        let snapshot = Snapshot::from_text(text);
        let df = Dockerfile::new(&snapshot.text, &snapshot.tree);
        let sem = Semantics::analyze(&snapshot.text, &df);
        (snapshot, df, sem)
    });
    let diagnostics = diagnose_with(&snapshot.text, &df, &sem, options, &config.selection);
    let scripts = shellcheck.then(|| crate::shellcheck::Scripts::collect(&snapshot.text, &df, &sem));
    (snapshot, diagnostics, scripts)
}

fn check_text(input: &Input, args: &CheckArgs, text: Result<(String, Option<Parsed>), InputError>, config: &config::Config, options: &LintOptions) -> Result<Checked, InputError> {
    let path = input.display();
    let fail = |message: String| InputError { path: Some(path.clone()), message };
    let (text, parsed) = text?;
    let bom = if text.starts_with(UTF8_BOM) { UTF8_BOM.len() } else { 0 };
    let shellcheck = shellcheck_binary(args, config);
    let analysed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut current = text[bom..].to_string();
        let (mut snapshot, mut diagnostics, mut scripts) = diagnose_text(&current, parsed, config, options, shellcheck.is_some());
        if args.fix || args.diff {
            // Apply fixes until nothing changes (a fix can reveal another), a few rounds at most.
            for _ in 0..10 {
                let edits = crate::actions::fixes_to_apply(&diagnostics, args.unsafe_fixes);
                if edits.is_empty() {
                    break;
                }
                current = crate::actions::apply(&current, &edits);
                (snapshot, diagnostics, scripts) = diagnose_text(&current, None, config, options, shellcheck.is_some());
            }
        }
        (snapshot.text, snapshot.lines, diagnostics, current, scripts)
    }));
    let (fixed_text, lines, diagnostics, current, scripts) =
        analysed.map_err(|_| fail("internal error while checking this file (please report it)".into()))?;
    let diff = if args.diff && current != text[bom..] { unified_diff(&path, &text[bom..], &current) } else { String::new() };
    if args.fix && !args.diff && current != text[bom..] {
        if let Source::File(p) = &input.source {
            std::fs::write(p, format!("{}{}", &text[..bom], current)).map_err(|e| fail(format!("writing fixes: {}", walk::describe_io(&e))))?;
        }
    }
    let text = fixed_text;
    Ok((CheckedFile { path, text, lines, bom, diagnostics }, shellcheck.zip(scripts), diff))
}

/// The unified diff from `before` to `after`, headed `a/<path>` and `b/<path>`.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after).unified_diff().context_radius(3).header(&format!("a/{path}"), &format!("b/{path}")).to_string()
}

/// Runs `f` on a thread pool with large stacks (falling back to the global pool).
fn in_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    match rayon::ThreadPoolBuilder::new().stack_size(STACK_SIZE).thread_name(|i| format!("dockls-check-{i}")).build() {
        Ok(pool) => pool.install(f),
        Err(_) => f(),
    }
}

fn write_report(format: Format, report: &Report<'_>, color: bool) -> io::Result<()> {
    match format {
        Format::Human => {
            let rendered: Vec<String> = in_pool(|| report.files.par_iter().map(|f| human::render_file(f, color)).collect());
            let choice = if color { anstream::ColorChoice::Always } else { anstream::ColorChoice::Never };
            let mut out = io::BufWriter::new(anstream::AutoStream::new(io::stdout().lock(), choice));
            for text in &rendered {
                out.write_all(text.as_bytes())?;
            }
            writeln!(out, "{}", human::summary_line(&report.summary(), color))?;
            out.flush()
        }
        Format::Json => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            json::write(&mut out, report)?;
            out.flush()
        }
        Format::Sarif => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            sarif::write(&mut out, report)?;
            out.flush()
        }
    }
}

/// Whether the human output on stdout is coloured.
fn color_enabled(choice: ColorChoice) -> bool {
    stream_choice(choice, &io::stdout()) != anstream::ColorChoice::Never
}

/// The colour choice for a stream: `--color`, or for `auto` whether the stream is a terminal
/// (and `NO_COLOR`, `CLICOLOR`, `CLICOLOR_FORCE` allow it). Never `Auto`.
fn stream_choice<S: anstream::stream::RawStream>(choice: ColorChoice, stream: &S) -> anstream::ColorChoice {
    match choice {
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
        ColorChoice::Auto => match anstream::AutoStream::choice(stream) {
            anstream::ColorChoice::Auto => anstream::ColorChoice::Never,
            c => c,
        },
    }
}

/// `error` / `warning` in bold colour (stripped by the stream when colour is off).
fn styled_label(label: &str, error: bool) -> String {
    let style = if error {
        annotate_snippets::renderer::DEFAULT_ERROR_STYLE
    } else {
        annotate_snippets::renderer::DEFAULT_WARNING_STYLE
    };
    format!("{style}{label}{style:#}")
}

/// Control characters from paths or messages shown as visible symbols, not sent to the terminal.
fn sanitize(text: &str) -> String {
    annotate_snippets::normalize_untrusted_str(text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_line_per_dead_registry_naming_every_lookup() {
        let w = |s: &str| s.to_string();
        let merged = super::merge_unreachable(vec![
            w("registry a:1 unreachable (refused): base image platforms not checked"),
            w("cannot look up the config of `b:1/x`: bad"),
            w("registry a:1 unreachable (skipped after an earlier failure): base image configs not checked"),
            w("registry c unreachable (timeout): base image configs not checked"),
            w("registry a:1 unreachable (refused): base image vulnerabilities not checked"),
            w("OSV o unreachable (timeout): base image vulnerabilities not checked"),
        ]);
        assert_eq!(
            merged,
            [
                "registry a:1 unreachable (refused): base image platforms, configs and vulnerabilities not checked",
                "cannot look up the config of `b:1/x`: bad",
                "registry c unreachable (timeout): base image configs not checked",
                "OSV o unreachable (timeout): base image vulnerabilities not checked",
            ]
        );
    }
}
