//! Every rule is held to its fixtures: `fixtures/<id>.bad.Dockerfile` must trigger it,
//! `fixtures/<id>.good.Dockerfile` must not, and every fix must re-parse without new syntax
//! errors and remove its finding. The findings (annotated source) and the fixed texts are
//! snapshotted, so a wrong column shows up in review.
//!
//! A fixture may come with `<name>.dockerignore` (the build context has that `.dockerignore`);
//! a first line `# test-context: no-dockerignore` means a known context without one, and
//! `# test-trusted-registries: a, b` configures trusted registries, `# test-image-platforms:`
//! and `# test-build-platform:` what registries answered and the build platform,
//! `# test-image-vulnerabilities:` what the vulnerability lookup found (see
//! [`fixture_vulnerabilities`]), `# test-image-exposed-ports:` the ports base image configs expose.

use std::path::PathBuf;

use crate::diagnostics::{diagnose, Severity};
use crate::document::Snapshot;
use crate::lint::{lint, Fix, LintOptions, RuleSelection};
use crate::semantics::Semantics;
use crate::syntax::Dockerfile;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/lint/rules/fixtures")
}

fn options_for(name: &str, text: &str) -> LintOptions {
    let mut options = base_options(name, text);
    // `# test-image-platforms: alpine:3.20=linux/amd64 linux/arm64; …` gives what registries
    // answered, and `# test-build-platform: linux/amd64` the build platform (else linux/amd64,
    // so the snapshots do not depend on the machine).
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        if let Some(list) = line.strip_prefix("# test-image-platforms:") {
            for entry in list.split(';') {
                let Some((image, platforms)) = entry.split_once('=') else { continue };
                let key = crate::registry::Reference::parse(image).expect("fixture image").to_string();
                let platforms = platforms.split_whitespace().map(|p| crate::registry::Platform::parse(p).expect("fixture platform")).collect();
                options.image_platforms.insert(key, platforms);
            }
        }
        if let Some(list) = line.strip_prefix("# test-image-vulnerabilities:") {
            for entry in list.split(';') {
                let Some((image, vulns)) = entry.split_once('=') else { continue };
                let key = crate::registry::Reference::parse(image).expect("fixture image").to_string();
                options.image_vulnerabilities.insert(key, std::sync::Arc::new(fixture_vulnerabilities(vulns)));
            }
        }
        // `# test-image-exposed-ports: nginx:1.27=80/tcp 443/tcp; …`: image configs with those ports.
        if let Some(list) = line.strip_prefix("# test-image-exposed-ports:") {
            for entry in list.split(';') {
                let Some((image, ports)) = entry.split_once('=') else { continue };
                let key = crate::registry::Reference::parse(image.trim()).expect("fixture image").to_string();
                let exposed_ports = ports.split_whitespace().map(str::to_string).collect();
                options.image_configs.insert(key, crate::registry::ImageConfig { exposed_ports, ..Default::default() });
            }
        }
        if let Some(p) = line.strip_prefix("# test-build-platform:") {
            options.build_platform = crate::registry::Platform::parse(p);
        }
    }
    options.build_platform.get_or_insert_with(|| crate::registry::Platform::parse("linux/amd64").unwrap());
    options
}

/// `CVE-1 critical openssl 3.0.11 [3.0.14], CVE-2 high libc6 2.36-9, …`: what OSV answered
/// for an image (id, severity, package, version, fixed version), most severe first.
fn fixture_vulnerabilities(list: &str) -> crate::vulns::ImageVulnerabilities {
    use crate::vulns::{Counts, Severity, Vulnerability};
    let mut counts = Counts::default();
    let mut vulnerabilities = Vec::new();
    for v in list.split(',').map(str::trim).filter(|v| !v.is_empty()) {
        let words: Vec<&str> = v.split_whitespace().collect();
        let severity = match words[1] {
            "critical" => Severity::Critical,
            "high" => Severity::High,
            "medium" => Severity::Medium,
            _ => Severity::Low,
        };
        match severity {
            Severity::Critical => counts.critical += 1,
            Severity::High => counts.high += 1,
            Severity::Medium => counts.medium += 1,
            Severity::Low => counts.low += 1,
        }
        vulnerabilities.push(Vulnerability {
            id: words[0].into(),
            severity: Some(severity),
            score: None,
            package: words[2].into(),
            version: words[3].into(),
            fixed: words.get(4).map(|f| f.to_string()),
            summary: None,
        });
    }
    // As the lookup keeps them: most severe first.
    vulnerabilities.sort_by_key(|v| std::cmp::Reverse(v.severity));
    crate::vulns::ImageVulnerabilities {
        platform: crate::registry::Platform::parse("linux/amd64").unwrap(),
        digest: Some("sha256:fixture".into()),
        has_sbom: true,
        packages: 100,
        counts,
        vulnerabilities,
    }
}

fn base_options(name: &str, text: &str) -> LintOptions {
    // `# test-trusted-registries: a, b` on the first line configures trusted registries.
    let trusted_registries = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# test-trusted-registries:"))
        .map(|list| list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let ignore = fixture_dir().join(format!("{name}.dockerignore"));
    if let Ok(contents) = std::fs::read_to_string(&ignore) {
        return LintOptions { dockerignore: Some(contents), context_known: true, trusted_registries, ..Default::default() };
    }
    if text.starts_with("# test-context: no-dockerignore") {
        return LintOptions { context_known: true, trusted_registries, ..Default::default() };
    }
    LintOptions { trusted_registries, ..Default::default() }
}

fn run(rule_id: &str, text: &str, options: &LintOptions) -> Vec<crate::lint::RuleDiagnostic> {
    let snap = Snapshot::from_text(text);
    let df = Dockerfile::new(&snap.text, &snap.tree);
    let sem = Semantics::analyze(text, &df);
    let rule = crate::lint::rule(rule_id).expect("rule exists");
    let selection = RuleSelection {
        disabled: super::all().iter().filter(|r| r.id != rule.id).map(|r| r.id.to_string()).collect(),
        enabled: vec![rule.id.to_string()],
        severity: Vec::new(),
    };
    lint(text, &df, &sem, options, &selection)
}

fn apply(text: &str, fix: &Fix) -> String {
    let mut edits = fix.edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = text.to_string();
    for e in edits {
        out.replace_range(e.range.clone(), &e.text);
    }
    out
}

fn syntax_errors(text: &str) -> usize {
    diagnose(&Snapshot::from_text(text)).iter().filter(|d| d.severity == Severity::Error).count()
}

#[test]
fn every_rule_has_docs_fixtures_and_working_fixes() {
    let mut failures = Vec::new();
    for rule in super::all() {
        let id = rule.id;
        for section in ["## What it does", "## Why is this bad?", "## Example", "## Use instead"] {
            if !rule.docs.contains(section) {
                failures.push(format!("{id}: docs lack `{section}`"));
            }
        }
        let bad_name = format!("{id}.bad");
        let good_name = format!("{id}.good");
        let (Ok(bad), Ok(good)) = (
            std::fs::read_to_string(fixture_dir().join(format!("{bad_name}.Dockerfile"))),
            std::fs::read_to_string(fixture_dir().join(format!("{good_name}.Dockerfile"))),
        ) else {
            failures.push(format!("{id}: missing fixtures/{bad_name}.Dockerfile or fixtures/{good_name}.Dockerfile"));
            continue;
        };
        let good_findings = run(id, &good, &options_for(&good_name, &good));
        if !good_findings.is_empty() {
            failures.push(format!("{id}: good fixture has findings:\n{}", render(&good, &good_findings)));
        }
        let bad_options = options_for(&bad_name, &bad);
        let findings = run(id, &bad, &bad_options);
        if findings.is_empty() {
            failures.push(format!("{id}: bad fixture has no finding"));
            continue;
        }
        let mut snapshot = render(&bad, &findings);
        let errors_before = syntax_errors(&bad);
        for f in &findings {
            for fix in f.fix.iter().chain(&f.alternatives) {
                // An unsafe fix says so, and what changes, where the user picks it.
                if fix.safety == crate::lint::Safety::Unsafe && !fix.title.contains("(unsafe: ") {
                    failures.push(format!("{id}: unsafe fix `{}` does not say `(unsafe: …)` in its title", fix.title));
                }
                let fixed = apply(&bad, fix);
                if syntax_errors(&fixed) > errors_before {
                    failures.push(format!("{id}: fix `{}` introduces syntax errors:\n{fixed}", fix.title));
                }
                let after = run(id, &fixed, &bad_options);
                let still = after.iter().any(|a| a.diagnostic.range.start == f.diagnostic.range.start && a.diagnostic.message == f.diagnostic.message);
                if after.len() >= findings.len() || still {
                    failures.push(format!("{id}: fix `{}` does not remove its finding:\n{fixed}", fix.title));
                }
                snapshot.push_str(&format!("\n--- fix: {} ({:?})\n{fixed}", fix.title, fix.safety));
            }
        }
        // One rule's snapshot mismatch must not hide the others': collect them all.
        let outcome = std::panic::catch_unwind(|| insta::assert_snapshot!(id, snapshot));
        if outcome.is_err() {
            failures.push(format!("{id}: snapshot differs (see the .snap.new file; `cargo insta review`)"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn render(text: &str, findings: &[crate::lint::RuleDiagnostic]) -> String {
    let diags: Vec<_> = findings.iter().map(|f| f.diagnostic.clone()).collect();
    crate::diagnostics::render_annotated(text, &diags)
}

#[test]
fn ids_are_unique_and_kebab_case() {
    let mut seen = std::collections::HashSet::new();
    for r in super::all() {
        assert!(seen.insert(r.id), "duplicate id {}", r.id);
        assert!(r.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{}", r.id);
    }
}

/// `ENV $K=v` names a variable after the value of `$K` (BuildKit expands ENV keys): it is no
/// name to suggest. The suggestion `$$K` once made `check --fix --unsafe-fixes` add a `$` per
/// round (`COPY $$$$$$$$$$$K /x`).
#[test]
fn keys_that_are_expansions_are_not_suggested_or_declared() {
    let text = "FROM alpine:3.20\nENV $I10=x\nCOPY $I11 /x\n";
    let findings = run("undefined-var", text, &LintOptions::default());
    let messages: Vec<&str> = findings.iter().map(|f| &*f.diagnostic.message).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages.iter().all(|m| !m.contains("did you mean")), "{messages:?}");
    assert!(findings.iter().all(|f| f.fix.is_none()));
}

/// BuildKit gives the proxy build args to RUN only; in a word it expands itself they are
/// empty unless the stage declares them.
#[test]
fn proxy_args_reach_run_only() {
    let text = "FROM alpine:3.20\nENV http_proxy=$http_proxy\nRUN wget $HTTP_PROXY\nARG NO_PROXY\nLABEL p=$NO_PROXY\n";
    let findings = run("undefined-var", text, &LintOptions::default());
    let flagged: Vec<&str> = findings.iter().map(|f| &text[f.diagnostic.range.clone()]).collect();
    assert_eq!(flagged, ["http_proxy"], "{findings:?}");
}

/// The classic mistake: a RUN uses a global ARG its stage did not declare again, and the
/// shell sees it empty. Not when the script sets the variable itself, and not in CMD (an ARG
/// would not reach the container anyway; `undefined-var` says that differently).
#[test]
fn a_global_arg_used_in_run_without_declaring_it_again() {
    let text = "ARG VERSION=1.2.3\nARG MODE=x\nARG ANSWER=n\nFROM alpine:3.20\nRUN wget https://x/app-$VERSION.tgz\nRUN MODE=y && echo $MODE\nRUN read ANSWER && echo $ANSWER\nCMD echo $VERSION\n";
    let findings = run("undefined-var", text, &LintOptions::default());
    let flagged: Vec<(usize, &str)> = findings.iter().map(|f| (f.diagnostic.range.start, &text[f.diagnostic.range.clone()])).collect();
    assert_eq!(flagged, [(text.find("$VERSION.tgz").unwrap() + 1, "VERSION")], "{findings:?}");
    assert!(findings[0].diagnostic.message.contains("add `ARG VERSION` to this stage"));
}
