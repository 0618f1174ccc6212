//! `expose-port-range`, `expose-invalid-format` and `expose-proto-casing`: EXPOSE arguments.

use super::super::prelude::*;
use crate::diagnostics::values::{port_problem, PortProblem};
use crate::syntax::Word;

pub static PORT_RANGE: Rule = Rule {
    id: "expose-port-range",
    hadolint: &["DL3011"],
    buildkit: None,
    severity: Severity::Error,
    category: Category::Syntax,
    tags: &[],
    summary: "EXPOSE ports must be between 0 and 65535",
    docs: r#"## What it does
Flags an `EXPOSE` port (or either end of a port range) above 65535.

## Why is this bad?
TCP, UDP and SCTP ports are 16-bit numbers. Docker rejects the instruction and the build
fails; the number is usually a typo (`80800` for `8080`).

## Example
```dockerfile
FROM nginx:1.27-alpine
EXPOSE 80800
```

## Use instead
```dockerfile
FROM nginx:1.27-alpine
EXPOSE 8080
```
"#,
    opt_in: false,
    check: check_range,
};

pub static INVALID_FORMAT: Rule = Rule {
    id: "expose-invalid-format",
    hadolint: &[],
    buildkit: Some("ExposeInvalidFormat"),
    severity: Severity::Warning,
    category: Category::Syntax,
    tags: &[],
    summary: "EXPOSE takes container ports, not IP addresses or host:container mappings",
    docs: r#"## What it does
Flags an `EXPOSE` argument with an IP address or a `host:container` port mapping, such as
`EXPOSE 8080:80` or `EXPOSE 127.0.0.1:80:80`.

## Why is this bad?
`EXPOSE` only documents which ports the container listens on; it cannot publish a port on
the host. Docker silently drops the IP address and the host port and keeps the container
port, so the instruction does not do what it says. Publishing is done at run time with
`docker run -p 8080:80` or in a Compose file.

## Example
```dockerfile
FROM nginx:1.27-alpine
EXPOSE 8080:80
```

## Use instead
```dockerfile
FROM nginx:1.27-alpine
EXPOSE 80
```

## Fix safety
The fix keeps only the container port (and protocol). It is safe: that is exactly the port
Docker records for the image.

## Differences from hadolint
hadolint fails to parse the whole file on such an argument (DL1000); dockls reports this one
token and keeps linting.
"#,
    opt_in: false,
    check: check_format,
};

pub static PROTO_CASING: Rule = Rule {
    id: "expose-proto-casing",
    hadolint: &[],
    buildkit: Some("ExposeProtoCasing"),
    severity: Severity::Info,
    category: Category::Maintainability,
    tags: &[],
    summary: "Write the EXPOSE protocol in lower case",
    docs: r#"## What it does
Flags an `EXPOSE` protocol that is not lower case, such as `EXPOSE 53/UDP`.

## Why is this bad?
Docker accepts the protocol in any case and stores it in lower case, so `80/TCP` works, but
tools that read the Dockerfile, and readers, expect `tcp`, `udp` and `sctp`.

## Example
```dockerfile
EXPOSE 80/TCP 53/Udp
```

## Use instead
```dockerfile
EXPOSE 80/tcp 53/udp
```

## Fix safety
Lower-casing the protocol is safe: Docker lower-cases it anyway.
"#,
    opt_in: false,
    check: check_proto,
};

/// The literal EXPOSE arguments (ports written with variables are checked by Docker after
/// expansion, which dockls cannot see).
fn ports<'a>(ctx: &'a Context) -> impl Iterator<Item = &'a Word> + 'a {
    super::with_nested(ctx)
        .filter(|i| i.kind == Kind::Expose)
        .flat_map(|i| i.words().iter())
        .filter(|w| !w.has_expansions() && w.text == w.value)
}

fn check_range(ctx: &Context, out: &mut Vec<Finding>) {
    for p in ports(ctx) {
        if let Some(PortProblem::OutOfRange(n)) = port_problem(&p.value) {
            out.push(Finding::new(p.range.clone(), format!("Port {n} is out of range: ports go from 0 to 65535")));
        }
    }
}

fn check_format(ctx: &Context, out: &mut Vec<Finding>) {
    for p in ports(ctx) {
        if !matches!(port_problem(&p.value), Some(PortProblem::Mapping)) {
            continue;
        }
        let (spec, proto) = match p.value.split_once('/') {
            Some((s, proto)) => (s, Some(proto)),
            None => (p.value.as_str(), None),
        };
        let container = spec.rsplit(':').next().unwrap_or(spec);
        let kept = match proto {
            Some(proto) => format!("{container}/{proto}"),
            None => container.to_string(),
        };
        let mut f = Finding::new(
            p.range.clone(),
            format!("EXPOSE takes container ports only; `{}` looks like a host mapping, which belongs to `docker run -p`", p.value),
        );
        if !container.is_empty() && port_problem(&kept).is_none() {
            f = f.with_fix(Fix::replace(format!("Keep the container port `{kept}`"), p.range.clone(), kept));
        }
        out.push(f);
    }
}

fn check_proto(ctx: &Context, out: &mut Vec<Finding>) {
    for p in ports(ctx) {
        let Some(slash) = p.text.find('/') else { continue };
        let proto = &p.text[slash + 1..];
        let lower = proto.to_ascii_lowercase();
        if proto == lower || !["tcp", "udp", "sctp"].contains(&lower.as_str()) {
            continue;
        }
        let range = p.range.start + slash + 1..p.range.end;
        out.push(
            Finding::new(range.clone(), format!("Write the protocol in lower case: `{lower}`"))
                .with_fix(Fix::replace(format!("Lower-case to `{lower}`"), range, lower)),
        );
    }
}
