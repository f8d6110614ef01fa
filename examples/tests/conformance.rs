//! One conformance suite: every shared case (cors-testkit's `cases.toml`) through each of
//! the four adapters, in process and over real HTTP against `serve`. Every adapter must
//! produce the status, CORS headers and Vary items the core decides.

use cors_core::PolicySet;
use cors_examples::{
    TestRequest, TestResponse, actix_app, axum_app, raw_http, rocket_app, warp_app,
};
use cors_testkit::cases::{self, Sent};
use cors_testkit::serve::{self, Server};

const SERVE: &str = env!("CARGO_BIN_EXE_serve");

type InProcess = fn(&PolicySet, &TestRequest) -> TestResponse;

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

fn run_in_process(framework: &str, run: InProcess) {
    let expected_skips = in_process_impossible(framework);
    cases::load().run_every_case(framework, expected_skips, |policy, case| {
        let res = run(policy, &case.request());
        if res.status == 0 {
            Sent::Skipped
        } else {
            Sent::Answer(res)
        }
    });
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

/// Every case over HTTP, one `serve` per policy (cases run grouped by policy).
fn run_over_http(framework: &'static str) {
    let suite = cases::load();
    let mut server: Option<(String, Server)> = None;
    let label = format!("{framework} over HTTP");
    suite.run_every_case(&label, &[], |_, case| {
        if server
            .as_ref()
            .is_none_or(|(policy, _)| *policy != case.policy)
        {
            drop(server.take());
            let config = suite.policy_file(&case.policy);
            server = Some((case.policy.clone(), serve::start(SERVE, framework, &config)));
        }
        let (_, running) = server.as_ref().expect("a server runs this case's policy");
        match raw_http::send(running.addr, &case.request()) {
            Ok(res) => Sent::Answer(res),
            Err(e) => Sent::Failed(e.to_string()),
        }
    });
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
