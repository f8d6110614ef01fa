//! Every shared case (cors-testkit's `cases.toml`) through the Rocket fairing, in process,
//! plus the adapter's own guarantees.

use std::sync::atomic::{AtomicUsize, Ordering};

use cors_core::{Policy, PolicySet};
use cors_rocket::Cors;
use cors_testkit::cases::{self, Sent, basic};
use cors_testkit::{TestRequest, TestResponse, h};
use rocket::config::LogLevel;
use rocket::http::{Header, Status};
use rocket::local::blocking::Client;
use rocket::response::status::Custom;
use rocket::{Build, Responder, Rocket};

// ------------------------------------------------------------------ the app's routes

#[derive(Responder)]
struct WithHeader<T> {
    inner: T,
    header: Header<'static>,
}

fn custom<T>(inner: T) -> WithHeader<T> {
    WithHeader {
        inner,
        header: Header::new("x-custom", "1"),
    }
}

#[rocket::get("/")]
fn root() -> WithHeader<&'static str> {
    custom("ok")
}

#[rocket::get("/echo")]
fn echo_get(hits: &rocket::State<Hits>) -> WithHeader<&'static str> {
    hits.0.fetch_add(1, Ordering::SeqCst);
    custom("GET")
}

#[rocket::post("/echo")]
fn echo_post(hits: &rocket::State<Hits>) -> WithHeader<&'static str> {
    hits.0.fetch_add(1, Ordering::SeqCst);
    custom("POST")
}

#[rocket::put("/echo")]
fn echo_put() -> WithHeader<&'static str> {
    custom("PUT")
}

#[rocket::patch("/echo")]
fn echo_patch() -> WithHeader<&'static str> {
    custom("PATCH")
}

#[rocket::delete("/echo")]
fn echo_delete() -> WithHeader<&'static str> {
    custom("DELETE")
}

#[rocket::get("/vary")]
fn vary() -> WithHeader<&'static str> {
    WithHeader {
        inner: "vary",
        header: Header::new("Vary", "accept-encoding"),
    }
}

#[rocket::get("/error")]
fn error() -> Result<&'static str, Custom<&'static str>> {
    Err(Custom(Status::InternalServerError, "boom"))
}

/// Counts the requests that reach the app's OPTIONS handlers and `GET`/`POST /echo` (one
/// per Rocket instance).
#[derive(Default)]
struct Hits(AtomicUsize);

#[rocket::options("/own-options")]
fn own_options(hits: &rocket::State<Hits>) -> &'static str {
    hits.0.fetch_add(1, Ordering::SeqCst);
    "own options"
}

/// A handler setting its own CORS headers, which the fairing must replace.
#[rocket::get("/own-acao")]
fn own_acao() -> WithHeader<WithHeader<&'static str>> {
    WithHeader {
        inner: WithHeader {
            inner: "own acao",
            header: Header::new("Access-Control-Allow-Origin", "*"),
        },
        header: Header::new("Access-Control-Expose-Headers", "x-secret"),
    }
}

/// Catches every OPTIONS the app does not route: counts it, so that preflights answered
/// by the fairing can be shown never to reach the app.
#[rocket::options("/<_..>", rank = 100)]
fn any_options(hits: &rocket::State<Hits>) -> Status {
    hits.0.fetch_add(1, Ordering::SeqCst);
    Status::MethodNotAllowed
}

fn app(policy: Option<&PolicySet>, catch_all_options: bool) -> Rocket<Build> {
    let config = rocket::Config {
        log_level: LogLevel::Off,
        ..rocket::Config::debug_default()
    };
    let mut rocket = rocket::custom(config).manage(Hits::default()).mount(
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
            own_acao
        ],
    );
    if catch_all_options {
        rocket = rocket.mount("/", rocket::routes![any_options]);
    }
    match policy {
        Some(p) => rocket.attach(Cors::new(p.clone())),
        None => rocket,
    }
}

// ------------------------------------------------------------------ helpers

/// Sends a request; `None` when Rocket's client cannot carry it (a non-UTF-8 value).
fn send(
    client: &Client,
    method: &str,
    path: &str,
    headers: &[(String, Vec<u8>)],
) -> Option<TestResponse> {
    cors_testkit::rocket::send(client, &TestRequest::new(method, path, headers))
}

fn client(policy: &Policy) -> Client {
    set_client(&PolicySet::from(policy.clone()))
}

fn set_client(policy: &PolicySet) -> Client {
    Client::untracked(app(Some(policy), true)).expect("rocket ignites")
}

fn hits(client: &Client) -> usize {
    client
        .rocket()
        .state::<Hits>()
        .map_or(0, |h| h.0.load(Ordering::SeqCst))
}

// ------------------------------------------------------------------ the shared cases

/// Cases Rocket's local client cannot send: their header values are not UTF-8. (Over
/// HTTP Rocket drops such headers; the HTTP conformance run covers them.)
const SKIPPED: [&str; 1] = ["non-UTF-8 origin"];

#[test]
fn every_case() {
    let suite = cases::load();
    let clients: std::collections::BTreeMap<&str, Client> = suite
        .policies
        .keys()
        .chain(suite.services.keys())
        .map(|name| (name.as_str(), set_client(&suite.policy_set(name))))
        .collect();
    suite.run_every_case("rocket", &SKIPPED, |_, case| {
        let client = &clients[case.policy.as_str()];
        let before = hits(client);
        let Some(a) = cors_testkit::rocket::send(client, &case.request()) else {
            return Sent::Skipped;
        };
        // Answered by the fairing: no handler ran.
        if case.expect.status.is_some() && hits(client) != before {
            return Sent::Failed("a handler ran".into());
        }
        Sent::Answer(a)
    });
}

// ------------------------------------------------------------------ the fairing's guarantees

#[test]
fn handler_vary_is_kept_and_ours_appended() {
    let client = client(&basic());
    let a = send(
        &client,
        "GET",
        "/vary",
        &[h("origin", "https://app.example.com")],
    )
    .expect("sent");
    assert_eq!(a.status, 200);
    assert_eq!(a.values("vary"), [&b"accept-encoding"[..], b"origin"]);
    assert_eq!(a.body, b"vary");
}

#[test]
fn handler_acao_is_replaced() {
    let client = client(&basic());
    let a = send(
        &client,
        "GET",
        "/own-acao",
        &[h("origin", "https://app.example.com")],
    )
    .expect("sent");
    assert_eq!(
        a.values("access-control-allow-origin"),
        [b"https://app.example.com"]
    );
    assert_eq!(a.values("access-control-expose-headers"), [b"x-custom"]);

    let a = send(
        &client,
        "GET",
        "/own-acao",
        &[h("origin", "https://evil.example.com")],
    )
    .expect("sent");
    assert!(a.values("access-control-allow-origin").is_empty(), "{a:?}");
    assert!(
        a.values("access-control-expose-headers").is_empty(),
        "{a:?}"
    );
    assert_eq!(a.values("vary"), [b"origin"]);
}

#[test]
fn answered_preflights_never_reach_the_app_and_own_options_still_works() {
    let client = client(&basic());
    let before = hits(&client);
    for path in ["/own-options", "/echo", "/nowhere"] {
        for (acrm, status) in [("PUT", 204), ("PROPFIND", 403)] {
            let a = send(
                &client,
                "OPTIONS",
                path,
                &[
                    h("origin", "https://app.example.com"),
                    h("access-control-request-method", acrm),
                ],
            )
            .expect("sent");
            assert_eq!(a.status, status, "{path} {acrm}: {a:?}");
            assert!(a.values("content-type").is_empty(), "{a:?}");
            assert!(a.body.is_empty(), "{a:?}");
        }
    }
    assert_eq!(hits(&client), before, "a handler ran");

    // Without ACRM (CORS or not) the app's own OPTIONS route answers.
    for headers in [
        vec![h("origin", "https://app.example.com")],
        vec![],
        vec![h("access-control-request-method", "PUT")],
    ] {
        let a = send(&client, "OPTIONS", "/own-options", &headers).expect("sent");
        assert_eq!((a.status, a.body.as_slice()), (200, &b"own options"[..]));
    }
    assert_eq!(hits(&client), before + 3);
}

#[test]
fn requests_the_origin_check_refuses_never_reach_the_app() {
    let policies = cases::load().built_policies();
    let client = client(&policies["csrf"]);
    let before = hits(&client);
    let evil = [
        h("origin", "https://evil.example"),
        h("sec-fetch-site", "cross-site"),
    ];
    let a = send(&client, "POST", "/echo", &evil).expect("sent");
    assert_eq!((a.status, a.body.as_slice()), (403, &b""[..]), "{a:?}");
    let mut ws = evil.to_vec();
    ws.push(h("upgrade", "websocket"));
    let a = send(&client, "GET", "/echo", &ws).expect("sent");
    assert_eq!((a.status, a.body.as_slice()), (403, &b""[..]), "{a:?}");
    assert_eq!(hits(&client), before, "a handler ran");

    // A listed origin, and the same request without Upgrade, reach the handlers.
    let listed = [
        h("origin", "https://app.example.com"),
        h("sec-fetch-site", "cross-site"),
    ];
    let a = send(&client, "POST", "/echo", &listed).expect("sent");
    assert_eq!((a.status, a.body.as_slice()), (200, &b"POST"[..]), "{a:?}");
    let a = send(&client, "GET", "/echo", &evil).expect("sent");
    assert_eq!((a.status, a.body.as_slice()), (200, &b"GET"[..]), "{a:?}");
    assert_eq!(hits(&client), before + 2);

    // Report mode refuses nothing: the handler runs.
    let report = self::client(&policies["csrf_report"]);
    let before = hits(&report);
    let a = send(&report, "POST", "/echo", &evil).expect("sent");
    assert_eq!((a.status, a.body.as_slice()), (200, &b"POST"[..]), "{a:?}");
    assert_eq!(hits(&report), before + 1);
}

#[test]
fn options_without_a_route_still_get_the_apps_404() {
    // The fairing's catch-all OPTIONS route forwards what it does not answer.
    let client = Client::untracked(app(Some(&basic().into()), false)).expect("rocket ignites");
    let a = send(
        &client,
        "OPTIONS",
        "/echo",
        &[h("origin", "https://app.example.com")],
    )
    .expect("sent");
    assert_eq!(a.status, 404);
    assert_eq!(
        a.values("access-control-allow-origin"),
        [b"https://app.example.com"]
    );
    let a = send(&client, "OPTIONS", "/", &[]).expect("sent");
    assert_eq!(a.status, 404);
}

#[test]
fn preflights_to_the_root_are_answered() {
    let client = client(&basic());
    let before = hits(&client);
    let a = send(
        &client,
        "OPTIONS",
        "/",
        &[
            h("origin", "https://app.example.com"),
            h("access-control-request-method", "PUT"),
        ],
    )
    .expect("sent");
    assert_eq!(a.status, 204);
    assert_eq!(hits(&client), before);
}

#[test]
fn catchers_get_cors_headers() {
    let client = client(&basic());
    let a = send(
        &client,
        "GET",
        "/nowhere",
        &[h("origin", "https://app.example.com")],
    )
    .expect("sent");
    assert_eq!(a.status, 404);
    assert_eq!(
        a.values("access-control-allow-origin"),
        [b"https://app.example.com"]
    );
    assert_eq!(a.values("vary"), [b"origin"]);
}

#[test]
fn bare_app_has_no_cors_headers() {
    let client = Client::untracked(app(None, false)).expect("rocket ignites");
    let a = send(
        &client,
        "GET",
        "/",
        &[h("origin", "https://app.example.com")],
    )
    .expect("sent");
    assert_eq!((a.status, a.body.as_slice()), (200, &b"ok"[..]));
    assert!(a.values("access-control-allow-origin").is_empty());
}

#[test]
fn attaching_twice_keeps_the_last_policy() {
    let first = Policy::from_toml_str(r#"allow_origins = ["https://first.example"]"#).expect("p");
    let rocket = app(Some(&first.into()), false).attach(Cors::new(basic()));
    let client = Client::untracked(rocket).expect("rocket ignites");
    let a = send(
        &client,
        "GET",
        "/",
        &[h("origin", "https://app.example.com")],
    )
    .expect("sent");
    assert_eq!(
        a.values("access-control-allow-origin"),
        [b"https://app.example.com"]
    );
}
