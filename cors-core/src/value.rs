//! Header values in a decision: the policy's precomputed ones and echoed request bytes.

use std::fmt;

use crate::CorsHeader;

/// A header value computed once, when the policy was built.
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
    text: Box<str>,
    #[cfg(feature = "http")]
    http: http::HeaderValue,
}

impl PolicyValue {
    /// A value from validated names and numbers; `None` when `text` is not a valid
    /// header value (which validation rules out: the policy reports it as a problem rather
    /// than writing an empty value).
    pub(crate) fn new(text: String) -> Option<Self> {
        #[cfg(feature = "http")]
        let http = http::HeaderValue::from_str(&text).ok()?;
        #[cfg(not(feature = "http"))]
        if !text
            .bytes()
            .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
        {
            return None;
        }
        Some(Self {
            #[cfg(feature = "http")]
            http,
            text: text.into_boxed_str(),
        })
    }

    /// A value known at compile time to be valid (`*`, `true`).
    pub(crate) fn fixed(text: &'static str) -> Self {
        Self {
            #[cfg(feature = "http")]
            http: http::HeaderValue::from_static(text),
            text: text.into(),
        }
    }

    /// The value as text.
    pub fn as_str(&self) -> &str {
        &self.text
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
        fmt::Debug::fmt(&*self.text, f)
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
