use std::process::ExitCode;

use clap::Parser;
use dockls::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None | Some(Command::Serve { .. }) => dockls::lsp::run(),
        Some(Command::Check(args)) => dockls::cli::check::run(&args),
        Some(Command::Rule(args)) => dockls::cli::rule::run(&args),
    }
}
