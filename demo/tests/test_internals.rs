//! A panic and a database failure give a 500 whose body shows none of the
//! panic text or the error chain, while the log has them, with the
//! request id.
#![allow(clippy::unwrap_used)]

mod common;

use common::{problem, Captured, TestServer};

#[tokio::test]
async fn internals_go_to_the_log_only() {
    let log = Captured::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let s = TestServer::start().await;
    let c = TestServer::client();

    let res = c
        .get(s.url("/debug/panic"))
        .header("x-request-id", "panic-req")
        .send()
        .await
        .unwrap();
    let body = problem(res, 500).await;
    assert_eq!(body["instance"], "panic-req");
    let text = body.to_string();
    assert!(
        !text.contains("secret") && !text.contains("debug.rs"),
        "{text}"
    );

    // A real database failure: the table is gone.
    s.state
        .db
        .call(|c| c.execute_batch("DROP TABLE notes"))
        .await
        .unwrap();
    let alice = s.signed_in("alice").await;
    let res = alice
        .get(s.url("/notes"))
        .header("x-request-id", "db-req")
        .send()
        .await
        .unwrap();
    let text = problem(res, 500).await.to_string();
    assert!(
        !text.contains("notes") && !text.to_lowercase().contains("table"),
        "{text}"
    );

    let logged = log.text();
    let line_with = |needle: &str| {
        logged
            .lines()
            .find(|l| l.contains(needle))
            .map(str::to_owned)
    };
    let panic_line = line_with("the secret is in /home/app/src/debug.rs").expect(&logged);
    assert!(
        panic_line.contains("ERROR") && panic_line.contains("panic-req"),
        "{panic_line}"
    );
    let db_line = line_with("no such table: notes").expect(&logged);
    assert!(
        db_line.contains("ERROR") && db_line.contains("db-req"),
        "{db_line}"
    );
}
