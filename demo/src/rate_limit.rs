//! The write budget: N writes per window per session, shared by HTTP and
//! WebSocket; a refused write is given back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wirefault::Fault;

/// A rate such as `60/60`: `writes` per `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Writes allowed per window.
    pub writes: u32,
    /// The window.
    pub per: Duration,
}

impl std::str::FromStr for Rate {
    type Err = String;

    fn from_str(s: &str) -> Result<Rate, String> {
        let bad = || {
            format!(
                "{s:?} is not a rate: expected N/SECONDS with N and SECONDS above 0, e.g. 60/60"
            )
        };
        let (n, secs) = s.split_once('/').ok_or_else(bad)?;
        let writes: u32 = n.trim().parse().map_err(|_| bad())?;
        let secs: u64 = secs.trim().parse().map_err(|_| bad())?;
        if writes == 0 || secs == 0 {
            return Err(bad());
        }
        Ok(Rate {
            writes,
            per: Duration::from_secs(secs),
        })
    }
}

/// How many buckets before full ones are dropped.
const PRUNE_AT: usize = 10_000;

/// A token bucket per session key: `writes` tokens, refilled evenly over
/// the window.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    rate: Rate,
    buckets: Arc<Mutex<HashMap<String, Bucket>>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// A limiter with the given rate.
    pub fn new(rate: Rate) -> RateLimiter {
        RateLimiter {
            rate,
            buckets: Arc::default(),
        }
    }

    fn refill(&self, bucket: &mut Bucket, now: Instant) {
        let per_sec = f64::from(self.rate.writes) / self.rate.per.as_secs_f64();
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_sec).min(f64::from(self.rate.writes));
        bucket.at = now;
    }

    /// Takes one write from `key`'s budget: the writes left, or a 429 with
    /// `Retry-After` when none is left.
    pub fn check(&self, key: &str) -> Result<u32, Fault> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= PRUNE_AT && !buckets.contains_key(key) {
            // A full bucket is the same as none: drop those, so sessions
            // that stopped writing do not pile up.
            let full = f64::from(self.rate.writes);
            buckets.retain(|_, bucket| {
                self.refill(bucket, now);
                bucket.tokens < full
            });
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: f64::from(self.rate.writes),
            at: now,
        });
        self.refill(bucket, now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(bucket.tokens.floor() as u32)
        } else {
            let per_sec = f64::from(self.rate.writes) / self.rate.per.as_secs_f64();
            let wait = Duration::from_secs_f64((1.0 - bucket.tokens) / per_sec);
            Err(Fault::rate_limited(wait).detail(format!(
                "write limit reached: {} writes per {} seconds",
                self.rate.writes,
                self.rate.per.as_secs()
            )))
        }
    }

    /// Gives back a write that was refused after [`RateLimiter::check`].
    pub fn refund(&self, key: &str) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bucket) = buckets.get_mut(key) {
            bucket.tokens = (bucket.tokens + 1.0).min(f64::from(self.rate.writes));
        }
    }

    /// The writes left for `key`, without taking one.
    pub fn remaining(&self, key: &str) -> u32 {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        match buckets.get_mut(key) {
            Some(bucket) => {
                self.refill(bucket, now);
                bucket.tokens.floor() as u32
            }
            None => self.rate.writes,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_rates() {
        assert_eq!(
            "60/60".parse::<Rate>().unwrap(),
            Rate {
                writes: 60,
                per: Duration::from_secs(60)
            }
        );
        for bad in ["", "60", "0/60", "60/0", "a/b", "-1/5"] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn full_buckets_are_dropped_past_the_bound() {
        let l = RateLimiter::new(Rate {
            writes: 2,
            per: Duration::from_millis(1),
        });
        for i in 0..PRUNE_AT {
            l.check(&i.to_string()).unwrap();
        }
        std::thread::sleep(Duration::from_millis(5));
        l.check("new").unwrap();
        assert_eq!(
            l.buckets.lock().unwrap().len(),
            1,
            "refilled buckets were dropped"
        );
    }

    #[test]
    fn budget_runs_out_and_refunds() {
        let l = RateLimiter::new(Rate {
            writes: 2,
            per: Duration::from_secs(3600),
        });
        assert_eq!(l.check("a").unwrap(), 1);
        assert_eq!(l.check("a").unwrap(), 0);
        let f = l.check("a").unwrap_err();
        assert_eq!(f.status(), 429);
        assert!(f.retry_after_duration().unwrap() > Duration::from_secs(1000));
        assert_eq!(l.check("b").unwrap(), 1, "budgets are per key");
        l.refund("a");
        assert_eq!(l.check("a").unwrap(), 0);
    }
}
