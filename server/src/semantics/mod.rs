//! Names and what they refer to: stage names (FROM … AS, COPY --from, RUN --mount from=,
//! FROM <stage>) and ARG/ENV variables with Docker's scoping:
//! * ARGs before the first FROM are global: visible in FROM lines, and inside a stage only
//!   after `ARG NAME` re-declares them (which then refers to the global one);
//! * an ARG or ENV in a stage is visible after it, in that stage and in the stages built
//!   `FROM` it (BuildKit starts a child stage from its parent's state, build args included);
//! * in one ENV, `$VAR` sees the value from before the instruction (`ENV A=1 B=$A` reads the
//!   old A); the pairs of one ARG are declared one after the other (`ARG A=1 B=$A` gives B=1);
//! * the predefined platform args (`TARGETARCH`, `BUILDPLATFORM`, …) are set in FROM lines and
//!   global ARG defaults only: a stage must declare them (`ARG TARGETARCH`) to use them; the
//!   proxy args are always available.
//!
//! `$VAR` inside shell text is expanded by the shell: RUN (and RUN heredocs) at build time,
//! from the same ARG and ENV values, so those uses are references too; shell-form CMD,
//! ENTRYPOINT and HEALTHCHECK when the container runs, where only ENV values exist.

pub mod resolve;
mod shellvars;
pub mod workdir;

use std::collections::HashMap;
use std::ops::Range;

use crate::syntax::{Args, Dockerfile, Instruction, Kind, Word};

/// Build args BuildKit defines without a declaration. All but the proxy args are set only in
/// FROM lines and global ARG defaults (see [`is_proxy_arg`]).
pub const PREDEFINED_ARGS: &[(&str, &str)] = &[
    ("TARGETPLATFORM", "Platform of the build result, e.g. `linux/amd64`"),
    ("TARGETOS", "OS component of TARGETPLATFORM, e.g. `linux`"),
    ("TARGETARCH", "Architecture of TARGETPLATFORM, e.g. `amd64`"),
    ("TARGETVARIANT", "Variant of TARGETPLATFORM, e.g. `v7`"),
    ("BUILDPLATFORM", "Platform of the node doing the build"),
    ("BUILDOS", "OS component of BUILDPLATFORM"),
    ("BUILDARCH", "Architecture of BUILDPLATFORM"),
    ("BUILDVARIANT", "Variant of BUILDPLATFORM"),
    ("TARGETSTAGE", "Name of the stage being built"),
    ("BUILDKIT_SYNTAX", "Frontend image to use, like the syntax directive"),
    ("HTTP_PROXY", "Proxy for HTTP (not kept in the image history)"),
    ("http_proxy", "Proxy for HTTP (not kept in the image history)"),
    ("HTTPS_PROXY", "Proxy for HTTPS (not kept in the image history)"),
    ("https_proxy", "Proxy for HTTPS (not kept in the image history)"),
    ("FTP_PROXY", "Proxy for FTP (not kept in the image history)"),
    ("ftp_proxy", "Proxy for FTP (not kept in the image history)"),
    ("NO_PROXY", "Hosts that bypass the proxy (not kept in the image history)"),
    ("no_proxy", "Hosts that bypass the proxy (not kept in the image history)"),
    ("ALL_PROXY", "Proxy for all protocols (not kept in the image history)"),
    ("all_proxy", "Proxy for all protocols (not kept in the image history)"),
];

/// The proxy args: passed to every RUN without a declaration.
pub fn is_proxy_arg(name: &str) -> bool {
    name.eq_ignore_ascii_case("HTTP_PROXY")
        || name.eq_ignore_ascii_case("HTTPS_PROXY")
        || name.eq_ignore_ascii_case("FTP_PROXY")
        || name.eq_ignore_ascii_case("NO_PROXY")
        || name.eq_ignore_ascii_case("ALL_PROXY")
}

pub fn is_predefined_arg(name: &str) -> bool {
    PREDEFINED_ARGS.iter().any(|(n, _)| *n == name)
}

/// The values of the predefined platform args (`TARGETOS`, `TARGETARCH`, `BUILDPLATFORM`, …)
/// for a build on and for one platform (`linux`, `amd64`, no variant).
pub fn platform_values(os: &str, arch: &str, variant: Option<&str>) -> resolve::Values {
    let platform = match variant {
        Some(v) => format!("{os}/{arch}/{v}"),
        None => format!("{os}/{arch}"),
    };
    let mut values = resolve::Values::new();
    for side in ["TARGET", "BUILD"] {
        values.insert(format!("{side}PLATFORM"), Some(platform.clone()));
        values.insert(format!("{side}OS"), Some(os.to_string()));
        values.insert(format!("{side}ARCH"), Some(arch.to_string()));
        values.insert(format!("{side}VARIANT"), Some(variant.unwrap_or("").to_string()));
    }
    values
}

/// The operators BuildKit accepts after a name in `${NAME…}`.
pub const SUBSTITUTION_OPERATORS: &[&str] = &[":-", ":+", ":?", "-", "+", "?", "#", "##", "%", "%%", "/", "//"];

/// In a braced expansion as written (`${NAME…}`), the modifier BuildKit rejects with
/// "unsupported modifier … in substitution": what follows the name when it is neither `}` nor
/// one of [`SUBSTITUTION_OPERATORS`], like `:i` in the template placeholder
/// `${templateOption:imageVariant}` (or `:=`, which shells know and BuildKit does not).
pub fn unsupported_modifier(expansion: &str) -> Option<&str> {
    let body = expansion.strip_prefix("${")?;
    let name = body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(body.len());
    let rest = &body[name..];
    if name == 0 || rest.is_empty() || rest.starts_with('}') || SUBSTITUTION_OPERATORS.iter().any(|op| rest.starts_with(op)) {
        return None;
    }
    // The operator BuildKit read: a `:` and the character after it, or one character.
    let len = rest.char_indices().nth(if rest.starts_with(':') { 2 } else { 1 }).map_or(rest.len(), |(i, _)| i);
    Some(&rest[..len])
}

/// Whether `e`, inside `text` that starts at byte `offset`, has an unsupported modifier.
fn is_unsupported(text: &str, offset: usize, e: &crate::syntax::Expansion) -> bool {
    e.braced && text.get(e.range.start.wrapping_sub(offset)..e.range.end.wrapping_sub(offset)).is_some_and(|t| unsupported_modifier(t).is_some())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Stage,
    Arg,
    Env,
}

#[derive(Debug, Clone)]
pub struct Symbol {
    pub kind: SymbolKind,
    pub name: String,
    /// The name at its definition.
    pub range: Range<usize>,
    /// The defining instruction (FROM for a stage).
    pub instruction: Range<usize>,
    /// The value or default as written (`None` for `ARG NAME` without default).
    pub value: Option<Word>,
    /// Stage index, `None` for global ARGs.
    pub stage: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub symbol: usize,
    pub range: Range<usize>,
}

/// A variable use that resolves to nothing declared in the Dockerfile.
#[derive(Debug, Clone)]
pub struct Unresolved {
    pub name: String,
    pub range: Range<usize>,
    /// In shell text (may well come from the base image's environment).
    pub in_shell: bool,
    pub instruction_kind: Kind,
    /// Names visible at this point (for did-you-mean).
    pub visible: Vec<String>,
    pub why: Why,
}

/// Why a use resolves to nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// No ARG or ENV of that name before it.
    Undeclared,
    /// A predefined platform arg (`TARGETARCH`, …) used in a stage that did not declare it.
    PredefinedNotDeclared,
    /// Shell text the container runs (CMD, ENTRYPOINT, HEALTHCHECK) names a build arg (this
    /// symbol), which is gone by then.
    BuildArgAtRuntime(usize),
}

#[derive(Debug, Clone, Default)]
pub struct Semantics {
    pub symbols: Vec<Symbol>,
    pub references: Vec<Reference>,
    pub unresolved: Vec<Unresolved>,
    /// Uses of predefined args (name, range).
    pub predefined: Vec<(String, Range<usize>)>,
    /// Symbol ids by name.
    by_name: HashMap<String, Vec<usize>>,
    /// Each stage's ARG/ENV definitions and re-declared global ARGs, in order: (offset, the
    /// symbol defined there or the global one re-declared, re-declaration?).
    stage_events: Vec<Vec<(usize, usize, bool)>>,
    /// The global ARGs' values (they do not depend on where they are read): computed once,
    /// since rules ask for them for every FROM.
    globals: std::sync::OnceLock<resolve::Values>,
}

impl Semantics {
    pub fn analyze(text: &str, df: &Dockerfile) -> Semantics {
        Analyzer { text, df, out: Semantics::default(), stage_end: Vec::new() }.run()
    }

    /// The symbol defined or referenced at `offset`.
    pub fn symbol_at(&self, offset: usize) -> Option<usize> {
        let hit = |r: &Range<usize>| r.start <= offset && offset <= r.end;
        self.symbols
            .iter()
            .position(|s| hit(&s.range))
            .or_else(|| self.references.iter().find(|r| hit(&r.range)).map(|r| r.symbol))
    }

    /// Ranges of every use of `symbol`, the definition first.
    pub fn occurrences(&self, symbol: usize) -> Vec<Range<usize>> {
        let mut out = vec![self.symbols[symbol].range.clone()];
        out.extend(self.references.iter().filter(|r| r.symbol == symbol).map(|r| r.range.clone()));
        out
    }

    /// The symbols (ids) with this exact name, in definition order.
    pub fn symbols_named(&self, name: &str) -> &[usize] {
        self.by_name.get(name).map_or(&[], |v| v.as_slice())
    }

    pub fn references_to(&self, symbol: usize) -> impl Iterator<Item = &Reference> {
        self.references.iter().filter(move |r| r.symbol == symbol)
    }

    /// The values visible at `offset` in stage `stage` (`None`: the global scope of FROM
    /// lines): global ARG defaults for FROM, else the stage's ARG/ENV defined before `offset`
    /// (with inherited ENV). A re-declared global ARG keeps the global default.
    pub fn values_at(&self, text: &str, df: &Dockerfile, stage: Option<usize>, offset: usize) -> resolve::Values {
        let resolve_value = |sym: &Symbol, values: &resolve::Values| {
            sym.value.as_ref().map(|w| crate::syntax::unquote(&resolve::expand(&text[w.range.clone()], values, df.escape), df.escape))
        };
        // Global ARGs in order.
        let globals = self.globals.get_or_init(|| {
            let mut values = resolve::Values::new();
            let first_from = df.stages.first().map_or(usize::MAX, |s| df.instructions[s.from].range.start);
            for sym in self.symbols.iter().filter(|s| s.kind == SymbolKind::Arg && s.stage.is_none() && s.range.start < first_from) {
                let v = resolve_value(sym, &values);
                values.insert(sym.name.clone(), v);
            }
            values
        });
        let Some(stage) = stage else { return globals.clone() };
        let mut values = resolve::Values::new();
        // Inherited ARG and ENV values, from the ancestor stages first.
        let mut chain = vec![stage];
        while let Some(p) = df.stages.get(*chain.last().unwrap()).and_then(|s| s.parent) {
            if chain.contains(&p) {
                break;
            }
            chain.push(p);
        }
        for (i, st) in chain.iter().rev().enumerate() {
            let own = i == chain.len() - 1;
            // This stage's definitions and re-declarations of global ARGs, in source order.
            let events = self.stage_events.get(*st).map_or(&[][..], Vec::as_slice).iter().map(|&(pos, id, redeclared)| {
                (pos, (!redeclared).then_some(id), self.symbols[id].name.as_str())
            });
            // The pairs of one ENV all see the values from before it: they are held here until
            // the next event of another instruction.
            let mut pending: Vec<(String, Option<String>)> = Vec::new();
            let mut pending_in: Option<Range<usize>> = None;
            for (pos, sym, name) in events {
                if own && pos >= offset {
                    break;
                }
                let env = sym.filter(|&id| self.symbols[id].kind == SymbolKind::Env);
                if pending_in.is_some() && env.map(|id| &self.symbols[id].instruction) != pending_in.as_ref() {
                    values.extend(pending.drain(..));
                    pending_in = None;
                }
                match sym {
                    Some(id) => {
                        let v = resolve_value(&self.symbols[id], &values);
                        if env.is_some() {
                            pending_in = Some(self.symbols[id].instruction.clone());
                            pending.push((name.to_string(), v));
                        } else {
                            values.insert(name.to_string(), v);
                        }
                    }
                    None => {
                        values.insert(name.to_string(), globals.get(name).cloned().flatten());
                    }
                }
            }
            values.extend(pending);
        }
        values
    }

    /// The earlier stage a FROM names through variables, as in `FROM binaries-${TARGETOS}`
    /// after `FROM scratch AS binaries-linux`: the image expanded with the global ARG defaults
    /// and `platform` (the predefined platform args, see [`platform_values`]).
    pub fn stage_through_variables<'d>(&self, text: &str, df: &'d Dockerfile, stage: &crate::syntax::Stage, platform: &resolve::Values) -> Option<&'d crate::syntax::Stage> {
        if stage.parent.is_some() || !stage.image.has_expansions() {
            return None;
        }
        let name = crate::syntax::unquote(&resolve::expand(&stage.image.text, &self.values_of_from_lines(text, df, platform), df.escape), df.escape);
        df.stage_named(&name, stage.from).filter(|s| s.index < stage.index)
    }

    /// What a FROM line's variables expand with: the global ARG defaults over `platform`'s.
    fn values_of_from_lines(&self, text: &str, df: &Dockerfile, platform: &resolve::Values) -> resolve::Values {
        let mut values = platform.clone();
        for (name, value) in self.values_at(text, df, None, 0) {
            // `ARG TARGETOS` without a default keeps the predefined value.
            if value.is_some() || !values.contains_key(&name) {
                values.insert(name, value);
            }
        }
        values
    }

    /// [`Semantics::stage_through_variables`] of every stage, by stage index: the values (the
    /// same for every FROM) are put together once, and each image text expanded once.
    pub fn stages_through_variables(&self, text: &str, df: &Dockerfile, platform: &resolve::Values) -> Vec<Option<usize>> {
        let mut values: Option<resolve::Values> = None;
        let mut names: HashMap<&str, String> = HashMap::new();
        df.stages
            .iter()
            .map(|stage| {
                if stage.parent.is_some() || !stage.image.has_expansions() {
                    return None;
                }
                let values = values.get_or_insert_with(|| self.values_of_from_lines(text, df, platform));
                let name = names
                    .entry(stage.image.text.as_str())
                    .or_insert_with(|| crate::syntax::unquote(&resolve::expand(&stage.image.text, values, df.escape), df.escape));
                df.stage_named(name, stage.from).filter(|s| s.index < stage.index).map(|s| s.index)
            })
            .collect()
    }

    /// The value of a word at its place: expansions resolved, quotes removed.
    pub fn resolve_word(&self, text: &str, df: &Dockerfile, word: &Word, stage: Option<usize>) -> String {
        let values = self.values_at(text, df, stage, word.range.start);
        crate::syntax::unquote(&resolve::expand(&text[word.range.clone()], &values, df.escape), df.escape)
    }
}

struct Analyzer<'a> {
    text: &'a str,
    df: &'a Dockerfile,
    out: Semantics,
    /// Each stage's scopes at its end, which child stages start from.
    stage_end: Vec<Option<Scopes>>,
}

type Scope = HashMap<String, usize>;

/// What a stage sees at one point.
#[derive(Clone, Default)]
struct Scopes {
    /// ARG and ENV: what Docker and RUN's shell see while building.
    build: Scope,
    /// ENV only: what the container's shell sees (CMD, ENTRYPOINT, HEALTHCHECK).
    env: Scope,
}

/// Where a use is resolved.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// FROM lines and global ARG defaults: the global ARGs and every predefined arg.
    Global,
    /// Inside a stage.
    Stage,
}

impl Analyzer<'_> {
    fn run(mut self) -> Semantics {
        let df = self.df;
        // Stage names first: FROM <stage> and --from may refer to earlier stages only, but
        // definitions are needed up front to resolve them.
        let mut stage_symbols: Vec<Option<usize>> = Vec::new();
        for stage in &df.stages {
            let sym = stage.name.as_ref().map(|name| {
                self.push_symbol(Symbol {
                    kind: SymbolKind::Stage,
                    name: name.text.to_string(),
                    range: name.range.clone(),
                    instruction: df.instructions[stage.from].range.clone(),
                    value: None,
                    stage: Some(stage.index),
                })
            });
            stage_symbols.push(sym);
        }
        self.stage_end = vec![None; df.stages.len()];
        // A stage's end scopes are kept only until its last child starts, which takes them
        // over instead of copying: in a long `FROM previous` chain each copy would hold
        // everything declared before it (quadratic time and memory).
        let mut children_left = vec![0usize; df.stages.len()];
        for p in df.stages.iter().filter_map(|s| s.parent) {
            if let Some(n) = children_left.get_mut(p) {
                *n += 1;
            }
        }

        let mut global = Scope::new();
        let mut scopes = Scopes::default();
        let mut current_stage: Option<usize> = None;
        for (idx, ins) in df.instructions.iter().enumerate() {
            if ins.kind == Kind::From {
                if let Some(s) = current_stage {
                    self.stage_end[s] = Some(std::mem::take(&mut scopes));
                }
                let stage = ins.stage.expect("a FROM starts a stage");
                current_stage = Some(stage);
                // FROM sees the global ARGs.
                let uses = instruction_uses(self.text, ins);
                self.resolve(&uses, ins.range.start, &global, None, Place::Global, ins.kind);
                // FROM <earlier stage>.
                if let Some(parent) = df.stages[stage].parent {
                    if let Some(sym) = stage_symbols[parent] {
                        let r = df.stages[stage].image.repository.1.clone();
                        self.out.references.push(Reference { symbol: sym, range: r });
                    }
                }
                scopes = match df.stages[stage].parent {
                    Some(p) if p < stage => {
                        children_left[p] -= 1;
                        if children_left[p] == 0 {
                            self.stage_end[p].take()
                        } else {
                            self.stage_end[p].clone()
                        }
                        .unwrap_or_default()
                    }
                    _ => Scopes::default(),
                };
                continue;
            }
            self.stage_refs(ins, idx, &stage_symbols);
            let Some(stage) = current_stage else {
                // Before the first FROM: global ARGs (anything else is an error elsewhere),
                // declared one pair after the other.
                if ins.kind == Kind::Arg {
                    for p in ins.pairs() {
                        let mut uses = Vec::new();
                        pair_uses(p, &mut uses);
                        self.resolve(&uses, 0, &global, None, Place::Global, ins.kind);
                        let id = self.define(SymbolKind::Arg, p.key.value.to_string(), p.key.range.clone(), ins, p.value.clone(), None);
                        global.insert(p.key.value.to_string(), id);
                    }
                } else {
                    let uses = instruction_uses(self.text, ins);
                    self.resolve(&uses, ins.range.start, &global, None, Place::Global, ins.kind);
                }
                continue;
            };
            match ins.kind {
                Kind::Arg => {
                    for p in ins.pairs() {
                        let mut uses = Vec::new();
                        pair_uses(p, &mut uses);
                        self.resolve(&uses, 0, &scopes.build, None, Place::Stage, ins.kind);
                        let name = p.key.value.clone();
                        if p.value.is_none() {
                            if let Some(&g) = global.get(name.as_str()) {
                                // Re-declaration of a global ARG: a reference to it.
                                self.out.references.push(Reference { symbol: g, range: p.key.range.clone() });
                                self.stage_event(stage, p.key.range.start, g, true);
                                scopes.build.insert(name.to_string(), g);
                                continue;
                            }
                        }
                        let id = self.define(SymbolKind::Arg, name.to_string(), p.key.range.clone(), ins, p.value.clone(), Some(stage));
                        scopes.build.insert(name.to_string(), id);
                    }
                }
                Kind::Env => {
                    // Every value sees the variables from before the instruction.
                    let uses = instruction_uses(self.text, ins);
                    self.resolve(&uses, ins.range.start, &scopes.build, None, Place::Stage, ins.kind);
                    for p in ins.pairs() {
                        // `ENV $K=v`: BuildKit names the variable after the value of `$K`,
                        // unknown here; no symbol (the `$K` is a use, resolved above).
                        if p.key.has_expansions() {
                            continue;
                        }
                        let name = p.key.value.clone();
                        let id = self.define(SymbolKind::Env, name.to_string(), p.key.range.clone(), ins, p.value.clone(), Some(stage));
                        scopes.build.insert(name.to_string(), id);
                        scopes.env.insert(name.to_string(), id);
                    }
                }
                Kind::Cmd | Kind::Entrypoint | Kind::Healthcheck => {
                    // Shell form runs in the container, which has the ENV values only.
                    let uses = instruction_uses(self.text, ins);
                    self.resolve(&uses, ins.range.start, &scopes.build, Some(&scopes.env), Place::Stage, ins.kind);
                }
                _ => {
                    let uses = instruction_uses(self.text, ins);
                    self.resolve(&uses, ins.range.start, &scopes.build, None, Place::Stage, ins.kind);
                }
            }
        }
        self.out
    }

    fn push_symbol(&mut self, s: Symbol) -> usize {
        let id = self.out.symbols.len();
        self.out.by_name.entry(s.name.clone()).or_default().push(id);
        self.out.symbols.push(s);
        id
    }

    fn define(&mut self, kind: SymbolKind, name: String, range: Range<usize>, ins: &Instruction, value: Option<Word>, stage: Option<usize>) -> usize {
        let start = range.start;
        let id = self.push_symbol(Symbol { kind, name, range, instruction: ins.range.clone(), value, stage });
        if let Some(stage) = stage {
            self.stage_event(stage, start, id, false);
        }
        id
    }

    fn stage_event(&mut self, stage: usize, offset: usize, symbol: usize, redeclared: bool) {
        let events = &mut self.out.stage_events;
        if events.len() <= stage {
            events.resize_with(stage + 1, Vec::new);
        }
        events[stage].push((offset, symbol, redeclared));
    }

    /// `COPY --from=<stage>` and `RUN --mount=…,from=<stage>`.
    fn stage_refs(&mut self, ins: &Instruction, idx: usize, stage_symbols: &[Option<usize>]) {
        let mut words: Vec<&Word> = Vec::new();
        for flag in &ins.flags {
            if flag.name == "from" {
                words.extend(flag.value.as_ref());
            }
            for opt in &flag.mount {
                if opt.key == "from" {
                    words.extend(opt.value.as_ref());
                }
            }
        }
        for w in words {
            if let Some(stage) = self.df.stage_named(&w.value, idx) {
                if let Some(sym) = stage_symbols[stage.index] {
                    self.out.references.push(Reference { symbol: sym, range: w.range.clone() });
                }
            }
        }
        if let Some(nested) = &ins.nested {
            self.stage_refs(nested, idx, stage_symbols);
        }
    }

    /// Records each use as a reference to what `scope` names, else as a predefined arg or an
    /// unresolved name. With `runtime`, uses in shell text are resolved against it instead
    /// (the container's ENV), and `scope` only says which build arg was meant.
    /// Resolves `uses` (ranges relative to `base`).
    fn resolve(&mut self, uses: &[(String, Range<usize>, bool)], base: usize, scope: &Scope, runtime: Option<&Scope>, place: Place, kind: Kind) {
        for (name, range, in_shell) in uses {
            let (name, range, in_shell) = (name.as_str(), range.start + base..range.end + base, *in_shell);
            let (seen, at_runtime) = match runtime {
                Some(env) if in_shell => (env, true),
                _ => (scope, false),
            };
            if let Some(&sym) = seen.get(name) {
                self.out.references.push(Reference { symbol: sym, range });
                continue;
            }
            let predefined = is_predefined_arg(name);
            // Proxy args reach RUN's environment only (BuildKit passes them to RUN, not to the
            // words it expands itself: `ENV http_proxy=$http_proxy` is empty without an ARG).
            if predefined && (place == Place::Global || (is_proxy_arg(name) && in_shell && !at_runtime)) {
                self.out.predefined.push((name.to_string(), range));
                continue;
            }
            let why = match scope.get(name) {
                Some(&sym) if at_runtime => Why::BuildArgAtRuntime(sym),
                _ if predefined && !at_runtime => Why::PredefinedNotDeclared,
                _ => Why::Undeclared,
            };
            // Did-you-mean candidates: only names of a similar length can be suggested.
            let mut visible: Vec<String> = seen.keys().filter(|k| k.len().abs_diff(name.len()) <= 3).cloned().collect();
            visible.sort();
            self.out.unresolved.push(Unresolved { name: name.to_string(), range, in_shell, instruction_kind: kind, visible, why });
        }
    }
}

/// Variable uses in one `KEY=value` pair.
fn pair_uses(p: &crate::syntax::Pair, out: &mut Vec<(String, Range<usize>, bool)>) {
    word_uses(&p.key, out);
    if let Some(v) = &p.value {
        word_uses(v, out);
    }
}

/// An expansion BuildKit rejects (`${templateOption:imageVariant}`) is not a use: the build
/// fails on it, which the syntax check reports alone.
fn word_uses(w: &Word, out: &mut Vec<(String, Range<usize>, bool)>) {
    for e in &w.expansions {
        if !e.name.is_empty() && !is_unsupported(&w.text, w.range.start, e) {
            out.push((e.name.to_string(), e.name_range.clone(), false));
        }
    }
}

/// An instruction's variable uses, ranges relative to its start: a function of its text alone,
/// so kept on the instruction and taken over by the next version's model.
fn instruction_uses(text: &str, ins: &Instruction) -> std::sync::Arc<Vec<crate::lint::memo::Use>> {
    ins.memo
        .uses
        .get_or_init(|| {
            let mut out = Vec::new();
            collect_uses(text, ins, &mut out);
            let base = ins.range.start;
            for u in &mut out {
                u.1 = u.1.start - base..u.1.end - base;
            }
            std::sync::Arc::new(out)
        })
        .clone()
}

/// Variable uses in an instruction: (name, name range, in shell text).
fn collect_uses(text: &str, ins: &Instruction, out: &mut Vec<(String, Range<usize>, bool)>) {
    let word = word_uses;
    for f in &ins.flags {
        if let Some(v) = &f.value {
            word(v, out);
        }
    }
    match &ins.args {
        Args::Words(ws) => ws.iter().for_each(|w| word(w, out)),
        Args::Pairs(ps) => ps.iter().for_each(|p| pair_uses(p, out)),
        Args::From(f) => {
            for e in &f.image.expansions {
                if !e.name.is_empty() && !is_unsupported(&f.image.text, f.image.range.start, e) {
                    out.push((e.name.to_string(), e.name_range.clone(), false));
                }
            }
        }
        Args::User { user, group } => {
            // `USER ${templateOption:user}`: the grammar splits the user and group at the `:`
            // inside the braces; BuildKit rejects the whole word.
            let rejected = group.as_ref().is_some_and(|g| {
                let whole = format!("{}:{}", user.text, g.text);
                !user.text.contains('}') && whole.find("${").is_some_and(|i| unsupported_modifier(&whole[i..]).is_some())
            });
            if !rejected {
                word(user, out);
                if let Some(g) = group {
                    word(g, out);
                }
            }
        }
        Args::Shell(shell) => {
            shellvars::scan(text, shell.range.clone(), true, out);
        }
        // ADD, COPY and VOLUME expand variables in JSON form too (RUN, CMD and ENTRYPOINT run
        // theirs without a shell, so `$X` stays literal there).
        Args::Exec(words) if matches!(ins.kind, Kind::Add | Kind::Copy | Kind::Volume) => {
            for w in words.iter().filter(|w| w.range.len() >= 2) {
                let start = out.len();
                shellvars::scan(text, w.range.start + 1..w.range.end - 1, true, out);
                for u in &mut out[start..] {
                    u.2 = false;
                }
            }
        }
        Args::Exec(_) | Args::None | Args::HealthcheckNone => {}
    }
    for h in &ins.heredocs {
        let Some(body) = &h.body_range else { continue };
        // A quoted delimiter stops expansion in the body, unless the body is RUN's script
        // itself, which a shell runs (expanding it then).
        if !h.quoted || (ins.kind == Kind::Run && is_shell_script(text, ins, h)) {
            // RUN bodies are expanded by the shell; COPY/ADD bodies by Docker itself.
            let start = out.len();
            shellvars::scan(text, body.clone(), ins.kind == Kind::Run, out);
            if ins.kind != Kind::Run {
                for u in &mut out[start..] {
                    u.2 = false;
                }
            }
        }
    }
    if let Some(n) = &ins.nested {
        collect_uses(text, n, out);
    }
}

/// `RUN <<EOF` with nothing else on the line: BuildKit runs the body as the script, with
/// the shell unless it starts with a `#!` naming another interpreter.
fn is_shell_script(text: &str, ins: &Instruction, h: &crate::syntax::Heredoc) -> bool {
    let Args::Shell(shell) = &ins.args else { return false };
    let mut words = shell.words(text);
    let alone = words.next().is_some_and(|w| w == &text[h.marker_range.clone()]) && words.next().is_none();
    let Some(body) = &h.body_range else { return false };
    let first = text[body.clone()].lines().next().unwrap_or("");
    let Some(shebang) = first.strip_prefix("#!") else { return alone };
    let interpreter = shebang.split_whitespace().map(|w| w.rsplit('/').next().unwrap_or(w)).find(|w| *w != "env").unwrap_or("");
    alone && matches!(interpreter, "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "mksh" | "busybox")
}

#[cfg(test)]
mod tests;
