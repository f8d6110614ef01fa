//! `Policy::decide` and `Pending::write_to`: the one routine that writes a decision onto
//! a response, checked on an in-memory response.

use cors_core::{CorsHeader, CorsRequest, Policy};
use cors_testkit::headers::{Line, Lines};

fn written(policy: &Policy, req: &CorsRequest<'_>) -> Vec<(CorsHeader, Vec<u8>)> {
    let pending = policy.decide(req, |v| Some(v.as_bytes().to_vec()));
    assert_eq!(pending.len(), policy.evaluate(req).headers().len());
    let mut out = Lines::new(policy);
    pending.write_to(&mut out);
    out.cors()
}

#[test]
fn writes_exactly_the_decisions_headers_in_order() {
    let policies = [
        "allow_origins = [\"https://a.example\"]\nallow_headers = [\"*\"]\nallow_credentials = true\nmax_age = 5\nallow_private_network = true\nallow_methods = [\"*\"]",
        "allow_origins = [\"*\"]\nallow_methods = [\"PATCH\"]\nallow_headers = [\"x-a\"]\nexpose_headers = [\"x-e\"]\nmax_age = 5",
    ];
    // `PATCH`: a standard method (an answer allowing any method names it from static
    // text); `purge`: another token (echoed from the request). One or four
    // `Access-Control-Request-Headers` lines (four spill past the inline values).
    for text in policies {
        let policy = Policy::from_toml_str(text).unwrap();
        for (method, lines) in [
            ("PATCH", &["x-a", "", "x-a", "x-a"][..]),
            ("PATCH", &["x-a"][..]),
            ("purge", &["x-a", "", "x-a", "x-a"][..]),
            ("purge", &["x-a"][..]),
        ] {
            let mut preflight = CorsRequest::new(b"OPTIONS");
            preflight.push_origin(b"https://a.example");
            preflight.push_request_method(method.as_bytes());
            preflight.push_private_network(b"true");
            for line in lines {
                preflight.push_request_headers(line.as_bytes());
            }
            let mut actual = CorsRequest::new(b"GET");
            actual.push_origin(b"https://a.example");
            for req in [&preflight, &actual] {
                let d = policy.evaluate(req);
                let expected: Vec<_> = d
                    .headers()
                    .map(|h| (h.name, h.value.as_bytes().to_vec()))
                    .collect();
                // Only the policy allowing any method allows `purge`.
                assert_eq!(expected.is_empty(), !d.is_allowed(), "{text} {method}");
                assert!(method == "purge" || d.is_allowed(), "{text} {method}");
                assert_eq!(written(&policy, req), expected, "{text} {method}");
            }
        }
    }
}

#[test]
fn an_answer_replaces_stale_cors_headers_and_vary() {
    let policy = Policy::from_toml_str("allow_origins = [\"https://a.example\"]").unwrap();
    let mut req = CorsRequest::new(b"OPTIONS");
    req.push_origin(b"https://a.example");
    req.push_request_method(b"GET");
    let mut out = Lines::new(&policy);
    out.lines = vec![
        Line::Cors(CorsHeader::MaxAge, b"9".to_vec()),
        Line::Vary(b"cookie".to_vec()),
        Line::Other("x-kept".into(), b"1".to_vec()),
    ];
    policy
        .decide(&req, |v| Some(v.as_bytes().to_vec()))
        .write_to(&mut out);
    assert_eq!(
        out.lines,
        [
            Line::Other("x-kept".into(), b"1".to_vec()),
            Line::Cors(CorsHeader::AllowOrigin, b"https://a.example".to_vec()),
            Line::Cors(CorsHeader::AllowMethods, b"GET,HEAD,POST".to_vec()),
            Line::Vary(
                b"origin, access-control-request-method, access-control-request-headers".to_vec()
            ),
        ]
    );
}

#[test]
fn a_forwarded_response_keeps_its_vary_and_loses_its_own_cors_headers() {
    let policy = Policy::from_toml_str("allow_origins = [\"https://a.example\"]").unwrap();
    let mut req = CorsRequest::new(b"GET");
    req.push_origin(b"https://a.example");
    let mut out = Lines::new(&policy);
    out.lines = vec![
        Line::Cors(CorsHeader::AllowOrigin, b"*".to_vec()),
        Line::Other("Vary".into(), b"Accept-Encoding, Origin".to_vec()),
        Line::Cors(CorsHeader::MaxAge, b"9".to_vec()),
    ];
    policy
        .decide(&req, |v| Some(v.as_bytes().to_vec()))
        .write_to(&mut out);
    assert_eq!(
        out.lines,
        [
            Line::Other("Vary".into(), b"Accept-Encoding, Origin".to_vec()),
            // Not an actual request's header: the decision does not clear it.
            Line::Cors(CorsHeader::MaxAge, b"9".to_vec()),
            Line::Cors(CorsHeader::AllowOrigin, b"https://a.example".to_vec()),
        ],
        "Origin is already in Vary: no line added"
    );
}

#[test]
fn vary_star_is_left_alone_and_a_request_without_origin_only_adds_vary() {
    let policy = Policy::from_toml_str("allow_origins = [\"https://a.example\"]").unwrap();
    let req = CorsRequest::new(b"GET");
    let mut out = Lines::new(&policy);
    out.lines = vec![Line::Other("vary".into(), b"*".to_vec())];
    policy
        .decide(&req, |v| Some(v.as_bytes().to_vec()))
        .write_to(&mut out);
    assert_eq!(out.lines, [Line::Other("vary".into(), b"*".to_vec())]);

    let mut out = Lines::new(&policy);
    policy
        .decide(&req, |v| Some(v.as_bytes().to_vec()))
        .write_to(&mut out);
    assert_eq!(out.lines, [Line::Vary(b"origin".to_vec())]);
}

#[test]
fn any_origin_writes_star_on_a_request_without_origin_and_replaces_the_handlers_own() {
    let policy =
        Policy::from_toml_str("allow_origins = [\"*\"]\nexpose_headers = [\"x-e\"]").unwrap();
    let req = CorsRequest::new(b"GET");
    let mut out = Lines::new(&policy);
    out.lines = vec![Line::Cors(
        CorsHeader::AllowOrigin,
        b"https://x.example".to_vec(),
    )];
    policy
        .decide(&req, |v| Some(v.as_bytes().to_vec()))
        .write_to(&mut out);
    assert_eq!(
        out.lines,
        [
            Line::Cors(CorsHeader::AllowOrigin, b"*".to_vec()),
            Line::Cors(CorsHeader::ExposeHeaders, b"x-e".to_vec()),
        ]
    );
}

/// Collects what a `fmt` subscriber writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The events `decide` emits for `req`, as text, with `filter` (an `EnvFilter` directive).
fn events(policy: &Policy, req: &CorsRequest<'_>, filter: &str) -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let _ = policy.decide(req, |v| Some(v.as_bytes().to_vec()));
    });
    let bytes = captured.0.lock().map(|b| b.clone()).unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn a_rejection_is_one_debug_event_under_the_cors_target() {
    let policy = Policy::from_toml_str("allow_origins = [\"https://a.example\"]").unwrap();
    let mut req = CorsRequest::new(b"OPTIONS");
    req.push_origin(b"https://evil.example\n");
    req.push_request_method(b"PUT");
    let text = events(&policy, &req, "cors=debug");
    assert_eq!(text.lines().count(), 1, "{text}");
    for part in [
        "DEBUG cors:",
        "CORS request rejected: origin \"https://evil.example\\x0a\" not allowed",
        "kind=\"preflight\"",
        "reason=\"origin-not-allowed\"",
        "origin=\"https://evil.example\\x0a\"",
        "method=\"PUT\"",
    ] {
        assert!(text.contains(part), "{part:?} not in {text}");
    }
    // Another target's filter, or info level, hides it.
    assert_eq!(events(&policy, &req, "cors=info"), "");
    assert_eq!(events(&policy, &req, "cors_actix=debug"), "");
    // An allowed request is not reported.
    let mut ok = CorsRequest::new(b"GET");
    ok.push_origin(b"https://a.example");
    assert_eq!(events(&policy, &ok, "cors=debug"), "");
}

#[test]
fn the_origin_checks_events_escape_their_values_and_say_whether_enforced() {
    let mut req = CorsRequest::new(b"POST");
    req.push_origin(b"https://evil.example\n\"x");
    req.push_fetch_site(b"cross-site");
    for (mode, what, enforced) in [
        (
            "enforce",
            "CORS request rejected: cross-origin request",
            "enforced=true",
        ),
        (
            "report",
            "request would be refused (csrf_protection = \"report\"): cross-origin request",
            "enforced=false",
        ),
    ] {
        let policy = Policy::from_toml_str(&format!(
            "allow_origins = [\"https://a.example\"]\ncsrf_protection = \"{mode}\""
        ))
        .unwrap();
        let text = events(&policy, &req, "cors=debug");
        assert_eq!(text.lines().count(), 1, "{text}");
        for part in [
            what,
            "from origin \"https://evil.example\\x0a\\x22x\" not allowed (Sec-Fetch-Site: cross-site)",
            "kind=\"actual\"",
            "reason=\"cross-origin-request\"",
            "origin=\"https://evil.example\\x0a\\x22x\"",
            "method=\"POST\"",
            "fetch_site=\"cross-site\"",
            enforced,
        ] {
            assert!(text.contains(part), "{part:?} not in {text}");
        }
    }
    // A refused WebSocket handshake.
    let policy = Policy::from_toml_str(
        "allow_origins = [\"https://a.example\"]\nwebsocket_origin_check = true",
    )
    .unwrap();
    let mut ws = CorsRequest::new(b"GET");
    ws.push_origin(b"https://evil.example");
    ws.push_upgrade(b"websocket");
    let text = events(&policy, &ws, "cors=debug");
    for part in [
        "WebSocket handshake from origin \"https://evil.example\" not allowed (Sec-Fetch-Site: absent)",
        "reason=\"cross-origin-websocket\"",
        "method=\"GET\"",
        "enforced=true",
    ] {
        assert!(text.contains(part), "{part:?} not in {text}");
    }
}

#[test]
fn the_event_level_is_the_policys_log_level() {
    let mut req = CorsRequest::new(b"OPTIONS");
    req.push_origin(b"https://a.example");
    req.push_request_method(b"GET");
    req.push_request_headers(b"x-ok, x-nope, x-later");
    for (level, shown, hidden) in [
        ("error", "ERROR cors:", "cors=off"),
        ("warn", "WARN cors:", "cors=error"),
        ("info", "INFO cors:", "cors=warn"),
        ("debug", "DEBUG cors:", "cors=info"),
        ("trace", "TRACE cors:", "cors=debug"),
    ] {
        let policy = Policy::from_toml_str(&format!(
            "allow_origins = [\"https://a.example\"]\nallow_headers = [\"x-ok\"]\nlog_level = \"{level}\""
        ))
        .unwrap();
        let text = events(&policy, &req, "cors=trace");
        assert_eq!(text.lines().count(), 1, "{text}");
        for part in [
            shown,
            "kind=\"preflight\"",
            "reason=\"header-not-allowed\"",
            "origin=\"https://a.example\"",
            "method=\"GET\"",
            "header=\"x-nope\"",
        ] {
            assert!(text.contains(part), "{level}: {part:?} not in {text}");
        }
        assert_eq!(events(&policy, &req, hidden), "", "{level}");
    }
    let off = Policy::from_toml_str("allow_origins = [\"https://a.example\"]\nlog_level = \"off\"")
        .unwrap();
    assert_eq!(events(&off, &req, "trace"), "");
    let err = Policy::from_toml_str("allow_origins = [\"*\"]\nlog_level = \"DEBUG\"").unwrap_err();
    assert_eq!(err.problems()[0].key(), &cors_core::Key::LogLevel);
}

#[test]
fn the_events_origin_is_truncated() {
    let policy = Policy::from_toml_str("allow_origins = [\"https://a.example\"]").unwrap();
    let long = format!("https://{}.example", "x".repeat(300));
    let mut req = CorsRequest::new(b"GET");
    req.push_origin(long.as_bytes());
    let text = events(&policy, &req, "cors=debug");
    let shown = format!(
        "origin=\"https://{}…({} bytes)\"",
        "x".repeat(120),
        long.len()
    );
    assert!(text.contains(&shown), "{text}");
    assert!(!text.contains(&"x".repeat(121)), "{text}");
}

#[test]
fn every_policy_value_in_a_decision_is_the_policys_own() {
    // `Pending` notes such values and writes `Policy::value` later: they must be the same.
    let suite = cors_testkit::cases::load();
    let mut checked = 0;
    for case in &suite.cases {
        let Some(policy) = &suite.policy_for(case) else {
            continue;
        };
        let lines = case.header_lines();
        let mut req = CorsRequest::new(case.method.as_bytes());
        for (name, value) in &lines {
            req.push_header(name.as_bytes(), value);
        }
        for h in policy.evaluate(&req).headers() {
            if let cors_core::Value::Policy(v) = h.value {
                let own = policy.value(h.name).map(|p| p as *const _);
                assert_eq!(own, Some(v as *const _), "{}: {}", case.name, h.name);
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "only {checked} policy values");
}
