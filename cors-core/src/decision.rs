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

    /// Whether `name` (any case) is an `Access-Control-*` header name: adapters look for
    /// one in a response before removing what [`Decision::clears`] lists, since most
    /// responses have none and a removal costs a lookup.
    ///
    /// ```
    /// use cors_core::CorsHeader;
    /// assert!(CorsHeader::is_access_control_name("Access-Control-Allow-Origin"));
    /// assert!(!CorsHeader::is_access_control_name("content-type"));
    /// ```
    pub fn is_access_control_name(name: &str) -> bool {
        name.as_bytes()
            .get(..15)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"access-control-"))
    }

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
                const ACAPN: http::HeaderName =
                    http::HeaderName::from_static("access-control-allow-private-network");
                ACAPN
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

/// [`VARY_JOINED`] as `http` 1.x values, validated at compile time.
#[cfg(feature = "http")]
static VARY_HTTP: [http::HeaderValue; 8] = [
    http::HeaderValue::from_static(VARY_JOINED[0]),
    http::HeaderValue::from_static(VARY_JOINED[1]),
    http::HeaderValue::from_static(VARY_JOINED[2]),
    http::HeaderValue::from_static(VARY_JOINED[3]),
    http::HeaderValue::from_static(VARY_JOINED[4]),
    http::HeaderValue::from_static(VARY_JOINED[5]),
    http::HeaderValue::from_static(VARY_JOINED[6]),
    http::HeaderValue::from_static(VARY_JOINED[7]),
];

impl Vary {
    /// The bit mask over [`VARY_ITEMS`].
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
        let mask = self.missing(existing);
        (mask != 0).then(|| VARY_JOINED[mask])
    }

    /// [`Vary::as_str`] as a `http` 1.x value, without validating it again (`None` for
    /// [`Vary::None`]).
    #[cfg(feature = "http")]
    pub fn http_value(self) -> Option<http::HeaderValue> {
        let mask = self.mask();
        (mask != 0).then(|| VARY_HTTP[mask].clone())
    }

    /// [`Vary::append_to`] as a `http` 1.x value, without validating it again.
    #[cfg(feature = "http")]
    pub fn http_append_to<'v, I>(self, existing: I) -> Option<http::HeaderValue>
    where
        I: IntoIterator<Item = &'v [u8]>,
    {
        let mask = self.missing(existing);
        (mask != 0).then(|| VARY_HTTP[mask].clone())
    }

    /// The bit mask of this value's items that `existing` lacks (`0` also for `Vary: *`).
    fn missing<'v, I>(self, existing: I) -> usize
    where
        I: IntoIterator<Item = &'v [u8]>,
    {
        let mut mask = self.mask();
        if mask == 0 {
            return 0;
        }
        for line in existing {
            for item in line.split(|&b| b == b',') {
                let item = crate::token::trim_ows(item);
                if item == b"*" {
                    return 0;
                }
                for (bit, name) in VARY_ITEMS.iter().enumerate() {
                    if item.eq_ignore_ascii_case(name.as_bytes()) {
                        mask &= !(1 << bit);
                    }
                }
            }
        }
        mask
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
///
/// It is small (about 150 bytes): one field per header, borrowing the policy's precomputed
/// values and the request view's bytes, so moving it costs little.
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    kind: RequestKind,
    action: Action,
    vary: Vary,
    reason: Option<Reason<'a>>,
    allow_origin: Option<Value<'a>>,
    allow_credentials: Option<&'a PolicyValue>,
    expose_headers: Option<&'a PolicyValue>,
    allow_methods: Option<Value<'a>>,
    allow_headers: AllowHeaders<'a>,
    max_age: Option<&'a PolicyValue>,
    allow_private_network: Option<&'a PolicyValue>,
}

/// How a decision sets `Access-Control-Allow-Headers`.
#[derive(Debug, Clone, Copy)]
enum AllowHeaders<'a> {
    /// Not at all.
    None,
    /// The policy's list.
    Policy(&'a PolicyValue),
    /// Echoes the request's lines that are not empty (`count` of them, the first ones of
    /// `lines`).
    Echo {
        lines: [&'a [u8]; crate::request::MAX_REQUEST_HEADER_LINES],
        count: u8,
    },
}

/// Whether an `Access-Control-Request-Headers` line is echoed (it has an element).
fn echoed_line(line: &[u8]) -> bool {
    !crate::token::trim_ows(line).is_empty()
}

impl<'a> Decision<'a> {
    pub(crate) fn new(kind: RequestKind, action: Action, vary: Vary) -> Self {
        Self {
            kind,
            action,
            vary,
            reason: None,
            allow_origin: None,
            allow_credentials: None,
            expose_headers: None,
            allow_methods: None,
            allow_headers: AllowHeaders::None,
            max_age: None,
            allow_private_network: None,
        }
    }

    pub(crate) fn rejected(mut self, reason: Reason<'a>) -> Self {
        self.reason = Some(reason);
        self
    }

    pub(crate) fn set_allow_origin(&mut self, value: Value<'a>) {
        self.allow_origin = Some(value);
    }

    pub(crate) fn set_allow_credentials(&mut self, value: &'a PolicyValue) {
        self.allow_credentials = Some(value);
    }

    pub(crate) fn set_expose_headers(&mut self, value: &'a PolicyValue) {
        self.expose_headers = Some(value);
    }

    pub(crate) fn set_allow_methods(&mut self, value: Value<'a>) {
        self.allow_methods = Some(value);
    }

    pub(crate) fn set_allow_headers(&mut self, value: &'a PolicyValue) {
        self.allow_headers = AllowHeaders::Policy(value);
    }

    /// Echoes every line of `lines` that has an element, one header each, in order.
    pub(crate) fn echo_allow_headers(&mut self, request_lines: &[&'a [u8]]) {
        let mut lines = [&b""[..]; crate::request::MAX_REQUEST_HEADER_LINES];
        let mut count = 0;
        for (slot, line) in lines
            .iter_mut()
            .zip(request_lines.iter().filter(|l| echoed_line(l)))
        {
            *slot = line;
            count += 1;
        }
        if count > 0 {
            self.allow_headers = AllowHeaders::Echo { lines, count };
        }
    }

    pub(crate) fn set_max_age(&mut self, value: &'a PolicyValue) {
        self.max_age = Some(value);
    }

    pub(crate) fn set_allow_private_network(&mut self, value: &'a PolicyValue) {
        self.allow_private_network = Some(value);
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
    #[inline]
    pub fn headers(&self) -> Headers<'_, 'a> {
        let lines = match self.allow_headers {
            AllowHeaders::Echo { count, .. } => usize::from(count),
            _ => usize::from(self.header(CorsHeader::AllowHeaders).is_some()),
        };
        let single = CorsHeader::ALL
            .iter()
            .filter(|&&h| h != CorsHeader::AllowHeaders && self.header(h).is_some())
            .count();
        Headers {
            d: self,
            next: 0,
            line: 0,
            left: single + lines,
        }
    }

    /// The value of the header `name`, when it is set once (joined with `", "` is up to the
    /// caller when it is set several times; see [`Decision::headers`]).
    pub fn header(&self, name: CorsHeader) -> Option<Value<'a>> {
        match name {
            CorsHeader::AllowOrigin => self.allow_origin,
            CorsHeader::AllowCredentials => self.allow_credentials.map(Value::Policy),
            CorsHeader::ExposeHeaders => self.expose_headers.map(Value::Policy),
            CorsHeader::AllowMethods => self.allow_methods,
            CorsHeader::AllowHeaders => match self.allow_headers {
                AllowHeaders::None => None,
                AllowHeaders::Policy(v) => Some(Value::Policy(v)),
                AllowHeaders::Echo { lines, .. } => Some(Value::RequestHeaders(lines[0])),
            },
            CorsHeader::MaxAge => self.max_age.map(Value::Policy),
            CorsHeader::AllowPrivateNetwork => self.allow_private_network.map(Value::Policy),
        }
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

/// The headers of a [`Decision`], in order: `Access-Control-Allow-Origin`,
/// `-Allow-Credentials`, `-Expose-Headers`, `-Allow-Methods`, `-Allow-Headers` (one per
/// echoed line), `-Max-Age`, `-Allow-Private-Network`, each only when set.
///
/// ```
/// use cors_core::{CorsHeader, CorsRequest, Policy};
/// let policy = Policy::from_toml_str(r#"
///     allow_origins = ["https://a.example"]
///     allow_credentials = true
/// "#)?;
/// let mut req = CorsRequest::new(b"GET");
/// req.push_origin(b"https://a.example");
/// let d = policy.evaluate(&req);
/// let names: Vec<_> = d.headers().map(|h| h.name).collect();
/// assert_eq!(names, [CorsHeader::AllowOrigin, CorsHeader::AllowCredentials]);
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Headers<'d, 'a> {
    d: &'d Decision<'a>,
    /// The index in [`CorsHeader::ALL`] of the next header kind to look at.
    next: usize,
    /// The next echoed request line to look at.
    line: usize,
    left: usize,
}

impl<'a> Iterator for Headers<'_, 'a> {
    type Item = Header<'a>;

    #[inline]
    fn next(&mut self) -> Option<Header<'a>> {
        let d = self.d;
        while let Some(&name) = CorsHeader::ALL.get(self.next) {
            let value = match (name, d.allow_headers) {
                // One header per echoed line; the next kind once they are all out.
                (CorsHeader::AllowHeaders, AllowHeaders::Echo { lines, count }) => {
                    let line = lines
                        .get(self.line)
                        .filter(|_| self.line < usize::from(count));
                    match line {
                        Some(_) => self.line += 1,
                        None => self.next += 1,
                    }
                    line.map(|l| Value::RequestHeaders(l))
                }
                _ => {
                    self.next += 1;
                    d.header(name)
                }
            };
            if let Some(value) = value {
                self.left = self.left.saturating_sub(1);
                return Some(Header { name, value });
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Headers<'_, '_> {}

#[cfg(test)]
mod tests {
    use crate::{CorsHeader, CorsRequest, Policy, Value};

    #[test]
    fn cors_header_discriminants_are_their_index_in_all() {
        // `Detached` and adapters' value tables index by `CorsHeader as usize`.
        for (i, h) in CorsHeader::ALL.into_iter().enumerate() {
            assert_eq!(h as usize, i, "{h}");
        }
    }

    #[test]
    fn headers_skip_blank_echoed_lines_and_report_their_exact_count() {
        let policy = Policy::from_toml_str(
            "allow_origins = [\"https://a.example\"]\nallow_headers = [\"*\"]\nallow_credentials = true",
        )
        .unwrap();
        let mut req = CorsRequest::new(b"OPTIONS");
        req.push_origin(b"https://a.example");
        req.push_request_method(b"GET");
        for line in [&b"x-a"[..], b"  ", b"", b"x-b, x-c"] {
            req.push_request_headers(line);
        }
        let d = policy.evaluate(&req);
        let mut headers = d.headers();
        assert_eq!(headers.len(), 5, "ACAO, ACAC, ACAM and two ACAH lines");
        let all: Vec<_> = headers.by_ref().collect();
        assert_eq!(headers.len(), 0);
        let acah: Vec<_> = all
            .iter()
            .filter(|h| h.name == CorsHeader::AllowHeaders)
            .map(|h| h.value.as_bytes())
            .collect();
        assert_eq!(acah, [&b"x-a"[..], b"x-b, x-c"]);
        assert!(matches!(
            d.header(CorsHeader::AllowHeaders),
            Some(Value::RequestHeaders(b"x-a"))
        ));
        assert!(
            std::mem::size_of_val(&d) <= 320,
            "{}",
            std::mem::size_of_val(&d)
        );
    }
}
