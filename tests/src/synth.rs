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
            // `$APP_HOME` unquoted: something for ShellCheck to report in every block.
            "RUN pip install --no-cache-dir -r requirements.txt --target $APP_HOME".into(),
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

/// The file shapes the benchmarks run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// [`dockerfile`]: every kind of instruction, few RUNs (≈ 8 per 100 lines).
    Mixed,
    /// [`run_dense`]: ≈ 14 RUNs per 100 lines, each a distinct script.
    RunDense,
}

impl Shape {
    pub fn parse(s: &str) -> Option<Shape> {
        match s {
            "mixed" | "synth" => Some(Shape::Mixed),
            "run-dense" => Some(Shape::RunDense),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Shape::Mixed => "mixed",
            Shape::RunDense => "run-dense",
        }
    }

    pub fn generate(self, lines: usize) -> String {
        match self {
            Shape::Mixed => dockerfile(lines),
            Shape::RunDense => run_dense(lines),
        }
    }
}

/// A RUN-dense Dockerfile of exactly `lines` lines, shaped like build files of compiled
/// projects: many stages of apt/pip/npm installs, downloads, configure/make steps and loops,
/// ≈ 14 RUNs per 100 lines. Every RUN differs from the others (a stage number in its
/// script), as in real files, so no cache can answer one RUN with another's results; some
/// scripts have what ShellCheck reports (an unquoted `$(nproc)`, `cd` without `|| exit`).
pub fn run_dense(lines: usize) -> String {
    let mut out: Vec<String> = Vec::with_capacity(lines + 48);
    out.push("# syntax=docker/dockerfile:1".into());
    out.push("ARG DEBIAN_VERSION=bookworm".into());
    let mut stage = 0usize;
    while out.len() < lines {
        let s = stage;
        let block = [
            String::new(),
            format!("FROM debian:${{DEBIAN_VERSION}}-slim AS build{s}"),
            "ARG DEBIAN_FRONTEND=noninteractive".into(),
            format!("ENV PREFIX=/opt/tool{s}"),
            format!("WORKDIR /src/tool{s}"),
            "RUN apt-get update \\".into(),
            "    && apt-get install -y --no-install-recommends \\".into(),
            "        build-essential \\".into(),
            "        ca-certificates \\".into(),
            "        curl \\".into(),
            format!("        libssl{s}-dev \\"),
            "        pkg-config \\".into(),
            "    && rm -rf /var/lib/apt/lists/*".into(),
            format!("RUN curl -fsSL https://downloads.example.com/tool-{s}.tar.gz -o /tmp/tool.tar.gz \\"),
            format!("    && echo \"{:064x}  /tmp/tool.tar.gz\" | sha256sum -c - \\", s as u64 * 7919),
            "    && tar -xzf /tmp/tool.tar.gz --strip-components=1 \\".into(),
            "    && rm /tmp/tool.tar.gz".into(),
            "COPY requirements.txt package.json package-lock.json ./".into(),
            "RUN pip install --no-cache-dir -r requirements.txt \\".into(),
            format!("    && npm ci --omit=dev --prefix /opt/node{s} \\"),
            "    && npm cache clean --force".into(),
            "COPY . .".into(),
            "RUN ./configure --prefix=\"$PREFIX\" \\".into(),
            "    && make -j$(nproc) \\".into(),
            format!("    && make install DESTDIR=/out{s}"),
            "RUN for f in \"$PREFIX\"/bin/*; do \\".into(),
            "        strip \"$f\" || true; \\".into(),
            "    done \\".into(),
            "    && if [ -d \"$PREFIX/share/doc\" ]; then rm -rf \"$PREFIX/share/doc\"; fi \\".into(),
            format!("    && cd /out{s} && tar -czf /tool{s}.tar.gz ."),
            String::new(),
            format!("FROM debian:${{DEBIAN_VERSION}}-slim AS runtime{s}"),
            format!("COPY --from=build{s} /out{s}/ /"),
            "LABEL org.opencontainers.image.licenses=\"Apache-2.0\"".into(),
            "USER 10001".into(),
            format!("CMD [\"/opt/tool{s}/bin/tool\", \"--serve\"]"),
        ];
        out.extend(block);
        stage += 1;
    }
    out.truncate(lines);
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
            assert_eq!(super::run_dense(n).lines().count(), n, "{n}");
        }
    }

    #[test]
    fn run_dense_has_fourteen_runs_per_hundred_lines() {
        let text = super::run_dense(5000);
        let runs = text.lines().filter(|l| l.starts_with("RUN ")).count();
        assert!((650..=750).contains(&runs), "{runs} RUNs in 5,000 lines");
    }
}
