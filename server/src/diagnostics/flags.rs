//! The flags each instruction accepts, and what their values must look like.

use crate::syntax::Kind;

/// What a flag's value must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagValue {
    /// Any text (`--from=build`, `--chown=app:app`, `--exclude=*.md`).
    Text,
    /// `--link`, `--parents`: no value, or `true`/`false`.
    Bool,
    /// A Go duration (`30s`, `1m30s`).
    Duration,
    /// A non-negative integer.
    Count,
    /// Octal or symbolic mode (`755`, `u=rwx,go=rx`).
    Mode,
    /// `os/arch[/variant]`.
    Platform,
    /// `sha256:<hex>`.
    Checksum,
    /// One of a fixed set.
    OneOf(&'static [&'static str]),
    /// `--mount=type=…,key=value,…`.
    Mount,
}

pub struct FlagSpec {
    pub name: &'static str,
    pub value: FlagValue,
    pub doc: &'static str,
}

const fn f(name: &'static str, value: FlagValue, doc: &'static str) -> FlagSpec {
    FlagSpec { name, value, doc }
}

const FROM: &[FlagSpec] = &[f("platform", FlagValue::Platform, "Platform of the base image, e.g. `linux/amd64` or `$BUILDPLATFORM`.")];
const RUN: &[FlagSpec] = &[
    f("mount", FlagValue::Mount, "Mount a cache, secret, SSH agent, tmpfs or bind source for this RUN only."),
    f("network", FlagValue::OneOf(&["default", "none", "host"]), "Network for the command: `default`, `none` or `host`."),
    f("security", FlagValue::OneOf(&["sandbox", "insecure"]), "`insecure` runs the command without the sandbox (needs an entitlement)."),
    f("device", FlagValue::Text, "Give the command a CDI device (`vendor.com/class=name`, `,required` to fail without it); Dockerfile labs syntax."),
];
const COPY: &[FlagSpec] = &[
    f("from", FlagValue::Text, "Copy from a build stage, a named context or an image instead of the build context."),
    f("chown", FlagValue::Text, "Owner of the copied files: `user[:group]` (names or IDs)."),
    f("chmod", FlagValue::Mode, "Permissions of the copied files, octal (`755`) or symbolic (`u=rwx,go=rx`)."),
    f("link", FlagValue::Bool, "Copy into an independent layer, so the copy survives changes to earlier layers in the cache."),
    f("parents", FlagValue::Bool, "Keep the parent directories of the sources under the destination."),
    f("exclude", FlagValue::Text, "Leave out paths matching this pattern."),
];
const ADD: &[FlagSpec] = &[
    f("chown", FlagValue::Text, "Owner of the added files: `user[:group]` (names or IDs)."),
    f("chmod", FlagValue::Mode, "Permissions of the added files, octal (`755`) or symbolic (`u=rwx,go=rx`)."),
    f("link", FlagValue::Bool, "Add into an independent layer, so it survives changes to earlier layers in the cache."),
    f("checksum", FlagValue::Checksum, "Verify a remote source against this checksum (`sha256:…`)."),
    f("keep-git-dir", FlagValue::Bool, "Keep the `.git` directory when adding a Git repository."),
    f("exclude", FlagValue::Text, "Leave out paths matching this pattern."),
    f("unpack", FlagValue::Bool, "Whether to extract a local or remote archive (`true`/`false`)."),
];
const HEALTHCHECK: &[FlagSpec] = &[
    f("interval", FlagValue::Duration, "Time between checks (default `30s`)."),
    f("timeout", FlagValue::Duration, "A check taking longer than this fails (default `30s`)."),
    f("start-period", FlagValue::Duration, "Failures during this start-up time do not count (default `0s`)."),
    f("start-interval", FlagValue::Duration, "Time between checks during the start period (default `5s`)."),
    f("retries", FlagValue::Count, "Consecutive failures before the container is unhealthy (default `3`)."),
];

/// Flags accepted by an instruction.
pub fn flags_for(kind: Kind) -> &'static [FlagSpec] {
    match kind {
        Kind::From => FROM,
        Kind::Run => RUN,
        Kind::Copy => COPY,
        Kind::Add => ADD,
        Kind::Healthcheck => HEALTHCHECK,
        _ => &[],
    }
}

/// The keys BuildKit's `--mount` parser knows (aliases included), for every type.
pub const MOUNT_KEYS: &[&str] = &[
    "type", "id", "target", "dst", "destination", "source", "src", "from", "readonly", "ro", "readwrite", "rw",
    "required", "sharing", "mode", "uid", "gid", "size", "env",
];

/// Keys BuildKit accepts for some mount types only, with those types.
pub fn mount_key_types(key: &str) -> Option<&'static [&'static str]> {
    Some(match key {
        "required" => &["secret", "ssh"],
        "sharing" => &["cache"],
        "size" => &["tmpfs"],
        "env" => &["secret"],
        _ => return None,
    })
}

pub const MOUNT_TYPES: &[&str] = &["bind", "cache", "tmpfs", "secret", "ssh"];
