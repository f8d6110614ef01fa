//! The validated, immutable policy and its evaluation.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::config::PolicyConfig;
use crate::counters::Counters;
use crate::csrf::{self, CsrfProtection};
use crate::decision::{Outcome, Verdict};
use crate::error::{PolicyError, Problem, ProblemKind};
use crate::matcher::{OriginMatcher, Predicate};
use crate::pending::Recorded;
use crate::request::{CorsRequest, Field};
use crate::token;
use crate::{
    Action, CorsHeader, Decision, Malformed, PolicyValue, Reason, RequestKind, Status, Value, Vary,
};

/// Most empty `Access-Control-Request-Headers` elements tolerated (`a,,b`).
const MAX_EMPTY_ELEMENTS: usize = 16;
/// Most `Access-Control-Request-Headers` elements considered; browsers send far fewer.
const MAX_ELEMENTS: usize = 1024;

/// A validated, immutable CORS policy with every header value precomputed.
///
/// Cloning is cheap (an `Arc`). Build one from a [`PolicyConfig`] (a policy file) with
/// [`Policy::new`] or [`Policy::from_file`], in code with [`Policy::builder`], or take
/// [`Policy::any_origin`] for a public API.
///
/// ```
/// use cors_core::{Action, CorsRequest, Policy, Status};
///
/// let policy = Policy::builder()
///     .allow_origins(["https://app.example.com"])
///     .allow_methods(["PUT"])
///     .allow_headers(["content-type"])
///     .build()?;
///
/// let mut req = CorsRequest::new(b"OPTIONS");
/// req.push_origin(b"https://app.example.com");
/// req.push_request_method(b"PUT");
/// req.push_request_headers(b"content-type");
/// let decision = policy.evaluate(&req);
/// assert!(decision.is_allowed());
/// assert_eq!(decision.action(), Action::Respond { status: Status::NO_CONTENT });
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
#[derive(Clone)]
pub struct Policy {
    inner: Arc<Inner>,
    /// Apart from `inner`: copies that differ only in their metrics labels share the rest.
    counters: Arc<Counters>,
}

struct Inner {
    config: PolicyConfig,
    origins: OriginMatcher,
    credentials: bool,
    methods_any: bool,
    /// Configured methods, byte-exact (after normalizing the six `fetch()` normalizes).
    methods: Vec<Box<[u8]>>,
    /// The [`method_bit`] of every allowed method that has one (the safelisted three
    /// always): most requested methods are checked without comparing bytes.
    method_bits: u8,
    headers_any: bool,
    /// Configured header names, lower-case, sorted.
    headers: Vec<Box<[u8]>>,
    private_network: bool,
    preflight_status: Status,
    preflight_continue: bool,
    star: PolicyValue,
    yes: PolicyValue,
    expose: Option<PolicyValue>,
    allow_methods: PolicyValue,
    allow_headers: Option<PolicyValue>,
    max_age: Option<PolicyValue>,
    /// `csrf_protection`.
    csrf: CsrfProtection,
    /// `websocket_origin_check`.
    websocket: bool,
    /// Either check is on: the one flag the default path tests.
    site_checks: bool,
    /// What every allowed actual request decides but for its echoed origin, recorded
    /// from [`Policy::actual`] when the policy is built; `None` under the origin checks
    /// (`site_checks`), whose requests always take the general path.
    allowed_actual: Option<Recorded>,
    /// The same for allowed preflights, recorded from [`Policy::allow_preflight`], indexed
    /// by [`preflight_shape`]; `None` for a shape that echoes more than the origin (the
    /// method or the requested headers mirrored) and under the origin checks.
    allowed_preflight: [Option<Recorded>; 4],
    /// Its values as `http` 1.x header values, and its answers' templates: shared by
    /// every policy with the same values, for the life of the process.
    #[cfg(feature = "http")]
    http: &'static crate::http1::HttpValues,
}

/// A preflight's checks passed ([`Policy::check_preflight`]): its origin, its method and
/// whether it asks for headers; or why it is refused.
pub(crate) type Checked<'a> = Result<(&'a [u8], &'a [u8], bool), Reason<'a>>;

/// How [`Policy::decide`] goes on with a request ([`Policy::shortcut`]).
pub(crate) enum Shortcut<'a> {
    /// An allowed request whose decision was recorded, and its origin.
    Recorded(Recorded, &'a [u8]),
    /// An actual request whose origin the policy (without origin checks) does not allow.
    Refused(Reason<'a>),
    /// A preflight with one `Origin`, to a policy with recorded preflight decisions.
    Preflight(&'a [u8]),
    /// Any other request: the general evaluation.
    Evaluate,
}

/// The index in [`Inner::allowed_preflight`] of a preflight asking for headers or not and
/// for private-network access (allowed) or not.
fn preflight_shape(any_headers: bool, private_network: bool) -> usize {
    usize::from(any_headers) * 2 + usize::from(private_network)
}

impl Inner {
    /// See [`Policy::value`].
    #[inline]
    fn value(&self, header: CorsHeader) -> Option<&PolicyValue> {
        let i = self;
        match header {
            CorsHeader::AllowOrigin => i.origins.allows_any().then_some(&i.star),
            CorsHeader::AllowCredentials => i.credentials.then_some(&i.yes),
            CorsHeader::ExposeHeaders => i.expose.as_ref(),
            CorsHeader::AllowMethods => (!i.methods_any).then_some(&i.allow_methods),
            CorsHeader::AllowHeaders => i.allow_headers.as_ref(),
            CorsHeader::MaxAge => i.max_age.as_ref(),
            CorsHeader::AllowPrivateNetwork => i.private_network.then_some(&i.yes),
        }
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("config", &self.inner.config)
            .field("origins", &self.inner.origins)
            .finish()
    }
}

impl Policy {
    /// Validates a configuration and builds the policy, or reports every problem.
    ///
    /// ```
    /// let config = cors_core::PolicyConfig {
    ///     allow_origins: vec!["https://app.example.com".into()],
    ///     allow_credentials: true,
    ///     ..Default::default()
    /// };
    /// assert!(cors_core::Policy::new(&config).is_ok());
    /// ```
    pub fn new(config: &PolicyConfig) -> Result<Self, PolicyError> {
        Self::compile(config.clone(), None)
    }

    /// Loads and validates a policy file, reporting every problem, each naming the file
    /// ([`PolicyError::file`]). The format follows the extension, as for
    /// [`PolicyConfig::from_file`]: `.json` JSON, `.yaml` / `.yml` YAML, anything else
    /// TOML.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("cors-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("policy.yaml");
    /// std::fs::write(&path, "allow_origins: [\"https://app.example.com/\"]\n")?;
    /// let err = cors_core::Policy::from_file(&path).unwrap_err();
    /// assert_eq!(err.file(), Some(path.as_path()));
    /// assert!(err.to_string().contains("did you mean \"https://app.example.com\"?"));
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self, PolicyError> {
        let path = path.as_ref();
        Self::new(&PolicyConfig::from_file(path)?).map_err(|e| e.in_file(path))
    }

    /// Loads and validates a TOML policy, reporting every problem.
    ///
    /// ```
    /// let err = cors_core::Policy::from_toml_str("allow_origins = []\nmax_age = 100000").unwrap_err();
    /// assert_eq!(err.problems().len(), 2);
    /// ```
    pub fn from_toml_str(text: &str) -> Result<Self, PolicyError> {
        Self::new(&PolicyConfig::from_toml_str(text)?)
    }

    /// A builder with the same vocabulary as the policy file.
    pub fn builder() -> PolicyBuilder {
        PolicyBuilder::default()
    }

    /// The zero-configuration policy for a public API, like Express's `app.use(cors())`:
    /// any origin (`*`), methods GET, HEAD, PUT, PATCH, POST and DELETE, any request
    /// header but Authorization, no credentials.
    ///
    /// ```
    /// let policy = cors_core::Policy::any_origin();
    /// let mut req = cors_core::CorsRequest::new(b"GET");
    /// req.push_origin(b"https://anyone.example");
    /// let d = policy.evaluate(&req);
    /// assert_eq!(d.header(cors_core::CorsHeader::AllowOrigin).unwrap().as_bytes(), b"*");
    /// ```
    pub fn any_origin() -> Self {
        let config = PolicyConfig {
            allow_origins: vec!["*".into()],
            allow_methods: ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"]
                .map(String::from)
                .to_vec(),
            allow_headers: vec!["*".into()],
            ..PolicyConfig::default()
        };
        // A fixed, valid configuration: `any_origin_is_valid` (below) builds it in a test.
        #[allow(clippy::expect_used)]
        Self::compile(config, None).expect("the any-origin configuration is valid")
    }

    /// The configuration this policy was built from.
    pub fn config(&self) -> &PolicyConfig {
        &self.inner.config
    }

    fn compile(config: PolicyConfig, predicate: Option<Predicate>) -> Result<Self, PolicyError> {
        let (mut problems, patterns) = config.problems(predicate.is_some());
        let preflight_status = Status::success(config.preflight_status);
        let Some(preflight_status) = preflight_status.filter(|_| problems.is_empty()) else {
            return Err(PolicyError::new(problems));
        };
        let origins = match OriginMatcher::build(&patterns, predicate) {
            Ok(m) => m,
            Err(i) => {
                problems.push(Problem::new(
                    "allow_origins",
                    patterns
                        .get(i)
                        .and(config.allow_origins.get(i))
                        .map(String::as_str),
                    ProblemKind::BadWildcard("is not a valid glob"),
                ));
                return Err(PolicyError::new(problems));
            }
        };

        let methods_any = config.allow_methods.iter().any(|m| m == "*");
        let mut methods: Vec<String> = config
            .allow_methods
            .iter()
            .filter(|m| *m != "*")
            .map(|m| token::normalize_method(m))
            .collect();
        let mut listed = vec!["GET".to_owned(), "HEAD".to_owned(), "POST".to_owned()];
        for m in &methods {
            if !listed.contains(m) {
                listed.push(m.clone());
            }
        }
        methods.sort();
        methods.dedup();

        let headers_any = config.allow_headers.iter().any(|h| h == "*");
        let mut headers: Vec<String> = config
            .allow_headers
            .iter()
            .filter(|h| *h != "*")
            .map(|h| h.to_ascii_lowercase())
            .collect();
        let mut joined_headers = Vec::new();
        for h in &headers {
            if !joined_headers.contains(h) {
                joined_headers.push(h.clone());
            }
        }
        headers.sort();
        headers.dedup();
        let authorization_listed = headers.iter().any(|h| h == "authorization");
        let allow_headers = if headers_any {
            // Without credentials `*` covers every name but Authorization; with
            // credentials the requested names are echoed instead.
            (!config.allow_credentials).then(|| {
                PolicyValue::fixed(if authorization_listed {
                    "*,authorization"
                } else {
                    "*"
                })
            })
        } else {
            (!joined_headers.is_empty())
                .then(|| value("allow_headers", joined_headers.join(","), &mut problems))
                .flatten()
        };

        let mut expose: Vec<String> = Vec::new();
        for h in &config.expose_headers {
            let h = if h == "*" {
                "*".to_owned()
            } else {
                h.to_ascii_lowercase()
            };
            if !expose.contains(&h) {
                expose.push(h);
            }
        }

        let expose = (!expose.is_empty())
            .then(|| value("expose_headers", expose.join(","), &mut problems))
            .flatten();
        let allow_methods = value("allow_methods", listed.join(","), &mut problems);
        let max_age = config
            .max_age
            .and_then(|m| value("max_age", m.to_string(), &mut problems));
        let Some(allow_methods) = allow_methods.filter(|_| problems.is_empty()) else {
            return Err(PolicyError::new(problems));
        };
        #[cfg_attr(not(feature = "http"), allow(unused_mut))]
        let mut inner = Inner {
            origins,
            credentials: config.allow_credentials,
            methods_any,
            method_bits: listed
                .iter()
                .fold(0, |bits, m| bits | method_bit(m.as_bytes())),
            methods: methods.into_iter().map(|m| m.into_bytes().into()).collect(),
            headers_any,
            headers: headers.into_iter().map(|h| h.into_bytes().into()).collect(),
            private_network: config.allow_private_network,
            preflight_status,
            preflight_continue: config.preflight_continue,
            star: PolicyValue::fixed("*"),
            yes: PolicyValue::fixed("true"),
            expose,
            allow_methods,
            allow_headers,
            max_age,
            csrf: config.csrf_protection,
            websocket: config.websocket_origin_check,
            site_checks: !config.csrf_protection.is_off() || config.websocket_origin_check,
            allowed_actual: None,
            allowed_preflight: [None; 4],
            #[cfg(feature = "http")]
            http: crate::http1::HttpValues::none(),
            config,
        };
        #[cfg(feature = "http")]
        {
            inner.http = crate::http1::HttpValues::interned(|h| inner.value(h));
        }
        Ok(Self {
            inner: Arc::new(inner),
            counters: Arc::default(),
        }
        .with_recorded())
    }

    /// The policy with [`Inner::allowed_actual`] and [`Inner::allowed_preflight`]
    /// recorded (the policy is not shared yet; were it, the fast path would stay off and
    /// every request take the general one).
    fn with_recorded(mut self) -> Self {
        if self.inner.site_checks {
            return self;
        }
        let actual = Recorded::record(RequestKind::Actual, |out| self.actual(Ok(b""), out));
        let preflight = [(false, false), (false, true), (true, false), (true, true)].map(
            |(any_headers, private_network)| {
                // One requested line, so that a policy echoing the lines is seen to.
                let lines: &[&[u8]] = &[b"x"];
                let at = preflight_shape(any_headers, private_network);
                let shape = Recorded::record(RequestKind::Preflight, |out| {
                    self.allow_preflight(b"", b"GET", any_headers, private_network, lines, out)
                });
                (at, shape)
            },
        );
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.allowed_actual = actual;
            for (at, shape) in preflight {
                if let Some(slot) = inner.allowed_preflight.get_mut(at) {
                    *slot = shape;
                }
            }
        }
        self
    }

    /// How [`Policy::decide`] goes on with a request: a recorded decision for an allowed
    /// actual request with one `Origin` ([`Inner::allowed_actual`]), the refusal of one
    /// whose origin is not allowed, a preflight with one `Origin` to check and answer
    /// (`Inner::allowed_preflight`), or the general evaluation.
    #[inline(always)]
    pub(crate) fn shortcut<'a>(&'a self, req: &CorsRequest<'a>) -> Shortcut<'a> {
        let i = &*self.inner;
        let Field::One(origin) = req.origin() else {
            return Shortcut::Evaluate;
        };
        if req.is_preflight() {
            return if i.allowed_preflight == [None; 4] {
                Shortcut::Evaluate
            } else {
                Shortcut::Preflight(origin)
            };
        }
        let Some(shape) = i.allowed_actual else {
            return Shortcut::Evaluate;
        };
        match self.check_origin(origin) {
            Ok(origin) => Shortcut::Recorded(shape, origin),
            // Matched once: the refusal is written from this outcome.
            Err(reason) => Shortcut::Refused(reason),
        }
    }

    /// The origin, if the policy allows it; else why not.
    #[inline]
    fn check_origin<'a>(&self, origin: &'a [u8]) -> Result<&'a [u8], Reason<'a>> {
        if self.inner.origins.allows(origin) {
            Ok(origin)
        } else {
            Err(Reason::OriginNotAllowed { origin })
        }
    }

    /// Whether a preflight asks for private-network access and the policy grants it.
    #[inline]
    fn grants_private_network(&self, req: &CorsRequest<'_>) -> bool {
        self.inner.private_network && req.private_network() == Field::One(b"true")
    }

    /// A preflight's checks, from its one `Origin`: whether the origin is allowed, and
    /// then its method and headers ([`Policy::check_preflight`]).
    #[inline]
    pub(crate) fn check_preflight_from<'a>(
        &self,
        req: &CorsRequest<'a>,
        origin: &'a [u8],
    ) -> (Result<&'a [u8], Reason<'a>>, Checked<'a>) {
        let origin = self.check_origin(origin);
        (origin, self.check_preflight(req, origin))
    }

    /// The recorded decision for an allowed preflight asking for headers or not
    /// (`any_headers`), for private-network access or not; `None` where its shape echoes
    /// more than the origin.
    #[inline]
    pub(crate) fn recorded_preflight(
        &self,
        req: &CorsRequest<'_>,
        any_headers: bool,
    ) -> Option<Recorded> {
        let at = preflight_shape(any_headers, self.grants_private_network(req));
        *self.inner.allowed_preflight.get(at)?
    }

    /// A copy of this policy whose `cors_requests_total` counter carries one more label,
    /// `name="value"` (or whose `name` label becomes `value`): to tell apart the servers,
    /// frameworks or routes of one process that share a policy. The labels `kind`,
    /// `outcome` and `reason` are the policy's own; a label with one of these names is
    /// ignored. Only the label set is copied: the compiled policy is shared.
    ///
    /// Every decision made by [`Policy::decide`] adds one to `cors_requests_total` with
    /// the labels `kind` (`preflight`, `actual` or `not_cors`), `outcome` (`allowed` or
    /// `rejected`; a request that is not CORS is `allowed`), `reason` (the rejection's
    /// [`Reason::code`], empty when allowed) and these labels, through the [`metrics`]
    /// facade: nothing is recorded (and nothing allocated) until the program installs a
    /// recorder, such as `metrics-exporter-prometheus`. The origin is never a label (its
    /// values are unbounded); the rejection event ([`Policy::decide`]) carries it.
    ///
    /// ```
    /// let policy = cors_core::Policy::any_origin();
    /// let on_axum = policy.clone().with_metrics_label("framework", "axum");
    /// assert_eq!(on_axum.metrics_labels().collect::<Vec<_>>(), [("framework", "axum")]);
    /// assert_eq!(policy.metrics_labels().count(), 0);
    /// ```
    pub fn with_metrics_label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.counters = Arc::new(self.counters.with_label(name.into(), value.into()));
        self
    }

    /// The labels added by [`Policy::with_metrics_label`], in order.
    pub fn metrics_labels(&self) -> impl Iterator<Item = (&str, &str)> {
        self.counters
            .labels()
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Describes `cors_requests_total` to the installed `metrics` recorder and registers,
    /// at 0, every (kind, outcome, reason) combination a decision can have, with this
    /// policy's labels: so that a scrape lists each series before its first request, and
    /// `rate()` over a series that starts later does not miss its first increments. Call
    /// it once per labelled policy, after installing the recorder; without one it does
    /// nothing.
    ///
    /// ```
    /// cors_core::Policy::any_origin().register_metrics(); // no recorder: a no-op
    /// ```
    pub fn register_metrics(&self) {
        let i = &*self.inner;
        self.counters.register(i.csrf, i.websocket);
    }

    /// Whether the policy ever reads a request's `Sec-Fetch-Site`, `Host` or `Upgrade`:
    /// [`csrf_protection`](PolicyConfig::csrf_protection) or
    /// [`websocket_origin_check`](PolicyConfig::websocket_origin_check) is on. Adapters
    /// skip those headers otherwise ([`CorsRequest::needs_site_headers`] says it per
    /// request).
    ///
    /// ```
    /// assert!(!cors_core::Policy::any_origin().reads_site_headers());
    /// ```
    #[inline]
    pub fn reads_site_headers(&self) -> bool {
        self.inner.site_checks
    }

    /// Whether the policy ever reads a preflight's `Access-Control-Request-Private-Network`:
    /// [`allow_private_network`](PolicyConfig::allow_private_network) is on. Otherwise the
    /// line changes no decision, and adapters that look headers up one by one skip it.
    ///
    /// ```
    /// assert!(!cors_core::Policy::any_origin().reads_private_network());
    /// ```
    #[inline]
    pub fn reads_private_network(&self) -> bool {
        self.inner.private_network
    }

    /// Whether a request with this method and `Origin` is checked (see
    /// [`CorsRequest::needs_site_headers`]).
    pub(crate) fn site_headers_for(&self, method: &[u8], origin: Field<'_>) -> bool {
        let i = &*self.inner;
        if csrf::is_safe_method(method) {
            i.websocket && method == b"GET" && origin.is_present()
        } else {
            !i.csrf.is_off()
        }
    }

    /// Counts a decision ([`Policy::with_metrics_label`]).
    #[inline]
    pub(crate) fn count(&self, verdict: &Verdict<'_>) {
        self.counters.count(verdict);
    }

    /// The precomputed value this policy sets for `header` whenever it sets it without
    /// echoing the request: a [`Value::Policy`] in a [`Decision`] of this policy is always
    /// this value (same address). Adapters use it to convert every policy value into their
    /// framework's header type once, at start-up.
    ///
    /// ```
    /// use cors_core::{CorsHeader, Policy};
    /// let policy = Policy::from_toml_str(r#"
    ///     allow_origins = ["https://a.example"]
    ///     allow_methods = ["PUT"]
    ///     max_age = 60
    /// "#)?;
    /// assert_eq!(policy.value(CorsHeader::AllowMethods).unwrap().as_str(), "GET,HEAD,POST,PUT");
    /// assert_eq!(policy.value(CorsHeader::MaxAge).unwrap().as_str(), "60");
    /// assert!(policy.value(CorsHeader::AllowOrigin).is_none()); // echoed, never precomputed
    /// assert!(policy.value(CorsHeader::AllowCredentials).is_none());
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn value(&self, header: CorsHeader) -> Option<&PolicyValue> {
        self.inner.value(header)
    }

    /// The policy's values as `http` 1.x header values and its answers' templates: what
    /// a decision carried to the response needs, with no reference count to write.
    #[cfg(feature = "http")]
    pub(crate) fn values(&self) -> &'static crate::http1::HttpValues {
        self.inner.http
    }

    /// Evaluates a request. Never allocates, never panics.
    ///
    /// ```
    /// use cors_core::{Action, CorsRequest, Policy, Vary};
    /// let policy = Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#)?;
    ///
    /// let mut req = CorsRequest::new(b"GET");
    /// req.push_origin(b"https://evil.example");
    /// let d = policy.evaluate(&req);
    /// assert_eq!(d.reason().unwrap().code(), "origin-not-allowed");
    /// assert_eq!(d.action(), Action::Forward); // the handler still runs
    /// assert_eq!(d.headers().len(), 0);
    /// assert_eq!(d.vary(), Vary::Origin);
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn evaluate<'a>(&'a self, req: &CorsRequest<'a>) -> Decision<'a> {
        let mut d = Decision::new(RequestKind::NotCors, Action::Forward, Vary::None);
        self.evaluate_into(req, &mut d);
        d
    }

    /// Evaluates a request into `out`: a [`Decision`] ([`Policy::evaluate`]) or a pending
    /// decision ([`Policy::decide`]).
    #[inline]
    pub(crate) fn evaluate_into<'a>(&'a self, req: &CorsRequest<'a>, out: &mut impl Outcome<'a>) {
        if self.inner.site_checks {
            return self.evaluate_checked(req, out);
        }
        // The default path: the CORS decision alone.
        self.cors(req, out);
    }

    /// [`Policy::evaluate_into`] for a policy with `csrf_protection` or
    /// `websocket_origin_check` on.
    #[cold]
    #[inline(never)]
    fn evaluate_checked<'a>(&'a self, req: &CorsRequest<'a>, out: &mut impl Outcome<'a>) {
        self.cors(req, out);
        self.check_site(req, out);
    }

    /// The origin check of `csrf_protection` and `websocket_origin_check`, on top of the
    /// CORS decision in `out`: a request the policy's origins allow, a preflight, a safe
    /// request and a request of a kind not checked keep it; another request failing the
    /// rule of [`csrf::check`] is refused with 403 (no CORS headers: its origin is not
    /// allowed), or, under `csrf_protection = "report"`, keeps the decision with the
    /// reason noted as reported.
    fn check_site<'a>(&'a self, req: &CorsRequest<'a>, out: &mut impl Outcome<'a>) {
        let i = &*self.inner;
        let verdict = out.verdict();
        if verdict.kind == RequestKind::Preflight || verdict.is_allowed() {
            return;
        }
        let method = req.method();
        let (mode, websocket) = if !csrf::is_safe_method(method) {
            (i.csrf, false)
        } else if i.websocket && req.origin().is_present() && req.is_websocket() {
            (CsrfProtection::Enforce, true)
        } else {
            return;
        };
        if mode.is_off() {
            return;
        }
        let Err(fetch_site) = csrf::check(req, &i.origins) else {
            return;
        };
        let origin = match req.origin() {
            Field::Absent => None,
            Field::One(o) | Field::Repeated(o) => Some(o),
        };
        let reason = if websocket {
            Reason::CrossOriginWebSocket {
                origin: origin.unwrap_or_default(),
                fetch_site,
            }
        } else {
            Reason::CrossOriginRequest { origin, fetch_site }
        };
        if mode == CsrfProtection::Report {
            out.report(reason);
            return;
        }
        let (kind, vary) = (out.verdict().kind, out.vary());
        out.start(
            kind,
            Action::Respond {
                status: Status::FORBIDDEN,
            },
            vary,
        );
        out.reject(reason);
    }

    /// The CORS decision alone.
    #[inline]
    fn cors<'a>(&'a self, req: &CorsRequest<'a>, out: &mut impl Outcome<'a>) {
        let origin = match req.origin() {
            Field::Absent => return self.not_cors(out),
            Field::One(o) => Ok(o),
            Field::Repeated(_) => Err(Reason::Malformed(Malformed::RepeatedOrigin)),
        };
        let origin = origin.and_then(|o| self.check_origin(o));
        if req.is_preflight() {
            self.preflight(req, origin, out);
        } else {
            self.actual(origin, out);
        }
    }

    /// A request without `Origin`. A policy allowing any origin answers it as it answers
    /// every actual request (`*`, the exposed headers, no `Vary`), so that a shared cache
    /// may serve the response to a later CORS request (the Fetch standard, "CORS protocol
    /// and HTTP caches"); any other policy leaves it alone but for `Vary: origin`.
    fn not_cors<'a>(&'a self, out: &mut impl Outcome<'a>) {
        let i = &*self.inner;
        if !i.origins.allows_any() {
            out.start(RequestKind::NotCors, Action::Forward, Vary::Origin);
            return;
        }
        out.start(RequestKind::NotCors, Action::Forward, Vary::None);
        self.allow_actual(out, &[]);
    }

    fn allow_origin<'a>(&'a self, out: &mut impl Outcome<'a>, origin: &'a [u8]) {
        let i = &*self.inner;
        let value = if i.origins.allows_any() {
            Value::Policy(&i.star)
        } else {
            Value::Origin(origin)
        };
        out.allow_origin(value);
        if i.credentials {
            out.allow_credentials(&i.yes);
        }
    }

    /// The headers of an allowed actual request.
    fn allow_actual<'a>(&'a self, out: &mut impl Outcome<'a>, origin: &'a [u8]) {
        self.allow_origin(out, origin);
        if let Some(expose) = &self.inner.expose {
            out.expose_headers(expose);
        }
    }

    pub(crate) fn actual<'a>(
        &'a self,
        origin: Result<&'a [u8], Reason<'a>>,
        out: &mut impl Outcome<'a>,
    ) {
        let any = self.inner.origins.allows_any();
        let vary = if any { Vary::None } else { Vary::Origin };
        out.start(RequestKind::Actual, Action::Forward, vary);
        match origin {
            Ok(origin) => self.allow_actual(out, origin),
            // With any origin allowed, only a malformed request is rejected; its response
            // carries `*` all the same, as every response of such a policy does.
            Err(reason) if any => {
                self.allow_actual(out, &[]);
                out.reject(reason);
            }
            Err(reason) => out.reject(reason),
        }
    }

    fn preflight<'a>(
        &'a self,
        req: &CorsRequest<'a>,
        origin: Result<&'a [u8], Reason<'a>>,
        out: &mut impl Outcome<'a>,
    ) {
        let checked = self.check_preflight(req, origin);
        self.answer_preflight(req, origin, checked, out);
    }

    /// A preflight's checks: its origin (checked by the caller), its method and its
    /// headers; the origin, the method and whether it asks for headers.
    #[inline]
    fn check_preflight<'a>(
        &self,
        req: &CorsRequest<'a>,
        origin: Result<&'a [u8], Reason<'a>>,
    ) -> Checked<'a> {
        origin.and_then(|o| Ok((o, self.check_method(req)?, self.check_headers(req)?)))
    }

    /// The answer to a preflight from its checks' outcome ([`Policy::check_preflight`]).
    #[inline]
    pub(crate) fn answer_preflight<'a>(
        &'a self,
        req: &CorsRequest<'a>,
        origin: Result<&'a [u8], Reason<'a>>,
        checked: Checked<'a>,
        out: &mut impl Outcome<'a>,
    ) {
        let i = &*self.inner;
        let (origin, method, any_headers) = match checked {
            Ok(v) => v,
            Err(reason @ (Reason::MethodNotAllowed { .. } | Reason::HeaderNotAllowed { .. }))
                if i.config.debug
                    && let Ok(origin) = origin =>
            {
                return self.debug_preflight(req, origin, reason, out);
            }
            Err(reason) => {
                out.start(
                    RequestKind::Preflight,
                    Action::Respond {
                        status: Status::FORBIDDEN,
                    },
                    Vary::Preflight,
                );
                out.reject(reason);
                return;
            }
        };
        self.allow_preflight(
            origin,
            method,
            any_headers,
            self.grants_private_network(req),
            req.request_headers(),
            out,
        );
    }

    /// The answer to an allowed preflight from `origin` asking for `method`, for headers
    /// (`lines`) or not, and for private-network access (allowed) or not.
    fn allow_preflight<'a>(
        &'a self,
        origin: &'a [u8],
        method: &'a [u8],
        any_headers: bool,
        private_network: bool,
        lines: &[&'a [u8]],
        out: &mut impl Outcome<'a>,
    ) {
        let i = &*self.inner;
        let action = if i.preflight_continue {
            Action::Forward
        } else {
            Action::Respond {
                status: i.preflight_status,
            }
        };
        let vary = if i.origins.allows_any() {
            Vary::PreflightAnyOrigin
        } else {
            Vary::Preflight
        };
        out.start(RequestKind::Preflight, action, vary);
        self.allow_origin(out, origin);
        let methods = if i.methods_any {
            Value::RequestMethod(method)
        } else {
            Value::Policy(&i.allow_methods)
        };
        out.allow_methods(methods);
        if any_headers {
            match &i.allow_headers {
                Some(v) => out.allow_headers(v),
                None => out.echo_allow_headers(lines),
            }
        }
        if let Some(max_age) = &i.max_age {
            out.max_age(max_age);
        }
        if private_network {
            out.allow_private_network(&i.yes);
        }
    }

    /// Debug mode's answer to a preflight from an allowed origin that asks for a method or
    /// a header the policy refuses: the preflight status, the origin allowed, and the
    /// allowed methods (and, for a refused header, the allowed headers), so that the
    /// browser's own checks fail on the refused method or header and its console names
    /// it. Still a rejection (counted and logged as one); never for an origin that is not
    /// allowed, which learns nothing more than without debug mode.
    fn debug_preflight<'a>(
        &'a self,
        req: &CorsRequest<'a>,
        origin: &'a [u8],
        reason: Reason<'a>,
        out: &mut impl Outcome<'a>,
    ) {
        let i = &*self.inner;
        let vary = if i.origins.allows_any() {
            Vary::PreflightAnyOrigin
        } else {
            Vary::Preflight
        };
        let status = i.preflight_status;
        out.start(RequestKind::Preflight, Action::Respond { status }, vary);
        self.allow_origin(out, origin);
        if !i.methods_any {
            out.allow_methods(Value::Policy(&i.allow_methods));
        } else if let Field::One(m) = req.request_method() {
            // Any method: only a header can have failed; the method passes as it would.
            out.allow_methods(Value::RequestMethod(m));
        }
        if let (Reason::HeaderNotAllowed { .. }, Some(headers)) = (reason, &i.allow_headers) {
            out.allow_headers(headers);
        }
        out.reject(reason);
    }

    fn check_method<'a>(&self, req: &CorsRequest<'a>) -> Result<&'a [u8], Reason<'a>> {
        let i = &*self.inner;
        let m = match req.request_method() {
            Field::One(m) => m,
            Field::Repeated(_) => return Err(Reason::Malformed(Malformed::RepeatedRequestMethod)),
            Field::Absent => return Err(Reason::Malformed(Malformed::InvalidRequestMethod)),
        };
        // A configured method or a safelisted one is a token: no need to check the bytes.
        let listed = match method_bit(m) {
            0 => listed(&i.methods, m),
            bit => i.method_bits & bit != 0,
        };
        if !listed && !token::is_token(m) {
            return Err(Reason::Malformed(Malformed::InvalidRequestMethod));
        }
        let allowed = listed || i.methods_any;
        if allowed {
            Ok(m)
        } else {
            Err(Reason::MethodNotAllowed { method: m })
        }
    }

    /// Checks every requested header name; says whether any was requested.
    fn check_headers<'a>(&self, req: &CorsRequest<'a>) -> Result<bool, Reason<'a>> {
        let i = &*self.inner;
        if req.too_many_request_header_lines() {
            return Err(Reason::Malformed(Malformed::TooManyRequestHeaderLines));
        }
        let (mut empty, mut count) = (0usize, 0usize);
        for line in req.request_headers() {
            // A line that is one configured name, as browsers send a single header (names
            // are tokens: it has no comma to look for).
            if listed(&i.headers, line) {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(Reason::Malformed(Malformed::TooManyRequestHeaders));
                }
                continue;
            }
            for element in line.split(|&b| b == b',') {
                let name = token::trim_ows(element);
                if name.is_empty() {
                    empty += 1;
                    if empty > MAX_EMPTY_ELEMENTS {
                        return Err(Reason::Malformed(Malformed::TooManyEmptyRequestHeaders));
                    }
                    continue;
                }
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(Reason::Malformed(Malformed::TooManyRequestHeaders));
                }
                // Browsers send configured names as configured (lower-case): an exact match
                // is a token already, and is found without lower-casing.
                if listed(&i.headers, name) {
                    continue;
                }
                if !token::is_token(name) {
                    return Err(Reason::Malformed(Malformed::InvalidRequestHeaders));
                }
                let listed = i
                    .headers
                    .binary_search_by(|c| token::cmp_lowercase(c, name))
                    .is_ok();
                let allowed =
                    listed || (i.headers_any && !name.eq_ignore_ascii_case(b"authorization"));
                if !allowed {
                    return Err(Reason::HeaderNotAllowed { header: name });
                }
            }
        }
        Ok(count > 0)
    }
}

/// The methods of [`method_bit`]'s bits: bit `i` is `BIT_METHODS[i]`.
pub(crate) const BIT_METHODS: [&str; 7] =
    ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];

/// A bit for each of the seven methods policies list most, byte for byte (`fetch()`
/// upper-cases six of them; `PATCH` is sent as written), 0 for any other: matched by
/// length and bytes, without a call to compare memory.
pub(crate) fn method_bit(m: &[u8]) -> u8 {
    match *m {
        [b'G', b'E', b'T'] => 1,
        [b'H', b'E', b'A', b'D'] => 1 << 1,
        [b'P', b'O', b'S', b'T'] => 1 << 2,
        [b'P', b'U', b'T'] => 1 << 3,
        [b'D', b'E', b'L', b'E', b'T', b'E'] => 1 << 4,
        [b'P', b'A', b'T', b'C', b'H'] => 1 << 5,
        [b'O', b'P', b'T', b'I', b'O', b'N', b'S'] => 1 << 6,
        _ => 0,
    }
}

/// Whether `name` is in the sorted `list`, byte for byte: a few entries are compared one
/// by one (most differ in length), more are searched.
#[inline]
fn listed(list: &[Box<[u8]>], name: &[u8]) -> bool {
    if list.len() <= 8 {
        list.iter().any(|c| **c == *name)
    } else {
        list.binary_search_by(|c| (**c).cmp(name)).is_ok()
    }
}

/// A precomputed header value from validated parts, or a problem naming `key` when it is
/// not a valid header value (validation rules that out; the check keeps it a reported
/// problem rather than an empty value).
fn value(key: &str, text: String, problems: &mut Vec<Problem>) -> Option<PolicyValue> {
    let problem = Problem::new(key, Some(&text), ProblemKind::InvalidHeaderName);
    let value = PolicyValue::new(text);
    if value.is_none() {
        problems.push(problem);
    }
    value
}

/// Builds a [`Policy`] in code, with the policy file's vocabulary plus an origin predicate.
///
/// Every setter takes `impl Into<…>` values; [`PolicyBuilder::build`] validates everything
/// at once, exactly as for a policy file.
///
/// ```
/// use std::time::Duration;
/// let policy = cors_core::Policy::builder()
///     .allow_origin("https://app.example.com")
///     .allow_origin_predicate(|o| o.ends_with(".internal.example.net"))
///     .allow_methods(["GET", "DELETE"])
///     .allow_headers(["authorization"])
///     .expose_headers(["x-request-id"])
///     .allow_credentials(true)
///     .max_age(Duration::from_secs(600))
///     .build()?;
/// # let _ = policy;
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
#[derive(Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct PolicyBuilder {
    config: PolicyConfig,
    predicate: Option<Predicate>,
}

impl fmt::Debug for PolicyBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyBuilder")
            .field("config", &self.config)
            .field("predicate", &self.predicate.is_some())
            .finish()
    }
}

fn strings<I, S>(items: I) -> impl Iterator<Item = String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    items.into_iter().map(Into::into)
}

impl PolicyBuilder {
    /// Starts from a configuration (a loaded policy file, say).
    pub fn from_config(config: PolicyConfig) -> Self {
        Self {
            config,
            predicate: None,
        }
    }

    /// Allows one more origin or pattern.
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.config.allow_origins.push(origin.into());
        self
    }

    /// Allows more origins or patterns.
    pub fn allow_origins<I: IntoIterator<Item = S>, S: Into<String>>(mut self, origins: I) -> Self {
        self.config.allow_origins.extend(strings(origins));
        self
    }

    /// Allows every origin (`*`); not with credentials.
    pub fn allow_any_origin(self) -> Self {
        self.allow_origin("*")
    }

    /// Also allows every well-formed origin for which `f` returns true.
    ///
    /// `f` sees only origins in serialized form; it is called on the request path, so it
    /// should be cheap and must not panic.
    pub fn allow_origin_predicate(
        mut self,
        f: impl Fn(&str) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.predicate = Some(Arc::new(f));
        self
    }

    /// Allows more methods (`*` = any).
    pub fn allow_methods<I: IntoIterator<Item = S>, S: Into<String>>(mut self, methods: I) -> Self {
        self.config.allow_methods.extend(strings(methods));
        self
    }

    /// Allows more request headers (`*` = any but Authorization).
    pub fn allow_headers<I: IntoIterator<Item = S>, S: Into<String>>(mut self, headers: I) -> Self {
        self.config.allow_headers.extend(strings(headers));
        self
    }

    /// Exposes more response headers (`*` = all, not with credentials).
    pub fn expose_headers<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        headers: I,
    ) -> Self {
        self.config.expose_headers.extend(strings(headers));
        self
    }

    /// Allows credentials (cookies, HTTP authentication).
    pub fn allow_credentials(mut self, yes: bool) -> Self {
        self.config.allow_credentials = yes;
        self
    }

    /// Lets browsers cache preflights this long (whole seconds, at most 24 hours; each
    /// engine caps it: WebKit at 600 s, Chromium at 7200 s, Firefox at 86400 s).
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.config.max_age = Some(max_age.as_secs());
        self
    }

    /// Answers Private Network Access preflights: legacy, as Chrome replaced them with
    /// Local Network Access, a user permission no header grants (see
    /// [`PolicyConfig::allow_private_network`]).
    pub fn allow_private_network(mut self, yes: bool) -> Self {
        self.config.allow_private_network = yes;
        self
    }

    /// The status of successful preflight answers (200..=299, default 204).
    pub fn preflight_status(mut self, status: u16) -> Self {
        self.config.preflight_status = status;
        self
    }

    /// Lets successful preflights reach the handler, with the CORS headers added.
    pub fn preflight_continue(mut self, yes: bool) -> Self {
        self.config.preflight_continue = yes;
        self
    }

    /// Allows `http://` non-loopback origins together with credentials.
    pub fn dangerously_allow_insecure_origins(mut self, yes: bool) -> Self {
        self.config.dangerously_allow_insecure_origins = yes;
        self
    }

    /// The level of the event emitted for each rejected request (default debug).
    pub fn log_level(mut self, level: crate::LogLevel) -> Self {
        self.config.log_level = level;
        self
    }

    /// Debug mode: refused preflights from allowed origins answered so that the
    /// browser's console names the failing check ([`PolicyConfig::debug`]).
    pub fn debug(mut self, yes: bool) -> Self {
        self.config.debug = yes;
        self
    }

    /// Cross-site request forgery protection for unsafe requests
    /// ([`PolicyConfig::csrf_protection`]).
    ///
    /// ```
    /// use cors_core::{CorsRequest, CsrfProtection, Policy};
    /// let policy = Policy::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .csrf_protection(CsrfProtection::Enforce)
    ///     .build()?;
    /// let mut req = CorsRequest::new(b"POST");
    /// req.push_origin(b"https://evil.example");
    /// req.push_fetch_site(b"cross-site");
    /// assert_eq!(policy.evaluate(&req).reason().unwrap().code(), "cross-origin-request");
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn csrf_protection(mut self, mode: CsrfProtection) -> Self {
        self.config.csrf_protection = mode;
        self
    }

    /// Refuses WebSocket handshakes from origins the policy does not allow
    /// ([`PolicyConfig::websocket_origin_check`]).
    ///
    /// ```
    /// let policy = cors_core::Policy::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .websocket_origin_check(true)
    ///     .build()?;
    /// assert!(policy.reads_site_headers());
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn websocket_origin_check(mut self, yes: bool) -> Self {
        self.config.websocket_origin_check = yes;
        self
    }

    /// Validates everything and builds the policy, or reports every problem at once.
    pub fn build(self) -> Result<Policy, PolicyError> {
        Policy::compile(self.config, self.predicate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_that_does_not_read_private_network_decides_the_same_without_the_line() {
        // What lets adapters skip the lookup (`Policy::reads_private_network`).
        for (toml, reads) in [
            ("allow_origins = [\"https://a.test\"]", false),
            (
                "allow_origins = [\"https://a.test\"]\nallow_private_network = true",
                true,
            ),
        ] {
            let policy = Policy::from_toml_str(toml).unwrap();
            assert_eq!(policy.reads_private_network(), reads, "{toml}");
            for pn in [&b"true"[..], b"false", b"TRUE"] {
                let mut with = CorsRequest::new(b"OPTIONS");
                with.push_origin(b"https://a.test");
                with.push_request_method(b"GET");
                let without = with;
                with.push_private_network(pn);
                let (a, b) = (policy.evaluate(&with), policy.evaluate(&without));
                if !reads {
                    let lines = |d: &crate::Decision<'_>| -> Vec<(CorsHeader, Vec<u8>)> {
                        d.headers()
                            .map(|h| (h.name, h.value.as_bytes().to_vec()))
                            .collect()
                    };
                    assert_eq!(lines(&a), lines(&b), "{toml}: {pn:?}");
                    assert_eq!(a.reason(), b.reason(), "{toml}: {pn:?}");
                } else if pn == b"true" {
                    assert!(
                        a.header(CorsHeader::AllowPrivateNetwork).is_some(),
                        "{toml}"
                    );
                    assert!(
                        b.header(CorsHeader::AllowPrivateNetwork).is_none(),
                        "{toml}"
                    );
                }
            }
        }
    }

    #[test]
    fn allowed_requests_take_the_recorded_decision_only_where_it_applies() {
        let policy = |toml: &str| Policy::from_toml_str(toml).unwrap();
        let request =
            |method: &'static [u8], origin: &'static [u8], acrm: Option<&'static [u8]>| {
                let mut req = CorsRequest::new(method);
                req.push_origin(origin);
                if let Some(m) = acrm {
                    req.push_request_method(m);
                }
                req
            };
        let exact = policy(
            "allow_origins = [\"https://a.test\"]\nallow_methods = [\"PUT\"]\nallow_headers = [\"x-a\"]",
        );
        let any = policy("allow_origins = [\"*\"]");
        let pattern = policy("allow_origins = [\"https://*.a.test\"]");
        // Recorded for policies without origin checks; the decision echoes the origin
        // unless any origin is allowed (`*`).
        let actual = |p: &Policy| p.inner.allowed_actual;
        assert!(actual(&exact).is_some_and(|s| s.echoes_origin()));
        assert!(actual(&any).is_some_and(|s| !s.echoes_origin()));
        assert!(actual(&pattern).is_some_and(|s| s.echoes_origin()));
        assert!(exact.inner.allowed_preflight.iter().all(Option::is_some));
        for checked in [
            "allow_origins = [\"https://a.test\"]\ncsrf_protection = \"enforce\"",
            "allow_origins = [\"https://a.test\"]\ncsrf_protection = \"report\"",
            "allow_origins = [\"https://a.test\"]\nwebsocket_origin_check = true",
        ] {
            let checked = policy(checked);
            assert_eq!(actual(&checked), None);
            assert_eq!(checked.inner.allowed_preflight, [None; 4]);
        }
        // Mirrored methods, or mirrored headers for a preflight asking for some: echoed
        // values besides the origin, so not recorded.
        let mirror_methods = policy(
            "allow_origins = [\"https://a.test\"]\nallow_methods = [\"*\"]\nallow_credentials = true",
        );
        assert_eq!(mirror_methods.inner.allowed_preflight, [None; 4]);
        let mirror_headers = policy(
            "allow_origins = [\"https://a.test\"]\nallow_headers = [\"*\"]\nallow_credentials = true",
        );
        let shapes = mirror_headers.inner.allowed_preflight;
        assert!(shapes[preflight_shape(false, false)].is_some());
        assert_eq!(shapes[preflight_shape(true, false)], None);
        // Taken only by an allowed request with one origin.
        let kind = |p: &Policy, req: &CorsRequest<'_>| match p.shortcut(req) {
            Shortcut::Recorded(s, _) => Some(s.kind()),
            Shortcut::Preflight(origin) => match p.check_preflight_from(req, origin).1 {
                Ok((_, _, any_headers)) => p.recorded_preflight(req, any_headers).map(|s| s.kind()),
                Err(_) => None,
            },
            _ => None,
        };
        let (actual, preflight) = (Some(RequestKind::Actual), Some(RequestKind::Preflight));
        // Policy, method, origin, requested method and headers, what it takes.
        type Case<'p> = (
            &'p Policy,
            &'static [u8],
            &'static [u8],
            Option<&'static [u8]>,
            &'static [u8],
            Option<RequestKind>,
        );
        let cases: [Case<'_>; 11] = [
            (&exact, b"GET", b"https://a.test", None, b"", actual),
            (&exact, b"OPTIONS", b"https://a.test", None, b"", actual),
            (&pattern, b"POST", b"https://x.a.test", None, b"", actual),
            (
                &exact,
                b"OPTIONS",
                b"https://a.test",
                Some(b"PUT"),
                b"",
                preflight,
            ),
            (
                &exact,
                b"OPTIONS",
                b"https://a.test",
                Some(b"PUT"),
                b"x-a",
                preflight,
            ),
            (
                &exact,
                b"OPTIONS",
                b"https://a.test",
                Some(b"PUT"),
                b"x-b",
                None,
            ),
            (
                &exact,
                b"OPTIONS",
                b"https://a.test",
                Some(b"DELETE"),
                b"",
                None,
            ),
            (
                &mirror_methods,
                b"OPTIONS",
                b"https://a.test",
                Some(b"PUT"),
                b"",
                None,
            ),
            (&exact, b"GET", b"https://b.test", None, b"", None),
            (
                &exact,
                b"OPTIONS",
                b"https://b.test",
                Some(b"PUT"),
                b"",
                None,
            ),
            (&pattern, b"GET", b"https://a.test", None, b"", None),
        ];
        for (p, method, origin, acrm, acrh, expected) in cases {
            let mut req = request(method, origin, acrm);
            if !acrh.is_empty() {
                req.push_request_headers(acrh);
            }
            assert_eq!(kind(p, &req), expected, "{origin:?} {acrm:?} {acrh:?}");
        }
        let mut repeated = request(b"GET", b"https://a.test", None);
        repeated.push_origin(b"https://a.test");
        assert_eq!(kind(&exact, &repeated), None);
        assert_eq!(kind(&exact, &CorsRequest::new(b"GET")), None);
    }

    #[test]
    fn each_method_bit_is_its_named_method() {
        for (i, m) in BIT_METHODS.iter().enumerate() {
            assert_eq!(method_bit(m.as_bytes()), 1 << i, "{m}");
            assert_eq!(method_bit(m.to_lowercase().as_bytes()), 0, "{m}");
        }
    }

    #[test]
    fn methods_are_allowed_byte_for_byte_with_or_without_a_method_bit() {
        // The seven methods with a bit and the others (a custom one, lower-case spellings)
        // are allowed exactly when the safelisted three or the normalized configured list
        // has them, byte for byte.
        let requested: [&[u8]; 12] = [
            b"GET",
            b"HEAD",
            b"POST",
            b"PUT",
            b"DELETE",
            b"PATCH",
            b"OPTIONS",
            b"patch",
            b"put",
            b"X-CUSTOM",
            b"x-custom",
            b"PUTS",
        ];
        for configured in [
            &[][..],
            &["PUT"][..],
            &["put", "delete", "patch"][..],
            &["PATCH", "options", "x-custom"][..],
            &[
                "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "X-CUSTOM",
            ][..],
        ] {
            let policy = Policy::builder()
                .allow_origin("https://a.example")
                .allow_methods(configured.iter().copied())
                .build()
                .unwrap();
            let mut allowed: Vec<String> = ["GET", "HEAD", "POST"].map(String::from).to_vec();
            allowed.extend(configured.iter().map(|m| token::normalize_method(m)));
            for m in requested {
                let mut req = CorsRequest::new(b"OPTIONS");
                req.push_origin(b"https://a.example");
                req.push_request_method(m);
                let expected = allowed.iter().any(|a| a.as_bytes() == m);
                assert_eq!(
                    policy.evaluate(&req).is_allowed(),
                    expected,
                    "{configured:?} {}",
                    String::from_utf8_lossy(m)
                );
            }
        }
    }

    #[test]
    fn any_origin_is_valid() {
        // `Policy::any_origin` relies on this configuration validating.
        let policy = Policy::any_origin();
        assert_eq!(policy.config().allow_origins, ["*"]);
        assert!(Policy::new(policy.config()).is_ok());
        let mut req = CorsRequest::new(b"OPTIONS");
        req.push_origin(b"https://anyone.example");
        req.push_request_method(b"DELETE");
        req.push_request_headers(b"x-anything");
        assert!(policy.evaluate(&req).is_allowed());
    }

    #[test]
    fn answers_only_with_the_preflight_status_or_403() {
        let policy = Policy::from_toml_str(
            "allow_origins = [\"https://a.example\"]\npreflight_status = 299",
        )
        .unwrap();
        let mut req = CorsRequest::new(b"OPTIONS");
        req.push_origin(b"https://a.example");
        req.push_request_method(b"GET");
        assert_eq!(
            policy.evaluate(&req).action(),
            Action::Respond {
                status: Status::success(299).unwrap()
            }
        );
        req.push_request_headers(b"x-not-allowed");
        assert_eq!(
            policy.evaluate(&req).action(),
            Action::Respond {
                status: Status::FORBIDDEN
            }
        );
    }
}
