//! Runs every shared case (cors-testkit's `cases.toml`) through `Policy::evaluate`.

use cors_core::CorsRequest;
use cors_testkit::cases;

#[test]
fn every_case_decides_as_expected() {
    let suite = cases::load();
    assert!(
        suite.cases.len() >= 40,
        "the suite shrank to {}",
        suite.cases.len()
    );
    let mut failures = Vec::new();
    for case in &suite.cases {
        let lines = case.header_lines();
        let mut req = CorsRequest::new(case.method.as_bytes());
        for (name, value) in &lines {
            req.push_header(name.as_bytes(), value);
        }
        let Some(policy) = suite.policy_for(case) else {
            // A route switched CORS off for this path.
            if case.expect.kind != "off" {
                failures.push(format!("{}: CORS is off for {}", case.name, case.path));
            }
            continue;
        };
        if let Err(e) = case.check_decision(&policy.evaluate(&req)) {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_failing_expectation_is_reported() {
    // The checker itself must be able to fail.
    let suite = cases::load();
    let policies = suite.built_policies();
    let mut case = suite.cases[3].clone();
    case.expect.headers.clear();
    let lines = case.header_lines();
    let mut req = CorsRequest::new(case.method.as_bytes());
    for (name, value) in &lines {
        req.push_header(name.as_bytes(), value);
    }
    assert!(
        case.check_decision(&policies[&case.policy].evaluate(&req))
            .is_err()
    );
    assert!(case.check_response(200, &[]).is_err());
}
