use super::*;
use crate::document::Snapshot;
use crate::syntax::Dockerfile;

fn commands(text: &str) -> Vec<(String, Vec<String>, String)> {
    let snap = Snapshot::from_text(text);
    let df = Dockerfile::new(&snap.text, &snap.tree);
    let mut out = Vec::new();
    for ins in &df.instructions {
        for c in analyze_run(text, ins, &df.comments).commands {
            out.push((c.program().to_string(), c.args.iter().map(|a| a.value.to_string()).collect(), text[c.name_range.clone()].to_string()));
        }
    }
    out
}

#[test]
fn commands_across_operators_continuations_and_comments() {
    let text = "FROM debian\nRUN apt-get update && \\\n    # install tools\n    apt-get install -y --no-install-recommends \\\n      curl=7.88 'git' ; rm -rf /var/lib/apt/lists/* | cat\n";
    let cmds = commands(text);
    let names: Vec<&str> = cmds.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(names, ["apt-get", "apt-get", "rm", "cat"]);
    assert_eq!(cmds[1].1, ["install", "-y", "--no-install-recommends", "curl=7.88", "git"]);
    // Ranges point into the Dockerfile, past the removed comment line.
    assert_eq!(cmds[1].2, "apt-get");
}

#[test]
fn heredocs_sudo_and_sh_c() {
    let text = "FROM alpine\nRUN <<EOF\nsudo apk add curl\nEOF\nRUN <<EOF python3\nimport os\nEOF\nRUN sh -c 'pip install flask'\nRUN [\"/bin/sh\", \"-c\", \"npm install\"]\n";
    let cmds = commands(text);
    let names: Vec<&str> = cmds.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(names, ["apk", "sh", "pip", "npm"]);
    assert_eq!(cmds[0].2, "apk");
}
