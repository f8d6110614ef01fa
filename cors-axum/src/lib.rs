//! # cors-axum
//!
//! CORS for [axum](https://docs.rs/axum) and any other [tower] HTTP service, driven by
//! [`cors_core`]: every decision is the core's [`Policy::evaluate`]; this crate only turns
//! the decision into headers and responses.
//!
//! Add [`CorsLayer`] to a whole `Router` with `Router::layer`, to one route with
//! `MethodRouter::layer`, or wrap any `tower::Service<http::Request<B>>` with it.
//!
//! * Preflights the policy answers (allowed or refused) are answered at once, without
//!   calling the inner service: the decision's status, an empty body (`B::default()`), no
//!   `Content-Type`, the decision's headers and `Vary`.
//! * Every other request reaches the inner service; its response — whatever it is: a
//!   success, a 404, a 405, a 500 — gets the decision applied: the CORS headers the
//!   decision clears are removed, the decision's headers appended, and the missing `Vary`
//!   items appended on one more `Vary` line (the handler's own `Vary` is kept).
//!
//! The decision is made and written by the core ([`cors_core::Policy::decide`],
//! [`cors_core::Pending::write_to`]), which also reports each rejected request as one
//! `tracing` event (target `cors`, level debug).
//!
//! The layer keeps its decision inline and allocates nothing of its own per request, and
//! request data never makes it panic. Adding the CORS headers can still make the
//! response's `HeaderMap` grow: a response whose map is at capacity (axum's own responses
//! in `cors-benches` are) costs 2 more allocations; `tests/allocations.rs` pins the case
//! where the map has room.
//!
//! [tower]: https://docs.rs/tower
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use cors_core::Action;
use http::{Request, Response};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use cors_core::http1::PendingHeaders as Pending;

pub use cors_core::{self, Policy, PolicyHandle, PolicySet, PolicySource};

/// A tower [`Layer`] that applies a CORS [`Policy`] to every request of the service it wraps.
///
/// It takes a single [`Policy`], a whole-service [`PolicySet`] (per-route policies chosen
/// by the request's path, `uri().path()`) or a [`PolicyHandle`] (the same, reloadable
/// while serving: keep a clone and call [`PolicyHandle::reload`]). Cloning is cheap (an
/// `Arc`); a fixed policy or set costs nothing per request to load, a handle one atomic
/// load.
///
/// ```
/// use axum::{Router, body::Body, http::Request, routing::get};
/// use cors_axum::CorsLayer;
/// use cors_core::Policy;
/// use tower::ServiceExt;
///
/// let policy = Policy::builder()
///     .allow_origins(["https://app.example.com"])
///     .allow_methods(["PUT"])
///     .build()?;
/// let app = Router::new()
///     .route("/", get(|| async { "ok" }))
///     .layer(CorsLayer::new(policy));
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// // An actual request: the handler answers, the CORS headers are added.
/// let req = Request::get("/").header("origin", "https://app.example.com").body(Body::empty())?;
/// let res = app.clone().oneshot(req).await?;
/// assert_eq!(res.status(), 200);
/// assert_eq!(res.headers()["access-control-allow-origin"], "https://app.example.com");
/// assert_eq!(res.headers()["vary"], "origin");
///
/// // A preflight: answered by the layer, even though `/` has no OPTIONS handler.
/// let req = Request::options("/")
///     .header("origin", "https://app.example.com")
///     .header("access-control-request-method", "PUT")
///     .body(Body::empty())?;
/// let res = app.oneshot(req).await?;
/// assert_eq!(res.status(), 204);
/// assert_eq!(res.headers()["access-control-allow-methods"], "GET,HEAD,POST,PUT");
/// assert!(res.headers().get("content-type").is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct CorsLayer {
    policy: PolicySource,
}

impl CorsLayer {
    /// A layer applying `policy`: a [`Policy`], a [`PolicySet`] or a [`PolicyHandle`].
    #[must_use]
    pub fn new(policy: impl Into<PolicySource>) -> Self {
        Self {
            policy: policy.into(),
        }
    }

    /// The policies this layer applies ([`PolicySource::handle`] reloads them when it
    /// was given a [`PolicyHandle`]).
    pub fn source(&self) -> &PolicySource {
        &self.policy
    }
}

impl fmt::Debug for CorsLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorsLayer")
            .field("policy", &self.policy)
            .finish()
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Cors {
            inner,
            policy: self.policy.clone(),
        }
    }
}

/// The service [`CorsLayer`] produces: applies the policy around `S`.
#[derive(Clone)]
pub struct Cors<S> {
    inner: S,
    policy: PolicySource,
}

impl<S> Cors<S> {
    /// Wraps `inner` with `policy` (the same as `CorsLayer::new(policy).layer(inner)`).
    #[must_use]
    pub fn new(inner: S, policy: impl Into<PolicySource>) -> Self {
        Self {
            inner,
            policy: policy.into(),
        }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: fmt::Debug> fmt::Debug for Cors<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cors")
            .field("inner", &self.inner)
            .field("policy", &self.policy)
            .finish()
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Cors<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    // Inlined into the caller (tower's `Oneshot`, hyper's dispatcher): the moves of the
    // inner future into the returned one cost less there (callgrind, axum simple -66,
    // preflight -20 instructions per request).
    #[inline]
    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        // `None` where a route switches CORS off: the response as the handler makes it.
        let pending = self
            .policy
            .load()
            .select_by(|| req.uri().path())
            .map(|policy| Pending::decide(policy, req.method(), req.headers()));
        if let Some(Action::Respond { status }) = pending.as_ref().map(Pending::action) {
            let mut res = Response::new(ResBody::default());
            *res.status_mut() = status.to_http();
            if let Some(pending) = pending {
                pending.write_to(res.headers_mut());
            }
            return ResponseFuture::Respond {
                response: Some(res),
            };
        }
        // Built where it is returned, one enum with no struct around it: the inner future
        // is moved once fewer (BENCHMARKS.md, seventh round).
        ResponseFuture::Forward {
            future: self.inner.call(req),
            pending,
        }
    }
}

pin_project! {
    /// The response future of [`Cors`]: the layer's own answer, or the inner service's
    /// response with the decision applied. No boxing.
    ///
    /// An enum, not a struct around one, so that building it moves the inner service's
    /// future once fewer (callgrind: about 90 instructions on an allowed simple request
    /// through warp's tower service). Its variants are `#[non_exhaustive]` and hidden: they cannot be built
    /// outside this crate and are not part of the API; use it as a [`Future`].
    #[project = ResponseFutureProj]
    pub enum ResponseFuture<F, B> {
        #[doc(hidden)]
        #[non_exhaustive]
        Respond {
            response: Option<Response<B>>,
        },
        #[doc(hidden)]
        #[non_exhaustive]
        Forward {
            #[pin]
            future: F,
            pending: Option<Pending>,
        },
    }
}

impl<F, B> fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            ResponseFutureProj::Respond { response } => match response.take() {
                Some(res) => Poll::Ready(Ok(res)),
                None => panic!("ResponseFuture polled after completion"),
            },
            ResponseFutureProj::Forward { future, pending } => {
                let mut res = std::task::ready!(future.poll(cx))?;
                if let Some(pending) = pending.take() {
                    pending.write_to(res.headers_mut());
                }
                Poll::Ready(Ok(res))
            }
        }
    }
}
