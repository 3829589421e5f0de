//! The gate in front of every data endpoint: a valid Bearer key, then the rate limit. Failed
//! key checks are rate-limited too (as one anonymous client), so guessing keys is slow.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{SecondsFormat, Utc};

use crate::error::{Code, HttpError, RateLimitHeaders};
use crate::routes::Caller;
use crate::AppState;

/// A token bucket per client: `burst` requests at once, refilled at `per_second`.
pub struct RateLimiter {
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(burst: u32, per_second: u32) -> Self {
        RateLimiter {
            burst: burst.max(1) as f64,
            per_second: per_second.max(1) as f64,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `client`: `Ok(remaining)` or `Err(wait)` until one is free.
    pub fn take(&self, client: &str) -> Result<u32, Duration> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, since) = buckets
            .entry(client.to_string())
            .or_insert((self.burst, now));
        *tokens =
            (*tokens + now.duration_since(*since).as_secs_f64() * self.per_second).min(self.burst);
        *since = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(*tokens as u32)
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.per_second))
        }
    }

    fn limited(&self, wait: Duration) -> HttpError {
        let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
        let reset = Utc::now() + chrono::Duration::milliseconds(wait.as_millis() as i64);
        let mut e = HttpError::new(
            StatusCode::TOO_MANY_REQUESTS,
            Code::RateLimited,
            format!("too many requests; wait {secs} s (see Retry-After) and try again"),
        );
        e.detail.retry_after = Some(secs);
        e.detail.rate_limit = Some(RateLimitHeaders {
            limit: self.burst as u32,
            remaining: 0,
            reset: reset.to_rfc3339_opts(SecondsFormat::Millis, true),
        });
        e
    }
}

fn bearer(req: &Request) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, key) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| key.trim().to_string())
}

pub async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(key) = bearer(&req) else {
        if let Err(wait) = state.limiter.take("anonymous") {
            return state.limiter.limited(wait).into_response();
        }
        return HttpError::unauthorized(
            "send the workspace's API key as 'Authorization: Bearer <key>' (Settings shows it; `matchbook serve` prints it when it creates it)",
        )
        .into_response();
    };
    let ws = state.ws.clone();
    let checked = tokio::task::spawn_blocking(move || ws.verify_api_key(&key)).await;
    let prefix = match checked {
        Ok(Ok(Some(prefix))) => prefix,
        Ok(Ok(None)) => {
            if let Err(wait) = state.limiter.take("anonymous") {
                return state.limiter.limited(wait).into_response();
            }
            return HttpError::unauthorized(
                "the API key is not valid for this workspace (it may have been rotated)",
            )
            .into_response();
        }
        Ok(Err(e)) => return HttpError::from(e).into_response(),
        Err(e) => {
            return HttpError::internal(format!("could not check the API key: {e}")).into_response()
        }
    };
    if let Err(wait) = state.limiter.take(&prefix) {
        return state.limiter.limited(wait).into_response();
    }
    req.extensions_mut().insert(Caller(prefix));
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_lets_a_burst_through_then_asks_to_wait() {
        let l = RateLimiter::new(3, 1);
        assert_eq!(l.take("a"), Ok(2));
        assert_eq!(l.take("a"), Ok(1));
        assert_eq!(l.take("a"), Ok(0));
        let wait = l.take("a").unwrap_err();
        assert!(
            wait > Duration::from_millis(900) && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert_eq!(l.take("b"), Ok(2), "clients have their own buckets");
    }
}
