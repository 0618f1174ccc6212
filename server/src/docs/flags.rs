//! Flags, `--mount` types and keys: an example for each flag (its one-line description is the
//! flag table in `diagnostics::flags`, which also validates values), and the mount docs.

use crate::syntax::Kind;

/// An example line for a flag of an instruction.
pub fn flag_example(kind: Kind, name: &str) -> Option<&'static str> {
    Some(match (kind, name) {
        (Kind::From, "platform") => "FROM --platform=$BUILDPLATFORM golang:1.23 AS build",
        (Kind::Run, "mount") => "RUN --mount=type=cache,target=/root/.cache/go-build go build ./...",
        (Kind::Run, "network") => "RUN --network=none make test",
        (Kind::Run, "security") => "RUN --security=insecure ./needs-privileges.sh",
        (Kind::Run, "device") => "RUN --device=nvidia.com/gpu=all nvidia-smi",
        (Kind::Copy | Kind::Add, "chown") => "COPY --chown=10001:10001 . /app",
        (Kind::Copy | Kind::Add, "chmod") => "COPY --chmod=755 entrypoint.sh /usr/local/bin/",
        (Kind::Copy | Kind::Add, "link") => "COPY --link --from=build /out/app /app",
        (Kind::Copy | Kind::Add, "exclude") => "COPY --exclude=*.md --exclude=tests/ . /app",
        (Kind::Copy, "from") => "COPY --from=build /out/app /usr/local/bin/app",
        (Kind::Copy, "parents") => "COPY --parents ./services/*/package.json /app/",
        (Kind::Add, "checksum") => "ADD --checksum=sha256:<hex> https://example.com/tool.tar.gz /opt/",
        (Kind::Add, "keep-git-dir") => "ADD --keep-git-dir=true https://github.com/org/repo.git#v1.2 /src",
        (Kind::Add, "unpack") => "ADD --unpack=false archive.tar.gz /srv/",
        (Kind::Healthcheck, "interval") => "HEALTHCHECK --interval=30s CMD [\"/app\", \"health\"]",
        (Kind::Healthcheck, "timeout") => "HEALTHCHECK --timeout=5s CMD [\"/app\", \"health\"]",
        (Kind::Healthcheck, "start-period") => "HEALTHCHECK --start-period=1m CMD [\"/app\", \"health\"]",
        (Kind::Healthcheck, "start-interval") => "HEALTHCHECK --start-period=1m --start-interval=2s CMD [\"/app\", \"health\"]",
        (Kind::Healthcheck, "retries") => "HEALTHCHECK --retries=5 CMD [\"/app\", \"health\"]",
        _ => return None,
    })
}

pub struct MountTypeDoc {
    pub name: &'static str,
    pub summary: &'static str,
    pub keys: &'static [&'static str],
    pub example: &'static str,
}

pub static MOUNT_TYPES: [MountTypeDoc; 5] = [
    MountTypeDoc {
        name: "bind",
        summary: "Mounts files of the build context, a stage or an image for this RUN only (read-only \
                  unless `rw`): use the files without copying them into a layer.",
        keys: &["target", "source", "from", "rw"],
        example: "RUN --mount=type=bind,source=go.sum,target=go.sum go mod download",
    },
    MountTypeDoc {
        name: "cache",
        summary: "A directory kept between builds for package-manager and compiler caches: installs \
                  get faster and the cache never lands in the image.",
        keys: &["target", "id", "sharing", "from", "source", "mode", "uid", "gid", "ro"],
        example: "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update",
    },
    MountTypeDoc {
        name: "tmpfs",
        summary: "An in-memory directory for this RUN only.",
        keys: &["target", "size"],
        example: "RUN --mount=type=tmpfs,target=/tmp,size=512m make test",
    },
    MountTypeDoc {
        name: "secret",
        summary: "A secret passed with `docker build --secret`, as a file (default \
                  `/run/secrets/<id>`) or an environment variable (`env=`) for this RUN only: it \
                  never lands in a layer or the image history.",
        keys: &["id", "target", "env", "required", "mode", "uid", "gid"],
        example: "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci",
    },
    MountTypeDoc {
        name: "ssh",
        summary: "Gives the command the SSH agent forwarded with `docker build --ssh`, for cloning \
                  private repositories without a key in the image.",
        keys: &["id", "target", "required", "mode", "uid", "gid"],
        example: "RUN --mount=type=ssh git clone git@github.com:org/private.git",
    },
];

pub fn mount_type(name: &str) -> Option<&'static MountTypeDoc> {
    MOUNT_TYPES.iter().find(|t| t.name == name)
}

/// What a `--mount` key means (aliases share the text).
pub fn mount_key(key: &str) -> Option<&'static str> {
    Some(match key {
        "type" => "The mount type: `bind` (default), `cache`, `tmpfs`, `secret` or `ssh`.",
        "target" | "dst" | "destination" => {
            "Where the mount appears in the RUN's filesystem; relative paths are joined to the WORKDIR. \
             For secrets the default is `/run/secrets/<id>`, for SSH a socket path."
        }
        "source" | "src" => "The path inside `from` (or the build context) to mount; default its root.",
        "from" => "A stage, image or named context to mount from instead of the build context (bind), or to seed the cache with (cache).",
        "id" => "The cache, secret or SSH identity to use. Caches with the same id are shared; a secret's id is the `--secret id=` of `docker build`.",
        "readonly" | "ro" => "Mount read-only (the default for bind mounts).",
        "readwrite" | "rw" => "Allow writes to a bind mount; they are thrown away after the RUN.",
        "required" => "Fail the build when the secret or SSH agent is not provided (default: the mount is skipped).",
        "sharing" => "How builds running at the same time share a cache: `shared` (default), `private` (a new one each) or `locked` (one at a time — needed for apt).",
        "mode" => "File mode of the cache directory or secret file, octal (default `0755` for caches, `0400` for secrets).",
        "uid" => "User ID owning the cache directory or secret file (default 0).",
        "gid" => "Group ID owning the cache directory or secret file (default 0).",
        "size" => "Size limit of a tmpfs mount (`512m`, `1g`).",
        "env" => "Expose the secret as this environment variable instead of a file.",
        _ => return None,
    })
}

/// A parser directive's meaning and example.
pub fn directive(name: &str) -> Option<(&'static str, &'static str)> {
    Some(match name.to_ascii_lowercase().as_str() {
        "syntax" => (
            "The BuildKit frontend image that parses this Dockerfile. `docker/dockerfile:1` always gets the \
             newest stable 1.x syntax (heredocs, `--mount`, `--link`, `--exclude`…); pin a minor version for \
             reproducible builds. Must be the first line(s), before any instruction or other comment.",
            "# syntax=docker/dockerfile:1",
        ),
        "escape" => (
            "The character that escapes characters and continues lines: `\\` (default) or `` ` ``, which \
             Windows Dockerfiles use so that paths like `C:\\app` need no doubling.",
            "# escape=`",
        ),
        "check" => (
            "Configures BuildKit's build checks: `skip=` a comma-separated list of check names (or `all`), \
             `error=true` to fail the build on a check's warning.",
            "# check=skip=JSONArgsRecommended;error=true",
        ),
        _ => return None,
    })
}
