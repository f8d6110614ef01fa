//! The browser's side of the CORS protocol, as plain data: what a page's `fetch()` sends,
//! whether it needs a preflight, and whether the browser lets the page read the answers.
//!
//! Each function follows one algorithm of the [Fetch standard][fetch], named in its
//! documentation, and each failure is a typed value with a stable code and a sentence
//! ([`Blocked`], [`NotSafelisted`], [`Trigger`]), so a tool can say which step failed and
//! why. Nothing here is on a server's request path: it serves tools (the `cors` command)
//! and tests that play the browser.
//!
//! ```
//! use cors_core::browser::{Engine, FetchRequest};
//!
//! let req = FetchRequest::new("https://app.example.com", "put")
//!     .header("Content-Type", "application/json")
//!     .credentials(true);
//! assert_eq!(req.method(), b"PUT"); // fetch() normalizes the case of put
//! let preflight = req.preflight();
//! assert!(preflight.is_needed());
//! assert_eq!(preflight.request_headers().as_deref(), Some("content-type"));
//!
//! let answer = [
//!     ("access-control-allow-origin", "https://app.example.com"),
//!     ("access-control-allow-credentials", "true"),
//!     ("access-control-allow-methods", "PUT"),
//!     ("access-control-allow-headers", "content-type"),
//!     ("access-control-max-age", "86400"),
//! ];
//! assert_eq!(req.preflight_check(204, &answer), Ok(()));
//! assert_eq!(Engine::Chromium.cache_lifetime(&answer), 7200);
//!
//! // The actual response forgot credentials: the page cannot read it.
//! let actual = [("access-control-allow-origin", "https://app.example.com")];
//! let blocked = req.cors_check(&actual).unwrap_err();
//! assert_eq!(blocked.code(), "credentials-not-allowed");
//! ```
//!
//! [fetch]: https://fetch.spec.whatwg.org/#http-cors-protocol

use std::fmt;

use crate::reason::Escaped;
use crate::token;

/// The longest value of a CORS-safelisted request-header, in bytes.
const MAX_SAFELISTED_VALUE: usize = 128;

/// The most bytes of safelisted header values a request may carry without a preflight.
const MAX_SAFELISTED_TOTAL: usize = 1024;

/// How long a preflight's answer is cached when it has no valid `Access-Control-Max-Age`
/// (Fetch standard, "CORS-preflight fetch": "set max-age to 5").
pub const DEFAULT_PREFLIGHT_CACHE_SECONDS: u64 = 5;

/// A browser engine, for the limit it imposes on `Access-Control-Max-Age`.
///
/// ```
/// use cors_core::browser::Engine;
/// assert_eq!(Engine::WebKit.max_age_cap(), 600);
/// assert_eq!(Engine::Firefox.to_string(), "Firefox");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Engine {
    /// WebKit (Safari): caps at 600 s (10 minutes).
    WebKit,
    /// Chromium (Chrome, Edge, Opera…): caps at 7200 s (2 hours).
    Chromium,
    /// Gecko (Firefox): caps at 86400 s (24 hours).
    Firefox,
}

impl Engine {
    /// Every engine, by increasing cap.
    pub const ALL: [Engine; 3] = [Engine::WebKit, Engine::Chromium, Engine::Firefox];

    /// The engine's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::WebKit => "WebKit",
            Engine::Chromium => "Chromium",
            Engine::Firefox => "Firefox",
        }
    }

    /// The longest the engine caches a preflight's answer, in seconds (the "imposed limit
    /// on max-age" of the Fetch standard's "CORS-preflight fetch").
    pub fn max_age_cap(self) -> u64 {
        match self {
            Engine::WebKit => 600,
            Engine::Chromium => 7200,
            Engine::Firefox => 86400,
        }
    }

    /// How long, in seconds, the engine caches a preflight answer with these response
    /// headers: `Access-Control-Max-Age` when it is exactly one line of digits (the
    /// `delta-seconds` the standard requires), capped at [`Engine::max_age_cap`];
    /// otherwise [`DEFAULT_PREFLIGHT_CACHE_SECONDS`].
    ///
    /// ```
    /// use cors_core::browser::Engine;
    /// assert_eq!(Engine::WebKit.cache_lifetime(&[("Access-Control-Max-Age", "3600")]), 600);
    /// assert_eq!(Engine::Firefox.cache_lifetime(&[("access-control-max-age", "3600")]), 3600);
    /// assert_eq!(Engine::Chromium.cache_lifetime::<&str, &str>(&[]), 5);
    /// assert_eq!(Engine::Chromium.cache_lifetime(&[("access-control-max-age", "1h")]), 5);
    /// ```
    pub fn cache_lifetime<N: AsRef<[u8]>, V: AsRef<[u8]>>(self, headers: &[(N, V)]) -> u64 {
        max_age(headers).map_or(DEFAULT_PREFLIGHT_CACHE_SECONDS, |s| {
            s.min(self.max_age_cap())
        })
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value of `Access-Control-Max-Age` as the Fetch standard extracts it: `None` when
/// absent, repeated, or not digits only (a value beyond `u64` saturates).
///
/// ```
/// use cors_core::browser::max_age;
/// assert_eq!(max_age(&[("access-control-max-age", "600")]), Some(600));
/// assert_eq!(max_age(&[("access-control-max-age", "-1")]), None);
/// assert_eq!(max_age(&[("access-control-max-age", "1"), ("access-control-max-age", "2")]), None);
/// ```
pub fn max_age<N: AsRef<[u8]>, V: AsRef<[u8]>>(headers: &[(N, V)]) -> Option<u64> {
    let mut lines = values(headers, b"access-control-max-age");
    let value = lines.next()?;
    if lines.next().is_some() {
        return None;
    }
    let digits = token::trim_ows(value);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0u64, |n, &d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

/// The values of every header line named `name` (any case), without the optional
/// whitespace around them, as an HTTP parser hands them over.
fn values<'h, N: AsRef<[u8]>, V: AsRef<[u8]>>(
    headers: &'h [(N, V)],
    name: &'h [u8],
) -> impl Iterator<Item = &'h [u8]> + 'h {
    headers
        .iter()
        .filter(move |(n, _)| n.as_ref().eq_ignore_ascii_case(name))
        .map(|(_, v)| token::trim_ows(v.as_ref()))
}

/// Whether `method` is a CORS-safelisted method (Fetch standard, "CORS-safelisted
/// method"): `GET`, `HEAD` or `POST`, byte for byte.
///
/// ```
/// assert!(cors_core::browser::is_safelisted_method(b"POST"));
/// assert!(!cors_core::browser::is_safelisted_method(b"post")); // fetch() sends "POST"
/// assert!(!cors_core::browser::is_safelisted_method(b"PATCH"));
/// ```
pub fn is_safelisted_method(method: &[u8]) -> bool {
    matches!(method, b"GET" | b"HEAD" | b"POST")
}

/// The method as `fetch()` sends it (Fetch standard, "normalize a method"): `delete`,
/// `get`, `head`, `options`, `post` and `put` upper-cased in any case; any other method
/// as given (`patch` stays `patch`).
///
/// ```
/// use cors_core::browser::normalize_method;
/// assert_eq!(normalize_method(b"Delete"), b"DELETE");
/// assert_eq!(normalize_method(b"patch"), b"patch");
/// ```
pub fn normalize_method(method: &[u8]) -> Vec<u8> {
    for n in ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"] {
        if n.as_bytes().eq_ignore_ascii_case(method) {
            return n.as_bytes().to_vec();
        }
    }
    method.to_vec()
}

/// Whether a page may never set the header `name` (any case): a forbidden request-header
/// name of the Fetch standard ("forbidden request-header"), which `fetch()` silently
/// drops, such as `cookie`, `host`, `origin`, `sec-*` or `proxy-*`.
///
/// ```
/// assert!(cors_core::browser::is_forbidden_request_header(b"Cookie"));
/// assert!(cors_core::browser::is_forbidden_request_header(b"sec-fetch-mode"));
/// assert!(!cors_core::browser::is_forbidden_request_header(b"authorization"));
/// ```
pub fn is_forbidden_request_header(name: &[u8]) -> bool {
    let lower = String::from_utf8_lossy(name).to_ascii_lowercase();
    token::is_forbidden_request_header(&lower)
}

/// Whether `byte` is a CORS-unsafe request-header byte (Fetch standard): a control byte
/// other than tab, DEL, or one of `"():<>?@[\]{}`.
fn is_unsafe_byte(byte: u8) -> bool {
    (byte < 0x20 && byte != b'\t') || b"\"():<>?@[\\]{}\x7f".contains(&byte)
}

/// Why a request header is not a CORS-safelisted request-header: a header that is not
/// safelisted makes `fetch()` send a preflight.
///
/// ```
/// use cors_core::browser::{safelisted_request_header, NotSafelisted};
/// assert_eq!(safelisted_request_header(b"Content-Type", b"text/plain;charset=utf-8"), Ok(()));
/// let err = safelisted_request_header(b"content-type", b"application/json").unwrap_err();
/// assert_eq!(err.code(), "mime-type-not-safelisted");
/// assert_eq!(err.to_string(),
///     "its MIME type \"application/json\" is not application/x-www-form-urlencoded, \
///      multipart/form-data or text/plain");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotSafelisted {
    /// The name is not `accept`, `accept-language`, `content-language`, `content-type` or
    /// `range`.
    Name,
    /// The value is longer than 128 bytes.
    TooLong {
        /// The value's length in bytes.
        len: usize,
    },
    /// The value (of `accept` or `content-type`) has a CORS-unsafe request-header byte.
    UnsafeByte {
        /// The first such byte.
        byte: u8,
    },
    /// The value of `accept-language` or `content-language` has a byte other than
    /// letters, digits, space and `*,-.;=`.
    LanguageByte {
        /// The first such byte.
        byte: u8,
    },
    /// The `content-type` is not a MIME type.
    InvalidMimeType,
    /// The `content-type`'s essence is not one of the three a form can send.
    MimeType {
        /// The essence (`type/subtype`, lower-case).
        essence: String,
    },
    /// The `range` is not one simple byte range (`bytes=N-` or `bytes=N-M`).
    Range,
}

impl NotSafelisted {
    /// A stable kebab-case code.
    ///
    /// ```
    /// assert_eq!(cors_core::browser::NotSafelisted::Name.code(), "name-not-safelisted");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::Name => "name-not-safelisted",
            Self::TooLong { .. } => "value-too-long",
            Self::UnsafeByte { .. } => "unsafe-byte",
            Self::LanguageByte { .. } => "language-byte",
            Self::InvalidMimeType => "invalid-mime-type",
            Self::MimeType { .. } => "mime-type-not-safelisted",
            Self::Range => "range-not-simple",
        }
    }
}

impl fmt::Display for NotSafelisted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name => f.write_str(
                "its name is not one of accept, accept-language, content-language, \
                 content-type and range",
            ),
            Self::TooLong { len } => {
                write!(
                    f,
                    "its value is {len} bytes long, above the {MAX_SAFELISTED_VALUE} allowed"
                )
            }
            Self::UnsafeByte { byte } => {
                write!(
                    f,
                    "its value has the CORS-unsafe byte {}",
                    Escaped(&[*byte])
                )
            }
            Self::LanguageByte { byte } => write!(
                f,
                "its value has the byte {}, not a letter, digit, space or one of *,-.;=",
                Escaped(&[*byte])
            ),
            Self::InvalidMimeType => f.write_str("its value is not a MIME type"),
            Self::MimeType { essence } => write!(
                f,
                "its MIME type {essence:?} is not application/x-www-form-urlencoded, \
                 multipart/form-data or text/plain"
            ),
            Self::Range => {
                f.write_str("its value is not a single byte range bytes=N- or bytes=N-M")
            }
        }
    }
}

impl std::error::Error for NotSafelisted {}

/// Whether `name: value` is a CORS-safelisted request-header (Fetch standard,
/// "CORS-safelisted request-header"), ignoring the 1024-byte total, which only a whole
/// request has (see [`FetchRequest::preflight`]).
///
/// `value` is taken as `fetch()` stores it, leading and trailing whitespace removed
/// ([`FetchRequest::header`] does that).
///
/// ```
/// use cors_core::browser::safelisted_request_header;
/// assert!(safelisted_request_header(b"accept", b"application/json").is_ok());
/// assert!(safelisted_request_header(b"range", b"bytes=0-499").is_ok());
/// assert!(safelisted_request_header(b"range", b"bytes=-500").is_err());
/// assert!(safelisted_request_header(b"x-request-id", b"1").is_err());
/// ```
pub fn safelisted_request_header(name: &[u8], value: &[u8]) -> Result<(), NotSafelisted> {
    let lower = name.to_ascii_lowercase();
    let known = matches!(
        lower.as_slice(),
        b"accept" | b"accept-language" | b"content-language" | b"content-type" | b"range"
    );
    if !known {
        return Err(NotSafelisted::Name);
    }
    if value.len() > MAX_SAFELISTED_VALUE {
        return Err(NotSafelisted::TooLong { len: value.len() });
    }
    let unsafe_byte = || value.iter().copied().find(|&b| is_unsafe_byte(b));
    match lower.as_slice() {
        b"accept" => match unsafe_byte() {
            Some(byte) => Err(NotSafelisted::UnsafeByte { byte }),
            None => Ok(()),
        },
        b"accept-language" | b"content-language" => {
            let bad = value
                .iter()
                .copied()
                .find(|&b| !(b.is_ascii_alphanumeric() || b" *,-.;=".contains(&b)));
            match bad {
                Some(byte) => Err(NotSafelisted::LanguageByte { byte }),
                None => Ok(()),
            }
        }
        b"content-type" => {
            if let Some(byte) = unsafe_byte() {
                return Err(NotSafelisted::UnsafeByte { byte });
            }
            let essence = mime_essence(value).ok_or(NotSafelisted::InvalidMimeType)?;
            match essence.as_str() {
                "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain" => {
                    Ok(())
                }
                _ => Err(NotSafelisted::MimeType { essence }),
            }
        }
        _ => simple_range(value).ok_or(NotSafelisted::Range),
    }
}

/// The essence (`type/subtype`, lower-case) of a MIME type, per the MIME Sniffing
/// standard's "parse a MIME type" (its parameters never make it fail).
fn mime_essence(value: &[u8]) -> Option<String> {
    let http_ws = |b: &u8| matches!(b, b'\t' | b'\n' | b'\r' | b' ');
    let start = value.iter().position(|b| !http_ws(b))?;
    let end = value.iter().rposition(|b| !http_ws(b))? + 1;
    let value = &value[start..end];
    let slash = value.iter().position(|&b| b == b'/')?;
    let kind = &value[..slash];
    let rest = &value[slash + 1..];
    let subtype = &rest[..rest.iter().position(|&b| b == b';').unwrap_or(rest.len())];
    let subtype_end = subtype
        .iter()
        .rposition(|b| !http_ws(b))
        .map_or(0, |i| i + 1);
    let subtype = &subtype[..subtype_end];
    if !token::is_token(kind) || !token::is_token(subtype) {
        return None;
    }
    let mut essence = String::from_utf8_lossy(kind).to_ascii_lowercase();
    essence.push('/');
    essence.push_str(&String::from_utf8_lossy(subtype).to_ascii_lowercase());
    Some(essence)
}

/// `Some` when `value` is a single range with a first position (Fetch standard, "parse a
/// single range header value" without whitespace, then "rangeValue\[0\] is not null").
fn simple_range(value: &[u8]) -> Option<()> {
    let rest = value.strip_prefix(b"bytes=")?;
    let dash = rest.iter().position(|&b| b == b'-')?;
    let (start, end) = (&rest[..dash], &rest[dash + 1..]);
    let digits = |d: &[u8]| d.iter().all(u8::is_ascii_digit);
    if start.is_empty() || !digits(start) || !digits(end) {
        return None;
    }
    if !end.is_empty() && cmp_decimal(start, end) == std::cmp::Ordering::Greater {
        return None;
    }
    Some(())
}

/// Compares two strings of ASCII digits as numbers of any size.
fn cmp_decimal(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let strip = |d: &[u8]| {
        let zeros = d.iter().take_while(|&&c| c == b'0').count();
        d[zeros..].to_vec()
    };
    let (a, b) = (strip(a), strip(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(&b))
}

/// What makes a request need a preflight.
///
/// ```
/// use cors_core::browser::{FetchRequest, Trigger};
/// let p = FetchRequest::new("https://a.example", "PATCH").preflight();
/// assert_eq!(p.triggers(), [Trigger::Method { method: "PATCH".into() }]);
/// assert_eq!(p.triggers()[0].code(), "method-not-safelisted");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Trigger {
    /// The method is not GET, HEAD or POST.
    Method {
        /// The method, as sent.
        method: String,
    },
    /// A header is not CORS-safelisted.
    Header {
        /// The header's name, lower-case.
        name: String,
        /// Why.
        why: NotSafelisted,
    },
    /// The safelisted headers' values add up to more than 1024 bytes, so all of them
    /// count as unsafe.
    SafelistedTooLarge {
        /// Their total length in bytes.
        bytes: usize,
    },
}

impl Trigger {
    /// A stable kebab-case code: `method-not-safelisted`, `header-not-safelisted` or
    /// `safelisted-headers-too-large`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Method { .. } => "method-not-safelisted",
            Self::Header { .. } => "header-not-safelisted",
            Self::SafelistedTooLarge { .. } => "safelisted-headers-too-large",
        }
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Method { method } => {
                write!(f, "the method {method} is not GET, HEAD or POST")
            }
            Self::Header { name, why } => {
                write!(f, "the header {name} is not CORS-safelisted: {why}")
            }
            Self::SafelistedTooLarge { bytes } => write!(
                f,
                "the safelisted headers' values add up to {bytes} bytes, above the \
                 {MAX_SAFELISTED_TOTAL} allowed"
            ),
        }
    }
}

/// Whether a request needs a preflight, and what it asks for (see
/// [`FetchRequest::preflight`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preflight {
    triggers: Vec<Trigger>,
    unsafe_names: Vec<String>,
}

impl Preflight {
    /// Whether the browser sends a preflight first (assuming nothing is cached).
    pub fn is_needed(&self) -> bool {
        !self.triggers.is_empty()
    }

    /// Everything that requires it, in the request's order (method first); empty when
    /// no preflight is needed.
    pub fn triggers(&self) -> &[Trigger] {
        &self.triggers
    }

    /// The CORS-unsafe request-header names: lower-case, sorted, without duplicates (Fetch
    /// standard, "CORS-unsafe request-header names").
    pub fn unsafe_names(&self) -> &[String] {
        &self.unsafe_names
    }

    /// The preflight's `Access-Control-Request-Headers` value: the unsafe names joined
    /// with `,`; `None` when there are none (the header is then not sent).
    ///
    /// ```
    /// let req = cors_core::browser::FetchRequest::new("https://a.example", "GET")
    ///     .header("X-B", "1")
    ///     .header("x-a", "2")
    ///     .header("accept", "*/*");
    /// assert_eq!(req.preflight().request_headers().as_deref(), Some("x-a,x-b"));
    /// ```
    pub fn request_headers(&self) -> Option<String> {
        (!self.unsafe_names.is_empty()).then(|| self.unsafe_names.join(","))
    }
}

/// What a page's `fetch()` sends in a CORS request: its origin, the method (normalized as
/// `fetch()` does), the headers the script set, and whether credentials are included
/// (`credentials: "include"`).
///
/// ```
/// use cors_core::browser::FetchRequest;
/// let req = FetchRequest::new("https://app.example.com", "delete").header("x-id", " 7 ");
/// assert_eq!(req.method(), b"DELETE");
/// assert_eq!(req.headers()[0], (b"x-id".to_vec(), b"7".to_vec()));
/// assert!(!req.includes_credentials());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRequest {
    origin: Vec<u8>,
    method: Vec<u8>,
    headers: Vec<(Vec<u8>, Vec<u8>)>,
    credentials: bool,
}

impl FetchRequest {
    /// A request from `origin` (as the browser serializes it in `Origin`) with `method`,
    /// normalized by [`normalize_method`], no headers and no credentials.
    pub fn new(origin: impl AsRef<[u8]>, method: impl AsRef<[u8]>) -> Self {
        Self {
            origin: origin.as_ref().to_vec(),
            method: normalize_method(method.as_ref()),
            headers: Vec::new(),
            credentials: false,
        }
    }

    /// Adds a header the script sets, its value stripped of leading and trailing HTTP
    /// whitespace as `Headers.append` does ("normalize a header value"). Forbidden
    /// request-header names are kept: check [`is_forbidden_request_header`] to drop them as
    /// a browser would.
    pub fn header(mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        let value = value.as_ref();
        let http_ws = |b: &u8| matches!(b, b'\t' | b'\n' | b'\r' | b' ');
        let start = value
            .iter()
            .position(|b| !http_ws(b))
            .unwrap_or(value.len());
        let end = value
            .iter()
            .rposition(|b| !http_ws(b))
            .map_or(start, |i| i + 1);
        self.headers
            .push((name.as_ref().to_vec(), value[start..end].to_vec()));
        self
    }

    /// Whether the request includes credentials (`credentials: "include"`).
    pub fn credentials(mut self, include: bool) -> Self {
        self.credentials = include;
        self
    }

    /// The origin.
    pub fn origin(&self) -> &[u8] {
        &self.origin
    }

    /// The method, normalized.
    pub fn method(&self) -> &[u8] {
        &self.method
    }

    /// The headers, as set (values normalized).
    pub fn headers(&self) -> &[(Vec<u8>, Vec<u8>)] {
        &self.headers
    }

    /// Whether credentials are included.
    pub fn includes_credentials(&self) -> bool {
        self.credentials
    }

    /// Whether the request needs a preflight, and why (Fetch standard, "HTTP fetch": a
    /// preflight is sent when the method is not a CORS-safelisted method or when there is
    /// a CORS-unsafe request-header name; a preflight cache is not modelled).
    ///
    /// The unsafe names follow "CORS-unsafe request-header names": every header that is
    /// not a CORS-safelisted request-header, and every safelisted one too when their
    /// values add up to more than 1024 bytes.
    ///
    /// ```
    /// use cors_core::browser::FetchRequest;
    /// let simple = FetchRequest::new("https://a.example", "POST")
    ///     .header("content-type", "application/x-www-form-urlencoded");
    /// assert!(!simple.preflight().is_needed());
    /// let json = FetchRequest::new("https://a.example", "POST")
    ///     .header("content-type", "application/json");
    /// assert!(json.preflight().is_needed());
    /// ```
    pub fn preflight(&self) -> Preflight {
        let mut triggers = Vec::new();
        if !is_safelisted_method(&self.method) {
            triggers.push(Trigger::Method {
                method: String::from_utf8_lossy(&self.method).into_owned(),
            });
        }
        let mut unsafe_names = Vec::new();
        let mut potentially_unsafe = Vec::new();
        let mut total = 0usize;
        for (name, value) in &self.headers {
            let lower = String::from_utf8_lossy(name).to_ascii_lowercase();
            match safelisted_request_header(name, value) {
                Ok(()) => {
                    total = total.saturating_add(value.len());
                    potentially_unsafe.push(lower);
                }
                Err(why) => {
                    triggers.push(Trigger::Header {
                        name: lower.clone(),
                        why,
                    });
                    unsafe_names.push(lower);
                }
            }
        }
        if total > MAX_SAFELISTED_TOTAL {
            triggers.push(Trigger::SafelistedTooLarge { bytes: total });
            unsafe_names.append(&mut potentially_unsafe);
        }
        unsafe_names.sort();
        unsafe_names.dedup();
        Preflight {
            triggers,
            unsafe_names,
        }
    }

    /// The Fetch standard's "CORS check" of a response to this request: exactly one
    /// `Access-Control-Allow-Origin` (the standard "gets" the header, joining repeated
    /// lines, so two lines never match), equal to `*` without credentials or byte for
    /// byte to the request's origin, and, when credentials are included,
    /// `Access-Control-Allow-Credentials` exactly `true`.
    ///
    /// ```
    /// use cors_core::browser::FetchRequest;
    /// let req = FetchRequest::new("https://a.example", "GET").credentials(true);
    /// let err = req.cors_check(&[("access-control-allow-origin", "*")]).unwrap_err();
    /// assert_eq!(err.code(), "any-origin-with-credentials");
    /// ```
    pub fn cors_check<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &self,
        headers: &[(N, V)],
    ) -> Result<(), Blocked> {
        let acao: Vec<&[u8]> = values(headers, b"access-control-allow-origin").collect();
        let origin = match acao.as_slice() {
            [] => return Err(Blocked::MissingAllowOrigin),
            [one] => *one,
            many => return Err(Blocked::MultipleAllowOrigin { count: many.len() }),
        };
        if origin == b"*" {
            return if self.credentials {
                Err(Blocked::AnyOriginWithCredentials)
            } else {
                Ok(())
            };
        }
        if origin != self.origin.as_slice() {
            return Err(Blocked::OriginMismatch {
                allowed: lossy(origin),
            });
        }
        if !self.credentials {
            return Ok(());
        }
        let acac: Vec<&[u8]> = values(headers, b"access-control-allow-credentials").collect();
        match acac.as_slice() {
            [b"true"] => Ok(()),
            [] => Err(Blocked::CredentialsNotAllowed { value: None }),
            lines => Err(Blocked::CredentialsNotAllowed {
                value: Some(
                    lines
                        .iter()
                        .map(|l| lossy(l))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            }),
        }
    }

    /// The checks a browser runs on the answer to this request's preflight (Fetch
    /// standard, "CORS-preflight fetch"): the [CORS check](FetchRequest::cors_check),
    /// an ok status (200 to 299; a redirect fails), then:
    ///
    /// - the method is safelisted, or listed in `Access-Control-Allow-Methods` byte for
    ///   byte, or that list has `*` and credentials are not included;
    /// - `Authorization`, when sent, is listed by name in `Access-Control-Allow-Headers`
    ///   (`*` never covers it, a "CORS non-wildcard request-header name");
    /// - every other CORS-unsafe request-header name is listed (compared
    ///   case-insensitively), or the list has `*` and credentials are not included.
    ///
    /// Both lists must parse as comma-separated tokens (empty elements are skipped).
    ///
    /// ```
    /// use cors_core::browser::FetchRequest;
    /// let req = FetchRequest::new("https://a.example", "PUT").header("authorization", "Bearer x");
    /// let answer = [
    ///     ("access-control-allow-origin", "*"),
    ///     ("access-control-allow-methods", "*"),
    ///     ("access-control-allow-headers", "*"),
    /// ];
    /// let err = req.preflight_check(204, &answer).unwrap_err();
    /// assert_eq!(err.code(), "header-not-allowed");
    /// ```
    pub fn preflight_check<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &self,
        status: u16,
        headers: &[(N, V)],
    ) -> Result<(), Blocked> {
        self.cors_check(headers)?;
        if !(200..=299).contains(&status) {
            return Err(Blocked::PreflightStatus { status });
        }
        let methods = list(headers, b"access-control-allow-methods")
            .map_err(|value| Blocked::InvalidAllowMethods { value })?;
        let names = list(headers, b"access-control-allow-headers")
            .map_err(|value| Blocked::InvalidAllowHeaders { value })?;
        let star = |l: &[&[u8]]| l.iter().any(|m| *m == b"*");
        let method_ok = is_safelisted_method(&self.method)
            || methods.contains(&self.method.as_slice())
            || (!self.credentials && star(&methods));
        if !method_ok {
            return Err(Blocked::MethodNotAllowed {
                method: lossy(&self.method),
                star: star(&methods),
            });
        }
        let listed = |name: &[u8]| names.iter().any(|n| n.eq_ignore_ascii_case(name));
        if let Some((name, _)) = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(b"authorization"))
            && !listed(name)
        {
            return Err(Blocked::HeaderNotAllowed {
                name: "authorization".into(),
                star: star(&names),
            });
        }
        for name in &self.preflight().unsafe_names {
            if !listed(name.as_bytes()) && (self.credentials || !star(&names)) {
                return Err(Blocked::HeaderNotAllowed {
                    name: name.clone(),
                    star: star(&names),
                });
            }
        }
        Ok(())
    }
}

/// The elements of a `#token` header (every line), or the offending line when one is not
/// a comma-separated list of tokens.
fn list<'h, N: AsRef<[u8]>, V: AsRef<[u8]>>(
    headers: &'h [(N, V)],
    name: &'h [u8],
) -> Result<Vec<&'h [u8]>, String> {
    let mut out = Vec::new();
    for line in values(headers, name) {
        for element in line.split(|&b| b == b',') {
            let element = token::trim_ows(element);
            if element.is_empty() {
                continue;
            }
            if !token::is_token(element) {
                return Err(lossy(line));
            }
            out.push(element);
        }
    }
    Ok(out)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Why a browser refuses to let the page read a response (or refuses a preflight's
/// answer): the step of the CORS check or CORS-preflight check that failed.
///
/// ```
/// use cors_core::browser::Blocked;
/// let b = Blocked::OriginMismatch { allowed: "https://b.example".into() };
/// assert_eq!(b.code(), "allow-origin-mismatch");
/// assert_eq!(b.to_string(),
///     "Access-Control-Allow-Origin is \"https://b.example\", not the request's origin");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Blocked {
    /// No `Access-Control-Allow-Origin`.
    MissingAllowOrigin,
    /// More than one `Access-Control-Allow-Origin` line.
    MultipleAllowOrigin {
        /// How many.
        count: usize,
    },
    /// `Access-Control-Allow-Origin: *` on a request with credentials.
    AnyOriginWithCredentials,
    /// `Access-Control-Allow-Origin` is neither `*` nor the request's origin.
    OriginMismatch {
        /// Its value.
        allowed: String,
    },
    /// Credentials are included but `Access-Control-Allow-Credentials` is not exactly
    /// one `true`.
    CredentialsNotAllowed {
        /// Its value (lines joined with `", "`), `None` when absent.
        value: Option<String>,
    },
    /// The preflight's answer does not have an ok status (200 to 299).
    PreflightStatus {
        /// The status.
        status: u16,
    },
    /// `Access-Control-Allow-Methods` is not a list of methods.
    InvalidAllowMethods {
        /// The offending line.
        value: String,
    },
    /// `Access-Control-Allow-Headers` is not a list of header names.
    InvalidAllowHeaders {
        /// The offending line.
        value: String,
    },
    /// The method is not covered by `Access-Control-Allow-Methods`.
    MethodNotAllowed {
        /// The method.
        method: String,
        /// Whether the list has `*` (which does not count with credentials).
        star: bool,
    },
    /// A header is not covered by `Access-Control-Allow-Headers`.
    HeaderNotAllowed {
        /// The header's name, lower-case.
        name: String,
        /// Whether the list has `*` (which does not count with credentials, nor ever
        /// for `authorization`).
        star: bool,
    },
}

impl Blocked {
    /// A stable kebab-case code.
    ///
    /// ```
    /// assert_eq!(cors_core::browser::Blocked::MissingAllowOrigin.code(), "missing-allow-origin");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingAllowOrigin => "missing-allow-origin",
            Self::MultipleAllowOrigin { .. } => "multiple-allow-origin",
            Self::AnyOriginWithCredentials => "any-origin-with-credentials",
            Self::OriginMismatch { .. } => "allow-origin-mismatch",
            Self::CredentialsNotAllowed { .. } => "credentials-not-allowed",
            Self::PreflightStatus { .. } => "preflight-status-not-ok",
            Self::InvalidAllowMethods { .. } => "invalid-allow-methods",
            Self::InvalidAllowHeaders { .. } => "invalid-allow-headers",
            Self::MethodNotAllowed { .. } => "method-not-allowed",
            Self::HeaderNotAllowed { .. } => "header-not-allowed",
        }
    }
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingAllowOrigin => {
                f.write_str("the response has no Access-Control-Allow-Origin header")
            }
            Self::MultipleAllowOrigin { count } => write!(
                f,
                "the response has {count} Access-Control-Allow-Origin headers; browsers \
                 require exactly one"
            ),
            Self::AnyOriginWithCredentials => f.write_str(
                "Access-Control-Allow-Origin is \"*\", which browsers refuse when the request \
                 includes credentials",
            ),
            Self::OriginMismatch { allowed } => write!(
                f,
                "Access-Control-Allow-Origin is {}, not the request's origin",
                Escaped(allowed.as_bytes())
            ),
            Self::CredentialsNotAllowed { value: None } => f.write_str(
                "the request includes credentials but the response has no \
                 Access-Control-Allow-Credentials: true",
            ),
            Self::CredentialsNotAllowed { value: Some(v) } => write!(
                f,
                "the request includes credentials but Access-Control-Allow-Credentials is {}, \
                 not exactly \"true\"",
                Escaped(v.as_bytes())
            ),
            Self::PreflightStatus { status } => write!(
                f,
                "the preflight's answer has status {status}, not an ok status (200 to 299)"
            ),
            Self::InvalidAllowMethods { value } => write!(
                f,
                "Access-Control-Allow-Methods {} is not a list of methods",
                Escaped(value.as_bytes())
            ),
            Self::InvalidAllowHeaders { value } => write!(
                f,
                "Access-Control-Allow-Headers {} is not a list of header names",
                Escaped(value.as_bytes())
            ),
            Self::MethodNotAllowed { method, star } => {
                write!(
                    f,
                    "the method {} is not in Access-Control-Allow-Methods",
                    Escaped(method.as_bytes())
                )?;
                if *star {
                    f.write_str(" (\"*\" does not count when the request includes credentials)")?;
                }
                Ok(())
            }
            Self::HeaderNotAllowed { name, star } => {
                write!(
                    f,
                    "the header {} is not in Access-Control-Allow-Headers",
                    Escaped(name.as_bytes())
                )?;
                if *star && name == "authorization" {
                    f.write_str(" (\"*\" never covers authorization)")?;
                } else if *star {
                    f.write_str(" (\"*\" does not count when the request includes credentials)")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Blocked {}
