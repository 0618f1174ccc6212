//! `pointless-commands`: interactive or system-management commands do nothing useful in RUN.

use super::*;

pub static RULE: Rule = Rule {
    id: "pointless-commands",
    hadolint: &["DL3001"],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Maintainability,
    tags: &[],
    summary: "Avoid interactive and system-management commands in RUN",
    docs: r#"## What it does
Flags commands that make no sense while building an image: `ssh`, `vim`/`vi`/`nano`,
`shutdown`/`reboot`/`halt`/`poweroff`, `service`, `ps`, `top`/`htop`, `free`, `kill`,
`mount` and `ifconfig`.

## Why is this bad?
A build step runs without a terminal, an init system or privileges: editors and `top` hang or
fail, `service` and `shutdown` have nothing to talk to, `mount` is not permitted, and the output
of `ps`/`free`/`ifconfig` describes the build container, not the one you will run. A process
started by `service … start` does not survive the RUN either. Such commands are usually left
over from an interactive session.

## Example
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends nginx && service nginx start
```

## Use instead
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends nginx
CMD ["nginx", "-g", "daemon off;"]
```

## Differences from hadolint
`ssh` in a RUN with an SSH agent mount (`RUN --mount=type=ssh`) is not flagged, and lookups
such as `command -v ps` are not commands being run. dockls also knows `vi`, `nano`, `htop`,
`reboot`, `halt`, `poweroff` and `ifconfig`.
"#,
    opt_in: false,
    check,
};

const POINTLESS: &[&str] = &[
    "ssh", "vim", "vi", "nano", "shutdown", "reboot", "halt", "poweroff", "service", "ps", "free", "top", "htop", "kill",
    "mount", "ifconfig",
];

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, ins, cmd) in all_commands(ctx) {
        let p = cmd.program();
        if !POINTLESS.contains(&p) || is_lookup(ctx, cmd) {
            continue;
        }
        let ssh_mount = ins.flags.iter().any(|f| f.mount.iter().any(|o| o.key == "type" && o.value.as_ref().is_some_and(|v| v.value == "ssh")));
        if p == "ssh" && ssh_mount {
            continue;
        }
        let why = match p {
            "ssh" => "needs a terminal and credentials the build does not have",
            "vim" | "vi" | "nano" => "is an interactive editor; there is no terminal during a build",
            "shutdown" | "reboot" | "halt" | "poweroff" => "has no system to shut down in a build container",
            "service" => "has no init system to talk to during a build, and what it starts does not outlive this RUN; start processes with CMD or ENTRYPOINT",
            "kill" => "only affects processes of this RUN, which end with it anyway",
            "mount" => "is not permitted in a build container; use `RUN --mount`",
            _ => "describes the build container, not the one you will run",
        };
        out.push(Finding::new(cmd.name_range.clone(), format!("`{p}` {why}")));
    }
}
