//! axum: the example router bare, with [`cors_axum::CorsLayer`], or with tower-http's
//! `CorsLayer`; requests go through `tower::ServiceExt::oneshot` on a clone of the router.

use std::convert::Infallible;
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

/// The axum fixture: the router (or the service around it), built once, and a
/// current-thread runtime.
pub struct AxumFixture<S = Router> {
    rt: Runtime,
    router: S,
    kind: Kind,
}

/// Builds the `variant` of the example router for requests of kind `kind`.
pub fn fixture(kind: Kind, variant: Variant) -> AxumFixture {
    let router = match variant {
        Variant::Bare => axum_app::router(None),
        Variant::Ours => axum_app::router(Some(crate::policy().into())),
        Variant::Native => axum_app::router(None).layer(native_layer()),
    };
    AxumFixture {
        rt: crate::current_thread(),
        router,
        kind,
    }
}

/// Visits the three variants with the CORS layer applied around the whole `Router`
/// (`tower::Layer::layer(&layer, router)`) instead of with `Router::layer`, which wraps
/// every route and costs axum allocations per request; for the allocation report's
/// reference rows, not a bench.
pub fn visit_around_router<V: Visitor>(kind: Kind, v: &mut V) {
    use tower::Layer;
    fn fixture<S>(kind: Kind, router: S) -> AxumFixture<S> {
        AxumFixture {
            rt: crate::current_thread(),
            router,
            kind,
        }
    }
    v.visit(Variant::Bare, fixture(kind, axum_app::router(None)));
    let ours = cors_axum::CorsLayer::new(crate::policy()).layer(axum_app::router(None));
    v.visit(Variant::Ours, fixture(kind, ours));
    let native = native_layer().layer(axum_app::router(None));
    v.visit(Variant::Native, fixture(kind, native));
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
        let Ok(res) = self.rt.block_on(self.router.clone().oneshot(req));
        res.status().as_u16()
    }

    fn probe(&self) -> Probe {
        let Ok(res) = self
            .rt
            .block_on(self.router.clone().oneshot(self.request()));
        let get = |n: &str| {
            res.headers()
                .get(n)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        Probe {
            status: res.status().as_u16(),
            allow_origin: get("access-control-allow-origin"),
            allow_headers: get("access-control-allow-headers"),
        }
    }
}
