//! The command line: `dockls [serve]`, `dockls check`, `dockls fmt`. Argument types live here; each
//! subcommand has its own module.

pub mod check;
pub mod fmt;
pub mod rule;
pub mod output;
pub mod walk;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostics::Severity;

#[derive(Debug, Parser)]
#[command(name = "dockls", version, about = "Dockerfile language server and linter", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Speak LSP over stdio (what editors pass; the default without a subcommand).
    #[arg(long, global = true, hide = true, overrides_with = "stdio")]
    pub stdio: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the language server over stdio (the default).
    Serve {
        /// Accepted for editors that pass it; stdio is the only transport. Clients that add it
        /// themselves to a command that has it already (vscode-languageclient does) pass it twice.
        #[arg(long, overrides_with = "stdio")]
        stdio: bool,
    },
    /// Check Dockerfiles and report problems.
    Check(CheckArgs),
    /// Format Dockerfiles in place, or check that they are formatted.
    Fmt(FmtArgs),
    /// Show a rule's documentation (by id, hadolint code or BuildKit name), or list them.
    Rule(RuleArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct RuleArgs {
    /// Rule id (`apt-pin`), hadolint code (`DL3008`) or BuildKit check name.
    pub id: Option<String>,
    /// List every rule.
    #[arg(long)]
    pub list: bool,
    /// Print the whole catalogue as Markdown.
    #[arg(long)]
    pub markdown: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct FmtArgs {
    /// Files or directories (searched as `check` does). Default: `.`; `-` formats standard
    /// input to standard output.
    pub paths: Vec<PathBuf>,
    /// Write nothing; exit with status 1 when a file would change.
    #[arg(long)]
    pub check: bool,
    /// Write nothing; print a unified diff of what would change (exit status 1 when any).
    #[arg(long)]
    pub diff: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// Files or directories (directories are searched for Dockerfile, Containerfile,
    /// *.Dockerfile, *.dockerfile and Dockerfile.*, honouring .gitignore). Default: `.`.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit with status 1 when a problem at or above this severity is found.
    #[arg(long, value_enum, default_value_t = FailLevel::Warning)]
    pub fail_level: FailLevel,
    /// Colour: auto (on a terminal), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Apply safe fixes to the files, then report what remains.
    #[arg(long)]
    pub fix: bool,
    /// With --fix (or --diff), also apply fixes that can change the build's behaviour.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes `--fix` would apply as a unified diff, instead of writing them (exit
    /// status 1 when there is one).
    #[arg(long)]
    pub diff: bool,
    /// Run ShellCheck on RUN bodies: auto (when installed), always, never.
    #[arg(long, value_enum, default_value_t = ShellcheckChoice::Auto)]
    pub shellcheck: ShellcheckChoice,
    /// Never query registries or OSV (base image platforms and vulnerabilities then come from
    /// the cache only). Also `DOCKLS_OFFLINE=1` or `[registries] offline = true`.
    #[arg(long)]
    pub offline: bool,
    /// Neither read nor write the ShellCheck results kept between runs
    /// (`$XDG_CACHE_HOME/dockls/shellcheck`, else `~/.cache/dockls/shellcheck`).
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellcheckChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailLevel {
    Error,
    Warning,
    Info,
    Hint,
    /// Never fail because of findings.
    None,
}

impl FailLevel {
    /// Whether a finding of `severity` makes the run fail.
    pub fn fails(self, severity: Severity) -> bool {
        let limit = match self {
            FailLevel::Error => Severity::Error,
            FailLevel::Warning => Severity::Warning,
            FailLevel::Info => Severity::Info,
            FailLevel::Hint => Severity::Hint,
            FailLevel::None => return false,
        };
        severity <= limit
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    #[test]
    fn stdio_given_twice_is_accepted() {
        // vscode-languageclient appends `--stdio` to a command line that may have it already.
        for args in [&["dockls", "serve", "--stdio", "--stdio"][..], &["dockls", "--stdio", "--stdio"], &["dockls", "serve"]] {
            assert!(super::Cli::try_parse_from(args).is_ok(), "{args:?}");
        }
    }
}
