//! `insecure-download` and `add-url-checksum`: files fetched from the network during the build
//! without the guarantees of TLS or a checksum.

use super::prelude::*;
use crate::shell::{Arg, Command, RunAnalysis};
use crate::syntax::Word;

pub static INSECURE: Rule = Rule {
    id: "insecure-download",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Security,
    tags: &[],
    summary: "Download over HTTPS with certificate checks",
    docs: r#"## What it does
Flags downloads the build cannot trust:

- `ADD http://…`, and `curl`/`wget` of an `http://` or `ftp://` URL;
- `curl -k` / `curl --insecure`, and `wget --no-check-certificate` (or `-e check_certificate=off`),
  which accept any TLS certificate.

## Why is this bad?
Plain HTTP and unchecked TLS let anyone on the network path (a compromised mirror, a hostile
Wi-Fi, a proxy) replace the file while it is downloaded. What the build fetches usually ends up
executed or installed in the image, so the image is only as trustworthy as the weakest download.

## Example
```dockerfile
ADD http://example.com/tool.sh /usr/local/bin/tool.sh
RUN curl -fsSLk https://example.com/install.sh | sh
```

## Use instead
```dockerfile
ADD https://example.com/tool.sh /usr/local/bin/tool.sh
RUN curl -fsSL https://example.com/install.sh | sh
```

If the certificate is not trusted because the image lacks CA certificates, install them
(`ca-certificates`) instead of turning the check off.

Not flagged: loopback hosts (`localhost`, `127.0.0.1`, `[::1]`), proxies and referers given
with `-x`/`--proxy`/`-e`/`--referer`/`-H`, URLs held in variables (`curl $URL`), a RUN that
checks what it downloaded (`sha256sum -c`, `sha512sum -c`, `shasum -c`, `gpg --verify`,
`gpgv`, `cosign verify-blob`), and `ADD --checksum=…`: a verified file is safe whatever carried it.

## Fix safety
The fixes (`http://` → `https://`, remove `-k`/`--insecure`/`--no-check-certificate`) are
unsafe: the server may not offer HTTPS, or its certificate may really be untrusted, and the
build then fails. Over HTTPS, an `ADD <url>` without `--checksum` is then flagged by
`add-url-checksum`.
"#,
    opt_in: false,
    check: check_insecure,
};

pub static ADD_CHECKSUM: Rule = Rule {
    id: "add-url-checksum",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Security,
    tags: &[],
    summary: "Verify remote archives added with ADD: `ADD --checksum=sha256:…`",
    docs: r#"## What it does
Flags `ADD <https URL>` of an archive or package (`.tar.gz`, `.tgz`, `.zip`, `.tar.xz`, `.jar`,
`.deb`, `.rpm`, `.whl`, …) without `--checksum`.

## Why is this bad?
HTTPS proves which server answered, not what it served: a release asset replaced upstream, a
compromised download site or a re-tagged version gives the build a different file without any
error, and it is cached as if nothing changed. `--checksum` makes BuildKit compare the file with
the digest you recorded when you chose the version, and fail the build if they differ.

## Example
```dockerfile
# syntax=docker/dockerfile:1
ADD https://github.com/krallin/tini/archive/refs/tags/v0.19.0.tar.gz /tmp/tini.tar.gz
```

## Use instead
```dockerfile
# syntax=docker/dockerfile:1
ADD --checksum=sha256:0fd35a7030052acd9f58948d1d900fe1e432ee37103c5561554408bdac6bbf0d \
    https://github.com/krallin/tini/archive/refs/tags/v0.19.0.tar.gz /tmp/tini.tar.gz
```

`--checksum` needs the Dockerfile frontend 1.6 or later (`# syntax=docker/dockerfile:1`).
Plain `http://` URLs are reported by `insecure-download` instead, and git URLs are not archives.
"#,
    opt_in: false,
    check: check_add_checksum,
};

/// Programs whose run in a RUN means the download is checked against a known digest or
/// signature (with `-c`/`--check`, or `--verify` for gpg).
fn verifies(run: &RunAnalysis) -> bool {
    run.commands.iter().any(|c| {
        let p = c.program();
        let has = |names: &[&str]| c.args.iter().any(|a| names.contains(&a.value.as_str()));
        match p {
            "sha1sum" | "sha224sum" | "sha256sum" | "sha384sum" | "sha512sum" | "shasum" | "md5sum" | "b2sum" => {
                has(&["-c", "--check"]) || c.args.iter().any(|a| a.value.starts_with('-') && !a.value.starts_with("--") && a.value.contains('c'))
            }
            "gpg" | "gpg2" => has(&["--verify"]),
            "gpgv" | "gpgv2" => true,
            "cosign" => has(&["verify-blob", "verify"]),
            "minisign" => has(&["-V"]),
            _ => false,
        }
    })
}

/// `http://` or `ftp://` with a host that is not this machine: the scheme's length, else `None`.
fn plain_url(url: &str) -> Option<usize> {
    let lower = url.to_ascii_lowercase();
    let scheme = ["http://", "ftp://"].into_iter().find(|s| lower.starts_with(s))?;
    let rest = &lower[scheme.len()..];
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let host = if host_port.starts_with('[') {
        host_port.split(']').next().map(|h| &h[1..]).unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let loopback = host == "localhost" || host.ends_with(".localhost") || host.starts_with("127.") || host == "::1" || host == "0.0.0.0";
    (!loopback && !host.is_empty()).then_some(scheme.len())
}

/// curl short options that take a value: in a bundle, what follows them is the value.
const CURL_SHORT_WITH_VALUE: &str = "AbcCdDeEFHKmoPQrtTuUwxXyYz";
/// Options whose value is another URL that is not downloaded (proxies, referers, headers).
const NOT_DOWNLOADED: &[&str] = &["-x", "--proxy", "--preproxy", "-e", "--referer", "-H", "--header", "--noproxy", "--execute"];

/// `-k` inside a curl short-option bundle (`-fsSLk`), before any option that takes a value.
fn curl_bundle_has_k(word: &str) -> bool {
    let Some(rest) = word.strip_prefix('-').filter(|r| !r.starts_with('-')) else { return false };
    for c in rest.chars() {
        if c == 'k' {
            return true;
        }
        if CURL_SHORT_WITH_VALUE.contains(c) || !c.is_ascii_alphanumeric() {
            return false;
        }
    }
    false
}

/// An edit that removes `arg` and the blanks before it, when it is a word of its own.
fn remove_word(ctx: &Context, arg: &Arg) -> Option<Edit> {
    if ctx.src(&arg.range) != arg.value {
        return None;
    }
    let before = &ctx.text[..arg.range.start];
    let blanks = before.len() - before.trim_end_matches([' ', '\t']).len();
    (blanks > 0).then(|| Edit { range: arg.range.start - blanks..arg.range.end, text: String::new() })
}

/// `http://` → `https://` at the start of a word written plainly (or in quotes).
fn to_https(ctx: &Context, range: &std::ops::Range<usize>) -> Option<Fix> {
    let src = ctx.src(range);
    let offset = usize::from(src.starts_with(['"', '\'']));
    src[offset..].get(..7).filter(|s| s.eq_ignore_ascii_case("http://"))?;
    let at = range.start + offset + 4;
    Some(Fix::unsafe_("Use `https://` (unsafe: the server must answer over HTTPS)", vec![Edit { range: at..at, text: "s".into() }]))
}

/// The finding for `-k`/`--insecure`/`--no-check-certificate`: on the `k` of a bundle like
/// `-fsSLk` (removing that letter is the fix), else on the whole word.
fn insecure_option(ctx: &Context, prog: &str, arg: &Arg) -> Finding {
    let v = arg.value.as_str();
    let plain = ctx.src(&arg.range) == v;
    let bundle = prog == "curl" && v.len() > 2 && !v.starts_with("--");
    let (range, option, edit) = if bundle && plain {
        let k = arg.range.start + v.find('k').unwrap_or(0);
        (k..k + 1, "-k", Some(Edit { range: k..k + 1, text: String::new() }))
    } else {
        let option = if bundle { "-k" } else { v };
        (arg.range.clone(), option, if bundle { None } else { remove_word(ctx, arg) })
    };
    let f = Finding::new(range, format!("`{option}` makes `{prog}` accept any TLS certificate, so HTTPS no longer protects the download; remove it"));
    match edit {
        Some(e) => f.with_fix(Fix::unsafe_(format!("Remove `{option}` (unsafe: the download fails on a bad certificate)"), vec![e])),
        None => f,
    }
}

fn check_command(ctx: &Context, cmd: &Command, out: &mut Vec<Finding>) {
    let prog = cmd.program();
    if prog != "curl" && prog != "wget" {
        return;
    }
    let mut prev = "";
    for arg in &cmd.args {
        let v = arg.value.as_str();
        if !NOT_DOWNLOADED.contains(&prev) {
            if let Some(scheme) = plain_url(v) {
                let kind = &v[..scheme - 3];
                let f = Finding::new(
                    arg.range.clone(),
                    format!("`{prog}` downloads over plain {}: the file can be replaced on the way; use https:// or check a digest", kind.to_ascii_uppercase()),
                );
                let fix = (kind.eq_ignore_ascii_case("http")).then(|| to_https(ctx, &arg.range)).flatten();
                out.push(match fix {
                    Some(fix) => f.with_fix(fix),
                    None => f,
                });
            }
        }
        let insecure = match prog {
            "curl" => v == "--insecure" || curl_bundle_has_k(v),
            _ => v == "--no-check-certificate" || (matches!(prev, "-e" | "--execute") && v.replace(' ', "") == "check_certificate=off"),
        };
        if insecure {
            out.push(insecure_option(ctx, prog, arg));
        }
        prev = v;
    }
}

/// ADD instructions (also as ONBUILD triggers) with their sources (every word but the last).
fn adds<'a>(ctx: &'a Context) -> impl Iterator<Item = (&'a Instruction, &'a [Word])> + 'a {
    ctx.instructions().filter_map(|(_, ins)| {
        let ins = if ins.kind == Kind::Onbuild { ins.nested.as_deref()? } else { ins };
        if ins.kind != Kind::Add {
            return None;
        }
        let words = ins.words();
        let (_, sources) = words.split_last()?;
        Some((ins, sources))
    })
}

fn check_insecure(ctx: &Context, out: &mut Vec<Finding>) {
    for (ins, sources) in adds(ctx) {
        if ins.flag("checksum").is_some() {
            continue;
        }
        for src in sources {
            if src.value.to_ascii_lowercase().starts_with("http://") && plain_url(&src.value).is_some() {
                let f = Finding::new(
                    src.range.clone(),
                    "`ADD` downloads over plain HTTP: the file can be replaced on the way; use https:// or `ADD --checksum=sha256:…`",
                );
                out.push(match to_https(ctx, &src.range) {
                    Some(fix) => f.with_fix(fix),
                    None => f,
                });
            }
        }
    }
    for (idx, _) in ctx.instructions() {
        let run = &ctx.runs[idx];
        if run.commands.is_empty() || verifies(run) {
            continue;
        }
        for cmd in &run.commands {
            check_command(ctx, cmd, out);
        }
    }
    out.sort_by_key(|f| f.range.start);
}

/// Archive and package file endings.
const ARCHIVES: &[&str] = &[
    ".tar", ".tgz", ".tar.gz", ".tbz", ".tbz2", ".tar.bz2", ".txz", ".tar.xz", ".tar.zst", ".tzst", ".tar.lz", ".tar.lzma", ".gz",
    ".bz2", ".xz", ".zst", ".zip", ".7z", ".rar", ".jar", ".war", ".ear", ".whl", ".deb", ".rpm", ".apk",
];

fn check_add_checksum(ctx: &Context, out: &mut Vec<Finding>) {
    for (ins, sources) in adds(ctx) {
        if ins.flag("checksum").is_some() {
            continue;
        }
        for src in sources {
            let lower = src.value.to_ascii_lowercase();
            if !lower.starts_with("https://") {
                continue;
            }
            let path = lower.split(['?', '#']).next().unwrap_or(&lower);
            if ARCHIVES.iter().any(|ext| path.ends_with(ext)) {
                out.push(Finding::new(
                    src.range.clone(),
                    "Remote archive added without `--checksum`: a changed or tampered file would be used without notice; add `--checksum=sha256:<digest>`",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{curl_bundle_has_k, plain_url};

    #[test]
    fn plain_urls_off_this_machine() {
        for u in ["http://example.com/a", "HTTP://Example.com", "ftp://ftp.example.com/x", "http://user@host:8080/x", "http://$MIRROR/x"] {
            assert!(plain_url(u).is_some(), "{u}");
        }
        for u in ["https://example.com", "http://localhost:8080/x", "http://127.0.0.1/x", "http://[::1]:80/", "http://app.localhost/", "file:///x", "http://"] {
            assert!(plain_url(u).is_none(), "{u}");
        }
    }

    #[test]
    fn k_in_curl_bundles() {
        assert!(curl_bundle_has_k("-k") && curl_bundle_has_k("-fsSLk") && curl_bundle_has_k("-kL"));
        assert!(!curl_bundle_has_k("-ok") && !curl_bundle_has_k("--keepalive-time") && !curl_bundle_has_k("-fsSL") && !curl_bundle_has_k("-Hkey"));
    }
}
