//! Names and what they refer to: stage names (FROM … AS, COPY --from, RUN --mount from=,
//! FROM <stage>) and ARG/ENV variables with Docker's scoping:
//! * ARGs before the first FROM are global: visible in FROM lines, and inside a stage only
//!   after `ARG NAME` re-declares them (which then refers to the global one);
//! * an ARG or ENV in a stage is visible after it, in that stage; ENV is also inherited by
//!   stages built `FROM` that stage, ARG is not;
//! * in one instruction, `$VAR` sees the value from before the instruction (`ENV A=1 B=$A`
//!   reads the old A);
//! * the predefined platform and proxy args are always available.
//!
//! `$VAR` inside shell text (RUN, CMD, heredocs) is expanded by the shell from the same ARG
//! and ENV values, so those uses are references too.

pub mod resolve;
mod shellvars;

use std::collections::HashMap;
use std::ops::Range;

use crate::syntax::{Args, Dockerfile, Instruction, Kind, Word};

/// Build args BuildKit defines without a declaration.
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
}

impl Semantics {
    pub fn analyze(text: &str, df: &Dockerfile) -> Semantics {
        Analyzer { text, df, out: Semantics::default(), stage_end_env: Vec::new() }.run()
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
        let mut values = resolve::Values::new();
        let resolve_value = |sym: &Symbol, values: &resolve::Values| {
            sym.value.as_ref().map(|w| crate::syntax::unquote(&resolve::expand(&text[w.range.clone()], values), df.escape))
        };
        // Global ARGs in order.
        let first_from = df.stages.first().map_or(usize::MAX, |s| df.instructions[s.from].range.start);
        for sym in self.symbols.iter().filter(|s| s.kind == SymbolKind::Arg && s.stage.is_none() && s.range.start < first_from) {
            let v = resolve_value(sym, &values);
            values.insert(sym.name.clone(), v);
        }
        let Some(stage) = stage else { return values };
        let globals = values;
        let mut values = resolve::Values::new();
        // Inherited ENV, from the ancestor stages first.
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
            let mut events: Vec<(usize, Option<usize>, &str)> = self
                .symbols
                .iter()
                .enumerate()
                .filter(|(_, s)| s.stage == Some(*st) && s.kind != SymbolKind::Stage)
                .map(|(id, s)| (s.range.start, Some(id), s.name.as_str()))
                .collect();
            for r in &self.references {
                let sym = &self.symbols[r.symbol];
                if sym.kind == SymbolKind::Arg
                    && sym.stage.is_none()
                    && df.stage_at(r.range.start).is_some_and(|x| x.index == *st)
                    && df.instruction_at(r.range.start).is_some_and(|i| i.kind == Kind::Arg)
                {
                    events.push((r.range.start, None, sym.name.as_str()));
                }
            }
            events.sort_by_key(|e| e.0);
            let mut args_here: Vec<String> = Vec::new();
            for (pos, sym, name) in events {
                if own && pos >= offset {
                    break;
                }
                match sym {
                    Some(id) => {
                        let v = resolve_value(&self.symbols[id], &values);
                        if self.symbols[id].kind == SymbolKind::Arg {
                            args_here.push(name.to_string());
                        }
                        values.insert(name.to_string(), v);
                    }
                    None => {
                        args_here.push(name.to_string());
                        values.insert(name.to_string(), globals.get(name).cloned().flatten());
                    }
                }
            }
            if !own {
                // ARGs are not inherited by child stages; ENV is.
                for n in args_here {
                    let is_env = self.symbols.iter().any(|s| s.stage == Some(*st) && s.kind == SymbolKind::Env && s.name == n);
                    if !is_env {
                        values.remove(&n);
                    }
                }
            }
        }
        values
    }

    /// The value of a word at its place: expansions resolved, quotes removed.
    pub fn resolve_word(&self, text: &str, df: &Dockerfile, word: &Word, stage: Option<usize>) -> String {
        let values = self.values_at(text, df, stage, word.range.start);
        crate::syntax::unquote(&resolve::expand(&text[word.range.clone()], &values), df.escape)
    }
}

struct Analyzer<'a> {
    text: &'a str,
    df: &'a Dockerfile,
    out: Semantics,
    /// ENV symbols visible at the end of each stage (inherited by child stages).
    stage_end_env: Vec<HashMap<String, usize>>,
}

type Scope = HashMap<String, usize>;

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

        let mut global: Scope = HashMap::new();
        let mut scope: Scope = HashMap::new();
        let mut env_scope: Scope = HashMap::new();
        let mut current_stage: Option<usize> = None;
        for (idx, ins) in df.instructions.iter().enumerate() {
            if ins.kind == Kind::From {
                if let Some(s) = current_stage {
                    self.stage_end_env.resize(s + 1, HashMap::new());
                    self.stage_end_env[s] = env_scope.clone();
                }
                let stage = ins.stage.expect("a FROM starts a stage");
                current_stage = Some(stage);
                // FROM sees the global ARGs.
                self.uses_in(ins, &global, &HashMap::new());
                // FROM <earlier stage>.
                if let Some(parent) = df.stages[stage].parent {
                    if let Some(sym) = stage_symbols[parent] {
                        let r = df.stages[stage].image.repository.1.clone();
                        self.out.references.push(Reference { symbol: sym, range: r });
                    }
                }
                scope = HashMap::new();
                env_scope = df.stages[stage]
                    .parent
                    .and_then(|p| self.stage_end_env.get(p).cloned())
                    .unwrap_or_default();
                for (k, v) in &env_scope {
                    scope.insert(k.clone(), *v);
                }
                continue;
            }
            self.stage_refs(ins, idx, &stage_symbols);
            if current_stage.is_none() {
                // Before the first FROM: global ARGs (anything else is an error elsewhere).
                self.uses_in(ins, &global, &HashMap::new());
                if ins.kind == Kind::Arg {
                    for p in ins.pairs() {
                        let id = self.define(SymbolKind::Arg, p.key.value.to_string(), p.key.range.clone(), ins, p.value.clone(), None);
                        global.insert(p.key.value.to_string(), id);
                    }
                }
                continue;
            }
            // Uses see the scope from before this instruction's own definitions.
            self.uses_in(ins, &scope, &global);
            match ins.kind {
                Kind::Arg => {
                    for p in ins.pairs() {
                        let name = p.key.value.clone();
                        if p.value.is_none() {
                            if let Some(&g) = global.get(name.as_str()) {
                                // Re-declaration of a global ARG: a reference to it.
                                self.out.references.push(Reference { symbol: g, range: p.key.range.clone() });
                                scope.insert(name.to_string(), g);
                                continue;
                            }
                        }
                        let id = self.define(SymbolKind::Arg, name.to_string(), p.key.range.clone(), ins, p.value.clone(), current_stage);
                        scope.insert(name.to_string(), id);
                    }
                }
                Kind::Env => {
                    for p in ins.pairs() {
                        let name = p.key.value.clone();
                        let id = self.define(SymbolKind::Env, name.to_string(), p.key.range.clone(), ins, p.value.clone(), current_stage);
                        scope.insert(name.to_string(), id);
                        env_scope.insert(name.to_string(), id);
                    }
                }
                _ => {}
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
        self.push_symbol(Symbol { kind, name, range, instruction: ins.range.clone(), value, stage })
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

    /// Records every variable use in `ins`, resolved against `scope` (then `fallback` for
    /// names only the global scope knows, which Docker leaves empty inside a stage).
    fn uses_in(&mut self, ins: &Instruction, scope: &Scope, fallback: &Scope) {
        let mut uses: Vec<(String, Range<usize>, bool)> = Vec::new();
        collect_uses(self.text, ins, &mut uses);
        for (name, range, in_shell) in uses {
            if let Some(&sym) = scope.get(&name) {
                self.out.references.push(Reference { symbol: sym, range });
            } else if PREDEFINED_ARGS.iter().any(|(n, _)| *n == name) {
                self.out.predefined.push((name, range));
            } else {
                let _ = fallback;
                let mut visible: Vec<String> = scope.keys().cloned().collect();
                visible.sort();
                self.out.unresolved.push(Unresolved { name, range, in_shell, instruction_kind: ins.kind, visible });
            }
        }
    }
}

/// Variable uses in an instruction: (name, name range, in shell text).
fn collect_uses(text: &str, ins: &Instruction, out: &mut Vec<(String, Range<usize>, bool)>) {
    let word = |w: &Word, out: &mut Vec<(String, Range<usize>, bool)>| {
        for e in &w.expansions {
            if !e.name.is_empty() {
                out.push((e.name.to_string(), e.name_range.clone(), false));
            }
        }
    };
    for f in &ins.flags {
        if let Some(v) = &f.value {
            word(v, out);
        }
    }
    match &ins.args {
        Args::Words(ws) => ws.iter().for_each(|w| word(w, out)),
        Args::Pairs(ps) => {
            for p in ps {
                word(&p.key, out);
                if let Some(v) = &p.value {
                    word(v, out);
                }
            }
        }
        Args::From(f) => {
            for e in &f.image.expansions {
                if !e.name.is_empty() {
                    out.push((e.name.to_string(), e.name_range.clone(), false));
                }
            }
        }
        Args::User { user, group } => {
            word(user, out);
            if let Some(g) = group {
                word(g, out);
            }
        }
        Args::Shell(shell) => {
            shellvars::scan(text, shell.range.clone(), out);
        }
        Args::Exec(_) | Args::None | Args::HealthcheckNone => {}
    }
    for h in &ins.heredocs {
        if let (Some(body), false) = (&h.body_range, h.quoted) {
            // RUN bodies are expanded by the shell; COPY/ADD bodies by Docker itself.
            let start = out.len();
            shellvars::scan(text, body.clone(), out);
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

#[cfg(test)]
mod tests;
