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
use std::sync::Arc;

use rayon::prelude::*;

use super::output::{human, json, sarif, CheckedFile, Report};
use super::walk::{self, Input, InputError, Source};
use super::{CheckArgs, ColorChoice, Format};
use crate::diagnostics::diagnose;
use crate::document::Snapshot;

const UTF8_BOM: &str = "\u{feff}";

/// Stack size of the checking threads: deeply nested input must not overflow them.
const STACK_SIZE: usize = 64 * 1024 * 1024;

/// Runs the command and returns its exit status.
pub fn run(args: &CheckArgs) -> ExitCode {
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let discovery = walk::discover(&paths);
    let mut stderr = anstream::AutoStream::new(io::stderr().lock(), stream_choice(args.color, &io::stderr()));
    for warning in &discovery.warnings {
        let _ = writeln!(stderr, "{}: {}", styled_label("warning", false), warning);
    }

    let outcomes = in_pool(|| discovery.inputs.par_iter().map(check_input).collect::<Vec<_>>());
    let mut files = Vec::with_capacity(outcomes.len());
    let mut errors = discovery.errors;
    for outcome in outcomes {
        match outcome {
            Ok(file) => files.push(file),
            Err(err) => errors.push(err),
        }
    }
    for err in &errors {
        let _ = writeln!(stderr, "{}: {}", styled_label("error", true), sanitize(&err.to_string()));
    }
    let _ = stderr.flush();

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

/// Reads and checks one input. Never panics on odd input: a panic in the analysis becomes an
/// error for that file.
fn check_input(input: &Input) -> Result<CheckedFile, InputError> {
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
    let text = String::from_utf8(bytes)
        .map_err(|e| fail(format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to())))?;
    let bom = if text.starts_with(UTF8_BOM) { UTF8_BOM.len() } else { 0 };
    let analysed = std::panic::catch_unwind(|| {
        let snapshot = Snapshot::from_text(&text[bom..]);
        let diagnostics = diagnose(&snapshot);
        (snapshot.text, snapshot.lines, diagnostics)
    });
    let (text, lines, diagnostics) =
        analysed.map_err(|_| fail("internal error while checking this file (please report it)".into()))?;
    Ok(CheckedFile { path, text, lines: Arc::clone(&lines), bom, diagnostics })
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
