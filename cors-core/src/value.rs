//! Header values in a decision: the policy's precomputed ones and echoed request bytes.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use crate::CorsHeader;

/// A header value computed once, when the policy was built.
///
/// Its text is kept for the life of the process, once per distinct text however many
/// policies (or reloads) use it: so the `http` 1.x value an adapter clones on every
/// response is a static one, and cloning or dropping it writes no reference count that
/// every core shares (with a policy shared by all the server's threads, those writes
/// were the largest cost under contention: BENCHMARKS.md, eighth round).
///
/// ```
/// use cors_core::{CorsHeader, Policy};
/// let policy = Policy::from_toml_str(r#"
///     allow_origins = ["https://a.example"]
///     expose_headers = ["x-request-id", "x-trace"]
/// "#)?;
/// let value = policy.value(CorsHeader::ExposeHeaders).unwrap();
/// assert_eq!(value.as_str(), "x-request-id,x-trace");
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
#[derive(Clone)]
pub struct PolicyValue {
    text: &'static str,
    #[cfg(feature = "http")]
    http: http::HeaderValue,
}

/// One of the process's tables of kept values (texts here, `http` 1.x value sets in
/// `http1`), created on first use and locked.
pub(crate) fn kept<T: Default>(table: &'static OnceLock<Mutex<T>>) -> MutexGuard<'static, T> {
    table
        .get_or_init(Mutex::default)
        .lock()
        // A panic elsewhere while holding the lock left the table whole (an insert is the
        // only write): go on with it.
        .unwrap_or_else(PoisonError::into_inner)
}

/// `text`, stored once per process: the same text returns the same `'static` string.
fn interned(text: &str) -> &'static str {
    static TEXTS: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut texts = kept(&TEXTS);
    if let Some(&kept) = texts.get(text) {
        return kept;
    }
    let kept: &'static str = Box::leak(Box::from(text));
    texts.insert(kept);
    kept
}

impl PolicyValue {
    /// A value from validated names and numbers; `None` when `text` is not a valid
    /// header value (which validation rules out: the policy reports it as a problem rather
    /// than writing an empty value).
    pub(crate) fn new(text: String) -> Option<Self> {
        // Visible ASCII and tabs: what `http`'s static values take (and validation lets
        // through only tokens and numbers).
        if !text
            .bytes()
            .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
        {
            return None;
        }
        Some(Self::fixed(interned(&text)))
    }

    /// A value known to be valid visible ASCII (`*`, `true`, or an interned text checked
    /// by [`PolicyValue::new`]).
    pub(crate) fn fixed(text: &'static str) -> Self {
        Self {
            #[cfg(feature = "http")]
            http: http::HeaderValue::from_static(text),
            text,
        }
    }

    /// The value as text, kept for the life of the process (see [`PolicyValue`]).
    pub fn as_str(&self) -> &'static str {
        self.text
    }

    /// The value as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    /// The precomputed `http` 1.x value; cloning it does not copy the bytes.
    #[cfg(feature = "http")]
    pub(crate) fn http_value(&self) -> &http::HeaderValue {
        &self.http
    }
}

impl fmt::Debug for PolicyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.text, f)
    }
}

/// A header value in a decision: precomputed by the policy, or echoed from the request.
///
/// Adapters that can reuse the request's own header value for an echoed one (instead of
/// copying the bytes) may do so; the bytes are the same.
///
/// ```
/// use cors_core::{CorsHeader, CorsRequest, Policy, Value};
/// let policy = Policy::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?;
/// let mut req = CorsRequest::new(b"GET");
/// req.push_origin(b"https://a.example");
/// let d = policy.evaluate(&req);
/// assert!(matches!(d.header(CorsHeader::AllowOrigin), Some(Value::Origin(b"https://a.example"))));
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Value<'a> {
    /// Precomputed by the policy.
    Policy(&'a PolicyValue),
    /// The request's `Origin` value.
    Origin(&'a [u8]),
    /// The request's `Access-Control-Request-Method` value.
    RequestMethod(&'a [u8]),
    /// One line of the request's `Access-Control-Request-Headers`.
    RequestHeaders(&'a [u8]),
}

impl<'a> Value<'a> {
    /// The value's bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        match *self {
            Value::Policy(v) => v.as_bytes(),
            Value::Origin(b) | Value::RequestMethod(b) | Value::RequestHeaders(b) => b,
        }
    }
}

/// One header to set: an item of [`Decision::headers`](crate::Decision::headers).
#[derive(Debug, Clone, Copy)]
pub struct Header<'a> {
    /// Its name.
    pub name: CorsHeader,
    /// Its value.
    pub value: Value<'a>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Policy;

    #[test]
    fn a_text_is_kept_once_however_many_policies_use_it() {
        let toml = "allow_origins = [\"https://a.example\"]\nexpose_headers = [\"x-kept-once\"]";
        let (a, b) = (
            Policy::from_toml_str(toml).unwrap(),
            Policy::from_toml_str(toml).unwrap(),
        );
        let (a, b) = (
            a.value(CorsHeader::ExposeHeaders).unwrap(),
            b.value(CorsHeader::ExposeHeaders).unwrap(),
        );
        assert_eq!(a.as_str(), "x-kept-once");
        assert!(std::ptr::eq(a.as_str(), b.as_str()), "one copy of the text");
        #[cfg(feature = "http")]
        assert!(std::ptr::eq(
            a.http_value().as_bytes(),
            b.http_value().as_bytes()
        ));
    }

    #[test]
    fn a_value_http_would_refuse_is_none_not_a_panic() {
        for text in ["caf\u{e9}", "a\u{7f}b", "line\nbreak", "nul\0"] {
            assert!(PolicyValue::new(text.to_owned()).is_none(), "{text:?}");
        }
        assert_eq!(
            PolicyValue::new("a,\tb".to_owned()).unwrap().as_str(),
            "a,\tb"
        );
    }
}
