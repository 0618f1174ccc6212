//! What the lint run keeps on each instruction of the typed model, so that the next version's
//! lint, after an edit, only looks at the instructions the edit changed.
//!
//! The typed model moves an unchanged instruction into the next version's model (shifted by the
//! edit's length difference) and builds the changed ones afresh; whatever is kept here travels
//! with it. So the key of everything kept is the instruction's node text and the escape
//! character (what the model compares before it reuses an instruction), and a fresh instruction
//! starts with nothing kept.
//!
//! Kept per instruction:
//! - its shell analysis (RUN bodies, `ONBUILD RUN` triggers), so that a lint run does not look
//!   every RUN up in the shell cache by the hash of its text;
//! - its syntax checks (flags, values, JSON, heredocs, substitutions: each a function of the
//!   instruction);
//! - what ShellCheck's cache key and prelude need of each of its scripts (text hash, names);
//! - the findings of the *per-instruction* rules ([`LOCAL`]): rules whose findings on an
//!   instruction depend on nothing but that instruction's text (its words, flags, heredocs and
//!   shell analysis). Those rules run only over the instructions without kept findings (or kept
//!   for another set of rules);
//! - the findings of the rules that also read *what comes before* ([`EARLIER`]): the variables,
//!   users, working directories and stages declared by the instructions before it. Those are
//!   kept with a context key, a hash of the build platform and of the text of every earlier
//!   instruction that is not a RUN ([`context_keys`]), so an edit inside a RUN leaves the
//!   others' keys alone, while an edited ENV, USER, WORKDIR or FROM looks at every instruction
//!   after it again.
//!
//! Every other rule runs over the whole file as before.
//!
//! Suppressions (`# hadolint ignore=`, `# check=skip=`) and severities are applied after, on
//! every lint run: they depend on comments elsewhere and on settings.

use std::sync::{Arc, Mutex, OnceLock};

use super::{Finding, Fix};
use crate::shell::RunAnalysis;
use crate::syntax::shift::Shift;

/// Rules whose findings on an instruction depend only on that instruction's own text. Each was
/// read for this: it iterates [`super::Context::instructions`] (directly or through the shared
/// helpers built on it), reads the instruction, its shell analysis and the text inside it, and
/// reports inside it; it never asks about the stage, earlier instructions, variables, options
/// or line numbers. `lint::memo::tests` holds every one of them to that over every rule
/// fixture, and the property tests compare the diagnostics after random edits with a fresh run.
pub const LOCAL: &[&str] = &[
    "add-instead-of-copy",
    "chmod-world-writable",
    "insecure-download",
    "add-url-checksum",
    "label-key-invalid",
    "maintainer-deprecated",
    "workdir-absolute",
    "secrets-in-arg-env",
    "from-platform-const",
    "apt-pin",
    "apt-get-not-apt",
    "apk-pin",
    "npm-pin",
    "gem-pin",
    "yum-pin",
    "dnf-pin",
    "zypper-pin",
    "zypper-dist-upgrade",
    "no-sudo",
    "pointless-commands",
    "use-shell-instruction",
    "json-single-quotes",
    "expose-port-range",
    "expose-invalid-format",
    "expose-proto-casing",
];

/// Rules whose findings on an instruction depend only on its text, the text of the
/// instructions before it that are not RUNs (ARG/ENV values, USER, WORKDIR, FROM and the stage
/// chain) and the build platform: never on another RUN, a later instruction or a line number.
/// Each was read for this (`var_at`, `user_at`, `base_repository`, the WORKDIR walk and
/// `env_value` look back through declarations only), and `lint::memo::tests` holds each to it
/// over every rule fixture: an instruction's findings are those of the file cut down to the
/// earlier non-RUN instructions and itself.
/// Two of them also ask whether an earlier RUN of the stage chain wrote some configuration
/// (`APT::Get::Assume-Yes`, …: [`super::rules::RUN_MENTIONS`]); the key records where such RUNs
/// are among the declarations.
pub const EARLIER: &[&str] =
    &["cache-mount", "pip-pin", "useradd-no-log-init", "cd-in-run", "pm-assume-yes", "apt-no-install-recommends", "image-digest"];

/// Rules whose findings on an instruction depend only on the text from its start to the next
/// instruction's: the text after its node (blank lines and comments after a final `\`) is
/// part of the key ([`trailing_keys`]). `lint::memo::tests` holds them to it with [`LOCAL`].
pub const TRAILING: &[&str] = &["empty-continuation"];

/// Where an instruction keeps a class of rules' findings: [`LOCAL`]'s, [`EARLIER`]'s or
/// [`TRAILING`]'s.
pub(crate) const OWN: usize = 0;
pub(crate) const WITH_EARLIER: usize = 1;
pub(crate) const WITH_TRAILING: usize = 2;
pub(crate) const CLASSES: usize = 3;

fn mask(ids: &[&str]) -> u128 {
    let all = super::rules::all();
    assert!(all.len() <= 128, "the rule set is a u128");
    all.iter().enumerate().filter(|(_, r)| ids.contains(&r.id)).fold(0, |m, (i, _)| m | 1 << i)
}

/// Which rules of the catalogue are per-instruction, as a bit set by catalogue index.
pub(crate) fn local_rules() -> u128 {
    static MASK: OnceLock<u128> = OnceLock::new();
    *MASK.get_or_init(|| mask(LOCAL))
}

/// Which rules of the catalogue are [`EARLIER`]'s, as a bit set by catalogue index.
pub(crate) fn earlier_rules() -> u128 {
    static MASK: OnceLock<u128> = OnceLock::new();
    *MASK.get_or_init(|| mask(EARLIER))
}

/// Which rules of the catalogue are [`TRAILING`]'s, as a bit set by catalogue index.
pub(crate) fn trailing_rules() -> u128 {
    static MASK: OnceLock<u128> = OnceLock::new();
    *MASK.get_or_init(|| mask(TRAILING))
}

/// Each instruction's key for the [`TRAILING`] rules: a hash of the text between its node's
/// end and the next instruction (or the end of the file). An edit there leaves the node text,
/// and so the instruction, as it was.
pub(crate) fn trailing_keys(text: &str, df: &crate::syntax::Dockerfile) -> Vec<u64> {
    use std::hash::{Hash, Hasher};
    let ins = &df.instructions;
    (0..ins.len())
        .map(|k| {
            let end = ins.get(k + 1).map_or(text.len(), |n| n.range.start);
            let mut h = crate::keys::hasher();
            text.get(ins[k].range.end..end).unwrap_or_default().hash(&mut h);
            h.finish()
        })
        .collect()
}

/// Each instruction's context key for the [`EARLIER`] rules: a hash of the build platform and
/// of the texts of the instructions before it that are not RUNs, with a mark where an earlier RUN
/// mentions one of [`super::rules::RUN_MENTIONS`] (which ones, kept per RUN in [`Memo`]). Only
/// where those RUNs sit among the declarations matters (which stage, before or after the
/// instruction), and that is what the sequence records. Hashing is linear in the file and
/// cheap (the RUNs, most of the text, are skipped).
pub(crate) fn context_keys(text: &str, df: &crate::syntax::Dockerfile, options: &super::LintOptions) -> Vec<u64> {
    use std::hash::{Hash, Hasher};
    let mut h = crate::keys::hasher();
    format!("{:?}", options.build_platform).hash(&mut h);
    df.instructions
        .iter()
        .map(|ins| {
            let key = h.finish();
            let text = text.get(ins.range.clone()).unwrap_or_default();
            if ins.kind != crate::syntax::Kind::Run {
                text.hash(&mut h);
            } else {
                let mentions = *ins.memo.mentions.get_or_init(|| mentions(text));
                if mentions != 0 {
                    // 0xff never occurs in UTF-8: the mark cannot read as the start of a text.
                    h.write(&[0xff, mentions]);
                }
            }
            key
        })
        .collect()
}

/// The per-instruction rules' findings on one instruction.
#[derive(Debug, Clone)]
pub(crate) struct Findings {
    /// The rules that ran (bit set by catalogue index): a lint run under another selection
    /// computes them again.
    pub rules: u128,
    /// The context they were computed in ([`context_keys`], [`trailing_keys`]; 0 for
    /// [`LOCAL`]'s).
    pub key: u64,
    /// (catalogue index, finding), in catalogue order and, per rule, in the order it reported.
    pub findings: Vec<(u8, Finding)>,
}

/// Which of [`super::rules::RUN_MENTIONS`] a RUN's text contains (case-insensitive), as bits.
fn mentions(text: &str) -> u8 {
    let lower = text.to_ascii_lowercase();
    super::rules::RUN_MENTIONS.iter().enumerate().filter(|(_, m)| lower.contains(&m.to_ascii_lowercase())).fold(0, |b, (i, _)| b | 1 << i)
}

/// Below this many instructions without kept syntax checks (after a keystroke: the edited
/// ones), the lint runs on the calling thread. Measured on a 5,000-line RUN-dense file with
/// 50 ms between keystrokes, as typing goes (`editprof`): 6.3 ms on two threads, 5.2 ms on
/// one. The thread pool is asleep by the next keystroke, and waking it and moving the data to
/// the other core cost more than the second core gives back. Hot, and at 50,000 lines too, one
/// thread was no slower (criterion: 61.5 against 67.7 ms on the mixed file, 86.8 against 90.9
/// ms on the RUN-dense one).
pub(crate) const FEW: usize = 64;

/// Whether only a few instructions of `df` are new to this version (a keystroke, not an open):
/// the lint then runs on one thread.
pub fn few_changed(df: &crate::syntax::Dockerfile) -> bool {
    df.instructions.iter().filter(|i| i.memo.syntax.get().is_none()).take(FEW + 1).count() <= FEW
}

/// A variable use: its name, its range relative to the instruction's start, whether in shell
/// text.
pub(crate) type Use = (String, std::ops::Range<usize>, bool);

/// Kept on each instruction; see the module's documentation.
#[derive(Default)]
pub struct Memo {
    pub(crate) shell: OnceLock<Arc<RunAnalysis>>,
    pub(crate) syntax: OnceLock<Vec<crate::diagnostics::Diagnostic>>,
    /// Per script of the RUN: its text's hash and the variable names it references (what
    /// ShellCheck's cache key and prelude need; offsets play no part).
    pub(crate) shellcheck: OnceLock<Vec<(u64, Vec<compact_str::CompactString>)>>,
    /// For a RUN: which configuration texts it mentions (see [`context_keys`]).
    pub(crate) mentions: OnceLock<u8>,
    /// The variables the instruction uses (name, range relative to the instruction's start,
    /// whether in shell text): the semantics' scan of its text, which for a RUN reads the
    /// whole script.
    pub(crate) uses: OnceLock<Arc<Vec<Use>>>,
    /// By class: [`OWN`] ([`LOCAL`]'s), [`WITH_EARLIER`] ([`EARLIER`]'s), [`WITH_TRAILING`]
    /// ([`TRAILING`]'s).
    pub(crate) findings: [Mutex<Option<Arc<Findings>>>; CLASSES],
}

impl Memo {
    pub(crate) fn findings(&self, class: usize) -> Option<Arc<Findings>> {
        self.findings[class].lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn set_findings(&self, class: usize, f: Arc<Findings>) {
        *self.findings[class].lock().unwrap_or_else(|e| e.into_inner()) = Some(f);
    }
}

impl Clone for Memo {
    fn clone(&self) -> Memo {
        Memo {
            shell: self.shell.clone(),
            syntax: self.syntax.clone(),
            shellcheck: self.shellcheck.clone(),
            mentions: self.mentions.clone(),
            uses: self.uses.clone(),
            findings: std::array::from_fn(|class| Mutex::new(self.findings(class))),
        }
    }
}

/// Not part of the model's value: a reused instruction prints like a fresh one.
impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

impl Shift for Memo {
    fn shift(&mut self, delta: isize) {
        // Moved in place when this instruction holds the only reference (the usual case for
        // findings); a shell analysis also sits in the shell cache and is copied.
        if let Some(run) = self.shell.get_mut() {
            Arc::make_mut(run).shift(delta);
        }
        if let Some(found) = self.syntax.get_mut() {
            found.shift(delta);
        }
        // Most instructions have no findings and share one empty list: nothing to move.
        for slot in &mut self.findings {
            if let Some(found) = slot.get_mut().unwrap_or_else(|e| e.into_inner()).as_mut().filter(|f| !f.findings.is_empty()) {
                for (_, f) in &mut Arc::make_mut(found).findings {
                    f.shift(delta);
                }
            }
        }
    }
}

impl Shift for Fix {
    fn shift(&mut self, delta: isize) {
        for e in Arc::make_mut(&mut self.edits) {
            e.range.shift(delta);
        }
    }
}

impl Shift for crate::diagnostics::Diagnostic {
    fn shift(&mut self, delta: isize) {
        self.range.shift(delta);
        self.fixes.shift(delta);
        for (r, _) in &mut self.related {
            r.shift(delta);
        }
    }
}

impl Shift for Finding {
    fn shift(&mut self, delta: isize) {
        self.range.shift(delta);
        self.fix.shift(delta);
        self.alternatives.shift(delta);
        for (r, _) in &mut self.related {
            r.shift(delta);
        }
    }
}

/// The index of the instruction whose range holds `offset` (the last one starting at or before
/// it), given the instructions' starts in order.
pub(crate) fn instruction_at(starts: &[usize], offset: usize) -> Option<usize> {
    starts.partition_point(|&s| s <= offset).checked_sub(1)
}

/// Splits the findings of the per-instruction rules, run over the instructions marked in
/// `fresh`, by instruction: findings on an instruction that was not to be looked at are
/// dropped (a rule that walks the model directly reports on every instruction; the kept
/// findings stand for those). Returns the findings by instruction index, in index order and,
/// per instruction, in catalogue order (only the instructions with findings: after a
/// keystroke, a few of thousands).
pub(crate) fn by_instruction(starts: &[usize], fresh: &[bool], per_rule: Vec<(u8, Vec<Finding>)>) -> Vec<(usize, Vec<(u8, Finding)>)> {
    let mut all: Vec<(usize, u8, Finding)> = Vec::new();
    for (rule, findings) in per_rule {
        for f in findings {
            match instruction_at(starts, f.range.start) {
                Some(i) if fresh[i] => all.push((i, rule, f)),
                Some(_) => {}
                // Before the first instruction: no per-instruction rule reports there (the
                // tests hold them to it).
                None => debug_assert!(false, "a per-instruction rule reported outside every instruction"),
            }
        }
    }
    // Stable: each instruction's findings stay in catalogue order.
    all.sort_by_key(|(i, _, _)| *i);
    let mut out: Vec<(usize, Vec<(u8, Finding)>)> = Vec::new();
    for (i, rule, f) in all {
        match out.last_mut() {
            Some((last, here)) if *last == i => here.push((rule, f)),
            _ => out.push((i, vec![(rule, f)])),
        }
    }
    out
}

/// Whether `memo` holds findings of class `class` ([`OWN`], [`WITH_EARLIER`],
/// [`WITH_TRAILING`]) for the next lint run to consider, for the profiling examples.
pub fn kept(memo: &Memo, class: usize) -> Option<()> {
    memo.findings.get(class)?.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map(|_| ())
}

/// The byte ranges of a finding, for the tests.
#[cfg(test)]
pub(crate) fn ranges(f: &Finding) -> Vec<std::ops::Range<usize>> {
    let mut v = vec![f.range.clone()];
    v.extend(f.related.iter().map(|(r, _)| r.clone()));
    v.extend(f.fix.iter().chain(&f.alternatives).flat_map(|x| x.edits.iter().map(|e| e.range.clone())));
    v
}

#[cfg(test)]
mod tests;
