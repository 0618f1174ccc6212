//! The hover of a FROM image: what the reference names (registry, repository, tag, digest)
//! and, when the registry's answer is cached, what the image is (platforms, age) and how it
//! runs on the build's platform (user, working dir, ports, entrypoint, cmd). Markdown; pure.

use crate::registry::{image::age, ImageInfo, Platform, Reference};

/// Why the registry's answer is not there (when it is not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Being asked for now.
    Asking,
    /// Registries are not asked.
    Offline,
    /// The registry did not answer lately (the log says why).
    Failed,
}

/// `written`: the image as the FROM names it, build args resolved; `image`: the cached
/// answer for it, if any, else why not; `now`: seconds since the Unix epoch (for ages).
pub fn render(written: &str, r: &Reference, image: Result<&ImageInfo, Missing>, target: &Platform, now: u64) -> String {
    let mut rows: Vec<(&str, String)> = vec![("registry", r.registry.clone()), ("repository", r.repository.clone())];
    if let Some(t) = &r.tag {
        rows.push(("tag", t.clone()));
    }
    let digest = r.digest.clone().or_else(|| image.ok().map(|i| i.digest.clone()));
    if let Some(d) = digest {
        rows.push(("digest", format!("`{d}`")));
    }
    let mut note = None;
    match image {
        Ok(info) => {
            let platforms: Vec<String> = info.platforms().iter().map(ToString::to_string).collect();
            if !platforms.is_empty() {
                rows.push(("platforms", platforms.join(", ")));
            }
            if let Some(one) = info.for_platform(target) {
                let c = &one.config;
                if let Some(created) = &c.created {
                    let day = created.get(..10).unwrap_or(created);
                    rows.push(("created", age(created, now).map_or_else(|| day.to_string(), |a| format!("{day} ({a})"))));
                }
                rows.push(("user", c.user.clone().unwrap_or_else(|| "root (not set)".into())));
                if let Some(w) = &c.working_dir {
                    rows.push(("working dir", format!("`{w}`")));
                }
                if !c.exposed_ports.is_empty() {
                    rows.push(("exposed ports", c.exposed_ports.join(", ")));
                }
                if let Some(e) = &c.entrypoint {
                    rows.push(("entrypoint", exec_form(e)));
                }
                if let Some(cmd) = &c.cmd {
                    rows.push(("cmd", exec_form(cmd)));
                }
                if info.images.len() > 1 {
                    let on = one.platform.as_ref().map_or_else(|| "its first platform".to_string(), ToString::to_string);
                    note = Some(format!("How it runs on {on}."));
                }
            }
        }
        Err(Missing::Asking) => note = Some("Asking its registry: the image's details show here once it has answered.".into()),
        Err(Missing::Offline) => note = Some("Not in the cache, and registries are not asked (offline).".into()),
        Err(Missing::Failed) => note = Some("Its registry did not answer (the log says why); asked again in a few minutes.".into()),
    }
    let mut out = format!("**{}**\n\n| | |\n|---|---|\n", written.replace('|', "\\|"));
    for (k, v) in rows {
        out.push_str(&format!("| {k} | {} |\n", v.replace('|', "\\|")));
    }
    if let Some(n) = note {
        out.push('\n');
        out.push_str(&n);
        out.push('\n');
    }
    out
}

/// `["/bin/app", "--serve"]` as a JSON array in code.
fn exec_form(args: &[String]) -> String {
    format!("`{}`", serde_json::to_string(args).unwrap_or_default().replace('`', "'"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{ImageConfig, PlatformImage};

    fn config(arch: &str, user: Option<&str>) -> PlatformImage {
        PlatformImage {
            platform: Platform::parse(&format!("linux/{arch}")),
            digest: format!("sha256:{arch}"),
            config: ImageConfig {
                user: user.map(str::to_string),
                env: vec!["PATH=/usr/bin".into()],
                working_dir: Some("/srv".into()),
                exposed_ports: vec!["8080/tcp".into()],
                entrypoint: None,
                cmd: Some(vec!["/bin/app".into(), "--serve".into()]),
                labels: Default::default(),
                created: Some("2024-04-28T10:00:00Z".into()),
            },
        }
    }

    #[test]
    fn known_image() {
        let r = Reference::parse("python:3.12-slim").unwrap();
        let info = ImageInfo { digest: format!("sha256:{}", "ab".repeat(32)), media_type: None, images: vec![config("amd64", Some("app")), config("arm64", None)] };
        insta::assert_snapshot!(render("python:3.12-slim", &r, Ok(&info), &Platform::parse("linux/arm64").unwrap(), 1_714_557_600), @r#"
        **python:3.12-slim**

        | | |
        |---|---|
        | registry | docker.io |
        | repository | library/python |
        | tag | 3.12-slim |
        | digest | `sha256:abababababababababababababababababababababababababababababababab` |
        | platforms | linux/amd64, linux/arm64 |
        | created | 2024-04-28 (3 days ago) |
        | user | root (not set) |
        | working dir | `/srv` |
        | exposed ports | 8080/tcp |
        | cmd | `["/bin/app","--serve"]` |

        How it runs on linux/arm64.
        "#);
    }

    #[test]
    fn not_looked_up_yet() {
        let r = Reference::parse("ghcr.io/acme/app@sha256:0123").unwrap();
        let text = render("ghcr.io/acme/app@sha256:0123", &r, Err(Missing::Asking), &Platform::parse("linux/amd64").unwrap(), 0);
        assert!(text.contains("| registry | ghcr.io |") && text.contains("| digest | `sha256:0123` |") && text.contains("Asking its registry"), "{text}");
        let offline = render("ghcr.io/acme/app@sha256:0123", &r, Err(Missing::Offline), &Platform::parse("linux/amd64").unwrap(), 0);
        assert!(offline.contains("(offline)"), "{offline}");
    }
}
