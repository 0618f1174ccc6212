//! Validators for argument and flag values, written from the Dockerfile reference and the
//! distribution reference grammar.

/// Go duration syntax as Docker parses HEALTHCHECK times: `1h2m3.5s`, `500ms`.
/// A Go duration's length in seconds (`1m30s` → 90), when it is one.
pub fn duration_seconds(s: &str) -> Option<f64> {
    if !is_duration(s) {
        return None;
    }
    let mut total = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let (unit, scale) = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1.0), ("m", 60.0), ("h", 3600.0)]
            .into_iter()
            .filter(|(u, _)| rest.starts_with(u))
            .max_by_key(|(u, _)| u.len())
            .unwrap_or(("", 0.0));
        rest = &rest[unit.len()..];
        total += n * scale;
    }
    Some(total)
}

pub fn is_duration(s: &str) -> bool {
    let mut rest = s;
    if rest.is_empty() {
        return false;
    }
    if rest == "0" {
        return true;
    }
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 || rest[..num_len].matches('.').count() > 1 {
            return false;
        }
        rest = &rest[num_len..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .into_iter()
            .filter(|u| rest.starts_with(u))
            .max_by_key(|u| u.len());
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

/// `755`, `0644`, or symbolic `u=rwx,g=rx,o=` (BuildKit 1.14+).
pub fn is_mode(s: &str) -> bool {
    if !s.is_empty() && s.len() <= 4 && s.chars().all(|c| ('0'..='7').contains(&c)) {
        return true;
    }
    !s.is_empty()
        && s.split(',').all(|clause| {
            let Some(op) = clause.find(['=', '+', '-']) else { return false };
            clause[..op].chars().all(|c| "ugoa".contains(c))
                && clause[op + 1..].chars().all(|c| "rwxXst".contains(c))
        })
}

/// `os/arch[/variant]`, lowercase, as in `linux/amd64` or `linux/arm/v7`.
/// `os/arch[/variant]`, or one part that containerd's `platforms.Parse` knows as an OS or an
/// architecture on its own (`linux`, `arm64`).
pub fn is_platform(s: &str) -> bool {
    const ALONE: &[&str] = &[
        "linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "solaris", "illumos", "android", "ios", "aix",
        "dragonfly", "plan9", "js", "wasip1", "amd64", "x86_64", "x86-64", "arm64", "aarch64", "arm", "armhf", "armel",
        "386", "i386", "i686", "ppc64le", "ppc64", "s390x", "riscv64", "mips64le", "mips64", "mipsle", "mips", "loong64",
        "wasm",
    ];
    let parts: Vec<&str> = s.split('/').collect();
    if parts.len() == 1 {
        return ALONE.contains(&s.to_ascii_lowercase().as_str());
    }
    (2..=3).contains(&parts.len())
        && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'))
}

pub fn is_checksum(s: &str) -> bool {
    match s.split_once(':') {
        Some(("sha256", hex)) => hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()),
        Some(("sha384", hex)) => hex.len() == 96 && hex.chars().all(|c| c.is_ascii_hexdigit()),
        Some(("sha512", hex)) => hex.len() == 128 && hex.chars().all(|c| c.is_ascii_hexdigit()),
        _ => false,
    }
}

/// Why an image reference is malformed, or `None` if it is valid. Only for references
/// without expansions.
pub fn image_ref_problem(repository: &str, tag: Option<&str>, digest: Option<&str>, registry: Option<&str>) -> Option<String> {
    if let Some(reg) = registry {
        let host = reg.split(':').next().unwrap_or("");
        let port_ok = reg.split_once(':').is_none_or(|(_, p)| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        if host.is_empty() || !port_ok || !host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
            return Some(format!("invalid registry host `{reg}`"));
        }
    }
    if repository.is_empty() {
        return Some("the image name is empty".into());
    }
    if repository.chars().any(|c| c.is_ascii_uppercase()) {
        return Some(format!("repository name `{repository}` must be lowercase"));
    }
    for component in repository.split('/') {
        let ok = !component.is_empty()
            && component.starts_with(|c: char| c.is_ascii_alphanumeric())
            && component.ends_with(|c: char| c.is_ascii_alphanumeric())
            && component.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
        if !ok {
            return Some(format!("invalid repository name component `{component}`"));
        }
    }
    if let Some(tag) = tag {
        let ok = !tag.is_empty()
            && tag.len() <= 128
            && tag.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            && tag.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        if !ok {
            return Some(format!("invalid tag `{tag}`: use letters, digits, `_`, `.` and `-` (up to 128)"));
        }
    }
    if let Some(digest) = digest {
        let ok = match digest.split_once(':') {
            Some((algo, hex)) => {
                !algo.is_empty()
                    && algo.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+._-".contains(c))
                    && hex.len() >= 32
                    && hex.chars().all(|c| c.is_ascii_hexdigit())
            }
            None => false,
        };
        if !ok {
            return Some(format!("invalid digest `{digest}`: expected `sha256:` and 64 hex digits"));
        }
    }
    None
}

/// Why a whole image reference (`registry/repo:tag@digest`, no variables) is invalid, if it is:
/// split as FROM's is, then [`image_ref_problem`].
pub fn reference_problem(image: &str) -> Option<String> {
    if image.is_empty() {
        return Some("the image name is empty".into());
    }
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (path, tag) = match name[last_slash..].rfind(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    if tag == Some("") {
        return Some("the tag after `:` is empty".into());
    }
    let (registry, repository) = match path.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (Some(first), rest),
        _ => (None, path),
    };
    image_ref_problem(repository, tag, digest, registry)
}

const SIGNALS: &[&str] = &[
    "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE", "POLL",
    "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "UNUSED", "URG",
    "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
];

/// Signal names Docker accepts in STOPSIGNAL: `SIGTERM`, `TERM`, `9`, `SIGRTMIN+3`.
pub fn is_signal(s: &str) -> bool {
    if let Ok(n) = s.parse::<u32>() {
        return (1..=64).contains(&n);
    }
    let upper = s.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    if SIGNALS.contains(&name) {
        return true;
    }
    for base in ["RTMIN", "RTMAX"] {
        if let Some(rest) = name.strip_prefix(base) {
            if rest.is_empty() {
                return true;
            }
            if let Some(n) = rest.strip_prefix(['+', '-']) {
                return n.parse::<u32>().is_ok_and(|n| n <= 30);
            }
        }
    }
    false
}

pub fn signal_names() -> impl Iterator<Item = String> {
    SIGNALS.iter().map(|s| format!("SIG{s}"))
}

/// Problems with one EXPOSE argument (without expansions): `80`, `80/tcp`, `8000-8010/udp`.
pub enum PortProblem {
    /// `127.0.0.1:80:80` or `8080:80`: publishing belongs to `docker run -p`.
    Mapping,
    OutOfRange(u64),
    Protocol(String),
    Malformed,
    /// `8010-8000`: Docker rejects a range that ends before it starts.
    ReversedRange,
}

pub fn port_problem(arg: &str) -> Option<PortProblem> {
    let (ports, proto) = match arg.split_once('/') {
        Some((p, proto)) => (p, Some(proto)),
        None => (arg, None),
    };
    if ports.contains(':') {
        return Some(PortProblem::Mapping);
    }
    let (lo, hi) = match ports.split_once('-') {
        Some((a, b)) => (a, Some(b)),
        None => (ports, None),
    };
    for p in std::iter::once(lo).chain(hi) {
        if p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) {
            return Some(PortProblem::Malformed);
        }
        let n: u64 = p.parse().unwrap_or(u64::MAX);
        if n > 65535 {
            return Some(PortProblem::OutOfRange(n));
        }
    }
    if hi.is_some_and(|hi| hi.parse::<u64>().unwrap_or(0) < lo.parse::<u64>().unwrap_or(0)) {
        return Some(PortProblem::ReversedRange);
    }
    if let Some(proto) = proto {
        if !["tcp", "udp", "sctp"].contains(&proto.to_ascii_lowercase().as_str()) {
            return Some(PortProblem::Protocol(proto.to_string()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for ok in ["30s", "1m30s", "500ms", "1.5h", "0", "2h45m"] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in ["30", "s", "1x", "", "1..5s", "5 s"] {
            assert!(!is_duration(bad), "{bad}");
        }
    }

    #[test]
    fn duration_lengths() {
        assert_eq!(duration_seconds("1m30s"), Some(90.0));
        assert_eq!(duration_seconds("500ms"), Some(0.5));
        assert_eq!(duration_seconds("0"), Some(0.0));
        assert!(duration_seconds("500us").is_some_and(|d| d < 1e-3));
        assert_eq!(duration_seconds("30"), None);
    }

    #[test]
    fn modes_platforms_checksums_signals() {
        assert!(is_mode("755") && is_mode("0644") && is_mode("u=rwx,go=rx"));
        assert!(!is_mode("999") && !is_mode("rwx"));
        assert!(is_platform("linux/amd64") && is_platform("linux/arm/v7"));
        // One part: an OS or an architecture containerd knows on its own.
        assert!(is_platform("linux") && is_platform("arm64") && is_platform("Windows"));
        assert!(!is_platform("linx") && !is_platform("linux/") && !is_platform(""));
        assert!(is_checksum(&format!("sha256:{}", "a".repeat(64))));
        assert!(!is_checksum("sha256:abc"));
        assert!(is_signal("SIGTERM") && is_signal("term") && is_signal("9") && is_signal("SIGRTMIN+3"));
        assert!(!is_signal("SIGFOO") && !is_signal("0") && !is_signal("99"));
    }

    #[test]
    fn image_refs() {
        assert!(image_ref_problem("library/python", Some("3.12-slim"), None, None).is_none());
        assert!(image_ref_problem("Python", None, None, None).unwrap().contains("lowercase"));
        assert!(image_ref_problem("python", Some("-bad"), None, None).is_some());
        assert!(image_ref_problem("python", None, Some("sha256:xyz"), None).is_some());
        assert!(image_ref_problem("app", None, None, Some("localhost:5000")).is_none());
    }
}
