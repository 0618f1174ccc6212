//! Deterministic generator of realistic Dockerfiles of a requested size, shared by the
//! benchmarks (criterion and the side-by-side scripts) so every tool sees the same files.

/// A Dockerfile of exactly `lines` lines (the last one ends with a newline), built from
/// repeated multi-stage blocks: ARG/FROM/ENV/LABEL, long RUN continuations, COPY with flags,
/// heredocs, EXPOSE, USER, HEALTHCHECK and exec-form CMD.
pub fn dockerfile(lines: usize) -> String {
    let mut out: Vec<String> = Vec::with_capacity(lines + 32);
    out.push("# syntax=docker/dockerfile:1".into());
    out.push("ARG BASE_IMAGE=debian:bookworm-slim".into());
    let mut stage = 0usize;
    while out.len() < lines {
        let name = format!("stage{stage}");
        let prev = if stage == 0 { "${BASE_IMAGE}".to_string() } else { format!("stage{}", stage - 1) };
        let block = [
            String::new(),
            format!("# ---- {name}: build step {stage}"),
            format!("FROM --platform=$BUILDPLATFORM {prev} AS {name}"),
            format!("ARG VERSION_{stage}=1.{stage}.0"),
            format!("ENV APP_HOME=/opt/app{stage} PATH=\"/opt/app{stage}/bin:${{PATH}}\""),
            format!("LABEL org.opencontainers.image.version=\"${{VERSION_{stage}:-dev}}\""),
            "WORKDIR /opt/app".into(),
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\".into(),
            "    apt-get update && \\".into(),
            "    apt-get install -y --no-install-recommends \\".into(),
            "        ca-certificates=20230311 \\".into(),
            "        curl=7.88.1-10 \\".into(),
            "        git=1:2.39.2-1.1 && \\".into(),
            "    rm -rf /var/lib/apt/lists/*".into(),
            format!("COPY --link --chown=app:app requirements-{stage}.txt /opt/app/"),
            "RUN pip install --no-cache-dir -r requirements.txt".into(),
            "COPY <<EOF /etc/app.conf".into(),
            format!("name = \"{name}\""),
            "port = 8080".into(),
            "EOF".into(),
            format!("EXPOSE 80{:02}/tcp", stage % 100),
            "USER 10001:10001".into(),
            "HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost:8080/health || exit 1".into(),
            format!("CMD [\"/opt/app/bin/server\", \"--stage\", \"{stage}\"]"),
        ];
        out.extend(block);
        stage += 1;
    }
    out.truncate(lines);
    // Never cut a heredoc open: close it if the cut landed inside one.
    let open = out.iter().rposition(|l| l.starts_with("COPY <<EOF"));
    let close = out.iter().rposition(|l| l == "EOF");
    if let Some(o) = open {
        if close.is_none_or(|c| c < o) {
            let n = out.len();
            out[n - 1] = "EOF".into();
        }
    }
    // Never end on a dangling continuation.
    if let Some(last) = out.last_mut() {
        if last.ends_with('\\') {
            *last = "    true".into();
        }
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn has_requested_line_count() {
        for n in [1, 40, 41, 5000] {
            assert_eq!(super::dockerfile(n).lines().count(), n, "{n}");
        }
    }
}
