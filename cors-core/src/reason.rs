//! Why a CORS request was rejected.

use std::fmt;

use crate::FetchSite;

/// Why a request was malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Malformed {
    /// More than one `Origin` header.
    RepeatedOrigin,
    /// More than one `Access-Control-Request-Method` header.
    RepeatedRequestMethod,
    /// `Access-Control-Request-Method` is not a method token.
    InvalidRequestMethod,
    /// `Access-Control-Request-Headers` has an element that is not a header name.
    InvalidRequestHeaders,
    /// More `Access-Control-Request-Headers` lines than a browser sends.
    TooManyRequestHeaderLines,
    /// More `Access-Control-Request-Headers` elements than a browser sends.
    TooManyRequestHeaders,
    /// More empty `Access-Control-Request-Headers` elements than are tolerated.
    TooManyEmptyRequestHeaders,
}

impl Malformed {
    /// A short explanation.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RepeatedOrigin => "more than one Origin header",
            Self::RepeatedRequestMethod => "more than one Access-Control-Request-Method header",
            Self::InvalidRequestMethod => "Access-Control-Request-Method is not a method",
            Self::InvalidRequestHeaders => {
                "Access-Control-Request-Headers has an element that is not a header name"
            }
            Self::TooManyRequestHeaderLines => "too many Access-Control-Request-Headers lines",
            Self::TooManyRequestHeaders => "too many Access-Control-Request-Headers elements",
            Self::TooManyEmptyRequestHeaders => {
                "too many empty Access-Control-Request-Headers elements"
            }
        }
    }
}

/// Why a CORS request was rejected, for logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason<'a> {
    /// The origin is not allowed (or not an origin at all).
    OriginNotAllowed {
        /// The request's `Origin` value.
        origin: &'a [u8],
    },
    /// The preflight asked for a method the policy does not allow.
    MethodNotAllowed {
        /// The requested method.
        method: &'a [u8],
    },
    /// The preflight asked for a header the policy does not allow.
    HeaderNotAllowed {
        /// The first requested header name that is not allowed.
        header: &'a [u8],
    },
    /// The request is malformed.
    Malformed(Malformed),
    /// An unsafe request (any method but GET, HEAD and OPTIONS) from another origin the
    /// policy does not allow, refused (or reported) by
    /// [`csrf_protection`](crate::PolicyConfig::csrf_protection).
    CrossOriginRequest {
        /// The request's `Origin` (the first, if repeated), if it has one.
        origin: Option<&'a [u8]>,
        /// What its `Sec-Fetch-Site` said.
        fetch_site: FetchSite,
    },
    /// A WebSocket handshake from another origin the policy does not allow, refused by
    /// [`websocket_origin_check`](crate::PolicyConfig::websocket_origin_check).
    CrossOriginWebSocket {
        /// The handshake's `Origin` (the first, if repeated).
        origin: &'a [u8],
        /// What its `Sec-Fetch-Site` said.
        fetch_site: FetchSite,
    },
}

impl Reason<'_> {
    /// A stable kebab-case code: `origin-not-allowed`, `method-not-allowed`,
    /// `header-not-allowed`, `malformed`, `cross-origin-request` or
    /// `cross-origin-websocket`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::OriginNotAllowed { .. } => "origin-not-allowed",
            Self::MethodNotAllowed { .. } => "method-not-allowed",
            Self::HeaderNotAllowed { .. } => "header-not-allowed",
            Self::Malformed(_) => "malformed",
            Self::CrossOriginRequest { .. } => "cross-origin-request",
            Self::CrossOriginWebSocket { .. } => "cross-origin-websocket",
        }
    }
}

/// Writes at most 128 bytes, escaping anything but printable ASCII.
pub(crate) struct Escaped<'a>(pub(crate) &'a [u8]);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const LIMIT: usize = 128;
        f.write_str("\"")?;
        for &b in self.0.iter().take(LIMIT) {
            if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
                write!(f, "{}", b as char)?;
            } else {
                write!(f, "\\x{b:02x}")?;
            }
        }
        if self.0.len() > LIMIT {
            write!(f, "…({} bytes)", self.0.len())?;
        }
        f.write_str("\"")
    }
}

impl fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OriginNotAllowed { origin } => {
                write!(f, "origin {} not allowed", Escaped(origin))
            }
            Self::MethodNotAllowed { method } => {
                write!(f, "method {} not allowed", Escaped(method))
            }
            Self::HeaderNotAllowed { header } => {
                write!(f, "header {} not allowed", Escaped(header))
            }
            Self::Malformed(m) => write!(f, "malformed request: {}", m.as_str()),
            Self::CrossOriginRequest {
                origin: Some(origin),
                fetch_site,
            } => write!(
                f,
                "cross-origin request from origin {} not allowed (Sec-Fetch-Site: {})",
                Escaped(origin),
                fetch_site.as_str()
            ),
            Self::CrossOriginRequest {
                origin: None,
                fetch_site,
            } => write!(
                f,
                "cross-origin request without Origin not allowed (Sec-Fetch-Site: {})",
                fetch_site.as_str()
            ),
            Self::CrossOriginWebSocket { origin, fetch_site } => write!(
                f,
                "WebSocket handshake from origin {} not allowed (Sec-Fetch-Site: {})",
                Escaped(origin),
                fetch_site.as_str()
            ),
        }
    }
}
