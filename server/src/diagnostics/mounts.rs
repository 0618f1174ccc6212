//! Where a `RUN --mount` of type bind, cache or tmpfs lands. BuildKit joins a relative or
//! missing `target=` to the working directory of the RUN (the stage's WORKDIR, else the base
//! image's), and refuses a mount that resolves to `/` ("invalid mount target"). So
//! `RUN --mount=from=binaries ls` under `WORKDIR /src` mounts at `/src` and is fine.
//!
//! The working directory is followed through the stage and the stages it is built `FROM`:
//! * `FROM scratch` (or a chain of stages starting from it) without a WORKDIR works in `/`,
//!   so a mount that lands there is an error;
//! * a stage from an image without a WORKDIR of its own works in the image's directory, which
//!   dockls cannot see: `/` for most images (alpine, debian, ubuntu, python, node, …), but not
//!   all. A mount that lands there is a warning, not an error, and nothing for the official
//!   images known to set a WORKDIR ([`IMAGES_WITH_WORKDIR`]: golang's is `/go`);
//! * a WORKDIR with variables, and ONBUILD triggers (they run in another build), are not
//!   judged.

use std::ops::Range;

use super::Diagnostic;
use crate::syntax::{Dockerfile, Kind, MountOption, Word};

/// The working directory at one point of a stage.
#[derive(Debug, Clone)]
enum Workdir {
    /// An absolute path, cleaned (`/` for scratch).
    Known(String),
    /// The base image's own working directory (the image as written).
    Image(String),
    /// Set from variables, or relative to something unknown but not `/`.
    Unknown,
}

pub(super) fn check(df: &Dockerfile, out: &mut Vec<Diagnostic>) {
    // Each stage's working directory at its end, for the stages built FROM it.
    let mut ends: Vec<Option<Workdir>> = vec![None; df.stages.len()];
    let mut current: Option<(usize, Workdir)> = None;
    for ins in &df.instructions {
        match ins.kind {
            Kind::From => {
                if let Some((stage, wd)) = current.take() {
                    if let Some(end) = ends.get_mut(stage) {
                        *end = Some(wd);
                    }
                }
                let Some(stage) = ins.stage.and_then(|s| df.stages.get(s)) else { continue };
                let wd = match stage.parent {
                    Some(p) => ends.get(p).cloned().flatten().unwrap_or(Workdir::Unknown),
                    None if stage.image.is_scratch() => Workdir::Known("/".into()),
                    None if stage.image.text.is_empty() || sets_workdir(&stage.image) => Workdir::Unknown,
                    None => Workdir::Image(stage.image.text.clone()),
                };
                current = Some((stage.index, wd));
            }
            Kind::Workdir => {
                let Some((_, wd)) = current.as_mut() else { continue };
                let Some(w) = ins.words().first() else { continue };
                *wd = if w.has_expansions() {
                    Workdir::Unknown
                } else {
                    match &*wd {
                        _ if w.value.starts_with('/') => Workdir::Known(join("/", &w.value)),
                        Workdir::Known(base) => Workdir::Known(join(base, &w.value)),
                        Workdir::Image(image) if join("/", &w.value) == "/" => Workdir::Image(image.clone()),
                        _ => Workdir::Unknown,
                    }
                };
            }
            Kind::Run => {
                let Some((_, wd)) = &current else { continue };
                for flag in ins.flags.iter().filter(|f| f.name == "mount") {
                    mount(flag.range.clone(), &flag.mount, wd, out);
                }
            }
            _ => {}
        }
    }
}

fn mount(range: Range<usize>, options: &[MountOption], wd: &Workdir, out: &mut Vec<Diagnostic>) {
    let value = |keys: &[&str]| options.iter().rev().find(|o| keys.contains(&o.key.as_str())).map(|o| o.value.as_ref());
    let ty = match value(&["type"]) {
        None => "bind".to_string(),
        Some(Some(v)) if !v.has_expansions() => v.value.to_ascii_lowercase().to_string(),
        Some(_) => return,
    };
    if !matches!(ty.as_str(), "bind" | "cache" | "tmpfs") {
        return; // secret and ssh mounts have default targets; unknown types are reported elsewhere
    }
    let target: Option<&Word> = match value(&["target", "dst", "destination"]) {
        Some(Some(v)) if v.has_expansions() => return,
        Some(Some(v)) => Some(v),
        Some(None) => return, // `target` without a value: reported with the options
        None => None,
    };
    let written = target.map_or("", |t| t.value.as_str());
    let at = target.map_or(range.clone(), |t| t.range.clone());
    if written.starts_with('/') {
        if join("/", written) == "/" {
            out.push(Diagnostic::error(
                "invalid-flag-value",
                at,
                format!("A {ty} mount cannot go over `/`: BuildKit fails with `invalid mount target \"/\"`; mount it at a directory"),
            ));
        }
        return;
    }
    if join("/", written) != "/" {
        return; // a relative path with a name in it is below the working directory, never `/`
    }
    let what = match written {
        "" => format!("A {ty} mount without `target=` is mounted at the working directory"),
        rel => format!("A {ty} mount at `{rel}` is the working directory"),
    };
    match wd {
        Workdir::Known(dir) if dir == "/" => out.push(Diagnostic::error(
            "invalid-flag-value",
            at,
            format!("{what}, which is `/` here (no WORKDIR in this stage): BuildKit fails with `invalid mount target \"/\"`; add `target=<path in the container>`"),
        )),
        Workdir::Image(image) => out.push(Diagnostic::warning(
            "invalid-flag-value",
            at,
            format!("{what}, which is `{image}`'s own (no WORKDIR in this stage): `/` for most images, and BuildKit fails with `invalid mount target \"/\"`; add `target=<path in the container>`"),
        )),
        _ => {}
    }
}

/// Official images whose WORKDIR is not `/` (`golang` works in `/go`).
const IMAGES_WITH_WORKDIR: &[&str] = &[
    "golang", "php", "wordpress", "drupal", "joomla", "tomcat", "httpd", "ghost", "gradle", "nextcloud", "composer",
];

fn sets_workdir(image: &crate::syntax::ImageRef) -> bool {
    let official = image.registry.as_ref().is_none_or(|(r, _)| r == "docker.io" || r == "index.docker.io");
    let name = image.repository.0.strip_prefix("library/").unwrap_or(&image.repository.0);
    official && IMAGES_WITH_WORKDIR.contains(&name)
}

/// `rel` joined to the absolute path `base`, cleaned as Go's `path.Join` (`.` and `..`
/// resolved, no trailing slash).
fn join(base: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in base.split('/').chain(rel.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn joins_like_go() {
        assert_eq!(join("/", ""), "/");
        assert_eq!(join("/", "."), "/");
        assert_eq!(join("/src", "sub"), "/src/sub");
        assert_eq!(join("/src", ".."), "/");
        assert_eq!(join("/a/b/", "./c/"), "/a/b/c");
    }
}
