//! Every instruction in our words: what it does, its forms (the signatures signature help
//! shows), an example and the reference's anchor.

use crate::syntax::Kind;

pub struct InstructionDoc {
    pub kind: Kind,
    pub summary: &'static str,
    /// Each form's parameters, in order; the label is the keyword followed by them. A
    /// parameter starting with `[--` holds the flags.
    pub forms: &'static [&'static [&'static str]],
    pub example: &'static str,
    /// Section of <https://docs.docker.com/reference/dockerfile/>.
    pub anchor: &'static str,
}

const fn doc(
    kind: Kind,
    summary: &'static str,
    forms: &'static [&'static [&'static str]],
    example: &'static str,
    anchor: &'static str,
) -> InstructionDoc {
    InstructionDoc { kind, summary, forms, example, anchor }
}

pub static INSTRUCTIONS: [InstructionDoc; 18] = [
    doc(
        Kind::From,
        "Starts a build stage from a base image (or `scratch`, or an earlier stage by its name). \
         `AS name` names the stage for `COPY --from`, `RUN --mount=from=` and later `FROM`s. \
         Pin the image to a version tag, or to a digest for builds that never change under you.",
        &[&["[--platform=<platform>]", "<image>[:<tag>][@<digest>]", "[AS <name>]"]],
        "FROM --platform=$BUILDPLATFORM golang:1.23-bookworm AS build",
        "from",
    ),
    doc(
        Kind::Run,
        "Runs a command in a new layer on top of the current image. The shell form runs through \
         the stage's `SHELL` (default `/bin/sh -c`); the exec form runs the program directly. \
         Join related commands with `&&` in one RUN so that, for example, a package index and \
         the install that uses it are cached together.",
        &[
            &["[--mount=<mount>] [--network=<network>] [--security=<mode>]", "<command>"],
            &["[--mount=<mount>] [--network=<network>] [--security=<mode>]", "[\"<executable>\", \"<param>\", …]"],
        ],
        "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt",
        "run",
    ),
    doc(
        Kind::Cmd,
        "The default command of a container started from the image, or the default arguments of \
         its `ENTRYPOINT`. Only the last CMD of a stage counts. Prefer the exec form: with the \
         shell form the process runs under `sh -c` and does not receive `docker stop`'s SIGTERM.",
        &[&["[\"<executable>\", \"<param>\", …]"], &["[\"<param>\", …]"], &["<command>"]],
        "CMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"app:app\"]",
        "cmd",
    ),
    doc(
        Kind::Label,
        "Adds metadata to the image as key-value pairs (`org.opencontainers.image.*` keys are the \
         shared vocabulary). Labels of the base image are inherited.",
        &[&["<key>=<value>", "[<key>=<value> …]"]],
        "LABEL org.opencontainers.image.source=\"https://example.com/app\"",
        "label",
    ),
    doc(
        Kind::Maintainer,
        "Deprecated: sets the image's author field. Use `LABEL org.opencontainers.image.authors=…`.",
        &[&["<name>"]],
        "LABEL org.opencontainers.image.authors=\"team@example.com\"",
        "maintainer-deprecated",
    ),
    doc(
        Kind::Expose,
        "Documents the ports the container listens on (TCP unless `/udp`). It publishes nothing: \
         `docker run -p` or `-P` does that.",
        &[&["<port>[/<protocol>]", "[<port>[/<protocol>] …]"]],
        "EXPOSE 8080/tcp 8125/udp",
        "expose",
    ),
    doc(
        Kind::Env,
        "Sets environment variables for the rest of the stage, for child stages and for \
         containers run from the image. Values are kept in the image: never put secrets here.",
        &[&["<key>=<value>", "[<key>=<value> …]"]],
        "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1",
        "env",
    ),
    doc(
        Kind::Add,
        "Copies files, URLs or Git repositories into the image, and extracts local tar archives. \
         For plain files use `COPY`, whose behaviour is obvious; give remote sources a `--checksum`.",
        &[&["[--chown=<user>:<group>] [--chmod=<mode>] [--checksum=<hash>] [--link] [--exclude=<pattern>]", "<src>…", "<dest>"]],
        "ADD --checksum=sha256:<hex> https://example.com/tool.tar.gz /opt/",
        "add",
    ),
    doc(
        Kind::Copy,
        "Copies files from the build context, a stage (`--from=`), a named context or an image \
         into the image. Copy dependency manifests before the rest of the sources so the install \
         step stays cached when only code changes.",
        &[&["[--from=<stage|image>] [--chown=<user>:<group>] [--chmod=<mode>] [--link] [--parents] [--exclude=<pattern>]", "<src>…", "<dest>"]],
        "COPY --from=build --chown=10001:10001 /out/app /usr/local/bin/app",
        "copy",
    ),
    doc(
        Kind::Entrypoint,
        "The program a container runs; `CMD` (or `docker run` arguments) become its arguments. \
         Use the exec form so the program is PID 1 and receives signals.",
        &[&["[\"<executable>\", \"<param>\", …]"], &["<command>"]],
        "ENTRYPOINT [\"/usr/local/bin/app\"]",
        "entrypoint",
    ),
    doc(
        Kind::Volume,
        "Marks paths as volumes: a container gets a fresh anonymous volume there unless one is \
         mounted. Changes a later instruction makes inside the path are discarded.",
        &[&["<path>", "[<path> …]"], &["[\"<path>\", …]"]],
        "VOLUME /var/lib/app",
        "volume",
    ),
    doc(
        Kind::User,
        "The user (and group) that later RUN, CMD and ENTRYPOINT run as. End the final stage with a \
         non-root user; a numeric UID works with Kubernetes' `runAsNonRoot` checks.",
        &[&["<user>[:<group>]"]],
        "USER 10001:10001",
        "user",
    ),
    doc(
        Kind::Workdir,
        "Sets the working directory for later RUN, CMD, ENTRYPOINT, COPY and ADD, creating it when \
         missing. Prefer an absolute path; use it instead of `cd` in RUN.",
        &[&["<path>"]],
        "WORKDIR /app",
        "workdir",
    ),
    doc(
        Kind::Arg,
        "Declares a build argument, set with `docker build --build-arg`. Before the first FROM it \
         is global and can be used in FROM lines; inside a stage declare it again to use it. \
         Values can end up in the image history: never pass secrets this way (use secret mounts).",
        &[&["<name>[=<default>]", "[<name>[=<default>] …]"]],
        "ARG PYTHON_VERSION=3.12",
        "arg",
    ),
    doc(
        Kind::Onbuild,
        "Registers an instruction that runs when another Dockerfile uses this image as its base, \
         right after that FROM. `ONBUILD FROM` and `ONBUILD ONBUILD` are not allowed.",
        &[&["<INSTRUCTION>"]],
        "ONBUILD COPY . /app/src",
        "onbuild",
    ),
    doc(
        Kind::Stopsignal,
        "The signal `docker stop` sends to the container's main process (default SIGTERM), by name \
         or number.",
        &[&["<signal>"]],
        "STOPSIGNAL SIGQUIT",
        "stopsignal",
    ),
    doc(
        Kind::Healthcheck,
        "How Docker checks that the container still works: the command's exit status 0 means \
         healthy, 1 unhealthy. `HEALTHCHECK NONE` turns off a check inherited from the base image.",
        &[
            &["[--interval=<duration>] [--timeout=<duration>] [--start-period=<duration>] [--start-interval=<duration>] [--retries=<n>]", "CMD <command>"],
            &["NONE"],
        ],
        "HEALTHCHECK --interval=30s --timeout=3s CMD [\"/app\", \"healthcheck\"]",
        "healthcheck",
    ),
    doc(
        Kind::Shell,
        "Replaces the shell that shell-form RUN, CMD and ENTRYPOINT use, as a JSON array. Use it to \
         run with bash and `-o pipefail`, or PowerShell on Windows.",
        &[&["[\"<executable>\", \"<param>\", …]"]],
        "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]",
        "shell",
    ),
];

pub fn instruction(kind: Kind) -> &'static InstructionDoc {
    INSTRUCTIONS.iter().find(|d| d.kind == kind).expect("every kind has docs")
}
