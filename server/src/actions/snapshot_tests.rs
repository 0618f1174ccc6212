//! The refactors as before/after text, and [`super::verify`] over every fixture.

use super::*;
use crate::document::Snapshot;

fn fixture_files() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["src/lint/rules/fixtures", "tests/fixtures/syntax", "tests/fixtures/features", "src/actions/fixtures"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        for e in entries.flatten() {
            if e.path().extension().is_some_and(|x| x == "Dockerfile") {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn fixes_and_refactors_over_every_fixture_can_be_trusted() {
    let mut problems = Vec::new();
    let (mut fixes, mut refactors) = (0, 0);
    for path in fixture_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let report = verify::verify(&name, &text);
        fixes += report.fixes;
        refactors += report.refactors;
        problems.extend(report.problems);
    }
    assert!(fixes > 100 && refactors > 10, "only {fixes} fixes and {refactors} refactors tried");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn the_findings_a_fix_may_add_are_named_in_its_docs() {
    for (rule, code) in verify::ALLOWED {
        let docs = crate::lint::rule(rule).expect("a rule").docs;
        let safety = &docs[docs.find("## Fix safety").unwrap_or_else(|| panic!("{rule} has no Fix safety section"))..];
        let named = if *code == "*" { safety.contains("other rules") } else { safety.contains(&format!("`{code}`")) };
        assert!(named, "{rule}'s Fix safety does not name `{code}`");
    }
}
