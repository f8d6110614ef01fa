//! Heap allocations the fairing adds per request over the bare app.
//!
//! Rocket boxes every fairing callback's future (`on_response`: one allocation per
//! request), and its `HeaderMap` keeps a `Vec` per header name, so each header name the
//! response did not have costs one allocation (plus the map's own growth). The fairing
//! adds nothing else: every value it sets borrows the request or the managed policy.

use cors_core::Policy;
use cors_rocket::Cors;
use cors_testkit::alloc::after_warm_up;
use rocket::config::LogLevel;
use rocket::http::{Header, Method};
use rocket::local::blocking::{Client, LocalRequest};

const N: u64 = 10;

/// Name, method, headers, header names the response did not have.
type Case = (
    &'static str,
    Method,
    &'static [(&'static str, &'static str)],
    u64,
);

#[rocket::get("/")]
fn ok() -> &'static str {
    "ok"
}

fn client(policy: Option<Policy>) -> Client {
    let config = rocket::Config {
        log_level: LogLevel::Off,
        ..rocket::Config::debug_default()
    };
    let rocket = rocket::custom(config).mount("/", rocket::routes![ok]);
    let rocket = match policy {
        Some(p) => rocket.attach(Cors::new(p)),
        None => rocket,
    };
    Client::untracked(rocket).expect("rocket ignites")
}

/// Allocations made dispatching `N` requests, after a warm-up one.
fn allocations(client: &Client, method: Method, headers: &[(&'static str, &'static str)]) -> u64 {
    let make = || {
        let mut req = client.req(method, "/");
        for (n, v) in headers {
            req = req.header(Header::new(*n, *v));
        }
        req
    };
    let batch = || (0..N).map(|_| make()).collect();
    let counted = after_warm_up(vec![make()], batch, |reqs: Vec<LocalRequest<'_>>| {
        for req in reqs {
            drop(req.dispatch());
        }
    });
    allocation_counter::measure(counted).count_total
}

#[test]
fn the_fairing_adds_one_allocation_plus_one_per_new_header_name() {
    let policy = Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = ["PUT"]
        expose_headers = ["x-custom"]
        allow_credentials = true
        "#,
    )
    .expect("policy");
    let bare = client(None);
    let cors = client(Some(policy));
    let cases: [Case; 3] = [
        ("not CORS", Method::Get, &[], 1), // Vary
        (
            "actual, refused",
            Method::Get,
            &[("origin", "https://evil.example.com")],
            1, // Vary
        ),
        (
            "actual, allowed",
            Method::Get,
            &[("origin", "https://app.example.com")],
            4, // ACAO, ACAC, ACEH, Vary
        ),
    ];
    let mut report = Vec::new();
    for (name, method, headers, names) in cases {
        let b = allocations(&bare, method, headers);
        let c = allocations(&cors, method, headers);
        let added = c.saturating_sub(b);
        report.push(format!("{name}: bare {b}, with CORS {c} for {N} requests"));
        // The boxed on_response future, one Vec per new name, and up to two regrowths of
        // the header map (entries and index) when the new names cross its capacity.
        assert!(
            added <= N * (1 + names + 2),
            "{name}: the fairing allocates more than expected: {report:?}"
        );
    }
    println!("{}", report.join("\n"));
}
