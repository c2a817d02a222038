//! The bounds of every open connection, kept by one task per server.
//!
//! Each connection shares a [`Watch`] with the watchdog: how many of its
//! requests are in flight, since when none has been, since when its socket
//! has refused writes, and the order it has been given (serve, close
//! gracefully, or drop). The watchdog scans the watches a few times per
//! idle or write timeout and gives the orders; the drain gives them to all
//! at once.
//!
//! The write bound: the socket ([`Counted`](super::connection::Counted))
//! notes the moment a write first finds the socket full and clears it
//! when a write goes through, touching the watch only when that changes
//! (never on the fast path). A socket full for the write timeout is
//! marked stalled, and its next write fails, which ends the connection,
//! or the WebSocket session it was upgraded to: the watch lives as long
//! as the socket.
//!
//! Why not a timer and two `CancellationToken`s in each connection's task:
//! that task is polled on every request, and `tokio::select!` over the
//! connection, a `Sleep` and the tokens' `cancelled()` futures polled all
//! of them each time. Each token poll takes the token's mutex and its
//! `Notify`'s, shared by every connection. It cost about 800 instructions
//! per request (BENCHMARKS.md). A connection's task now reads one atomic
//! per wake and registers its waker lock-free.

use futures_util::task::AtomicWaker;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Context;
use std::time::Duration;
use tokio::time::Instant;

/// How long a connection told to close may take to do so before it is
/// dropped, once nothing is in flight: enough to write an HTTP/2 GOAWAY
/// or finish a close on a live socket.
pub(super) const CLOSE_GRACE: Duration = Duration::from_millis(200);

/// What a connection has been told to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Order {
    /// Go on serving.
    Serve,
    /// Finish what is in flight, then close (hyper's graceful shutdown).
    Close,
    /// Close now.
    Drop,
}

impl Order {
    fn from_u8(value: u8) -> Order {
        match value {
            0 => Order::Serve,
            1 => Order::Close,
            _ => Order::Drop,
        }
    }
}

/// One connection's activity and orders.
#[derive(Debug)]
pub(super) struct Watch {
    in_flight: AtomicUsize,
    /// Nanoseconds from the watchdog's epoch to the moment the last
    /// request ended (or the connection opened).
    idle_since: AtomicU64,
    order: AtomicU8,
    /// When the connection was told to close, in nanoseconds from the
    /// epoch (`u64::MAX`: not told).
    told: AtomicU64,
    waker: AtomicWaker,
    /// Since when (nanoseconds from the epoch) the socket has refused
    /// writes (`u64::MAX`: it has not).
    write_blocked_since: AtomicU64,
    /// The socket refused writes for the write timeout: its writes fail.
    stalled: AtomicBool,
    /// The task waiting to write, woken when the socket is stalled.
    writer: AtomicWaker,
    epoch: Instant,
}

impl Watch {
    /// The order given so far. The task is woken when it changes.
    pub(super) fn order(&self, cx: &Context<'_>) -> Order {
        // Registered before the order is read: an order given in between
        // is read now, one given later wakes the task.
        self.waker.register(cx.waker());
        Order::from_u8(self.order.load(Ordering::SeqCst))
    }

    /// Starts a request; it is in flight until the guard drops.
    pub(super) fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(Arc::clone(self))
    }

    fn give(&self, order: Order, now: u64) {
        if order == Order::Close {
            let _ = self
                .told
                .compare_exchange(u64::MAX, now, Ordering::AcqRel, Ordering::Acquire);
        }
        self.order.fetch_max(order as u8, Ordering::SeqCst);
        self.waker.wake();
    }

    /// A write found the socket full; `blocked` is the socket's own note
    /// that it already said so. Returns whether the socket is stalled
    /// (its write must fail); if not, the writer is woken when it is.
    pub(super) fn write_blocked(&self, cx: &Context<'_>, blocked: &mut bool) -> bool {
        // Registered before the flag is read, as in `order`.
        self.writer.register(cx.waker());
        if !*blocked {
            *blocked = true;
            self.write_blocked_since
                .store(nanos(self.epoch.elapsed()), Ordering::SeqCst);
        }
        self.stalled.load(Ordering::SeqCst)
    }

    /// A write went through after the socket had been full.
    pub(super) fn write_progressed(&self) {
        self.write_blocked_since.store(u64::MAX, Ordering::SeqCst);
    }

    /// Marks the socket stalled when it has refused writes since
    /// `write_limit` before `now`; returns whether it is.
    fn check_stall(&self, now: u64, write_limit: u64) -> bool {
        let since = self.write_blocked_since.load(Ordering::SeqCst);
        if since == u64::MAX || now < since.saturating_add(write_limit) {
            return false;
        }
        if !self.stalled.swap(true, Ordering::SeqCst) {
            self.writer.wake();
        }
        true
    }

    /// `Some(since)` (nanoseconds from the epoch) when nothing is in flight.
    fn idle_since(&self) -> Option<u64> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        Some(self.idle_since.load(Ordering::Acquire))
    }
}

/// One request in flight, until its response body is done (or dropped),
/// so a long stream (SSE) counts as activity, not as idleness.
#[derive(Debug)]
pub(super) struct InFlight(Arc<Watch>);

impl InFlight {
    /// Keeps the connection busy for as long as it is open, beyond this
    /// request (an upgraded HTTP/2 stream, whose end the server cannot see).
    pub(super) fn hold_connection(&self) {
        self.0.in_flight.fetch_add(1, Ordering::AcqRel);
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let watch = &self.0;
        let now = nanos(watch.epoch.elapsed());
        watch.idle_since.fetch_max(now, Ordering::AcqRel);
        watch.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The watches of a server's open connections.
#[derive(Debug)]
pub(super) struct Watchdog {
    epoch: Instant,
    watches: Mutex<HashMap<u64, Arc<Watch>>>,
    next_id: AtomicU64,
}

impl Watchdog {
    pub(super) fn new() -> Arc<Watchdog> {
        Arc::new(Watchdog {
            epoch: Instant::now(),
            watches: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
        })
    }

    /// Watches a new connection until the registration drops.
    pub(super) fn register(self: &Arc<Self>) -> Registration {
        let watch = Arc::new(Watch {
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(self.now()),
            order: AtomicU8::new(Order::Serve as u8),
            told: AtomicU64::new(u64::MAX),
            waker: AtomicWaker::new(),
            write_blocked_since: AtomicU64::new(u64::MAX),
            stalled: AtomicBool::new(false),
            writer: AtomicWaker::new(),
            epoch: self.epoch,
        });
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, Arc::clone(&watch));
        Registration {
            watchdog: Arc::clone(self),
            id,
            watch,
        }
    }

    /// Gives every open connection `order`.
    pub(super) fn give_all(&self, order: Order) {
        let now = self.now();
        for watch in self.lock().values() {
            watch.give(order, now);
        }
    }

    /// Keeps the bounds until the task is dropped: a socket that refused
    /// writes for `write_limit` is stalled (its writes fail); a connection
    /// with nothing in flight for `idle_limit` is told to close; one told
    /// to close (here or by the drain) that still has nothing in flight
    /// `idle_limit` after its last request and [`CLOSE_GRACE`] after it
    /// was told (a peer in the middle of a request head) is dropped. The
    /// bounds are kept to within an eighth of the shorter limit (at most
    /// 1 s).
    pub(super) async fn run(self: Arc<Self>, idle_limit: Duration, write_limit: Duration) {
        let tick = (idle_limit.min(write_limit) / 8)
            .clamp(Duration::from_millis(10), Duration::from_secs(1));
        let mut ticks = tokio::time::interval(tick);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            self.scan(self.now(), nanos(idle_limit), nanos(write_limit));
        }
    }

    /// Gives the orders due at `now` (nanoseconds from the epoch).
    fn scan(&self, now: u64, idle_limit: u64, write_limit: u64) {
        let grace = nanos(CLOSE_GRACE);
        for watch in self.lock().values() {
            if watch.check_stall(now, write_limit) {
                continue;
            }
            let Some(since) = watch.idle_since() else {
                continue;
            };
            if now < since.saturating_add(idle_limit) {
                continue;
            }
            match Order::from_u8(watch.order.load(Ordering::SeqCst)) {
                Order::Serve => watch.give(Order::Close, now),
                Order::Close if now >= watch.told.load(Ordering::Acquire).saturating_add(grace) => {
                    watch.give(Order::Drop, now);
                }
                Order::Close | Order::Drop => {}
            }
        }
    }

    fn now(&self) -> u64 {
        nanos(self.epoch.elapsed())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Watch>>> {
        self.watches.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A connection's place in the watchdog, removed when it drops.
#[derive(Debug)]
pub(super) struct Registration {
    watchdog: Arc<Watchdog>,
    id: u64,
    watch: Arc<Watch>,
}

impl Registration {
    pub(super) fn watch(&self) -> &Arc<Watch> {
        &self.watch
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.watchdog.lock().remove(&self.id);
    }
}

/// Nanoseconds, saturating after 584 years.
fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn idle_then_told_then_dropped_after_the_grace() {
        let watchdog = Watchdog::new();
        let registration = watchdog.register();
        let watch = registration.watch();
        let order = || Order::from_u8(watch.order.load(Ordering::SeqCst));
        let limit = nanos(Duration::from_secs(5));
        let grace = nanos(CLOSE_GRACE);
        let since = watch.idle_since().unwrap();
        watchdog.scan(since + limit - 1, limit, limit);
        assert_eq!(order(), Order::Serve);
        watchdog.scan(since + limit, limit, limit);
        assert_eq!(order(), Order::Close);
        // Told, but the grace has not passed.
        watchdog.scan(since + limit + grace - 1, limit, limit);
        assert_eq!(order(), Order::Close);
        watchdog.scan(since + limit + grace, limit, limit);
        assert_eq!(order(), Order::Drop);
        // Drop is final.
        watch.give(Order::Close, since + 2 * limit);
        assert_eq!(order(), Order::Drop);
    }

    #[test]
    fn a_connection_with_a_request_in_flight_is_left_alone() {
        let watchdog = Watchdog::new();
        let registration = watchdog.register();
        let watch = registration.watch();
        let _request = watch.begin();
        watchdog.scan(u64::MAX / 2, 1, 1);
        assert_eq!(
            Order::from_u8(watch.order.load(Ordering::SeqCst)),
            Order::Serve
        );
    }

    #[test]
    fn told_by_the_drain_dropped_once_idle_past_the_limit_and_the_grace() {
        let watchdog = Watchdog::new();
        let registration = watchdog.register();
        let watch = registration.watch();
        let limit = nanos(Duration::from_secs(60));
        let since = watch.idle_since().unwrap();
        watchdog.give_all(Order::Close);
        let told = watch.told.load(Ordering::Acquire);
        assert!(told >= since);
        // Idle for less than the limit: a head may still come.
        watchdog.scan(told + nanos(CLOSE_GRACE), limit, limit);
        assert_eq!(
            Order::from_u8(watch.order.load(Ordering::SeqCst)),
            Order::Close
        );
        watchdog.scan(since + limit + nanos(CLOSE_GRACE), limit, limit);
        assert_eq!(
            Order::from_u8(watch.order.load(Ordering::SeqCst)),
            Order::Drop
        );
    }

    #[test]
    fn a_request_in_flight_is_not_idle_and_its_end_moves_the_clock() {
        let watchdog = Watchdog::new();
        let registration = watchdog.register();
        let watch = registration.watch();
        let before = watch.idle_since().unwrap();
        let request = watch.begin();
        assert_eq!(watch.idle_since(), None);
        std::thread::sleep(Duration::from_millis(2));
        drop(request);
        assert!(watch.idle_since().unwrap() > before);
    }

    #[test]
    fn a_socket_full_for_the_write_limit_is_stalled_and_its_writer_woken() {
        let watchdog = Watchdog::new();
        let registration = watchdog.register();
        let watch = registration.watch();
        let limit = nanos(Duration::from_secs(1));
        let woken = Arc::new(Woken::default());
        let waker = std::task::Waker::from(Arc::clone(&woken));
        let cx = Context::from_waker(&waker);
        let mut blocked = false;
        assert!(!watch.write_blocked(&cx, &mut blocked));
        assert!(blocked);
        let since = watch.write_blocked_since.load(Ordering::SeqCst);
        // A second refusal in the same streak keeps the first moment.
        assert!(!watch.write_blocked(&cx, &mut blocked));
        assert_eq!(watch.write_blocked_since.load(Ordering::SeqCst), since);
        watchdog.scan(since + limit - 1, u64::MAX, limit);
        assert!(!watch.stalled.load(Ordering::SeqCst));
        // Progress clears the streak: no stall, however late.
        watch.write_progressed();
        watchdog.scan(since + 10 * limit, u64::MAX, limit);
        assert!(!watch.stalled.load(Ordering::SeqCst));
        blocked = false;
        assert!(!watch.write_blocked(&cx, &mut blocked));
        let since = watch.write_blocked_since.load(Ordering::SeqCst);
        watchdog.scan(since + limit, u64::MAX, limit);
        assert!(watch.stalled.load(Ordering::SeqCst));
        assert!(woken.0.load(Ordering::SeqCst));
        assert!(watch.write_blocked(&cx, &mut blocked));
    }

    #[derive(Default)]
    struct Woken(AtomicBool);

    impl std::task::Wake for Woken {
        fn wake(self: Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_dropped_registration_leaves_the_watchdog() {
        let watchdog = Watchdog::new();
        let registration = watchdog.register();
        assert_eq!(watchdog.lock().len(), 1);
        drop(registration);
        assert_eq!(watchdog.lock().len(), 0);
    }
}
