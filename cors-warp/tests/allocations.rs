//! What the wrapper costs in heap allocations per request over the bare filter.
//!
//! warp gives wrappers no borrowed view of the request headers, so the wrapper clones the
//! `HeaderMap` (`warp::header::headers_cloned`); this test pins that cost down so that it
//! cannot silently grow.

use cors_core::Policy;
use cors_testkit::alloc::{self, ready_calls};
use warp::Filter;
use warp::http::Request;

/// Allocations made by sending each request through `filter` (as a service), after one
/// warm-up request.
fn allocations<F>(filter: F, requests: Vec<Request<String>>) -> u64
where
    F: Filter<Extract = (warp::reply::Response,), Error = warp::Rejection>
        + Clone
        + Send
        + Sync
        + 'static,
{
    allocation_counter::measure(ready_calls(warp::service(filter), requests)).count_total
}

fn requests(method: &str, headers: &[(&'static str, &'static str)]) -> Vec<Request<String>> {
    alloc::requests(11, method, headers)
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
    let policy = Policy::from_toml_str(alloc::POLICY).unwrap();
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
        ("preflight", "OPTIONS", &alloc::PREFLIGHT, 1),
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
