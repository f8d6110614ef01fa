//! Rocket: the example app bare, with the floor (a response fairing, or for the
//! preflight a route), with [`cors_rocket::Cors`], or with `rocket_cors`'s fairing; requests go through Rocket's local asynchronous client (untracked: no cookie
//! jar).

use rocket::fairing::{Fairing, Info};
use rocket::http::{Header, Method, Status};
use rocket::local::asynchronous::{Client, LocalRequest};
use rocket::route::{Handler, Outcome, Route};
use rocket::{Data, Request, Response};
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

/// The simple request's floor: a response fairing (the only middleware Rocket has)
/// that adjoins [`crate::SIMPLE_LINES`] to every response.
pub struct FloorFairing;

#[rocket::async_trait]
impl Fairing for FloorFairing {
    fn info(&self) -> Info {
        Info {
            name: "floor",
            kind: rocket::fairing::Kind::Response,
        }
    }

    async fn on_response<'r>(&self, _: &'r Request<'_>, res: &mut Response<'r>) {
        for (n, v) in crate::SIMPLE_LINES {
            res.adjoin_header(Header::new(n, v));
        }
    }
}

/// The preflight's floor: a fairing cannot answer a request, so, as our fairing does, a
/// route for `OPTIONS /<_..>` ranked before every other, whose handler answers
/// [`crate::PREFLIGHT_STATUS`] with [`crate::PREFLIGHT_LINES`] and an empty body, without
/// reading the request.
#[derive(Clone)]
pub struct FloorAnswer;

#[rocket::async_trait]
impl Handler for FloorAnswer {
    async fn handle<'r>(&self, _: &'r Request<'_>, _: Data<'r>) -> Outcome<'r> {
        let mut res = Response::new();
        res.set_status(Status::NoContent);
        for (n, v) in crate::PREFLIGHT_LINES {
            res.adjoin_header(Header::new(n, v));
        }
        Outcome::Success(res)
    }
}

/// The Rocket fixture: the local client, built once, and a current-thread runtime.
pub struct RocketFixture {
    rt: Runtime,
    client: Client,
    kind: Kind,
}

/// Builds the `variant` of the example app for requests of kind `kind`; `None` for
/// `ours-tower` (warp only).
pub fn fixture(kind: Kind, variant: Variant) -> Option<RocketFixture> {
    let rocket = match variant {
        Variant::Bare => rocket_app::rocket(None),
        Variant::Ours => rocket_app::rocket(Some(crate::policy().into())),
        Variant::Native => rocket_app::rocket(None).attach(native_cors()),
        Variant::Floor => match kind {
            Kind::Simple => rocket_app::rocket(None).attach(FloorFairing),
            Kind::Preflight | Kind::BrowserPreflight => rocket_app::rocket(None).mount(
                "/",
                vec![Route::ranked(
                    cors_rocket::Cors::ROUTE_RANK,
                    Method::Options,
                    "/<_..>",
                    FloorAnswer,
                )],
            ),
        },
        Variant::OursTower => return None,
    };
    let rt = crate::current_thread();
    let client = rt
        .block_on(Client::untracked(rocket))
        .unwrap_or_else(|e| panic!("rocket client: {e}"));
    Some(RocketFixture { rt, client, kind })
}

impl Fixture for RocketFixture {
    type Request<'a> = LocalRequest<'a>;

    fn request(&self) -> LocalRequest<'_> {
        let method = match self.kind {
            Kind::Simple => Method::Get,
            Kind::Preflight | Kind::BrowserPreflight => Method::Options,
        };
        let mut req = self.client.req(method, crate::PATH);
        for (name, value) in self.kind.headers() {
            req = req.header(Header::new(*name, *value));
        }
        req
    }

    fn send(&self, req: LocalRequest<'_>) -> u16 {
        let fut = std::pin::pin!(req.dispatch());
        self.rt.block_on(fut).status().code
    }

    fn probe(&self) -> Probe {
        let res = self.rt.block_on(self.request().dispatch());
        Probe::new(
            res.status().code,
            res.headers()
                .iter()
                .map(|h| (h.name.to_string(), h.value.into_owned())),
        )
    }
}
