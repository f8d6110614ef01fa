//! What [`Policy::evaluate`](crate::Policy::evaluate) returns: plain data that adapters
//! translate into their framework's response.

use std::fmt;

/// What kind of request the policy saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// No `Origin` header: not a CORS request.
    NotCors,
    /// A request with `Origin` that is not a preflight (an `OPTIONS` without
    /// `Access-Control-Request-Method` included).
    Actual,
    /// `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
    Preflight,
}

impl RequestKind {
    /// `not-cors`, `actual` or `preflight`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotCors => "not-cors",
            Self::Actual => "actual",
            Self::Preflight => "preflight",
        }
    }
}

/// What the adapter does with the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Pass the request to the handler, then apply the decision to its response
    /// (whatever it is: a 404, a 500 or a handler error included).
    Forward,
    /// Answer now, without the handler: an empty response with this status and the
    /// decision's headers.
    Respond {
        /// The status code (the policy's preflight status, or 403).
        status: u16,
    },
}

/// A CORS response header the decision sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CorsHeader {
    /// `Access-Control-Allow-Origin`.
    AllowOrigin,
    /// `Access-Control-Allow-Credentials`.
    AllowCredentials,
    /// `Access-Control-Expose-Headers`.
    ExposeHeaders,
    /// `Access-Control-Allow-Methods`.
    AllowMethods,
    /// `Access-Control-Allow-Headers`.
    AllowHeaders,
    /// `Access-Control-Max-Age`.
    MaxAge,
    /// `Access-Control-Allow-Private-Network`.
    AllowPrivateNetwork,
}

impl CorsHeader {
    /// Every CORS response header.
    pub const ALL: [CorsHeader; 7] = [
        Self::AllowOrigin,
        Self::AllowCredentials,
        Self::ExposeHeaders,
        Self::AllowMethods,
        Self::AllowHeaders,
        Self::MaxAge,
        Self::AllowPrivateNetwork,
    ];

    /// The lower-case header name.
    ///
    /// ```
    /// assert_eq!(cors_core::CorsHeader::AllowOrigin.as_str(), "access-control-allow-origin");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AllowOrigin => "access-control-allow-origin",
            Self::AllowCredentials => "access-control-allow-credentials",
            Self::ExposeHeaders => "access-control-expose-headers",
            Self::AllowMethods => "access-control-allow-methods",
            Self::AllowHeaders => "access-control-allow-headers",
            Self::MaxAge => "access-control-max-age",
            Self::AllowPrivateNetwork => "access-control-allow-private-network",
        }
    }

    /// The `http` 1.x header name.
    #[cfg(feature = "http")]
    pub fn http_name(self) -> http::HeaderName {
        use http::header;
        match self {
            Self::AllowOrigin => header::ACCESS_CONTROL_ALLOW_ORIGIN,
            Self::AllowCredentials => header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            Self::ExposeHeaders => header::ACCESS_CONTROL_EXPOSE_HEADERS,
            Self::AllowMethods => header::ACCESS_CONTROL_ALLOW_METHODS,
            Self::AllowHeaders => header::ACCESS_CONTROL_ALLOW_HEADERS,
            Self::MaxAge => header::ACCESS_CONTROL_MAX_AGE,
            Self::AllowPrivateNetwork => {
                http::HeaderName::from_static("access-control-allow-private-network")
            }
        }
    }
}

impl fmt::Display for CorsHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A header value computed once, when the policy was built.
#[derive(Clone)]
pub struct PolicyValue {
    text: Box<str>,
    #[cfg(feature = "http")]
    http: http::HeaderValue,
}

impl PolicyValue {
    /// Only visible ASCII, commas and spaces reach here (validated names and numbers).
    pub(crate) fn new(text: String) -> Self {
        Self {
            #[cfg(feature = "http")]
            http: http::HeaderValue::from_str(&text)
                .unwrap_or_else(|_| http::HeaderValue::from_static("")),
            text: text.into_boxed_str(),
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
    pub fn http_value(&self) -> &http::HeaderValue {
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
#[derive(Debug, Clone, Copy)]
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

/// One header to set.
#[derive(Debug, Clone, Copy)]
pub struct Header<'a> {
    /// Its name.
    pub name: CorsHeader,
    /// Its value.
    pub value: Value<'a>,
}

/// Items a decision appends to `Vary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vary {
    /// Nothing.
    None,
    /// `origin`.
    Origin,
    /// `origin, access-control-request-method, access-control-request-headers`.
    Preflight,
}

const VARY_ITEMS: [&str; 3] = [
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
];

/// Every subset of [`VARY_ITEMS`], indexed by bit mask, joined.
const VARY_JOINED: [&str; 8] = [
    "",
    "origin",
    "access-control-request-method",
    "origin, access-control-request-method",
    "access-control-request-headers",
    "origin, access-control-request-headers",
    "access-control-request-method, access-control-request-headers",
    "origin, access-control-request-method, access-control-request-headers",
];

impl Vary {
    fn mask(self) -> usize {
        match self {
            Vary::None => 0,
            Vary::Origin => 1,
            Vary::Preflight => 7,
        }
    }

    /// The items, lower-case.
    ///
    /// ```
    /// assert_eq!(cors_core::Vary::Origin.items(), ["origin"]);
    /// ```
    pub fn items(self) -> &'static [&'static str] {
        &VARY_ITEMS[..self.mask().count_ones() as usize]
    }

    /// The items joined with `", "`, for a response that has no `Vary` yet.
    pub fn as_str(self) -> &'static str {
        VARY_JOINED[self.mask()]
    }

    /// Given the response's existing `Vary` lines, the value of one more `Vary` line to
    /// append, or `None` when nothing needs adding: the existing items are kept, items
    /// already present (in any case) are not repeated, and `Vary: *` is left alone.
    ///
    /// ```
    /// use cors_core::Vary;
    /// let existing: [&[u8]; 1] = [b"Accept-Encoding, Origin"];
    /// assert_eq!(Vary::Preflight.append_to(existing),
    ///            Some("access-control-request-method, access-control-request-headers"));
    /// assert_eq!(Vary::Origin.append_to([b"*" as &[u8]]), None);
    /// assert_eq!(Vary::Origin.append_to(std::iter::empty::<&[u8]>()), Some("origin"));
    /// ```
    pub fn append_to<'v, I>(self, existing: I) -> Option<&'static str>
    where
        I: IntoIterator<Item = &'v [u8]>,
    {
        let mut mask = self.mask();
        if mask == 0 {
            return None;
        }
        for line in existing {
            for item in line.split(|&b| b == b',') {
                let item = crate::token::trim_ows(item);
                if item == b"*" {
                    return None;
                }
                for (bit, name) in VARY_ITEMS.iter().enumerate() {
                    if item.eq_ignore_ascii_case(name.as_bytes()) {
                        mask &= !(1 << bit);
                    }
                }
            }
        }
        (mask != 0).then(|| VARY_JOINED[mask])
    }
}

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
}

impl Reason<'_> {
    /// A stable kebab-case code: `origin-not-allowed`, `method-not-allowed`,
    /// `header-not-allowed` or `malformed`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::OriginNotAllowed { .. } => "origin-not-allowed",
            Self::MethodNotAllowed { .. } => "method-not-allowed",
            Self::HeaderNotAllowed { .. } => "header-not-allowed",
            Self::Malformed(_) => "malformed",
        }
    }
}

/// Writes at most 128 bytes, escaping anything but printable ASCII.
struct Escaped<'a>(&'a [u8]);

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
        }
    }
}

/// The most headers a [`Decision`] sets: five single ones plus one
/// `Access-Control-Allow-Headers` per request line, so adapters can size fixed arrays.
pub const MAX_DECISION_HEADERS: usize = 5 + crate::request::MAX_REQUEST_HEADER_LINES;

/// The outcome of [`Policy::evaluate`](crate::Policy::evaluate): plain data, no allocation.
///
/// An adapter applies it in one of two ways, as [`Decision::action`] says:
///
/// * [`Action::Respond`]: answer at once with that status, an empty body, the
///   [`headers`](Decision::headers) (appended in order) and `Vary` set to
///   [`Vary::as_str`] (when not empty).
/// * [`Action::Forward`]: run the handler; on its response (error responses included),
///   remove every header in [`clears`](Decision::clears), append the
///   [`headers`](Decision::headers), and append [`Vary::append_to`] of the existing
///   `Vary` lines.
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    kind: RequestKind,
    reason: Option<Reason<'a>>,
    action: Action,
    headers: [Header<'a>; MAX_DECISION_HEADERS],
    len: usize,
    vary: Vary,
}

impl<'a> Decision<'a> {
    pub(crate) fn new(kind: RequestKind, action: Action, vary: Vary) -> Self {
        Self {
            kind,
            reason: None,
            action,
            headers: [Header {
                name: CorsHeader::AllowOrigin,
                value: Value::Origin(b""),
            }; MAX_DECISION_HEADERS],
            len: 0,
            vary,
        }
    }

    pub(crate) fn rejected(mut self, reason: Reason<'a>) -> Self {
        self.reason = Some(reason);
        self
    }

    pub(crate) fn push(&mut self, name: CorsHeader, value: Value<'a>) {
        if let Some(slot) = self.headers.get_mut(self.len) {
            *slot = Header { name, value };
            self.len += 1;
        }
    }

    /// Which kind of request this was.
    pub fn kind(&self) -> RequestKind {
        self.kind
    }

    /// Why the request was rejected, if it was. `None` for allowed CORS requests and for
    /// requests that are not CORS requests.
    pub fn reason(&self) -> Option<&Reason<'a>> {
        self.reason.as_ref()
    }

    /// Whether this is a CORS request the policy allowed.
    pub fn is_allowed(&self) -> bool {
        self.kind != RequestKind::NotCors && self.reason.is_none()
    }

    /// What the adapter does next.
    pub fn action(&self) -> Action {
        self.action
    }

    /// The headers to set, in order. A name appears at most once, except
    /// `Access-Control-Allow-Headers`, which may appear once per echoed request line.
    pub fn headers(&self) -> impl ExactSizeIterator<Item = Header<'a>> + '_ {
        self.headers[..self.len].iter().copied()
    }

    /// The value of the header `name`, when it is set once (joined with `", "` is up to the
    /// caller when it is set several times; see [`Decision::headers`]).
    pub fn header(&self, name: CorsHeader) -> Option<Value<'a>> {
        self.headers().find(|h| h.name == name).map(|h| h.value)
    }

    /// The CORS headers the adapter removes from a forwarded response before adding
    /// [`Decision::headers`], so that each appears exactly as decided (a handler's own
    /// `Access-Control-Allow-Origin` never survives beside ours).
    pub fn clears(&self) -> &'static [CorsHeader] {
        match (self.kind, self.action) {
            (RequestKind::NotCors, _) | (_, Action::Respond { .. }) => &[],
            (RequestKind::Actual, Action::Forward) => &[
                CorsHeader::AllowOrigin,
                CorsHeader::AllowCredentials,
                CorsHeader::ExposeHeaders,
            ],
            (RequestKind::Preflight, Action::Forward) => &CorsHeader::ALL,
        }
    }

    /// The `Vary` items to add.
    pub fn vary(&self) -> Vary {
        self.vary
    }
}
