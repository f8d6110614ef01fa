//! # cors-rocket
//!
//! A CORS [`Fairing`] for [Rocket] 0.5, driven by [`cors_core`]. Every decision is made by
//! [`Policy::evaluate`]; this fairing only reads the request's CORS headers (without
//! copying them) and applies the returned [`Decision`](cors_core::Decision).
//!
//! * Preflights the policy answers (allowed or refused) never reach the app's handlers:
//!   the fairing mounts an `OPTIONS /<_..>` route ranked before every other route
//!   ([`Cors::ROUTE_RANK`]) that takes exactly those preflights and forwards every other
//!   `OPTIONS` request to the app's own routes; `on_response` then builds the answer: the
//!   decided status, an empty body, no `Content-Type`, the CORS headers and `Vary`.
//! * Every other request reaches the app as usual; its response (a catcher's 404 or 500
//!   included) gets the CORS headers, with the handler's own CORS headers replaced and
//!   its own `Vary` kept.
//! * Under the policy's `csrf_protection = "enforce"` (or `websocket_origin_check`), the
//!   fairing also mounts `/<_..>` routes of the same rank for the unsafe methods (for
//!   `GET`) that take the requests the origin check refuses, so that no handler runs for
//!   them; `on_response` answers them with an empty 403 the same way. With both keys at
//!   their defaults these routes are not mounted.
//!
//! Rejections are reported by the core: one `tracing` event each (target `cors`, level
//! debug).
//!
//! Rocket only keeps UTF-8 header values: a request header that is not UTF-8 is dropped
//! by Rocket before any fairing sees it (a non-UTF-8 `Origin` thus makes a request that
//! is not a CORS request, which gets no CORS headers either way).
//!
//! [Rocket]: https://rocket.rs
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::borrow::Cow;
use std::io::Cursor;

use cors_core::{Action, CorsHeader, CorsRequest, ResponseHeaders};
use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::http::{Header, Method, Status};
use rocket::route::{Handler, Outcome, Route};
use rocket::{Build, Data, Request, Response, Rocket};

pub use cors_core::{self, Policy};

/// The CORS fairing: `.attach(Cors::new(policy))`.
///
/// It is a singleton fairing: attaching a second `Cors` replaces the first.
///
/// ```
/// use cors_rocket::Cors;
/// use cors_core::Policy;
/// use rocket::http::{Header, Method, Status};
/// use rocket::local::blocking::Client;
///
/// #[rocket::get("/")]
/// fn index() -> &'static str { "ok" }
///
/// let policy = Policy::from_toml_str(r#"
///     allow_origins = ["https://app.example.com"]
///     allow_methods = ["PUT"]
/// "#).unwrap();
/// let rocket = rocket::build()
///     .configure(rocket::Config { log_level: rocket::config::LogLevel::Off, ..Default::default() })
///     .mount("/", rocket::routes![index])
///     .attach(Cors::new(policy));
/// let client = Client::untracked(rocket).unwrap();
///
/// // An actual request: the handler runs and the response gets the CORS headers.
/// let res = client.get("/").header(Header::new("Origin", "https://app.example.com")).dispatch();
/// assert_eq!(res.status(), Status::Ok);
/// assert_eq!(res.headers().get_one("access-control-allow-origin"), Some("https://app.example.com"));
/// assert_eq!(res.headers().get_one("vary"), Some("origin"));
///
/// // A preflight: answered by the fairing, no handler runs.
/// let res = client.req(Method::Options, "/")
///     .header(Header::new("Origin", "https://app.example.com"))
///     .header(Header::new("Access-Control-Request-Method", "PUT"))
///     .dispatch();
/// assert_eq!(res.status(), Status::NoContent);
/// assert_eq!(res.headers().get_one("access-control-allow-methods"), Some("GET,HEAD,POST,PUT"));
/// assert!(res.headers().get_one("content-type").is_none());
/// ```
#[derive(Debug, Clone)]
pub struct Cors {
    policy: Policy,
}

impl Cors {
    /// The name of the `OPTIONS /<_..>` route the fairing mounts to take the preflights
    /// it answers.
    pub const ROUTE_NAME: &'static str = "cors-rocket preflight";

    /// The name of the routes the fairing mounts, for the unsafe methods under
    /// `csrf_protection` and for `GET` under `websocket_origin_check`, to take the
    /// requests the origin check refuses.
    pub const CHECK_ROUTE_NAME: &'static str = "cors-rocket origin check";

    /// The rank of these routes: before every route of the app (Rocket tries lower ranks
    /// first), so that no app handler sees a preflight the policy answers. It only
    /// collides with an app route of the same rank.
    pub const ROUTE_RANK: isize = isize::MIN;

    /// A fairing applying `policy`.
    #[must_use]
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

/// The policy as managed state, so that `on_response` can borrow it for the response's
/// lifetime and set its precomputed values without copying them.
struct Managed(Policy);

/// The route taking the requests the policy answers itself (preflights; refusals of the
/// origin check): an empty response that `on_response` completes. Every other request
/// goes on to the app's routes.
#[derive(Clone)]
struct Answer(Policy);

#[rocket::async_trait]
impl Handler for Answer {
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> Outcome<'r> {
        let view = view(req, &self.0);
        match self.0.evaluate(&view).action() {
            Action::Respond { .. } => Outcome::from(req, ()),
            Action::Forward => Outcome::forward(data, Status::NotFound),
        }
    }
}

/// The view of a Rocket request's CORS headers (and `Sec-Fetch-Site`, `Host` and `Upgrade`
/// when the policy reads them); values are borrowed.
///
/// One pass over the request's headers comparing names: Rocket's header map hashes every
/// looked-up name with SipHash, one byte at a time (names are case-insensitive), which
/// costs more than comparing the names of a whole request.
fn view<'a>(req: &'a Request<'_>, policy: &Policy) -> CorsRequest<'a> {
    let mut view = CorsRequest::for_policy(req.method().as_str().as_bytes(), policy);
    for h in req.headers().iter() {
        // `HeaderMap::iter` lends every value (`Cow::Borrowed`) for the map's lifetime.
        if let Cow::Borrowed(value) = h.value {
            view.push_header(h.name.as_str().as_bytes(), value.as_bytes());
        }
    }
    view
}

/// Makes `res` the empty answer the policy decided on: normally the fairing's own route
/// answered it already; make sure regardless: the status, an empty body, no
/// `Content-Type`. Kept out of line: the common (forwarded) path never runs it.
#[cold]
#[inline(never)]
fn empty_answer(res: &mut Response<'_>, status: cors_core::Status) {
    res.set_status(Status::new(status.as_u16()));
    if !res.body().is_none() {
        res.set_sized_body(0, Cursor::new(&b""[..]));
    }
    if res.headers().contains("Content-Type") {
        res.remove_header("Content-Type");
    }
}

/// A Rocket response's headers, as the core writes a decision onto them; values borrow
/// the request's (`'r`) and the managed policy's.
struct Headers<'a, 'r> {
    res: &'a mut Response<'r>,
    policy: &'r Policy,
}

impl<'r> ResponseHeaders for Headers<'_, 'r> {
    type Value = &'r str;

    fn policy_value(&self, h: CorsHeader) -> Option<&'r str> {
        self.policy.value(h).map(|v| v.as_str())
    }

    fn any_name(&self, mut pred: impl FnMut(&str) -> bool) -> bool {
        self.res.headers().iter().any(|h| pred(h.name.as_str()))
    }

    fn remove(&mut self, h: CorsHeader) {
        self.res.remove_header(h.as_str());
    }

    fn append(&mut self, h: CorsHeader, value: &'r str) {
        self.res.adjoin_header(Header::new(h.as_str(), value));
    }

    /// Found by comparing names, not by a hashed lookup (see `view`).
    fn vary(&self) -> impl Iterator<Item = &[u8]> {
        self.res.headers().iter().filter_map(|h| match h.value {
            Cow::Borrowed(v) if h.name.as_str().eq_ignore_ascii_case("vary") => Some(v.as_bytes()),
            _ => None,
        })
    }

    fn remove_vary(&mut self) {
        self.res.remove_header("Vary");
    }

    fn append_vary(&mut self, value: &'static str) {
        self.res.adjoin_header(Header::new("Vary", value));
    }
}

#[rocket::async_trait]
impl Fairing for Cors {
    fn info(&self) -> Info {
        Info {
            name: "CORS (cors-rocket)",
            kind: Kind::Ignite | Kind::Response | Kind::Singleton,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let answer = |method, name: &'static str| {
            let mut route = Route::ranked(
                Self::ROUTE_RANK,
                method,
                "/<_..>",
                Answer(self.policy.clone()),
            );
            route.name = Some(name.into());
            route
        };
        let mut routes = vec![answer(Method::Options, Self::ROUTE_NAME)];
        let config = self.policy.config();
        if config.csrf_protection == cors_core::CsrfProtection::Enforce {
            use Method::*;
            for method in [Post, Put, Delete, Patch, Trace, Connect] {
                routes.push(answer(method, Self::CHECK_ROUTE_NAME));
            }
        }
        if config.websocket_origin_check {
            routes.push(answer(Method::Get, Self::CHECK_ROUTE_NAME));
        }
        let rocket = rocket.mount("/", routes);
        Ok(match rocket.state::<Managed>() {
            Some(_) => rocket,
            None => rocket.manage(Managed(self.policy.clone())),
        })
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let Some(Managed(policy)) = req.rocket().state::<Managed>() else {
            return;
        };
        let view = view(req, policy);
        // Rocket keeps only UTF-8 header values, so every echoed value is text.
        let pending = policy.decide(&view, |v| std::str::from_utf8(v.as_bytes()).ok());
        if let Action::Respond { status } = pending.action() {
            empty_answer(res, status);
        }
        pending.write_to(&mut Headers { res, policy });
    }
}
