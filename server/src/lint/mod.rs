//! The rule engine: a registry of best-practice rules, each a pure function over the typed
//! model, the semantics and the shell analysis of RUN bodies. Rules never see LSP types.
//!
//! A rule lives in `rules/<id>.rs` (or a family file) with its id, the hadolint and BuildKit
//! names it corresponds to, default severity, Markdown docs (what it does, why, example, use
//! instead, fix safety), the detection and, where unambiguous, the fix.

pub mod docs;
pub mod memo;
pub mod rules;
pub mod suppress;

use std::ops::Range;
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Severity, Tag};
use crate::semantics::Semantics;
use crate::shell::{run_analysis, RunAnalysis};
use crate::syntax::{Dockerfile, Instruction};

/// Groups of the rule catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Syntax,
    Cache,
    Size,
    Security,
    Pinning,
    Maintainability,
}

impl Category {
    pub fn title(self) -> &'static str {
        match self {
            Category::Syntax => "Syntax and semantics",
            Category::Cache => "Build cache",
            Category::Size => "Image size",
            Category::Security => "Security",
            Category::Pinning => "Reproducibility and pinning",
            Category::Maintainability => "Maintainability",
        }
    }
}

/// Whether applying a fix can change what the build does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Safety {
    /// Same build result; applied by "fix all" and `check --fix`.
    Safe,
    /// May change behaviour; offered as a quick fix only.
    Unsafe,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// A fix: its parts are shared, so that copying a kept finding copies no text (see
/// [`Finding::message`]); a shifted copy gets its own edits (`Arc::make_mut`).
pub struct Fix {
    pub title: Arc<str>,
    pub edits: Arc<[Edit]>,
    pub safety: Safety,
}

impl Fix {
    pub fn safe(title: impl Into<Arc<str>>, edits: Vec<Edit>) -> Fix {
        Fix { title: title.into(), edits: edits.into(), safety: Safety::Safe }
    }

    pub fn unsafe_(title: impl Into<Arc<str>>, edits: Vec<Edit>) -> Fix {
        Fix { title: title.into(), edits: edits.into(), safety: Safety::Unsafe }
    }

    pub fn replace(title: impl Into<Arc<str>>, range: Range<usize>, text: impl Into<String>) -> Fix {
        Fix::safe(title, vec![Edit { range, text: text.into() }])
    }
}

/// One rule of the catalogue.
pub struct Rule {
    pub id: &'static str,
    /// hadolint codes this rule covers (for `# hadolint ignore=` and `.hadolint.yaml`).
    pub hadolint: &'static [&'static str],
    /// BuildKit check name (for `# check=skip=`).
    pub buildkit: Option<&'static str>,
    pub severity: Severity,
    pub category: Category,
    pub tags: &'static [Tag],
    /// One line: what is wrong, imperative fix.
    pub summary: &'static str,
    /// Markdown: what it does, why it matters, an example, what to use instead, fix safety.
    pub docs: &'static str,
    /// Off unless enabled in configuration.
    pub opt_in: bool,
    pub check: fn(&Context, &mut Vec<Finding>),
}

/// What a rule reports.
#[derive(Debug, Clone)]
pub struct Finding {
    pub range: Range<usize>,
    /// Shared, like a fix's parts: a finding kept on an instruction (`memo`) is copied into
    /// every later version's diagnostics, and copying the texts was most of a keystroke's lint.
    pub message: Arc<str>,
    pub fix: Option<Fix>,
    /// Extra fixes offered besides the main one.
    pub alternatives: Vec<Fix>,
    pub related: Vec<(Range<usize>, String)>,
    /// At most this severity (a finding the rule is less sure of than its usual ones); `None`:
    /// the rule's severity.
    pub at_most: Option<Severity>,
}

impl Finding {
    pub fn new(range: Range<usize>, message: impl Into<Arc<str>>) -> Finding {
        Finding { range, message: message.into(), fix: None, alternatives: Vec::new(), related: Vec::new(), at_most: None }
    }

    /// Reported at `severity` at most, whatever the rule's severity (a configured one too).
    pub fn at_most(mut self, severity: Severity) -> Finding {
        self.at_most = Some(severity);
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Finding {
        self.fix = Some(fix);
        self
    }

    pub fn with_related(mut self, range: Range<usize>, message: impl Into<String>) -> Finding {
        self.related.push((range, message.into()));
        self
    }
}

/// Everything a rule can look at, computed once per lint run.
pub struct Context<'a> {
    pub text: &'a str,
    pub df: &'a Dockerfile,
    pub sem: &'a Semantics,
    /// Shell analysis of each top-level instruction (empty for non-RUN).
    pub runs: Vec<std::sync::Arc<RunAnalysis>>,
    pub options: &'a LintOptions,
    /// Which stages end up in an image (computed once, shared by the image-size rules).
    pub(crate) shipped_stages: std::sync::OnceLock<Vec<bool>>,
    /// The RUN instructions and triggers with their commands (computed once, shared by the
    /// ~20 package-manager rules, each of which used to look at every instruction).
    /// By instruction index; `true` for an `ONBUILD RUN` trigger.
    pub(crate) package_runs: std::sync::OnceLock<Vec<(usize, bool, std::sync::Arc<RunAnalysis>)>>,
    /// The USER instructions of each stage (indices, in order), for the rules that ask which
    /// user a RUN runs as: asking each RUN to look back through its stage was quadratic.
    pub(crate) users_by_stage: std::sync::OnceLock<Vec<Vec<usize>>>,
    /// Per stage: the earlier stage a FROM names through variables (see
    /// [`Context::stage_through_variables`]).
    through_variables: std::sync::OnceLock<Vec<Option<usize>>>,
    /// For each text a rule looks for in earlier RUNs (lower case): the offset of the first RUN
    /// of each stage that contains it. Computed once per text, not once per asking RUN.
    pub(crate) first_run_mentioning: std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<Vec<Option<usize>>>>>,
    /// Line starts, for messages that name a line ("the RUN on line 12").
    lines: std::sync::OnceLock<crate::document::LineIndex>,
    /// The instructions [`Context::instructions`] yields (by index; `None`: all): the
    /// per-instruction rules ([`memo::LOCAL`]) look only at those without kept findings.
    only: Option<&'a [bool]>,
}

/// Inputs from outside the Dockerfile.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Contents of the build context's `.dockerignore`: `Some("")` for an empty file, `None`
    /// when there is none, and unknown when `context_known` is false.
    pub dockerignore: Option<String>,
    /// Whether the build context was known (a file on disk): context rules run only then.
    pub context_known: bool,
    /// The dependency manifests at the build context's root (`package.json`, `go.sum`,
    /// `gradle/`, …), when the context is on disk; `None` when unknown.
    pub context_manifests: Option<Vec<String>>,
    /// Registries FROM may use (empty: no restriction).
    pub trusted_registries: Vec<String>,
    /// Platforms each base image provides, by normalized reference
    /// (`docker.io/library/alpine:3.20`), as fetched from its registry; unknown images are absent.
    pub image_platforms: std::collections::HashMap<String, Vec<crate::registry::Platform>>,
    /// Known vulnerabilities of each base image for the build platform, by normalized
    /// reference, as fetched from its registry (SBOM) and OSV; unknown images are absent.
    pub image_vulnerabilities: std::collections::HashMap<String, std::sync::Arc<crate::vulns::ImageVulnerabilities>>,
    /// The platform the build targets; `None`: the machine dockls runs on.
    pub build_platform: Option<crate::registry::Platform>,
    /// What each base image's config says (user, env, working dir, ports) for the build
    /// platform, by normalized reference, as fetched from its registry; unknown images are
    /// absent (rules then fall back to what the reference alone tells).
    pub image_configs: std::collections::HashMap<String, crate::registry::ImageConfig>,
}

impl<'a> Context<'a> {
    pub fn new(text: &'a str, df: &'a Dockerfile, sem: &'a Semantics, options: &'a LintOptions) -> Context<'a> {
        // RUN bodies are parsed in parallel; unchanged instructions have theirs already.
        use rayon::prelude::*;
        // Kept on the instructions after the first lint: split into large pieces only, so a
        // keystroke does not wake the pool to read them.
        let runs = df.instructions.par_iter().with_min_len(4096).map(|i| run_analysis(text, i)).collect();
        Context::with_runs(text, df, sem, options, runs, None)
    }

    /// A context whose [`Context::instructions`] yields only the instructions marked in `only`.
    fn restricted(&self, only: &'a [bool]) -> Context<'a> {
        Context::with_runs(self.text, self.df, self.sem, self.options, self.runs.clone(), Some(only))
    }

    fn with_runs(
        text: &'a str,
        df: &'a Dockerfile,
        sem: &'a Semantics,
        options: &'a LintOptions,
        runs: Vec<std::sync::Arc<RunAnalysis>>,
        only: Option<&'a [bool]>,
    ) -> Context<'a> {
        Context {
            text,
            df,
            sem,
            runs,
            options,
            shipped_stages: Default::default(),
            package_runs: Default::default(),
            users_by_stage: Default::default(),
            through_variables: Default::default(),
            first_run_mentioning: Default::default(),
            lines: Default::default(),
            only,
        }
    }

    /// The 1-based line number of `offset`, for messages.
    pub fn line_number(&self, offset: usize) -> usize {
        self.lines.get_or_init(|| crate::document::LineIndex::new(self.text)).line_of(offset) + 1
    }

    pub fn src(&self, r: &Range<usize>) -> &'a str {
        &self.text[r.clone()]
    }

    /// Instructions with their index, in order.
    /// (A per-instruction rule may be shown only the instructions an edit changed.)
    pub fn instructions(&self) -> impl Iterator<Item = (usize, &'a Instruction)> + 'a {
        let only = self.only;
        self.df.instructions.iter().map(|b| &**b).enumerate().filter(move |(i, _)| only.is_none_or(|o| o.get(*i).copied().unwrap_or(true)))
    }

    /// The earlier stage a FROM names through variables, as in `FROM binaries-${TARGETOS}`
    /// (expanded with the global ARG defaults and the build platform's predefined args):
    /// worked out once per lint run for every stage, since several rules ask for each FROM.
    pub fn stage_through_variables(&self, stage: &crate::syntax::Stage) -> Option<&'a crate::syntax::Stage> {
        let all = self.through_variables.get_or_init(|| {
            let build = self.options.build_platform.clone().unwrap_or_else(crate::registry::Platform::host);
            let platform = crate::semantics::platform_values(&build.os, &build.architecture, build.variant.as_deref());
            self.sem.stages_through_variables(self.text, self.df, &platform)
        });
        all.get(stage.index).copied().flatten().and_then(|i| self.df.stages.get(i))
    }

    /// The last stage (the image `docker build` produces by default).
    pub fn final_stage(&self) -> Option<&'a crate::syntax::Stage> {
        self.df.stages.last()
    }
}

/// A finding attached to its rule, ready to become a diagnostic.
#[derive(Debug, Clone)]
pub struct RuleDiagnostic {
    pub diagnostic: Diagnostic,
    pub fix: Option<Fix>,
    pub alternatives: Vec<Fix>,
}

/// Which rules run, at what severity.
#[derive(Debug, Clone, Default)]
pub struct RuleSelection {
    /// Rule ids (or hadolint codes) turned off.
    pub disabled: Vec<String>,
    /// Opt-in rules turned on.
    pub enabled: Vec<String>,
    /// Severity overrides by rule id (or hadolint code).
    pub severity: Vec<(String, Severity)>,
}

impl RuleSelection {
    fn matches(rule: &Rule, name: &str) -> bool {
        rule.id.eq_ignore_ascii_case(name)
            || rule.hadolint.iter().any(|h| h.eq_ignore_ascii_case(name))
            || rule.buildkit.is_some_and(|b| b.eq_ignore_ascii_case(name))
    }

    pub fn is_on(&self, rule: &Rule) -> bool {
        if self.disabled.iter().any(|d| Self::matches(rule, d)) {
            return false;
        }
        !rule.opt_in || self.enabled.iter().any(|e| Self::matches(rule, e))
    }

    pub fn severity_of(&self, rule: &Rule) -> Severity {
        self.severity.iter().rev().find(|(n, _)| Self::matches(rule, n)).map_or(rule.severity, |(_, s)| *s)
    }
}

/// Runs every selected rule and applies inline suppressions.
///
/// The per-instruction rules ([`memo::LOCAL`]) run only over the instructions that have no
/// findings of theirs kept from an earlier lint run (new or edited instructions, or all after
/// the selection changed); the kept findings stand for the others. So do the rules that also
/// read the earlier declarations ([`memo::EARLIER`]), over the instructions whose context key
/// changed too, and the rules that read the text after an instruction's node
/// ([`memo::TRAILING`]). Every other rule runs over the whole file.
pub fn lint(text: &str, df: &Dockerfile, sem: &Semantics, options: &LintOptions, selection: &RuleSelection) -> Vec<RuleDiagnostic> {
    let ctx = Context::new(text, df, sem, options);
    let suppressions = suppress::Suppressions::read(text, df);
    let all = rules::all();
    let runs = |rule: &Rule| selection.is_on(rule) && !suppressions.file_skips(rule);
    // Three classes of kept findings (see `memo`): the per-instruction rules' (key 0), those
    // that also read the earlier declarations and those that read the text after the node
    // (each keyed by what it reads).
    let masks = [memo::local_rules(), memo::earlier_rules(), memo::trailing_rules()];
    let class_of = |i: usize| masks.iter().position(|m| m >> i & 1 == 1);
    let wanted: [u128; memo::CLASSES] =
        masks.map(|m| all.iter().enumerate().filter(|&(i, r)| m >> i & 1 == 1 && runs(r)).fold(0, |w, (i, _)| w | 1 << i));
    let keys: [Vec<u64>; memo::CLASSES] = [
        Vec::new(),
        if wanted[memo::WITH_EARLIER] != 0 { memo::context_keys(text, df, options) } else { Vec::new() },
        if wanted[memo::WITH_TRAILING] != 0 { memo::trailing_keys(text, df) } else { Vec::new() },
    ];
    // What every kept finding also depends on: the file's line ending, which the fixes write
    // (`actions::newline`). A file whose first line ending changes lints afresh.
    let file_key: u64 = if crate::actions::newline(text) == "\r\n" { 0x9e37_79b9_7f4a_7c15 } else { 0 };
    let key = |class: usize, k: usize| keys[class].get(k).copied().unwrap_or(0) ^ file_key;
    let kept: [Vec<Option<std::sync::Arc<memo::Findings>>>; memo::CLASSES] = std::array::from_fn(|class| {
        df.instructions
            .iter()
            .enumerate()
            .map(|(k, ins)| ins.memo.findings(class).filter(|f| f.rules == wanted[class] && f.key == key(class, k)))
            .collect()
    });
    let fresh: [Vec<bool>; memo::CLASSES] = std::array::from_fn(|class| kept[class].iter().map(Option::is_none).collect());
    let any_fresh: [bool; memo::CLASSES] = std::array::from_fn(|class| fresh[class].contains(&true));
    // A keystroke's few changed instructions: see `memo::FEW`.
    let keystroke = fresh[memo::OWN].iter().filter(|&&f| f).take(memo::FEW + 1).count() <= memo::FEW;
    let fresh_ctx: [Context; memo::CLASSES] = std::array::from_fn(|class| ctx.restricted(&fresh[class]));
    // Rules are independent: run them on all cores, then collect in catalogue order so the
    // output doesn't depend on scheduling. After a keystroke (few changed instructions) on
    // this thread: see `memo::FEW`.
    use rayon::prelude::*;
    let check = |(i, &rule): (usize, &&Rule)| {
        let mut findings = Vec::new();
        if !runs(rule) || class_of(i).is_some_and(|c| !any_fresh[c]) {
            return findings;
        }
        (rule.check)(class_of(i).map_or(&ctx, |c| &fresh_ctx[c]), &mut findings);
        findings
    };
    let mut per_rule: Vec<Vec<Finding>> = if keystroke { all.iter().enumerate().map(check).collect() } else { all.par_iter().enumerate().map(check).collect() };
    // The kept rules' findings: kept on each fresh instruction, then gathered from every
    // instruction in file order.
    let starts: Vec<usize> = df.instructions.iter().map(|i| i.range.start).collect();
    for (class, kept) in kept.into_iter().enumerate() {
        if wanted[class] == 0 {
            continue;
        }
        let found: Vec<(u8, Vec<Finding>)> = per_rule
            .iter_mut()
            .enumerate()
            .filter(|&(i, _)| class_of(i) == Some(class))
            .map(|(i, f)| (i as u8, std::mem::take(f)))
            .collect();
        let mut split = memo::by_instruction(&starts, &fresh[class], found).into_iter().peekable();
        // Shared by the instructions with no per-instruction findings (most of them): no
        // allocation each. (The others' empty lists differ by key.)
        let none = std::sync::Arc::new(memo::Findings { rules: wanted[class], key: key(memo::OWN, 0), findings: Vec::new() });
        for (k, (ins, kept)) in df.instructions.iter().zip(kept).enumerate() {
            let here = split.next_if(|(i, _)| *i == k).map(|(_, here)| here).unwrap_or_default();
            let findings = match kept {
                Some(f) => f,
                None => {
                    let f = if here.is_empty() && class == memo::OWN {
                        none.clone()
                    } else {
                        std::sync::Arc::new(memo::Findings { rules: wanted[class], key: key(class, k), findings: here })
                    };
                    ins.memo.set_findings(class, f.clone());
                    f
                }
            };
            for (rule, f) in &findings.findings {
                per_rule[*rule as usize].push(f.clone());
            }
        }
    }
    let mut out = Vec::with_capacity(per_rule.iter().map(Vec::len).sum());
    for (rule, findings) in all.iter().zip(per_rule) {
        // `# check=error=true` makes BuildKit's own checks fail the build: report them as errors.
        let severity = if suppressions.error_all() && rule.buildkit.is_some() { Severity::Error } else { selection.severity_of(rule) };
        for f in findings {
            if suppressions.suppressed_at(rule, f.range.start) {
                continue;
            }
            // Severities order from `Error` to `Hint`: the larger is the milder.
            let severity = f.at_most.map_or(severity, |cap| severity.max(cap));
            let mut d = Diagnostic::new(rule.id, severity, f.range, f.message);
            d.tags = rule.tags.to_vec();
            d.related = f.related;
            out.push(RuleDiagnostic { diagnostic: d, fix: f.fix, alternatives: f.alternatives });
        }
    }
    out
}

/// The rule with this id or alias.
pub fn rule(name: &str) -> Option<&'static Rule> {
    rules::all().iter().copied().find(|r| RuleSelection::matches(r, name))
}
