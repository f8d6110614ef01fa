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
//! Rejections are logged with `tracing::debug!`.
//!
//! [actix-web]: https://docs.rs/actix-web/4
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::{Error, HttpResponse, ResponseError};
use cors_core::{Action, CorsHeader, CorsRequest, Detached, Value, Vary};
use pin_project_lite::pin_project;

pub use cors_core::Policy;

/// `Access-Control-Request-Private-Network`.
const ACRPN: HeaderName = HeaderName::from_static("access-control-request-private-network");
/// `Access-Control-Allow-Private-Network`.
const ACAPN: HeaderName = HeaderName::from_static("access-control-allow-private-network");

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
#[derive(Debug, Clone)]
pub struct Cors {
    policy: Policy,
}

impl Cors {
    /// Middleware applying `policy`.
    pub fn new(policy: Policy) -> Self {
        Self { policy }
    }

    /// The policy it applies.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}

impl From<Policy> for Cors {
    fn from(policy: Policy) -> Self {
        Self::new(policy)
    }
}

impl<S, B> Transform<S, ServiceRequest> for Cors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CorsMiddleware {
            service,
            shared: Rc::new(Shared::new(&self.policy)),
        }))
    }
}

/// State shared by one middleware instance.
struct Shared {
    policy: Policy,
    /// The policy's precomputed values as actix [`HeaderValue`]s, indexed by
    /// `CorsHeader as usize` ([`Policy::value`]); cloning one does not copy its bytes.
    values: [Option<HeaderValue>; CorsHeader::ALL.len()],
}

impl Shared {
    fn new(policy: &Policy) -> Self {
        Self {
            policy: policy.clone(),
            values: CorsHeader::ALL.map(|h| policy.value(h).and_then(|v| new_value(v.as_bytes()))),
        }
    }

    fn policy_value(&self, h: CorsHeader) -> Option<HeaderValue> {
        self.values.get(h as usize)?.clone()
    }
}

/// A header value copied from bytes; `"*"` and `"true"` need no copy.
fn new_value(bytes: &[u8]) -> Option<HeaderValue> {
    match bytes {
        b"*" => Some(HeaderValue::from_static("*")),
        b"true" => Some(HeaderValue::from_static("true")),
        _ => HeaderValue::from_bytes(bytes).ok(),
    }
}

/// A `Vary` value from [`Vary`]: the two that decisions use whole are validated at
/// compile time, not on every request.
fn vary_value(v: &'static str) -> HeaderValue {
    const ORIGIN: HeaderValue = HeaderValue::from_static("origin");
    const PREFLIGHT: HeaderValue = HeaderValue::from_static(
        "origin, access-control-request-method, access-control-request-headers",
    );
    match v {
        "origin" => ORIGIN,
        "origin, access-control-request-method, access-control-request-headers" => PREFLIGHT,
        _ => HeaderValue::from_static(v),
    }
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
/// address among the request's lines of `name`; copied only if it is not found.
fn echoed(headers: &HeaderMap, name: &HeaderName, bytes: &[u8]) -> Option<HeaderValue> {
    headers
        .get_all(name)
        .find(|v| std::ptr::eq(v.as_bytes(), bytes))
        .cloned()
        .or_else(|| HeaderValue::from_bytes(bytes).ok())
}

/// A decision, detached from the request: what to do to the response.
#[derive(Clone)]
struct Plan {
    detached: Detached<HeaderValue>,
    shared: Rc<Shared>,
}

impl Plan {
    /// Appends the decided headers.
    fn write(self, map: &mut HeaderMap) {
        let shared = &self.shared;
        self.detached.write(
            |h| shared.policy_value(h),
            |h, v| map.append(header_name(h), v),
        );
    }

    /// Removes the cleared headers, appends ours, then appends the missing `Vary` items.
    fn decorate(self, map: &mut HeaderMap) {
        let clears = self.detached.clears();
        // Most responses carry no CORS header of their own: look before removing.
        if !clears.is_empty()
            && map
                .keys()
                .any(|k| CorsHeader::is_access_control_name(k.as_str()))
        {
            for &h in clears {
                drop(map.remove(header_name(h)));
            }
        }
        let vary_items = self.detached.vary();
        self.write(map);
        let vary = vary_items.append_to(map.get_all(header::VARY).map(HeaderValue::as_bytes));
        if let Some(v) = vary {
            map.append(header::VARY, vary_value(v));
        }
    }

    /// The answer to a request the policy answers itself: empty, no `Content-Type`.
    fn respond(self, status: u16) -> HttpResponse {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN);
        let mut res = HttpResponse::new(status);
        let vary = self.detached.vary();
        let map = res.headers_mut();
        self.write(map);
        if vary != Vary::None {
            map.append(header::VARY, vary_value(vary.as_str()));
        }
        res
    }
}

/// The middleware [`Cors`] builds around a service.
pub struct CorsMiddleware<S> {
    service: S,
    shared: Rc<Shared>,
}

impl<S> std::fmt::Debug for CorsMiddleware<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CorsMiddleware")
            .field("policy", &self.shared.policy)
            .finish_non_exhaustive()
    }
}

impl<S> CorsMiddleware<S> {
    /// Evaluates the request and detaches the decision from it.
    fn plan(&self, req: &ServiceRequest) -> (Action, Plan) {
        let shared = &*self.shared;
        let head = req.head();
        let headers = &head.headers;
        let mut view = CorsRequest::new(head.method.as_str().as_bytes());
        for v in headers.get_all(header::ORIGIN) {
            view.push_origin(v.as_bytes());
        }
        if view.needs_preflight_headers() {
            // One pass comparing names costs less than three hashed lookups; values of one
            // name come in their order.
            for (name, v) in headers.iter() {
                if *name == header::ACCESS_CONTROL_REQUEST_METHOD {
                    view.push_request_method(v.as_bytes());
                } else if *name == header::ACCESS_CONTROL_REQUEST_HEADERS {
                    view.push_request_headers(v.as_bytes());
                } else if *name == ACRPN {
                    view.push_private_network(v.as_bytes());
                }
            }
        }
        let d = shared.policy.evaluate(&view);
        if let Some(reason) = d.reason() {
            tracing::debug!(reason = %reason, kind = d.kind().as_str(), "CORS request rejected");
        }
        let detached = Detached::new(&shared.policy, &d, |_, value| match value {
            // Not reached: the policy's values are in `shared.values`.
            Value::Policy(v) => new_value(v.as_bytes()),
            Value::Origin(b) => echoed(headers, &header::ORIGIN, b),
            Value::RequestMethod(b) => echoed(headers, &header::ACCESS_CONTROL_REQUEST_METHOD, b),
            Value::RequestHeaders(b) => echoed(headers, &header::ACCESS_CONTROL_REQUEST_HEADERS, b),
        });
        let plan = Plan {
            detached,
            shared: Rc::clone(&self.shared),
        };
        (d.action(), plan)
    }
}

impl<S, B> Service<ServiceRequest> for CorsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = CorsFuture<S::Future, B>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        match self.plan(&req) {
            (Action::Respond { status }, plan) => {
                let res = req.into_response(plan.respond(status));
                CorsFuture {
                    inner: Inner::Answered {
                        res: Some(res.map_into_right_body()),
                    },
                }
            }
            (Action::Forward, plan) => CorsFuture {
                inner: Inner::Forwarded {
                    fut: self.service.call(req),
                    plan: Some(plan),
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
            res: Option<ServiceResponse<EitherBody<B>>>,
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
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().inner.project() {
            InnerProj::Answered { res } => Poll::Ready(res.take().ok_or_else(polled_twice)),
            InnerProj::Forwarded { fut, plan } => {
                let out = std::task::ready!(fut.poll(cx));
                let Some(plan) = plan.take() else {
                    return Poll::Ready(Err(polled_twice()));
                };
                Poll::Ready(match out {
                    Ok(res) => {
                        let mut res = res.map_into_left_body();
                        plan.decorate(res.headers_mut());
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
        self.plan.clone().decorate(res.headers_mut());
        res
    }
}

fn polled_twice() -> Error {
    actix_web::error::ErrorInternalServerError("CORS response future polled after completion")
}
