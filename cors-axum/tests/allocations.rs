//! The layer adds no heap allocation per request over the bare service.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::task::{Context, Poll};

use cors_axum::CorsLayer;
use cors_core::Policy;
use cors_testkit::alloc::{self, ready_calls};
use http::{HeaderValue, Request, Response};
use tower::{Layer, Service};

/// A bare service answering `200 ok` with one header, without awaiting anything.
#[derive(Clone)]
struct App;

impl Service<Request<()>> for App {
    type Response = Response<&'static str>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        let mut res = Response::new("ok");
        res.headers_mut()
            .insert("x-custom", HeaderValue::from_static("1"));
        ready(Ok(res))
    }
}

/// Allocations made by calling `svc` on each request and polling the response to
/// completion, after one warm-up request (which fills lazily initialised caches such as
/// globset's regex pools and tracing's callsite registry).
fn allocations<S>(svc: S, requests: Vec<Request<()>>) -> u64
where
    S: Service<Request<()>, Response = Response<&'static str>, Error = Infallible>,
{
    allocation_counter::measure(ready_calls(svc, requests)).count_total
}

fn requests(method: &str, headers: &[(&'static str, &'static str)]) -> Vec<Request<()>> {
    alloc::requests(11, method, headers)
}

/// Name, method, headers.
type Case = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

#[test]
fn the_layer_adds_no_allocation() {
    let policy = Policy::from_toml_str(alloc::POLICY).unwrap();
    let wrapped = CorsLayer::new(policy).layer(App);
    let cases: [Case; 4] = [
        ("not CORS", "GET", &[]),
        ("allowed", "GET", &[("origin", "https://app.example.com")]),
        ("refused", "GET", &[("origin", "https://evil.example.com")]),
        ("preflight", "OPTIONS", &alloc::PREFLIGHT),
    ];
    for (name, method, headers) in cases {
        let bare = allocations(App, requests(method, headers));
        let with = allocations(wrapped.clone(), requests(method, headers));
        eprintln!("{name}: {with} allocations with CORS, {bare} bare (10 requests)");
        assert!(
            with <= bare,
            "{name}: {with} allocations with CORS, {bare} bare"
        );
    }
}
