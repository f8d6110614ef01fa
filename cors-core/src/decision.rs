//! What [`Policy::evaluate`](crate::Policy::evaluate) returns: plain data that adapters
//! translate into their framework's response.

use crate::{CorsHeader, Header, PolicyValue, Reason, Status, Value, Vary};

/// What kind of request the policy saw.
///
/// ```
/// use cors_core::{CorsRequest, Policy, RequestKind};
/// let policy = Policy::any_origin();
/// assert_eq!(policy.evaluate(&CorsRequest::new(b"GET")).kind(), RequestKind::NotCors);
/// ```
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
///
/// ```
/// use cors_core::{Action, CorsRequest, Policy, Status};
/// let policy = Policy::any_origin();
/// let mut req = CorsRequest::new(b"OPTIONS");
/// req.push_origin(b"https://a.example");
/// req.push_request_method(b"PUT");
/// assert_eq!(policy.evaluate(&req).action(), Action::Respond { status: Status::NO_CONTENT });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Pass the request to the handler, then apply the decision to its response
    /// (whatever it is: a 404, a 500 or a handler error included).
    Forward,
    /// Answer now, without the handler: an empty response with this status and the
    /// decision's headers.
    Respond {
        /// The policy's preflight status, or 403.
        status: Status,
    },
}

/// The outcome of [`Policy::evaluate`](crate::Policy::evaluate): plain data, no allocation.
///
/// It says what to do, as [`Decision::action`]:
///
/// * [`Action::Respond`]: answer at once with that status, an empty body, the
///   [`headers`](Decision::headers) and `Vary` set to [`Vary::as_str`] (when not empty).
/// * [`Action::Forward`]: run the handler; on its response (error responses included),
///   remove every header in [`clears`](Decision::clears), append the
///   [`headers`](Decision::headers), and append the [`vary`](Decision::vary) items the
///   response's `Vary` lacks.
///
/// Adapters do not apply it by hand: [`Policy::decide`](crate::Policy::decide) evaluates a
/// request into a [`Pending`](crate::Pending) decision whose
/// [`write_to`](crate::Pending::write_to) does exactly this on any
/// [`ResponseHeaders`](crate::ResponseHeaders).
///
/// It is small (about 150 bytes): one field per header, borrowing the policy's precomputed
/// values and the request view's bytes, so moving it costs little.
#[derive(Debug, Clone, Copy)]
#[must_use = "a decision does nothing until it is applied to a response"]
pub struct Decision<'a> {
    verdict: Verdict<'a>,
    action: Action,
    vary: Vary,
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

/// The headers an actual request's decision clears.
const ACTUAL: &[CorsHeader] = &[
    CorsHeader::AllowOrigin,
    CorsHeader::AllowCredentials,
    CorsHeader::ExposeHeaders,
];
/// [`ACTUAL`] as bits (`1 << h as u8`).
const ACTUAL_BITS: u8 = 1 << CorsHeader::AllowOrigin as u8
    | 1 << CorsHeader::AllowCredentials as u8
    | 1 << CorsHeader::ExposeHeaders as u8;
/// Every header, as bits.
const ALL_BITS: u8 = (1 << CorsHeader::ALL.len()) - 1;

/// The headers a decision clears, as bits (`1 << h as u8`): every header on an answer and
/// on a forwarded preflight; an actual request's on other forwarded responses to CORS
/// requests and on those that set `Access-Control-Allow-Origin` anyway (a policy
/// allowing any origin); none on the rest. See [`Decision::clears`].
#[inline]
pub(crate) fn clears_bits(kind: RequestKind, action: Action, sets_origin: bool) -> u8 {
    match (kind, action) {
        (_, Action::Respond { .. }) | (RequestKind::Preflight, _) => ALL_BITS,
        (RequestKind::Actual, Action::Forward) => ACTUAL_BITS,
        (RequestKind::NotCors, Action::Forward) if sets_origin => ACTUAL_BITS,
        (RequestKind::NotCors, Action::Forward) => 0,
    }
}

/// What an evaluation writes its outcome into, step by step: a [`Decision`]
/// ([`Policy::evaluate`](crate::Policy::evaluate)) or a [`Pending`](crate::Pending)
/// decision being built ([`Policy::decide`](crate::Policy::decide)), so that both come
/// from the one evaluation and `decide` builds no `Decision` in between.
pub(crate) trait Outcome<'a> {
    /// Starts over: a decision of this kind, action and `Vary`, no header, no reason.
    fn start(&mut self, kind: RequestKind, action: Action, vary: Vary);
    /// The kind and the reason so far.
    fn verdict(&self) -> &Verdict<'a>;
    /// The same, to change.
    fn verdict_mut(&mut self) -> &mut Verdict<'a>;
    /// Notes why the request is rejected.
    #[inline]
    fn reject(&mut self, reason: Reason<'a>) {
        self.verdict_mut().reason = Some(reason);
    }
    /// Notes `reason` as what `csrf_protection = "enforce"` would have refused (it
    /// replaces the CORS reason, if any: an origin the check refuses is one CORS refuses
    /// too).
    fn report(&mut self, reason: Reason<'a>) {
        let v = self.verdict_mut();
        v.reason = Some(reason);
        v.report_only = true;
    }
    /// Sets `Access-Control-Allow-Origin`.
    fn allow_origin(&mut self, value: Value<'a>);
    /// Sets `Access-Control-Allow-Credentials`.
    fn allow_credentials(&mut self, value: &'a PolicyValue);
    /// Sets `Access-Control-Expose-Headers`.
    fn expose_headers(&mut self, value: &'a PolicyValue);
    /// Sets `Access-Control-Allow-Methods`.
    fn allow_methods(&mut self, value: Value<'a>);
    /// Sets `Access-Control-Allow-Headers` to the policy's list.
    fn allow_headers(&mut self, value: &'a PolicyValue);
    /// Echoes every line of `lines` that has an element as `Access-Control-Allow-Headers`,
    /// one header each, in order.
    fn echo_allow_headers(&mut self, lines: &[&'a [u8]]);
    /// Sets `Access-Control-Max-Age`.
    fn max_age(&mut self, value: &'a PolicyValue);
    /// Sets `Access-Control-Allow-Private-Network`.
    fn allow_private_network(&mut self, value: &'a PolicyValue);
    /// The `Vary` given to [`Outcome::start`].
    fn vary(&self) -> Vary;
}

/// What a decision says of the request besides its headers: the kind, and why it was
/// rejected (or, in report mode, would have been). Kept alike by a [`Decision`] and by
/// a pending decision being evaluated, and what the counter and the rejection event read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Verdict<'a> {
    pub kind: RequestKind,
    pub reason: Option<Reason<'a>>,
    /// `reason` is only reported (`csrf_protection = "report"`): nothing was refused.
    pub report_only: bool,
}

impl Verdict<'_> {
    /// A request of this kind, not rejected.
    #[inline]
    pub(crate) fn new(kind: RequestKind) -> Self {
        Self {
            kind,
            reason: None,
            report_only: false,
        }
    }

    /// Whether this is a CORS request allowed.
    #[inline]
    pub(crate) fn is_allowed(&self) -> bool {
        self.kind != RequestKind::NotCors && self.reason.is_none()
    }
}

/// Whether an `Access-Control-Request-Headers` line is echoed (it has an element).
pub(crate) fn echoed_line(line: &[u8]) -> bool {
    !crate::token::trim_ows(line).is_empty()
}

impl<'a> Decision<'a> {
    pub(crate) fn new(kind: RequestKind, action: Action, vary: Vary) -> Self {
        Self {
            verdict: Verdict::new(kind),
            action,
            vary,
            allow_origin: None,
            allow_credentials: None,
            expose_headers: None,
            allow_methods: None,
            allow_headers: AllowHeaders::None,
            max_age: None,
            allow_private_network: None,
        }
    }

    /// Which kind of request this was.
    pub fn kind(&self) -> RequestKind {
        self.verdict.kind
    }

    /// Why the request was rejected, if it was. `None` for allowed CORS requests and for
    /// requests that are not CORS requests, unless the origin check of
    /// [`csrf_protection`](crate::PolicyConfig::csrf_protection) or
    /// [`websocket_origin_check`](crate::PolicyConfig::websocket_origin_check) refused
    /// them (or, in report mode, would have: see [`Decision::is_report_only`]).
    pub fn reason(&self) -> Option<&Reason<'a>> {
        self.verdict.reason.as_ref()
    }

    /// Whether the [`reason`](Decision::reason) is only reported: under
    /// `csrf_protection = "report"`, a request `"enforce"` would refuse, which goes on to
    /// the handler (logged and counted as `outcome="reported"`).
    ///
    /// ```
    /// use cors_core::{Action, CorsRequest, Policy};
    /// let policy = Policy::from_toml_str(r#"
    ///     allow_origins = ["https://app.example.com"]
    ///     csrf_protection = "report"
    /// "#)?;
    /// let mut req = CorsRequest::new(b"POST");
    /// req.push_origin(b"https://evil.example");
    /// req.push_fetch_site(b"cross-site");
    /// let d = policy.evaluate(&req);
    /// assert_eq!(d.reason().unwrap().code(), "cross-origin-request");
    /// assert!(d.is_report_only());
    /// assert_eq!(d.action(), Action::Forward);
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn is_report_only(&self) -> bool {
        self.verdict.report_only
    }

    /// Whether this is a CORS request the policy allowed.
    pub fn is_allowed(&self) -> bool {
        self.verdict.is_allowed()
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

    /// The CORS headers removed from the response (when it has any) before
    /// [`Decision::headers`] are added, so that each appears exactly as decided: a
    /// handler's own `Access-Control-Allow-Origin` never survives beside ours.
    ///
    /// Every CORS header on an answer and on a forwarded preflight; those of an actual
    /// request on other forwarded responses that are CORS requests or get CORS headers
    /// (a policy allowing any origin); none on other responses to requests without
    /// `Origin`, which the policy leaves alone.
    pub fn clears(&self) -> &'static [CorsHeader] {
        match clears_bits(self.verdict.kind, self.action, self.allow_origin.is_some()) {
            ALL_BITS => &CorsHeader::ALL,
            ACTUAL_BITS => ACTUAL,
            _ => &[],
        }
    }

    /// The `Vary` items to add.
    pub fn vary(&self) -> Vary {
        self.vary
    }
}

impl<'a> Outcome<'a> for Decision<'a> {
    #[inline]
    fn start(&mut self, kind: RequestKind, action: Action, vary: Vary) {
        *self = Decision::new(kind, action, vary);
    }

    fn verdict(&self) -> &Verdict<'a> {
        &self.verdict
    }

    fn verdict_mut(&mut self) -> &mut Verdict<'a> {
        &mut self.verdict
    }

    #[inline]
    fn allow_origin(&mut self, value: Value<'a>) {
        self.allow_origin = Some(value);
    }

    #[inline]
    fn allow_credentials(&mut self, value: &'a PolicyValue) {
        self.allow_credentials = Some(value);
    }

    #[inline]
    fn expose_headers(&mut self, value: &'a PolicyValue) {
        self.expose_headers = Some(value);
    }

    #[inline]
    fn allow_methods(&mut self, value: Value<'a>) {
        self.allow_methods = Some(value);
    }

    #[inline]
    fn allow_headers(&mut self, value: &'a PolicyValue) {
        self.allow_headers = AllowHeaders::Policy(value);
    }

    fn echo_allow_headers(&mut self, request_lines: &[&'a [u8]]) {
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

    #[inline]
    fn max_age(&mut self, value: &'a PolicyValue) {
        self.max_age = Some(value);
    }

    #[inline]
    fn allow_private_network(&mut self, value: &'a PolicyValue) {
        self.allow_private_network = Some(value);
    }

    fn vary(&self) -> Vary {
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
        // `Pending` and adapters' value tables index by `CorsHeader as usize`.
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
