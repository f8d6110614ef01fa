//! warp: the example filter bare, with the floor (`Filter::map`), with
//! [`cors_warp::cors!`], with `warp::cors()`, or as `warp::service(app)` inside
//! [`cors_axum::Cors`] (`ours-tower`); every variant is the tower service `warp::serve`
//! runs (`warp::service(filter)`, which hyper-util serves), and requests go through
//! `tower::ServiceExt::oneshot` on a clone of it, as for axum.

use std::convert::Infallible;

use tokio::runtime::Runtime;
use tower::ServiceExt;
use warp::Filter;
use warp::http::{HeaderValue, Request, Response, StatusCode};

use crate::{Fixture, Kind, Probe, Variant, Visitor};

/// `warp::cors()` configured like [`crate::policy`].
pub fn native_cors() -> warp::filters::cors::Builder {
    warp::cors()
        .allow_origin(crate::ORIGIN)
        .allow_methods(crate::METHODS)
        .allow_headers(crate::ALLOW_HEADERS)
        .expose_header(crate::EXPOSE_HEADER)
        .allow_credentials(true)
        .max_age(crate::MAX_AGE)
}

/// The warp fixture: the service, built once, and a current-thread runtime.
pub struct WarpFixture<S> {
    rt: Runtime,
    service: S,
    kind: Kind,
}

/// Builds the `variant` of the example filter for requests of kind `kind` and hands it
/// to `v` (the variants are different service types).
pub fn visit<V: Visitor>(kind: Kind, variant: Variant, v: &mut V) {
    use cors_examples::warp_app;
    match variant {
        Variant::Bare => v.visit(variant, fixture(kind, warp::service(warp_app::bare()))),
        // The smallest middleware warp's API allows: `map` over the app's reply for the
        // simple request; for the preflight, the answer alone (a filter that answers
        // without running the app: `.or(app)` behind it would never run, and `or` wants
        // a filter that can reject).
        Variant::Floor => match kind {
            Kind::Simple => {
                let floor = warp_app::bare().map(|mut res: warp::reply::Response| {
                    crate::http_lines::append_simple(res.headers_mut());
                    res
                });
                v.visit(variant, fixture(kind, warp::service(floor)))
            }
            Kind::Preflight | Kind::BrowserPreflight => {
                let floor = warp::any().map(|| {
                    let mut res = warp::reply::Response::default();
                    *res.status_mut() = StatusCode::NO_CONTENT;
                    *res.headers_mut() = crate::http_lines::preflight_map();
                    res
                });
                v.visit(variant, fixture(kind, warp::service(floor)))
            }
        },
        Variant::Ours => v.visit(
            variant,
            fixture(kind, warp::service(warp_app::with_cors(crate::policy()))),
        ),
        Variant::Native => v.visit(
            variant,
            fixture(kind, warp::service(warp_app::bare().with(native_cors()))),
        ),
        Variant::OursTower => {
            let service = cors_axum::Cors::new(warp::service(warp_app::bare()), crate::policy());
            v.visit(variant, fixture(kind, service))
        }
    }
}

fn fixture<S>(kind: Kind, service: S) -> WarpFixture<S> {
    WarpFixture {
        rt: crate::current_thread(),
        service,
        kind,
    }
}

/// The request body type (empty: allocation-free, `Send + Sync` as `warp::service` wants).
type ReqBody = String;

impl<S, B> Fixture for WarpFixture<S>
where
    S: tower::Service<Request<ReqBody>, Response = Response<B>, Error = Infallible> + Clone,
{
    type Request<'a>
        = Request<ReqBody>
    where
        S: 'a;

    fn request(&self) -> Request<ReqBody> {
        let mut req = Request::builder()
            .method(self.kind.method())
            .uri(crate::PATH);
        for (name, value) in self.kind.headers() {
            // Static values, as in every fixture: cloning one is a refcount (as for the
            // values hyper parses), never a copy.
            req = req.header(*name, HeaderValue::from_static(value));
        }
        req.body(String::new()).expect("request")
    }

    fn send(&self, req: Request<ReqBody>) -> u16 {
        let fut = std::pin::pin!(self.service.clone().oneshot(req));
        let Ok(res) = self.rt.block_on(fut);
        res.status().as_u16()
    }

    fn probe(&self) -> Probe {
        let Ok(res) = self
            .rt
            .block_on(self.service.clone().oneshot(self.request()));
        crate::http_probe(res.status(), res.headers())
    }
}
