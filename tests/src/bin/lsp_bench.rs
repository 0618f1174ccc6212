//! `lsp-bench`: measures one LSP server command over stdio on generated Dockerfiles.
//!
//! ```text
//! lsp-bench [--label NAME] [--lines 40,5000,50000] [--runs 7] [--json OUT.json]
//!           [--diag-timeout SECS] [--request-timeout SECS] [--no-header] [-v]
//!           -- /path/to/server serve --stdio
//! ```
//!
//! For each size `n` (a file from `dockls_tests::synth`, of the `--shape` asked for: `mixed`,
//! the default, or `run-dense`) and each run, a fresh
//! server process is started and measured:
//!
//! * `initialize`      – spawn → `initialize` response;
//! * `open→diagnostics` – `didOpen` → the first `publishDiagnostics` for that URI (whatever its
//!   content: an empty list counts);
//! * `documentSymbol`, `foldingRange`, `semanticTokens/full`, `hover` (on a `RUN` keyword),
//!   `completion` (after the `R` of a `RUN --mount` line) – request → response, skipped ("n/a") when the
//!   server does not advertise the capability;
//! * `edit→diagnostics` – an incremental `didChange` (version 2) replacing one digit of an
//!   `EXPOSE` port near the middle of the file → the `publishDiagnostics` for version 2 (or, if
//!   the server does not put `version` in its diagnostics, the next ones for the URI), sent
//!   `--pause-before-edit` milliseconds after the requests above were answered (default 0);
//! * `peak RSS` – `VmHWM` of the server process just before `shutdown`;
//! * with `--shellcheck` (the server runs ShellCheck): `open→ShellCheck findings` and
//!   `edit→ShellCheck findings`, until the first diagnostics that carry an `SC…` code.
//!
//! Every latency ends when the last byte of the answer (or notification) has been read from
//! the server's stdout, before this client parses it: parsing JSON into a `serde_json::Value`
//! is the client's work, and for a large answer it took longer than the server (the
//! `documentSymbol client parse` row still shows it, for both servers).
//!
//! Medians over the runs are printed as Markdown table rows (server, lines, metric, median,
//! min, max, samples); `--json` also writes every sample. A wait that runs out of time is
//! recorded as "timeout", never a crash.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use dockls_tests::client::{
    encode_message, file_uri, range_change, text_document, text_document_position, LspClient, StderrMode, WaitError,
};
use dockls_tests::synth;
use serde_json::{json, Value};

const METRICS: &[(&str, &str)] = &[
    ("initialize", "ms"),
    ("open→diagnostics", "ms"),
    ("edit→diagnostics", "ms"),
    ("documentSymbol", "ms"),
    ("foldingRange", "ms"),
    ("semanticTokens/full", "ms"),
    ("hover", "ms"),
    ("completion", "ms"),
    ("peak RSS", "MiB"),
    // Part of the documentSymbol time that no server can save: the answer's size and how long
    // this client takes to parse it, timed again on the bytes it received.
    ("documentSymbol answer", "KB"),
    ("documentSymbol client parse", "ms"),
    // With `--shellcheck`: until the first diagnostics with a ShellCheck finding (`SC…`).
    ("open→ShellCheck findings", "ms"),
    ("edit→ShellCheck findings", "ms"),
];

/// Index of `documentSymbol` and of the two rows that explain it in `METRICS`.
const SYMBOLS: usize = 3;
const SYMBOLS_SIZE: usize = 9;
const SYMBOLS_PARSE: usize = 10;
const OPEN_SHELLCHECK: usize = 11;
const EDIT_SHELLCHECK: usize = 12;

/// Whether a `publishDiagnostics` carries a ShellCheck finding.
fn has_shellcheck(m: &Value) -> bool {
    m["params"]["diagnostics"]
        .as_array()
        .is_some_and(|d| d.iter().any(|d| d["code"].as_str().is_some_and(|c| c.starts_with("SC"))))
}

struct Options {
    label: String,
    lines: Vec<usize>,
    runs: usize,
    json: Option<PathBuf>,
    diag_timeout: Option<Duration>,
    request_timeout: Duration,
    init_timeout: Duration,
    header: bool,
    verbose: bool,
    utf8: bool,
    shape: synth::Shape,
    /// The server runs ShellCheck: measure until its findings are published.
    shellcheck: bool,
    /// Quiet time before the edit (`--pause-before-edit MS`).
    pause_before_edit: Duration,
    command: Vec<String>,
}

fn usage() -> &'static str {
    "usage: lsp-bench [--label NAME] [--lines 40,5000,50000] [--runs N] [--json OUT.json]\n\
     \x20                [--diag-timeout SECS] [--request-timeout SECS] [--init-timeout SECS]\n\
     \x20                [--utf8] [--shape mixed|run-dense] [--shellcheck] [--pause-before-edit MS]\n\
     \x20                [--no-header] [-v]\n\
     \x20                -- SERVER [ARGS...]"
}

fn parse_args() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut o = Options {
        label: String::new(),
        lines: vec![40, 5000, 50000],
        runs: 5,
        json: None,
        diag_timeout: None,
        request_timeout: Duration::from_secs(60),
        init_timeout: Duration::from_secs(30),
        header: true,
        verbose: false,
        utf8: false,
        shape: synth::Shape::Mixed,
        shellcheck: false,
        pause_before_edit: Duration::ZERO,
        command: Vec::new(),
    };
    let secs = |v: String| -> Result<Duration, String> {
        v.parse::<f64>()
            .ok()
            .filter(|s| *s > 0.0)
            .map(Duration::from_secs_f64)
            .ok_or_else(|| format!("not a positive number of seconds: {v}"))
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--" => {
                o.command = args.by_ref().collect();
                break;
            }
            "--label" => o.label = value("--label")?,
            "--lines" => {
                o.lines = value("--lines")?
                    .split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| {
                        s.trim()
                            .parse::<usize>()
                            .map_err(|e| format!("--lines {s}: {e}"))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--runs" => {
                o.runs = value("--runs")?
                    .parse()
                    .map_err(|e| format!("--runs: {e}"))?;
                if o.runs == 0 {
                    return Err("--runs must be at least 1".into());
                }
            }
            "--json" => o.json = Some(PathBuf::from(value("--json")?)),
            "--diag-timeout" => o.diag_timeout = Some(secs(value("--diag-timeout")?)?),
            "--request-timeout" => o.request_timeout = secs(value("--request-timeout")?)?,
            "--init-timeout" => o.init_timeout = secs(value("--init-timeout")?)?,
            "--utf8" => o.utf8 = true,
            "--shape" => {
                let v = value("--shape")?;
                o.shape = synth::Shape::parse(&v).ok_or_else(|| format!("--shape {v}: mixed or run-dense"))?;
            }
            "--shellcheck" => o.shellcheck = true,
            "--pause-before-edit" => {
                let v = value("--pause-before-edit")?;
                o.pause_before_edit = Duration::from_millis(v.parse().map_err(|e| format!("--pause-before-edit {v}: {e}"))?);
            }
            "--no-header" => o.header = false,
            "-v" | "--verbose" => o.verbose = true,
            "-h" | "--help" => {
                println!("{}", usage());
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if o.command.is_empty() {
        return Err("no server command given after --".into());
    }
    if o.label.is_empty() {
        o.label = Path::new(&o.command[0])
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| o.command[0].clone());
    }
    Ok(o)
}

/// One measurement of one run.
#[derive(Clone, Debug)]
enum Sample {
    Value(f64),
    Timeout,
    NotSupported,
    Error(String),
}

impl Sample {
    fn to_json(&self) -> Value {
        match self {
            Sample::Value(v) => json!(round3(*v)),
            Sample::Timeout => json!("timeout"),
            Sample::NotSupported => json!("n/a"),
            Sample::Error(e) => json!({ "error": e }),
        }
    }
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn wait_error(e: WaitError) -> Sample {
    match e {
        WaitError::Timeout(_) => Sample::Timeout,
        WaitError::Closed(why) => Sample::Error(why),
    }
}

/// Where to edit, hover and complete in a generated file.
struct Positions {
    /// (line, character, replacement) of the one-digit edit.
    edit: (u32, u32, String),
    hover: (u32, u32),
    completion: (u32, u32),
}

/// Finds, nearest to the middle of `text`: an `EXPOSE 80NN/tcp` line (its last port digit is
/// the edit), a `RUN` line (hover on the keyword) and a `RUN --mount` line (completion after
/// its `R`). Falls back to any digit / line 0 when the file is too small to have them.
fn positions(text: &str) -> Positions {
    let lines: Vec<&str> = text.lines().collect();
    let mid = lines.len() / 2;
    let nearest = |pred: &dyn Fn(&str) -> bool| -> Option<usize> {
        (0..lines.len())
            .filter(|&i| pred(lines[i]))
            .min_by_key(|&i| i.abs_diff(mid))
    };
    let edit = nearest(&|l: &str| l.starts_with("EXPOSE ") && l.contains("/tcp"))
        .map(|i| {
            let l = lines[i];
            let slash = l.find("/tcp").expect("filtered on /tcp");
            let col = slash - 1;
            let d = l.as_bytes()[col];
            (i, col, d)
        })
        .or_else(|| {
            nearest(&|l: &str| l.bytes().any(|b| b.is_ascii_digit())).map(|i| {
                let col = lines[i]
                    .bytes()
                    .position(|b| b.is_ascii_digit())
                    .expect("has a digit");
                (i, col, lines[i].as_bytes()[col])
            })
        })
        .map(|(i, col, d)| {
            let next = if d == b'9' { '0' } else { (d + 1) as char };
            (i as u32, col as u32, next.to_string())
        })
        .unwrap_or((0, 0, "#".into()));
    let hover = nearest(&|l: &str| l.starts_with("RUN "))
        .map(|i| (i as u32, 1))
        .unwrap_or((0, 1));
    // After the `R` of the keyword: every server tested answers with keyword items there
    // (docker-langserver 0.15 offers nothing after `RUN --`).
    let completion = nearest(&|l: &str| l.starts_with("RUN --"))
        .map(|i| (i as u32, 1))
        .unwrap_or(hover);
    Positions {
        edit,
        hover,
        completion,
    }
}

fn semantic_tokens_full_supported(caps: &Value) -> bool {
    match caps.get("semanticTokensProvider") {
        Some(Value::Object(p)) => !matches!(
            p.get("full"),
            None | Some(Value::Null) | Some(Value::Bool(false))
        ),
        _ => false,
    }
}

/// Size of a response, for the verbose log: items / symbols / tokens.
fn response_size(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Array(a) => format!("{} item(s)", a.len()),
        Value::Object(o) => {
            if let Some(Value::Array(items)) = o.get("items") {
                format!("{} item(s)", items.len())
            } else if let Some(Value::Array(data)) = o.get("data") {
                format!("{} token(s)", data.len() / 5)
            } else if o.contains_key("contents") {
                "hover".into()
            } else {
                "object".into()
            }
        }
        other => other.to_string(),
    }
}

/// From `start` to the arrival of the message just taken: its last byte read, before this
/// client parsed it (see [`LspClient::last_arrival`]); to now if that is not known.
fn arrived(client: &LspClient, start: Instant) -> Duration {
    client.last_arrival().map_or_else(|| start.elapsed(), |at| at.saturating_duration_since(start))
}

/// The size of an answer as compact JSON (KB) and the median time this client takes to parse
/// it into a `Value`, as it did when the answer arrived (ms, median of 5).
fn client_parse(v: &Value) -> (f64, f64) {
    let bytes = serde_json::to_vec(v).expect("a parsed answer serializes");
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let parsed: Value = serde_json::from_slice(&bytes).expect("our own serialization parses");
            let elapsed = ms(t.elapsed());
            // Dropped outside the timing, as the benchmark keeps the real answers to the end.
            drop(std::hint::black_box(parsed));
            elapsed
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (bytes.len() as f64 / 1000.0, times[times.len() / 2])
}

struct RunResult {
    samples: Vec<Sample>, // indexed like METRICS
    problems: Vec<String>,
    server_info: Option<Value>,
}

/// How long to wait for diagnostics on an `n`-line file: `--diag-timeout`, else generous
/// (60 s for 50k lines, never below 20 s) since some servers debounce or are slow.
fn diag_timeout(o: &Options, n: usize) -> Duration {
    o.diag_timeout
        .unwrap_or_else(|| Duration::from_secs_f64((n as f64 / 50_000.0 * 60.0).max(20.0)))
}

/// The timeout that applies to metric `index` of `METRICS` (none for peak RSS).
fn metric_timeout(o: &Options, n: usize, index: usize) -> Option<Duration> {
    match index {
        0 => Some(o.init_timeout),
        1 | 2 | OPEN_SHELLCHECK | EDIT_SHELLCHECK => Some(diag_timeout(o, n)),
        8 | SYMBOLS_SIZE | SYMBOLS_PARSE => None,
        _ => Some(o.request_timeout),
    }
}

/// One fresh server process, all metrics once.
fn one_run(
    o: &Options,
    n: usize,
    text: &str,
    uri: &str,
    root_uri: &str,
    pos: &Positions,
) -> RunResult {
    let mut samples = vec![Sample::Error("not reached".into()); METRICS.len()];
    // Only measured when documentSymbol answers.
    samples[SYMBOLS_SIZE] = Sample::NotSupported;
    samples[SYMBOLS_PARSE] = Sample::NotSupported;
    let mut problems = Vec::new();
    let diag_timeout = diag_timeout(o, n);
    let log = |msg: String| {
        if o.verbose {
            eprintln!("    {msg}");
        }
    };

    let args: Vec<&str> = o.command[1..].iter().map(String::as_str).collect();
    let start = Instant::now();
    let mut client =
        match LspClient::try_spawn_with(Path::new(&o.command[0]), &args, StderrMode::Capture) {
            Ok(c) => c,
            Err(e) => {
                samples[0] = Sample::Error(format!("spawn: {e}"));
                return RunResult {
                    samples,
                    problems,
                    server_info: None,
                };
            }
        };
    client.set_timeout(o.request_timeout);
    let overrides = if o.utf8 {
        json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } })
    } else {
        json!({})
    };
    let params = LspClient::initialize_params(root_uri, overrides);
    let init = client.try_initialize_with(params, o.init_timeout);
    let server_info;
    match init {
        Ok(Ok(result)) => {
            samples[0] = Sample::Value(ms(arrived(&client, start)));
            server_info = result.get("serverInfo").cloned();
        }
        Ok(Err(e)) => {
            samples[0] = Sample::Error(format!("initialize error: {e}"));
            problems.push(format!("initialize returned an error: {e}"));
            return RunResult {
                samples,
                problems,
                server_info: None,
            };
        }
        Err(e) => {
            samples[0] = wait_error(e.clone());
            problems.push(format!(
                "initialize: {e}; stderr: {}",
                tail(&client.stderr())
            ));
            return RunResult {
                samples,
                problems,
                server_info: None,
            };
        }
    }
    let caps = client.server_capabilities().clone();
    // Answers are kept until the run ends: freeing a large one (megabytes of symbols) makes the
    // client's allocator consolidate memory during the next timed request, whichever server
    // sent it.
    let mut answers: Vec<Value> = Vec::new();

    // didOpen → first diagnostics for the URI. The message is encoded before the clock starts:
    // turning 50,000 lines into JSON is this client's work, not the server's.
    let frame = encode_message(&json!({
        "jsonrpc": "2.0",
        "method": "textDocument/didOpen",
        "params": { "textDocument": { "uri": uri, "languageId": "dockerfile", "version": 1, "text": text } }
    }));
    let t = Instant::now();
    if let Err(e) = client.try_send_raw(&frame) {
        problems.push(format!("didOpen: {e}"));
    }
    let mut versioned = false;
    match client.try_wait_notification(
        "textDocument/publishDiagnostics",
        |m| m["params"]["uri"].as_str() == Some(uri),
        diag_timeout,
    ) {
        Ok(m) => {
            samples[1] = Sample::Value(ms(arrived(&client, t)));
            samples[OPEN_SHELLCHECK] = shellcheck_sample(o, &mut client, uri, &m, t, diag_timeout, &mut problems, "open");
            versioned = m["params"].get("version").is_some_and(|v| !v.is_null());
            if versioned && m["params"]["version"] != json!(1) {
                problems.push(format!(
                    "first diagnostics after didOpen (version 1) carry version {}",
                    m["params"]["version"]
                ));
            }
            log(format!(
                "open: {} diagnostic(s), version {}",
                m["params"]["diagnostics"].as_array().map_or(0, Vec::len),
                m["params"].get("version").unwrap_or(&Value::Null)
            ));
        }
        Err(e) => {
            problems.push(format!("open→diagnostics: {e}"));
            samples[1] = wait_error(e);
        }
    }

    // Requests on the opened document.
    let requests: [(usize, &str, bool, Value); 4] = [
        (
            3,
            "textDocument/documentSymbol",
            client.has_capability("documentSymbolProvider"),
            text_document(uri),
        ),
        (
            4,
            "textDocument/foldingRange",
            client.has_capability("foldingRangeProvider"),
            text_document(uri),
        ),
        (
            6,
            "textDocument/hover",
            client.has_capability("hoverProvider"),
            text_document_position(uri, pos.hover.0, pos.hover.1),
        ),
        (
            7,
            "textDocument/completion",
            client.has_capability("completionProvider"),
            {
                let mut p = text_document_position(uri, pos.completion.0, pos.completion.1);
                p["context"] = json!({ "triggerKind": 1 });
                p
            },
        ),
    ];
    for (idx, method, supported, params) in requests {
        if !supported {
            samples[idx] = Sample::NotSupported;
            continue;
        }
        let t = Instant::now();
        match client.try_request(method, params, o.request_timeout) {
            Ok(Ok(result)) => {
                samples[idx] = Sample::Value(ms(arrived(&client, t)));
                log(format!("{method}: {}", response_size(&result)));
                if idx == SYMBOLS {
                    let (kb, parse_ms) = client_parse(&result);
                    samples[SYMBOLS_SIZE] = Sample::Value(kb);
                    samples[SYMBOLS_PARSE] = Sample::Value(parse_ms);
                }
                answers.push(result);
            }
            Ok(Err(e)) => {
                samples[idx] = Sample::Error(format!("{method}: {e}"));
                problems.push(format!("{method} returned an error: {e}"));
            }
            Err(e) => {
                problems.push(format!("{method}: {e}"));
                samples[idx] = wait_error(e);
            }
        }
    }

    // One-character incremental edit → diagnostics for version 2.
    let incremental = match &caps["textDocumentSync"] {
        Value::Number(k) => k.as_u64() == Some(2),
        Value::Object(o) => o.get("change").and_then(Value::as_u64) == Some(2),
        _ => false,
    };
    let (line, col, ref replacement) = pos.edit;
    let change = if incremental {
        range_change(line, col, line, col + 1, replacement)
    } else {
        let mut edited: Vec<String> = text.split('\n').map(str::to_string).collect();
        let l = &mut edited[line as usize];
        l.replace_range(col as usize..col as usize + 1, replacement);
        json!({ "text": edited.join("\n") })
    };
    if !incremental {
        problems.push("server does not advertise incremental sync; sent a full-text change".into());
    }
    client.discard_queued("textDocument/publishDiagnostics");
    // The same quiet time for every server before the edit (`--pause-before-edit`): a server
    // that ran ShellCheck after the open was otherwise measured after more than a second of
    // waiting, idle and cold, and one without after none (3.8 against 6.7 ms, the same code).
    // Waiting by draining drops late notifications of version 1, so that a server which
    // does not version its diagnostics cannot have them taken for the edit's.
    if !o.pause_before_edit.is_zero() {
        client.drain_for(o.pause_before_edit);
    }
    let t = Instant::now();
    client.did_change(uri, 2, json!([change]));
    let want = if versioned { Some(2) } else { None };
    match client.try_wait_notification(
        "textDocument/publishDiagnostics",
        |m| {
            m["params"]["uri"].as_str() == Some(uri)
                && want.is_none_or(|v| m["params"]["version"].as_i64() == Some(v))
        },
        diag_timeout,
    ) {
        Ok(m) => {
            samples[2] = Sample::Value(ms(arrived(&client, t)));
            samples[EDIT_SHELLCHECK] = shellcheck_sample(o, &mut client, uri, &m, t, diag_timeout, &mut problems, "edit");
            log(format!(
                "edit: {} diagnostic(s), version {}",
                m["params"]["diagnostics"].as_array().map_or(0, Vec::len),
                m["params"].get("version").unwrap_or(&Value::Null)
            ));
        }
        Err(e) => {
            problems.push(format!("edit→diagnostics: {e}"));
            samples[2] = wait_error(e);
        }
    }

    // Semantic tokens last: docker-langserver's are quadratic in the file size (minutes at 50k
    // lines) and a single-threaded server would hold every later request behind them.
    if semantic_tokens_full_supported(&caps) {
        let t = Instant::now();
        match client.try_request(
            "textDocument/semanticTokens/full",
            text_document(uri),
            o.request_timeout,
        ) {
            Ok(Ok(result)) => {
                samples[5] = Sample::Value(ms(arrived(&client, t)));
                log(format!("semanticTokens/full: {}", response_size(&result)));
                answers.push(result);
            }
            Ok(Err(e)) => {
                samples[5] = Sample::Error(format!("semanticTokens/full: {e}"));
                problems.push(format!("semanticTokens/full returned an error: {e}"));
            }
            Err(e) => {
                problems.push(format!("semanticTokens/full: {e}"));
                samples[5] = wait_error(e);
            }
        }
    } else {
        samples[5] = Sample::NotSupported;
    }

    // Peak RSS, then a clean shutdown.
    samples[8] = match client.peak_rss_kib() {
        Some(kib) => Sample::Value(kib as f64 / 1024.0),
        None => Sample::NotSupported,
    };
    drop(answers);
    if samples.iter().any(|s| matches!(s, Sample::Timeout)) {
        // Still busy with the request that timed out: no point waiting for `shutdown`.
        client.kill();
    } else if let Err(e) = {
        client.set_timeout(Duration::from_secs(10));
        client.try_shutdown_and_exit(Duration::from_secs(5))
    } {
        problems.push(format!(
            "shutdown/exit: {e}; stderr: {}",
            tail(&client.stderr())
        ));
        client.kill();
    }
    RunResult {
        samples,
        problems,
        server_info,
    }
}

/// From `t` until the first diagnostics with a ShellCheck finding: `first` (the diagnostics
/// just received) or a later publish for `uri`. Not measured without `--shellcheck`.
#[allow(clippy::too_many_arguments)]
fn shellcheck_sample(
    o: &Options,
    client: &mut LspClient,
    uri: &str,
    first: &Value,
    t: Instant,
    timeout: Duration,
    problems: &mut Vec<String>,
    what: &str,
) -> Sample {
    if !o.shellcheck {
        return Sample::NotSupported;
    }
    if has_shellcheck(first) {
        return Sample::Value(ms(arrived(client, t)));
    }
    match client.try_wait_notification(
        "textDocument/publishDiagnostics",
        |m| m["params"]["uri"].as_str() == Some(uri) && has_shellcheck(m),
        timeout,
    ) {
        Ok(_) => Sample::Value(ms(arrived(client, t))),
        Err(e) => {
            problems.push(format!("{what}→ShellCheck findings: {e}"));
            wait_error(e)
        }
    }
}

fn tail(s: &str) -> String {
    let s = s.trim();
    if s.len() <= 500 {
        return s.to_string();
    }
    let mut cut = s.len() - 500;
    while !s.is_char_boundary(cut) {
        cut += 1;
    }
    format!("…{}", &s[cut..])
}

struct Summary {
    median: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
    ok: usize,
    timeouts: usize,
    errors: usize,
    not_supported: usize,
    status: &'static str,
}

fn summarize(samples: &[Sample]) -> Summary {
    let mut values: Vec<f64> = samples
        .iter()
        .filter_map(|s| {
            if let Sample::Value(v) = s {
                Some(*v)
            } else {
                None
            }
        })
        .collect();
    values.sort_by(|a, b| a.total_cmp(b));
    let count = |f: fn(&Sample) -> bool| samples.iter().filter(|s| f(s)).count();
    let timeouts = count(|s| matches!(s, Sample::Timeout));
    let errors = count(|s| matches!(s, Sample::Error(_)));
    let not_supported = count(|s| matches!(s, Sample::NotSupported));
    let median = if values.is_empty() {
        None
    } else if values.len() % 2 == 1 {
        Some(values[values.len() / 2])
    } else {
        Some((values[values.len() / 2 - 1] + values[values.len() / 2]) / 2.0)
    };
    let status = if !values.is_empty() {
        "ok"
    } else if not_supported == samples.len() {
        "n/a"
    } else if timeouts > 0 && timeouts >= errors {
        "timeout"
    } else {
        "error"
    };
    Summary {
        median,
        min: values.first().copied(),
        max: values.last().copied(),
        ok: values.len(),
        timeouts,
        errors,
        not_supported,
        status,
    }
}

fn fmt_value(v: Option<f64>, unit: &str) -> String {
    match v {
        None => "-".into(),
        Some(v) if unit == "ms" && v < 10.0 => format!("{v:.2} ms"),
        Some(v) if unit == "ms" => format!("{v:.1} ms"),
        Some(v) => format!("{v:.1} {unit}"),
    }
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("lsp-bench: {e}\n{}", usage());
            return ExitCode::from(2);
        }
    };

    let workdir = std::env::temp_dir().join(format!("lsp-bench-{}", std::process::id()));
    let mut rows = Vec::new();
    let mut table = String::new();
    if o.header {
        table.push_str("| server | lines | metric | median | min | max | samples |\n");
        table.push_str("|---|---:|---|---:|---:|---:|---|\n");
    }
    let mut all_problems: Vec<Value> = Vec::new();
    let mut server_info = Value::Null;

    for &n in &o.lines {
        let dir = workdir.join(format!("lines-{n}"));
        if let Err(e) = std::fs::create_dir_all(&dir) {
            eprintln!("lsp-bench: cannot create {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
        let text = o.shape.generate(n);
        let path = dir.join("Dockerfile");
        if let Err(e) = std::fs::write(&path, &text) {
            eprintln!("lsp-bench: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        let uri = file_uri(&path);
        let root_uri = file_uri(&dir);
        let pos = positions(&text);

        let mut per_metric: Vec<Vec<Sample>> = vec![Vec::new(); METRICS.len()];
        for run in 1..=o.runs {
            eprintln!("[{}] {n} lines, run {run}/{}", o.label, o.runs);
            let r = one_run(&o, n, &text, &uri, &root_uri, &pos);
            for (i, s) in r.samples.into_iter().enumerate() {
                per_metric[i].push(s);
            }
            if let Some(info) = r.server_info {
                server_info = info;
            }
            for p in r.problems {
                eprintln!("  [{}] problem ({n} lines, run {run}): {p}", o.label);
                all_problems.push(json!({ "lines": n, "run": run, "problem": p }));
            }
        }

        for (i, (metric, unit)) in METRICS.iter().enumerate() {
            let samples = &per_metric[i];
            let s = summarize(samples);
            let shown = match s.status {
                "ok" => fmt_value(s.median, unit),
                other => other.to_string(),
            };
            let mut notes = format!("{}/{}", s.ok, samples.len());
            if s.timeouts > 0 {
                let _ = write!(notes, ", {} timeout", s.timeouts);
            }
            if s.errors > 0 {
                let _ = write!(notes, ", {} error", s.errors);
            }
            let (min, max) = if s.status == "ok" {
                (fmt_value(s.min, unit), fmt_value(s.max, unit))
            } else {
                ("-".into(), "-".into())
            };
            let _ = writeln!(
                table,
                "| {} | {n} | {metric} | {shown} | {min} | {max} | {notes} |",
                o.label
            );
            rows.push(json!({
                "server": o.label,
                "lines": n,
                "metric": metric,
                "unit": unit,
                "status": s.status,
                "median": s.median.map(round3),
                "min": s.min.map(round3),
                "max": s.max.map(round3),
                "ok": s.ok,
                "timeouts": s.timeouts,
                "errors": s.errors,
                "not_supported": s.not_supported,
                "display": shown,
                "timeout_ms": metric_timeout(&o, n, i).map(|t| round3(ms(t))),
                "samples": samples.iter().map(Sample::to_json).collect::<Vec<_>>(),
            }));
        }
    }
    let _ = std::fs::remove_dir_all(&workdir);

    print!("{table}");
    if let Some(path) = &o.json {
        let doc = json!({
            "label": o.label,
            "command": o.command,
            "runs": o.runs,
            "lines": o.lines,
            "shape": o.shape.name(),
            "shellcheck": o.shellcheck,
            "pause_before_edit_ms": o.pause_before_edit.as_millis() as u64,
            "server_info": server_info,
            "results": rows,
            "problems": all_problems,
        });
        let text = serde_json::to_string_pretty(&doc).expect("serialising JSON");
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(parent);
        }
        if let Err(e) = std::fs::write(path, text + "\n") {
            eprintln!("lsp-bench: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_hit_the_expected_characters() {
        for n in [40, 100, 5000] {
            let text = synth::dockerfile(n);
            let lines: Vec<&str> = text.lines().collect();
            let p = positions(&text);
            let (l, c, ref r) = p.edit;
            let line = lines[l as usize];
            assert!(line.starts_with("EXPOSE "), "{line}");
            assert!(line.as_bytes()[c as usize].is_ascii_digit());
            assert!(r.as_bytes()[0].is_ascii_digit());
            assert_ne!(line.as_bytes()[c as usize], r.as_bytes()[0]);
            assert!(lines[p.hover.0 as usize].starts_with("RUN "));
            assert!(lines[p.completion.0 as usize].starts_with("RUN --"));
            assert_eq!(p.completion.1, 1);
        }
    }

    #[test]
    fn medians() {
        let s = summarize(&[Sample::Value(3.0), Sample::Value(1.0), Sample::Timeout]);
        assert_eq!(s.median, Some(2.0));
        assert_eq!(s.timeouts, 1);
        assert_eq!(
            summarize(&[Sample::Timeout, Sample::Timeout]).status,
            "timeout"
        );
        assert_eq!(summarize(&[Sample::NotSupported]).status, "n/a");
    }
}
