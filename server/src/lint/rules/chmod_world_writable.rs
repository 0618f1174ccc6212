//! `chmod-world-writable`: files and directories of the image made writable by every user.

use super::prelude::*;
use crate::shell::{Arg, Command};

pub static RULE: Rule = Rule {
    id: "chmod-world-writable",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Security,
    tags: &[],
    summary: "Do not make image files writable by every user (`chmod 777`)",
    docs: r#"## What it does
Flags modes that give write permission to every user ("others"):

- `chmod 777`, `chmod -R 666`, `chmod o+w`, `chmod a+rwx`, `chmod a=rwx` in RUN;
- `mkdir -m 777` and `install -m 777` in RUN;
- `COPY --chmod=777` and `ADD --chmod=777`.

## Why is this bad?
Any process in the container can then change those files, whatever user it runs as: a
compromised service running as an unprivileged user can rewrite the application's code,
configuration or scripts that root runs later, and turn a small break-in into a full one.
`777` is usually a shortcut for "the app user must be able to write here", which the owner
and group express without opening the files to everyone.

## Example
```dockerfile
RUN mkdir -p /app/data && chmod -R 777 /app
```

## Use instead
```dockerfile
RUN mkdir -p /app/data && chown -R 10001:10001 /app/data && chmod -R 755 /app
USER 10001
```

Not flagged: modes with the sticky bit (`chmod 1777`, the mode of `/tmp`), modes that do not add
write permission for others (`755`, `o-w`, `+x`, a `+w` without `o`/`a`, which the umask
limits), targets that all lie under `/tmp`, `/var/tmp` or `/dev/shm` or that a later `rm` of the
same RUN removes (a scratch folder), and modes held in variables.
"#,
    opt_in: false,
    check,
};

/// Whether a mode string gives write permission to others (without the sticky bit).
fn world_writable(mode: &str) -> bool {
    if mode.is_empty() || mode.contains('$') {
        return false;
    }
    if mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        if mode.len() < 3 || mode.len() > 4 {
            return false;
        }
        let digits: Vec<u8> = mode.bytes().map(|b| b - b'0').collect();
        let others = digits[digits.len() - 1];
        let sticky = digits.len() == 4 && digits[0] & 1 == 1;
        return others & 2 == 2 && !sticky;
    }
    // Symbolic: clauses `[ugoa]*[+=-][rwxXst]*`, separated by commas.
    let mut writable = false;
    for clause in mode.split(',') {
        let who: String = clause.chars().take_while(|c| "ugoa".contains(*c)).collect();
        let rest = &clause[who.len()..];
        let Some(op) = rest.chars().next() else { return false };
        if !"+-=".contains(op) {
            return false;
        }
        let perms = &rest[1..];
        if !perms.chars().all(|c| "rwxXstugo".contains(c)) {
            return false;
        }
        let others = who.contains('o') || who.contains('a');
        if others && op != '-' && perms.contains('w') && !perms.contains('t') {
            writable = true;
        }
        if others && op == '-' && perms.contains('w') {
            writable = false;
        }
    }
    writable
}

/// Temporary places whose contents do not matter once the build is over.
fn temporary(path: &str) -> bool {
    ["/tmp", "/var/tmp", "/dev/shm"].iter().any(|d| path == *d || path.strip_prefix(d).is_some_and(|r| r.starts_with('/')))
}

/// The mode argument of chmod / `mkdir -m` / `install -m`, and the paths it applies to.
fn mode_and_paths(cmd: &Command) -> Option<(&Arg, Vec<&Arg>)> {
    match cmd.program() {
        "chmod" => {
            // The first word not an option is the mode (`chmod -R 777 /x`); `-w`-like modes
            // look like options, but we only care about modes that add write permission.
            let mut words = cmd.args.iter().filter(|a| !(a.value.starts_with('-') && a.value.len() > 1 && !world_writable(&a.value)));
            let mode = words.next()?;
            if mode.value.starts_with("--reference") {
                return None;
            }
            Some((mode, words.collect()))
        }
        "mkdir" | "install" => {
            let mut mode = None;
            let mut paths = Vec::new();
            let mut it = cmd.args.iter();
            while let Some(a) = it.next() {
                if a.value == "-m" || a.value == "--mode" {
                    mode = it.next();
                } else if a.value.starts_with("--mode=") || (a.value.starts_with("-m") && a.value.len() > 2 && !a.value.starts_with("--")) {
                    mode = Some(a);
                } else if !a.value.starts_with('-') {
                    paths.push(a);
                }
            }
            Some((mode?, paths))
        }
        _ => None,
    }
}

/// The mode text of an argument that may carry it after `--mode=` or `-m`.
fn mode_text(arg: &Arg) -> &str {
    let v = arg.value.as_str();
    v.strip_prefix("--mode=").or_else(|| v.strip_prefix("-m").filter(|_| !v.starts_with("--"))).unwrap_or(v)
}

/// Whether a later `rm` of the same RUN removes `path` (or a folder holding it): a scratch
/// folder opened to every user for the duration of the RUN (`chmod 777 "$tempDir"` … `rm -rf
/// "$tempDir"`) leaves nothing behind.
fn removed_later(commands: &[Command], after: usize, path: &str) -> bool {
    let path = path.trim_end_matches('/');
    commands.iter().filter(|c| c.range.start > after && c.program() == "rm").any(|c| {
        c.args.iter().filter(|a| !a.value.starts_with('-')).any(|a| {
            let dir = a.value.trim_end_matches('/');
            !dir.is_empty() && (path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/')))
        })
    })
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (idx, ins) in ctx.instructions() {
        let commands = &ctx.runs[idx].commands;
        for cmd in commands {
            let Some((mode, paths)) = mode_and_paths(cmd) else { continue };
            let text = mode_text(mode);
            if !world_writable(text) {
                continue;
            }
            if !paths.is_empty() && paths.iter().all(|p| temporary(&p.value) || removed_later(commands, cmd.range.end, &p.value)) {
                continue;
            }
            // `-m0777`, `--mode=0777`: the mode is the end of the word.
            let range = if ctx.src(&mode.range) == mode.value { mode.range.end - text.len()..mode.range.end } else { mode.range.clone() };
            out.push(Finding::new(
                range,
                format!(
                    "`{}{text}` lets every user write there; give the files to the user that needs them (chown) and drop write for others",
                    if cmd.program() == "chmod" { "chmod ".to_string() } else { format!("{} -m ", cmd.program()) }
                ),
            ));
        }
        let ins = if ins.kind == Kind::Onbuild { ins.nested.as_deref().unwrap_or(ins) } else { ins };
        if matches!(ins.kind, Kind::Copy | Kind::Add) {
            let Some(flag) = ins.flag("chmod") else { continue };
            let Some(value) = &flag.value else { continue };
            if world_writable(&value.value) {
                out.push(Finding::new(
                    value.range.clone(),
                    format!("`--chmod={}` lets every user write the copied files; give them to the user that needs them (`--chown`) and drop write for others", value.value),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::world_writable;

    #[test]
    fn modes_that_let_others_write() {
        for m in ["777", "0777", "666", "776", "2777", "o+w", "a+rwx", "ugo+rwX", "a=rwx", "u+x,o+w", "go+w"] {
            assert!(world_writable(m), "{m}");
        }
        for m in ["755", "0644", "1777", "775", "+w", "=rwx", "g+w", "o-w", "a-w", "o+rwt", "o+w,o-w", "$MODE", "u=rw,go=r", "7777x"] {
            assert!(!world_writable(m), "{m}");
        }
    }
}
