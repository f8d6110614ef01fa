//! Runs every shared case of `cors-core/tests/cases.toml` through `CorsLayer` on an axum
//! app with the `serve` example's routes, plus adapter-specific checks.

#[path = "../../cors-core/tests/support/cases.rs"]
mod cases;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::header::VARY;
use axum::http::{HeaderValue, Method, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, options};
use cors_axum::CorsLayer;
use cors_core::Policy;
use http_body_util::BodyExt;
use tower::{Layer, ServiceExt};

struct AppError;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response()
    }
}

async fn echo(method: Method) -> impl IntoResponse {
    ([("x-custom", "1")], method.to_string())
}

async fn error() -> Result<&'static str, AppError> {
    Err(AppError)
}

/// The example routes; `hits` counts calls of the `OPTIONS /own-options` handler.
fn routes(hits: Arc<AtomicUsize>) -> Router {
    Router::new()
        .route("/", get(|| async { ([("x-custom", "1")], "ok") }))
        .route(
            "/echo",
            get(echo).post(echo).put(echo).patch(echo).delete(echo),
        )
        .route(
            "/vary",
            get(|| async { ([(VARY, "accept-encoding")], "vary") }),
        )
        .route("/error", get(error))
        .route(
            "/own-options",
            options(move || {
                hits.fetch_add(1, Ordering::SeqCst);
                async { "own options" }
            }),
        )
        .route(
            "/own-acao",
            get(|| async {
                (
                    [
                        ("access-control-allow-origin", "*"),
                        ("access-control-allow-credentials", "false"),
                        ("access-control-expose-headers", "x-secret"),
                    ],
                    "own acao",
                )
            }),
        )
        .route(
            "/vary-origin",
            get(|| async { ([(VARY, "Accept, Origin")], "vary") }),
        )
        .route("/vary-star", get(|| async { ([(VARY, "*")], "vary") }))
}

fn app(policy: Policy) -> Router {
    routes(Arc::default()).layer(CorsLayer::new(policy))
}

struct Reply {
    status: u16,
    lines: Vec<(String, Vec<u8>)>,
    body: Bytes,
}

impl Reply {
    fn all(&self, name: &str) -> Vec<&[u8]> {
        self.lines
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
            .collect()
    }
}

async fn send<S>(svc: S, method: &str, path: &str, headers: &[(String, Vec<u8>)]) -> Reply
where
    S: tower::Service<Request<Body>, Response = Response, Error = std::convert::Infallible>,
{
    let mut req = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        req = req.header(name.as_str(), HeaderValue::from_bytes(value).unwrap());
    }
    let res = svc.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = res.status().as_u16();
    let lines = res
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        lines,
        body,
    }
}

fn h(name: &str, value: &str) -> (String, Vec<u8>) {
    (name.to_owned(), value.as_bytes().to_vec())
}

fn basic() -> Policy {
    let suite = cases::load();
    suite.built_policies().remove("basic").unwrap()
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
            // Answered by the layer: empty body, no Content-Type.
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
    let app = routes(hits.clone()).layer(CorsLayer::new(basic()));
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
    assert_eq!(&r.body[..], b"own options");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn preflight_answers_have_no_content_type_and_no_body() {
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

#[tokio::test]
async fn the_layer_works_per_route() {
    let app = Router::new()
        .route(
            "/with",
            get(|| async { "with" }).layer(CorsLayer::new(basic())),
        )
        .route("/without", get(|| async { "without" }));
    let origin = [h("origin", "https://app.example.com")];

    let r = send(app.clone(), "GET", "/with", &origin).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.all("access-control-allow-origin"),
        [&b"https://app.example.com"[..]]
    );

    let r = send(app.clone(), "GET", "/without", &origin).await;
    assert_eq!(r.status, 200);
    assert!(r.all("access-control-allow-origin").is_empty());
    assert!(r.all("vary").is_empty());

    // The route has no OPTIONS handler, yet its preflights are answered.
    let preflight = [
        h("origin", "https://app.example.com"),
        h("access-control-request-method", "PUT"),
    ];
    let r = send(app.clone(), "OPTIONS", "/with", &preflight).await;
    assert_eq!(r.status, 204);
    assert_eq!(
        r.all("access-control-allow-origin"),
        [&b"https://app.example.com"[..]]
    );
    let r = send(app, "OPTIONS", "/without", &preflight).await;
    assert_eq!(r.status, 405);
    assert!(r.all("access-control-allow-origin").is_empty());
}

#[tokio::test]
async fn the_layer_wraps_any_tower_http_service() {
    // A plain service with its own body type and error type.
    let svc = tower::service_fn(|req: Request<()>| async move {
        let res = http::Response::builder()
            .header("vary", "accept")
            .body(format!("{} seen", req.method()))
            .unwrap();
        Ok::<_, std::io::Error>(res)
    });
    let svc = CorsLayer::new(basic()).layer(svc);

    let req = Request::get("/")
        .header("origin", "https://app.example.com")
        .body(())
        .unwrap();
    let res = svc.clone().oneshot(req).await.unwrap();
    assert_eq!(res.body(), "GET seen");
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    let vary: Vec<_> = res.headers().get_all("vary").iter().collect();
    assert_eq!(vary, ["accept", "origin"]);

    let req = Request::options("/")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "DELETE")
        .body(())
        .unwrap();
    let res = svc.oneshot(req).await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(res.body(), "");
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
