//! # cors-warp
//!
//! CORS for [warp](https://docs.rs/warp) filters, driven by [`cors_core`]: every decision
//! is the core's [`Policy::evaluate`]; this crate only turns the decision into headers and
//! responses.
//!
//! ```text
//! let routes = routes.recover(handle_rejection).with(cors_warp::cors!(policy));
//! // or, the same: cors_warp::wrap(policy, routes.recover(handle_rejection))
//! ```
//!
//! * Preflights the policy answers (allowed or refused) are answered **before** the
//!   wrapped filter runs — a route that only matches `GET` does not turn a preflight into
//!   a 405 — with the decision's status, an empty body, no `Content-Type`, the decision's
//!   headers and `Vary`.
//! * Every other request runs the wrapped filter; the reply it extracts gets the decision
//!   applied: the CORS headers the decision clears are removed, the decision's headers
//!   appended, and the missing `Vary` items appended on one more `Vary` line (the
//!   handler's own `Vary` is kept).
//!
//! ## Rejections (404, 405, handler errors)
//!
//! A rejection of the wrapped filter is passed on unchanged, so that `.or(…)` after the
//! wrapper still tries the next filter. A rejection has no response yet, so it gets no
//! CORS headers: to give 404s, 405s and handler errors CORS headers, turn rejections into
//! replies **inside** the wrapper with [`Filter::recover`]:
//! `routes.recover(handle_rejection).with(cors!(policy))` (see [`wrap`]).
//!
//! ## Costs
//!
//! warp's filter traits are sealed and its public filters expose no borrowed view of the
//! request headers, so the wrapper reads them through `warp::header::headers_cloned()`:
//! one `HeaderMap` clone per request, which allocates the map's two tables (the values
//! are reference-counted, not copied) — two allocations per request with headers. An
//! answered preflight's response is built when the request is decided and carried past
//! the wrapped filter in one boxed custom rejection, then taken out of it (not copied).
//! Nothing else is allocated or boxed per request (`tests/allocations.rs` pins these
//! numbers), and request data never causes a panic.
//!
//! Rejected requests are reported by the core: one `tracing` event each (target `cors`,
//! level debug).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::sync::Mutex;

use cors_core::Action;
use warp::http::{HeaderMap, Method, StatusCode};
use warp::path::FullPath;
use warp::reject::Reject;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use cors_core::http1::PendingHeaders as Pending;

pub use cors_core::{self, Policy, PolicyHandle, PolicySet, PolicySource};

/// Wraps a warp filter with a CORS [`Policy`]; `filter.with(cors!(policy))` does the same.
///
/// `policy` is a single [`Policy`], a whole-service [`PolicySet`] (per-route policies
/// chosen by the request's path) or a [`PolicyHandle`] (the same, reloadable while
/// serving): see [`Policies`].
///
/// The wrapped filter extracts one [`Reply`] and rejects with [`Rejection`] (or never
/// rejects); the result extracts a [`warp::reply::Response`].
///
/// ```
/// use cors_core::Policy;
/// use warp::Filter;
/// use warp::http::StatusCode;
///
/// #[derive(Debug)]
/// struct Boom;
/// impl warp::reject::Reject for Boom {}
///
/// // Turns rejections into replies *inside* the CORS wrapper, so 404s and errors get
/// // CORS headers too.
/// async fn handle(r: warp::Rejection) -> Result<warp::reply::Response, warp::Rejection> {
///     use warp::Reply;
///     if r.is_not_found() {
///         Ok(StatusCode::NOT_FOUND.into_response())
///     } else if r.find::<Boom>().is_some() {
///         Ok(warp::reply::with_status("boom", StatusCode::INTERNAL_SERVER_ERROR).into_response())
///     } else {
///         Err(r)
///     }
/// }
///
/// let policy = Policy::builder()
///     .allow_origins(["https://app.example.com"])
///     .allow_methods(["PUT"])
///     .build()?;
/// let hello = warp::path("hello").and(warp::get()).map(|| "hello");
/// let error = warp::path("error").and_then(|| async { Err::<String, _>(warp::reject::custom(Boom)) });
/// let routes = hello.or(error).recover(handle);
/// let routes = cors_warp::wrap(policy, routes);
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// // An actual request: the route answers, the CORS headers are added.
/// let res = warp::test::request()
///     .path("/hello")
///     .header("origin", "https://app.example.com")
///     .reply(&routes)
///     .await;
/// assert_eq!(res.status(), 200);
/// assert_eq!(res.headers()["access-control-allow-origin"], "https://app.example.com");
/// assert_eq!(res.headers()["vary"], "origin");
///
/// // A preflight: answered by the wrapper, though `/hello` only matches GET.
/// let res = warp::test::request()
///     .method("OPTIONS")
///     .path("/hello")
///     .header("origin", "https://app.example.com")
///     .header("access-control-request-method", "PUT")
///     .reply(&routes)
///     .await;
/// assert_eq!(res.status(), 204);
/// assert_eq!(res.headers()["access-control-allow-methods"], "GET,HEAD,POST,PUT");
/// assert!(res.headers().get("content-type").is_none());
///
/// // 404s and handler errors carry CORS headers, thanks to `recover` inside `with`.
/// for (path, status) in [("/nope", 404), ("/error", 500)] {
///     let res = warp::test::request()
///         .path(path)
///         .header("origin", "https://app.example.com")
///         .reply(&routes)
///         .await;
///     assert_eq!(res.status(), status);
///     assert_eq!(res.headers()["access-control-allow-origin"], "https://app.example.com");
/// }
/// # });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn wrap<F, R, E>(
    policy: impl Policies,
    inner: F,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone + Send + Sync + 'static
where
    F: Filter<Extract = (R,), Error = E> + Clone + Send + Sync + 'static,
    R: Reply,
    E: InnerError,
{
    E::wrap(policy, inner)
}

/// The wrapper for [`Filter::with`]: `filter.with(cors!(policy))` is
/// [`wrap(policy, filter)`](wrap).
///
/// A macro because warp 0.4 seals its `Wrap` trait and does not export the type
/// `warp::wrap_fn` returns, so no function can return a wrapper without boxing the
/// wrapped filter; the macro writes the `warp::wrap_fn` call in place. `policy` is any
/// expression of a [`Policies`] type (a [`Policy`], a [`PolicySet`], a [`PolicyHandle`],
/// a [`PolicySource`]), evaluated once.
///
/// ```
/// use cors_warp::cors;
/// use warp::Filter;
///
/// let policy = cors_core::Policy::any_origin();
/// let routes = warp::path("hello").map(|| "hello").with(cors!(policy));
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let res = warp::test::request()
///     .path("/hello")
///     .header("origin", "https://anyone.example")
///     .reply(&routes)
///     .await;
/// assert_eq!(res.headers()["access-control-allow-origin"], "*");
/// # });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[macro_export]
macro_rules! cors {
    ($policy:expr $(,)?) => {{
        let policy = $policy;
        $crate::__private::wrap_fn(move |inner| {
            $crate::wrap(::core::clone::Clone::clone(&policy), inner)
        })
    }};
}

#[doc(hidden)]
pub mod __private {
    pub use warp::wrap_fn;
}

/// The rejection type of a filter [`cors`] can wrap: [`Rejection`] or [`Infallible`].
///
/// Sealed; the method is an implementation detail.
pub trait InnerError: sealed::Sealed + Send + Sized + 'static {
    /// Wraps `inner` with `policy`.
    #[doc(hidden)]
    fn wrap<F, R>(
        policy: impl Policies,
        inner: F,
    ) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone + Send + Sync + 'static
    where
        F: Filter<Extract = (R,), Error = Self> + Clone + Send + Sync + 'static,
        R: Reply;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for warp::Rejection {}
    impl Sealed for std::convert::Infallible {}

    pub trait SealedPolicies {}
    impl SealedPolicies for cors_core::Policy {}
    impl SealedPolicies for cors_core::PolicySet {}
    impl SealedPolicies for cors_core::PolicyHandle {}
    impl SealedPolicies for cors_core::PolicySource {}
}

/// What [`wrap`] and [`cors!`] apply: a [`Policy`], a [`PolicySet`] (per-route policies),
/// a [`PolicyHandle`] (reloadable) or a [`PolicySource`].
///
/// Sealed; the method is an implementation detail. A single `Policy` applies to every
/// path, so its wrapper does not read the request's path (in warp, one more filter per
/// request); the others do.
pub trait Policies: sealed::SealedPolicies + Clone + Send + Sync + 'static {
    /// The filter that decides on each request.
    #[doc(hidden)]
    fn gate(
        self,
    ) -> impl Filter<Extract = (Option<Pending>,), Error = Rejection> + Clone + Send + Sync + 'static;
}

impl Policies for Policy {
    fn gate(
        self,
    ) -> impl Filter<Extract = (Option<Pending>,), Error = Rejection> + Clone + Send + Sync + 'static
    {
        warp::method().and(warp::header::headers_cloned()).and_then(
            move |method: Method, headers: HeaderMap| {
                ready(decided(Pending::decide(&self, &method, &headers)))
            },
        )
    }
}

impl Policies for PolicySource {
    fn gate(
        self,
    ) -> impl Filter<Extract = (Option<Pending>,), Error = Rejection> + Clone + Send + Sync + 'static
    {
        gate(self)
    }
}

impl Policies for PolicySet {
    fn gate(
        self,
    ) -> impl Filter<Extract = (Option<Pending>,), Error = Rejection> + Clone + Send + Sync + 'static
    {
        gate(self.into())
    }
}

impl Policies for PolicyHandle {
    fn gate(
        self,
    ) -> impl Filter<Extract = (Option<Pending>,), Error = Rejection> + Clone + Send + Sync + 'static
    {
        gate(self.into())
    }
}

/// Goes on to the wrapped filter with the decision, or rejects with the [`Answer`] to
/// send instead.
fn decided(pending: Pending) -> Result<Option<Pending>, Rejection> {
    match pending.action() {
        Action::Forward => Ok(Some(pending)),
        Action::Respond { status } => {
            Err(warp::reject::custom(Answer::new(status.to_http(), pending)))
        }
    }
}

/// The same body for both rejection types: warp's `And` combines each with
/// [`Rejection`] through a sealed warp trait, which a generic impl cannot name.
macro_rules! impl_inner_error {
    ($($error:ty),*) => {$(
        impl InnerError for $error {
            fn wrap<F, R>(
                policy: impl Policies,
                inner: F,
            ) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone + Send + Sync + 'static
            where
                F: Filter<Extract = (R,), Error = Self> + Clone + Send + Sync + 'static,
                R: Reply,
            {
                finish(policy.gate().and(inner))
            }
        }
    )*};
}

impl_inner_error!(Rejection, Infallible);

/// Evaluates the request: extracts what to apply to the reply, or rejects with the
/// [`Answer`] to send instead of running the wrapped filter.
/// `None` where a route switches CORS off.
fn gate(
    policy: PolicySource,
) -> impl Filter<Extract = (Option<Pending>,), Error = Rejection> + Clone + Send + Sync + 'static {
    warp::path::full()
        .and(warp::method())
        .and(warp::header::headers_cloned())
        .and_then(
            move |path: FullPath,
                  method: Method,
                  headers: HeaderMap|
                  -> Ready<Result<Option<Pending>, Rejection>> {
                let set = policy.load();
                let Some(policy) = set.select(path.as_str()) else {
                    return ready(Ok(None));
                };
                ready(decided(Pending::decide(policy, &method, &headers)))
            },
        )
}

/// Applies the decision to the wrapped filter's reply, and turns an [`Answer`] into its
/// response; other rejections pass through unchanged.
fn finish<G, R>(
    filter: G,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone + Send + Sync + 'static
where
    G: Filter<Extract = (Option<Pending>, R), Error = Rejection> + Clone + Send + Sync + 'static,
    R: Reply,
{
    filter
        .map(|pending: Option<Pending>, reply: R| {
            let mut res = reply.into_response();
            if let Some(pending) = pending {
                pending.write_to(res.headers_mut());
            }
            res
        })
        .or_else(
            |rejection: Rejection| -> Ready<Result<(Response,), Rejection>> {
                ready(match rejection.find::<Answer>().and_then(Answer::take) {
                    Some(answer) => Ok((answer,)),
                    None => Err(rejection),
                })
            },
        )
}

/// The response to a request the policy answers itself, carried past the wrapped filter:
/// built when the request is decided, taken (not cloned) when the rejection is turned
/// back into it.
struct Answer(Mutex<Option<Response>>);

impl Answer {
    fn new(status: StatusCode, pending: Pending) -> Self {
        let mut res = Response::default();
        *res.status_mut() = status;
        pending.write_to(res.headers_mut());
        Self(Mutex::new(Some(res)))
    }

    /// The response; `None` once taken (a rejection is turned back into its answer once).
    fn take(&self) -> Option<Response> {
        self.0.lock().ok()?.take()
    }
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Answer")
    }
}

impl Reject for Answer {}
