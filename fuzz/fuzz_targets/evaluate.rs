//! Whole `Policy::evaluate` on arbitrary requests: never panics; an allowed origin is
//! always a configured origin or matches a configured pattern; a rejected preflight never
//! carries Access-Control-Allow-*; allowed responses echo only what was asked; a
//! `Detached` decision writes exactly the decision's headers, in order.
#![no_main]

use cors_core::{Action, CorsHeader, CorsRequest, Detached, Policy, RequestKind};
use libfuzzer_sys::fuzz_target;

const EXACT: [&str; 3] = ["https://app.example.com", "http://localhost:8080", "http://[::1]:3000"];

fn matches_pattern(o: &[u8]) -> bool {
    let Ok(o) = std::str::from_utf8(o) else { return false };
    // https://*.example.org
    if let Some(host) = o.strip_prefix("https://")
        && let Some(sub) = host.strip_suffix(".example.org")
        && !sub.is_empty()
        && !host.contains(':')
    {
        return true;
    }
    // https://pr-*.preview.example.net: one label starting with pr-
    if let Some(host) = o.strip_prefix("https://")
        && let Some(label) = host.strip_suffix(".preview.example.net")
        && label.starts_with("pr-")
        && !label.contains('.')
        && !label.contains(':')
    {
        return true;
    }
    // http://127.0.0.1:*
    o == "http://127.0.0.1" || o.strip_prefix("http://127.0.0.1:").is_some_and(|p| !p.is_empty())
}

fuzz_target!(|data: &[u8]| {
    static POLICY: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    let policy = POLICY.get_or_init(|| Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com", "http://localhost:8080", "http://[::1]:3000",
                         "https://*.example.org", "https://pr-*.preview.example.net", "http://127.0.0.1:*"]
        allow_methods = ["PUT", "patch"]
        allow_headers = ["content-type", "x-a"]
        allow_credentials = true
        allow_private_network = true
        "#,
    )
    .expect("valid policy"));
    // Fields separated by 0xFF: method, then (name index, value) pairs.
    let mut parts = data.split(|b| *b == 0xff);
    let method = parts.next().unwrap_or(b"GET");
    let names: [&[u8]; 5] = [
        b"origin",
        b"access-control-request-method",
        b"access-control-request-headers",
        b"access-control-request-private-network",
        b"x-other",
    ];
    let mut req = CorsRequest::new(method);
    for part in parts {
        if let Some((&which, value)) = part.split_first() {
            req.push_header(names[which as usize % names.len()], value);
        }
    }
    let d = policy.evaluate(&req);
    if let Some(acao) = d.header(CorsHeader::AllowOrigin) {
        let o = acao.as_bytes();
        assert!(EXACT.iter().any(|e| e.as_bytes() == o) || matches_pattern(o), "allowed {o:?}");
        assert!(d.is_allowed());
    }
    if d.kind() == RequestKind::Preflight && !d.is_allowed() {
        assert_eq!(d.action(), Action::Respond { status: 403 });
        assert_eq!(d.headers().len(), 0);
    }
    if !d.is_allowed() {
        assert_eq!(d.headers().len(), 0);
    }
    let expected: Vec<(CorsHeader, Vec<u8>)> =
        d.headers().map(|h| (h.name, h.value.as_bytes().to_vec())).collect();
    assert_eq!(d.headers().len(), expected.len());
    let detached = Detached::new(policy, &d, |_, v| Some(v.as_bytes().to_vec()));
    assert_eq!(detached.len(), expected.len());
    let mut written = Vec::new();
    detached.write(
        |h| policy.value(h).map(|v| v.as_bytes().to_vec()),
        |h, v| written.push((h, v)),
    );
    assert_eq!(written, expected);
});
