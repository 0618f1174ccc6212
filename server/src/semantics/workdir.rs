//! The working directory each instruction of a stage runs in, as far as the Dockerfile tells:
//! the stage's WORKDIRs (a relative one joins the one before), else the stage it is built
//! `FROM`, else `/` for `scratch` and the base image's own directory for an image.

use crate::syntax::{Dockerfile, ImageRef, Instruction, Kind};

/// The working directory at one point of a stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Workdir {
    /// An absolute path, cleaned (`/` for scratch).
    Known(String),
    /// The base image's own working directory (the image as written), which the Dockerfile
    /// does not tell: `/` for most images.
    Image(String),
    /// Set from variables, or relative to something unknown but not `/`.
    Unknown,
}

/// Official images whose WORKDIR is not `/` (`golang` works in `/go`).
const IMAGES_WITH_WORKDIR: &[&str] = &[
    "golang", "php", "wordpress", "drupal", "joomla", "tomcat", "httpd", "ghost", "gradle", "nextcloud", "composer",
];

fn sets_workdir(image: &ImageRef) -> bool {
    let official = image.registry.as_ref().is_none_or(|(r, _)| r == "docker.io" || r == "index.docker.io");
    let name = image.repository.0.strip_prefix("library/").unwrap_or(&image.repository.0);
    official && IMAGES_WITH_WORKDIR.contains(&name)
}

/// Calls `visit` with every top-level instruction of a stage but FROM and WORKDIR (index,
/// instruction, the working directory it runs in), in order. Linear in the file: a stage's
/// directory at its end is kept for the stages built on it.
pub fn walk<'a>(df: &'a Dockerfile, mut visit: impl FnMut(usize, &'a Instruction, &Workdir)) {
    let mut ends: Vec<Option<Workdir>> = vec![None; df.stages.len()];
    let mut current: Option<(usize, Workdir)> = None;
    for (idx, ins) in df.instructions.iter().enumerate() {
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
            _ => {
                if let Some((_, wd)) = &current {
                    visit(idx, ins, wd);
                }
            }
        }
    }
}

/// `rel` joined to the absolute path `base`, cleaned as Go's `path.Join` (`.` and `..`
/// resolved, no trailing slash); an absolute `rel` replaces `base`.
pub fn join(base: &str, rel: &str) -> String {
    let base = if rel.starts_with('/') { "/" } else { base };
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
        assert_eq!(join("/a", "/b/../c"), "/c");
    }
}
