//! What the wrapper costs in heap allocations per request over the bare filter.
//!
//! warp gives wrappers no borrowed view of the request headers, so the wrapper clones the
//! `HeaderMap` (`warp::header::headers_cloned`); this test pins that cost down so that it
//! cannot silently grow.

use std::pin::pin;
use std::task::{Context, Poll, Waker};

use cors_core::Policy;
use tower::Service;
use warp::Filter;
use warp::http::{HeaderValue, Request};

/// Allocations made by sending each request through `filter` (as a service), after one
/// warm-up request.
fn allocations<F>(filter: F, mut requests: Vec<Request<String>>) -> u64
where
    F: Filter<Extract = (warp::reply::Response,), Error = warp::Rejection>
        + Clone
        + Send
        + Sync
        + 'static,
{
    let mut svc = warp::service(filter);
    let mut cx = Context::from_waker(Waker::noop());
    if let Some(req) = requests.pop() {
        let _ = pin!(svc.call(req)).poll(&mut cx);
    }
    let info = allocation_counter::measure(|| {
        for req in requests {
            let fut = pin!(svc.call(req));
            let Poll::Ready(Ok(res)) = fut.poll(&mut cx) else {
                panic!("not ready");
            };
            drop(res);
        }
    });
    info.count_total
}

fn requests(method: &str, headers: &[(&'static str, &'static str)]) -> Vec<Request<String>> {
    (0..11)
        .map(|_| {
            let mut req = Request::builder().method(method).uri("/");
            for (n, v) in headers {
                req = req.header(*n, HeaderValue::from_static(v));
            }
            req.body(String::new()).unwrap()
        })
        .collect()
}

fn app() -> impl Filter<Extract = (warp::reply::Response,), Error = warp::Rejection>
+ Clone
+ Send
+ Sync
+ 'static {
    warp::path::end()
        .map(|| warp::Reply::into_response(warp::reply::with_header("ok", "x-custom", "1")))
}

/// Name, method, headers, most allocations added per request.
type Case = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    u64,
);

#[test]
fn the_wrapper_costs_a_header_map_clone() {
    let policy = Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = ["PUT"]
        allow_headers = ["content-type"]
        expose_headers = ["x-custom"]
        allow_credentials = true
        max_age = 600
        "#,
    )
    .unwrap();
    const PREFLIGHT: [(&str, &str); 3] = [
        ("origin", "https://app.example.com"),
        ("access-control-request-method", "PUT"),
        ("access-control-request-headers", "content-type"),
    ];
    let cases: [Case; 4] = [
        ("not CORS", "GET", &[], 0),
        (
            "allowed",
            "GET",
            &[("origin", "https://app.example.com")],
            2,
        ),
        (
            "refused",
            "GET",
            &[("origin", "https://evil.example.com")],
            2,
        ),
        // The bare app answers the OPTIONS itself; the wrapper's answer goes through one
        // boxed custom rejection.
        ("preflight", "OPTIONS", &PREFLIGHT, 1),
    ];
    for (name, method, headers, per_request) in cases {
        let bare = allocations(app(), requests(method, headers));
        let with = allocations(
            app().with(cors_warp::cors!(policy.clone())),
            requests(method, headers),
        );
        eprintln!("{name}: {with} allocations with CORS, {bare} bare (10 requests)");
        assert!(
            with <= bare + 10 * per_request,
            "{name}: {with} allocations with CORS, {bare} bare"
        );
    }
}
