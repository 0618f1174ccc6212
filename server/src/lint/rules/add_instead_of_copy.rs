//! `add-instead-of-copy`: use COPY for local files; ADD only for URLs, Git and archives.

use super::prelude::*;

pub static RULE: Rule = Rule {
    id: "add-instead-of-copy",
    hadolint: &["DL3020"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Security,
    tags: &[],
    summary: "Use COPY instead of ADD for local files and folders",
    docs: r#"## What it does
Flags `ADD` whose sources are all local paths that are not archives.

## Why is this bad?
`ADD` does more than copy: it fetches URLs and unpacks local tar archives. Using it for plain
files hides that behaviour from readers and can surprise you when a file happens to be an
archive. `COPY` does exactly one thing.

## Example
```dockerfile
ADD requirements.txt /app/
```

## Use instead
```dockerfile
COPY requirements.txt /app/
```

## Fix safety
Replacing the keyword is safe for non-archive local sources, which is all this rule flags.
"#,
    opt_in: false,
    check,
};

const ARCHIVES: &[&str] = &[".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".gz", ".bz2", ".xz", ".zst"];

fn is_remote(s: &str) -> bool {
    s.contains("://") || s.starts_with("git@") || s.ends_with(".git")
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, ins) in ctx.instructions() {
        if ins.kind != Kind::Add || ins.flag("checksum").is_some() || ins.flag("keep-git-dir").is_some() {
            continue;
        }
        let words = ins.words();
        if words.len() < 2 {
            continue;
        }
        let sources = &words[..words.len() - 1];
        let plain_local = sources.iter().all(|w| {
            let v = w.value.to_ascii_lowercase();
            !is_remote(&v) && !ARCHIVES.iter().any(|a| v.ends_with(a)) && !w.has_expansions()
        });
        if plain_local && ins.heredocs.is_empty() {
            let kw = ins.keyword_range.clone();
            let replacement = if ctx.src(&kw) == "add" { "copy" } else { "COPY" };
            out.push(
                Finding::new(kw.clone(), "Use COPY for local files: ADD also unpacks archives and fetches URLs")
                    .with_fix(Fix::replace("Replace ADD with COPY", kw, replacement)),
            );
        }
    }
}
