//! `useradd-no-log-init`: `useradd` with a high UID needs `-l`.

use super::*;

pub static RULE: Rule = Rule {
    id: "useradd-no-log-init",
    hadolint: &["DL3046"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Size,
    tags: &[],
    summary: "Use `useradd -l` with a high UID to avoid a huge lastlog file",
    docs: r#"## What it does
Flags `useradd` with a UID above 65535 (`-u`/`--uid`, also through an `ARG`/`ENV` default)
and without `-l`/`--no-log-init`.

## Why is this bad?
`useradd` reserves the user's entries in `/var/log/lastlog` and `/var/log/faillog`, files
indexed by UID. On a host they are sparse, but image layers do not keep holes: a UID of
1000000 adds about 300 MB of zeros to the layer. `-l` skips those log files, which nobody reads
in a container.

## Example
```dockerfile
RUN useradd -u 1000001 -m app
```

## Use instead
```dockerfile
RUN useradd -l -u 1000001 -m app
```

## Fix safety
Inserting `-l` only stops `useradd` from writing the lastlog/faillog entries; the user, its
groups and home directory are the same. The fix is safe.

## Differences from hadolint
hadolint flags UIDs of six digits or more (from 100000); dockls flags any UID above 65535 and
resolves `-u $UID` from an `ARG`/`ENV` default.
"#,
    opt_in: false,
    check,
};

/// The UID argument of a useradd command, as written.
fn uid_arg(cmd: &Command) -> Option<&str> {
    let mut args = cmd.args.iter();
    while let Some(a) = args.next() {
        let v = a.value.as_str();
        if v == "--uid" {
            return args.next().map(|n| n.value.as_str());
        }
        if let Some(rest) = v.strip_prefix("--uid=") {
            return Some(rest);
        }
        if let Some(shorts) = v.strip_prefix('-').filter(|s| !s.starts_with('-')) {
            if let Some(pos) = shorts.find('u') {
                let rest = &shorts[pos + 1..];
                return if rest.is_empty() { args.next().map(|n| n.value.as_str()) } else { Some(rest) };
            }
        }
    }
    None
}

/// A numeric UID, resolving `$NAME`/`${NAME}` against ARG/ENV defaults.
fn uid_value(ctx: &Context, idx: usize, raw: &str) -> Option<u64> {
    if let Ok(n) = raw.parse() {
        return Some(n);
    }
    let name = raw.strip_prefix("${").and_then(|r| r.strip_suffix('}')).or_else(|| raw.strip_prefix('$'))?;
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    env_value(ctx, idx, name)?.parse().ok()
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (idx, _, cmd) in all_commands(ctx) {
        if cmd.program() != "useradd" || cmd.has_flag(&["-l", "--no-log-init"]) {
            continue;
        }
        let Some(raw) = uid_arg(cmd) else { continue };
        let Some(uid) = uid_value(ctx, idx, raw) else { continue };
        if uid <= 65535 {
            continue;
        }
        let at = cmd.name_range.end;
        out.push(
            Finding::new(
                cmd.name_range.clone(),
                format!("`useradd` with UID {uid} and without `-l` fills /var/log/lastlog with zeros; add `-l` (`--no-log-init`)"),
            )
            .with_fix(Fix::safe("Add `-l` (`--no-log-init`)", vec![Edit { range: at..at, text: " -l".into() }])),
        );
    }
}
