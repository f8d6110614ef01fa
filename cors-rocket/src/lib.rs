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
use std::sync::Arc;

use cors_core::{Action, CorsHeader, CorsRequest, ResponseHeaders};
use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::http::{Header, Method, Status};
use rocket::route::{Handler, Outcome, Route};
use rocket::{Build, Data, Request, Response, Rocket};

pub use cors_core::{self, Policy, PolicyHandle, PolicySet, PolicySource};

/// The CORS fairing: `.attach(Cors::new(policy))`.
///
/// It is a singleton fairing: attaching a second `Cors` replaces the first.
///
/// It takes a single [`Policy`], a whole-service [`PolicySet`] (per-route policies chosen
/// by the request's path; Rocket routes `//a/b/` as `/a/b`, and the set matches every such
/// spelling the same way) or a [`PolicyHandle`] (the same, reloadable while serving: keep
/// a clone and call [`PolicyHandle::reload`]).
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
    policy: PolicySource,
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

    /// A fairing applying `policy`: a [`Policy`], a [`PolicySet`] or a [`PolicyHandle`].
    #[must_use]
    pub fn new(policy: impl Into<PolicySource>) -> Self {
        Self {
            policy: policy.into(),
        }
    }

    /// The policies it applies ([`PolicySource::handle`] reloads them when it was given
    /// a [`PolicyHandle`]).
    pub fn source(&self) -> &PolicySource {
        &self.policy
    }
}

impl From<Policy> for Cors {
    fn from(policy: Policy) -> Self {
        Self::new(policy)
    }
}

/// The policies as managed state, so that `on_response` can borrow them for the
/// response's lifetime and set their precomputed values without copying them.
struct Managed {
    handle: PolicySource,
    /// The set in force at ignition: borrowed directly while it is still in force.
    first: Arc<PolicySet>,
}

/// The set a request is decided by, once it is not `Managed::first` (after a reload), or
/// for every `OPTIONS` request: kept in the request's local cache, so that the preflight
/// route and `on_response` decide with the same snapshot.
struct Pinned(Arc<PolicySet>);

/// The set this request is decided by, for the request's lifetime.
fn snapshot<'r>(req: &'r Request<'_>) -> Option<&'r PolicySet> {
    let managed = req.rocket().state::<Managed>()?;
    // A fixed policy is always `first`; a live one is, until it is reloaded (an `OPTIONS`
    // request is pinned regardless: two decisions must see the same set).
    if managed.handle.handle().is_none()
        || (req.method() != Method::Options
            && std::ptr::eq(&*managed.handle.load(), &*managed.first))
    {
        return Some(&managed.first);
    }
    Some(&req.local_cache(|| Pinned(managed.handle.load_full())).0)
}

/// The policy for this request's path; `None` where a route switches CORS off.
fn policy<'r>(req: &'r Request<'_>) -> Option<&'r Policy> {
    snapshot(req)?.select_by(|| req.uri().path().as_str())
}

/// The route taking the requests the policy answers itself (preflights; refusals of the
/// origin check): an empty response that `on_response` completes. Every other request
/// goes on to the app's routes.
#[derive(Clone)]
struct Answer;

#[rocket::async_trait]
impl Handler for Answer {
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> Outcome<'r> {
        let Some(policy) = policy(req) else {
            return Outcome::forward(data, Status::NotFound);
        };
        let view = view(req, policy);
        match policy.evaluate(&view).action() {
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

    fn append_static(&mut self, h: CorsHeader, value: &'static str) {
        self.append(h, value);
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

    fn append_vary(&mut self, line: cors_core::VaryLine) {
        self.res.adjoin_header(Header::new("Vary", line.as_str()));
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
            let mut route = Route::ranked(Self::ROUTE_RANK, method, "/<_..>", Answer);
            route.name = Some(name.into());
            route
        };
        let mut routes = vec![answer(Method::Options, Self::ROUTE_NAME)];
        // The checks' routes, when a policy of the set has them on, or may after a reload.
        let set = self.policy.load();
        let live = self.policy.handle().is_some();
        let configs = || set.policies().map(|(_, p)| p.config());
        if live || configs().any(|c| c.csrf_protection == cors_core::CsrfProtection::Enforce) {
            use Method::*;
            // Every method Rocket routes that the check looks at (the rule is the core's).
            for method in [Get, Put, Post, Delete, Options, Head, Trace, Connect, Patch] {
                if cors_core::CsrfProtection::checks_method(method.as_str().as_bytes()) {
                    routes.push(answer(method, Self::CHECK_ROUTE_NAME));
                }
            }
        }
        if live || configs().any(|c| c.websocket_origin_check) {
            routes.push(answer(Method::Get, Self::CHECK_ROUTE_NAME));
        }
        drop(set);
        let rocket = rocket.mount("/", routes);
        Ok(match rocket.state::<Managed>() {
            Some(_) => rocket,
            None => rocket.manage(Managed {
                handle: self.policy.clone(),
                first: self.policy.load_full(),
            }),
        })
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let Some(policy) = policy(req) else {
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
