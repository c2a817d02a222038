//! The embedded SQLite database, and how its errors become faults.

use rusqlite::{Connection, ErrorCode};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wirefault::Fault;

/// How long a query may wait (for the connection or SQLite's lock)
/// before the request gets a 503.
const BUSY_TIMEOUT: Duration = Duration::from_secs(3);

/// A SQLite connection shared by all handlers; queries run on tokio's
/// blocking pool.
#[derive(Debug, Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

const SCHEMA: &str = "
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (owner, title)
);
";

impl Db {
    /// Opens (creating if needed) the database at `path`, or an in-memory
    /// one for `:memory:`.
    pub fn open(path: &str) -> Result<Db, rusqlite::Error> {
        let conn = if path == ":memory:" {
            Connection::open_in_memory()?
        } else {
            Connection::open(path)?
        };
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.execute_batch(SCHEMA)?;
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` with the connection on the blocking pool. Waiting longer
    /// than the busy timeout is a 503; a database error is mapped by
    /// [`db_fault`].
    pub async fn call<T, F>(&self, f: F) -> Result<T, Fault>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    {
        let conn = self.conn.clone();
        let task = tokio::task::spawn_blocking(move || {
            let conn = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&conn)
        });
        match tokio::time::timeout(BUSY_TIMEOUT, task).await {
            Err(_) => Err(busy()),
            Ok(Err(join)) => Err(Fault::internal_from(join).detail("database task failed")),
            Ok(Ok(result)) => result.map_err(db_fault),
        }
    }
}

fn busy() -> Fault {
    Fault::unavailable(Duration::from_secs(1)).detail("the database is busy")
}

/// The fault for a database error: a unique violation is a 409, a missing
/// row a 404, a busy or locked database a 503; anything else a 500 whose
/// cause goes to the log only. Callers with more context (which note, which
/// title) map the first two themselves.
pub fn db_fault(err: rusqlite::Error) -> Fault {
    match &err {
        rusqlite::Error::QueryReturnedNoRows => Fault::not_found("no such record").with_source(err),
        rusqlite::Error::SqliteFailure(e, _) => match e.code {
            ErrorCode::ConstraintViolation => {
                Fault::conflict("the record conflicts with an existing one").with_source(err)
            }
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => busy().with_source(err),
            _ => Fault::internal_from(err),
        },
        _ => Fault::internal_from(err),
    }
}

/// Whether `err` is a UNIQUE constraint violation.
pub fn is_unique_violation(err: &rusqlite::Error) -> bool {
    matches!(err, rusqlite::Error::SqliteFailure(e, _)
        if e.code == ErrorCode::ConstraintViolation
            && e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn errors_map_to_kinds() {
        let db = Db::open(":memory:").unwrap();
        let f = db
            .call(|c| {
                c.query_row("SELECT id FROM notes WHERE id = 1", [], |r| {
                    r.get::<_, i64>(0)
                })
            })
            .await
            .unwrap_err();
        assert_eq!(f.status(), 404);
        let f = db
            .call(|c| {
                c.execute(
                    "INSERT INTO notes (owner, title, body) VALUES ('a', 't', '')",
                    [],
                )?;
                c.execute(
                    "INSERT INTO notes (owner, title, body) VALUES ('a', 't', '')",
                    [],
                )
            })
            .await
            .unwrap_err();
        assert_eq!(f.status(), 409);
        let f = db
            .call(|c| c.execute("SELEC nonsense", []))
            .await
            .unwrap_err();
        assert_eq!(f.status(), 500);
        assert!(
            f.report().contains("SELEC"),
            "the log keeps the cause: {}",
            f.report()
        );
    }
}
