//! Server state: open documents, negotiated encoding, settings, client capabilities.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use tower_lsp_server::ls_types::Uri;

use super::config::Settings;
use crate::analysis::Analysis;
use crate::document::{Document, PositionEncoding};

#[derive(Debug, Clone, Default)]
pub struct ClientCaps {
    pub configuration: bool,
    pub hierarchical_symbols: bool,
    pub multiline_tokens: bool,
}

#[derive(Default)]
pub struct State {
    docs: Mutex<HashMap<Uri, Document>>,
    /// The last analysis per document, reused while the version is unchanged.
    analyses: Mutex<HashMap<Uri, Arc<Analysis>>>,
    pub encoding: RwLock<PositionEncoding>,
    pub settings: RwLock<Settings>,
    pub caps: RwLock<ClientCaps>,
    /// Serialises publishing so an older version can never be published after a newer one.
    pub publish_lock: tokio::sync::Mutex<()>,
}

impl State {
    pub fn encoding(&self) -> PositionEncoding {
        *self.encoding.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn settings(&self) -> Settings {
        self.settings.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn caps(&self) -> ClientCaps {
        self.caps.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Runs `f` on the open document (under the lock: keep it short and synchronous).
    pub fn with_docs<T>(&self, f: impl FnOnce(&mut HashMap<Uri, Document>) -> T) -> T {
        let mut docs = self.docs.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut docs)
    }

    pub fn version(&self, uri: &Uri) -> Option<i32> {
        self.with_docs(|d| d.get(uri).map(|doc| doc.version()))
    }

    pub fn open_uris(&self) -> Vec<Uri> {
        self.with_docs(|d| d.keys().cloned().collect())
    }

    /// The analysis of the current version of `uri` (computed once per version).
    pub fn analysis(&self, uri: &Uri) -> Option<Arc<Analysis>> {
        let snapshot = self.with_docs(|d| d.get(uri).map(|doc| doc.snapshot()))?;
        {
            let cache = self.analyses.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(a) = cache.get(uri) {
                if a.snapshot.version == snapshot.version && Arc::ptr_eq(&a.snapshot.text, &snapshot.text) {
                    return Some(a.clone());
                }
            }
        }
        let analysis = Arc::new(Analysis::new(snapshot));
        let mut cache = self.analyses.lock().unwrap_or_else(|e| e.into_inner());
        cache.insert(uri.clone(), analysis.clone());
        Some(analysis)
    }

    pub fn forget(&self, uri: &Uri) {
        self.with_docs(|d| d.remove(uri));
        self.analyses.lock().unwrap_or_else(|e| e.into_inner()).remove(uri);
    }
}
