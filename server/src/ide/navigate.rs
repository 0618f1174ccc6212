//! Definition, references, document highlight and rename for stage names and variables.

use std::ops::Range;

use crate::semantics::{Semantics, SymbolKind};

/// The definition of the symbol at `offset`.
pub fn definition(sem: &Semantics, offset: usize) -> Option<Range<usize>> {
    sem.symbol_at(offset).map(|s| sem.symbols[s].range.clone())
}

/// Every occurrence of the symbol at `offset`; the definition only when asked.
pub fn references(sem: &Semantics, offset: usize, include_declaration: bool) -> Vec<Range<usize>> {
    let Some(sym) = sem.symbol_at(offset) else { return Vec::new() };
    let mut out = sem.occurrences(sym);
    if !include_declaration {
        out.remove(0);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HighlightKind {
    /// Where the name is defined (written).
    Write,
    /// Where it is used.
    Read,
}

pub fn highlights(sem: &Semantics, offset: usize) -> Vec<(Range<usize>, HighlightKind)> {
    let Some(sym) = sem.symbol_at(offset) else { return Vec::new() };
    let def = sem.symbols[sym].range.clone();
    sem.occurrences(sym)
        .into_iter()
        .map(|r| {
            let k = if r == def { HighlightKind::Write } else { HighlightKind::Read };
            (r, k)
        })
        .collect()
}

/// The range and current name that a rename at `offset` would change.
pub fn prepare_rename(sem: &Semantics, offset: usize) -> Option<(Range<usize>, String)> {
    let sym = sem.symbol_at(offset)?;
    let hit = |r: &Range<usize>| r.start <= offset && offset <= r.end;
    let range = sem.occurrences(sym).into_iter().find(hit)?;
    Some((range, sem.symbols[sym].name.clone()))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameError {
    NothingToRename,
    InvalidName(String),
}

impl std::fmt::Display for RenameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenameError::NothingToRename => write!(f, "There is no stage name or variable here to rename"),
            RenameError::InvalidName(m) => f.write_str(m),
        }
    }
}

/// Text edits (range, new text) renaming the symbol at `offset` everywhere it is used.
pub fn rename(sem: &Semantics, offset: usize, new_name: &str) -> Result<Vec<(Range<usize>, String)>, RenameError> {
    let sym = sem.symbol_at(offset).ok_or(RenameError::NothingToRename)?;
    let kind = sem.symbols[sym].kind;
    let valid = match kind {
        SymbolKind::Stage => {
            new_name.starts_with(|c: char| c.is_ascii_alphabetic())
                && new_name.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        }
        SymbolKind::Arg | SymbolKind::Env => {
            new_name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && new_name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
    };
    if !valid {
        let what = if kind == SymbolKind::Stage {
            "A stage name starts with a letter and contains letters, digits, `_`, `.` and `-`"
        } else {
            "A variable name starts with a letter or `_` and contains letters, digits and `_`"
        };
        return Err(RenameError::InvalidName(format!("`{new_name}` is not a valid name. {what}.")));
    }
    let this = &sem.symbols[sym];
    let predefined = crate::semantics::is_predefined_arg;
    if kind != SymbolKind::Stage && predefined(&this.name) {
        return Err(RenameError::InvalidName(format!(
            "`{}` is a predefined build argument: BuildKit sets it by that name",
            this.name
        )));
    }
    if kind != SymbolKind::Stage && predefined(new_name) {
        return Err(RenameError::InvalidName(format!("`{new_name}` is a predefined build argument")));
    }
    // A name already taken would merge two stages or two variables into one.
    let taken = sem.symbols.iter().enumerate().find(|&(id, s)| {
        id != sym
            && match kind {
                SymbolKind::Stage => s.kind == SymbolKind::Stage && s.name.eq_ignore_ascii_case(new_name),
                SymbolKind::Arg | SymbolKind::Env => {
                    s.kind != SymbolKind::Stage && s.name == new_name && (s.stage == this.stage || s.stage.is_none() || this.stage.is_none())
                }
            }
    });
    if let Some((_, other)) = taken {
        let what = if kind == SymbolKind::Stage { "stage" } else { "variable" };
        return Err(RenameError::InvalidName(format!(
            "A {what} named `{}` already exists; renaming to it would make the two one",
            other.name
        )));
    }
    let mut edits: Vec<(Range<usize>, String)> =
        sem.occurrences(sym).into_iter().map(|r| (r, new_name.to_string())).collect();
    edits.sort_by_key(|(r, _)| r.start);
    edits.dedup_by(|a, b| a.0 == b.0);
    Ok(edits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Snapshot;
    use crate::syntax::Dockerfile;

    fn renamed(text: &str, at: &str, new_name: &str) -> Result<String, String> {
        let snap = Snapshot::from_text(text);
        let df = Dockerfile::new(&snap.text, &snap.tree);
        let sem = Semantics::analyze(text, &df);
        let edits = rename(&sem, text.find(at).unwrap(), new_name).map_err(|e| e.to_string())?;
        Ok(crate::actions::apply(text, &edits.into_iter().map(|(range, text)| crate::lint::Edit { range, text }).collect::<Vec<_>>()))
    }

    /// A stage referred to by its index is the same stage: the rename writes its new name there.
    #[test]
    fn renaming_a_stage_names_it_where_its_index_was_used() {
        let text = "FROM alpine AS build\nFROM alpine\nCOPY --from=0 /a /b\nCOPY --from=build /c /d\n";
        let out = renamed(text, "build\n", "compile").unwrap();
        assert_eq!(out, "FROM alpine AS compile\nFROM alpine\nCOPY --from=compile /a /b\nCOPY --from=compile /c /d\n");
    }

    #[test]
    fn renames_that_would_merge_two_names_are_refused() {
        let text = "FROM alpine AS build\nARG VERSION=1\nENV APP_HOME=/app\nFROM alpine AS other\nARG APP_HOME\nCOPY --from=build /a /b\n";
        assert!(renamed(text, "build\n", "OTHER").unwrap_err().contains("already exists"));
        assert!(renamed(text, "VERSION", "APP_HOME").unwrap_err().contains("already exists"));
        // Another stage's variable of that name is no conflict.
        let ok = renamed(text, "APP_HOME=", "HOME_DIR").unwrap();
        assert!(ok.contains("ENV HOME_DIR=/app") && ok.contains("ARG APP_HOME"), "{ok}");
        assert_eq!(renamed(text, "build\n", "builder").unwrap().matches("builder").count(), 2);
    }

    #[test]
    fn predefined_build_args_are_not_renamed() {
        let text = "FROM alpine\nARG TARGETARCH\nARG ARCH=x\nRUN echo $TARGETARCH $ARCH\n";
        assert!(renamed(text, "TARGETARCH", "ARCH2").unwrap_err().contains("predefined"));
        assert!(renamed(text, "ARCH=", "TARGETOS").unwrap_err().contains("predefined"));
    }
}
