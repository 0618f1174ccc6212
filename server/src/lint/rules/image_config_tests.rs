//! Rules that read the base image's config when its registry's answer is known
//! (`LintOptions::image_configs`): the same Dockerfile with and without that answer.

use crate::document::Snapshot;
use crate::lint::{lint, LintOptions, RuleSelection};
use crate::registry::{ImageConfig, Platform, Reference};
use crate::semantics::Semantics;
use crate::syntax::Dockerfile;

/// (rule id, severity) of the findings of `rule` in `text`, with `config` as `image`'s answer.
fn findings(text: &str, rule: &str, known: Option<(&str, ImageConfig)>) -> Vec<(String, String)> {
    let snapshot = Snapshot::from_text(text);
    let df = Dockerfile::new(&snapshot.text, &snapshot.tree);
    let sem = Semantics::analyze(&snapshot.text, &df);
    let mut options = LintOptions { build_platform: Platform::parse("linux/amd64"), ..Default::default() };
    if let Some((image, config)) = known {
        options.image_configs.insert(Reference::parse(image).unwrap().to_string(), config);
    }
    lint(&snapshot.text, &df, &sem, &options, &RuleSelection::default())
        .into_iter()
        .filter(|d| d.diagnostic.code == rule)
        .map(|d| (d.diagnostic.code.to_string(), format!("{:?}", d.diagnostic.severity)))
        .collect()
}

#[test]
fn missing_user_knows_a_base_that_runs_as_non_root() {
    let text = "FROM registry.example.com/base:1.0 AS build\nRUN make\nFROM build\nCMD [\"/app\"]\n";
    assert_eq!(findings(text, "missing-user", None).len(), 1);
    let non_root = ImageConfig { user: Some("65532:65532".into()), ..Default::default() };
    assert!(findings(text, "missing-user", Some(("registry.example.com/base:1.0", non_root))).is_empty(), "through the stage chain");
    let root = ImageConfig { user: Some("root".into()), ..Default::default() };
    assert_eq!(findings(text, "missing-user", Some(("registry.example.com/base:1.0", root))).len(), 1);
}

#[test]
fn undefined_var_knows_the_base_images_env() {
    let text = "FROM node:22.11.0\nWORKDIR $NODE_APP_DIR\nCOPY . $JAVA_HOME\n";
    // Unknown base: `NODE_APP_DIR` is information only, `JAVA_HOME` is a name base images set.
    let unknown = findings(text, "undefined-var", None);
    assert_eq!(unknown, [("undefined-var".to_string(), "Info".to_string())]);
    // Known base: what its ENV sets is defined; anything else is a plain warning.
    let env = ImageConfig { env: vec!["PATH=/usr/bin".into(), "NODE_APP_DIR=/srv".into()], ..Default::default() };
    let known = findings(text, "undefined-var", Some(("node:22.11.0", env)));
    assert_eq!(known, [("undefined-var".to_string(), "Warning".to_string())], "JAVA_HOME is not in this image's ENV");
}

#[test]
fn copy_relative_no_workdir_knows_the_base_images_workdir() {
    let text = "FROM registry.example.com/app-base:2\nCOPY app.py .\n";
    assert_eq!(findings(text, "copy-relative-no-workdir", None).len(), 1);
    let workdir = ImageConfig { working_dir: Some("/srv".into()), ..Default::default() };
    assert!(findings(text, "copy-relative-no-workdir", Some(("registry.example.com/app-base:2", workdir))).is_empty());
}
