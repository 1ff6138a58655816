//! Unicode case mapping without `core`'s case tables.
//!
//! `str::to_lowercase` and `char::to_uppercase` carry Unicode's case-mapping tables (several KB
//! each) into the wasm. The browser has the same mapping built in (`String.prototype.toLowerCase`
//! and `toUpperCase`), so in the browser it is asked instead; elsewhere (native tests) the
//! standard library answers. ASCII, by far the common case, never leaves Rust.

/// `text` in lower case, by Unicode's full case mapping.
pub fn lowercase(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    #[cfg(target_arch = "wasm32")]
    {
        String::from(js_sys::JsString::from(text).to_lower_case())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        text.to_lowercase()
    }
}

/// `c` in upper case, by Unicode's full case mapping (one character may become several).
pub fn uppercase(c: char) -> String {
    if c.is_ascii() {
        return c.to_ascii_uppercase().to_string();
    }
    #[cfg(target_arch = "wasm32")]
    {
        String::from(js_sys::JsString::from(c).to_upper_case())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        c.to_uppercase().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_follows_unicode() {
        assert_eq!(lowercase("Slow PAN"), "slow pan");
        assert_eq!(lowercase("ÉTÉ Ärger"), "été ärger");
        assert_eq!(uppercase('a'), "A");
        assert_eq!(uppercase('é'), "É");
        assert_eq!(uppercase('ß'), "SS");
        assert_eq!(uppercase('1'), "1");
    }
}
