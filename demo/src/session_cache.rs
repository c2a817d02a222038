//! The in-memory cache of signed-in sessions.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The most sessions kept in memory.
pub const MAX_CACHED_SESSIONS: usize = 100_000;

/// Signed-in sessions kept in memory, so a request does not query SQLite
/// to learn who it is from; the database stays the record (a restart
/// refills the cache on first use).
#[derive(Debug, Clone, Default)]
pub struct SessionCache(Arc<RwLock<HashMap<String, String>>>);

impl SessionCache {
    pub(crate) fn get(&self, token: &str) -> Option<String> {
        let map = self.0.read().unwrap_or_else(|e| e.into_inner());
        map.get(token).cloned()
    }

    pub(crate) fn insert(&self, token: String, user: String) {
        let mut map = self.0.write().unwrap_or_else(|e| e.into_inner());
        // Anyone may sign in, as often as they like: past the bound the
        // cache starts over rather than grow (SQLite still has them all).
        if map.len() >= MAX_CACHED_SESSIONS && !map.contains_key(&token) {
            map.clear();
        }
        map.insert(token, user);
    }

    pub(crate) fn remove(&self, token: &str) {
        let mut map = self.0.write().unwrap_or_else(|e| e.into_inner());
        map.remove(token);
    }
}
