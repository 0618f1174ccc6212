//! `label-key-invalid`: LABEL keys outside Docker's recommended format.

use super::prelude::*;

pub static RULE: Rule = Rule {
    id: "label-key-invalid",
    hadolint: &["DL3048"],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Maintainability,
    tags: &[],
    summary: "Write label keys in lowercase reverse-DNS form (`org.example.key`)",
    docs: r#"## What it does
Flags a LABEL key (also in `ONBUILD LABEL`) that does not follow Docker's recommendation for
label keys. A key must:

- start with a lowercase letter and end with a lowercase letter or a digit;
- contain only lowercase letters, digits, `.` and `-`;
- not contain `..` or `--`;
- not use the namespaces Docker reserves: `com.docker.`, `io.docker.`, `org.dockerproject.`.

This is hadolint's DL3048 check.

## Why is this bad?
Label keys are read by other tools (registries, scanners, orchestrators, `docker inspect
--format`), and keys are compared exactly: `Version`, `version` and `VERSION` are three
different labels, so a key with capitals or `_` is easy to miss when queried. Namespaced,
lowercase keys (the OCI annotations `org.opencontainers.image.*`, or your own reverse-DNS
prefix) do not collide with labels from base images or tools, and the reserved namespaces
belong to Docker's own tooling.

## Example
```dockerfile
LABEL Maintainer="Jane Doe <jane@example.com>"
LABEL build_date="2025-01-31"
```

## Use instead
```dockerfile
LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
LABEL org.opencontainers.image.created="2025-01-31"
```

Keys given by a variable (`LABEL $KEY=x`) are not flagged.
"#,
    opt_in: false,
    check,
};

/// What is wrong with a key, or `None` when it is valid.
fn problem(key: &str) -> Option<String> {
    let (Some(first), Some(last)) = (key.chars().next(), key.chars().last()) else {
        return Some("an empty label key".into());
    };
    if let Some(c) = key.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-')) {
        let what = if c.is_ascii_uppercase() { "an uppercase letter".to_string() } else { format!("`{c}`") };
        return Some(format!("`{key}` contains {what}; use lowercase letters, digits, `.` and `-`"));
    }
    if !first.is_ascii_lowercase() {
        return Some(format!("`{key}` must start with a lowercase letter"));
    }
    if !(last.is_ascii_lowercase() || last.is_ascii_digit()) {
        return Some(format!("`{key}` must end with a lowercase letter or a digit"));
    }
    for twice in ["..", "--"] {
        if key.contains(twice) {
            return Some(format!("`{key}` contains `{twice}`"));
        }
    }
    for ns in ["com.docker.", "io.docker.", "org.dockerproject."] {
        if key.starts_with(ns) {
            return Some(format!("`{key}` uses the namespace `{ns}` that Docker reserves for its own tools"));
        }
    }
    None
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, ins) in ctx.instructions() {
        let ins = if ins.kind == Kind::Onbuild { ins.nested.as_deref().unwrap_or(ins) } else { ins };
        if ins.kind != Kind::Label {
            continue;
        }
        for pair in ins.pairs() {
            if pair.key.has_expansions() || pair.key.value.contains('$') {
                continue;
            }
            if let Some(why) = problem(&pair.key.value) {
                out.push(Finding::new(pair.key.range.clone(), format!("Invalid label key: {why}")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn keys_as_hadolint_judges_them() {
        for k in ["maintainer", "org.opencontainers.image.version", "tier2", "a", "com.example.key-1"] {
            assert_eq!(problem(k), None, "{k}");
        }
        for k in ["Maintainer", "build_date", "1st", "key.", "key-", "a..b", "a--b", "com.docker.x", "io.docker.y", "org.dockerproject.z", "", "-x", "k=v"] {
            assert!(problem(k).is_some(), "{k}");
        }
    }
}
