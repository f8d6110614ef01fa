//! Requests in process through an `http` 1.x tower service, and the checks whose
//! assertions are the same for every adapter whose app is one (cors-axum's `Router`,
//! cors-warp's `warp::service`). Included with `#[path]` beside `cases.rs`, which the
//! including test crate declares as `mod cases`.

use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};

use cors_core::Policy;
use http::{HeaderValue, Request, Response};
use http_body_util::BodyExt;
use tower::{Service, ServiceExt};

use crate::cases;

/// What came back: status, header lines in order (names lower-case) and body.
pub struct Answered {
    pub status: u16,
    pub lines: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl Answered {
    /// Every value of the header `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&[u8]> {
        self.lines
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
            .collect()
    }
}

/// Sends one request with these header lines (repeated names kept) through `svc`.
pub async fn send<S, B, RB>(
    svc: S,
    method: &str,
    path: &str,
    headers: &[(String, Vec<u8>)],
) -> Answered
where
    S: Service<Request<B>, Response = Response<RB>>,
    S::Error: Debug,
    B: Default,
    RB: http_body::Body,
    RB::Error: Debug,
{
    let mut req = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        req = req.header(name.as_str(), HeaderValue::from_bytes(value).unwrap());
    }
    let res = svc.oneshot(req.body(B::default()).unwrap()).await.unwrap();
    let status = res.status().as_u16();
    let lines = res
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Answered {
        status,
        lines,
        body,
    }
}

/// One header line.
pub fn h(name: &str, value: &str) -> (String, Vec<u8>) {
    (name.to_owned(), value.as_bytes().to_vec())
}

/// The shared suite's `basic` policy.
pub fn basic() -> Policy {
    cases::load().built_policies().remove("basic").unwrap()
}

/// Every case of `cases.toml` through `app(policy)`; answers have no body and no
/// Content-Type.
pub async fn every_shared_case_passes<S, B, RB>(app: impl Fn(Policy) -> S)
where
    S: Service<Request<B>, Response = Response<RB>>,
    S::Error: Debug,
    B: Default,
    RB: http_body::Body,
    RB::Error: Debug,
{
    let suite = cases::load();
    let policies = suite.built_policies();
    assert!(
        suite.cases.len() >= 40,
        "the suite shrank to {}",
        suite.cases.len()
    );
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &suite.cases {
        let app = app(policies[&case.policy].clone());
        let r = send(app, &case.method, &case.path, &case.header_lines()).await;
        if let Err(e) = case.check_response(r.status, &r.lines) {
            failures.push(e);
        }
        if case.expect.status.is_some() {
            // Answered by the adapter: empty body, no Content-Type.
            if !r.body.is_empty() || !r.all("content-type").is_empty() {
                failures.push(format!(
                    "{}: answer has a body or a Content-Type",
                    case.name
                ));
            }
        }
        checked += 1;
    }
    assert_eq!(checked, suite.cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        checked,
        failures.join("\n")
    );
}

/// The handler's `Vary` (routes `/vary`, `/vary-origin`, `/vary-star`) is kept and ours
/// appended without repeats.
pub async fn the_handlers_vary_is_kept_and_ours_appended<S, B, RB>(app: impl Fn(Policy) -> S)
where
    S: Service<Request<B>, Response = Response<RB>>,
    S::Error: Debug,
    B: Default,
    RB: http_body::Body,
    RB::Error: Debug,
{
    let origin = [h("origin", "https://app.example.com")];
    let r = send(app(basic()), "GET", "/vary", &origin).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.all("vary"), [&b"accept-encoding"[..], b"origin"]);

    // Items the handler already names (in any case) are not repeated.
    let r = send(app(basic()), "GET", "/vary-origin", &origin).await;
    assert_eq!(r.all("vary"), [&b"Accept, Origin"[..]]);

    // `Vary: *` is left alone.
    let r = send(app(basic()), "GET", "/vary-star", &origin).await;
    assert_eq!(r.all("vary"), [&b"*"[..]]);

    // Requests without Origin get the same Vary.
    let r = send(app(basic()), "GET", "/vary", &[]).await;
    assert_eq!(r.all("vary"), [&b"accept-encoding"[..], b"origin"]);
}

/// The handler's own CORS headers (route `/own-acao`) never survive beside ours.
pub async fn the_handlers_own_cors_headers_are_replaced<S, B, RB>(app: impl Fn(Policy) -> S)
where
    S: Service<Request<B>, Response = Response<RB>>,
    S::Error: Debug,
    B: Default,
    RB: http_body::Body,
    RB::Error: Debug,
{
    let r = send(
        app(basic()),
        "GET",
        "/own-acao",
        &[h("origin", "https://app.example.com")],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.all("access-control-allow-origin"),
        [&b"https://app.example.com"[..]]
    );
    assert_eq!(r.all("access-control-allow-credentials"), [&b"true"[..]]);
    assert_eq!(r.all("access-control-expose-headers"), [&b"x-custom"[..]]);

    // A refused origin never sees the handler's own ACAO either.
    let r = send(
        app(basic()),
        "GET",
        "/own-acao",
        &[h("origin", "https://evil.example.com")],
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.all("access-control-allow-origin").is_empty());
    assert!(r.all("access-control-allow-credentials").is_empty());
    assert!(r.all("access-control-expose-headers").is_empty());
}

/// Preflights to `/own-options`, whose handler counts its calls in `hits`, never reach
/// it; an `OPTIONS` that is not a preflight does.
pub async fn an_allowed_preflight_never_reaches_the_handler<S, B, RB>(app: S, hits: &AtomicUsize)
where
    S: Service<Request<B>, Response = Response<RB>> + Clone,
    S::Error: Debug,
    B: Default,
    RB: http_body::Body,
    RB::Error: Debug,
{
    let preflight = [
        h("origin", "https://app.example.com"),
        h("access-control-request-method", "PUT"),
    ];
    let r = send(app.clone(), "OPTIONS", "/own-options", &preflight).await;
    assert_eq!(r.status, 204);
    assert_eq!(hits.load(Ordering::SeqCst), 0);

    // A refused preflight does not reach it either.
    let refused = [
        h("origin", "https://evil.example.com"),
        h("access-control-request-method", "PUT"),
    ];
    let r = send(app.clone(), "OPTIONS", "/own-options", &refused).await;
    assert_eq!(r.status, 403);
    assert_eq!(hits.load(Ordering::SeqCst), 0);

    // An OPTIONS that is not a preflight does.
    let r = send(
        app,
        "OPTIONS",
        "/own-options",
        &[h("origin", "https://app.example.com")],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"own options");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

/// Answers to preflights (allowed and refused) to `/echo`, which has no OPTIONS route:
/// no Content-Type, no body, the full preflight `Vary`.
pub async fn preflight_answers_have_no_content_type_and_no_body<S, B, RB>(app: impl Fn(Policy) -> S)
where
    S: Service<Request<B>, Response = Response<RB>>,
    S::Error: Debug,
    B: Default,
    RB: http_body::Body,
    RB::Error: Debug,
{
    for (origin, status) in [
        ("https://app.example.com", 204),
        ("https://evil.example.com", 403),
    ] {
        let r = send(
            app(basic()),
            "OPTIONS",
            "/echo",
            &[
                h("origin", origin),
                h("access-control-request-method", "PUT"),
            ],
        )
        .await;
        assert_eq!(r.status, status);
        assert!(r.all("content-type").is_empty(), "{:?}", r.lines);
        assert!(r.all("content-length").iter().all(|v| *v == b"0"));
        assert!(r.body.is_empty());
        assert_eq!(
            r.all("vary"),
            [&b"origin, access-control-request-method, access-control-request-headers"[..]]
        );
    }
}

/// Malformed and hostile header values through `app(basic())`: an answer, never a panic.
pub async fn hostile_requests_never_panic<S, B, RB>(app: impl Fn(Policy) -> S)
where
    S: Service<Request<B>, Response = Response<RB>>,
    S::Error: Debug,
    B: Default,
    RB: http_body::Body,
    RB::Error: Debug,
{
    let weird: Vec<Vec<(String, Vec<u8>)>> = vec![
        vec![(String::from("origin"), vec![0xff; 64])],
        vec![
            h("origin", "https://app.example.com"),
            (
                String::from("access-control-request-method"),
                vec![0x80, 0xfe],
            ),
        ],
        vec![
            h("origin", ""),
            h("access-control-request-method", ""),
            h("access-control-request-headers", ""),
        ],
        (0..100)
            .map(|_| h("access-control-request-headers", "x"))
            .chain([
                h("origin", "https://app.example.com"),
                h("access-control-request-method", "PUT"),
            ])
            .collect(),
    ];
    for headers in &weird {
        for method in ["GET", "OPTIONS", "PROPFIND"] {
            let r = send(app(basic()), method, "/echo", headers).await;
            assert!(r.status < 600);
        }
    }
}
