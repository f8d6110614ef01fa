//! Whole `Policy::evaluate` on arbitrary requests: never panics; an allowed origin is
//! always a configured origin or matches a configured pattern; a rejected preflight never
//! carries Access-Control-Allow-*; a refused request gets no CORS header; only the origin
//! checks (csrf_protection, websocket_origin_check) answer a request that is not a
//! preflight, with 403; a `Pending`
//! decision writes exactly the decision's headers, in order, and its `Vary`.
#![no_main]

use cors_core::{Action, CorsHeader, CorsRequest, Policy, RequestKind, ResponseHeaders, Status};

/// A response's header lines: a CORS header (`Some`) or `Vary` (`None`).
struct Lines<'p> {
    lines: Vec<(Option<CorsHeader>, Vec<u8>)>,
    policy: &'p Policy,
}

impl ResponseHeaders for Lines<'_> {
    type Value = Vec<u8>;
    fn policy_value(&self, header: CorsHeader) -> Option<Vec<u8>> {
        self.policy.value(header).map(|v| v.as_bytes().to_vec())
    }
    fn any_name(&self, mut pred: impl FnMut(&str) -> bool) -> bool {
        self.lines.iter().any(|(n, _)| pred(n.map_or("vary", CorsHeader::as_str)))
    }
    fn remove(&mut self, header: CorsHeader) {
        self.lines.retain(|(n, _)| *n != Some(header));
    }
    fn append(&mut self, header: CorsHeader, value: Vec<u8>) {
        self.lines.push((Some(header), value));
    }
    fn append_static(&mut self, header: CorsHeader, value: &'static str) {
        self.append(header, value.into());
    }
    fn vary(&self) -> impl Iterator<Item = &[u8]> {
        self.lines.iter().filter(|(n, _)| n.is_none()).map(|(_, v)| &v[..])
    }
    fn remove_vary(&mut self) {
        self.lines.retain(|(n, _)| n.is_some());
    }
    fn append_vary(&mut self, line: cors_core::VaryLine) {
        self.lines.push((None, line.as_str().into()));
    }
}
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
        csrf_protection = "enforce"
        websocket_origin_check = true
        "#,
    )
    .expect("valid policy"));
    // Fields separated by 0xFF: method, then (name index, value) pairs.
    let mut parts = data.split(|b| *b == 0xff);
    let method = parts.next().unwrap_or(b"GET");
    let names: [&[u8]; 8] = [
        b"origin",
        b"access-control-request-method",
        b"access-control-request-headers",
        b"access-control-request-private-network",
        b"x-other",
        b"sec-fetch-site",
        b"host",
        b"upgrade",
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
        assert_eq!(d.action(), Action::Respond { status: Status::FORBIDDEN });
        assert_eq!(d.headers().len(), 0);
    }
    if !d.is_allowed() {
        assert_eq!(d.headers().len(), 0);
    }
    // Only the origin check answers a request that is not a preflight, always with 403.
    if d.kind() != RequestKind::Preflight && let Action::Respond { status } = d.action() {
        assert_eq!(status, Status::FORBIDDEN);
        let code = d.reason().map(|r| r.code());
        assert!(matches!(code, Some("cross-origin-request" | "cross-origin-websocket")), "{code:?}");
    }
    let expected: Vec<(CorsHeader, Vec<u8>)> =
        d.headers().map(|h| (h.name, h.value.as_bytes().to_vec())).collect();
    assert_eq!(d.headers().len(), expected.len());
    let pending = policy.decide(&req, |v| Some(v.as_bytes().to_vec()));
    assert_eq!(pending.len(), expected.len());
    let mut out = Lines { lines: Vec::new(), policy };
    pending.write_to(&mut out);
    let vary: Vec<Vec<u8>> = out.vary().map(<[u8]>::to_vec).collect();
    let written: Vec<(CorsHeader, Vec<u8>)> =
        out.lines.into_iter().filter_map(|(n, v)| Some((n?, v))).collect();
    assert_eq!(written, expected);
    let want_vary = d.vary().as_str();
    assert_eq!(vary, (!want_vary.is_empty()).then(|| want_vary.as_bytes().to_vec()).into_iter().collect::<Vec<_>>());
});
