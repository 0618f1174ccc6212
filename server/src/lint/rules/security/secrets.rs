//! `secrets-in-arg-env`: secrets passed through ARG or ENV end up in the image.

use super::prelude::*;

pub static RULE: Rule = Rule {
    id: "secrets-in-arg-env",
    hadolint: &["DL3064"],
    buildkit: Some("SecretsUsedInArgOrEnv"),
    severity: Severity::Warning,
    category: Category::Security,
    tags: &[],
    summary: "Do not pass secrets through ARG or ENV; use a secret mount",
    docs: r#"## What it does
Flags an `ARG` or `ENV` whose name looks like it holds a secret. The name is split into words
on `_`, `-` and camelCase boundaries (`GITHUB_TOKEN`, `npm-auth`, `apiKey`); it is flagged when
one word is `apikey`, `auth`, `credential`, `credentials`, `key`, `password`, `pword`,
`passwd`, `secret` or `token`, unless a word is `public`, `file` or `version`
(`PUBLIC_KEY`, `PASSWORD_FILE`, `KEY_VERSION`), which name something that is not itself secret.

## Why is this bad?
ENV values are stored in the image configuration, and ARG values in the build history
(`docker history`) of every image built with them: anyone who can pull the image can read
them. Build secrets mounted with `RUN --mount=type=secret` are never written to a layer or to
the history.

## Example
```dockerfile
FROM node:20-slim
ARG NPM_TOKEN
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci
```

## Use instead
```dockerfile
FROM node:20-slim
RUN --mount=type=secret,id=npm_token \
    echo "//registry.npmjs.org/:_authToken=$(cat /run/secrets/npm_token)" > .npmrc && npm ci && rm .npmrc
```
and build with `docker build --secret id=npm_token,env=NPM_TOKEN .`.

## Differences from BuildKit and hadolint
BuildKit's `SecretsUsedInArgOrEnv` only splits names on `_`, so it misses `apiKey` or
`github-token`; dockls also splits on `-` and camelCase. The word lists are the same.
hadolint's DL3064 also matches parts of words, which flags names such as
`TOKENIZERS_PARALLELISM` or `KEYBOARD_LAYOUT`; dockls compares whole words.
"#,
    opt_in: false,
    check,
};

const SECRET_WORDS: &[&str] = &["apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd", "secret", "token"];
const ALLOW_WORDS: &[&str] = &["public", "file", "version"];

/// Splits a variable name into lower-case words on `_`, `-`, `.` and camelCase boundaries
/// (`APIKey` → `api`, `key`; `githubToken` → `github`, `token`).
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split(['_', '-', '.']) {
        let chars: Vec<char> = part.chars().collect();
        let mut cur = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let boundary = i > 0
                && c.is_uppercase()
                && (chars[i - 1].is_lowercase()
                    || chars[i - 1].is_ascii_digit()
                    || (chars[i - 1].is_uppercase() && chars.get(i + 1).is_some_and(|n| n.is_lowercase())));
            if boundary && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            cur.extend(c.to_lowercase());
        }
        if !cur.is_empty() {
            words.push(cur);
        }
    }
    words
}

pub fn looks_secret(name: &str) -> bool {
    let words = name_words(name);
    words.iter().any(|w| SECRET_WORDS.contains(&w.as_str())) && !words.iter().any(|w| ALLOW_WORDS.contains(&w.as_str()))
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, ins) in ctx.instructions() {
        if !matches!(ins.kind, Kind::Arg | Kind::Env) {
            continue;
        }
        for pair in ins.pairs() {
            let key = &pair.key;
            if key.has_expansions() || !looks_secret(&key.value) {
                continue;
            }
            let what = if ins.kind == Kind::Arg { "build history" } else { "image configuration" };
            out.push(Finding::new(
                key.range.clone(),
                format!(
                    "`{}` looks like a secret: {} values are kept in the {what}; use `RUN --mount=type=secret` instead",
                    key.value,
                    ins.kind.keyword()
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{looks_secret, name_words};

    #[test]
    fn splits_names() {
        assert_eq!(name_words("GITHUB_TOKEN"), ["github", "token"]);
        assert_eq!(name_words("apiKey"), ["api", "key"]);
        assert_eq!(name_words("APIKey"), ["api", "key"]);
        assert_eq!(name_words("npm-auth-token"), ["npm", "auth", "token"]);
        assert_eq!(name_words("AWS_SECRET_ACCESS_KEY"), ["aws", "secret", "access", "key"]);
    }

    #[test]
    fn secret_names() {
        for yes in ["GITHUB_TOKEN", "api_key", "APIKEY", "DB_PASSWORD", "secret_MESSAGE", "AUTH", "apiKey", "npm-token", "AWS_SECRET_ACCESS_KEY"] {
            assert!(looks_secret(yes), "{yes}");
        }
        for no in ["PUBLIC_KEY", "PASSWORD_FILE", "GPG_KEY_VERSION", "KEYBOARD", "TOKENIZER_PATH", "AUTHOR", "MONKEY", "NODE_VERSION", "PATH", "SSH_KEY_FILE", "DEBIAN_FRONTEND"] {
            assert!(!looks_secret(no), "{no}");
        }
    }
}
