//! `legacy-key-value`: `ENV key value` / `LABEL key value` → `key=value`.

use super::super::prelude::*;

pub static RULE: Rule = Rule {
    id: "legacy-key-value",
    hadolint: &[],
    buildkit: Some("LegacyKeyValueFormat"),
    severity: Severity::Warning,
    category: Category::Maintainability,
    tags: &[Tag::Deprecated],
    summary: "Use `ENV key=value` (and `LABEL key=value`), not the legacy space-separated form",
    docs: r#"## What it does
Flags `ENV` and `LABEL` written in the legacy form `ENV key value`, without `=`.

## Why is this bad?
In the legacy form everything after the key, spaces included, is one value, so
`ENV PATH /app/bin PYTHONUNBUFFERED 1` sets a single variable `PATH` to
`/app/bin PYTHONUNBUFFERED 1`. The Dockerfile reference keeps the form only for backward
compatibility and may remove it.

## Example
```dockerfile
ENV NODE_ENV production
LABEL maintainer Jane Doe <jane@example.com>
```

## Use instead
```dockerfile
ENV NODE_ENV=production
LABEL maintainer="Jane Doe <jane@example.com>"
```

## Fix safety
The fix writes `key=value`, putting the value in double quotes when it has blanks or quotes
and escaping `"`, `\` and literal `$` inside them; `$VAR` stays an expansion. The value Docker
computes is the same, so the fix is safe. Values spread over continuation lines, or with
quotes or escapes inside `${…}`, get no fix.
"#,
    opt_in: false,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for ins in super::with_nested(ctx) {
        if !matches!(ins.kind, Kind::Env | Kind::Label) {
            continue;
        }
        for p in ins.pairs() {
            let Some(value) = &p.value else { continue };
            if p.has_equals {
                continue;
            }
            let kw = ins.kind.keyword();
            let mut f = Finding::new(
                p.range.clone(),
                format!("Legacy `{kw} {} value` form; write `{kw} {}=value`", p.key.text, p.key.text),
            );
            let key_plain = !p.key.text.contains(['"', '\'', '$', ctx.df.escape]);
            if let Some(new) = key_plain.then(|| convert(ctx.src(&value.range), ctx.df.escape)).flatten() {
                let mut edits = vec![Edit { range: p.key.range.end..value.range.start, text: "=".into() }];
                if new != value.text {
                    edits.push(Edit { range: value.range.clone(), text: new.clone() });
                }
                f = f.with_fix(Fix::safe(format!("Write `{}={new}`", p.key.text), edits));
            }
            out.push(f);
        }
    }
}

/// The `key=value` spelling of a legacy value, with the same meaning after Docker's word
/// processing, or `None` when it cannot be written exactly.
pub(super) fn convert(raw: &str, esc: char) -> Option<String> {
    if raw.contains('\n') || raw.is_empty() {
        return None;
    }
    let chars: Vec<char> = raw.chars().collect();
    if is_one_word(&chars, esc) {
        return Some(raw.to_string());
    }
    let special = |c: char| c == '"' || c == '$' || c == esc;
    let mut buf = String::from("\"");
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            None if c == esc => {
                let n = *chars.get(i + 1)?;
                if special(n) {
                    buf.push(esc);
                }
                buf.push(n);
                i += 2;
                continue;
            }
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '$' && chars.get(i + 1) == Some(&'{') => {
                let close = (i..chars.len()).find(|&j| chars[j] == '}')?;
                let inner = &chars[i..=close];
                if inner.iter().any(|&c| c == '"' || c == '\'' || c == esc) || inner[2..].contains(&'$') {
                    return None;
                }
                buf.extend(inner);
                i = close + 1;
                continue;
            }
            None => buf.push(c),
            Some('"') if c == esc => {
                buf.push(c);
                buf.push(*chars.get(i + 1)?);
                i += 2;
                continue;
            }
            Some('"') if c == '"' => quote = None,
            Some('"') => buf.push(c),
            Some(_) if c == '\'' => quote = None,
            Some(_) => {
                if special(c) {
                    buf.push(esc);
                }
                buf.push(c);
            }
        }
        i += 1;
    }
    if quote.is_some() {
        return None;
    }
    buf.push('"');
    Some(buf)
}

/// No blank outside quotes (so the raw text is one `key=value` word).
fn is_one_word(chars: &[char], esc: char) -> bool {
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            _ if c == esc && quote != Some('\'') => i += 1,
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c.is_whitespace() => return false,
            Some(q) if c == q => quote = None,
            _ => {}
        }
        i += 1;
    }
    quote.is_none()
}

#[cfg(test)]
mod tests {
    use super::convert;

    /// Docker's processing of an ENV/LABEL value: literal characters and expansions (kept
    /// verbatim), with quotes and escapes removed.
    #[derive(Debug, PartialEq)]
    enum Tok {
        Lit(char),
        Exp(String),
    }

    fn process(raw: &str, esc: char) -> Vec<Tok> {
        let chars: Vec<char> = raw.chars().collect();
        let mut out = Vec::new();
        let mut quote: Option<char> = None;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            match quote {
                Some('\'') if c == '\'' => quote = None,
                Some('\'') => out.push(Tok::Lit(c)),
                _ if c == esc => {
                    let n = chars[i + 1];
                    if quote.is_none() || n == '"' || n == '$' || n == esc {
                        out.push(Tok::Lit(n));
                        i += 1;
                    } else {
                        out.push(Tok::Lit(c));
                    }
                }
                None if c == '"' || c == '\'' => quote = Some(c),
                Some('"') if c == '"' => quote = None,
                _ if c == '$' => {
                    let end = if chars.get(i + 1) == Some(&'{') {
                        (i..chars.len()).find(|&j| chars[j] == '}').unwrap() + 1
                    } else {
                        (i + 1..chars.len()).find(|&j| !(chars[j].is_ascii_alphanumeric() || chars[j] == '_')).unwrap_or(chars.len())
                    };
                    out.push(Tok::Exp(chars[i..end].iter().collect()));
                    i = end;
                    continue;
                }
                _ => out.push(Tok::Lit(c)),
            }
            i += 1;
        }
        out
    }

    #[test]
    fn conversions_keep_the_value() {
        let cases = [
            ("production", "production"),
            ("\"two words\"", "\"two words\""),
            ("hello world", "\"hello world\""),
            ("Jane Doe <jane@example.com>", "\"Jane Doe <jane@example.com>\""),
            ("$HOME/bin:$PATH with space", "\"$HOME/bin:$PATH with space\""),
            ("${APP:-/opt/app} x", "\"${APP:-/opt/app} x\""),
            ("say \"hi\" now", "\"say hi now\""),
            ("costs '$5' today", "\"costs \\$5 today\""),
            ("a\\ b c", "\"a b c\""),
            ("C:\\\\dir x", "\"C:\\\\dir x\""),
            ("\\$literal dollar", "\"\\$literal dollar\""),
            ("a  b", "\"a  b\""),
            ("x \"a\\\"b\"", "\"x a\\\"b\""),
        ];
        for (raw, want) in cases {
            let got = convert(raw, '\\').unwrap_or_else(|| panic!("no conversion for {raw}"));
            assert_eq!(got, want, "{raw}");
            assert_eq!(process(raw, '\\'), process(&got, '\\'), "{raw} → {got}");
        }
        assert_eq!(convert("a \\\n b", '\\'), None);
        assert_eq!(convert("${A:-\"x\"} y", '\\'), None);
    }

    #[test]
    fn backtick_escape() {
        let got = convert(r"C:\app `$x y", '`').unwrap();
        assert_eq!(process(r"C:\app `$x y", '`'), process(&got, '`'));
    }
}
