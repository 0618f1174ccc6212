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

    pub fn text(&self) -> &str {
        &self.snapshot.text
    }
}
