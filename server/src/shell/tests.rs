use super::*;
use crate::document::Snapshot;
use crate::syntax::Dockerfile;

fn commands(text: &str) -> Vec<(String, Vec<String>, String)> {
    let snap = Snapshot::from_text(text);
    let df = Dockerfile::new(&snap.text, &snap.tree);
    let mut out = Vec::new();
    for ins in &df.instructions {
        for c in analyze_run(text, ins).commands {
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

/// The scripts of every RUN in `text`, with the Dockerfile text each script offset maps to.
fn scripts(text: &str) -> Vec<Script> {
    let snap = Snapshot::from_text(text);
    let df = Dockerfile::new(&snap.text, &snap.tree);
    df.instructions.iter().flat_map(|ins| analyze_run(text, ins).scripts).collect()
}

/// Every script character maps back to the same character in the Dockerfile.
fn assert_maps_exactly(text: &str, script: &Script) {
    for (i, c) in script.text.char_indices() {
        let at = script.map(i);
        if c != '\n' || text[at..].starts_with('\n') {
            assert!(text[at..].starts_with(c), "script offset {i} ({c:?}) maps to {at} ({:?})", &text[at..]);
        }
    }
}

#[test]
fn the_script_is_the_joined_line_buildkit_runs() {
    // The escape, the line break and the empty and comment lines of a continuation are gone;
    // the blanks before the escape and the next line's indentation stay.
    let text = "FROM debian\nRUN apt-get update \\\n\n    && apt-get install -y curl \\  \n    # a comment\n\n    && rm -rf /var/lib/apt/lists/*\n";
    let s = &scripts(text)[0];
    assert_eq!(s.text, "apt-get update     && apt-get install -y curl     && rm -rf /var/lib/apt/lists/*");
    assert_maps_exactly(text, s);
    let rm = s.text.find("rm").unwrap();
    assert_eq!(s.map_range(rm..rm + 2), text.find("rm").unwrap()..text.find("rm").unwrap() + 2);

    // A continuation inside a word joins it, as BuildKit does.
    let text = "FROM debian\nRUN echo \"a\\\nb\" && echo x\\\ny\n";
    let s = &scripts(text)[0];
    assert_eq!(s.text, "echo \"ab\" && echo xy");
    assert_maps_exactly(text, s);
}

#[test]
fn crlf_and_backtick_escape_continuations() {
    let text = "FROM debian\r\nRUN echo a \\\r\n\r\n    # comment\r\n    b\r\n";
    let s = &scripts(text)[0];
    assert_eq!(s.text, "echo a     b");
    assert_maps_exactly(text, s);

    // Under `# escape=`` a backslash is an ordinary character and the backtick continues.
    let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir C:\\ `\n    && echo \"a`\nb\"\n";
    let s = &scripts(text)[0];
    assert_eq!(s.text, "dir C:\\     && echo \"ab\"");
    assert_maps_exactly(text, s);
}

#[test]
fn heredocs_of_a_command_follow_the_command_line() {
    // BuildKit hands `cat <<EOF > /x`, the body and the delimiter to the shell together.
    let text = "FROM debian\r\nRUN cat <<EOF > /etc/motd && \\\r\n    echo done\r\nhello\r\nEOF\r\n";
    let s = &scripts(text)[0];
    assert_eq!(s.text, "cat <<EOF > /etc/motd &&     echo done\nhello\nEOF");
    assert_eq!(s.interpreter, None);
    assert_maps_exactly(text, s);
    let cmds = commands(text);
    let names: Vec<&str> = cmds.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(names, ["cat", "echo"]);
}

#[test]
fn heredoc_interpreters_and_shebangs() {
    let text = "FROM debian\nRUN <<EOF bash\nset -o pipefail\nEOF\nRUN <<EOF\n#!/usr/bin/env bash\nset -o pipefail\nEOF\nRUN <<EOF\necho sh\nEOF\nRUN <<EOF /usr/bin/env dash -e\necho dash\nEOF\n";
    let found: Vec<(String, Option<String>)> = scripts(text).iter().map(|s| (s.text.clone(), s.interpreter.as_ref().map(|p| p.to_string()))).collect();
    assert_eq!(
        found,
        [
            ("set -o pipefail\n".to_string(), Some("bash".to_string())),
            ("#!/usr/bin/env bash\nset -o pipefail\n".to_string(), Some("bash".to_string())),
            ("echo sh\n".to_string(), None),
            ("echo dash\n".to_string(), Some("dash".to_string())),
        ]
    );
    // Bodies run by other programs are not shell: no script, no commands.
    let text = "FROM debian\nRUN <<EOF python3\nimport os\nEOF\nRUN <<EOF\n#!/usr/bin/env python3\nimport os\nEOF\nRUN <<EOF\n#!/usr/bin/perl -w\nsystem('ls');\nEOF\n";
    assert!(scripts(text).is_empty());
    assert!(commands(text).is_empty());
    // The shell of `["bash", "-c", …]` runs that script.
    let text = "FROM debian\nRUN [\"/bin/bash\", \"-c\", \"set -o pipefail\"]\n";
    assert_eq!(scripts(text)[0].interpreter.as_deref(), Some("bash"));
}

#[test]
fn shebang_programs() {
    assert_eq!(shebang_program("#!/bin/bash -e"), Some("bash"));
    assert_eq!(shebang_program("#! /bin/sh"), Some("sh"));
    assert_eq!(shebang_program("#!/usr/bin/env -S bash -eu"), Some("bash"));
    assert_eq!(shebang_program("#!/usr/bin/env python3"), Some("python3"));
    assert_eq!(shebang_program("echo"), None);
}

#[test]
fn sh_c_scripts_map_across_continuations() {
    let text = "FROM debian\nRUN bash -c \"\\\n    set -e; \\\n    apt-get update && rm -rf /var/lib/apt/lists/*\"\n";
    let snap = Snapshot::from_text(text);
    let df = Dockerfile::new(&snap.text, &snap.tree);
    let run = analyze_run(text, &df.instructions[1]);
    let names: Vec<(&str, &str)> = run.commands.iter().map(|c| (c.program(), &text[c.name_range.clone()])).collect();
    assert_eq!(names, [("bash", "bash"), ("set", "set"), ("apt-get", "apt-get"), ("rm", "rm")]);
    let rm = run.commands.iter().find(|c| c.program() == "rm").unwrap();
    assert_eq!(&text[rm.range.clone()], "rm -rf /var/lib/apt/lists/*");
}

#[test]
fn a_heredoc_that_never_ends_maps_inside_the_text() {
    // The delimiter the script adds for the shell has no place in the file: ranges over it
    // end at the end of the file.
    let text = "FROM debian\nRUN cat <<EOF > /x\nhello sudo";
    let s = &scripts(text)[0];
    assert_eq!(s.text, "cat <<EOF > /x\nhello sudoEOF");
    let r = s.map_range(0..s.text.len());
    assert!(r.end <= text.len(), "{r:?}");
    assert_eq!(&text[r], "cat <<EOF > /x\nhello sudo");
    for c in commands(text) {
        assert!(text.get(text.find(&c.2).unwrap()..).is_some());
    }
}

/// The top level's comments and shell state as the walk sees them equal a separate traversal
/// of the tree, on hand-written cases and on every fixture Dockerfile of the project.
#[test]
fn top_level_from_the_walk_matches_a_traversal() {
    let cases = [
        "RUN a && b",
        "RUN cd /x && make",
        "RUN A=1 make && B=2",
        "RUN export A=1; make",
        "RUN (cd /x && make) && make install",
        "RUN echo $(cd /x; pwd) && f() { :; }",
        "RUN make # done",
        "RUN make \\\n    # a comment line\n    && make install",
        "RUN for f in *; do unset X; done",
        "RUN sudo cd /x && /bin/set -e",
        "RUN sh -c 'export A=1' && echo ${#A}",
        "RUN <<EOF\nset -e\nexport X=1\n# c\nEOF",
        "RUN if true; then A=1; fi",
        "RUN x=$(A=1 f) && . /etc/profile",
        "RUN <<EOF\nif true; then\n  # inside\n  echo\nfi\nEOF",
        "RUN <<EOF\n(\n  # in a subshell\n  echo\n)\nEOF",
        "RUN <<EOF\nfor x in a; do\n  y=$x\ndone\nEOF",
    ];
    let mut texts: Vec<String> = cases.iter().map(|c| format!("FROM debian\n{c}\n")).collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.parent().is_some_and(|p| p.ends_with("fixtures")) {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    texts.push(text);
                }
            }
        }
    }
    assert!(texts.len() > 50, "fixtures found: {}", texts.len());
    let mut compared = 0;
    for text in &texts {
        let snap = Snapshot::from_text(text);
        let df = Dockerfile::new(&snap.text, &snap.tree);
        for ins in &df.instructions {
            for script in analyze_run(text, ins).scripts {
                let eager = script.top_level.get().cloned().flatten();
                let tree = parse_bash(&script.text).unwrap();
                let walked = structure::of_tree(tree.root_node(), &script);
                assert_eq!(format!("{eager:?}"), format!("{walked:?}"), "{}", script.text);
                compared += 1;
            }
        }
    }
    assert!(compared > 100, "scripts compared: {compared}");
}

/// The tree-free reader (`simple`) takes these and gives tree-sitter-bash's analysis.
#[test]
fn fast_path_takes_plain_command_lines() {
    for text in [
        "apt-get update && apt-get install -y --no-install-recommends curl=7.88 && rm -rf /var/lib/apt/lists/*",
        "curl -fsSL https://example.com/x.tgz -o /tmp/x.tgz && echo \"abc  /tmp/x.tgz\" | sha256sum -c - && tar -xzf /tmp/x.tgz",
        "pip install --no-cache-dir -r requirements.txt && npm ci --omit=dev --prefix /opt/node1",
        "./configure --prefix=\"$PREFIX\" ${X}/y 'a b' a'b'c \"\" ''; cd /src; make || true;",
        "sudo -u app env A=1 pip install flask | head -1 | grep -q x",
        "x && a | b | c && d",
        "./configure --prefix=\"$PREFIX\" && make -j$(nproc) && make install DESTDIR=/out1",
        "echo $(date -u) | tee /x",
        "",
        "  ",
        // Loops, conditions and tests.
        "for f in \"$PREFIX\"/bin/*; do strip \"$f\" || true; done && if [ -d \"$PREFIX/share/doc\" ]; then rm -rf \"$PREFIX/share/doc\"; fi && cd /out1 && tar -czf /t.tgz .",
        "if true; then echo; fi",
        "[ -f x ] && rm x",
        "if [ \"$X\" = x ]; then :; fi",
        "if [ $(id -u) = 0 ]; then a; elif [[ $A == b ]]; then b | c; else cd /x; fi; echo done",
        "for i in $(seq 1 3) a; do for j in x y; do echo $i-x $j; done; done",
        "while [ -f /x ]; do sleep 1; done; until curl -fs http://x; do sleep $(echo 2); done",
        "set -e; if a && b || c; then d; fi;for x in y;do z;done",
        "[[ -n $X ]] || exit 1",
    ] {
        let compared = compare_paths(text).unwrap_or_else(|| panic!("declined: {text:?}"));
        if let Err(diff) = compared {
            panic!("{diff}");
        }
    }
}

/// ... and leaves everything else to tree-sitter-bash.
#[test]
fn fast_path_declines_what_it_does_not_model() {
    for text in [
        "make -j$(nproc | tr -d x)",
        "$(which python) -V",
        "echo \"$(date)\"",
        "echo `date`",
        "cat a > b",
        "A=1 make",
        "export A=1",
        "a &",
        "a &&",
        "a ; ; b",
        "(cd x && make)",
        "{ a; b; }",
        "echo a # comment",
        "echo \"a\\\"b\"",
        "sh -c 'apt-get update'",
        "a | b | c && d",
        "echo ${A:-x}",
        "echo $1",
        "a |& b",
        "! a",
        // Loops, conditions and tests this reader leaves alone.
        "if a; then fi",
        "if a then b; fi",
        "for f in; do a; done",
        "for f in a b do c; done",
        "for f in a; do b done",
        "for 1 in a; do b; done",
        "for f; do a; done",
        "for f in do; do a; done",
        "while a; do b; done | sort",
        "a | [ -f x ]",
        "[ a b c d ]",
        "[[ a && b ]]",
        "[ x ]]",
        "[ -f x] && a",
        "echo ]",
        "case x in a) b;; esac",
        "if a; then b; fi x",
        "for ((i=0; i<3; i++)); do a; done",
        "select x in a; do b; done",
        "if $(a); then b; fi",
        "if [ \"$(uname -m)\" = x ]; then :; fi",
        // tree-sitter-bash reads these tests as commands or errors.
        "[ =~ x ]",
        "[ if ]",
        "[ A=1 ] || a",
        "[ -n ]",
    ] {
        assert!(compare_paths(text).is_none(), "accepted: {text:?}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20000))]
    /// On scripts made of words, quotes, expansions, keywords, wrappers and operators, joined
    /// with and without blanks, with now and then something the reader declines: whatever it
    /// accepts, it reads as tree-sitter-bash does.
    #[test]
    fn fast_path_matches_tree_sitter(parts in proptest::collection::vec((0usize..PLAIN.len(), 0usize..40, 0usize..ODD.len(), 0usize..3), 0..14)) {
        let mut text = String::new();
        for (plain, odd_chance, odd, gap) in parts {
            text.push_str(if odd_chance == 0 { ODD[odd] } else { PLAIN[plain] });
            text.push_str(["", " ", "\t "][gap]);
        }
        if let Some(Err(diff)) = compare_paths(&text) {
            proptest::prop_assert!(false, "{}", diff);
        }
    }
}

/// Loops and conditions nested deeper than the reader goes are left to tree-sitter-bash (whose
/// walk has its own stack): a line of thousands of `if`s overflows no thread's stack.
#[test]
fn deep_nesting_is_left_to_tree_sitter() {
    let nested = |depth: usize| format!("{}b;{}", "if a; then ".repeat(depth), " fi;".repeat(depth));
    assert_eq!(compare_paths(&nested(16)), Some(Ok(())));
    assert_eq!(compare_paths(&nested(17)), None);
    let mut out = RunAnalysis::default();
    let script = Script::from_argument(&nested(5000), 0);
    analyze_script(&script, &mut out);
    assert!(out.commands.len() >= 5000, "{} commands", out.commands.len());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20000))]
    /// On scripts of loops, conditions, tests and commands nested and joined at random (see
    /// [`structured`]), some broken on purpose: whatever the reader accepts, it reads as
    /// tree-sitter-bash does.
    #[test]
    fn fast_path_matches_tree_sitter_on_loops_and_conditions(choices in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..120)) {
        let text = structured(&choices);
        if let Some(Err(diff)) = compare_paths(&text) {
            proptest::prop_assert!(false, "{}", diff);
        }
    }
}

/// A script made from `choices` (each byte picks the next alternative): statements of
/// pipelines of commands, `for`/`while`/`until` loops, `if`s and tests, up to three deep,
/// joined by `;`, `&&`, `||` and `|`; its tokens joined by a blank, nothing or a tab, and
/// now and then one token dropped or replaced by something odd.
fn structured(choices: &[u8]) -> String {
    struct Gen<'a> {
        choices: &'a [u8],
        at: usize,
        tokens: Vec<&'static str>,
    }
    impl Gen<'_> {
        fn pick(&mut self, n: usize) -> usize {
            let c = self.choices.get(self.at).copied().unwrap_or(0);
            self.at += 1;
            c as usize % n
        }
        fn words(&mut self, from: &[&'static str], most: usize) {
            for _ in 0..1 + self.pick(most) {
                let w = from[self.pick(from.len())];
                self.tokens.push(w);
            }
        }
        /// A simple command, now and then with a keyword or a bracket among its words.
        fn command(&mut self) {
            let name = if self.pick(12) == 1 { ODD_ARGUMENTS[self.pick(ODD_ARGUMENTS.len())] } else { NAMES[self.pick(NAMES.len())] };
            self.tokens.push(name);
            for _ in 0..self.pick(4) {
                let word = if self.pick(15) == 1 { ODD_ARGUMENTS[self.pick(ODD_ARGUMENTS.len())] } else { ARGUMENTS[self.pick(ARGUMENTS.len())] };
                self.tokens.push(word);
            }
        }
        fn list(&mut self, depth: usize) {
            for i in 0..1 + self.pick(3) {
                if i > 0 {
                    self.tokens.push(";");
                }
                self.statement(depth);
            }
        }
        fn statement(&mut self, depth: usize) {
            for i in 0..1 + self.pick(3) {
                if i > 0 {
                    let op = ["&&", "||", "&&"][self.pick(3)];
                    self.tokens.push(op);
                }
                let commands = 1 + usize::from(self.pick(4) == 1) + usize::from(self.pick(6) == 1);
                for j in 0..commands {
                    if j > 0 {
                        self.tokens.push("|");
                    }
                    // Mostly plain commands in pipelines (the reader declines the others).
                    if commands == 1 || self.pick(10) == 1 {
                        self.element(depth);
                    } else {
                        self.command();
                    }
                }
            }
        }
        fn body(&mut self, depth: usize) {
            self.list(depth + 1);
            self.tokens.push(";");
        }
        fn element(&mut self, depth: usize) {
            match self.pick(if depth < 3 { 9 } else { 4 }) {
                3 => {
                    let (open, close) = [("[", "]"), ("[[", "]]")][self.pick(2)];
                    self.tokens.push(open);
                    match self.pick(4) {
                        0 => self.words(TEST_OPERANDS, 1),
                        1 => {
                            self.words(UNARY_TESTS, 1);
                            self.words(TEST_OPERANDS, 1);
                        }
                        2 => {
                            self.words(TEST_OPERANDS, 1);
                            self.words(BINARY_TESTS, 1);
                            self.words(TEST_OPERANDS, 1);
                        }
                        _ => self.words(&[TEST_OPERANDS, UNARY_TESTS, BINARY_TESTS, ODD].concat(), 5),
                    }
                    self.tokens.push(close);
                }
                0..=2 => self.command(),
                4 | 5 => {
                    let name = ["f", "i", "do", "_x"][self.pick(4)];
                    self.tokens.extend(["for", name, "in"]);
                    self.words(FOR_VALUES, 3);
                    self.tokens.extend([";", "do"]);
                    self.body(depth);
                    self.tokens.push("done");
                }
                6 => {
                    let keyword = ["while", "until"][self.pick(2)];
                    self.tokens.push(keyword);
                    self.body(depth);
                    self.tokens.push("do");
                    self.body(depth);
                    self.tokens.push("done");
                }
                _ => {
                    self.tokens.push("if");
                    self.body(depth);
                    self.tokens.push("then");
                    self.body(depth);
                    while self.pick(3) == 1 {
                        self.tokens.push("elif");
                        self.body(depth);
                        self.tokens.push("then");
                        self.body(depth);
                    }
                    if self.pick(2) == 0 {
                        self.tokens.push("else");
                        self.body(depth);
                    }
                    self.tokens.push("fi");
                }
            }
        }
    }
    let mut g = Gen { choices, at: 0, tokens: Vec::new() };
    g.list(0);
    if g.pick(8) == 1 {
        let at = g.pick(g.tokens.len());
        match g.pick(3) {
            0 => {
                g.tokens.remove(at);
            }
            _ => {
                let odd = ODD[g.pick(ODD.len())];
                g.tokens[at] = odd;
            }
        }
    }
    let mut text = String::new();
    for (i, t) in std::mem::take(&mut g.tokens).into_iter().enumerate() {
        if i > 0 {
            let gap = [" ", " ", " ", " ", " ", " ", " ", " ", "", "\t"][g.pick(10)];
            text.push_str(gap);
        }
        text.push_str(t);
    }
    text
}

/// The names of generated commands.
const NAMES: &[&str] = &["echo", "make", "cd", "true", ":", "grep", "head", "apt-get", "/usr/bin/strip", "sudo", "exit", "set", "tar", "pip3"];

/// Their arguments.
const ARGUMENTS: &[&str] =
    &["a", "/x", "-q", "-e", "-j$(nproc)", "$(uname -m)", "\"$F\"", "${P}/bin/*", "'q r'", "install", "-y", "--prefix=/usr", "sh", "-c", "1"];

/// Now and then: a keyword or a bracket among a command's words.
const ODD_ARGUMENTS: &[&str] = &["done", "fi", "then", "in", "do", "for", "if", "elif", "while", "[", "]", "[[", "]]", "export", "{", "!"];

/// The values of generated `for` loops.
const FOR_VALUES: &[&str] = &["a", "b c", "\"$PREFIX\"/bin/*", "$(seq 1 3)", "${LIST}", "'x y'", "1", "do", "in", ";"];

/// The operands of generated tests.
const TEST_OPERANDS: &[&str] = &["x", "\"$X\"", "$Y", "${Z}", "$(id -u)", "0", "*.txt", "'a b'", "\"\"", "/etc/os-release", "if", "-", "(", "A=1", "a=b"];

const UNARY_TESTS: &[&str] = &["-d", "-f", "-n", "-z", "-x", "-e", "-L", "!", "-ab"];

const BINARY_TESTS: &[&str] = &["=", "==", "!=", "-eq", "-lt", "-ge", "=~", "-o", "-a", "<", "-nt"];

/// Most of what the generated scripts are made of: what real RUN lines use.
const PLAIN: &[&str] = &[
    "apt-get", "install", "-y", "curl", "echo", "printf", "%s", "cd", "/usr/bin/pip3", "sudo", "-u", "env", "nice", "-n", "5", "timeout",
    "xargs", "command", "-v", "exec", "set", "-e", "exit", ".", "source", "head", "grep", "-q", "--quiet", "-m1", "sh", "bash", "-c",
    "x=y", "--prefix=/usr", "done", "then", "fi", "time", "in", "do", "case", "'a b'", "'a|b;c'", "\"x $Y\"", "\"${Z}\"", "\"#!\"",
    "$HOME", "${X}/y", "$(nproc)", "-j$(nproc)", "$(uname -m)", "$(a)b", "a'b'c", "*.txt", "a?b", "~/x", "@y", "%y", ":z", "+v", "^u", "-", "--", "a,b", "\"\"", "''", "'é'",
    "\"日本\"", "&&", "&&", "&&", "||", "|", "|", ";", ";",
];

/// Now and then: what the reader declines, and what may end up next to plain words.
const ODD: &[&str] = &[
    "A=1", "foo!bar", "#x", "a#b", "$(nproc", "$(a b)", "$(", "$(a=b c)", "$((1+2))", "$(if)", "$(sh -c x)", "$?", "$1", "é", "[", "]", "{", "}", "!", "(", ")", "<", ">", "2>&1", "`x`", "\\", "&",
    ";;", "|&", "\n", "$", "\"$\"", "'",
];
