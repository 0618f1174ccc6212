//! `dockls rule <id>`: a rule's documentation; `--list`: every rule; `--markdown`: the whole
//! catalogue as Markdown (what `docs/rules.md` is generated from).

use std::process::ExitCode;

use crate::lint::{docs, rule, rules};

pub fn run(args: &super::RuleArgs) -> ExitCode {
    if args.markdown {
        print!("{}", docs::catalogue_markdown());
        return ExitCode::SUCCESS;
    }
    if args.list || args.id.is_none() {
        for r in rules::all() {
            let aliases: Vec<&str> = r.hadolint.iter().copied().chain(r.buildkit).collect();
            println!("{:<28} {:<8} {}{}", r.id, r.severity.as_str(), r.summary, if aliases.is_empty() { String::new() } else { format!(" ({})", aliases.join(", ")) });
        }
        return ExitCode::SUCCESS;
    }
    let id = args.id.as_deref().unwrap_or_default();
    match rule(id) {
        Some(r) => {
            println!("{}", docs::rule_markdown(r));
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("error: no rule `{id}` (ids, hadolint codes and BuildKit names are accepted; see `dockls rule --list`)");
            ExitCode::from(2)
        }
    }
}
