//! The admin API's bearer token: compared in constant time, as SHA-256 digests so that
//! not even the token's length shows in the timing.

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bot_core::config::Secret;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;

/// The digest of the configured token; the token itself is not kept.
#[derive(Clone)]
pub struct TokenCheck {
    digest: [u8; 32],
}

impl TokenCheck {
    pub fn new(token: &Secret) -> Self {
        Self {
            digest: Sha256::digest(token.expose().as_bytes()).into(),
        }
    }

    /// Whether `presented` is the token.
    pub fn accepts(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        bool::from(digest.ct_eq(&self.digest))
    }

    /// A short, stable name for the token in the audit log: the first hex digits of
    /// its digest (which reveal nothing usable about it).
    pub fn actor(&self) -> String {
        let hex: String = self.digest[..4]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        format!("token:{hex}")
    }
}

/// Lets a request through only with `Authorization: Bearer <token>`.
pub async fn require_token(
    State(check): State<TokenCheck>,
    request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    match presented {
        Some(token) if check.accepts(token) => next.run(request).await,
        _ => ApiError::unauthorized().into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_token_is_accepted() {
        let check = TokenCheck::new(&Secret::new("s3cret-token"));
        assert!(check.accepts("s3cret-token"));
        assert!(!check.accepts("s3cret-toke"));
        assert!(!check.accepts("s3cret-token "));
        assert!(!check.accepts(""));
        assert!(check.actor().starts_with("token:"));
        assert!(!check.actor().contains("s3cret"));
    }
}
