//! The site's Runware key, which never leaves the server.
//!
//! It is held in a type whose `Debug` and `Display` print `[redacted]`, is read from the
//! environment only, is sent upstream only in a header marked sensitive, and every log line is
//! masked for it before it is written (see [`crate::logging`]).

use std::fmt;

/// What the key is written as wherever it would otherwise appear.
pub const MASK: &str = "[redacted]";

/// The site's key.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key; `None` when it is empty (or only spaces).
    pub fn new(key: impl Into<String>) -> Option<ApiKey> {
        let key = key.into().trim().to_owned();
        (!key.is_empty()).then_some(ApiKey(key))
    }

    /// Reads the key from the environment variable `name`.
    pub fn from_env(name: &str) -> Option<ApiKey> {
        std::env::var(name).ok().and_then(ApiKey::new)
    }

    /// The key itself, for the `Authorization` header upstream and for masking.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with the key replaced by [`MASK`].
    pub fn mask(&self, text: &str) -> String {
        text.replace(&self.0, MASK)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_prints_as_a_mask() {
        let key = ApiKey::new(" sk-secret-1 ").unwrap();
        assert_eq!(format!("{key} {key:?}"), "[redacted] [redacted]");
        assert_eq!(key.mask("a sk-secret-1 b"), "a [redacted] b");
        assert!(ApiKey::new("  ").is_none());
    }
}
