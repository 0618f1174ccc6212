use super::*;


#[test]
fn cuts_only_where_nothing_before_reaches_past() {
    let text = "ARG V=1\nFROM a AS one\nRUN make \\\n# a comment in the continuation\n\nFROM b\nRUN x\n\n# c\nFROM c AS three\nFROM d\nCOPY <<EOF /x\nFROM e\nEOF\nFROM f\n";
    let cuts: Vec<&str> = all_cuts(text).into_iter().map(|at| text[at..].lines().next().unwrap()).collect();
    // Not `FROM b` (a continuation). `FROM e` is in a heredoc's body: the parse refuses it.
    assert_eq!(cuts, ["FROM a AS one", "FROM c AS three", "FROM d", "FROM e", "FROM f"]);
    let accepted: Vec<&str> =
        all_cuts(text).into_iter().filter(|&at| parse_halves(text, at).is_some()).map(|at| text[at..].lines().next().unwrap()).collect();
    assert_eq!(accepted, ["FROM a AS one", "FROM c AS three", "FROM d", "FROM f"]);
    assert!(all_cuts("# escape=`\nFROM a\nFROM b\n").is_empty());
    assert!(all_cuts("FROM a\rRUN x\nFROM b\n").is_empty());
    assert_eq!(all_cuts("FROM a\r\nRUN x\r\nFROM b\r\n"), [15]);
}

/// A `FROM` line in a heredoc's body is the body's: the first half would end inside it. Two
/// heredocs on one line, a stripped-tab terminator and a quoted delimiter as well.
#[test]
fn a_cut_inside_a_heredoc_body_is_refused() {
    for text in [
        "FROM a\nRUN cat <<EOF > /Dockerfile\nFROM b\nEOF\nFROM c\n",
        "FROM a\nCOPY <<one <<two /x/\n1\none\nFROM b\ntwo\nFROM c\n",
        "FROM a\nRUN <<-END\n\tFROM b\n\tEND\nFROM c\n",
        "FROM a\nRUN <<\"EOF\" sh\nFROM b\nEOF\nFROM c\n",
    ] {
        let b = text.find("FROM b").unwrap();
        let c = text.find("FROM c").unwrap();
        // `FROM b` is only a cut where it starts a line (not in `\tFROM b`).
        if text.as_bytes()[b - 1] == b'\n' {
            assert!(parse_halves(text, b).is_none(), "{text:?}");
        }
        assert!(parse_halves(text, c).is_some(), "{text:?}");
        assert_eq!(verify_cut(text, c), Ok(true), "{text:?}");
    }
}

#[test]
fn a_cut_with_an_error_on_either_side_is_refused() {
    for text in ["FROM a\nfoo bar baz\nFROM b\n", "FROM a\nFROM b\nfoo bar baz\n"] {
        assert!(crate::document::parse(text).root_node().has_error(), "{text:?}");
        assert!(parse_halves(text, 7 + text[7..].find("FROM").unwrap()).is_none(), "{text:?}");
    }
    assert!(parse_halves("FROM a\nRUN x\nFROM b\n", 13).is_some());
}

#[path = "../../../../tests/src/synth.rs"]
#[allow(dead_code, clippy::duplicate_mod)] // the generator is shared with the benchmarks (and the memo tests)
mod synth;

/// Every Dockerfile under `dir`, recursively.
fn files(dir: &std::path::Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.to_string_lossy().contains("Dockerfile") {
            out.extend(std::fs::read_to_string(&path).ok());
        }
    }
}

/// Every cut of both generated shapes and of the fixtures: the two trees' nodes are the
/// whole tree's, and so is the model.
#[test]
fn halves_hold_the_nodes_of_the_whole_tree() {
    let mut texts = vec![synth::dockerfile(300), synth::run_dense(300)];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    files(&root.join("tests/fixtures"), &mut texts);
    files(&root.join("src/lint/rules/fixtures"), &mut texts);
    let mut checked = 0;
    for text in &texts {
        for at in all_cuts(text) {
            if verify_cut(text, at).unwrap_or_else(|e| panic!("{e}\n{text}")) {
                let (_, halves) = parse_halves(text, at).unwrap();
                let whole = crate::document::parse(text);
                assert_eq!(
                    model(&crate::syntax::Dockerfile::from_parts(text, &halves)),
                    model(&crate::syntax::Dockerfile::new(text, &whole))
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 200, "only {checked} cuts checked");
}

/// The typed model without its lazily filled look-up tables.
fn model(df: &crate::syntax::Dockerfile) -> String {
    let mut extras: Vec<_> = df.extras.iter().map(|(i, e)| format!("{i}:{e:?}")).collect();
    extras.sort();
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{extras:?}",
        df.directives, df.instructions, df.stages, df.comments, df.errors, df.escape, df.tops
    )
}

fn all_nodes(tree: &Tree) -> String {
    describe(tree.root_node())
}

/// A large document opened in halves: the model is the whole tree's, the whole tree comes
/// (made on another thread, as the server does after the first publish, or on demand), and
/// edits after it give a fresh open's tree and model.
#[test]
fn a_document_opened_in_halves_edits_like_one_opened_whole() {
    use crate::document::{Change, Document, PositionEncoding, TextPosition};
    let text = synth::run_dense(1200);
    assert!(text.len() >= SPLIT_FROM);
    for made_before_the_edit in [false, true] {
        let mut doc = Document::new(&text, 1);
        let snap = doc.snapshot();
        assert!(snap.tree.halves().is_some(), "opened in halves");
        let opened = crate::analysis::Analysis::new(snap.clone());
        let fresh = crate::analysis::Analysis::new(crate::document::Snapshot::from_text(&text));
        assert_eq!(model(&opened.dockerfile), model(&fresh.dockerfile));
        if made_before_the_edit {
            let tree = snap.tree.clone();
            std::thread::spawn(move || {
                tree.get();
            })
            .join()
            .unwrap();
            assert!(snap.tree.is_whole() && snap.tree.halves().is_none());
            assert_eq!(all_nodes(&snap.tree), all_nodes(&crate::document::parse(&text)));
        }
        // An edit in each half and one at the cut.
        let mut previous = opened;
        let mut expected = text.clone();
        let at = cut_near_middle(&text).unwrap();
        let cut_line = text[..at].matches('\n').count() as u32;
        for (i, (line, new)) in [(3u32, "# one\n"), (cut_line, "RUN true\n"), (cut_line + 200, "EXPOSE 1\n")].into_iter().enumerate() {
            let p = TextPosition { line, character: 0 };
            let offset = crate::document::LineIndex::new(&expected).offset(&expected, p, PositionEncoding::Utf8);
            expected.insert_str(offset, new);
            doc.apply_changes(&[Change { range: Some((p, p)), text: new.into() }], i as i32 + 2, PositionEncoding::Utf8);
            let snap = doc.snapshot();
            assert_eq!(&*snap.text, expected.as_str());
            assert_eq!(all_nodes(&snap.tree), all_nodes(&crate::document::parse(&expected)));
            let edited = crate::analysis::Analysis::new_reusing(snap, previous);
            let fresh = crate::analysis::Analysis::new(crate::document::Snapshot::from_text(&expected));
            assert_eq!(model(&edited.dockerfile), model(&fresh.dockerfile));
            previous = edited;
        }
    }
}
