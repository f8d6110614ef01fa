//! axum: the example router bare, with the floor middleware, with
//! [`cors_axum::CorsLayer`], or with tower-http's `CorsLayer`; requests go through
//! `tower::ServiceExt::oneshot` on a clone of the router.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request};
use axum::response::Response;
use cors_examples::axum_app;
use tokio::runtime::Runtime;
use tower::ServiceExt;

use crate::{Fixture, Kind, Probe, Variant, Visitor};

/// tower-http's `CorsLayer` configured like [`crate::policy`].
pub fn native_layer() -> tower_http::cors::CorsLayer {
    use tower_http::cors::CorsLayer;
    CorsLayer::new()
        .allow_origin(HeaderValue::from_static(crate::ORIGIN))
        .allow_methods(crate::METHODS.map(|m| Method::from_bytes(m.as_bytes()).expect("method")))
        .allow_headers(crate::ALLOW_HEADERS.map(HeaderName::from_static))
        .expose_headers([HeaderName::from_static(crate::EXPOSE_HEADER)])
        .allow_credentials(true)
        .max_age(Duration::from_secs(crate::MAX_AGE.into()))
}

/// The preflight floor: a tower middleware that answers every request with
/// [`crate::PREFLIGHT_STATUS`] and [`crate::PREFLIGHT_LINES`] (an empty body), without
/// reading it or calling the service it wraps. (The simple floor is tower's own
/// `map_response` appending [`crate::SIMPLE_LINES`].)
#[derive(Clone)]
pub struct FloorAnswer<S>(pub S);

impl<S, B> tower::Service<Request<B>> for FloorAnswer<S>
where
    S: tower::Service<Request<B>>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Ready<Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, _: Request<B>) -> Self::Future {
        let mut res = Response::new(Body::empty());
        *res.status_mut() = axum::http::StatusCode::NO_CONTENT;
        *res.headers_mut() = crate::http_lines::preflight_map();
        ready(Ok(res))
    }
}

/// Hands the floor of `kind` around `router` to `v`.
fn visit_floor<V: Visitor>(kind: Kind, router: Router, v: &mut V) {
    match kind {
        Kind::Simple => {
            let floor = tower::util::MapResponse::new(router, |mut res: Response| {
                crate::http_lines::append_simple(res.headers_mut());
                res
            });
            v.visit(Variant::Floor, fixture_of(kind, floor));
        }
        Kind::Preflight | Kind::BrowserPreflight => {
            v.visit(Variant::Floor, fixture_of(kind, FloorAnswer(router)))
        }
    }
}

fn fixture_of<S>(kind: Kind, router: S) -> AxumFixture<S> {
    AxumFixture {
        rt: crate::current_thread(),
        router,
        kind,
    }
}

/// The axum fixture: the router (or the service around it), built once, and a
/// current-thread runtime.
pub struct AxumFixture<S = Router> {
    rt: Runtime,
    router: S,
    kind: Kind,
}

/// Builds the `variant` of the example router for requests of kind `kind`, with
/// `Router::layer` (the allocation report's reference rows); `None` for the variants that
/// are not a `Router` (`floor`, `ours-tower`).
pub fn fixture(kind: Kind, variant: Variant) -> Option<AxumFixture> {
    let router = match variant {
        Variant::Bare => axum_app::router(None),
        Variant::Ours => axum_app::router(Some(crate::policy().into())),
        Variant::Native => axum_app::router(None).layer(native_layer()),
        Variant::Floor | Variant::OursTower => return None,
    };
    Some(AxumFixture {
        rt: crate::current_thread(),
        router,
        kind,
    })
}

/// Visits the four variants with the CORS layer applied around the whole `Router`
/// (`tower::Layer::layer(&layer, router)`) instead of with `Router::layer`, which wraps
/// every route and costs axum allocations per request; for the allocation report's
/// reference rows, not a bench.
pub fn visit_around_router<V: Visitor>(kind: Kind, v: &mut V) {
    use tower::Layer;
    v.visit(Variant::Bare, fixture_of(kind, axum_app::router(None)));
    visit_floor(kind, axum_app::router(None), v);
    let ours = cors_axum::CorsLayer::new(crate::policy()).layer(axum_app::router(None));
    v.visit(Variant::Ours, fixture_of(kind, ours));
    let native = native_layer().layer(axum_app::router(None));
    v.visit(Variant::Native, fixture_of(kind, native));
}

impl<S> Fixture for AxumFixture<S>
where
    S: tower::Service<Request<Body>, Response = Response, Error = Infallible> + Clone,
{
    type Request<'a>
        = Request<Body>
    where
        S: 'a;

    fn request(&self) -> Request<Body> {
        let mut req = Request::builder()
            .method(self.kind.method())
            .uri(crate::PATH);
        for (name, value) in self.kind.headers() {
            req = req.header(*name, HeaderValue::from_static(value));
        }
        req.body(Body::empty()).expect("request")
    }

    fn send(&self, req: Request<Body>) -> u16 {
        let fut = std::pin::pin!(self.router.clone().oneshot(req));
        let Ok(res) = self.rt.block_on(fut);
        res.status().as_u16()
    }

    fn probe(&self) -> Probe {
        let Ok(res) = self
            .rt
            .block_on(self.router.clone().oneshot(self.request()));
        crate::http_probe(res.status(), res.headers())
    }
}
