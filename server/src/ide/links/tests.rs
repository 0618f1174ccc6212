use super::*;
use crate::document::Snapshot;

const FIXTURE: &str = include_str!("../../../tests/fixtures/features/links.Dockerfile");

fn links(text: &str) -> Vec<DocLink> {
    let snap = Snapshot::from_text(text);
    document_links(&Dockerfile::new(&snap.text, &snap.tree))
}

/// `linked text -> target  (tooltip)`, one link a line.
fn render(text: &str) -> String {
    links(text).iter().map(|l| format!("{} -> {}  ({})\n", &text[l.range.clone()], l.target, l.tooltip)).collect()
}

#[test]
fn registry_pages_for_base_images() {
    insta::assert_snapshot!(render(FIXTURE));
}

fn target_of(text: &str) -> Option<String> {
    links(text).into_iter().next().map(|l| l.target)
}

#[test]
fn docker_hub_official_and_user_images() {
    assert_eq!(target_of("FROM python\n").as_deref(), Some("https://hub.docker.com/_/python"));
    assert_eq!(target_of("FROM index.docker.io/library/python\n").as_deref(), Some("https://hub.docker.com/_/python"));
    assert_eq!(target_of("FROM grafana/grafana\n").as_deref(), Some("https://hub.docker.com/r/grafana/grafana"));
    assert_eq!(
        target_of("FROM grafana/grafana:11.2.0-ubuntu\n").as_deref(),
        Some("https://hub.docker.com/r/grafana/grafana/tags?name=11.2.0-ubuntu")
    );
    // A tag built from an arg: the image's page without a filter.
    assert_eq!(target_of("FROM python:${V}-slim\n").as_deref(), Some("https://hub.docker.com/_/python"));
    // Docker Hub has no nested repositories; upper case is not a valid repository.
    assert_eq!(target_of("FROM a/b/c\n"), None);
    assert_eq!(target_of("FROM Python\n"), None);
}

#[test]
fn the_link_covers_the_image_name_only() {
    let text = "FROM --platform=linux/amd64 ghcr.io/acme/api:1.0@sha256:ab AS api\n";
    let l = &links(text)[0];
    assert_eq!(&text[l.range.clone()], "ghcr.io/acme/api");
    assert_eq!(l.target, "https://github.com/orgs/acme/packages/container/package/api");
}

#[test]
fn ghcr_nested_packages_are_url_encoded() {
    assert_eq!(
        target_of("FROM ghcr.io/acme/tools/cli\n").as_deref(),
        Some("https://github.com/orgs/acme/packages/container/package/tools%2Fcli")
    );
    assert_eq!(target_of("FROM ghcr.io/acme\n"), None);
}

#[test]
fn stage_references_are_not_links_but_later_images_of_that_name_are_not_stages() {
    // `FROM build` before any stage named build is the Docker Hub image.
    assert_eq!(links("FROM build\nFROM alpine AS build\nFROM build\n").len(), 2);
}

#[test]
fn syntax_directive() {
    let text = "# syntax=docker/dockerfile:1\nFROM scratch\n";
    let l = links(text);
    assert_eq!(l.len(), 1);
    assert_eq!(&text[l[0].range.clone()], "docker/dockerfile");
    assert_eq!(l[0].target, "https://hub.docker.com/r/docker/dockerfile");
    assert_eq!(target_of("# syntax=docker.io/docker/dockerfile-upstream:master\n").as_deref(),
        Some("https://hub.docker.com/r/docker/dockerfile-upstream"));
    assert_eq!(target_of("# syntax = ghcr.io/acme/frontend@sha256:ab\n").as_deref(),
        Some("https://github.com/orgs/acme/packages/container/package/frontend"));
    assert_eq!(target_of("# syntax=\n"), None);
    // Not a directive once an instruction came before it: no link.
    assert_eq!(target_of("FROM scratch\n# syntax=docker/dockerfile:1\n"), None);
}

#[test]
fn unicode_around_the_image_keeps_byte_ranges_right() {
    let text = "# 🐳 容器\nFROM quay.io/coreos/etcd:v3.5 AS ストア\n";
    let l = &links(text)[0];
    assert_eq!(&text[l.range.clone()], "quay.io/coreos/etcd");
    assert_eq!(l.target, "https://quay.io/repository/coreos/etcd");
}
