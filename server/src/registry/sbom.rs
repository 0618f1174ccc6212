//! The SBOM BuildKit attaches to an image: an attestation manifest in the image index
//! (`vnd.docker.reference.type: attestation-manifest`, `vnd.docker.reference.digest: <the
//! platform image's manifest digest>`, platform `unknown/unknown`), whose layers are in-toto
//! statements (`application/vnd.in-toto+json`); the one with predicate type
//! `https://spdx.dev/Document` carries an SPDX 2.3 JSON document. Only the package URLs are
//! read from it: the document can be megabytes (every file of the image), so it is parsed as a
//! stream into just the fields below, and unknown fields are skipped without being kept.

use std::collections::HashSet;
use std::io::Read;

use serde::Deserialize;

use super::client::Descriptor;
use super::Platform;

/// The annotation naming what an index entry is, and the value for attestations.
const REFERENCE_TYPE: &str = "vnd.docker.reference.type";
const ATTESTATION_MANIFEST: &str = "attestation-manifest";
/// The annotation naming the manifest an attestation is about.
const REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";
const IN_TOTO: &str = "application/vnd.in-toto+json";
const PREDICATE_TYPE: &str = "in-toto.io/predicate-type";
/// SPDX predicate types carry the SPDX version after this prefix in some producers.
const SPDX_PREDICATE: &str = "https://spdx.dev/Document";

/// The packages of one platform image, from its SBOM attestation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sbom {
    /// Digest of the platform image manifest the SBOM describes.
    pub digest: String,
    pub packages: Vec<Package>,
}

/// A package with a package URL (`pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    pub version: String,
    pub purl: String,
}

/// In an index's entries: the platform image for `wanted` (an exact platform match first,
/// else one that serves it) and the digest of the attestation manifest about it.
pub(super) fn attestation_for(entries: &[Descriptor], wanted: &Platform) -> Option<(String, String)> {
    let images: Vec<(&Descriptor, Platform)> = entries.iter().filter_map(|d| Some((d, d.platform.as_ref()?.platform()?))).collect();
    let (image, _) = images.iter().find(|(_, p)| p == wanted).or_else(|| images.iter().find(|(_, p)| p.serves(wanted)))?;
    let image_digest = image.digest.clone()?;
    let attestation = entries.iter().find(|d| {
        d.annotations.get(REFERENCE_TYPE).is_some_and(|t| t == ATTESTATION_MANIFEST) && d.annotations.get(REFERENCE_DIGEST) == Some(&image_digest)
    })?;
    Some((image_digest, attestation.digest.clone()?))
}

/// The digest of the attestation layer holding the SPDX document, if any.
pub(super) fn spdx_layer(layers: &[Descriptor]) -> Option<String> {
    layers
        .iter()
        .find(|l| l.media_type.as_deref() == Some(IN_TOTO) && l.annotations.get(PREDICATE_TYPE).is_some_and(|t| t.starts_with(SPDX_PREDICATE)))
        .and_then(|l| l.digest.clone())
}

#[derive(Deserialize)]
struct Statement {
    #[serde(default)]
    predicate: Option<SpdxDocument>,
}

#[derive(Deserialize)]
struct SpdxDocument {
    #[serde(default)]
    packages: Vec<SpdxPackage>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpdxPackage {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version_info: Option<String>,
    #[serde(default)]
    external_refs: Vec<ExternalRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    #[serde(default)]
    reference_category: String,
    #[serde(default)]
    reference_type: String,
    #[serde(default)]
    reference_locator: String,
}

/// The packages with a purl in an in-toto statement whose predicate is an SPDX document,
/// each purl once. SPDX 2.2 spells the category `PACKAGE_MANAGER`, 2.3 `PACKAGE-MANAGER`.
pub fn read_statement(reader: impl Read) -> Result<Vec<Package>, serde_json::Error> {
    let statement: Statement = serde_json::from_reader(std::io::BufReader::new(reader))?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for p in statement.predicate.map(|d| d.packages).unwrap_or_default() {
        let purl = p.external_refs.iter().find(|r| {
            matches!(r.reference_category.to_ascii_uppercase().as_str(), "PACKAGE-MANAGER" | "PACKAGE_MANAGER")
                && r.reference_type.eq_ignore_ascii_case("purl")
                && r.reference_locator.starts_with("pkg:")
        });
        let Some(purl) = purl else { continue };
        if !seen.insert(purl.reference_locator.clone()) {
            continue;
        }
        out.push(Package {
            name: p.name.unwrap_or_default(),
            version: p.version_info.unwrap_or_default(),
            purl: purl.reference_locator.clone(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn descriptors(json: &str) -> Vec<Descriptor> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn attestation_of_the_wanted_platform() {
        let entries = descriptors(
            r#"[
            {"digest":"sha256:amd","platform":{"os":"linux","architecture":"amd64"}},
            {"digest":"sha256:arm","platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
            {"digest":"sha256:att-amd","platform":{"os":"unknown","architecture":"unknown"},
             "annotations":{"vnd.docker.reference.type":"attestation-manifest","vnd.docker.reference.digest":"sha256:amd"}},
            {"digest":"sha256:att-arm","platform":{"os":"unknown","architecture":"unknown"},
             "annotations":{"vnd.docker.reference.type":"attestation-manifest","vnd.docker.reference.digest":"sha256:arm"}}
        ]"#,
        );
        let p = |s: &str| Platform::parse(s).unwrap();
        assert_eq!(attestation_for(&entries, &p("linux/amd64")), Some(("sha256:amd".into(), "sha256:att-amd".into())));
        // `linux/arm64` is served by `linux/arm64/v8`.
        assert_eq!(attestation_for(&entries, &p("linux/arm64")), Some(("sha256:arm".into(), "sha256:att-arm".into())));
        assert_eq!(attestation_for(&entries, &p("linux/s390x")), None);
        // An image without attestation entries has no SBOM.
        assert_eq!(attestation_for(&entries[..2], &p("linux/amd64")), None);
    }

    #[test]
    fn spdx_layer_among_provenance() {
        let layers = descriptors(
            r#"[
            {"mediaType":"application/vnd.in-toto+json","digest":"sha256:prov","annotations":{"in-toto.io/predicate-type":"https://slsa.dev/provenance/v0.2"}},
            {"mediaType":"application/vnd.in-toto+json","digest":"sha256:spdx","annotations":{"in-toto.io/predicate-type":"https://spdx.dev/Document"}}
        ]"#,
        );
        assert_eq!(spdx_layer(&layers).as_deref(), Some("sha256:spdx"));
        assert_eq!(spdx_layer(&layers[..1]), None);
    }

    #[test]
    fn purls_from_an_spdx_statement() {
        let statement = r#"{
            "_type": "https://in-toto.io/Statement/v0.1",
            "predicateType": "https://spdx.dev/Document",
            "subject": [{"name": "pkg:docker/debian@12", "digest": {"sha256": "aa"}}],
            "predicate": {
                "spdxVersion": "SPDX-2.3",
                "name": "sbom",
                "files": [{"fileName": "/etc/passwd", "checksums": []}],
                "packages": [
                    {"name": "openssl", "versionInfo": "3.0.11-1~deb12u1", "SPDXID": "SPDXRef-1",
                     "externalRefs": [
                        {"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*"},
                        {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12"}
                     ]},
                    {"name": "zlib", "versionInfo": "1.2.13", "externalRefs": [
                        {"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64"}
                    ]},
                    {"name": "openssl", "versionInfo": "3.0.11-1~deb12u1", "externalRefs": [
                        {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12"}
                    ]},
                    {"name": "no-purl", "versionInfo": "1"},
                    {"name": "debian", "externalRefs": [{"referenceCategory": "OTHER", "referenceType": "purl", "referenceLocator": "x"}]}
                ]
            }
        }"#;
        let packages = read_statement(statement.as_bytes()).unwrap();
        let purls: Vec<&str> = packages.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(purls, ["pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12", "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64"]);
        assert_eq!((packages[0].name.as_str(), packages[0].version.as_str()), ("openssl", "3.0.11-1~deb12u1"));
        // A statement with another predicate has no packages; a broken one is an error.
        assert!(read_statement(r#"{"predicate": {"buildType": "x"}}"#.as_bytes()).unwrap().is_empty());
        assert!(read_statement("{\"predicate\": [".as_bytes()).is_err());
    }
}
