//! `add-for-archives`: COPY an archive, then unpack it in RUN → ADD does both.

use super::*;

pub static RULE: Rule = Rule {
    id: "add-for-archives",
    hadolint: &["DL3010"],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Size,
    tags: &[],
    summary: "Use ADD to unpack a local tar archive instead of COPY + tar",
    docs: r#"## What it does
Flags a local tar archive copied with `COPY` that a later RUN of the same stage unpacks with
`tar -x`.

## Why is this bad?
The archive stays in the COPY's layer even when the RUN deletes it afterwards, so the image
carries the files twice (compressed and unpacked). `ADD` unpacks a local tar archive (plain,
gzip, bzip2 or xz) straight into the destination in a single layer.

## Example
```dockerfile
FROM debian:bookworm-slim
COPY vendor/jdk-21.tar.gz /tmp/
RUN tar -xzf /tmp/jdk-21.tar.gz -C /opt && rm /tmp/jdk-21.tar.gz
```

## Use instead
```dockerfile
FROM debian:bookworm-slim
ADD vendor/jdk-21.tar.gz /opt/
```

## Differences from hadolint
Only tar archives unpacked by `tar` are flagged: `ADD` does not unpack `.zip` files, so
`COPY x.zip` + `unzip` is fine. Extractions that `ADD` cannot reproduce are not flagged either:
`--strip-components`, `--exclude`, extracting selected members, or extracting to stdout.
"#,
    opt_in: false,
    check,
};

const TAR_ARCHIVES: &[&str] = &[".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz"];

/// Options of tar that take a value as the next word.
const TAKES_VALUE: &[&str] = &["-C", "--directory", "-f", "--file", "-T", "--files-from", "-X", "--exclude-from", "--owner", "--group", "--mode"];

/// Whether a tar command extracts, and its extraction is one ADD can do.
fn plain_extract(cmd: &Command) -> bool {
    let Some(first) = cmd.args.first() else { return false };
    let old_style = !first.value.starts_with('-') && first.value.contains('x') && first.value.chars().all(|c| c.is_ascii_alphabetic());
    let extract = old_style
        || cmd.args.iter().any(|a| {
            let v = a.value.as_str();
            v == "--extract" || v == "--get" || (v.starts_with('-') && !v.starts_with("--") && v.contains('x'))
        });
    let refused = cmd.args.iter().any(|a| {
        let v = a.value.as_str();
        v.starts_with("--strip-components") || v.starts_with("--exclude") || v == "--to-stdout" || v == "-O" || v.starts_with("--wildcards")
    });
    extract && !refused
}

/// The argument naming the archive `base` (`/tmp/app.tar.gz`, `--file=app.tar.gz`).
fn archive_arg<'a>(cmd: &'a Command, base: &str) -> Option<&'a crate::shell::Arg> {
    cmd.args.iter().find(|a| {
        let v = a.value.strip_prefix("--file=").unwrap_or(&a.value);
        let v = v.strip_prefix("-f").filter(|_| v.len() > 2 && !v.starts_with("--")).unwrap_or(v);
        v == base || v.ends_with(&format!("/{base}"))
    })
}

/// The directory tar extracts to (`-C dir`, `--directory=dir`).
fn target_dir(cmd: &Command) -> Option<String> {
    let mut args = cmd.args.iter();
    while let Some(a) = args.next() {
        if a.value == "-C" || a.value == "--directory" {
            return args.next().map(|n| n.value.to_string());
        }
        if let Some(d) = a.value.strip_prefix("--directory=") {
            return Some(d.to_string());
        }
    }
    None
}

/// Positional words other than the archive and the old-style key: selected members.
fn selects_members(cmd: &Command, archive: &crate::shell::Arg) -> bool {
    let old_style = cmd.args.first().is_some_and(|a| !a.value.starts_with('-'));
    cmd.positionals(TAKES_VALUE)
        .enumerate()
        .any(|(i, a)| !(old_style && i == 0) && a.range != archive.range && !a.value.is_empty())
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for stage in &ctx.df.stages {
        for ci in stage.instructions.clone() {
            let copy = &ctx.df.instructions[ci];
            if copy.kind != Kind::Copy || copy.flag("from").is_some() || !copy.heredocs.is_empty() {
                continue;
            }
            let words = copy.words();
            if words.len() < 2 || copy.is_exec_form() {
                continue;
            }
            for src in &words[..words.len() - 1] {
                let v = src.value.to_ascii_lowercase();
                if src.has_expansions() || v.contains(['*', '?', '[']) || !TAR_ARCHIVES.iter().any(|a| v.ends_with(a)) {
                    continue;
                }
                let base = src.value.rsplit('/').next().unwrap_or(&src.value).to_string();
                let found = stage_runs(ctx, stage).filter(|(i, _, _)| *i > ci).find_map(|(_, _, run)| {
                    run.commands.iter().find_map(|c| {
                        if c.program() != "tar" || !plain_extract(c) {
                            return None;
                        }
                        let arg = archive_arg(c, &base)?;
                        (!selects_members(c, arg)).then_some((c, run))
                    })
                });
                let Some((tar, run)) = found else { continue };
                // Without `-C`, tar unpacks into the WORKDIR, unless the RUN changed directory.
                let cd = run.commands.iter().rfind(|c| c.program() == "cd" && c.range.start < tar.range.start);
                let cd_dir = cd.map(|c| c.args.first().map(|a| a.value.to_string()).filter(|d| d.starts_with('/')).unwrap_or_else(|| "<dir>".into()));
                let dir = match target_dir(tar).or(cd_dir) {
                    Some(d) if d.ends_with('/') => d,
                    Some(d) => format!("{d}/"),
                    None => "./".into(),
                };
                out.push(
                    Finding::new(
                        src.range.clone(),
                        format!(
                            "`{}` is copied, then unpacked by `tar` on line {}; `ADD {} {dir}` unpacks it without keeping the archive in a layer",
                            src.value,
                            ctx.line_number(tar.name_range.start),
                            src.value
                        ),
                    )
                    .with_related(tar.range.clone(), "unpacked here"),
                );
            }
        }
    }
}
