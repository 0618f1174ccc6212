//! `.dockerignore` matching with Docker's semantics (moby/patternmatcher and its ignorefile
//! reader):
//! * a line starting with `#` is a comment, blank lines are skipped, lines are trimmed;
//! * `!` re-includes; the last pattern that matches decides;
//! * patterns are cleaned paths relative to the context root (`/node_modules`, `./node_modules`
//!   and `node_modules/` are all `node_modules`, which does not match `src/node_modules`);
//! * `*` and `?` do not cross `/`, `**` matches any number of directories (`**/*.log`,
//!   `docs/**`, `**` alone matches everything), `[...]` is a character class (`[^...]`
//!   negated), `\` escapes the next character;
//! * a pattern that matches a directory excludes everything below it.

/// A parsed `.dockerignore`.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    pub patterns: Vec<Pattern>,
}

#[derive(Debug, Clone)]
pub struct Pattern {
    /// The cleaned pattern, without `!`.
    pub text: String,
    /// `!pattern`: re-includes what earlier patterns excluded.
    pub negated: bool,
    tokens: Vec<Tok>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Char(char),
    /// `*`: any run of characters but `/`.
    Star,
    /// `?`: one character but `/`.
    Any,
    /// `[...]`.
    Class { negated: bool, items: Vec<(char, char)> },
    /// `**` (or `**/`) followed by more pattern: any number of leading directories.
    Dirs,
    /// `**` at the end: anything.
    Rest,
}

/// What decided a path's fate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub excluded: bool,
    /// Index of the last pattern that matched the path or a parent.
    pub pattern: Option<usize>,
}

/// `filepath.Clean` for `/`-separated paths.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

impl DockerIgnore {
    pub fn parse(text: &str) -> DockerIgnore {
        let mut patterns = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = if n == 0 { line.trim_start_matches('\u{feff}') } else { line };
            if line.starts_with('#') {
                continue;
            }
            let mut p = line.trim();
            if p.is_empty() {
                continue;
            }
            let negated = p.starts_with('!');
            if negated {
                p = p[1..].trim();
                if p.is_empty() {
                    continue;
                }
            }
            let mut cleaned = clean(p);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            if let Some(tokens) = compile(&cleaned) {
                patterns.push(Pattern { text: cleaned, negated, tokens });
            }
        }
        DockerIgnore { patterns }
    }

    /// Whether the context path (relative, `/`-separated) or one of its parent directories is
    /// excluded — Docker's `MatchesOrParentMatches`.
    pub fn verdict(&self, path: &str) -> Verdict {
        let path = clean(path.trim_start_matches('/'));
        let parents: Vec<&str> = match path.rfind('/') {
            Some(i) => path[..i].split('/').collect(),
            None => Vec::new(),
        };
        let mut excluded = false;
        let mut decided = None;
        for (i, p) in self.patterns.iter().enumerate() {
            // A re-include only matters once excluded, an exclusion only while included.
            if p.negated != excluded {
                continue;
            }
            let mut hit = p.matches(&path);
            if !hit {
                for j in 0..parents.len() {
                    if p.matches(&parents[..=j].join("/")) {
                        hit = true;
                        break;
                    }
                }
            }
            if hit {
                excluded = !p.negated;
                decided = Some(i);
            }
        }
        Verdict { excluded, pattern: decided }
    }

    #[cfg(test)]
    pub fn is_excluded(&self, path: &str) -> bool {
        self.verdict(path).excluded
    }

    /// Whether a `!` pattern after index `after` might re-include something below the
    /// directory `path` (so copying `path` can still bring files in).
    pub fn may_reinclude_below(&self, path: &str, after: usize) -> bool {
        let path = clean(path.trim_start_matches('/'));
        let dir: Vec<&str> = if path == "." { Vec::new() } else { path.split('/').collect() };
        self.patterns.iter().skip(after + 1).filter(|p| p.negated).any(|p| {
            let segs: Vec<&str> = p.text.split('/').collect();
            for (i, d) in dir.iter().enumerate() {
                let Some(seg) = segs.get(i) else { return false };
                if seg.contains("**") {
                    return true;
                }
                match compile(seg) {
                    Some(t) if match_tokens(&t, &d.chars().collect::<Vec<_>>()) => {}
                    _ => return false,
                }
            }
            segs.len() > dir.len()
        })
    }
}

impl Pattern {
    pub fn matches(&self, path: &str) -> bool {
        let chars: Vec<char> = path.chars().collect();
        match_tokens(&self.tokens, &chars)
    }
}

/// Compiles a cleaned pattern the way patternmatcher turns it into a regular expression.
fn compile(pattern: &str) -> Option<Vec<Tok>> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                out.push(if i >= chars.len() { Tok::Rest } else { Tok::Dirs });
            }
            '*' => out.push(Tok::Star),
            '?' => out.push(Tok::Any),
            '\\' => {
                let n = *chars.get(i)?;
                i += 1;
                out.push(Tok::Char(n));
            }
            '[' => {
                let mut negated = false;
                if chars.get(i) == Some(&'^') {
                    negated = true;
                    i += 1;
                }
                let mut items = Vec::new();
                let mut first = true;
                loop {
                    let mut c = *chars.get(i)?;
                    i += 1;
                    if c == ']' && !first {
                        break;
                    }
                    first = false;
                    if c == '\\' {
                        c = *chars.get(i)?;
                        i += 1;
                    }
                    let mut hi = c;
                    if chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|&n| n != ']') {
                        hi = chars[i + 1];
                        i += 2;
                        if hi == '\\' {
                            hi = *chars.get(i)?;
                            i += 1;
                        }
                    }
                    items.push((c, hi));
                }
                out.push(Tok::Class { negated, items });
            }
            c => out.push(Tok::Char(c)),
        }
    }
    Some(out)
}

fn match_tokens(toks: &[Tok], s: &[char]) -> bool {
    let Some((tok, rest)) = toks.split_first() else { return s.is_empty() };
    match tok {
        Tok::Char(c) => s.first() == Some(c) && match_tokens(rest, &s[1..]),
        Tok::Any => s.first().is_some_and(|&c| c != '/') && match_tokens(rest, &s[1..]),
        Tok::Class { negated, items } => {
            let Some(&c) = s.first() else { return false };
            let inside = items.iter().any(|&(lo, hi)| lo <= c && c <= hi);
            inside != *negated && match_tokens(rest, &s[1..])
        }
        Tok::Star => {
            for i in 0..=s.len() {
                if match_tokens(rest, &s[i..]) {
                    return true;
                }
                if s.get(i) == Some(&'/') {
                    break;
                }
            }
            false
        }
        // `(.*/)?`: nothing, or anything that ends with a `/`.
        Tok::Dirs => {
            if match_tokens(rest, s) {
                return true;
            }
            (0..s.len()).any(|i| s[i] == '/' && match_tokens(rest, &s[i + 1..]))
        }
        Tok::Rest => true,
    }
}

#[cfg(test)]
mod tests {
    use super::{clean, DockerIgnore};

    fn ex(ignore: &str, path: &str) -> bool {
        DockerIgnore::parse(ignore).is_excluded(path)
    }

    #[test]
    fn cleans_paths() {
        assert_eq!(clean("./src/../lib/"), "lib");
        assert_eq!(clean("/a//b/./c"), "/a/b/c");
        assert_eq!(clean("."), ".");
        assert_eq!(clean("./"), ".");
        assert_eq!(clean("../x"), "../x");
    }

    #[test]
    fn double_star_extension() {
        let ig = "**/*.log";
        assert!(ex(ig, "debug.log"));
        assert!(ex(ig, "logs/app/debug.log"));
        assert!(!ex(ig, "debug.log.txt"));
        assert!(!ex(ig, "logs"));
    }

    #[test]
    fn reinclude_last_match_wins() {
        let ig = "*.log\n!keep.log";
        assert!(ex(ig, "a.log"));
        assert!(!ex(ig, "keep.log"));
        // The order matters: a later exclusion wins again.
        assert!(ex("!keep.log\n*.log", "keep.log"));
        assert!(ex("**/*.log\n!keep.log\nkeep.log", "keep.log"));
        // `!keep.log` is relative to the root: a nested keep.log stays excluded.
        assert!(ex("**/*.log\n!keep.log", "sub/keep.log"));
    }

    #[test]
    fn rooted_and_relative_patterns() {
        assert!(ex("/node_modules", "node_modules"));
        assert!(ex("/node_modules", "node_modules/react/index.js"));
        assert!(ex("node_modules", "node_modules"));
        assert!(ex("node_modules/", "node_modules/x"));
        assert!(ex("./node_modules", "node_modules"));
        assert!(!ex("node_modules", "src/node_modules"));
        assert!(!ex("node_modules", "src/node_modules/x"));
        assert!(ex("**/node_modules", "src/node_modules/x"));
        assert!(ex("**/node_modules", "node_modules"));
    }

    #[test]
    fn directory_contents() {
        let ig = "docs/**";
        assert!(ex(ig, "docs/index.md"));
        assert!(ex(ig, "docs/a/b/c.png"));
        // Like Docker: `docs/**` matches what is inside, not `docs` itself.
        assert!(!ex(ig, "docs"));
        assert!(!ex(ig, "documentation/x"));
        assert!(ex("docs", "docs/a/b"));
    }

    #[test]
    fn markdown_except_readme() {
        let ig = "# docs are not needed\n*.md\n\n!README.md\n";
        assert!(ex(ig, "CHANGELOG.md"));
        assert!(!ex(ig, "README.md"));
        // `*` does not cross `/`: nested Markdown files are not matched.
        assert!(!ex(ig, "docs/guide.md"));
    }

    #[test]
    fn double_star_alone_matches_everything() {
        assert!(ex("**", "anything"));
        assert!(ex("**", "a/b/c"));
        assert!(ex("**", "."));
        assert!(!ex("**\n!src", "src/main.rs"));
        assert!(ex("**\n!src", "Makefile"));
    }

    #[test]
    fn classes_question_marks_and_escapes() {
        assert!(ex("file[0-9].txt", "file3.txt"));
        assert!(!ex("file[0-9].txt", "filex.txt"));
        assert!(ex("file[^0-9].txt", "filex.txt"));
        assert!(ex("?.env", "a.env"));
        assert!(!ex("?.env", "ab.env"));
        // `?` matches the parent directory `a`, so everything below it is excluded.
        assert!(ex("?", "a/b"));
        assert!(!ex("?", "ab/c"));
        assert!(ex(r"\*.txt", "*.txt"));
        assert!(!ex(r"\*.txt", "a.txt"));
        assert!(ex("a/*/c", "a/b/c"));
        assert!(!ex("a/*/c", "a/b/x/c"));
        assert!(ex("a/**/c", "a/b/x/c"));
        assert!(ex("a/**/c", "a/c"));
    }

    #[test]
    fn comments_and_blanks() {
        let ig = "\u{feff}# comment\n   \n  .git  \n #not a comment";
        let parsed = DockerIgnore::parse(ig);
        assert_eq!(parsed.patterns.iter().map(|p| p.text.as_str()).collect::<Vec<_>>(), [".git", "#not a comment"]);
        assert!(ex(ig, ".git/HEAD"));
    }

    #[test]
    fn reinclusion_below_a_directory() {
        let ig = DockerIgnore::parse("docs\n!docs/README.md");
        let v = ig.verdict("docs");
        assert!(v.excluded);
        assert!(ig.may_reinclude_below("docs", v.pattern.unwrap()));
        assert!(!ig.may_reinclude_below("src", v.pattern.unwrap()));
        let ig = DockerIgnore::parse("*\n!src");
        let v = ig.verdict(".");
        assert!(v.excluded);
        assert!(ig.may_reinclude_below(".", v.pattern.unwrap()));
        let ig = DockerIgnore::parse("build\n!**/keep");
        assert!(ig.may_reinclude_below("build", 0));
    }
}
