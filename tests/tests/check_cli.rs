//! End-to-end tests of `dockls check`: the real binary on fixture files in temporary
//! directories, in each output format.
//!
//! The binary is `$DOCKLS_BIN` when set; otherwise the tests build the workspace's debug binary
//! once (`cargo build -p dockls`) and run `<target>/debug/dockls`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Once;

use dockls_tests::client::workspace_root;
use serde_json::Value;
use tempfile::TempDir;

/// Three errors: an unknown instruction, an unknown flag and an out-of-range port.
const BAD: &str = "FROM alpine:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d\nRUNN x\nCOPY --chmode=755 a /b\nEXPOSE 70000\nUSER 65534\n";
// Clean also for the best-practice rules: pinned by digest, non-root user.
const CLEAN: &str = "FROM alpine:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d\nRUN echo hi\nUSER 65534:65534\n";
/// Only warnings: a host port mapping in EXPOSE and JSON with single quotes.
const WARNINGS: &str = "FROM alpine:3.20\nEXPOSE 8080:80\nCMD ['app']\n";

fn dockls() -> PathBuf {
    static BUILD: Once = Once::new();
    if let Some(bin) = std::env::var_os("DOCKLS_BIN") {
        return PathBuf::from(bin);
    }
    let root = workspace_root();
    BUILD.call_once(|| {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", "dockls"])
            .current_dir(&root)
            .status()
            .expect("running cargo build");
        assert!(status.success(), "cargo build -p dockls failed");
    });
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        Some(dir) => root.join(dir),
        None => root.join("target"),
    };
    target.join("debug").join(format!("dockls{}", std::env::consts::EXE_SUFFIX))
}

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// `dockls check ARGS` in `dir`, with colour left to auto-detection (off: stdout is a pipe).
fn check(dir: &Path, args: &[&str]) -> Run {
    check_with_stdin(dir, args, None)
}

fn check_with_stdin(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(dockls())
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env_remove("CLICOLOR_FORCE")
        .env_remove("NO_COLOR")
        // Never the real registries (the fake-registry tests live in registry.rs).
        .env("DOCKLS_OFFLINE", "1")
        // Nor the user's caches (ShellCheck results, registry answers).
        .env("XDG_CACHE_HOME", test_cache_home())
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running dockls");
    if let Some(text) = stdin {
        // dockls may refuse its arguments before reading standard input.
        let _ = child.stdin.take().unwrap().write_all(text.as_bytes());
    }
    let out = child.wait_with_output().expect("waiting for dockls");
    Run {
        status: out.status.code().expect("dockls was killed by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// A cache folder of this test process's own.
fn test_cache_home() -> &'static Path {
    static DIR: std::sync::OnceLock<TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temporary directory")).path()
}

/// A temporary directory holding `files` (relative path, contents).
fn fixture(files: &[(&str, &[u8])]) -> TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (path, contents) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    dir
}

/// The diagnostic with `code` in a JSON file entry.
fn diagnostic<'a>(file: &'a Value, code: &str) -> &'a Value {
    file["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {file:#}"))
}

fn json_paths(doc: &Value) -> Vec<String> {
    doc["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap().to_string()).collect()
}

#[test]
fn clean_file_exits_zero() {
    let dir = fixture(&[("Dockerfile", CLEAN.as_bytes())]);
    let run = check(dir.path(), &["Dockerfile"]);
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "All 1 file OK\n");
    assert_eq!(run.stderr, "");
}

#[test]
fn errors_exit_one_and_name_path_line_and_column() {
    let dir = fixture(&[("Dockerfile", BAD.as_bytes())]);
    let run = check(dir.path(), &["Dockerfile"]);
    assert_eq!(run.status, 1, "{}{}", run.stdout, run.stderr);
    for expected in [
        "Dockerfile:2:1: error[unknown-instruction]:",
        "Dockerfile:3:6: error[unknown-flag]:",
        "Dockerfile:4:8: error[expose-port-range]:",
    ] {
        assert!(run.stdout.contains(expected), "{expected:?} not in:\n{}", run.stdout);
    }
    assert!(run.stdout.ends_with("3 problems (3 errors) in 1 file\n"), "{}", run.stdout);
    assert!(!run.stdout.contains('\u{1b}'), "colour on a pipe:\n{}", run.stdout);
}

#[test]
fn human_output_snapshot() {
    let dir = fixture(&[("Dockerfile", BAD.as_bytes()), ("app.Dockerfile", CLEAN.as_bytes())]);
    let run = check(dir.path(), &["--color", "never"]);
    assert_eq!(run.status, 1);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn color_is_forced_or_disabled_by_the_flag() {
    let dir = fixture(&[("Dockerfile", BAD.as_bytes())]);
    let always = check(dir.path(), &["--color=always", "Dockerfile"]);
    assert!(always.stdout.contains("\u{1b}["), "{}", always.stdout);
    let never = check(dir.path(), &["--color=never", "Dockerfile"]);
    assert!(!never.stdout.contains('\u{1b}'), "{}", never.stdout);
    // Same text once the escapes are gone.
    let stripped: String = {
        let mut out = String::new();
        let mut chars = always.stdout.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    assert_eq!(stripped, never.stdout);
}

#[test]
fn json_output_has_exact_ranges() {
    let dir = fixture(&[("Dockerfile", BAD.as_bytes())]);
    let run = check(dir.path(), &["--format", "json", "Dockerfile"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["tool"]["name"], "dockls");
    assert_eq!(json_paths(&doc), ["Dockerfile"]);
    let file = &doc["files"][0];

    let d = diagnostic(file, "unknown-instruction");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["range"]["start"]["line"], 1);
    assert_eq!(d["range"]["start"]["character"], 0);
    assert_eq!(d["range"]["end"]["line"], 1);
    assert_eq!(d["range"]["end"]["character"], 4);
    assert_eq!(&BAD[d["startByte"].as_u64().unwrap() as usize..d["endByte"].as_u64().unwrap() as usize], "RUNN");

    let d = diagnostic(file, "unknown-flag");
    assert_eq!(d["range"]["start"], serde_json::json!({"line": 2, "character": 5}));
    assert_eq!(d["range"]["end"], serde_json::json!({"line": 2, "character": 13}));
    assert_eq!(&BAD[d["startByte"].as_u64().unwrap() as usize..d["endByte"].as_u64().unwrap() as usize], "--chmode");

    let d = diagnostic(file, "expose-port-range");
    assert_eq!(d["range"]["start"], serde_json::json!({"line": 3, "character": 7}));
    assert_eq!(d["range"]["end"], serde_json::json!({"line": 3, "character": 12}));

    assert_eq!(doc["summary"]["files"], 1);
    assert_eq!(doc["summary"]["errors"], 3);
    assert_eq!(doc["summary"]["problems"], 3);
    assert_eq!(doc["inputErrors"], serde_json::json!([]));

    let mut doc = doc;
    doc["tool"]["version"] = "[version]".into();
    insta::assert_json_snapshot!(doc);
}

#[test]
fn positions_count_utf16_in_json_and_sarif_and_characters_in_human_output() {
    // Two astral characters (2 UTF-16 units, 4 bytes each) before the bad port.
    let text = "FROM alpine:3.20\nEXPOSE 😀😀 70000\n";
    let dir = fixture(&[("Dockerfile", text.as_bytes())]);

    let doc = check(dir.path(), &["--format=json", "Dockerfile"]).json();
    let d = diagnostic(&doc["files"][0], "expose-port-range");
    assert_eq!(d["range"]["start"], serde_json::json!({"line": 1, "character": 12}));
    assert_eq!(d["range"]["end"], serde_json::json!({"line": 1, "character": 17}));
    let start = text.find("70000").unwrap();
    assert_eq!(d["startByte"], start);
    assert_eq!(d["endByte"], start + 5);

    let sarif = check(dir.path(), &["--format=sarif", "Dockerfile"]).json();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "expose-port-range")
        .expect("the port result");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 2);
    assert_eq!(region["startColumn"], 13);
    assert_eq!(region["endLine"], 2);
    assert_eq!(region["endColumn"], 18);

    let human = check(dir.path(), &["Dockerfile"]);
    assert!(human.stdout.contains("Dockerfile:2:11: error[expose-port-range]"), "{}", human.stdout);
}

#[test]
fn sarif_output_is_sarif_2_1_0() {
    let dir = fixture(&[("Dockerfile", BAD.as_bytes()), ("sub/Dockerfile.dev", WARNINGS.as_bytes())]);
    let run = check(dir.path(), &["--format", "sarif"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let log = run.json();
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let sarif_run = &log["runs"][0];
    assert_eq!(sarif_run["columnKind"], "utf16CodeUnits");
    let driver = &sarif_run["tool"]["driver"];
    assert_eq!(driver["name"], "dockls");
    assert!(driver["version"].is_string());
    assert!(driver["informationUri"].as_str().unwrap().starts_with("https://"));
    let rules: Vec<&str> = driver["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = rules.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(rules, sorted, "one rule per code, sorted");

    let results = sarif_run["results"].as_array().unwrap();
    assert!(results.len() >= 5, "{results:#?}");
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(r["ruleId"], rules[index]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        assert!(r["message"]["text"].is_string());
    }
    let port = results.iter().find(|r| r["ruleId"] == "expose-port-range").unwrap();
    assert_eq!(port["level"], "error");
    let loc = &port["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "Dockerfile");
    // Relative paths name their base, and the base is where `check` ran.
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    let root = sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str().unwrap();
    let dir_name = dir.path().file_name().unwrap().to_str().unwrap();
    assert!(root.starts_with("file:///") && root.ends_with(&format!("{dir_name}/")), "{root}");
    assert_eq!(loc["region"]["startLine"], 4);
    assert_eq!(loc["region"]["startColumn"], 8);
    assert_eq!(loc["region"]["endLine"], 4);
    assert_eq!(loc["region"]["endColumn"], 13);
    let mapping = results.iter().find(|r| r["ruleId"] == "expose-invalid-format").unwrap();
    assert_eq!(mapping["level"], "warning");
    assert_eq!(mapping["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "sub/Dockerfile.dev");
    assert_eq!(sarif_run["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn directory_walk_finds_dockerfiles_and_honours_gitignore() {
    let dir = fixture(&[
        ("Dockerfile", CLEAN.as_bytes()),
        ("app.Dockerfile", CLEAN.as_bytes()),
        ("Dockerfile.dev", CLEAN.as_bytes()),
        ("Containerfile", CLEAN.as_bytes()),
        ("services/api/Dockerfile", CLEAN.as_bytes()),
        ("services/web.dockerfile", CLEAN.as_bytes()),
        (".devcontainer/Dockerfile", CLEAN.as_bytes()),
        // Not Dockerfiles by name.
        ("README.md", b"# readme\n"),
        ("notes.txt", BAD.as_bytes()),
        ("docker-compose.yml", b"services: {}\n"),
        ("Dockerfile.dockerignore", b"node_modules\n"),
        // Ignored.
        (".gitignore", b"build/\nskipped.Dockerfile\n"),
        ("build/Dockerfile", BAD.as_bytes()),
        ("skipped.Dockerfile", BAD.as_bytes()),
        ("services/.gitignore", b"Dockerfile.local\n"),
        ("services/Dockerfile.local", BAD.as_bytes()),
    ]);
    let run = check(dir.path(), &["--format", "json"]);
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        json_paths(&run.json()),
        [
            ".devcontainer/Dockerfile",
            "Containerfile",
            "Dockerfile",
            "Dockerfile.dev",
            "app.Dockerfile",
            "services/api/Dockerfile",
            "services/web.dockerfile",
        ]
    );

    // The same through an explicit directory argument keeps that prefix.
    let run = check(dir.path(), &["--format", "json", "services"]);
    assert_eq!(json_paths(&run.json()), ["services/api/Dockerfile", "services/web.dockerfile"]);

    // A file named explicitly is checked whatever its name, ignored or not.
    let run = check(dir.path(), &["notes.txt", "skipped.Dockerfile"]);
    assert_eq!(run.status, 1);
    assert!(run.stdout.contains("notes.txt:2:1: error[unknown-instruction]"), "{}", run.stdout);
    assert!(run.stdout.contains("skipped.Dockerfile:2:1: error[unknown-instruction]"), "{}", run.stdout);
    assert!(run.stdout.contains("in 2 files"), "{}", run.stdout);
}

#[test]
fn output_is_sorted_by_path_and_files_are_not_repeated() {
    let dir = fixture(&[
        ("b/Dockerfile", BAD.as_bytes()),
        ("a/Dockerfile", BAD.as_bytes()),
        ("a-b/Dockerfile", BAD.as_bytes()),
        ("Dockerfile", BAD.as_bytes()),
    ]);
    let run = check(dir.path(), &["--format", "json", "b", ".", "./Dockerfile", "a/Dockerfile"]);
    assert_eq!(json_paths(&run.json()), ["Dockerfile", "a/Dockerfile", "a-b/Dockerfile", "b/Dockerfile"]);
    let human = check(dir.path(), &["."]);
    let headers: Vec<&str> = human.stdout.lines().filter(|l| l.contains(": error[")).map(|l| l.split(':').next().unwrap()).collect();
    let mut sorted = headers.clone();
    sorted.sort_by_key(|p| p.split('/').map(str::to_string).collect::<Vec<_>>());
    assert_eq!(headers, sorted);
    assert_eq!(headers.len(), 12);
}

/// A Dockerfile whose *name* is not UTF-8 is found and checked, not skipped.
#[cfg(target_os = "linux")]
#[test]
fn a_file_name_that_is_not_utf8_is_still_checked() {
    use std::os::unix::ffi::OsStrExt;
    let dir = fixture(&[]);
    std::fs::write(dir.path().join(std::ffi::OsStr::from_bytes(b"Dockerfile.caf\xe9")), BAD.as_bytes()).unwrap();
    let run = check(dir.path(), &["."]);
    assert_eq!(run.status, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Dockerfile.caf\u{fffd}:2:1: error[unknown-instruction]"), "{}", run.stdout);
}

#[test]
fn invalid_utf8_is_reported_and_other_files_are_still_checked() {
    let mut bad = b"FROM alpine:3.20\nRUN echo ".to_vec();
    bad.extend_from_slice(&[0xff, 0xfe, b'\n']);
    let dir = fixture(&[("Dockerfile", BAD.as_bytes()), ("latin1.Dockerfile", &bad), ("ok.Dockerfile", CLEAN.as_bytes())]);
    let run = check(dir.path(), &["."]);
    assert_eq!(run.status, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("latin1.Dockerfile: not valid UTF-8 (byte 26)"), "{}", run.stderr);
    assert!(run.stdout.contains("Dockerfile:2:1: error[unknown-instruction]"), "{}", run.stdout);
    assert!(run.stdout.contains("3 problems (3 errors) in 2 files; 1 path could not be checked"), "{}", run.stdout);

    let doc = check(dir.path(), &["--format=json"]).json();
    assert_eq!(json_paths(&doc), ["Dockerfile", "ok.Dockerfile"]);
    assert_eq!(doc["inputErrors"][0]["path"], "latin1.Dockerfile");
    assert_eq!(doc["inputErrors"][0]["message"], "not valid UTF-8 (byte 26)");

    let sarif = check(dir.path(), &["--format=sarif"]).json();
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert!(invocation["toolExecutionNotifications"][0]["message"]["text"].as_str().unwrap().contains("latin1.Dockerfile"));
}

#[test]
fn missing_path_exits_two_and_names_it() {
    let dir = fixture(&[("Dockerfile", CLEAN.as_bytes())]);
    let run = check(dir.path(), &["nope/Dockerfile", "Dockerfile"]);
    assert_eq!(run.status, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("nope/Dockerfile"), "{}", run.stderr);
    assert!(run.stderr.contains("no such file or directory"), "{}", run.stderr);
    assert!(run.stdout.contains("All 1 file OK"), "{}", run.stdout);

    let run = check(dir.path(), &["missing-dir"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("missing-dir"), "{}", run.stderr);
}

#[test]
fn fail_level_decides_the_exit_status() {
    let dir = fixture(&[("Dockerfile", WARNINGS.as_bytes()), ("bad/Dockerfile", BAD.as_bytes())]);
    let run = check(dir.path(), &["Dockerfile"]);
    assert_eq!(run.status, 1, "warnings fail by default:\n{}", run.stdout);
    assert!(run.stdout.contains("warning[expose-invalid-format]"), "{}", run.stdout);
    let run = check(dir.path(), &["--fail-level=error", "Dockerfile"]);
    assert_eq!(run.status, 0, "{}", run.stdout);
    assert!(run.stdout.contains("warning[expose-invalid-format]"), "still reported:\n{}", run.stdout);
    assert_eq!(check(dir.path(), &["--fail-level=error", "bad/Dockerfile"]).status, 1);
    assert_eq!(check(dir.path(), &["--fail-level=none", "bad/Dockerfile"]).status, 0);
}

#[test]
fn ten_megabyte_file_is_checked() {
    let per_line = dockls_tests::synth::dockerfile(1000).len() / 1000;
    let text = dockls_tests::synth::dockerfile(10_000_000 / per_line + 1000);
    assert!(text.len() >= 10_000_000, "{}", text.len());
    let dir = fixture(&[("big.Dockerfile", text.as_bytes())]);
    let run = check(dir.path(), &["--format=json", "big.Dockerfile"]);
    assert!(run.status == 0 || run.status == 1, "status {}: {}", run.status, run.stderr);
    let doc = run.json();
    assert_eq!(doc["summary"]["files"], 1);
    assert_eq!(json_paths(&doc), ["big.Dockerfile"]);
}

#[test]
fn binary_junk_that_is_utf8_gets_diagnostics_not_a_crash() {
    // Deterministic pseudo-random characters: controls, ASCII, Latin, CJK, emoji, NULs.
    let mut state: u64 = 0x5eed;
    let mut junk = String::new();
    while junk.len() < 100_000 {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let r = (state >> 33) as u32;
        let c = match r % 6 {
            0 => char::from_u32(r % 0x20).unwrap(),
            1 | 2 => char::from_u32(0x20 + r % 0x5f).unwrap(),
            3 => char::from_u32(0xa0 + r % 0x500).unwrap(),
            4 => char::from_u32(0x4e00 + r % 0x5000).unwrap(),
            _ => char::from_u32(0x1f300 + r % 0x300).unwrap(),
        };
        junk.push(c);
    }
    let dir = fixture(&[("junk.Dockerfile", junk.as_bytes())]);
    for format in ["human", "json", "sarif"] {
        let run = check(dir.path(), &["--format", format, "junk.Dockerfile"]);
        assert!(run.status == 0 || run.status == 1, "{format}: status {}: {}", run.status, run.stderr);
        if format != "human" {
            run.json();
        }
    }
}

#[test]
fn reads_standard_input_for_dash() {
    let dir = fixture(&[]);
    let run = check_with_stdin(dir.path(), &["-"], Some(BAD));
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stdout.contains("<stdin>:2:1: error[unknown-instruction]"), "{}", run.stdout);
}

#[test]
fn empty_directory_finds_nothing() {
    let dir = fixture(&[("README.md", b"hi\n")]);
    let run = check(dir.path(), &[]);
    assert_eq!(run.status, 0);
    assert_eq!(run.stdout, "No Dockerfiles found\n");
}

#[test]
fn shellcheck_results_are_kept_between_runs_unless_no_cache() {
    let dir = fixture(&[("Dockerfile", b"FROM alpine:3.20\nRUN echo $x\n")]);
    let bin = dockls_tests::fake_shellcheck::install(dir.path());
    let (log, cache) = (dir.path().join("starts.log"), dir.path().join("cache"));
    let run = |args: &[&str]| {
        let out = Command::new(dockls())
            .arg("check")
            .args(["--format", "json", "--fail-level", "none", "--shellcheck", "always"])
            .args(args)
            .arg("Dockerfile")
            .current_dir(dir.path())
            .env("DOCKLS_OFFLINE", "1")
            .env("XDG_CACHE_HOME", &cache)
            .env("FAKE_SHELLCHECK_LOG", &log)
            .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()))
            .output()
            .expect("running dockls");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
        let sc = diagnostic(&doc["files"][0], "SC2086").clone();
        (sc["range"].clone(), dockls_tests::fake_shellcheck::starts(&log))
    };
    let (first, starts) = run(&[]);
    assert_eq!(starts, 1);
    assert_eq!(first["start"], serde_json::json!({"line": 1, "character": 9}), "{first}");
    let (second, starts) = run(&[]);
    assert_eq!((second, starts), (first.clone(), 1), "the second run takes the finding from the cache");
    assert!(crate_cache_file(&cache).is_file());
    let (_, starts) = run(&["--no-cache"]);
    assert_eq!(starts, 2, "--no-cache runs ShellCheck");
    std::fs::write(dir.path().join("Dockerfile"), "FROM alpine:3.20\nRUN echo $y\n").unwrap();
    let (_, starts) = run(&[]);
    assert_eq!(starts, 3, "a changed script is checked again");
}

fn crate_cache_file(cache_home: &Path) -> PathBuf {
    cache_home.join("dockls").join("shellcheck").join("results-v1.json")
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    // `dockls rule --markdown | head -c 16`: the pipe closes long before the catalogue
    // (over 100 KB, more than a pipe holds) is written.
    let mut child = Command::new(dockls())
        .args(["rule", "--markdown"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dockls starts");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).expect("the listing starts");
    drop(stdout);
    let out = child.wait_with_output().expect("dockls ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}

#[test]
fn fixes_that_meet_at_one_offset_keep_the_file_valid() {
    // `yum-clean` inserts at the end of the first RUN, where `consecutive-run` joins the next.
    let dir = fixture(&[("Dockerfile", b"FROM centos:7\nRUN yum install -y httpd\nRUN echo b\n")]);
    check(dir.path(), &["--offline", "--fix", "Dockerfile"]);
    let fixed = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(fixed.contains("RUN yum install -y httpd && yum clean all && \\\n    echo b"), "{fixed}");
    // Nothing left to fix, and fixing again changes nothing.
    check(dir.path(), &["--offline", "--fix", "Dockerfile"]);
    assert_eq!(std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(), fixed);
}

#[test]
fn ignore_files_above_the_repository_root_do_not_apply() {
    // A checkout around the repository ignores `repo/app/`; inside the repository it is not.
    let dir = fixture(&[(".gitignore", b"app/\n"), ("repo/app/Dockerfile", CLEAN.as_bytes())]);
    std::fs::create_dir(dir.path().join("repo/.git")).unwrap();
    let r = check(&dir.path().join("repo"), &["--offline", "--format", "json", "."]);
    assert_eq!(json_paths(&r.json()), ["app/Dockerfile"], "{}", r.stdout);
}

#[test]
fn a_file_named_twice_is_checked_once_and_fix_refuses_stdin() {
    let dir = fixture(&[("Dockerfile", BAD.as_bytes())]);
    let absolute = dir.path().join("Dockerfile");
    let r = check(dir.path(), &["--offline", "--format", "json", "Dockerfile", "./Dockerfile", absolute.to_str().unwrap()]);
    assert_eq!(r.json()["files"].as_array().unwrap().len(), 1, "{}", r.stdout);
    let r = check_with_stdin(dir.path(), &["--offline", "--fix", "-"], Some(CLEAN));
    assert_eq!(r.status, 2);
    assert!(r.stderr.contains("--fix cannot write"), "{}", r.stderr);
}
