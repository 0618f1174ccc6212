//! Evaluating a word the way Docker does: `$V`, `${V}`, `${V:-default}`, `${V-default}`,
//! `${V:+alt}`, `${V+alt}`, `${V:?msg}`, `${V#prefix}`, `${V##prefix}`, `${V%suffix}`,
//! `${V%%suffix}`, `${V/pattern/replacement}`, `${V//pattern/replacement}`, with the values ARG
//! defaults and ENV give (build arguments passed on the command line are unknown here, so an ARG
//! without default is unset).

use std::collections::HashMap;

/// Known values by name; `None` means declared without a value (unset).
pub type Values = HashMap<String, Option<String>>;

/// Expands `$` expressions in `raw` (quotes are kept as written; use `syntax::unquote` with the
/// same `escape` on the result for the final value). Unknown names expand to the empty string,
/// as in Docker. Only `escape` (the `# escape=` character) before `$` keeps it literal: under
/// `# escape=`` a backslash is an ordinary character and `C:\$DIR` expands.
pub fn expand(raw: &str, values: &Values, escape: char) -> String {
    // Most words have nothing to expand (every ARG default and FROM image is asked).
    if !raw.contains('$') {
        return raw.to_string();
    }
    // Every character this looks at is ASCII (as are names), so it walks bytes and copies the
    // text between expansions as whole slices.
    let b = raw.as_bytes();
    let mut esc = [0; 4];
    let esc = escape.encode_utf8(&mut esc).as_bytes();
    let mut out = String::with_capacity(raw.len());
    // Where the text not yet copied to `out` starts.
    let mut lit = 0;
    let mut i = 0;
    let mut in_single = false;
    while i < b.len() {
        let c = b[i];
        if c == b'\'' {
            in_single = !in_single;
            i += 1;
            continue;
        }
        if b[i..].starts_with(esc) && b.get(i + esc.len()) == Some(&b'$') {
            // Kept as written, escape and all.
            i += esc.len() + 1;
            continue;
        }
        if c != b'$' || in_single {
            i += 1;
            continue;
        }
        match b.get(i + 1) {
            // `$NAME`
            Some(&n) if n.is_ascii_alphabetic() || n == b'_' => {
                out.push_str(&raw[lit..i]);
                let start = i + 1;
                let mut end = start;
                while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
                    end += 1;
                }
                if let Some(Some(v)) = values.get(&raw[start..end]) {
                    out.push_str(v);
                }
                i = end;
                lit = end;
            }
            // `${…}` with nesting.
            Some(b'{') => {
                out.push_str(&raw[lit..i]);
                let mut depth = 0;
                let mut j = i + 1;
                while j < b.len() {
                    match b[j] {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                out.push_str(&braced(&raw[i + 2..j.min(b.len())], values, escape));
                i = j + 1;
                lit = i.min(b.len());
            }
            _ => i += 1,
        }
    }
    out.push_str(&raw[lit..]);
    out
}

fn braced(inner: &str, values: &Values, escape: char) -> String {
    let name_end = inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(inner.len());
    let name = &inner[..name_end];
    let rest = &inner[name_end..];
    let value = values.get(name).cloned().flatten();
    let set = value.is_some();
    let non_empty = value.as_deref().is_some_and(|v| !v.is_empty());
    let v = value.clone().unwrap_or_default();
    let word = |op: &str| expand(&rest[op.len()..], values, escape);
    let strip = |w: &str| crate::syntax::unquote(w, escape);
    if rest.is_empty() {
        v
    } else if rest.starts_with(":-") {
        if non_empty { v } else { strip(&word(":-")) }
    } else if rest.starts_with('-') {
        if set { v } else { strip(&word("-")) }
    } else if rest.starts_with(":+") {
        if non_empty { strip(&word(":+")) } else { String::new() }
    } else if rest.starts_with('+') {
        if set { strip(&word("+")) } else { String::new() }
    } else if rest.starts_with(":?") || rest.starts_with('?') {
        v
    } else if let Some(p) = rest.strip_prefix("##") {
        strip_match(&v, &expand(p, values, escape), true, true)
    } else if let Some(p) = rest.strip_prefix('#') {
        strip_match(&v, &expand(p, values, escape), true, false)
    } else if let Some(p) = rest.strip_prefix("%%") {
        strip_match(&v, &expand(p, values, escape), false, true)
    } else if let Some(p) = rest.strip_prefix('%') {
        strip_match(&v, &expand(p, values, escape), false, false)
    } else if let Some(spec) = rest.strip_prefix('/') {
        // `${V/pattern/replacement}` (first match) and `${V//pattern/replacement}` (every match).
        let (all, spec) = match spec.strip_prefix('/') {
            Some(spec) => (true, spec),
            None => (false, spec),
        };
        let (pattern, replacement) = split_unescaped(spec, '/', escape);
        let replacement = replacement.map(|r| strip(&expand(r, values, escape))).unwrap_or_default();
        replace_matches(&v, &strip(&expand(pattern, values, escape)), &replacement, all)
    } else {
        v
    }
}

/// `spec` split at its first `sep` that the escape character does not escape.
fn split_unescaped(spec: &str, sep: char, escape: char) -> (&str, Option<&str>) {
    let mut escaped = false;
    for (i, c) in spec.char_indices() {
        if escaped {
            escaped = false;
        } else if c == escape {
            escaped = true;
        } else if c == sep {
            return (&spec[..i], Some(&spec[i + c.len_utf8()..]));
        }
    }
    (spec, None)
}

/// Replaces the first (or every) longest match of the glob `pattern` in `v`, scanning from the
/// left as the shell does. An empty pattern changes nothing.
fn replace_matches(v: &str, pattern: &str, replacement: &str, all: bool) -> String {
    if pattern.is_empty() {
        return v.to_string();
    }
    let cuts: Vec<usize> = v.char_indices().map(|(i, _)| i).chain(std::iter::once(v.len())).collect();
    let mut out = String::with_capacity(v.len());
    let mut from = 0; // index into `cuts` of the first character not yet copied
    let mut k = 0;
    while k + 1 < cuts.len() {
        let start = cuts[k];
        let matched = cuts[k + 1..].iter().rev().position(|&end| glob(pattern, &v[start..end])).map(|back| cuts.len() - 1 - back);
        match matched {
            Some(end_k) => {
                out.push_str(&v[cuts[from]..start]);
                out.push_str(replacement);
                from = end_k;
                k = end_k;
                if !all {
                    break;
                }
            }
            None => k += 1,
        }
    }
    out.push_str(&v[cuts[from]..]);
    out
}

/// Removes the shortest/longest prefix or suffix of `v` matching the glob `pattern`.
fn strip_match(v: &str, pattern: &str, prefix: bool, longest: bool) -> String {
    let cuts: Vec<usize> = v.char_indices().map(|(i, _)| i).chain(std::iter::once(v.len())).collect();
    let candidates: Box<dyn Iterator<Item = &usize>> = if longest == prefix { Box::new(cuts.iter().rev()) } else { Box::new(cuts.iter()) };
    for &cut in candidates {
        let part = if prefix { &v[..cut] } else { &v[cut..] };
        if glob(pattern, part) {
            return if prefix { v[cut..].to_string() } else { v[..cut].to_string() };
        }
    }
    v.to_string()
}

fn glob(p: &str, s: &str) -> bool {
    let (p, s): (Vec<char>, Vec<char>) = (p.chars().collect(), s.chars().collect());
    fn m(p: &[char], s: &[char]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some('*') => (0..=s.len()).any(|i| m(&p[1..], &s[i..])),
            Some('?') => !s.is_empty() && m(&p[1..], &s[1..]),
            Some(c) => s.first() == Some(c) && m(&p[1..], &s[1..]),
        }
    }
    m(&p, &s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals() -> Values {
        [("A", Some("1.2.3")), ("EMPTY", Some("")), ("UNSET", None), ("B", Some("x"))]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect()
    }

    #[test]
    fn operators_behave_like_docker() {
        let v = vals();
        assert_eq!(expand("python:${A}-slim", &v, '\\'), "python:1.2.3-slim");
        assert_eq!(expand("$A/$B", &v, '\\'), "1.2.3/x");
        assert_eq!(expand("${EMPTY:-d}", &v, '\\'), "d");
        assert_eq!(expand("${EMPTY-d}", &v, '\\'), "");
        assert_eq!(expand("${UNSET-d}", &v, '\\'), "d");
        assert_eq!(expand("${A:+alt}", &v, '\\'), "alt");
        assert_eq!(expand("${EMPTY:+alt}", &v, '\\'), "");
        assert_eq!(expand("${A%.*}", &v, '\\'), "1.2");
        assert_eq!(expand("${A%%.*}", &v, '\\'), "1");
        assert_eq!(expand("${A#*.}", &v, '\\'), "2.3");
        assert_eq!(expand("${A##*.}", &v, '\\'), "3");
        assert_eq!(expand("${NOPE:-${B}}", &v, '\\'), "x");
        assert_eq!(expand("${NOPE:-\"${B} y\"}", &v, '\\'), "x y");
        assert_eq!(expand("'$A'", &v, '\\'), "'$A'");
    }

    #[test]
    fn replacement_takes_the_first_or_every_longest_match() {
        let v: Values = [("V".to_string(), Some("a-b-c".to_string())), ("P".to_string(), Some("1.2.3".to_string()))].into_iter().collect();
        assert_eq!(expand("${V/-/_}", &v, '\\'), "a_b-c");
        assert_eq!(expand("${V//-/_}", &v, '\\'), "a_b_c");
        assert_eq!(expand("${V//-}", &v, '\\'), "abc");
        assert_eq!(expand("${V/b*/x}", &v, '\\'), "a-x");
        assert_eq!(expand("${P//./-}", &v, '\\'), "1-2-3");
        assert_eq!(expand("${V/z/x}", &v, '\\'), "a-b-c");
        assert_eq!(expand("${V//\\//:}", &[("V".to_string(), Some("a/b".to_string()))].into_iter().collect(), '\\'), "a:b");
        assert_eq!(expand("${NOPE/a/b}", &v, '\\'), "");
    }

    /// Only the directive's escape character keeps a `$` literal.
    #[test]
    fn the_escape_directive_decides_what_escapes_a_dollar() {
        let v: Values = [("U".to_string(), Some("real".to_string()))].into_iter().collect();
        assert_eq!(crate::syntax::unquote(&expand("x\\$U", &v, '\\'), '\\'), "x$U");
        assert_eq!(crate::syntax::unquote(&expand("x\\$U", &v, '`'), '`'), "x\\real");
        assert_eq!(crate::syntax::unquote(&expand("x`$U", &v, '`'), '`'), "x$U");
    }
}
