//! # cors-actix
//!
//! CORS middleware for [actix-web] 4, driven by [`cors_core`]. Every decision is made by
//! [`Policy::evaluate`]; this crate only reads the request's CORS headers (without copying
//! them) and applies the returned [`Decision`](cors_core::Decision) to the response.
//!
//! * Preflights the policy answers (allowed or refused) are answered by the middleware:
//!   the handler never runs, the answer has an empty body and no `Content-Type`.
//! * Every other request runs the handler; its response, whatever it is (a 404, a 405,
//!   a handler error, an error from an inner middleware), gets the CORS headers, with the
//!   handler's own CORS headers replaced and its own `Vary` kept.
//!
//! [`Cors`] is a [`Transform`], usable with `App::wrap`, `Scope::wrap` and `Resource::wrap`.
//! Rejections are reported by the core: one `tracing` event each (target `cors`, level
//! debug).
//!
//! [actix-web]: https://docs.rs/actix-web/4
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::cell::RefCell;
use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::{Error, HttpResponse, ResponseError};
use cors_core::{Action, CorsHeader, CorsRequest, Pending, ResponseHeaders, Value, VaryLine};
use pin_project_lite::pin_project;

pub use cors_core::{self, Policy, PolicyHandle, PolicySet, PolicySource};

/// `Access-Control-Request-Private-Network`.
const ACRPN: HeaderName = HeaderName::from_static("access-control-request-private-network");
/// `Access-Control-Allow-Private-Network`.
const ACAPN: HeaderName = HeaderName::from_static("access-control-allow-private-network");
/// `Sec-Fetch-Site`.
const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// [`VaryLine::LINES`] as actix-web values, validated at compile time.
static VARY: [HeaderValue; 8] = [
    HeaderValue::from_static(VaryLine::LINES[0]),
    HeaderValue::from_static(VaryLine::LINES[1]),
    HeaderValue::from_static(VaryLine::LINES[2]),
    HeaderValue::from_static(VaryLine::LINES[3]),
    HeaderValue::from_static(VaryLine::LINES[4]),
    HeaderValue::from_static(VaryLine::LINES[5]),
    HeaderValue::from_static(VaryLine::LINES[6]),
    HeaderValue::from_static(VaryLine::LINES[7]),
];

/// The CORS middleware factory: wrap an app, a scope or a resource with it.
///
/// ```
/// use actix_web::{App, HttpResponse, http::StatusCode, test, web};
/// use cors_actix::Cors;
/// use cors_core::Policy;
///
/// # actix_web::rt::System::new().block_on(async {
/// let policy = Policy::from_toml_str(r#"
///     allow_origins = ["https://app.example.com"]
///     allow_methods = ["PUT"]
/// "#).unwrap();
/// let app = test::init_service(
///     App::new()
///         .wrap(Cors::new(policy))
///         .route("/", web::get().to(|| async { HttpResponse::Ok().body("ok") })),
/// )
/// .await;
///
/// // An actual request: the handler runs and the response gets the CORS headers.
/// let req = test::TestRequest::get()
///     .uri("/")
///     .insert_header(("origin", "https://app.example.com"))
///     .to_request();
/// let res = test::call_service(&app, req).await;
/// assert_eq!(res.status(), StatusCode::OK);
/// assert_eq!(res.headers().get("access-control-allow-origin").unwrap(), "https://app.example.com");
/// assert_eq!(res.headers().get("vary").unwrap(), "origin");
///
/// // A preflight: answered by the middleware, the handler never runs.
/// let req = test::TestRequest::default()
///     .method(actix_web::http::Method::OPTIONS)
///     .uri("/")
///     .insert_header(("origin", "https://app.example.com"))
///     .insert_header(("access-control-request-method", "PUT"))
///     .to_request();
/// let res = test::call_service(&app, req).await;
/// assert_eq!(res.status(), StatusCode::NO_CONTENT);
/// assert_eq!(res.headers().get("access-control-allow-methods").unwrap(), "GET,HEAD,POST,PUT");
/// assert!(res.headers().get("content-type").is_none());
/// # });
/// ```
///
/// It takes a single [`Policy`], a whole-service [`PolicySet`] (per-route policies chosen
/// by the path actix-web routes by, `match_info().path()`) or a [`PolicyHandle`] (the
/// same, reloadable while serving: keep a clone and call [`PolicyHandle::reload`]).
#[derive(Debug, Clone)]
pub struct Cors {
    policy: PolicySource,
}

impl Cors {
    /// Middleware applying `policy`: a [`Policy`], a [`PolicySet`] or a [`PolicyHandle`].
    #[must_use]
    pub fn new(policy: impl Into<PolicySource>) -> Self {
        Self {
            policy: policy.into(),
        }
    }

    /// The policies it applies ([`PolicySource::handle`] reloads them when it was given
    /// a [`PolicyHandle`]).
    pub fn source(&self) -> &PolicySource {
        &self.policy
    }
}

impl From<Policy> for Cors {
    fn from(policy: Policy) -> Self {
        Self::new(policy)
    }
}

impl From<PolicySet> for Cors {
    fn from(set: PolicySet) -> Self {
        Self::new(set)
    }
}

impl From<PolicyHandle> for Cors {
    fn from(handle: PolicyHandle) -> Self {
        Self::new(handle)
    }
}

impl<S, B> Transform<S, ServiceRequest> for Cors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B, ()>>;
    type Error = Error;
    type Transform = CorsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    /// Fails (`InitError`) only if a policy value or the preflight status has no actix
    /// equivalent, which policy validation rules out.
    fn new_transform(&self, service: S) -> Self::Future {
        ready(match Tables::new(self.policy.load_full()) {
            Some(tables) => Ok(CorsMiddleware {
                service,
                handle: self.policy.clone(),
                tables: RefCell::new(tables),
            }),
            None => {
                tracing::error!(target: "cors", "CORS policy values have no actix-web equivalent");
                Err(())
            }
        })
    }
}

/// The actix values of every policy of one [`PolicySet`], rebuilt when it is replaced.
struct Tables {
    set: Arc<PolicySet>,
    /// Indexed like [`PolicySet::policies`].
    shared: Vec<Rc<Shared>>,
}

impl Tables {
    /// `None` when a policy value has no actix equivalent, which validation rules out.
    fn new(set: Arc<PolicySet>) -> Option<Self> {
        let shared = set
            .policies()
            .map(|(_, p)| Shared::new(p).map(Rc::new))
            .collect::<Option<Vec<_>>>()?;
        Some(Self { set, shared })
    }
}

/// State shared by one middleware instance.
struct Shared {
    policy: Policy,
    /// The policy's precomputed values as actix [`HeaderValue`]s, indexed by
    /// `CorsHeader as usize` ([`Policy::value`]); cloning one does not copy its bytes.
    values: [Option<HeaderValue>; CorsHeader::ALL.len()],
    /// The status of an allowed preflight's answer.
    preflight: StatusCode,
}

impl Shared {
    /// `None` when a policy value or the preflight status has no actix equivalent, which
    /// validation rules out.
    fn new(policy: &Policy) -> Option<Self> {
        let mut values = [const { None }; CorsHeader::ALL.len()];
        for h in CorsHeader::ALL {
            if let Some(v) = policy.value(h) {
                values[h as usize] = Some(new_value(v.as_str())?);
            }
        }
        Some(Self {
            policy: policy.clone(),
            values,
            preflight: StatusCode::from_u16(policy.config().preflight_status).ok()?,
        })
    }

    /// The actix status of an answer: 403 or the policy's preflight status, the only
    /// two a decision of this policy answers with.
    fn status(&self, status: cors_core::Status) -> StatusCode {
        if status == cors_core::Status::FORBIDDEN {
            StatusCode::FORBIDDEN
        } else {
            self.preflight
        }
    }
}

/// A policy value (or one of the core's static texts) as actix-web's header value,
/// without a copy of its text: the texts live as long as the process
/// (`PolicyValue::as_str`), so the value is static, cloned and dropped without a
/// reference count (callgrind: preflight -45). `http`'s own check validates it, so an
/// invalid text is `None`, never a panic.
fn new_value(text: &'static str) -> Option<HeaderValue> {
    HeaderValue::from_maybe_shared(actix_web::web::Bytes::from_static(text.as_bytes())).ok()
}

/// The actix name of a CORS response header.
fn header_name(h: CorsHeader) -> HeaderName {
    match h {
        CorsHeader::AllowOrigin => header::ACCESS_CONTROL_ALLOW_ORIGIN,
        CorsHeader::AllowCredentials => header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        CorsHeader::ExposeHeaders => header::ACCESS_CONTROL_EXPOSE_HEADERS,
        CorsHeader::AllowMethods => header::ACCESS_CONTROL_ALLOW_METHODS,
        CorsHeader::AllowHeaders => header::ACCESS_CONTROL_ALLOW_HEADERS,
        CorsHeader::MaxAge => header::ACCESS_CONTROL_MAX_AGE,
        CorsHeader::AllowPrivateNetwork => ACAPN,
    }
}

/// The request's own value for an echoed one (a refcount increment, no copy), found by
/// address among the request's lines of `name`.
fn echoed(headers: &HeaderMap, name: &HeaderName, bytes: &[u8]) -> Option<HeaderValue> {
    headers
        .get_all(name)
        .find(|v| std::ptr::eq(v.as_bytes(), bytes))
        .cloned()
}

/// A response's actix header map, as the core writes a decision onto it.
struct Headers<'a> {
    map: &'a mut HeaderMap,
    shared: &'a Shared,
}

impl ResponseHeaders for Headers<'_> {
    type Value = HeaderValue;

    fn policy_value(&self, h: CorsHeader) -> Option<HeaderValue> {
        self.shared.values.get(h as usize)?.clone()
    }

    fn any_name(&self, mut pred: impl FnMut(&str) -> bool) -> bool {
        // An answer's map is empty: no walk over its hash table's empty slots.
        !self.map.is_empty() && self.map.keys().any(|k| pred(k.as_str()))
    }

    fn remove(&mut self, h: CorsHeader) {
        drop(self.map.remove(header_name(h)));
    }

    fn append(&mut self, h: CorsHeader, value: HeaderValue) {
        self.map.append(header_name(h), value);
    }

    fn append_static(&mut self, h: CorsHeader, value: &'static str) {
        if let Some(value) = new_value(value) {
            self.append(h, value);
        }
    }

    fn vary(&self) -> impl Iterator<Item = &[u8]> {
        self.map.get_all(header::VARY).map(HeaderValue::as_bytes)
    }

    fn remove_vary(&mut self) {
        drop(self.map.remove(header::VARY));
    }

    fn append_vary(&mut self, line: VaryLine) {
        self.map.append(header::VARY, VARY[line.index()].clone());
    }
}

/// A decision, detached from the request, and the values to write it with.
#[derive(Clone)]
struct Plan {
    pending: Pending<HeaderValue>,
    shared: Rc<Shared>,
}

impl Plan {
    /// Writes the decision onto a response's headers.
    fn write_to(self, map: &mut HeaderMap) {
        let shared = &*self.shared;
        self.pending.write_to(&mut Headers { map, shared });
    }
}

/// The middleware [`Cors`] builds around a service.
pub struct CorsMiddleware<S> {
    service: S,
    handle: PolicySource,
    /// The actix values of the set in force (one worker thread: no lock).
    tables: RefCell<Tables>,
}

impl<S> std::fmt::Debug for CorsMiddleware<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CorsMiddleware")
            .field("policy", &self.handle)
            .finish_non_exhaustive()
    }
}

impl<S> CorsMiddleware<S> {
    /// The values of the policy the set in force picks for this path; `None` where a
    /// route switches CORS off.
    fn shared(&self, req: &ServiceRequest) -> Option<Rc<Shared>> {
        let mut tables = self.tables.borrow_mut();
        if !std::ptr::eq::<PolicySet>(&*self.handle.load(), &*tables.set) {
            // Replaced since the last request of this worker: convert the new values once.
            match Tables::new(self.handle.load_full()) {
                Some(new) => *tables = new,
                None => {
                    tracing::error!(target: "cors", "reloaded CORS policy values have no actix-web equivalent; keeping the previous ones");
                }
            }
        }
        // The path only for a set with routes (actix-web computes it on each call).
        let (at, _) = tables.set.select_index_by(|| req.match_info().as_str())?;
        tables.shared.get(at).cloned()
    }

    /// Decides on the request ([`Policy::decide`]); `None` where a route switches CORS off.
    fn plan(&self, req: &ServiceRequest) -> Option<Plan> {
        let shared = self.shared(req)?;
        let head = req.head();
        let headers = &head.headers;
        let mut view = CorsRequest::new(head.method.as_str().as_bytes());
        // The first `Origin` line, kept so that echoing it needs no second lookup.
        let mut origin = None;
        for v in headers.get_all(header::ORIGIN) {
            origin.get_or_insert(v);
            view.push_origin(v.as_bytes());
        }
        if view.needs_preflight_headers() {
            // Hashed lookups, not one walk over every line: actix-web's map is a hash
            // table, whose walk grows with the thirteen lines a browser's preflight
            // carries (callgrind, `browser-preflight`: 739 instructions fewer; on a bare
            // three-line preflight the walk would be 40 cheaper). BENCHMARKS.md, sixth round.
            for v in headers.get_all(header::ACCESS_CONTROL_REQUEST_METHOD) {
                view.push_request_method(v.as_bytes());
            }
            for v in headers.get_all(header::ACCESS_CONTROL_REQUEST_HEADERS) {
                view.push_request_headers(v.as_bytes());
            }
            // A custom name, hashed byte by byte: looked up only for a policy that reads it.
            if shared.policy.reads_private_network() {
                for v in headers.get_all(ACRPN) {
                    view.push_private_network(v.as_bytes());
                }
            }
        }
        // Only under `csrf_protection` / `websocket_origin_check`, for the requests they check.
        if view.needs_site_headers(&shared.policy) {
            for v in headers.get_all(SEC_FETCH_SITE) {
                view.push_fetch_site(v.as_bytes());
            }
            for v in headers.get_all(header::HOST) {
                view.push_host(v.as_bytes());
            }
            for v in headers.get_all(header::UPGRADE) {
                view.push_upgrade(v.as_bytes());
            }
        }
        let pending = shared.policy.decide(&view, |value| match value {
            Value::Origin(b) => origin
                .filter(|v| std::ptr::eq(v.as_bytes(), b))
                .cloned()
                .or_else(|| echoed(headers, &header::ORIGIN, b)),
            Value::RequestMethod(b) => echoed(headers, &header::ACCESS_CONTROL_REQUEST_METHOD, b),
            Value::RequestHeaders(b) => echoed(headers, &header::ACCESS_CONTROL_REQUEST_HEADERS, b),
            // The policy's own values are written from `Shared::values`.
            _ => None,
        });
        Some(Plan { pending, shared })
    }
}

impl<S, B> Service<ServiceRequest> for CorsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B, ()>>;
    type Error = Error;
    type Future = CorsFuture<S::Future, B>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        // `None` where a route switches CORS off: the response as the handler makes it.
        let plan = self.plan(&req);
        match plan.as_ref().map(|p| p.pending.action()) {
            Some(Action::Respond { status }) => {
                // An empty answer: no body, no `Content-Type`. Its body is `()`, not a
                // `BoxBody`: `EitherBody<B, ()>` is then no larger than `B`, so each of
                // the many moves of the response through actix-web and tokio copies no
                // more than the app's own (BENCHMARKS.md, seventh round).
                let mut res = HttpResponse::with_body(StatusCode::OK, ());
                if let Some(plan) = plan {
                    *res.status_mut() = plan.shared.status(status);
                    plan.write_to(res.headers_mut());
                }
                let res = req.into_response(res);
                CorsFuture {
                    inner: Inner::Answered {
                        res: Some(res.map_into_right_body()),
                    },
                }
            }
            _ => CorsFuture {
                inner: Inner::Forwarded {
                    fut: self.service.call(req),
                    plan,
                },
            },
        }
    }
}

pin_project! {
    /// The response future of [`CorsMiddleware`].
    pub struct CorsFuture<F, B> {
        #[pin]
        inner: Inner<F, B>,
    }
}

pin_project! {
    #[project = InnerProj]
    enum Inner<F, B> {
        // The middleware answered.
        Answered {
            res: Option<ServiceResponse<EitherBody<B, ()>>>,
        },
        // The inner service is running.
        Forwarded {
            #[pin]
            fut: F,
            plan: Option<Plan>,
        },
    }
}

impl<F, B> Future for CorsFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
    B: MessageBody,
{
    type Output = Result<ServiceResponse<EitherBody<B, ()>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().inner.project() {
            InnerProj::Answered { res } => Poll::Ready(res.take().ok_or_else(polled_twice)),
            InnerProj::Forwarded { fut, plan } => {
                let out = std::task::ready!(fut.poll(cx));
                let Some(plan) = plan.take() else {
                    // CORS is off for this route: the response as it is.
                    return Poll::Ready(out.map(ServiceResponse::map_into_left_body));
                };
                Poll::Ready(match out {
                    Ok(res) => {
                        let mut res = res.map_into_left_body();
                        plan.write_to(res.headers_mut());
                        Ok(res)
                    }
                    Err(inner) => Err(CorsError { inner, plan }.into()),
                })
            }
        }
    }
}

/// An error from the wrapped service, whose error response gets the CORS headers.
///
/// actix-web forbids keeping a clone of the `HttpRequest` while the inner service routes
/// it, so an inner `Err` cannot be turned into a `ServiceResponse` here; it stays an error,
/// and the response actix-web builds from it is decorated like any other.
struct CorsError {
    inner: Error,
    plan: Plan,
}

impl std::fmt::Debug for CorsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.inner, f)
    }
}

impl std::fmt::Display for CorsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.inner, f)
    }
}

impl ResponseError for CorsError {
    fn status_code(&self) -> StatusCode {
        self.inner.as_response_error().status_code()
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        let mut res = self.inner.error_response();
        self.plan.clone().write_to(res.headers_mut());
        res
    }
}

fn polled_twice() -> Error {
    actix_web::error::ErrorInternalServerError("CORS response future polled after completion")
}

#[cfg(test)]
mod tests {
    use actix_web::body::{BoxBody, EitherBody};
    use actix_web::dev::ServiceResponse;

    #[test]
    fn a_response_is_no_larger_than_the_apps_own() {
        // The response future's output is moved several times through actix-web and
        // tokio. With the answer's body `()`, `EitherBody` needs no room of its own
        // (with a `BoxBody` answer the response was larger than the app's, and a
        // preflight made 27 `memcpy` calls instead of 20: `benches/memcpys.sh`).
        let ours = std::mem::size_of::<ServiceResponse<EitherBody<BoxBody, ()>>>();
        let apps = std::mem::size_of::<ServiceResponse<BoxBody>>();
        assert_eq!(ours, apps);
        let before = std::mem::size_of::<ServiceResponse<EitherBody<BoxBody>>>();
        assert!(ours < before, "{ours} vs {before} bytes");
    }

    #[test]
    fn policy_values_are_the_kept_texts_themselves_and_invalid_ones_none() {
        let text: &'static str = "GET,HEAD,POST,PUT";
        let value = crate::new_value(text).unwrap();
        assert!(std::ptr::eq(value.as_bytes(), text.as_bytes()), "no copy");
        assert!(crate::new_value("line\nbreak").is_none());
    }
}
