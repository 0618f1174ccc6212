//! Everything computed from one snapshot that several requests share.

use crate::document::Snapshot;
use crate::semantics::Semantics;
use crate::syntax::Dockerfile;

pub struct Analysis {
    pub snapshot: Snapshot,
    pub dockerfile: Dockerfile,
    pub semantics: Semantics,
}

impl Analysis {
    pub fn new(snapshot: Snapshot) -> Analysis {
        let dockerfile = Dockerfile::new(&snapshot.text, &snapshot.tree);
        let semantics = Semantics::analyze(&snapshot.text, &dockerfile);
        Analysis { snapshot, dockerfile, semantics }
    }

    /// [`Analysis::new`] for a later version of the document `previous` was made from: its
    /// unchanged instructions are reused instead of rebuilt.
    pub fn new_reusing(snapshot: Snapshot, previous: &Analysis) -> Analysis {
        let dockerfile = Dockerfile::new_reusing(&snapshot.text, &snapshot.tree, previous.text(), &previous.dockerfile);
        let semantics = Semantics::analyze(&snapshot.text, &dockerfile);
        Analysis { snapshot, dockerfile, semantics }
    }

    pub fn text(&self) -> &str {
        &self.snapshot.text
    }
}
