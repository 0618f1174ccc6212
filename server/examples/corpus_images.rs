//! Image completion over real Dockerfiles: at every position of every FROM image word (the
//! name, the tag, after `@`), completion with a large cached tag list must answer without
//! panicking, with every item's range inside the image word and containing the cursor; and
//! the pin helpers must classify every tag. Prints how the corpus's tags split into exact,
//! moving and named ones, and how long completion took (a rough figure on a loaded machine).
//!
//! ```sh
//! cargo run --release -p dockls --example corpus_images -- ../shared/corpus
//! ```
//!
//! Exit status 1 when an answer breaks a rule above (each is printed).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use dockls::analysis::Analysis;
use dockls::document::Snapshot;
use dockls::ide::completion::{complete_with, ImageSource, Images};
use dockls::registry::{exact_candidates, tag_order, Cached, Reference, Tags};

/// Every repository has the same 3,000 tags: 20 minors × 15 patches × 10 variants, the shape
/// of a large official image.
struct ManyTags(Tags);

impl ManyTags {
    fn new() -> ManyTags {
        let variants = ["", "-slim", "-alpine", "-alpine3.20", "-slim-bookworm", "-bookworm", "-bullseye", "-windowsservercore", "-nanoserver", "-rc1"];
        let mut names = vec!["latest".to_string(), "slim".to_string(), "alpine".to_string(), "lts".to_string()];
        for minor in 0..20 {
            for patch in 0..15 {
                for v in variants {
                    names.push(format!("3.{minor}.{patch}{v}"));
                }
            }
        }
        ManyTags(Tags { names, known: BTreeMap::new() })
    }
}

impl ImageSource for ManyTags {
    fn tags(&self, _: &Reference) -> Option<Cached<Tags>> {
        Some(Cached { value: self.0.clone(), stale: false })
    }
    fn digest(&self, _: &Reference) -> Option<Cached<String>> {
        Some(Cached { value: format!("sha256:{}", "0".repeat(64)), stale: false })
    }
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/corpus".into());
    let files: Vec<std::path::PathBuf> = ignore::WalkBuilder::new(&dir)
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()) && e.path().extension().is_none_or(|x| x != "md"))
        .map(|e| e.into_path())
        .collect();
    let source = ManyTags::new();
    let images = Images { source: &source, workspace: &[], now: 1_750_000_000, base_env: &[] };
    let (mut calls, mut failures, mut froms) = (0usize, 0usize, 0usize);
    let mut times: Vec<Duration> = Vec::new();
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        let a = Analysis::new(Snapshot::from_text(&text));
        for stage in &a.dockerfile.stages {
            let image = &stage.image;
            if image.text.is_empty() || image.text.contains('$') || stage.parent.is_some() {
                continue;
            }
            froms += 1;
            if let Some(r) = Reference::parse(&image.text) {
                let tag = r.tag.clone().unwrap_or_default();
                let kind = match () {
                    _ if r.digest.is_some() => "pinned by digest",
                    _ if tag == "latest" => "latest (explicit or implied)",
                    _ if tag_order::parts(&tag).numbers.is_empty() => "named (lts, bookworm, alpine…)",
                    _ if !exact_candidates(&source.0.names, &tag).is_empty() => "versioned, has more specific tags",
                    _ => "versioned, most specific",
                };
                *kinds.entry(kind).or_default() += 1;
            }
            for offset in image.range.start..=image.range.end {
                if !text.is_char_boundary(offset) {
                    continue;
                }
                let start = Instant::now();
                let done = complete_with(&text, &a.dockerfile, &a.semantics, offset, &images);
                times.push(start.elapsed());
                calls += 1;
                for item in &done.items {
                    let r = &item.range;
                    let inside = image.range.start <= r.start && r.end <= image.range.end.max(offset) && r.start <= offset && offset <= r.end.max(offset);
                    if !inside && !matches!(item.kind, dockls::ide::completion::ItemKind::Stage) {
                        failures += 1;
                        if failures <= 20 {
                            eprintln!("{}: offset {offset} in `{}`: item `{}` replaces {r:?} (image {:?})", path.display(), image.text, item.label, image.range);
                        }
                    }
                }
            }
        }
    }
    times.sort();
    let pct = |p: usize| times.get(times.len().saturating_sub(1) * p / 100).copied().unwrap_or_default();
    println!("{} files, {froms} FROM images, {calls} completions: median {:?}, p99 {:?}, max {:?}", files.len(), pct(50), pct(99), pct(100));
    for (kind, n) in &kinds {
        println!("  {n:5}  {kind}");
    }
    if failures > 0 {
        eprintln!("{failures} items out of place");
        std::process::exit(1);
    }
}
