//! The borrowed view of a request that [`Policy::evaluate`](crate::Policy::evaluate) reads.

/// How many `Access-Control-Request-Headers` lines a preflight may carry.
///
/// Browsers send one; a preflight with more lines than this is refused as malformed.
pub(crate) const MAX_REQUEST_HEADER_LINES: usize = 8;

/// Lower-case names of the request headers the view reads.
pub(crate) mod names {
    /// `Origin`.
    pub const ORIGIN: &str = "origin";
    /// `Access-Control-Request-Method`.
    pub const ACCESS_CONTROL_REQUEST_METHOD: &str = "access-control-request-method";
    /// `Access-Control-Request-Headers`.
    pub const ACCESS_CONTROL_REQUEST_HEADERS: &str = "access-control-request-headers";
    /// `Access-Control-Request-Private-Network`.
    pub const ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: &str =
        "access-control-request-private-network";
}

/// A header that may appear once, recorded without copying.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Field<'a> {
    /// The header is absent.
    #[default]
    Absent,
    /// The header appears exactly once, with this value.
    One(&'a [u8]),
    /// The header appears more than once; the first value is kept.
    Repeated(&'a [u8]),
}

impl<'a> Field<'a> {
    fn push(&mut self, v: &'a [u8]) {
        *self = match *self {
            Field::Absent => Field::One(v),
            Field::One(first) | Field::Repeated(first) => Field::Repeated(first),
        };
    }

    /// Whether the header is present at all.
    pub(crate) fn is_present(&self) -> bool {
        !matches!(self, Field::Absent)
    }
}

/// A borrowed, allocation-free view of the parts of a request that CORS looks at:
/// the method, `Origin`, and the preflight's `Access-Control-Request-*` headers.
///
/// Build it from `http` 1.x types with [`CorsRequest::from_http`] (feature `http`),
/// or from raw bytes by pushing each header line:
///
/// ```
/// use cors_core::CorsRequest;
///
/// let mut req = CorsRequest::new(b"OPTIONS");
/// req.push_header(b"Origin", b"https://app.example.com");
/// req.push_header(b"Access-Control-Request-Method", b"PUT");
/// req.push_header(b"Access-Control-Request-Headers", b"content-type");
/// req.push_header(b"Accept", b"*/*"); // ignored
/// assert!(req.is_preflight());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CorsRequest<'a> {
    method: &'a [u8],
    origin: Field<'a>,
    request_method: Field<'a>,
    request_headers: [&'a [u8]; MAX_REQUEST_HEADER_LINES],
    request_header_lines: usize,
    private_network: Field<'a>,
}

impl<'a> CorsRequest<'a> {
    /// A view of a request with this method and no CORS headers yet.
    pub fn new(method: &'a [u8]) -> Self {
        Self {
            method,
            origin: Field::Absent,
            request_method: Field::Absent,
            request_headers: [b""; MAX_REQUEST_HEADER_LINES],
            request_header_lines: 0,
            private_network: Field::Absent,
        }
    }

    /// Records one header line; names compare case-insensitively and other headers are ignored.
    ///
    /// ```
    /// use cors_core::{CorsRequest, Policy, RequestKind};
    /// let mut req = CorsRequest::new(b"GET");
    /// req.push_header(b"ORIGIN", b"https://a.example");
    /// req.push_header(b"accept", b"*/*"); // ignored
    /// assert_eq!(Policy::any_origin().evaluate(&req).kind(), RequestKind::Actual);
    /// ```
    pub fn push_header(&mut self, name: &[u8], value: &'a [u8]) {
        use names::*;
        if name.eq_ignore_ascii_case(ORIGIN.as_bytes()) {
            self.push_origin(value);
        } else if name.eq_ignore_ascii_case(ACCESS_CONTROL_REQUEST_METHOD.as_bytes()) {
            self.push_request_method(value);
        } else if name.eq_ignore_ascii_case(ACCESS_CONTROL_REQUEST_HEADERS.as_bytes()) {
            self.push_request_headers(value);
        } else if name.eq_ignore_ascii_case(ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK.as_bytes()) {
            self.push_private_network(value);
        }
    }

    /// Records one `Origin` line.
    ///
    /// ```
    /// use cors_core::{CorsRequest, Policy, RequestKind};
    /// let mut req = CorsRequest::new(b"GET");
    /// req.push_origin(b"https://a.example");
    /// assert_eq!(Policy::any_origin().evaluate(&req).kind(), RequestKind::Actual);
    /// ```
    pub fn push_origin(&mut self, value: &'a [u8]) {
        self.origin.push(value);
    }

    /// Records one `Access-Control-Request-Method` line.
    ///
    /// ```
    /// let mut req = cors_core::CorsRequest::new(b"OPTIONS");
    /// req.push_origin(b"https://a.example");
    /// req.push_request_method(b"PUT");
    /// assert!(req.is_preflight());
    /// ```
    pub fn push_request_method(&mut self, value: &'a [u8]) {
        self.request_method.push(value);
    }

    /// Records one `Access-Control-Request-Headers` line.
    ///
    /// A preflight may carry up to 8 lines (browsers send one); more lines are counted but
    /// not kept, and such a preflight is refused as malformed.
    ///
    /// ```
    /// use cors_core::{CorsRequest, Policy};
    /// let policy = Policy::from_toml_str(r#"
    ///     allow_origins = ["https://a.example"]
    ///     allow_headers = ["content-type", "x-a", "x-b"]
    /// "#)?;
    /// let mut req = CorsRequest::new(b"OPTIONS");
    /// req.push_origin(b"https://a.example");
    /// req.push_request_method(b"GET");
    /// req.push_request_headers(b"content-type");
    /// req.push_request_headers(b"x-a, x-b");
    /// assert!(policy.evaluate(&req).is_allowed());
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn push_request_headers(&mut self, value: &'a [u8]) {
        if let Some(slot) = self.request_headers.get_mut(self.request_header_lines) {
            *slot = value;
        }
        self.request_header_lines = self.request_header_lines.saturating_add(1);
    }

    /// Records one `Access-Control-Request-Private-Network` line.
    ///
    /// ```
    /// use cors_core::{CorsHeader, CorsRequest, Policy};
    /// let policy = Policy::from_toml_str(r#"
    ///     allow_origins = ["https://a.example"]
    ///     allow_private_network = true
    /// "#)?;
    /// let mut req = CorsRequest::new(b"OPTIONS");
    /// req.push_origin(b"https://a.example");
    /// req.push_request_method(b"GET");
    /// req.push_private_network(b"true");
    /// let d = policy.evaluate(&req);
    /// assert_eq!(d.header(CorsHeader::AllowPrivateNetwork).unwrap().as_bytes(), b"true");
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn push_private_network(&mut self, value: &'a [u8]) {
        self.private_network.push(value);
    }

    /// The request's method.
    pub fn method(&self) -> &'a [u8] {
        self.method
    }

    /// The `Origin` header.
    pub(crate) fn origin(&self) -> Field<'a> {
        self.origin
    }

    /// The `Access-Control-Request-Method` header.
    pub(crate) fn request_method(&self) -> Field<'a> {
        self.request_method
    }

    /// The kept `Access-Control-Request-Headers` lines, in order.
    pub(crate) fn request_headers(&self) -> &[&'a [u8]] {
        let n = self.request_header_lines.min(MAX_REQUEST_HEADER_LINES);
        &self.request_headers[..n]
    }

    /// Whether more `Access-Control-Request-Headers` lines came than are kept.
    pub(crate) fn too_many_request_header_lines(&self) -> bool {
        self.request_header_lines > MAX_REQUEST_HEADER_LINES
    }

    /// The `Access-Control-Request-Private-Network` header.
    pub(crate) fn private_network(&self) -> Field<'a> {
        self.private_network
    }

    /// Whether the `Access-Control-Request-*` headers matter for this request: only an
    /// `OPTIONS` with `Origin` can be a preflight, so adapters may skip looking them up
    /// otherwise (push `Origin` first).
    ///
    /// ```
    /// let mut req = cors_core::CorsRequest::new(b"GET");
    /// req.push_origin(b"https://a.example");
    /// assert!(!req.needs_preflight_headers());
    /// ```
    pub fn needs_preflight_headers(&self) -> bool {
        self.method == b"OPTIONS" && self.origin.is_present()
    }

    /// Whether this is a CORS preflight: `OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method`. An `OPTIONS` without the latter is an actual request.
    ///
    /// ```
    /// let mut req = cors_core::CorsRequest::new(b"OPTIONS");
    /// req.push_origin(b"https://a.example");
    /// assert!(!req.is_preflight());
    /// ```
    pub fn is_preflight(&self) -> bool {
        self.method == b"OPTIONS" && self.origin.is_present() && self.request_method.is_present()
    }
}

#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
impl<'a> CorsRequest<'a> {
    /// A view of an `http` 1.x request's method and headers, without copying any value.
    ///
    /// ```
    /// let req = http::Request::builder()
    ///     .method("OPTIONS")
    ///     .header("origin", "https://a.example")
    ///     .header("access-control-request-method", "PUT")
    ///     .body(())
    ///     .unwrap();
    /// let view = cors_core::CorsRequest::from_http(req.method(), req.headers());
    /// assert!(view.is_preflight());
    /// ```
    pub fn from_http(method: &'a http::Method, headers: &'a http::HeaderMap) -> Self {
        Self::from_http_keeping_origin(method, headers).0
    }

    /// [`CorsRequest::from_http`], and the request's first `Origin` value, kept so that
    /// echoing it needs no second hashed lookup.
    pub(crate) fn from_http_keeping_origin(
        method: &'a http::Method,
        headers: &'a http::HeaderMap,
    ) -> (Self, Option<&'a http::HeaderValue>) {
        use http::header::{
            ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, HeaderName, ORIGIN,
        };
        // Typed names: no parsing of the name on every lookup.
        const ACRPN: HeaderName =
            HeaderName::from_static(names::ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK);
        let mut req = Self::new(method.as_str().as_bytes());
        let mut origin = None;
        if *method != http::Method::OPTIONS {
            // Only an `OPTIONS` can be a preflight: one hashed lookup of `Origin`.
            for v in headers.get_all(ORIGIN) {
                origin.get_or_insert(v);
                req.push_origin(v.as_bytes());
            }
            return (req, origin);
        }
        // One pass comparing typed names costs less than a hashed lookup of `Origin` and
        // another pass for the `Access-Control-Request-*` headers (which count only with
        // an `Origin`); values of one name come in their order.
        for (name, v) in headers {
            if *name == ORIGIN {
                origin.get_or_insert(v);
                req.push_origin(v.as_bytes());
            } else if *name == ACCESS_CONTROL_REQUEST_METHOD {
                req.push_request_method(v.as_bytes());
            } else if *name == ACCESS_CONTROL_REQUEST_HEADERS {
                req.push_request_headers(v.as_bytes());
            } else if *name == ACRPN {
                req.push_private_network(v.as_bytes());
            }
        }
        (req, origin)
    }
}
