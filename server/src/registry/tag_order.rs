//! How tags are offered: versioned tags first, newest version first and, within one version
//! line, the most specific first (`3.12.7-slim-bookworm`, `3.12-slim`, `3-slim`); versions
//! compare as numbers (`3.10` after `3.9`); then pre-releases (`3.13.0rc1`, `1.0.0-beta.2`) in
//! the same order; then named tags (`bookworm`, `lts`) by name; `latest` last.

use std::cmp::Ordering;

/// A tag cut into its version and its variant: `3.12.7-slim-bookworm` → `[3, 12, 7]`,
/// pre-release `None`, variant `slim-bookworm`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagParts<'a> {
    pub numbers: Vec<u64>,
    /// Letters glued to the version (`3.13.0rc1` → `rc1`) or a pre-release suffix.
    pub pre: Option<&'a str>,
    /// What follows the version after a `-` (`slim-bookworm`); the whole tag when unversioned.
    pub variant: &'a str,
}

const PRE_WORDS: &[&str] = &["alpha", "beta", "rc", "pre", "dev", "a", "b"];

fn is_pre(word: &str) -> bool {
    let letters = word.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    PRE_WORDS.contains(&letters.to_ascii_lowercase().as_str())
}

pub fn parts(tag: &str) -> TagParts<'_> {
    let body = tag.strip_prefix('v').filter(|b| b.starts_with(|c: char| c.is_ascii_digit())).unwrap_or(tag);
    let end = body.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(body.len());
    let version = body[..end].trim_end_matches('.');
    let numbers: Vec<u64> = if version.is_empty() { Vec::new() } else { version.split('.').map_while(|n| n.parse().ok()).collect() };
    if numbers.is_empty() {
        return TagParts { numbers, pre: None, variant: tag };
    }
    let rest = &body[version.len()..];
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    let (glued, after) = match rest.strip_prefix('-') {
        Some(after) => ("", after),
        None => rest.split_once('-').unwrap_or((rest, "")),
    };
    if !glued.is_empty() {
        return TagParts { numbers, pre: Some(glued), variant: after };
    }
    // `1.0.0-rc.1-alpine`: the first dash word may be a pre-release.
    match after.split_once('-') {
        Some((first, more)) if is_pre(first) => TagParts { numbers, pre: Some(first), variant: more },
        None if is_pre(after) => TagParts { numbers, pre: Some(after), variant: "" },
        _ => TagParts { numbers, pre: None, variant: after },
    }
}

fn words(variant: &str) -> usize {
    if variant.is_empty() {
        0
    } else {
        variant.matches('-').count() + 1
    }
}

/// The order tags are offered in (see the module docs).
pub fn compare(a: &str, b: &str) -> Ordering {
    compare_parts(a, &parts(a), b, &parts(b))
}

/// [`compare`] with the tags already cut (sorting thousands of tags cuts each once).
fn compare_parts(a: &str, pa: &TagParts<'_>, b: &str, pb: &TagParts<'_>) -> Ordering {
    let rank = |t: &str, p: &TagParts<'_>| match t {
        "latest" => 3,
        _ if p.numbers.is_empty() => 2,
        _ if p.pre.is_some() => 1,
        _ => 0,
    };
    rank(a, pa).cmp(&rank(b, pb)).then_with(|| {
        for i in 0..pa.numbers.len().max(pb.numbers.len()) {
            match (pa.numbers.get(i), pb.numbers.get(i)) {
                (Some(x), Some(y)) if x != y => return y.cmp(x),
                (Some(_), None) => return Ordering::Less,
                (None, Some(_)) => return Ordering::Greater,
                _ => {}
            }
        }
        // Releases before their pre-releases; the more specific variant first.
        pa.pre.is_some()
            .cmp(&pb.pre.is_some())
            .then_with(|| pb.pre.cmp(&pa.pre))
            .then_with(|| words(pb.variant).cmp(&words(pa.variant)))
            .then_with(|| pa.variant.cmp(pb.variant))
            .then_with(|| a.cmp(b))
    })
}

/// The tags to offer while `typed` is typed, ordered; `variant`: the variant the tag being
/// edited already has (`slim` in `3.12-slim`), which the offered tags must start with unless
/// the typed text already chooses one.
pub fn offer<'a>(tags: &'a [String], typed: &str, variant: Option<&str>) -> Vec<&'a String> {
    let variant = variant.filter(|v| !v.is_empty() && !typed.contains('-'));
    let mut out: Vec<(&String, TagParts<'_>)> = tags
        .iter()
        .filter(|t| t.starts_with(typed))
        .map(|t| (t, parts(t)))
        .filter(|(_, p)| variant.is_none_or(|v| !p.numbers.is_empty() && p.variant.starts_with(v)))
        .collect();
    out.sort_by(|(a, pa), (b, pb)| compare_parts(a, pa, b, pb));
    out.into_iter().map(|(t, _)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(tags: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = tags.iter().map(|s| s.to_string()).collect();
        v.sort_by(|a, b| compare(a, b));
        v
    }

    #[test]
    fn versions_split_from_variants() {
        assert_eq!(parts("3.12.7-slim-bookworm"), TagParts { numbers: vec![3, 12, 7], pre: None, variant: "slim-bookworm" });
        assert_eq!(parts("3.13.0rc1-alpine"), TagParts { numbers: vec![3, 13, 0], pre: Some("rc1"), variant: "alpine" });
        assert_eq!(parts("1.0.0-rc.1"), TagParts { numbers: vec![1, 0, 0], pre: Some("rc.1"), variant: "" });
        assert_eq!(parts("v1.2"), TagParts { numbers: vec![1, 2], pre: None, variant: "" });
        assert_eq!(parts("bookworm"), TagParts { numbers: vec![], pre: None, variant: "bookworm" });
        assert_eq!(parts("3-alpine3.20"), TagParts { numbers: vec![3], pre: None, variant: "alpine3.20" });
    }

    #[test]
    fn most_specific_first_latest_last() {
        assert_eq!(
            sorted(&["latest", "3-slim", "3.12-slim", "bookworm", "3.12.7-slim-bookworm", "3.9", "3.10", "3.13.0rc1", "3.13.0", "3.12.7", "3.12.7-slim"]),
            ["3.13.0", "3.12.7-slim-bookworm", "3.12.7-slim", "3.12.7", "3.12-slim", "3.10", "3.9", "3-slim", "3.13.0rc1", "bookworm", "latest"]
        );
    }

    #[test]
    fn filtered_by_typed_text_and_chosen_variant() {
        let tags: Vec<String> = ["3.12.7-slim-bookworm", "3.12.7-alpine3.20", "3.12-slim", "3-slim", "3.12", "slim", "latest", "3.11-slim"].iter().map(|s| s.to_string()).collect();
        assert_eq!(offer(&tags, "3.12", Some("slim")), ["3.12.7-slim-bookworm", "3.12-slim"]);
        assert_eq!(offer(&tags, "3.12.7-a", Some("slim")), ["3.12.7-alpine3.20"]);
        assert_eq!(offer(&tags, "", None).last().unwrap().as_str(), "latest");
        assert_eq!(offer(&tags, "3.1", None)[0].as_str(), "3.12.7-slim-bookworm");
    }
}
