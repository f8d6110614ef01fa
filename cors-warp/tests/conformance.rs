//! Runs every shared case (cors-testkit's `cases.toml`) through the CORS wrapper on a
//! warp app with the `serve` example's routes, plus adapter-specific checks.
//!
//! Requests go through `warp::service` (in process): unlike `warp::test::request`, whose
//! `header` replaces earlier lines of the same name, it lets a case send repeated headers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use cors_testkit::cases::basic;
use cors_testkit::tower::checks;
use cors_testkit::{TestRequest, TestResponse, h};
use cors_warp::cors;
use warp::http::{HeaderValue, Method, StatusCode};
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
    policy: impl cors_warp::Policies,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone + Send + Sync + 'static {
    routes(Arc::default()).recover(handle).with(cors!(policy))
}

/// Sends one request through `filter` in process; rejections become warp's own responses.
async fn send<F, R>(
    filter: F,
    method: &str,
    path: &str,
    headers: &[(String, Vec<u8>)],
) -> TestResponse
where
    F: Filter<Extract = (R,), Error = Rejection> + Clone + Send + Sync + 'static,
    R: Reply,
{
    let req = TestRequest::new(method, path, headers);
    cors_testkit::tower::send::<_, String>(warp::service(filter), &req).await
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
            r.values("access-control-allow-origin"),
            [&b"https://app.example.com"[..]]
        );
        assert_eq!(r.values("vary"), [&b"origin"[..]]);
    }

    // Not recovered: the rejection passes through unchanged (so `.or` still works), and
    // warp's own rejection response has no CORS headers.
    let bare = routes(Arc::default()).with(cors!(basic()));
    let r = send(bare.clone(), "GET", "/nope", &origin).await;
    assert_eq!(r.status, 404);
    assert!(r.values("access-control-allow-origin").is_empty());

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
        r.values("access-control-allow-origin"),
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
async fn every_shared_case_passes() {
    checks::every_shared_case_passes::<_, String>(|policy| warp::service(app(policy))).await;
}

#[tokio::test]
async fn the_handlers_vary_is_kept_and_ours_appended() {
    checks::the_handlers_vary_is_kept_and_ours_appended::<_, String>(|policy| {
        warp::service(app(policy))
    })
    .await;
}

#[tokio::test]
async fn the_handlers_own_cors_headers_are_replaced() {
    checks::the_handlers_own_cors_headers_are_replaced::<_, String>(|policy| {
        warp::service(app(policy))
    })
    .await;
}

#[tokio::test]
async fn an_allowed_preflight_never_reaches_the_handler() {
    let hits = Arc::new(AtomicUsize::new(0));
    let app = warp::service(cors_warp::wrap(
        basic(),
        routes(hits.clone()).recover(handle),
    ));
    checks::an_allowed_preflight_never_reaches_the_handler::<_, String>(app, &hits).await;
}

#[tokio::test]
async fn preflight_answers_have_no_content_type_and_no_body() {
    checks::preflight_answers_have_no_content_type_and_no_body::<_, String>(|policy| {
        warp::service(app(policy))
    })
    .await;
}

#[tokio::test]
async fn hostile_requests_never_panic() {
    checks::hostile_requests_never_panic::<_, String>(|policy| warp::service(app(policy))).await;
}
