//! The retry policy for upstream requests: 5xx answers, timeouts and
//! connection errors are retried with exponential backoff and full jitter,
//! at most 3 tries and 30 s in all; a 429 waits for its `Retry-After`; any
//! other 4xx (and a 401 above all) is final.
//!
//! Hand-written rather than with a retry crate because a 429 must wait for
//! the server's own `Retry-After` rather than the backoff's schedule, and
//! the total budget covers those waits too; the loop is short.

use std::{future::Future, time::Duration};

use tokio::time::Instant;

use crate::{random::Random, CoreError};

/// Tries per request, the first included.
pub const MAX_TRIES: u32 = 3;
/// The most a request may take, retries and waits included.
pub const TOTAL_BUDGET: Duration = Duration::from_secs(30);
/// The first backoff's ceiling; each retry doubles it.
pub const BASE_DELAY: Duration = Duration::from_millis(200);

/// What to do after a failed try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Final: hand the error to the caller.
    GiveUp,
    /// Retry after the backoff.
    Backoff,
    /// Retry after the server's `Retry-After`.
    After(Duration),
}

/// Classifies an error.
pub fn verdict(err: &CoreError) -> Verdict {
    match err {
        CoreError::Unreachable(_) => Verdict::Backoff,
        CoreError::UpstreamStatus { status, .. } if *status >= 500 => Verdict::Backoff,
        CoreError::RateLimited { retry_after_secs } => {
            Verdict::After(Duration::from_secs(*retry_after_secs))
        }
        _ => Verdict::GiveUp,
    }
}

/// The backoff before retry number `retry` (1-based): uniformly random up
/// to `BASE_DELAY × 2^(retry-1)` ("full jitter").
pub fn backoff(retry: u32, random: &Random) -> Duration {
    let ceiling = BASE_DELAY.saturating_mul(1 << retry.saturating_sub(1).min(16));
    ceiling.mul_f64(random.fraction())
}

/// Runs `attempt` under the policy, drawing the jitter from `random`.
pub async fn with_retries<T, F, Fut>(random: &Random, mut attempt: F) -> Result<T, CoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, CoreError>>,
{
    let started = Instant::now();
    let mut tries = 0;
    loop {
        tries += 1;
        let err = match attempt().await {
            Ok(value) => return Ok(value),
            Err(err) => err,
        };
        let wait = match verdict(&err) {
            Verdict::GiveUp => return Err(err),
            _ if tries >= MAX_TRIES => return Err(err),
            Verdict::Backoff => backoff(tries, random),
            Verdict::After(wait) => wait,
        };
        if started.elapsed() + wait > TOTAL_BUDGET {
            return Err(err);
        }
        tracing::debug!(%err, tries, wait_ms = wait.as_millis() as u64, "retrying");
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn status(status: u16) -> CoreError {
        CoreError::UpstreamStatus {
            status,
            code: "x".into(),
            message: "x".into(),
        }
    }

    /// Fails with `errors` in turn, then succeeds; counts the tries. The
    /// error comes back as its message, which names its variant's facts.
    async fn run(errors: Vec<CoreError>) -> (Result<u32, String>, u32) {
        let tries = AtomicU32::new(0);
        let result = with_retries(&Random::default(), || {
            let n = tries.fetch_add(1, Ordering::SeqCst);
            let next = errors.get(n as usize).cloned();
            async move { next.map_or(Ok(n), Err) }
        })
        .await;
        (
            result.map_err(|err| err.to_string()),
            tries.load(Ordering::SeqCst),
        )
    }

    #[tokio::test(start_paused = true)]
    async fn retries_5xx_and_transport_errors_up_to_three_tries() {
        let (result, tries) = run(vec![status(503), CoreError::Unreachable("x".into())]).await;
        assert_eq!((result, tries), (Ok(2), 3));
        let (result, tries) = run(vec![status(500), status(502), status(503)]).await;
        assert_eq!((result, tries), (Err(status(503).to_string()), 3));
    }

    #[tokio::test(start_paused = true)]
    async fn client_errors_are_final() {
        for err in [status(404), status(400), CoreError::SessionExpired] {
            let (result, tries) = run(vec![err.clone()]).await;
            assert_eq!((result, tries), (Err(err.to_string()), 1));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn rate_limits_wait_for_retry_after() {
        let started = Instant::now();
        let (result, tries) = run(vec![CoreError::RateLimited {
            retry_after_secs: 7,
        }])
        .await;
        assert_eq!((result, tries), (Ok(1), 2));
        assert_eq!(started.elapsed(), Duration::from_secs(7));
        // A wait beyond the 30 s budget is not taken.
        let (result, tries) = run(vec![CoreError::RateLimited {
            retry_after_secs: 31,
        }])
        .await;
        assert_eq!(tries, 1);
        assert!(result.is_err());
    }

    #[test]
    fn backoff_grows_and_stays_under_its_ceiling() {
        for retry in 1..=5 {
            let ceiling = BASE_DELAY * (1 << (retry - 1));
            let random = Random::seeded(u64::from(retry));
            let draws: Vec<Duration> = (0..200).map(|_| backoff(retry, &random)).collect();
            assert!(draws.iter().all(|d| *d <= ceiling));
            // Full jitter: spread over the whole range, not a fixed wait.
            let (low, high) = (
                draws.iter().min().copied().unwrap_or_default(),
                draws.iter().max().copied().unwrap_or_default(),
            );
            assert!(
                low < ceiling / 4 && high > ceiling * 3 / 4,
                "{low:?}..{high:?}"
            );
        }
    }
}
