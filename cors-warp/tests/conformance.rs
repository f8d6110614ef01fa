//! Runs every shared case of `cors-core/tests/cases.toml` through the CORS wrapper on a
//! warp app with the `serve` example's routes, plus adapter-specific checks.
//!
//! Requests go through `warp::service` (in process): unlike `warp::test::request`, whose
//! `header` replaces earlier lines of the same name, it lets a case send repeated headers.

#[path = "../../cors-core/tests/support/cases.rs"]
mod cases;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use cors_core::Policy;
use cors_warp::cors;
use http_body_util::BodyExt;
use tower::ServiceExt;
use warp::http::{HeaderValue, Method, Request, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

#[derive(Debug)]
struct AppError;

impl warp::reject::Reject for AppError {}

/// Turns the app's rejections into replies inside the CORS wrapper, as warp would.
async fn handle(r: Rejection) -> Result<Response, Rejection> {
    if r.find::<AppError>().is_some() {
        Ok(warp::reply::with_status("boom", StatusCode::INTERNAL_SERVER_ERROR).into_response())
    } else if r.is_not_found() {
        Ok(StatusCode::NOT_FOUND.into_response())
    } else if let Some(e) = r.find::<warp::reject::MethodNotAllowed>() {
        Ok(warp::reply::with_status(e.to_string(), StatusCode::METHOD_NOT_ALLOWED).into_response())
    } else {
        Err(r)
    }
}

/// The example routes (rejections not yet handled); `hits` counts calls of the
/// `OPTIONS /own-options` handler.
fn routes(
    hits: Arc<AtomicUsize>,
) -> impl Filter<Extract = (impl Reply,), Error = Rejection> + Clone + Send + Sync + 'static {
    use warp::{delete, get, options, patch, path, post, put};
    let root = path::end()
        .and(get())
        .map(|| warp::reply::with_header("ok", "x-custom", "1"));
    let echo = path!("echo")
        .and(
            get()
                .or(post())
                .unify()
                .or(put())
                .unify()
                .or(patch())
                .unify()
                .or(delete())
                .unify(),
        )
        .and(warp::method())
        .map(|m: Method| warp::reply::with_header(m.to_string(), "x-custom", "1"));
    let vary = path!("vary")
        .and(get())
        .map(|| warp::reply::with_header("vary", "vary", "accept-encoding"));
    let error = path!("error")
        .and(get())
        .and_then(|| async { Err::<&'static str, _>(warp::reject::custom(AppError)) });
    let own_options = path!("own-options").and(options()).map(move || {
        hits.fetch_add(1, Ordering::SeqCst);
        "own options"
    });
    let own_acao = path!("own-acao").and(get()).map(|| {
        let mut res = "own acao".into_response();
        let h = res.headers_mut();
        h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
        h.insert(
            "access-control-allow-credentials",
            HeaderValue::from_static("false"),
        );
        h.insert(
            "access-control-expose-headers",
            HeaderValue::from_static("x-secret"),
        );
        res
    });
    let vary_origin = path!("vary-origin")
        .and(get())
        .map(|| warp::reply::with_header("vary", "vary", "Accept, Origin"));
    let vary_star = path!("vary-star")
        .and(get())
        .map(|| warp::reply::with_header("vary", "vary", "*"));
    root.or(echo)
        .or(vary)
        .or(error)
        .or(own_options)
        .or(own_acao)
        .or(vary_origin)
        .or(vary_star)
}

fn app(
    policy: Policy,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone + Send + Sync + 'static {
    routes(Arc::default()).recover(handle).with(cors!(policy))
}

struct Answered {
    status: u16,
    lines: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Answered {
    fn all(&self, name: &str) -> Vec<&[u8]> {
        self.lines
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
            .collect()
    }
}

/// Sends one request through `filter` in process; rejections become warp's own responses.
async fn send<F, R>(filter: F, method: &str, path: &str, headers: &[(String, Vec<u8>)]) -> Answered
where
    F: Filter<Extract = (R,), Error = Rejection> + Clone + Send + Sync + 'static,
    R: Reply,
{
    let mut req = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        req = req.header(name.as_str(), HeaderValue::from_bytes(value).unwrap());
    }
    let res = warp::service(filter)
        .oneshot(req.body(String::new()).unwrap())
        .await
        .unwrap();
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

fn h(name: &str, value: &str) -> (String, Vec<u8>) {
    (name.to_owned(), value.as_bytes().to_vec())
}

fn basic() -> Policy {
    cases::load().built_policies().remove("basic").unwrap()
}

#[tokio::test]
async fn every_shared_case_passes() {
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
            // Answered by the wrapper: empty body, no Content-Type.
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

#[tokio::test]
async fn the_handlers_vary_is_kept_and_ours_appended() {
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

#[tokio::test]
async fn the_handlers_own_cors_headers_are_replaced() {
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

#[tokio::test]
async fn an_allowed_preflight_never_reaches_the_handler() {
    let hits = Arc::new(AtomicUsize::new(0));
    let app = cors_warp::wrap(basic(), routes(hits.clone()).recover(handle));
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

#[tokio::test]
async fn preflight_answers_have_no_content_type_and_no_body() {
    // `/echo` has no OPTIONS route: the preflight is answered before routing.
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
        assert!(r.body.is_empty());
        assert_eq!(
            r.all("vary"),
            [&b"origin, access-control-request-method, access-control-request-headers"[..]]
        );
    }
}

#[tokio::test]
async fn rejections_get_cors_headers_only_when_recovered_inside() {
    let origin = [h("origin", "https://app.example.com")];

    // Recovered inside the wrapper: 404, 405 and the handler error carry CORS headers.
    for (method, path, status) in [
        ("GET", "/nope", 404),
        ("DELETE", "/vary", 405),
        ("GET", "/error", 500),
    ] {
        let r = send(app(basic()), method, path, &origin).await;
        assert_eq!(r.status, status, "{method} {path}");
        assert_eq!(
            r.all("access-control-allow-origin"),
            [&b"https://app.example.com"[..]]
        );
        assert_eq!(r.all("vary"), [&b"origin"[..]]);
    }

    // Not recovered: the rejection passes through unchanged (so `.or` still works), and
    // warp's own rejection response has no CORS headers.
    let bare = routes(Arc::default()).with(cors!(basic()));
    let r = send(bare.clone(), "GET", "/nope", &origin).await;
    assert_eq!(r.status, 404);
    assert!(r.all("access-control-allow-origin").is_empty());

    let other = warp::path!("other").map(|| "other");
    let chained = bare.or(other);
    let r = send(chained, "GET", "/other", &origin).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"other");
}

#[tokio::test]
async fn wraps_filters_that_never_reject() {
    let app = warp::any().map(|| "hi").with(cors!(basic()));
    let r = send(
        app.clone(),
        "GET",
        "/anything",
        &[h("origin", "https://app.example.com")],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"hi");
    assert_eq!(
        r.all("access-control-allow-origin"),
        [&b"https://app.example.com"[..]]
    );
    let r = send(
        app,
        "OPTIONS",
        "/anything",
        &[
            h("origin", "https://app.example.com"),
            h("access-control-request-method", "PUT"),
        ],
    )
    .await;
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn works_with_warp_test() {
    let app = app(basic());
    let res = warp::test::request()
        .method("PUT")
        .path("/echo")
        .header("origin", "https://app.example.com")
        .reply(&app)
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.body(), "PUT");
    assert_eq!(res.headers()["x-custom"], "1");
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
}

#[tokio::test]
async fn hostile_requests_never_panic() {
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
