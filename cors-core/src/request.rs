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
    /// Whether the header is present at all.
    pub(crate) fn is_present(&self) -> bool {
        !matches!(self, Field::Absent)
    }
}

/// A borrowed, allocation-free view of the parts of a request that CORS looks at:
/// the method, `Origin`, and the preflight's `Access-Control-Request-*` headers; and, for
/// a policy with [`csrf_protection`](crate::PolicyConfig::csrf_protection) or
/// [`websocket_origin_check`](crate::PolicyConfig::websocket_origin_check) on,
/// `Sec-Fetch-Site`, `Host` and `Upgrade`.
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
    // Headers that may appear once: the first value, and a bit of `repeated` set when more
    // lines came (see `Field`). Kept this small (16 bytes each, one byte for all the
    // bits) so that the whole view stays within 256 bytes, which adapters build on every
    // request.
    origin: Option<&'a [u8]>,
    request_method: Option<&'a [u8]>,
    private_network: Option<&'a [u8]>,
    fetch_site: Option<&'a [u8]>,
    host: Option<&'a [u8]>,
    upgrade: Option<&'a [u8]>,
    request_headers: [&'a [u8]; MAX_REQUEST_HEADER_LINES],
    /// Lines of `Access-Control-Request-Headers` seen (saturating).
    request_header_lines: u8,
    /// `Repeated::*` bits.
    repeated: u8,
    /// Whether [`CorsRequest::push_header`] records `Sec-Fetch-Site`, `Host` and `Upgrade`.
    site: bool,
}

/// Bits of `CorsRequest::repeated`: the header came more than once.
mod repeated {
    pub const ORIGIN: u8 = 1;
    pub const REQUEST_METHOD: u8 = 1 << 1;
    pub const PRIVATE_NETWORK: u8 = 1 << 2;
    pub const FETCH_SITE: u8 = 1 << 3;
    pub const HOST: u8 = 1 << 4;
    pub const UPGRADE: u8 = 1 << 5;
}

/// Records one line of a header that may appear once.
#[inline]
fn push_once<'a>(slot: &mut Option<&'a [u8]>, repeated: &mut u8, bit: u8, value: &'a [u8]) {
    if slot.is_some() {
        *repeated |= bit;
    } else {
        *slot = Some(value);
    }
}

impl<'a> CorsRequest<'a> {
    /// A view of a request with this method and no headers yet.
    pub fn new(method: &'a [u8]) -> Self {
        Self {
            method,
            origin: None,
            request_method: None,
            private_network: None,
            fetch_site: None,
            host: None,
            upgrade: None,
            request_headers: [b""; MAX_REQUEST_HEADER_LINES],
            request_header_lines: 0,
            repeated: 0,
            site: true,
        }
    }

    /// A view for `policy`: [`CorsRequest::push_header`] then skips `Sec-Fetch-Site`,
    /// `Host` and `Upgrade` (three name comparisons per header line fewer) unless the
    /// policy reads them ([`Policy::reads_site_headers`]). What adapters that push every
    /// header line use.
    ///
    /// ```
    /// use cors_core::{CorsRequest, Policy};
    /// let policy = Policy::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?;
    /// let mut req = CorsRequest::for_policy(b"POST", &policy);
    /// req.push_header(b"sec-fetch-site", b"cross-site"); // not read by this policy
    /// assert!(policy.evaluate(&req).reason().is_none());
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    ///
    /// [`Policy::reads_site_headers`]: crate::Policy::reads_site_headers
    pub fn for_policy(method: &'a [u8], policy: &crate::Policy) -> Self {
        let mut req = Self::new(method);
        req.site = policy.reads_site_headers();
        req
    }

    /// Records one header line; names compare case-insensitively and other headers are
    /// ignored. `Sec-Fetch-Site`, `Host` and `Upgrade` are recorded too, unless the view
    /// was made by [`CorsRequest::for_policy`] for a policy that does not read them.
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
        } else if self.site {
            self.push_site_header(name, value);
        }
    }

    /// Records `Sec-Fetch-Site`, `Host` or `Upgrade`; ignores other headers.
    fn push_site_header(&mut self, name: &[u8], value: &'a [u8]) {
        use crate::csrf::names::*;
        if name.eq_ignore_ascii_case(SEC_FETCH_SITE.as_bytes()) {
            self.push_fetch_site(value);
        } else if name.eq_ignore_ascii_case(HOST.as_bytes()) {
            self.push_host(value);
        } else if name.eq_ignore_ascii_case(UPGRADE.as_bytes()) {
            self.push_upgrade(value);
        }
    }

    /// Records one `Sec-Fetch-Site` line (read by
    /// [`csrf_protection`](crate::PolicyConfig::csrf_protection) and
    /// [`websocket_origin_check`](crate::PolicyConfig::websocket_origin_check)).
    ///
    /// ```
    /// use cors_core::{CorsRequest, Policy};
    /// let policy = Policy::from_toml_str(r#"
    ///     allow_origins = ["https://app.example.com"]
    ///     csrf_protection = "enforce"
    /// "#)?;
    /// let mut req = CorsRequest::new(b"POST");
    /// req.push_origin(b"https://evil.example");
    /// req.push_fetch_site(b"cross-site");
    /// assert_eq!(policy.evaluate(&req).reason().unwrap().code(), "cross-origin-request");
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn push_fetch_site(&mut self, value: &'a [u8]) {
        push_once(
            &mut self.fetch_site,
            &mut self.repeated,
            repeated::FETCH_SITE,
            value,
        );
    }

    /// Records one `Host` line: the request's own host, which an `Origin` is compared with
    /// when `Sec-Fetch-Site` is absent.
    ///
    /// ```
    /// use cors_core::{Action, CorsRequest, Policy};
    /// let policy = Policy::from_toml_str(r#"
    ///     allow_origins = ["https://app.example.com"]
    ///     csrf_protection = "enforce"
    /// "#)?;
    /// let mut req = CorsRequest::new(b"POST");
    /// req.push_origin(b"https://api.example.com");
    /// req.push_host(b"api.example.com"); // same origin, no Sec-Fetch-Site: to the handler
    /// assert_eq!(policy.evaluate(&req).action(), Action::Forward);
    /// req.push_host(b"api.example.com"); // two Host headers: not the same origin
    /// assert_ne!(policy.evaluate(&req).action(), Action::Forward);
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn push_host(&mut self, value: &'a [u8]) {
        push_once(&mut self.host, &mut self.repeated, repeated::HOST, value);
    }

    /// Records one `Upgrade` line (`websocket` marks a WebSocket handshake).
    ///
    /// ```
    /// use cors_core::{CorsRequest, Policy};
    /// let policy = Policy::from_toml_str(r#"
    ///     allow_origins = ["https://app.example.com"]
    ///     websocket_origin_check = true
    /// "#)?;
    /// let mut req = CorsRequest::new(b"GET");
    /// req.push_origin(b"https://evil.example");
    /// req.push_upgrade(b"websocket");
    /// assert_eq!(policy.evaluate(&req).reason().unwrap().code(), "cross-origin-websocket");
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn push_upgrade(&mut self, value: &'a [u8]) {
        push_once(
            &mut self.upgrade,
            &mut self.repeated,
            repeated::UPGRADE,
            value,
        );
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
        push_once(
            &mut self.origin,
            &mut self.repeated,
            repeated::ORIGIN,
            value,
        );
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
        push_once(
            &mut self.request_method,
            &mut self.repeated,
            repeated::REQUEST_METHOD,
            value,
        );
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
        if let Some(slot) = self
            .request_headers
            .get_mut(usize::from(self.request_header_lines))
        {
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
        push_once(
            &mut self.private_network,
            &mut self.repeated,
            repeated::PRIVATE_NETWORK,
            value,
        );
    }

    /// The request's method.
    pub fn method(&self) -> &'a [u8] {
        self.method
    }

    /// The `Origin` header.
    pub(crate) fn origin(&self) -> Field<'a> {
        self.field(self.origin, repeated::ORIGIN)
    }

    /// The `Access-Control-Request-Method` header.
    pub(crate) fn request_method(&self) -> Field<'a> {
        self.field(self.request_method, repeated::REQUEST_METHOD)
    }

    /// The kept `Access-Control-Request-Headers` lines, in order.
    pub(crate) fn request_headers(&self) -> &[&'a [u8]] {
        let n = usize::from(self.request_header_lines).min(MAX_REQUEST_HEADER_LINES);
        &self.request_headers[..n]
    }

    /// Whether more `Access-Control-Request-Headers` lines came than are kept.
    pub(crate) fn too_many_request_header_lines(&self) -> bool {
        usize::from(self.request_header_lines) > MAX_REQUEST_HEADER_LINES
    }

    /// A header that may appear once, from its slot and its bit of `repeated`.
    #[inline]
    fn field(&self, slot: Option<&'a [u8]>, bit: u8) -> Field<'a> {
        match slot {
            None => Field::Absent,
            Some(v) if self.repeated & bit != 0 => Field::Repeated(v),
            Some(v) => Field::One(v),
        }
    }

    /// The `Access-Control-Request-Private-Network` header.
    pub(crate) fn private_network(&self) -> Field<'a> {
        self.field(self.private_network, repeated::PRIVATE_NETWORK)
    }

    /// The `Sec-Fetch-Site` header.
    pub(crate) fn fetch_site(&self) -> Field<'a> {
        self.field(self.fetch_site, repeated::FETCH_SITE)
    }

    /// The `Host` header.
    pub(crate) fn host(&self) -> Field<'a> {
        self.field(self.host, repeated::HOST)
    }

    /// Whether this is a WebSocket handshake: a GET whose (one) `Upgrade` asks for
    /// `websocket`.
    pub(crate) fn is_websocket(&self) -> bool {
        self.method == b"GET"
            && matches!(self.field(self.upgrade, repeated::UPGRADE), Field::One(v) if crate::csrf::is_websocket(v))
    }

    /// Whether `policy` reads this request's `Sec-Fetch-Site`, `Host` and `Upgrade`: an
    /// unsafe method (not GET, HEAD or OPTIONS) under
    /// [`csrf_protection`](crate::PolicyConfig::csrf_protection), a GET with `Origin`
    /// under [`websocket_origin_check`](crate::PolicyConfig::websocket_origin_check).
    /// Adapters that look headers up one by one skip the three otherwise (push `Origin`
    /// first); with both keys at their defaults this is one load and a branch.
    ///
    /// ```
    /// use cors_core::{CorsRequest, Policy};
    /// let policy = Policy::from_toml_str(r#"
    ///     allow_origins = ["https://a.example"]
    ///     csrf_protection = "enforce"
    /// "#)?;
    /// assert!(CorsRequest::new(b"POST").needs_site_headers(&policy));
    /// assert!(!CorsRequest::new(b"GET").needs_site_headers(&policy));
    /// assert!(!CorsRequest::new(b"POST").needs_site_headers(&Policy::any_origin()));
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    #[inline]
    pub fn needs_site_headers(&self, policy: &crate::Policy) -> bool {
        policy.reads_site_headers() && policy.site_headers_for(self.method, self.origin())
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
        self.method == b"OPTIONS" && self.origin.is_some()
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
        self.method == b"OPTIONS" && self.origin.is_some() && self.request_method.is_some()
    }
}

#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
impl<'a> CorsRequest<'a> {
    /// A view of an `http` 1.x request's method and headers (all those a policy may read),
    /// without copying any value.
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
        let mut req = Self::new(method.as_str().as_bytes());
        req.push_http_cors_headers(method, headers);
        req.push_http_site_headers(headers);
        req
    }

    /// A view of an `http` 1.x request for `policy`: as [`CorsRequest::from_http`], but
    /// `Sec-Fetch-Site`, `Host` and `Upgrade` are looked up only when the policy reads them
    /// for this request ([`CorsRequest::needs_site_headers`]).
    ///
    /// ```
    /// let policy = cors_core::Policy::from_toml_str(r#"
    ///     allow_origins = ["https://a.example"]
    ///     csrf_protection = "enforce"
    /// "#)?;
    /// let req = http::Request::post("/")
    ///     .header("origin", "https://evil.example")
    ///     .header("sec-fetch-site", "cross-site")
    ///     .body(())?;
    /// let view = cors_core::CorsRequest::from_http_for(req.method(), req.headers(), &policy);
    /// assert_eq!(policy.evaluate(&view).reason().unwrap().code(), "cross-origin-request");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_http_for(
        method: &'a http::Method,
        headers: &'a http::HeaderMap,
        policy: &crate::Policy,
    ) -> Self {
        // Built in place (no view returned by value from a helper): the view is a few
        // hundred bytes, and this is every request's path.
        let mut req = Self::new(method.as_str().as_bytes());
        req.push_http_cors_headers(method, headers);
        if req.needs_site_headers(policy) {
            req.push_http_site_headers(headers);
        }
        req
    }

    /// Records `Sec-Fetch-Site`, `Host` and `Upgrade`.
    #[cold]
    pub(crate) fn push_http_site_headers(&mut self, headers: &'a http::HeaderMap) {
        use http::header::{HOST, HeaderName, UPGRADE};
        const SEC_FETCH_SITE: HeaderName =
            HeaderName::from_static(crate::csrf::names::SEC_FETCH_SITE);
        for v in headers.get_all(SEC_FETCH_SITE) {
            self.push_fetch_site(v.as_bytes());
        }
        for v in headers.get_all(HOST) {
            self.push_host(v.as_bytes());
        }
        for v in headers.get_all(UPGRADE) {
            self.push_upgrade(v.as_bytes());
        }
    }

    /// Records `Origin` and, for an `OPTIONS` (only it can be a preflight), the
    /// `Access-Control-Request-*` headers; returns the first `Origin` value, kept so that
    /// echoing it needs no second hashed lookup.
    #[inline]
    pub(crate) fn push_http_cors_headers(
        &mut self,
        method: &http::Method,
        headers: &'a http::HeaderMap,
    ) -> Option<&'a http::HeaderValue> {
        use http::header::{
            ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, HeaderName, ORIGIN,
        };
        // Typed names: no parsing of the name on every lookup.
        const ACRPN: HeaderName =
            HeaderName::from_static(names::ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK);
        let mut origin = None;
        if *method != http::Method::OPTIONS {
            // Only an `OPTIONS` can be a preflight: one hashed lookup of `Origin`.
            for v in headers.get_all(ORIGIN) {
                origin.get_or_insert(v);
                self.push_origin(v.as_bytes());
            }
            return origin;
        }
        // One pass comparing typed names costs less than a hashed lookup of `Origin` and
        // another pass for the `Access-Control-Request-*` headers (which count only with
        // an `Origin`); values of one name come in their order.
        for (name, v) in headers {
            if *name == ORIGIN {
                origin.get_or_insert(v);
                self.push_origin(v.as_bytes());
            } else if *name == ACCESS_CONTROL_REQUEST_METHOD {
                self.push_request_method(v.as_bytes());
            } else if *name == ACCESS_CONTROL_REQUEST_HEADERS {
                self.push_request_headers(v.as_bytes());
            } else if *name == ACRPN {
                self.push_private_network(v.as_bytes());
            }
        }
        origin
    }
}
