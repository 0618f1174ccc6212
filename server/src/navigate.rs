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
    let mut edits: Vec<(Range<usize>, String)> =
        sem.occurrences(sym).into_iter().map(|r| (r, new_name.to_string())).collect();
    edits.sort_by_key(|(r, _)| r.start);
    edits.dedup_by(|a, b| a.0 == b.0);
    Ok(edits)
}
