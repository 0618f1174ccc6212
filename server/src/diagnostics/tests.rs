//! Syntax diagnostics rendered as annotated source and snapshotted.

use crate::document::Snapshot;

fn check(text: &str) -> String {
    let snap = Snapshot::from_text(text);
    let df = crate::syntax::Dockerfile::new(&snap.text, &snap.tree);
    super::render_annotated(text, &super::diagnose_model(text, &df))
}

#[test]
fn syntax_diagnostics() {
    insta::assert_snapshot!(check(include_str!("../../tests/fixtures/syntax/errors.Dockerfile")));
}

#[test]
fn valid_modern_dockerfile_is_clean() {
    let text = include_str!("../../tests/fixtures/syntax/modern.Dockerfile");
    assert_eq!(check(text), "");
    // Nor do the best-practice rules warn about it.
    let all = super::diagnose(&Snapshot::from_text(text));
    let loud: Vec<_> = all.into_iter().filter(|d| d.severity <= super::Severity::Warning).collect();
    assert!(loud.is_empty(), "{}", super::render_annotated(text, &loud));
}

/// `# check=` takes `skip=` and `error=<bool>`; anything else fails the build in BuildKit.
#[test]
fn check_directive_options() {
    assert_eq!(check("# check=skip=JSONArgsRecommended;error=true\nFROM alpine:3.20\n"), "");
    assert_eq!(check("# check=skip=all\nFROM alpine:3.20\n"), "");
    assert_eq!(check("# check=error=1\nFROM alpine:3.20\n"), "");
    insta::assert_snapshot!(check("# check=skip=StageNameCasing;eror=true\nFROM alpine:3.20\n"), @r"
    1:30 error [invalid-check-directive] Unknown check option `eror`; did you mean `error`?
      | # check=skip=StageNameCasing;eror=true
      |                              ^^^^
    ");
    insta::assert_snapshot!(check("# check=error=yes\nFROM alpine:3.20\n"), @r"
    1:15 error [invalid-check-directive] `error=yes` is not a boolean: use `error=true` or `error=false`
      | # check=error=yes
      |               ^^^
    ");
    insta::assert_snapshot!(check("# check=StageNameCasing\nFROM alpine:3.20\n"), @r"
    1:9 error [invalid-check-directive] `StageNameCasing` is not a check option: write `skip=<checks>` or `error=true`
      | # check=StageNameCasing
      |         ^^^^^^^^^^^^^^^
    ");
}

/// `# syntax=` names an image: an invalid reference fails the build before it starts.
#[test]
fn syntax_directive_image() {
    for ok in ["docker/dockerfile:1", "docker/dockerfile:1.7-labs", "docker.io/docker/dockerfile:1", "localhost:5000/df:1"] {
        assert_eq!(check(&format!("# syntax={ok}\nFROM alpine:3.20\n")), "", "{ok}");
    }
    insta::assert_snapshot!(check("# syntax=Docker/Dockerfile:1\nFROM alpine:3.20\n"), @r"
    1:10 error [invalid-syntax-directive] Invalid frontend image in the syntax directive: repository name `Docker/Dockerfile` must be lowercase
      | # syntax=Docker/Dockerfile:1
      |          ^^^^^^^^^^^^^^^^^^^
    ");
}

/// Where a mount without `target=` lands, stage by stage (`diagnostics::mounts`).
#[test]
fn mount_targets() {
    insta::assert_snapshot!(check(include_str!("../../tests/fixtures/syntax/mounts.Dockerfile")));
}

/// `${templateOption:imageVariant}`: one error on the whole expansion, no parser error inside
/// it, and no variable findings for it.
#[test]
fn unsupported_substitutions() {
    let text = include_str!("../../tests/fixtures/syntax/substitutions.Dockerfile");
    insta::assert_snapshot!(check(text));
    let all = super::diagnose(&Snapshot::from_text(text));
    let codes: Vec<_> = all.iter().filter(|d| d.code.starts_with("undefined-")).map(|d| &text[d.range.clone()]).collect();
    assert_eq!(codes, Vec::<&str>::new());
}
