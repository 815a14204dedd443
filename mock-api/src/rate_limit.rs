//! Per-token rate limiting: a fixed one-minute window per token. Over the
//! limit, a request is refused with how long until the window resets.
//!
//! Hand-written rather than tower-governor: the limit is per bearer token
//! (not per IP), the refusal must be Larder's JSON error with `Retry-After`,
//! and a fixed window is a few lines that tests can drive with tokio's
//! paused clock.

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::Duration,
};

use tokio::time::Instant;

const WINDOW: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    /// Token → (window start, requests in the window).
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            windows: Mutex::default(),
        }
    }

    /// Counts a request for `token`; `Err(wait)` when it is over the limit.
    pub fn check(&self, token: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let (start, count) = windows.entry(token.to_owned()).or_insert((now, 0));
        if now.duration_since(*start) >= WINDOW {
            *start = now;
            *count = 0;
        }
        if *count >= self.per_minute {
            return Err(WINDOW.saturating_sub(now.duration_since(*start)));
        }
        *count += 1;
        Ok(())
    }

    /// Drops a revoked token's window.
    pub fn forget(&self, token: &str) {
        self.windows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn refuses_over_the_limit_until_the_window_ends() {
        let limiter = RateLimiter::new(3);
        for _ in 0..3 {
            assert!(limiter.check("a").is_ok());
        }
        assert_eq!(limiter.check("a"), Err(Duration::from_secs(60)));
        // Another token has its own window.
        assert!(limiter.check("b").is_ok());
        tokio::time::advance(Duration::from_secs(45)).await;
        assert_eq!(limiter.check("a"), Err(Duration::from_secs(15)));
        tokio::time::advance(Duration::from_secs(15)).await;
        assert!(limiter.check("a").is_ok());
    }
}
