//! Heap allocations the middleware adds per request over the bare app.
//!
//! Request header values are static here, as they are shared (refcounted) slices of the
//! read buffer over HTTP; echoing one is then a refcount increment, not a copy.

use actix_web::dev::Service;
use actix_web::http::Method;
use actix_web::test as atest;
use actix_web::{App, HttpResponse, web};
use cors_actix::Cors;
use cors_core::Policy;
use cors_testkit::alloc::{self, after_warm_up};

const N: usize = 10;

/// Name, method, headers.
type Case = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const CASES: [Case; 5] = [
    ("not CORS", "GET", &[]),
    (
        "actual, allowed",
        "GET",
        &[("origin", "https://app.example.com")],
    ),
    (
        "actual, refused",
        "GET",
        &[("origin", "https://evil.example.com")],
    ),
    (
        "preflight, allowed",
        "OPTIONS",
        &[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "content-type"),
        ],
    ),
    (
        "preflight, refused",
        "OPTIONS",
        &[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "PROPFIND"),
        ],
    ),
];

fn requests(method: &str, headers: &[(&'static str, &'static str)]) -> Vec<actix_http::Request> {
    (0..N)
        .map(|_| {
            let mut req = atest::TestRequest::default()
                .method(Method::from_bytes(method.as_bytes()).expect("method"))
                .uri("/");
            for (n, v) in headers {
                req = req.append_header((*n, actix_web::http::header::HeaderValue::from_static(v)));
            }
            req.to_request()
        })
        .collect()
}

async fn ok() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("x-custom", "1"))
        .body("ok")
}

#[test]
fn the_middleware_adds_no_allocation() {
    let policy = Policy::from_toml_str(alloc::POLICY).expect("policy");
    let system = actix_web::rt::System::new();
    let bare = system.block_on(atest::init_service(
        App::new().route("/", web::get().to(ok)),
    ));
    let cors = system.block_on(atest::init_service(
        App::new()
            .wrap(Cors::new(policy))
            .route("/", web::get().to(ok)),
    ));
    let mut report = Vec::new();
    for (name, method, headers) in CASES {
        let mut counts = [0u64; 2];
        for (i, count) in counts.iter_mut().enumerate() {
            let run = |reqs: Vec<actix_http::Request>| {
                system.block_on(async {
                    for req in reqs {
                        let res = if i == 0 {
                            bare.call(req).await.map(|r| r.map_into_boxed_body())
                        } else {
                            cors.call(req).await.map(|r| r.map_into_boxed_body())
                        };
                        drop(res);
                    }
                })
            };
            // Warm up: lazily filled caches (the middleware's value cache, tracing's
            // callsites, actix's request pool).
            let counted =
                after_warm_up(requests(method, headers), || requests(method, headers), run);
            *count = allocation_counter::measure(counted).count_total;
        }
        let [bare, cors] = counts;
        report.push(format!(
            "{name}: bare {bare}, with CORS {cors} for {N} requests"
        ));
        if method == "GET" {
            assert!(cors <= bare, "{name}: the middleware allocated: {report:?}");
        } else {
            // The middleware answers preflights itself; the bare app runs its 404/405 path.
            assert!(cors <= bare, "{name}: {report:?}");
        }
    }
    println!("{}", report.join("\n"));
}
