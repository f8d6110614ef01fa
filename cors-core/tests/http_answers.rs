//! `http` 1.x answers are clones of a per-policy template with the echoed values put in
//! place (`PendingHeaders::write_to`): property test that a sequence of requests on one
//! policy (so templates are built by one request and reused by the next, with other
//! origins and methods) gets exactly the decision's lines, in the decision's order.

use cors_core::http1::PendingHeaders;
use cors_core::{Action, CorsRequest, Policy};
use http::{HeaderMap, Request};
use proptest::prelude::*;

const POLICIES: [&str; 5] = [
    "allow_origins = [\"https://a.test\", \"https://b.test\"]\nallow_methods = [\"*\"]\nallow_headers = [\"*\"]\nallow_credentials = true\nmax_age = 5\nallow_private_network = true",
    "allow_origins = [\"*\"]\nallow_methods = [\"*\"]\nallow_headers = [\"*\"]\nexpose_headers = [\"x-e\"]",
    "allow_origins = [\"https://a.test\", \"https://b.test\"]\nallow_methods = [\"PUT\"]\nallow_headers = [\"x-a\", \"content-type\"]\nallow_credentials = true",
    "allow_origins = [\"https://*.test\"]\nallow_headers = [\"*\"]\nallow_private_network = true\npreflight_status = 200",
    "allow_origins = [\"https://a.test\"]\nallow_headers = [\"x-a\"]\ndebug = true",
];

/// One request: origin, `Access-Control-Request-Method`, header lines, private network.
type Req = (Option<&'static str>, &'static str, Vec<&'static str>, bool);

fn request() -> impl Strategy<Value = Req> {
    (
        prop_oneof![
            Just(Some("https://a.test")),
            Just(Some("https://b.test")),
            Just(Some("https://c.test")),
            Just(Some("null")),
            Just(None),
        ],
        prop_oneof![Just("PUT"), Just("GET"), Just("DELETE"), Just("x-custom")],
        prop::collection::vec(
            prop_oneof![
                Just("x-a"),
                Just("content-type"),
                Just("x-b, x-c"),
                Just("bad name")
            ],
            0..4,
        ),
        any::<bool>(),
    )
}

fn lines(map: &HeaderMap) -> Vec<(String, Vec<u8>)> {
    map.iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn answers_from_templates_are_the_decisions_lines(
        policy_index in 0usize..POLICIES.len(),
        requests in prop::collection::vec(request(), 1..12),
    ) {
        let policy = Policy::from_toml_str(POLICIES[policy_index]).unwrap();
        for (origin, method, acrh, private_network) in requests {
            let mut req = Request::options("/");
            if let Some(origin) = origin {
                req = req.header("origin", origin);
            }
            req = req.header("access-control-request-method", method);
            for line in &acrh {
                req = req.header("access-control-request-headers", *line);
            }
            if private_network {
                req = req.header("access-control-request-private-network", "true");
            }
            let req = req.body(()).unwrap();
            let view = CorsRequest::from_http(req.method(), req.headers());
            let d = policy.evaluate(&view);
            let mut expected: Vec<(String, Vec<u8>)> = d
                .headers()
                .map(|h| (h.name.as_str().to_owned(), h.value.as_bytes().to_vec()))
                .collect();
            if !d.vary().as_str().is_empty() {
                expected.push(("vary".to_owned(), d.vary().as_str().as_bytes().to_vec()));
            }
            let pending = PendingHeaders::decide(&policy, req.method(), req.headers());
            prop_assert_eq!(pending.action(), d.action());
            if !matches!(d.action(), Action::Respond { .. }) {
                continue;
            }
            let mut out = HeaderMap::new();
            pending.write_to(&mut out);
            prop_assert_eq!(lines(&out), expected);
        }
    }
}
