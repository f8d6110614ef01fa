//! Runs every shared case (cors-testkit's `cases.toml`) through `CorsLayer` on an axum
//! app with the `serve` example's routes, plus adapter-specific checks.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::header::VARY;
use axum::http::{Method, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, options};
use cors_axum::CorsLayer;

use cors_testkit::cases::basic;
use cors_testkit::tower::checks;
use cors_testkit::{TestRequest, TestResponse, h};
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

fn app(policy: impl Into<cors_core::PolicySource>) -> Router {
    routes(Arc::default()).layer(CorsLayer::new(policy))
}

async fn send(
    app: Router,
    method: &str,
    path: &str,
    headers: &[(String, Vec<u8>)],
) -> TestResponse {
    let req = TestRequest::new(method, path, headers);
    cors_testkit::tower::send::<_, Body>(app, &req).await
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
        r.values("access-control-allow-origin"),
        [&b"https://app.example.com"[..]]
    );

    let r = send(app.clone(), "GET", "/without", &origin).await;
    assert_eq!(r.status, 200);
    assert!(r.values("access-control-allow-origin").is_empty());
    assert!(r.values("vary").is_empty());

    // The route has no OPTIONS handler, yet its preflights are answered.
    let preflight = [
        h("origin", "https://app.example.com"),
        h("access-control-request-method", "PUT"),
    ];
    let r = send(app.clone(), "OPTIONS", "/with", &preflight).await;
    assert_eq!(r.status, 204);
    assert_eq!(
        r.values("access-control-allow-origin"),
        [&b"https://app.example.com"[..]]
    );
    let r = send(app, "OPTIONS", "/without", &preflight).await;
    assert_eq!(r.status, 405);
    assert!(r.values("access-control-allow-origin").is_empty());
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
async fn every_shared_case_passes() {
    checks::every_shared_case_passes::<_, Body>(app).await;
}

#[tokio::test]
async fn the_handlers_vary_is_kept_and_ours_appended() {
    checks::the_handlers_vary_is_kept_and_ours_appended::<_, Body>(app).await;
}

#[tokio::test]
async fn the_handlers_own_cors_headers_are_replaced() {
    checks::the_handlers_own_cors_headers_are_replaced::<_, Body>(app).await;
}

#[tokio::test]
async fn an_allowed_preflight_never_reaches_the_handler() {
    let hits = Arc::new(AtomicUsize::new(0));
    let app = routes(hits.clone()).layer(CorsLayer::new(basic()));
    checks::an_allowed_preflight_never_reaches_the_handler::<_, Body>(app, &hits).await;
}

#[tokio::test]
async fn preflight_answers_have_no_content_type_and_no_body() {
    checks::preflight_answers_have_no_content_type_and_no_body::<_, Body>(app).await;
}

#[tokio::test]
async fn hostile_requests_never_panic() {
    checks::hostile_requests_never_panic::<_, Body>(app).await;
}
