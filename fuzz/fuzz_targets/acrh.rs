//! The Access-Control-Request-Headers parser: arbitrary lines never panic; an allowed
//! preflight only asked for configured names; a rejected one carries no allow headers.
#![no_main]

use cors_core::{CorsRequest, Policy, Reason};
use libfuzzer_sys::fuzz_target;

const ALLOWED: [&str; 3] = ["content-type", "x-requested-with", "x-a"];

fuzz_target!(|data: &[u8]| {
    static POLICY: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    let policy = POLICY.get_or_init(|| {
        Policy::builder()
            .allow_origin("https://a.example")
            .allow_methods(["PUT"])
            .allow_headers(ALLOWED)
            .build()
            .expect("valid policy")
    });
    // A 0xFF byte separates header lines.
    let lines: Vec<&[u8]> = data.split(|b| *b == 0xff).collect();
    let mut req = CorsRequest::new(b"OPTIONS");
    req.push_origin(b"https://a.example");
    req.push_request_method(b"PUT");
    for l in &lines {
        req.push_request_headers(l);
    }
    let d = policy.evaluate(&req);
    if d.is_allowed() {
        for line in &lines {
            for name in line.split(|b| *b == b',') {
                let name = name.trim_ascii();
                assert!(
                    name.is_empty() || ALLOWED.iter().any(|a| a.as_bytes().eq_ignore_ascii_case(name)),
                    "allowed an unlisted header {name:?}"
                );
            }
        }
    } else {
        assert_eq!(d.headers().len(), 0);
        if let Some(Reason::HeaderNotAllowed { header }) = d.reason() {
            assert!(!ALLOWED.iter().any(|a| a.as_bytes().eq_ignore_ascii_case(header)));
        }
    }
});
