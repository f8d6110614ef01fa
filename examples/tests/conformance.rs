//! One conformance suite: every case of `cors-core/tests/cases.toml` through the core
//! and through each of the four adapters, in process and over real HTTP against `serve`.
//! Every adapter must produce the status, CORS headers and Vary items the core decides.

#[path = "../../cors-core/tests/support/cases.rs"]
mod cases;
mod support {
    pub mod server;
}

use cors_core::Policy;
use cors_examples::{
    TestRequest, TestResponse, actix_app, axum_app, raw_http, rocket_app, warp_app,
};

type InProcess = fn(&Policy, &TestRequest) -> TestResponse;

const IN_PROCESS: [(&str, InProcess); 4] = [
    ("axum", axum_app::in_process),
    ("actix", actix_app::in_process),
    ("rocket", rocket_app::in_process),
    ("warp", warp_app::in_process),
];

/// Cases a framework's in-process test client cannot express; they run over HTTP only.
fn in_process_impossible(framework: &str) -> &'static [&'static str] {
    match framework {
        // Rocket's local client takes header values as strings.
        "rocket" => &["non-UTF-8 origin"],
        _ => &[],
    }
}

fn request(case: &cases::Case) -> TestRequest {
    TestRequest {
        method: case.method.clone(),
        path: case.path.clone(),
        headers: case.header_lines(),
    }
}

fn run_in_process(framework: &str, run: InProcess) {
    let suite = cases::load();
    let policies = suite.built_policies();
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    for case in &suite.cases {
        let res = run(&policies[&case.policy], &request(case));
        if res.status == 0 {
            skipped.push(case.name.as_str());
            continue;
        }
        if let Err(e) = case.check_response(res.status, &res.headers) {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{framework}: {} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        skipped,
        in_process_impossible(framework),
        "{framework}: unexpected skips"
    );
}

#[test]
fn axum_in_process() {
    run_in_process(IN_PROCESS[0].0, IN_PROCESS[0].1);
}

#[test]
fn actix_in_process() {
    run_in_process(IN_PROCESS[1].0, IN_PROCESS[1].1);
}

#[test]
fn rocket_in_process() {
    run_in_process(IN_PROCESS[2].0, IN_PROCESS[2].1);
}

#[test]
fn warp_in_process() {
    run_in_process(IN_PROCESS[3].0, IN_PROCESS[3].1);
}

fn run_over_http(framework: &'static str) {
    let suite = cases::load();
    let mut failures = Vec::new();
    let mut ran = 0;
    for (name, config) in &suite.policies {
        let server =
            support::server::start(framework, &toml::to_string(config).expect("policy toml"));
        for case in suite.cases.iter().filter(|c| &c.policy == name) {
            match raw_http::send(server.addr, &request(case)) {
                Ok(res) => {
                    ran += 1;
                    if let Err(e) = case.check_response(res.status, &res.headers) {
                        failures.push(e);
                    }
                }
                Err(e) => failures.push(format!("{}: {e}", case.name)),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{framework} over HTTP: {} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(ran, suite.cases.len());
}

#[test]
fn axum_over_http() {
    run_over_http("axum");
}

#[test]
fn actix_over_http() {
    run_over_http("actix");
}

#[test]
fn rocket_over_http() {
    run_over_http("rocket");
}

#[test]
fn warp_over_http() {
    run_over_http("warp");
}
