//! warp: the example filter bare, with [`cors_warp::cors!`], or with `warp::cors()`;
//! requests go through `warp::test::request()...reply(&filter)`.

use tokio::runtime::Runtime;
use warp::http::HeaderValue;
use warp::test::RequestBuilder;
use warp::{Filter, Rejection, Reply};

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

/// The warp fixture: the filter, built once, and a current-thread runtime.
pub struct WarpFixture<F> {
    rt: Runtime,
    filter: F,
    kind: Kind,
}

/// Builds the `variant` of the example filter for requests of kind `kind` and hands it
/// to `v` (the three variants are three filter types).
pub fn visit<V: Visitor>(kind: Kind, variant: Variant, v: &mut V) {
    use cors_examples::warp_app;
    match variant {
        Variant::Bare => v.visit(variant, fixture(kind, warp_app::bare())),
        Variant::Ours => v.visit(variant, fixture(kind, warp_app::with_cors(crate::policy()))),
        Variant::Native => v.visit(variant, fixture(kind, warp_app::bare().with(native_cors()))),
    }
}

fn fixture<F>(kind: Kind, filter: F) -> WarpFixture<F> {
    WarpFixture {
        rt: crate::current_thread(),
        filter,
        kind,
    }
}

impl<F> Fixture for WarpFixture<F>
where
    F: Filter<Error = Rejection> + 'static,
    F::Extract: Reply + Send,
{
    type Request<'a>
        = RequestBuilder
    where
        F: 'a;

    fn request(&self) -> RequestBuilder {
        let mut req = warp::test::request()
            .method(self.kind.method())
            .path(crate::PATH);
        for (name, value) in self.kind.headers() {
            // Static values, as in every fixture: cloning one is a refcount (as for the
            // values hyper parses), never a copy.
            req = req.header(*name, HeaderValue::from_static(value));
        }
        req
    }

    fn send(&self, req: RequestBuilder) -> u16 {
        self.rt.block_on(req.reply(&self.filter)).status().as_u16()
    }

    fn probe(&self) -> Probe {
        let res = self.rt.block_on(self.request().reply(&self.filter));
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
