//! Everything computed from one snapshot that several requests share.

use crate::document::Snapshot;
use crate::semantics::Semantics;
use crate::syntax::Dockerfile;

/// Stack size of every thread that analyses a document (the server's and `check`'s): deeply
/// nested input must not overflow them. Address space only; pages are used as touched.
pub const STACK_SIZE: usize = 64 * 1024 * 1024;

pub struct Analysis {
    pub snapshot: Snapshot,
    pub dockerfile: Dockerfile,
    pub semantics: Semantics,
}

impl Analysis {
    pub fn new(snapshot: Snapshot) -> Analysis {
        let dockerfile = Dockerfile::of_snapshot(&snapshot);
        // The diagnostics that usually follow analyse every RUN body (most of it tree-sitter-bash
        // parses); that starts now, beside the semantics (which run on one core), and fills the
        // shell analysis cache the lint run then reads.
        let (semantics, ()) = rayon::join(
            || Semantics::analyze(&snapshot.text, &dockerfile),
            || crate::shell::prefetch(&snapshot.text, &dockerfile),
        );
        Analysis { snapshot, dockerfile, semantics }
    }

    /// [`Analysis::new`] for a later version of the document `previous` was made from: its
    /// unchanged instructions are moved over instead of rebuilt.
    pub fn new_reusing(snapshot: Snapshot, previous: Analysis) -> Analysis {
        // Of the previous analysis only its text and model are needed: its semantics and tree
        // are let go first, so that they are not held alongside the new ones (peak memory).
        let Analysis { snapshot: old, dockerfile: old_df, semantics: old_semantics } = previous;
        drop(old_semantics);
        drop(old.tree);
        drop(old.lines);
        let old_text = old.text;
        // The changed part of the tree is known when `previous` is of the snapshot just before.
        let dockerfile = match snapshot.changed.as_ref().filter(|c| c.since == old.id) {
            Some(changed) => Dockerfile::new_after_edit(&snapshot.text, &snapshot.tree, &old_text, old_df, changed.range.clone()),
            None => Dockerfile::new_reusing(&snapshot.text, &snapshot.tree, &old_text, old_df),
        };
        drop(old_text);
        let semantics = Semantics::analyze(&snapshot.text, &dockerfile);
        Analysis { snapshot, dockerfile, semantics }
    }

    /// What [`Analysis::new_reusing`] needs of an analysis that is shared: its text and model.
    pub fn reusable_copy(&self) -> Analysis {
        Analysis { snapshot: self.snapshot.clone(), dockerfile: self.dockerfile.clone(), semantics: Semantics::default() }
    }

    pub fn text(&self) -> &str {
        &self.snapshot.text
    }
}
