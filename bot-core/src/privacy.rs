//! What outlives /delete_me: a keyed hash of each platform account the erased person
//! used, so someone who comes back is still blocked and never re-paired, and nothing that
//! reads as the account itself.
//!
//! The hash is HMAC-SHA256 under a key from the environment (`LEXBOT_PRIVACY_KEY`).
//! Platform account ids are short and guessable (a Telegram id is a number of about ten
//! digits), so a plain hash could be reversed by trying them all; without the key it
//! cannot. Without a key configured nothing is kept: blocks do not survive erasure.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::config::Secret;
use crate::domain::AccountRef;

/// The environment variable holding the key.
pub const PRIVACY_KEY_VAR: &str = "LEXBOT_PRIVACY_KEY";

/// The shortest key accepted, in bytes: 32 is the size of the hash itself.
pub const MIN_KEY_BYTES: usize = 32;

/// The key account hashes are made with. Debug prints nothing of it.
#[derive(Clone)]
pub struct PrivacyKey(Hmac<Sha256>);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PrivacyKeyError {
    #[error(
        "{PRIVACY_KEY_VAR} is {0} bytes long; it must be at least {MIN_KEY_BYTES} \
         (e.g. the output of `openssl rand -hex 32`)"
    )]
    TooShort(usize),
}

impl PrivacyKey {
    /// The key `secret` holds; refused if it is too short to keep account ids secret.
    pub fn new(secret: &Secret) -> Result<Self, PrivacyKeyError> {
        let bytes = secret.expose().as_bytes();
        if bytes.len() < MIN_KEY_BYTES {
            return Err(PrivacyKeyError::TooShort(bytes.len()));
        }
        // HMAC takes a key of any length; the only error is for fixed-size keys.
        Hmac::<Sha256>::new_from_slice(bytes)
            .map(Self)
            .map_err(|_| PrivacyKeyError::TooShort(bytes.len()))
    }

    /// The keyed hash of `account`: HMAC-SHA256 of `platform:account id`.
    pub fn account_hash(&self, account: &AccountRef) -> AccountHash {
        let mut mac = self.0.clone();
        mac.update(account.platform.as_str().as_bytes());
        mac.update(b":");
        mac.update(account.user_id.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut hex = String::with_capacity(digest.len() * 2);
        for byte in digest.iter() {
            hex.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
            hex.push(char::from(HEX_DIGITS[usize::from(byte & 0x0f)]));
        }
        AccountHash(hex)
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

impl fmt::Debug for PrivacyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivacyKey([redacted])")
    }
}

/// A platform account as kept after its person was erased: 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountHash(String);

impl AccountHash {
    /// A hash read back from the store; `None` unless it is 64 lowercase hex digits.
    pub fn parse(text: &str) -> Option<Self> {
        let valid = text.chars().count() == 64
            && text
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
        valid.then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Platform;

    const KEY: &str = "0123456789abcdef0123456789abcdef";

    fn key(text: &str) -> PrivacyKey {
        PrivacyKey::new(&Secret::new(text)).expect("long enough")
    }

    #[test]
    fn the_hash_is_hmac_sha256_of_platform_and_account() {
        // python3 -c 'import hmac,hashlib; print(hmac.new(b"0123456789abcdef0123456789abcdef",
        //   b"telegram:123456789", hashlib.sha256).hexdigest())'
        let hash = key(KEY).account_hash(&AccountRef::new(Platform::Telegram, "123456789"));
        assert_eq!(
            hash.as_str(),
            "a56eb10cc86ff5d18528ebc1a8e25d25961be188fcd33bc8a1f212c1dd8540ea"
        );
        assert_eq!(AccountHash::parse(hash.as_str()), Some(hash));
    }

    #[test]
    fn accounts_platforms_and_keys_all_change_the_hash() {
        let account = AccountRef::new(Platform::Telegram, "42");
        let hash = key(KEY).account_hash(&account);
        assert_eq!(hash, key(KEY).account_hash(&account), "deterministic");
        assert_ne!(
            hash,
            key(KEY).account_hash(&AccountRef::new(Platform::Telegram, "43"))
        );
        assert_ne!(
            hash,
            key(KEY).account_hash(&AccountRef::new(Platform::Discord, "42"))
        );
        let other = "fedcba9876543210fedcba9876543210";
        assert_ne!(hash, key(other).account_hash(&account));
    }

    #[test]
    fn short_keys_are_refused_and_keys_never_print() {
        let error = PrivacyKey::new(&Secret::new("short-secret")).expect_err("too short");
        assert_eq!(error, PrivacyKeyError::TooShort(12));
        assert!(error.to_string().contains(PRIVACY_KEY_VAR));
        assert!(!error.to_string().contains("short-secret"));
        assert_eq!(format!("{:?}", key(KEY)), "PrivacyKey([redacted])");
    }

    #[test]
    fn only_well_formed_hashes_read_back() {
        assert_eq!(AccountHash::parse(""), None);
        assert_eq!(AccountHash::parse(&"A".repeat(64)), None);
        assert_eq!(AccountHash::parse(&"a".repeat(63)), None);
        assert_eq!(AccountHash::parse(&"é".repeat(64)), None);
        assert!(AccountHash::parse(&"a".repeat(64)).is_some());
    }
}
