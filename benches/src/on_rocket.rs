//! Rocket: the example app bare, with [`cors_rocket::Cors`], or with `rocket_cors`'s
//! fairing; requests go through Rocket's local asynchronous client (untracked: no cookie
//! jar).

use rocket::http::{Header, Method};
use rocket::local::asynchronous::{Client, LocalRequest};
use tokio::runtime::Runtime;

use cors_examples::rocket_app;

use crate::{Fixture, Kind, Probe, Variant};

/// `rocket_cors::Cors` (used as a fairing) configured like [`crate::policy`].
pub fn native_cors() -> rocket_cors::Cors {
    use rocket_cors::{AllowedHeaders, AllowedOrigins, CorsOptions};
    CorsOptions {
        allowed_origins: AllowedOrigins::some_exact(&[crate::ORIGIN]),
        allowed_methods: [Method::Get, Method::Post, Method::Put]
            .into_iter()
            .map(From::from)
            .collect(),
        allowed_headers: AllowedHeaders::some(&crate::ALLOW_HEADERS),
        allow_credentials: true,
        expose_headers: [crate::EXPOSE_HEADER.to_owned()].into(),
        max_age: Some(crate::MAX_AGE as usize),
        ..CorsOptions::default()
    }
    .to_cors()
    .unwrap_or_else(|e| panic!("rocket_cors options: {e}"))
}

/// The Rocket fixture: the local client, built once, and a current-thread runtime.
pub struct RocketFixture {
    rt: Runtime,
    client: Client,
    kind: Kind,
}

/// Builds the `variant` of the example app for requests of kind `kind`.
pub fn fixture(kind: Kind, variant: Variant) -> RocketFixture {
    let rocket = match variant {
        Variant::Bare => rocket_app::rocket(None),
        Variant::Ours => rocket_app::rocket(Some(crate::policy().into())),
        Variant::Native => rocket_app::rocket(None).attach(native_cors()),
    };
    let rt = crate::current_thread();
    let client = rt
        .block_on(Client::untracked(rocket))
        .unwrap_or_else(|e| panic!("rocket client: {e}"));
    RocketFixture { rt, client, kind }
}

impl Fixture for RocketFixture {
    type Request<'a> = LocalRequest<'a>;

    fn request(&self) -> LocalRequest<'_> {
        let method = match self.kind {
            Kind::Simple => Method::Get,
            Kind::Preflight => Method::Options,
        };
        let mut req = self.client.req(method, crate::PATH);
        for (name, value) in self.kind.headers() {
            req = req.header(Header::new(*name, *value));
        }
        req
    }

    fn send(&self, req: LocalRequest<'_>) -> u16 {
        self.rt.block_on(req.dispatch()).status().code
    }

    fn probe(&self) -> Probe {
        let res = self.rt.block_on(self.request().dispatch());
        let get = |n: &str| res.headers().get_one(n).map(str::to_owned);
        Probe {
            status: res.status().code,
            allow_origin: get("access-control-allow-origin"),
            allow_headers: get("access-control-allow-headers"),
        }
    }
}
