//! The example routes on Rocket, with the [`cors_rocket::Cors`] fairing.
//!
//! ```
//! use cors_examples::rocket_app;
//! use rocket::local::blocking::Client;
//!
//! let client = Client::untracked(rocket_app::rocket(Some(cors_core::Policy::any_origin().into()))).unwrap();
//! let res = client.get("/").header(rocket::http::Header::new("Origin", "https://a.example")).dispatch();
//! assert_eq!(res.headers().get_one("access-control-allow-origin"), Some("*"));
//! assert_eq!(res.into_string().as_deref(), Some("ok"));
//! ```

use std::net::SocketAddr;

use cors_core::{PolicySet, PolicySource};
use rocket::config::LogLevel;
use rocket::data::{Limits, ToByteUnit};
use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::http::{Header, Status};
use rocket::local::blocking::Client;
use rocket::request::{self, FromRequest};
use rocket::response::status::Custom;
use rocket::{Build, Request, Responder, Rocket};

use crate::{TestRequest, TestResponse};

/// A responder with one extra header.
#[derive(Responder)]
struct WithHeader<T = &'static str> {
    body: T,
    header: Header<'static>,
}

fn custom(body: &'static str) -> WithHeader {
    WithHeader {
        body,
        header: Header::new("x-custom", "1"),
    }
}

#[rocket::get("/")]
fn root() -> WithHeader {
    custom("ok")
}

#[rocket::get("/echo")]
fn echo_get() -> WithHeader {
    custom("GET")
}

#[rocket::post("/echo")]
fn echo_post() -> WithHeader {
    custom("POST")
}

#[rocket::put("/echo")]
fn echo_put() -> WithHeader {
    custom("PUT")
}

#[rocket::patch("/echo")]
fn echo_patch() -> WithHeader {
    custom("PATCH")
}

#[rocket::delete("/echo")]
fn echo_delete() -> WithHeader {
    custom("DELETE")
}

#[rocket::get("/vary")]
fn vary() -> WithHeader {
    WithHeader {
        body: "vary",
        header: Header::new("Vary", "accept-encoding"),
    }
}

#[rocket::get("/error")]
fn error() -> Result<&'static str, Custom<&'static str>> {
    Err(Custom(Status::InternalServerError, "boom"))
}

/// The request's raw `Cookie` header, if any.
struct RawCookie<'r>(Option<&'r str>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for RawCookie<'r> {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        request::Outcome::Success(RawCookie(req.headers().get_one("Cookie")))
    }
}

#[rocket::get("/whoami")]
fn whoami(cookie: RawCookie<'_>) -> WithHeader<String> {
    WithHeader {
        body: cookie.0.unwrap_or_default().to_owned(),
        header: Header::new("Set-Cookie", crate::SESSION_COOKIE),
    }
}

#[rocket::options("/own-options")]
fn own_options() -> &'static str {
    "own options"
}

/// `GET /ws`: a WebSocket echo (`rocket_ws`).
#[rocket::get("/ws")]
fn ws(ws: rocket_ws::WebSocket) -> rocket_ws::Channel<'static> {
    use rocket::futures::{SinkExt, StreamExt};
    ws.channel(move |mut stream| {
        Box::pin(async move {
            while let Some(message) = stream.next().await {
                let message = message?;
                if message.is_close() {
                    break;
                }
                stream.send(message).await?;
            }
            Ok(())
        })
    })
}

/// The configuration: no Rocket.toml or environment, logging off, default limits spelled
/// out; `addr` sets the address and port (default 127.0.0.1:8000).
fn figment(addr: Option<SocketAddr>) -> Figment {
    let limits = Limits::default()
        .limit("bytes", 64.kibibytes())
        .limit("string", 64.kibibytes());
    let mut figment = Figment::from(rocket::Config::default())
        .merge(("log_level", LogLevel::Off))
        .merge(("cli_colors", false))
        .merge(("limits", limits));
    if let Some(addr) = addr {
        figment = figment
            .merge(("address", addr.ip()))
            .merge(("port", addr.port()));
    }
    figment
}

/// The example app; `None` = bare, without the CORS fairing (for benchmarks).
pub fn rocket(policy: Option<PolicySource>) -> Rocket<Build> {
    let rocket = rocket::custom(figment(None)).mount(
        "/",
        rocket::routes![
            root,
            echo_get,
            echo_post,
            echo_put,
            echo_patch,
            echo_delete,
            vary,
            error,
            own_options,
            whoami,
            ws
        ],
    );
    match policy {
        Some(policy) => rocket.attach(cors_rocket::Cors::new(policy)),
        None => rocket,
    }
}

/// Runs the example routes with `policy` on `addr`, blocking the calling thread on its
/// own tokio runtime; prints `rocket listening on http://<addr>` once it accepts
/// connections (Rocket's own logging is off).
pub fn run(
    policy: impl Into<PolicySource>,
    addr: SocketAddr,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    run_with(Some(policy.into()), addr)
}

/// As [`run`]; `None` = the same routes without the CORS fairing (`serve --no-cors`).
pub fn run_with(
    policy: Option<PolicySource>,
    addr: SocketAddr,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let liftoff = AdHoc::on_liftoff("listening", |rocket| {
            Box::pin(async move {
                let config = rocket.config();
                let addr = SocketAddr::new(config.address, config.port);
                let _ = crate::announce("rocket", addr);
            })
        });
        rocket(policy)
            .configure(figment(Some(addr)))
            .attach(liftoff)
            .launch()
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// Sends one request through the app (with CORS) in process; header names lower-case.
///
/// Returns status 0 when Rocket's local client cannot carry the request: a header value
/// that is not UTF-8 (Rocket headers are strings), a method Rocket does not know, or an
/// invalid path. Builds its own runtime: call it outside any async runtime.
pub fn in_process(policy: &PolicySet, req: &TestRequest) -> TestResponse {
    let Ok(client) = Client::untracked(rocket(Some(policy.clone().into()))) else {
        return TestResponse::UNSENDABLE;
    };
    cors_testkit::rocket::send(&client, req).unwrap_or(TestResponse::UNSENDABLE)
}
