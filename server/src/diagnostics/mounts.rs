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
//!   images known to set a WORKDIR (see `semantics::workdir`: golang's is `/go`);
//! * a WORKDIR with variables, and ONBUILD triggers (they run in another build), are not
//!   judged.

use std::ops::Range;

use super::Diagnostic;
use crate::semantics::workdir::{self, join, Workdir};
use crate::syntax::{Dockerfile, Kind, MountOption, Word};

pub(super) fn check(df: &Dockerfile, out: &mut Vec<Diagnostic>) {
    workdir::walk(df, |_, ins, wd| {
        if ins.kind == Kind::Run {
            for flag in ins.flags.iter().filter(|f| f.name == "mount") {
                mount(flag.range.clone(), &flag.mount, wd, out);
            }
        }
    });
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
