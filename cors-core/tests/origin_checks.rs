//! `csrf_protection` and `websocket_origin_check`: validation, defaults, and decisions the
//! shared case table cannot show (the report flag, what a refusal writes).

use cors_core::{
    Action, CorsRequest, CsrfProtection, Key, Policy, PolicyConfig, ProblemKind, Reason,
    RequestKind, Status, Value,
};

#[test]
fn an_origin_check_with_any_origin_is_refused_with_a_fix() {
    let err = Policy::from_toml_str(
        "allow_origins = [\"*\"]\ncsrf_protection = \"report\"\nwebsocket_origin_check = true",
    )
    .unwrap_err();
    let problems = err.problems();
    assert_eq!(problems.len(), 2, "{err}");
    assert_eq!(problems[0].key(), &Key::CsrfProtection);
    assert_eq!(problems[0].value(), Some("report"));
    assert_eq!(problems[0].kind(), &ProblemKind::OriginCheckWithAnyOrigin);
    assert!(
        problems[0]
            .fix()
            .unwrap()
            .contains("csrf_protection = \"off\"")
    );
    assert_eq!(problems[1].key(), &Key::WebsocketOriginCheck);
    assert_eq!(problems[1].kind(), &ProblemKind::OriginCheckWithAnyOrigin);
    // The builder says the same.
    let built = Policy::builder()
        .allow_any_origin()
        .csrf_protection(CsrfProtection::Report)
        .websocket_origin_check(true)
        .build()
        .unwrap_err();
    assert_eq!(built.problems(), problems);
    // Off, any origin is fine, as before.
    assert!(Policy::from_toml_str("allow_origins = [\"*\"]\ncsrf_protection = \"off\"").is_ok());
}

#[test]
fn wrong_values_name_the_key_and_suggest_one() {
    for (text, fix) in [
        (
            "csrf_protection = true",
            "did you mean \"enforce\"? (or \"report\" to log first)",
        ),
        ("csrf_protection = false", "did you mean \"off\"?"),
        ("csrf_protection = \"Enforce\"", "did you mean \"enforce\"?"),
        (
            "csrf_protection = \"on\"",
            "use \"off\", \"report\" or \"enforce\"",
        ),
        (
            "csrf_protection = 1",
            "use \"off\", \"report\" or \"enforce\"",
        ),
        ("websocket_origin_check = \"yes\"", "use true or false"),
    ] {
        let err = PolicyConfig::from_toml_str(&format!(
            "allow_origins = [\"https://a.example\"]\n{text}"
        ))
        .unwrap_err();
        let [p] = err.problems() else { panic!("{err}") };
        assert!(matches!(p.kind(), ProblemKind::InvalidType(_)), "{err}");
        assert_eq!(p.fix(), Some(fix), "{text}");
    }
    // JSON and YAML read the same keys.
    let c = PolicyConfig::from_json_str(
        r#"{"allow_origins": ["https://a.example"], "csrf_protection": "report", "websocket_origin_check": true}"#,
    )
    .unwrap();
    assert_eq!(
        (c.csrf_protection, c.websocket_origin_check),
        (CsrfProtection::Report, true)
    );
    let c = PolicyConfig::from_yaml_str(
        "allow_origins: [https://a.example]\ncsrf_protection: enforce\nwebsocket_origin_check: true\n",
    )
    .unwrap();
    assert_eq!(
        (c.csrf_protection, c.websocket_origin_check),
        (CsrfProtection::Enforce, true)
    );
    let err =
        PolicyConfig::from_yaml_str("allow_origins: [https://a.example]\ncsrf_protect: enforce\n")
            .unwrap_err();
    assert_eq!(
        err.problems()[0].fix(),
        Some("did you mean csrf_protection?")
    );
}

#[test]
fn defaults_are_off_and_not_written() {
    let c = PolicyConfig::from_toml_str("allow_origins = [\"https://a.example\"]").unwrap();
    assert_eq!(c.csrf_protection, CsrfProtection::Off);
    assert!(!c.websocket_origin_check);
    let text = toml::to_string(&c).unwrap();
    assert!(
        !text.contains("csrf") && !text.contains("websocket"),
        "{text}"
    );
    let on = PolicyConfig {
        csrf_protection: CsrfProtection::Enforce,
        websocket_origin_check: true,
        ..c
    };
    let text = toml::to_string(&on).unwrap();
    assert_eq!(PolicyConfig::from_toml_str(&text).unwrap(), on, "{text}");
    assert!(
        !Policy::new(
            &PolicyConfig::from_toml_str("allow_origins = [\"https://a.example\"]").unwrap()
        )
        .unwrap()
        .reads_site_headers()
    );
    assert!(Policy::new(&on).unwrap().reads_site_headers());
}

#[test]
fn off_the_site_headers_change_nothing() {
    // With both keys at their defaults the headers are not even recorded by adapters'
    // views; pushed by hand, they do not change any decision either.
    let policy = Policy::from_toml_str("allow_origins = [\"https://a.example\"]").unwrap();
    let suite = cors_testkit::cases::load();
    for case in suite.cases.iter().filter(|c| c.policy == "basic") {
        let lines = case.header_lines();
        let mut plain = CorsRequest::for_policy(case.method.as_bytes(), &policy);
        let mut all = CorsRequest::new(case.method.as_bytes());
        for (n, v) in &lines {
            plain.push_header(n.as_bytes(), v);
            all.push_header(n.as_bytes(), v);
        }
        all.push_fetch_site(b"cross-site");
        all.push_upgrade(b"websocket");
        let (a, b) = (policy.evaluate(&plain), policy.evaluate(&all));
        assert_eq!(
            (
                a.kind(),
                a.action(),
                a.reason().map(Reason::code),
                a.headers().len()
            ),
            (
                b.kind(),
                b.action(),
                b.reason().map(Reason::code),
                b.headers().len()
            ),
            "{}",
            case.name
        );
    }
}

#[test]
fn a_refusal_is_an_empty_403_and_a_report_changes_nothing_but_the_reason() {
    let toml = |mode: &str| {
        Policy::from_toml_str(&format!(
            "allow_origins = [\"https://a.example\"]\nallow_credentials = true\ncsrf_protection = \"{mode}\""
        ))
        .unwrap()
    };
    let mut req = CorsRequest::new(b"PATCH");
    req.push_origin(b"https://evil.example");
    req.push_fetch_site(b"same-site");
    let enforce = toml("enforce");
    let d = enforce.evaluate(&req);
    assert_eq!(
        d.action(),
        Action::Respond {
            status: Status::FORBIDDEN
        }
    );
    assert_eq!(d.kind(), RequestKind::Actual);
    assert!(!d.is_report_only());
    assert_eq!(d.headers().len(), 0);
    assert!(matches!(
        d.reason(),
        Some(Reason::CrossOriginRequest {
            origin: Some(b"https://evil.example"),
            fetch_site: cors_core::FetchSite::SameSite
        })
    ));
    let pending = enforce.decide(&req, |v: Value<'_>| Some(v.as_bytes().to_vec()));
    assert!(pending.is_empty());

    let report = toml("report");
    let d = report.evaluate(&req);
    assert_eq!(d.action(), Action::Forward);
    assert!(d.is_report_only());
    assert_eq!(d.reason().map(Reason::code), Some("cross-origin-request"));
    // CORS's own answer: not allowed to read, no CORS headers.
    assert_eq!(d.headers().len(), 0);
    let off_policy = toml("off");
    let off = off_policy.evaluate(&req);
    assert_eq!(off.reason().map(Reason::code), Some("origin-not-allowed"));
    assert_eq!((off.action(), off.headers().len()), (d.action(), 0));

    // Lower-case methods are not GET: checked.
    let mut lower = CorsRequest::new(b"get");
    lower.push_origin(b"https://evil.example");
    lower.push_fetch_site(b"cross-site");
    assert!(!enforce.evaluate(&lower).is_allowed());
    assert_eq!(
        enforce.evaluate(&lower).action(),
        Action::Respond {
            status: Status::FORBIDDEN
        }
    );
}

#[test]
fn a_predicate_counts_as_listed() {
    let policy = Policy::builder()
        .allow_origin_predicate(|o| o.ends_with(".internal.example"))
        .csrf_protection(CsrfProtection::Enforce)
        .build()
        .unwrap();
    let mut req = CorsRequest::new(b"POST");
    req.push_origin(b"https://app.internal.example");
    req.push_fetch_site(b"cross-site");
    assert!(policy.evaluate(&req).is_allowed());
}

#[test]
fn needs_site_headers_only_for_the_requests_checked() {
    let both = Policy::from_toml_str(
        "allow_origins = [\"https://a.example\"]\ncsrf_protection = \"enforce\"\nwebsocket_origin_check = true",
    )
    .unwrap();
    let ws_only = Policy::from_toml_str(
        "allow_origins = [\"https://a.example\"]\nwebsocket_origin_check = true",
    )
    .unwrap();
    let view = |m: &'static [u8], origin: bool| {
        let mut r = CorsRequest::new(m);
        if origin {
            r.push_origin(b"https://x.example");
        }
        r
    };
    assert!(view(b"POST", false).needs_site_headers(&both));
    assert!(view(b"GET", true).needs_site_headers(&both));
    assert!(!view(b"GET", false).needs_site_headers(&both));
    assert!(!view(b"HEAD", true).needs_site_headers(&both));
    assert!(!view(b"OPTIONS", true).needs_site_headers(&both));
    assert!(!view(b"POST", true).needs_site_headers(&ws_only));
    assert!(view(b"GET", true).needs_site_headers(&ws_only));
}
