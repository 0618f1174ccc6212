use std::path::{Path, PathBuf};

use super::meaning::same_meaning;
use super::*;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/format")
}

/// Every format fixture, formatted with the default options: the snapshot shows the result,
/// with `⏎` marking a CRLF so that it shows in review.
#[test]
fn snapshots() {
    let mut names: Vec<PathBuf> = std::fs::read_dir(fixtures_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    assert!(names.len() >= 8);
    for path in names {
        let text = std::fs::read_to_string(&path).unwrap();
        let out = format_text(&text, &Options::default());
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        insta::assert_snapshot!(name, out.replace("\r\n", "⏎\n"));
    }
}

#[test]
fn trailing_operators_tabs_and_width() {
    let text = "FROM alpine\nRUN apk update && apk add --no-cache curl git make gcc && echo done\n";
    let o = Options { tabs: true, operators: OperatorPlacement::Trailing, line_width: 40, ..Options::default() };
    insta::assert_snapshot!(format_text(text, &o), @r"
    FROM alpine
    RUN apk update && \
    	apk add --no-cache \
    		curl \
    		git \
    		make \
    		gcc && \
    	echo done
    ");
}

#[test]
fn range_formats_only_the_instructions_it_touches() {
    let text = "from a\nrun   x\nrun   y\n";
    let tree = crate::document::parse(text);
    let df = Dockerfile::new(text, &tree);
    let start = text.find("run   y").unwrap();
    let edits = format_range(text, &df, &Options::default(), start..start + 2);
    assert_eq!(apply(text, &edits), "from a\nrun   x\nRUN y\n");
}

#[test]
fn edits_are_minimal() {
    let text = "FROM alpine\nrun echo  hi\n";
    let tree = crate::document::parse(text);
    let df = Dockerfile::new(text, &tree);
    let edits = format(text, &df, &Options::default());
    assert_eq!(edits, vec![Edit { range: 12..15, text: "RUN".into() }, Edit { range: 20..22, text: " ".into() }]);
}

#[test]
fn a_broken_rewrite_of_a_run_is_refused() {
    // `a\` + line break + `b` is one word to the shell: a continuation there is no gap.
    let text = "FROM alpine\nRUN echo a\\\nb && echo c\n";
    let out = format_text(text, &Options::default());
    same_meaning(text, &out).unwrap();
}

/// Every Dockerfile fixture of the project, formatted: a second pass changes nothing and the
/// result means the same (instructions, flags, values; RUN bodies' shell trees).
#[test]
fn every_fixture_keeps_its_meaning_and_formats_once() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    for dir in [root.join("server"), root.join("tests")] {
        collect(&dir, &mut files);
    }
    assert!(files.len() > 150, "found {} fixtures", files.len());
    for o in [Options::default(), Options { operators: OperatorPlacement::Trailing, line_width: 30, tabs: true, ..Options::default() }] {
        for f in &files {
            let Ok(text) = std::fs::read_to_string(f) else { continue };
            let once = format_text(&text, &o);
            let twice = format_text(&once, &o);
            assert_eq!(once, twice, "{} is not formatted in one pass", f.display());
            if let Err(e) = same_meaning(&text, &once) {
                panic!("{}: {e}\n{once}", f.display());
            }
        }
    }
}

pub(super) fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        if p.is_dir() {
            if name != "target" && name != "snapshots" && !name.starts_with('.') {
                collect(&p, out);
            }
        } else if name.contains("Dockerfile") || name.ends_with(".dockerfile") {
            out.push(p);
        }
    }
}

#[test]
fn options_from_editorconfig_then_dockls_toml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".editorconfig"), "root = true\n[*]\nindent_style = space\nindent_size = 2\nmax_line_length = 100\n[Dockerfile]\nindent_style = tab\n").unwrap();
    let path = dir.path().join("Dockerfile");
    let o = Options::for_file(&path, &FormatConfig::default());
    assert_eq!((o.tabs, o.indent_size, o.line_width), (true, 2, 100));
    let other = Options::for_file(&dir.path().join("app.Dockerfile"), &FormatConfig::default());
    assert_eq!((other.tabs, other.indent_size), (false, 2));

    std::fs::write(dir.path().join(".dockls.toml"), "[format]\nindent = 3\noperators = \"trailing\"\nline-width = 60\n").unwrap();
    let (config, error) = crate::config::discover(dir.path());
    assert!(error.is_none(), "{error:?}");
    let o = Options::for_file(&path, &config.format);
    assert_eq!((o.tabs, o.indent_size, o.line_width, o.operators), (false, 3, 60, OperatorPlacement::Trailing));

    let bad = crate::config::parse_dockls_toml("[format]\nindent = \"wide\"\n", Path::new(".dockls.toml")).unwrap_err();
    assert_eq!(bad.line, Some(2));
}

#[test]
fn compound_commands_with_trailing_operators_and_tabs() {
    let text = "FROM alpine\nRUN if [ -f /a ]; then rm /a && echo gone; fi && for x in 1 2; do echo $x; done\n";
    let o = Options { tabs: true, operators: OperatorPlacement::Trailing, ..Options::default() };
    insta::assert_snapshot!(format_text(text, &o), @r"
    FROM alpine
    RUN if [ -f /a ]; then \
    		rm /a && \
    		echo gone; \
    	fi && \
    	for x in 1 2; do \
    		echo $x; \
    	done
    ");
}

/// Empty and comment lines inside a RUN's continuations stay where they are, the body left
/// whole: even where they fall inside a quoted string and the rest could be laid out.
#[test]
fn bodies_with_dropped_lines_are_left_whole() {
    for text in [
        "FROM a\nRUN echo \"a \\\n# c\nb\" &&   ls\n",
        "FROM a\nRUN apt-get install -y \\\n    curl \\\n\n    git && make\n",
        "FROM a\r\nRUN apt-get install -y \\\r\n  # git \\\r\n    curl && make\r\n",
    ] {
        assert_eq!(format_text(text, &Options::default()), text);
    }
    // Without the dropped line, the same body is laid out.
    let text = "FROM a\nRUN echo \"a \\\nb\" &&   ls\n";
    assert_eq!(format_text(text, &Options::default()), "FROM a\nRUN echo \"a \\\nb\" \\\n    && ls\n");
}
