//! Pinning a FROM image with what its registry says: "Pin to digest" (`python:3.12-slim` →
//! `python:3.12-slim@sha256:…`, the image the tag names today, the tag kept for readers) and
//! "Pin to the exact version" (a moving tag such as `3.12-slim`, `lts` or `latest` replaced by
//! the most specific tag naming the same image, `3.12.7-slim`). Pure: the digest and the exact
//! tag come from the caller (the registry cache).
//!
//! Both are offered as unsafe fixes: the build then stops following the tag (no more base
//! image updates unless someone bumps the pin), which is the point but changes behaviour.

use crate::lint::{Edit, Fix};
use crate::syntax::ImageRef;

/// The pin fixes for `image` (as written in the FROM, without unresolved variables):
/// `digest`: what its tag points at; `exact`: the most specific tag with the same digest.
pub fn pin_fixes(image: &ImageRef, digest: Option<&str>, exact: Option<&str>) -> Vec<Fix> {
    let mut out = Vec::new();
    if image.text.contains('$') {
        return out;
    }
    let name = image.text.trim();
    if let (Some(exact), Some((tag, tag_range))) = (exact, &image.tag) {
        if exact != tag {
            let mut edits = vec![Edit { range: tag_range.clone(), text: exact.to_string() }];
            // A digest already there keeps pinning the same image: nothing else to change.
            if image.digest.is_none() {
                if let Some(d) = digest {
                    out.push(Fix::unsafe_(format!("Pin to `{exact}@{}`", short(d)), vec![Edit { range: tag_range.clone(), text: format!("{exact}@{d}") }]));
                }
            }
            out.push(Fix::unsafe_(format!("Pin to the exact version `{exact}`"), std::mem::take(&mut edits)));
        }
    } else if let (Some(exact), None) = (exact, &image.tag) {
        let end = image.repository.1.end;
        out.push(Fix::unsafe_(format!("Pin to the exact version `{exact}`"), vec![Edit { range: end..end, text: format!(":{exact}") }]));
    }
    if let (Some(d), None) = (digest, &image.digest) {
        let end = image.range.start + name.len();
        out.push(Fix::unsafe_(format!("Pin to digest `{}`", short(d)), vec![Edit { range: end..end, text: format!("@{d}") }]));
    }
    out
}

fn short(digest: &str) -> String {
    crate::ide::completion::short_digest(digest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;
    use crate::document::Snapshot;

    fn fixed(text: &str, digest: Option<&str>, exact: Option<&str>) -> Vec<(String, String)> {
        let a = Analysis::new(Snapshot::from_text(text));
        let image = &a.dockerfile.stages[0].image;
        pin_fixes(image, digest, exact).into_iter().map(|f| (f.title.to_string(), crate::actions::apply(text, &f.edits))).collect()
    }

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn pins_a_moving_tag() {
        let got = fixed("FROM python:3.12-slim AS app\n", Some(D), Some("3.12.7-slim"));
        let titles: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(titles, ["Pin to `3.12.7-slim@sha256:0123456789ab`", "Pin to the exact version `3.12.7-slim`", "Pin to digest `sha256:0123456789ab`"]);
        assert_eq!(got[0].1, format!("FROM python:3.12.7-slim@{D} AS app\n"));
        assert_eq!(got[1].1, "FROM python:3.12.7-slim AS app\n");
        assert_eq!(got[2].1, format!("FROM python:3.12-slim@{D} AS app\n"));
    }

    #[test]
    fn no_tag_gets_one_and_pinned_images_only_a_tag() {
        let got = fixed("FROM --platform=linux/amd64 node\n", None, Some("22.11.0"));
        assert_eq!(got, [("Pin to the exact version `22.11.0`".to_string(), "FROM --platform=linux/amd64 node:22.11.0\n".to_string())]);
        let pinned = format!("FROM node:lts@{D}\n");
        let got = fixed(&pinned, Some(D), Some("22.11.0"));
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, format!("FROM node:22.11.0@{D}\n"));
        assert!(fixed("FROM node:${V}\n", Some(D), Some("1")).is_empty());
        assert!(fixed("FROM node:22.11.0\n", None, Some("22.11.0")).is_empty());
    }
}
