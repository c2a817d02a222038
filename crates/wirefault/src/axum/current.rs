//! The request being served, readable anywhere inside the layer
//! ([`RequestId::current`](super::RequestId::current), the WebSocket
//! close-code default).
//!
//! Written by hand instead of a `tokio::task_local!`: the layer's own
//! future lends its context to a thread-local for the length of each poll
//! (a move in, a move out, no allocation, no extra future around the
//! inner one), and takes it back after, also when the poll unwinds.

use crate::CloseCodes;
use http::HeaderValue;
use std::cell::RefCell;

/// What code inside the layer can ask about the request it serves.
#[derive(Debug)]
pub(crate) struct RequestContext {
    /// The request id (the header's value).
    pub(crate) request_id: HeaderValue,
    /// The layer's default close codes for WebSocket sessions.
    pub(crate) close_codes: Option<CloseCodes>,
}

thread_local! {
    static CURRENT: RefCell<Option<RequestContext>> = const { RefCell::new(None) };
}

/// Runs `f` with `slot`'s context as the current one, then puts it back
/// into `slot` (the outer context, if any, is restored).
pub(crate) fn lend<R>(slot: &mut Option<RequestContext>, f: impl FnOnce() -> R) -> R {
    struct Restore<'a> {
        slot: &'a mut Option<RequestContext>,
        outer: Option<RequestContext>,
    }
    impl Drop for Restore<'_> {
        fn drop(&mut self) {
            let outer = self.outer.take();
            let _ = CURRENT.try_with(|cell| {
                if let Ok(mut current) = cell.try_borrow_mut() {
                    *self.slot = std::mem::replace(&mut *current, outer);
                }
            });
        }
    }
    let lent = CURRENT.try_with(|cell| match cell.try_borrow_mut() {
        Ok(mut current) => Ok(std::mem::replace(&mut *current, slot.take())),
        Err(_) => Err(()),
    });
    match lent {
        Ok(Ok(outer)) => {
            let _restore = Restore { slot, outer };
            f()
        }
        // The thread-local is gone (thread teardown) or borrowed by a
        // reader that polls: run without lending.
        _ => f(),
    }
}

/// Calls `f` with the current context, if any.
pub(crate) fn with<R>(f: impl FnOnce(Option<&RequestContext>) -> R) -> R {
    let mut f = Some(f);
    let out = CURRENT.try_with(|cell| {
        let f = f.take()?;
        Some(match cell.try_borrow() {
            Ok(current) => f(current.as_ref()),
            Err(_) => f(None),
        })
    });
    match (out, f) {
        (Ok(Some(out)), _) => out,
        // The thread-local is gone (thread teardown): the closure above
        // did not run, so `f` is still here.
        (_, Some(f)) => f(None),
        (_, None) => unreachable!("the callback ran and returned"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> Option<String> {
        with(|ctx| ctx.and_then(|c| c.request_id.to_str().ok().map(str::to_owned)))
    }

    #[test]
    fn lent_for_the_call_and_nested_restored() {
        assert_eq!(id(), None);
        let mut outer = Some(RequestContext {
            request_id: HeaderValue::from_static("outer"),
            close_codes: None,
        });
        lend(&mut outer, || {
            assert_eq!(id().as_deref(), Some("outer"));
            let mut inner = Some(RequestContext {
                request_id: HeaderValue::from_static("inner"),
                close_codes: None,
            });
            lend(&mut inner, || assert_eq!(id().as_deref(), Some("inner")));
            assert!(inner.is_some());
            assert_eq!(id().as_deref(), Some("outer"));
        });
        assert!(outer.is_some());
        assert_eq!(id(), None);
    }

    #[test]
    fn restored_when_the_call_panics() {
        let mut slot = Some(RequestContext {
            request_id: HeaderValue::from_static("x"),
            close_codes: None,
        });
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            lend(&mut slot, || panic!("boom"));
        }));
        assert!(caught.is_err());
        assert!(slot.is_some());
        assert_eq!(id(), None);
    }
}
