//! Parsing RUN scripts with tree-sitter-bash while the Dockerfile itself is still being parsed.
//!
//! Opening a file parses the Dockerfile on one core (the message loop) and only then knows its
//! RUN scripts; bash parsing every script was then about 30 % of a cold open of a RUN-dense
//! file, with the other core idle during the Dockerfile parse. [`start`] reads the text line
//! by line for the scripts of plain shell-form RUNs (what [`super::Script::from_shell_form`]
//! makes of them: continuation escapes and comment lines removed) and parses them on the
//! thread pool meanwhile. [`take`] hands a tree to the shell analysis when the script it is
//! about to parse is one of those, byte for byte.
//!
//! Nothing depends on the guess being right: a script read differently from the model's is
//! never asked for and just dropped, and a RUN the reader gives up on (heredocs, exec form,
//! quoted flags, another escape character) is parsed as before. [`stop`] ends a run that
//! has not finished when the analysis starts (the analysis then parses the rest itself), and
//! [`clear`] drops what was not used.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use tree_sitter::Tree;

/// Script text → its tree, for the current run.
fn store() -> &'static Mutex<HashMap<String, Tree>> {
    static STORE: OnceLock<Mutex<HashMap<String, Tree>>> = OnceLock::new();
    STORE.get_or_init(Default::default)
}

/// The run allowed to go on: [`start`] and [`stop`] move it on, and a run whose number is no
/// longer current stops at its next script.
static CURRENT: AtomicU64 = AtomicU64::new(0);

/// Parses the scripts of `text`'s plain shell-form RUNs on the thread pool, one after the
/// other (the Dockerfile parse has the other core), until done or [`stop`]ped.
pub fn start(text: std::sync::Arc<str>) {
    let run = CURRENT.fetch_add(1, Ordering::SeqCst) + 1;
    rayon::spawn(move || {
        let mut parser = tree_sitter::Parser::new();
        if parser.set_language(&tree_sitter_bash::LANGUAGE.into()).is_err() {
            return;
        }
        let mut seen = std::collections::HashSet::new();
        for script in scripts(&text) {
            if CURRENT.load(Ordering::SeqCst) != run {
                return;
            }
            // Identical RUNs are analysed once (the shell cache is keyed by their text).
            if !seen.insert(script.clone()) {
                continue;
            }
            if let Some(tree) = parser.parse(&script, None) {
                store().lock().unwrap_or_else(|e| e.into_inner()).insert(script, tree);
            }
        }
    });
}

/// Ends the run under way (the analysis parses what it has not).
pub fn stop() {
    CURRENT.fetch_add(1, Ordering::SeqCst);
}

/// The tree of `script`, if the run parsed exactly this text.
pub fn take(script: &str) -> Option<Tree> {
    let mut store = store().lock().unwrap_or_else(|e| e.into_inner());
    if store.is_empty() {
        return None;
    }
    store.remove(script)
}

/// Drops the trees nobody took.
pub fn clear() {
    let mut store = store().lock().unwrap_or_else(|e| e.into_inner());
    *store = HashMap::new();
}

/// The scripts of the plain shell-form RUNs of `text`, read line by line as the grammar and
/// [`super::Script::from_shell_form`] would make them. Stops at the first heredoc marker
/// anywhere (its body's lines would be read as instructions) and reads nothing under an
/// `escape` directive.
pub fn scripts(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    if text.contains("escape=") {
        return out;
    }
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).peekable();
    while let Some(line) = lines.next() {
        if line.contains("<<") {
            break;
        }
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.starts_with('#') {
            continue;
        }
        let body = run_body(trimmed);
        let mut script = body.map(|b| String::with_capacity(b.len() * 4));
        let mut current = body.unwrap_or(trimmed);
        // One physical line of the instruction after the other.
        loop {
            let continued = current.trim_end_matches([' ', '\t']).ends_with('\\');
            if let Some(s) = script.as_mut() {
                // Up to the escape (blanks before it included), or the end without blanks. A
                // line with nothing but the escape adds nothing, and the script starts at its
                // first word.
                let end = current.trim_end_matches([' ', '\t']).len() - usize::from(continued);
                let line = &current[..end];
                if !line.trim_start_matches([' ', '\t']).is_empty() {
                    s.push_str(if s.is_empty() { line.trim_start_matches([' ', '\t']) } else { line });
                }
            }
            if !continued {
                break;
            }
            // The next line that is neither empty nor a comment continues the instruction.
            let mut next = None;
            for l in lines.by_ref() {
                if l.contains("<<") {
                    return out;
                }
                let t = l.trim_start_matches([' ', '\t']);
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                next = Some(l);
                break;
            }
            match next {
                Some(l) => current = l,
                None => break,
            }
        }
        if let Some(s) = script {
            if !s.trim().is_empty() {
                out.push(s);
            }
        }
    }
    out
}

/// The shell text after `RUN` and its flags on an instruction's first line, unless the RUN
/// is in exec form or has a flag with quotes or spaces (read as the grammar does, or not at
/// all).
fn run_body(line: &str) -> Option<&str> {
    let keyword = line.get(..3)?;
    if !keyword.eq_ignore_ascii_case("run") {
        return None;
    }
    let mut rest = &line[3..];
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    rest = rest.trim_start_matches([' ', '\t']);
    while let Some(flag) = rest.strip_prefix("--") {
        let end = flag.find([' ', '\t']).unwrap_or(flag.len());
        if flag[..end].contains(['"', '\'', '\\']) {
            return None;
        }
        rest = flag[end..].trim_start_matches([' ', '\t']);
    }
    if rest.starts_with('[') || rest.is_empty() {
        return None;
    }
    Some(rest)
}

#[cfg(test)]
mod tests {
    use super::scripts;

    /// Every script the line reader finds is one the model's shell analysis makes, byte for
    /// byte (else its tree would never be taken), and it finds the usual shapes.
    #[test]
    fn reads_the_scripts_the_model_makes() {
        let text = concat!(
            "FROM debian:12\r\n",
            "run apt-get update && \\\r\n",
            "    apt-get install -y curl\r\n",
            "RUN --mount=type=cache,target=/var/cache/apt \\\n",
            "\t\tapt-get install -y git   \n",
            "RUN set -eux; \\\n",
            "\t\\\n",
            "# a comment inside\n",
            "\n",
            "    make -j\"$(nproc)\"; \\\n",
            "    make install  \n",
            "ENV A=1 \\\n",
            "RUN=2\n",
            "RUN [\"exec\", \"form\"]\n",
            "RUN --network=\"none\" echo quoted flag\n",
            "RUN echo once\n",
            "RUN echo once\n",
            "COPY <<EOF /x\n",
            "RUN echo in a heredoc body\n",
            "EOF\n",
            "RUN echo after the heredoc\n",
        );
        let found = scripts(text);
        assert_eq!(
            found,
            [
                "apt-get update &&     apt-get install -y curl",
                "apt-get install -y git",
                "set -eux;     make -j\"$(nproc)\";     make install",
                "echo once",
                "echo once",
            ]
        );
        let a = crate::analysis::Analysis::new(crate::document::Snapshot::from_text(text));
        let model: Vec<String> = a
            .dockerfile
            .instructions
            .iter()
            .flat_map(|ins| crate::shell::run_analysis(a.text(), ins).scripts.iter().map(|s| s.text.clone()).collect::<Vec<_>>())
            .collect();
        for s in &found {
            assert!(model.contains(s), "{s:?} is not among the model's scripts {model:?}");
        }
    }

    #[test]
    fn reads_nothing_under_another_escape_character() {
        assert!(scripts("# escape=`\nFROM windows\nRUN dir `\n  /s\n").is_empty());
    }
}
