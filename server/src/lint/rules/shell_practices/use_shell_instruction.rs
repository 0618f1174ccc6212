//! `use-shell-instruction`: change the shell with SHELL, not by relinking `/bin/sh`.

use super::*;

pub static RULE: Rule = Rule {
    id: "use-shell-instruction",
    hadolint: &["DL4005"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Maintainability,
    tags: &[],
    summary: "Use SHELL to change the default shell instead of relinking /bin/sh",
    docs: r#"## What it does
Flags `ln` commands whose link name is `/bin/sh` (`ln -sf /bin/bash /bin/sh`).

## Why is this bad?
Replacing `/bin/sh` changes the shell of *everything* in the image, at build time and at run
time: system scripts written for a POSIX `sh` (dash on Debian) now run under another shell,
and package upgrades may restore the link behind your back. The `SHELL` instruction changes the
shell that RUN, CMD and ENTRYPOINT shell forms use, and nothing else.

## Example
```dockerfile
FROM debian:bookworm-slim
RUN ln -sf /bin/bash /bin/sh
RUN source /opt/env.sh && make
```

## Use instead
```dockerfile
FROM debian:bookworm-slim
SHELL ["/bin/bash", "-c"]
RUN source /opt/env.sh && make
```

## Fix safety
When the RUN does nothing but the `ln`, the fix replaces it with
`SHELL ["<that shell>", "-c"]`. It is unsafe: the image's `/bin/sh` stays what the base image
ships, so programs that run `sh` at run time (entrypoint scripts, `system()` calls) see the
original shell again.

## Differences from hadolint
hadolint flags any `ln` that mentions `/bin/sh`, including `ln -s /bin/sh /usr/local/bin/sh`;
dockls only flags links that replace `/bin/sh` itself.
"#,
    opt_in: false,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (idx, ins, cmd) in all_commands(ctx) {
        if cmd.program() != "ln" {
            continue;
        }
        let positionals: Vec<&crate::shell::Arg> = cmd.positionals(&["-t", "-S", "--suffix", "--target-directory"]).collect();
        let Some(target) = positionals.last() else { continue };
        if positionals.len() < 2 || !matches!(target.value.as_str(), "/bin/sh" | "/usr/bin/sh") {
            continue;
        }
        let source_arg = positionals[positionals.len() - 2];
        // A relative link source is relative to the link's directory.
        let source = if source_arg.value.starts_with('/') { source_arg.value.to_string() } else { format!("{}/{}", target.value.rsplit_once('/').map_or("", |(d, _)| d), source_arg.value) };
        let mut finding = Finding::new(
            cmd.range.clone(),
            format!("Relinking `{}` changes the shell for the whole image; use `SHELL [\"{source}\", \"-c\"]`", target.value),
        );
        let alone = ctx.runs[idx].commands.len() == 1 && ins.heredocs.is_empty() && matches!(ins.args, Args::Shell(_));
        let plain = !source.contains(['$', '"', '\\', '*', '`']) && ctx.src(&source_arg.range) == source_arg.value;
        if alone && plain {
            let kw = if ins.keyword.chars().any(|c| c.is_ascii_lowercase()) { "shell" } else { "SHELL" };
            finding = finding.with_fix(Fix::unsafe_(
                format!("Replace with `SHELL [\"{source}\", \"-c\"]` (unsafe: every later RUN uses that shell)"),
                vec![Edit { range: ins.range.clone(), text: format!("{kw} [\"{source}\", \"-c\"]") }],
            ));
        }
        out.push(finding);
    }
}
