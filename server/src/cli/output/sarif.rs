//! SARIF 2.1.0 output (`--format sarif`), for code-scanning services.
//!
//! One run, with the tool `dockls` and one rule per diagnostic code that occurs. Each result
//! has its rule, level (`error`, `warning`, or `note` for info and hint diagnostics), message
//! and one location: the file's URI (a relative path stays relative, percent-encoded; an
//! absolute path becomes a `file://` URI) and the region, with 1-based lines and columns
//! counted in UTF-16 code units (`columnKind` is `utf16CodeUnits`), plus the byte offset and
//! length in the file as stored. Related places are `relatedLocations`. Paths that could not be
//! checked are tool execution notifications, and make `executionSuccessful` false.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::ops::Range;

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_sarif::sarif;

use crate::diagnostics::Severity;
use crate::document::PositionEncoding;

use super::{CheckedFile, Positioner, Report};

/// Characters escaped in URIs made from paths (besides controls and non-ASCII).
const URI_ESCAPES: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A URI reference for a displayed path: relative paths stay relative; absolute ones become
/// `file://` URIs. A relative path whose first segment has a `:` gets `./` in front, or it
/// would read as a URI scheme (`x:app.Dockerfile`).
pub fn path_uri(path: &str) -> String {
    let slashed = path.replace('\\', "/");
    let encoded = utf8_percent_encode(&slashed, URI_ESCAPES).to_string();
    if slashed.starts_with('/') {
        format!("file://{encoded}")
    } else if slashed.as_bytes().get(1) == Some(&b':') && slashed.as_bytes()[0].is_ascii_alphabetic() && (slashed.len() == 2 || slashed.as_bytes()[2] == b'/') {
        format!("file:///{encoded}")
    } else if encoded.split('/').next().is_some_and(|first| first.contains(':')) {
        format!("./{encoded}")
    } else {
        encoded
    }
}

/// The base that relative paths are written against (SARIF 2.1.0 §3.4.4: a relative `uri`
/// should name its `uriBaseId`; GitHub code scanning reads `%SRCROOT%`).
const SRCROOT: &str = "%SRCROOT%";

fn artifact(path: &str) -> sarif::ArtifactLocation {
    let uri = path_uri(path);
    if uri.starts_with("file:") {
        sarif::ArtifactLocation::builder().uri(uri).build()
    } else {
        sarif::ArtifactLocation::builder().uri(uri).uri_base_id(SRCROOT).build()
    }
}

/// `%SRCROOT%` as the directory `check` ran in, when it is known.
fn original_uri_base_ids() -> Option<std::collections::BTreeMap<String, sarif::ArtifactLocation>> {
    let cwd = std::env::current_dir().ok()?;
    let mut root = path_uri(cwd.to_str()?);
    if !root.starts_with("file:") {
        return None;
    }
    if !root.ends_with('/') {
        root.push('/');
    }
    Some([(SRCROOT.to_string(), sarif::ArtifactLocation::builder().uri(root).build())].into())
}

fn level(s: Severity) -> sarif::ResultLevel {
    match s {
        Severity::Error => sarif::ResultLevel::Error,
        Severity::Warning => sarif::ResultLevel::Warning,
        Severity::Info | Severity::Hint => sarif::ResultLevel::Note,
    }
}

/// `unknown-instruction` → `Unknown instruction`.
fn describe_code(code: &str) -> String {
    let words = code.replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Converts ranges in increasing order (see [`Positioner`]).
struct Regions<'a> {
    file: &'a CheckedFile,
    starts: Positioner<'a>,
    ends: Positioner<'a>,
}

impl<'a> Regions<'a> {
    fn new(file: &'a CheckedFile) -> Self {
        let enc = PositionEncoding::Utf16;
        Regions { file, starts: Positioner::new(file, enc), ends: Positioner::new(file, enc) }
    }

    fn region(&mut self, r: &Range<usize>) -> sarif::Region {
        let file = self.file;
        let r = file.clamp(r);
        let start = self.starts.position(r.start);
        let end = self.ends.position(r.end);
        sarif::Region::builder()
            .start_line(i64::from(start.line) + 1)
            .start_column(i64::from(start.character) + 1)
            .end_line(i64::from(end.line) + 1)
            .end_column(i64::from(end.character) + 1)
            .byte_offset((r.start + file.bom) as i64)
            .byte_length((r.end - r.start) as i64)
            .build()
    }
}

fn location(path: &str, region: sarif::Region) -> sarif::Location {
    sarif::Location::builder()
        .physical_location(
            sarif::PhysicalLocation::builder()
                .artifact_location(artifact(path))
                .region(region)
                .build(),
        )
        .build()
}

/// The SARIF log for `report`.
pub fn log(report: &Report<'_>) -> sarif::Sarif {
    // Rules: one per code seen, sorted by code; results refer to them by index.
    let codes: BTreeMap<&'static str, i64> = {
        let mut set: Vec<&'static str> =
            report.files.iter().flat_map(|f| f.diagnostics.iter().map(|d| d.code)).collect();
        set.sort_unstable();
        set.dedup();
        set.into_iter().enumerate().map(|(i, c)| (c, i as i64)).collect()
    };
    let rules: Vec<sarif::ReportingDescriptor> = codes
        .keys()
        .map(|code| {
            sarif::ReportingDescriptor::builder()
                .id(*code)
                .name(*code)
                .short_description(sarif::MultiformatMessageString::builder().text(describe_code(code)).build())
                .build()
        })
        .collect();

    let mut results = Vec::new();
    for file in report.files {
        let path = file.path.as_str();
        let mut regions = Regions::new(file);
        let mut related_regions = Regions::new(file);
        for d in &file.diagnostics {
            let mut result = sarif::Result::builder()
                .rule_id(d.code)
                .rule_index(codes[d.code])
                .level(level(d.severity))
                .message(sarif::Message::from(&*d.message))
                .locations(vec![location(path, regions.region(&d.range))])
                .build();
            if !d.related.is_empty() {
                result.related_locations = Some(
                    d.related
                        .iter()
                        .enumerate()
                        .map(|(i, (r, message))| {
                            let mut loc = location(path, related_regions.region(r));
                            loc.id = Some(i as i64);
                            loc.message = Some(sarif::Message::from(message.as_str()));
                            loc
                        })
                        .collect(),
                );
            }
            results.push(result);
        }
    }

    let notifications: Vec<sarif::Notification> = report
        .errors
        .iter()
        .map(|e| {
            let mut n = sarif::Notification::builder()
                .message(sarif::Message::from(e.to_string().as_str()))
                .level(serde_json::json!("error"))
                .build();
            if let Some(path) = &e.path {
                n.locations = Some(vec![sarif::Location::builder()
                    .physical_location(
                        sarif::PhysicalLocation::builder()
                            .artifact_location(artifact(path))
                            .build(),
                    )
                    .build()]);
            }
            n
        })
        .collect();
    let mut invocation = sarif::Invocation::builder().execution_successful(report.errors.is_empty()).build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }

    let driver = sarif::ToolComponent::builder()
        .name("dockls")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(env!("CARGO_PKG_REPOSITORY"))
        .rules(rules)
        .build();
    let mut run = sarif::Run::builder()
        .tool(sarif::Tool::from(driver))
        .results(results)
        .invocations(vec![invocation])
        .column_kind(serde_json::json!("utf16CodeUnits"))
        .build();
    run.original_uri_base_ids = original_uri_base_ids();
    sarif::Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json")
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// Writes the SARIF log for `report`, pretty-printed, followed by a newline.
pub fn write(out: &mut impl Write, report: &Report<'_>) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(report))?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(path_uri("Dockerfile"), "Dockerfile");
        assert_eq!(path_uri("my dir/app.Dockerfile"), "my%20dir/app.Dockerfile");
        assert_eq!(path_uri("/abs/Dockerfile#1"), "file:///abs/Dockerfile%231");
        assert_eq!(path_uri("C:\\x\\Dockerfile"), "file:///C:/x/Dockerfile");
        assert_eq!(path_uri("é/Dockerfile"), "%C3%A9/Dockerfile");
        // Not a scheme, not a drive.
        assert_eq!(path_uri("x:app.Dockerfile"), "./x:app.Dockerfile");
        assert_eq!(path_uri("ci/x:app.Dockerfile"), "ci/x:app.Dockerfile");
        assert_eq!(path_uri("C:/x/Dockerfile"), "file:///C:/x/Dockerfile");
    }

    #[test]
    fn code_descriptions() {
        assert_eq!(describe_code("unknown-instruction"), "Unknown instruction");
    }
}
