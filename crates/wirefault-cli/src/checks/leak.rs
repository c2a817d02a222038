//! WF-HTTP-008: a 5xx body that shows internals (a stack trace, a file
//! and line, a database error). The markers are in [`crate::probe::leak`].

use crate::finding::{Exchange, Finding};

/// Judges a 5xx body.
pub(crate) fn check(exchange: &Exchange) -> Option<Finding> {
    let answer = exchange.received.http()?;
    if answer.status < 500 {
        return None;
    }
    let marker = crate::probe::leak::find(&answer.body)?;
    Some(Finding::new(
        crate::rules::HTTP_5XX_LEAK,
        exchange,
        format!("HTTP {} body shows internals: {marker}", answer.status),
        "a generic title and a request id; the details in the server log",
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::checks::testing::exchange;

    #[test]
    fn leaks_only_judged_on_5xx() {
        let ct = ("content-type", "application/json");
        let body = r#"{"status":500,"detail":"panicked at src/main.rs:3:5"}"#;
        assert!(check(&exchange(500, &[ct], body)).is_some());
        assert!(check(&exchange(400, &[ct], body)).is_none());
        assert!(check(&exchange(500, &[ct], r#"{"status":500}"#)).is_none());
    }
}
