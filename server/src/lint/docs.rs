//! Rule documentation from the rules' own docs: `dockls rule <id>`, the hover on a
//! diagnostic, and the generated `docs/rules.md` (a test keeps it in sync).

use super::{rules, Rule};
use crate::diagnostics::Severity;

fn severity_word(s: Severity) -> &'static str {
    s.as_str()
}

/// The Markdown page of one rule: title, metadata line, then its docs.
pub fn rule_markdown(rule: &Rule) -> String {
    let mut meta = vec![format!("default severity: {}", severity_word(rule.severity))];
    if !rule.hadolint.is_empty() {
        meta.push(format!("hadolint: {}", rule.hadolint.join(", ")));
    }
    if let Some(bk) = rule.buildkit {
        meta.push(format!("BuildKit: {bk}"));
    }
    if rule.opt_in {
        meta.push("opt-in".into());
    }
    format!("# `{}`: {}\n\n*{}*\n\n{}", rule.id, rule.summary, meta.join(" · "), rule.docs.trim_end())
}

/// `docs/rules.md`: an index by category, then every rule's page.
pub fn catalogue_markdown() -> String {
    let mut out = String::from(
        "<!-- Generated from the rules' docs by `dockls rule --markdown`; do not edit by hand. -->\n# dockls rules\n\n",
    );
    let all = rules::all();
    out.push_str("| id | summary | severity | hadolint | BuildKit |\n|---|---|---|---|---|\n");
    let mut sorted: Vec<&&Rule> = all.iter().collect();
    sorted.sort_by_key(|r| (r.category as u8, r.id));
    for r in &sorted {
        out.push_str(&format!(
            "| [`{}`](#{}) | {} | {}{} | {} | {} |\n",
            r.id,
            r.id,
            r.summary,
            severity_word(r.severity),
            if r.opt_in { " (opt-in)" } else { "" },
            r.hadolint.join(", "),
            r.buildkit.unwrap_or("")
        ));
    }
    for r in sorted {
        out.push_str("\n---\n\n");
        out.push_str(&format!("<a id=\"{}\"></a>\n\n", r.id));
        out.push_str(&rule_markdown(r).replacen("# ", "## ", 1).replace("\n## ", "\n### "));
        out.push('\n');
    }
    out
}


#[cfg(test)]
mod tests {
    #[test]
    fn generated_rules_page_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules.md");
        let expected = super::catalogue_markdown();
        if std::env::var_os("DOCKLS_UPDATE_DOCS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &expected).unwrap();
        }
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "docs/rules.md is stale: regenerate it with `DOCKLS_UPDATE_DOCS=1 cargo test -p dockls --lib generated_rules_page`"
        );
    }
}
