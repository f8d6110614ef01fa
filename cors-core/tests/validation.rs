//! Every validation rule: a policy that breaks it is refused, with the problem named.

use cors_core::{OriginSyntax, Policy, PolicyConfig, PolicyError, ProblemKind};

fn refuse(toml: &str) -> PolicyError {
    match Policy::from_toml_str(toml) {
        Ok(_) => panic!("accepted:\n{toml}"),
        Err(e) => e,
    }
}

/// Builds `toml` and asserts exactly one problem, of the expected kind, mentioning `text`.
fn one(toml: &str, kind: ProblemKind, text: &str) {
    let e = refuse(toml);
    assert_eq!(e.problems().len(), 1, "{toml}\n{e}");
    assert_eq!(e.problems()[0].kind, kind, "{toml}\n{e}");
    let shown = e.to_string();
    assert!(shown.contains(text), "{shown:?} lacks {text:?}");
}

fn origin(o: &str, kind: ProblemKind, text: &str) {
    one(&format!("allow_origins = [{o:?}]"), kind, text);
}

fn origin_syntax(o: &str, s: OriginSyntax, fix: Option<&str>) {
    let e = refuse(&format!("allow_origins = [{o:?}]"));
    assert_eq!(e.problems().len(), 1, "{e}");
    let p = &e.problems()[0];
    assert_eq!(p.kind, ProblemKind::OriginSyntax(s), "{o}: {e}");
    assert_eq!(p.key, "allow_origins");
    assert_eq!(p.value.as_deref(), Some(o));
    match fix {
        Some(f) => assert_eq!(
            p.fix.as_deref(),
            Some(format!("did you mean {f:?}?").as_str()),
            "{o}"
        ),
        None => assert_eq!(p.fix, None, "{o}"),
    }
}

#[test]
fn origins_must_be_present_and_non_empty() {
    one("allow_origins = []", ProblemKind::EmptyOrigins, "is empty");
    one(
        "allow_credentials = true",
        ProblemKind::MissingKey,
        "allow_origins: is required",
    );
}

#[test]
fn null_and_file_origins_are_refused() {
    origin("null", ProblemKind::NullOrigin, "opaque origin");
    origin("file://", ProblemKind::FileOrigin, "file: origin");
    origin(
        "file:///home/me/index.html",
        ProblemKind::FileOrigin,
        "null",
    );
}

#[test]
fn origins_must_be_in_serialized_form() {
    use OriginSyntax::*;
    origin_syntax(
        "https://example.com/",
        TrailingSlash,
        Some("https://example.com"),
    );
    origin_syntax("https://example.com/app", Path, Some("https://example.com"));
    origin_syntax(
        "https://example.com?x=1",
        Query,
        Some("https://example.com"),
    );
    origin_syntax(
        "https://example.com#top",
        Fragment,
        Some("https://example.com"),
    );
    origin_syntax(
        "https://user:pw@example.com",
        Userinfo,
        Some("https://example.com"),
    );
    origin_syntax(
        "https://Example.com",
        UppercaseHost,
        Some("https://example.com"),
    );
    origin_syntax(
        "HTTPS://example.com",
        UppercaseScheme,
        Some("https://example.com"),
    );
    origin_syntax(
        "https://example.com:443",
        DefaultPort,
        Some("https://example.com"),
    );
    origin_syntax(
        "http://example.com:80",
        DefaultPort,
        Some("http://example.com"),
    );
    origin_syntax("https://example.com:99999", BadPort, None);
    origin_syntax(
        "https://example.com:0443",
        BadPort,
        Some("https://example.com"),
    );
    origin_syntax("example.com", NoScheme, Some("https://example.com"));
    origin_syntax(
        " https://example.com",
        Whitespace,
        Some("https://example.com"),
    );
    origin_syntax(
        "https://bücher.example",
        NotAscii,
        Some("https://xn--bcher-kva.example"),
    );
    origin_syntax("https://exa_mple..com", BadHost, None);
}

#[test]
fn malformed_patterns_are_refused() {
    for p in [
        "https://api.*.example.com",
        "https://*",
        "*://example.com",
        "http://*.127.0.0.1",
        "https://a*b.c*d.example.com",
        "http://localhost:3000:*",
        "https://pr-[0-9].example.com",
    ] {
        let e = refuse(&format!("allow_origins = [{p:?}]"));
        assert_eq!(e.problems().len(), 1, "{p}: {e}");
        assert!(
            matches!(
                e.problems()[0].kind,
                ProblemKind::BadWildcard(_) | ProblemKind::OriginSyntax(_)
            ),
            "{p}: {e}"
        );
    }
    origin_syntax(
        "https://*.example.com/",
        OriginSyntax::TrailingSlash,
        Some("https://*.example.com"),
    );
    one(
        r#"allow_origins = ["*", "https://a.example"]"#,
        ProblemKind::AnyOriginWithOthers,
        "beside",
    );
}

#[test]
fn credentials_rules() {
    one(
        "allow_origins = [\"*\"]\nallow_credentials = true",
        ProblemKind::AnyOriginWithCredentials,
        "allow_credentials = false",
    );
    one(
        "allow_origins = [\"https://a.example\"]\nexpose_headers = [\"*\"]\nallow_credentials = true",
        ProblemKind::AnyExposeWithCredentials,
        "expose_headers",
    );
    one(
        "allow_origins = [\"http://a.example\"]\nallow_credentials = true",
        ProblemKind::InsecureOriginWithCredentials,
        "did you mean"
            .replace("did you mean", "use \"https://a.example\"")
            .as_str(),
    );
    for p in [
        "https://*.com",
        "https://*.github.io",
        "https://*.co.uk",
        "https://app-*.vercel.app",
    ] {
        one(
            &format!("allow_origins = [{p:?}]\nallow_credentials = true"),
            ProblemKind::PublicSuffixPatternWithCredentials,
            "public suffix",
        );
        // Without credentials such a pattern is the owner's choice.
        assert!(
            Policy::from_toml_str(&format!("allow_origins = [{p:?}]")).is_ok(),
            "{p}"
        );
    }
    // Loopback stays fine over http, and the escape hatch works.
    for ok in [
        "allow_origins = [\"http://localhost:*\", \"http://127.0.0.1:8080\", \"http://[::1]:3000\", \"http://*.localhost\"]\nallow_credentials = true",
        "allow_origins = [\"http://intranet.example\"]\nallow_credentials = true\ndangerously_allow_insecure_origins = true",
        "allow_origins = [\"https://*.example.com\"]\nallow_credentials = true",
    ] {
        Policy::from_toml_str(ok).unwrap_or_else(|e| panic!("{ok}\n{e}"));
    }
}

#[test]
fn methods_rules() {
    one(
        "allow_origins = [\"https://a.example\"]\nallow_methods = [\"GET POST\"]",
        ProblemKind::InvalidMethod,
        "not a method",
    );
    one(
        "allow_origins = [\"https://a.example\"]\nallow_methods = [\" PUT\"]",
        ProblemKind::InvalidMethod,
        "did you mean \"PUT\"?",
    );
    for m in ["CONNECT", "TRACE", "track"] {
        one(
            &format!("allow_origins = [\"https://a.example\"]\nallow_methods = [{m:?}]"),
            ProblemKind::ForbiddenMethod,
            "never send",
        );
    }
}

#[test]
fn header_rules() {
    let h = |key: &str, v: &str, kind: ProblemKind, text: &str| {
        one(
            &format!("allow_origins = [\"https://a.example\"]\n{key} = [{v:?}]"),
            kind,
            text,
        )
    };
    h(
        "allow_headers",
        "x custom",
        ProblemKind::InvalidHeaderName,
        "not a header name",
    );
    h(
        "allow_headers",
        "x-a,x-b",
        ProblemKind::InvalidHeaderName,
        "its own string",
    );
    h(
        "allow_headers",
        "X-Token:",
        ProblemKind::InvalidHeaderName,
        "did you mean \"X-Token\"?",
    );
    for f in [
        "cookie",
        "Host",
        "origin",
        "content-length",
        "sec-fetch-mode",
        "proxy-authorization",
        "access-control-request-method",
    ] {
        h(
            "allow_headers",
            f,
            ProblemKind::ForbiddenRequestHeader,
            "never let a page set",
        );
    }
    for r in [
        "access-control-allow-origin",
        "Access-Control-Max-Age",
        "access-control-expose-headers",
    ] {
        h(
            "allow_headers",
            r,
            ProblemKind::ResponseHeaderInAllowHeaders,
            "response header",
        );
    }
    h(
        "expose_headers",
        "set-cookie",
        ProblemKind::SetCookieExposed,
        "never be exposed",
    );
    h(
        "expose_headers",
        "Set-Cookie2",
        ProblemKind::SetCookieExposed,
        "never be exposed",
    );
    h(
        "expose_headers",
        "x y",
        ProblemKind::InvalidHeaderName,
        "not a header name",
    );
}

#[test]
fn numbers_rules() {
    one(
        "allow_origins = [\"https://a.example\"]\nmax_age = 86401",
        ProblemKind::MaxAgeTooLarge,
        "86400",
    );
    Policy::from_toml_str("allow_origins = [\"https://a.example\"]\nmax_age = 86400").unwrap();
    for s in [199, 300, 404] {
        one(
            &format!("allow_origins = [\"https://a.example\"]\npreflight_status = {s}"),
            ProblemKind::PreflightStatusOutOfRange,
            "2xx",
        );
    }
}

#[test]
fn unknown_keys_and_types_are_all_reported() {
    let e = refuse(
        "allow_origin = [\"https://a.example\"]\nmax_age = \"ten\"\nallow_credentials = \"yes\"\nfoo = 1",
    );
    let kinds: Vec<_> = e
        .problems()
        .iter()
        .map(|p| (p.key.as_str(), &p.kind))
        .collect();
    assert_eq!(e.problems().len(), 5, "{e}");
    assert!(kinds.contains(&("allow_origin", &ProblemKind::UnknownKey)));
    assert!(kinds.contains(&("foo", &ProblemKind::UnknownKey)));
    assert!(kinds.contains(&("allow_origins", &ProblemKind::MissingKey)));
    assert!(e.to_string().contains("did you mean allow_origins?"), "{e}");
    assert!(
        e.problems()
            .iter()
            .any(|p| p.key == "max_age" && matches!(p.kind, ProblemKind::InvalidType(_)))
    );
    assert!(
        e.problems()
            .iter()
            .any(|p| p.key == "allow_credentials" && matches!(p.kind, ProblemKind::InvalidType(_)))
    );
    let e = refuse("allow_origins = [");
    assert!(
        matches!(e.problems()[0].kind, ProblemKind::Syntax(_)),
        "{e}"
    );
}

#[test]
fn every_problem_at_once() {
    let e = refuse(
        r#"
        allow_origins = ["https://ok.example", "https://bad.example/", "null", "*"]
        allow_methods = ["TRACE"]
        allow_headers = ["cookie"]
        expose_headers = ["*", "set-cookie"]
        allow_credentials = true
        max_age = 999999
        preflight_status = 500
        "#,
    );
    // trailing slash, null, "*" beside others, "*" with credentials, TRACE, cookie,
    // expose * with credentials, set-cookie, max_age, preflight_status
    assert_eq!(e.problems().len(), 10, "{e}");
    assert!(
        e.to_string()
            .starts_with("invalid CORS policy (10 problems):")
    );
}

#[test]
fn the_same_keys_load_from_toml_json_and_yaml() {
    let toml = r#"
        allow_origins = ["https://app.example.com", "http://localhost:*"]
        allow_methods = ["PUT"]
        allow_headers = ["content-type"]
        expose_headers = ["x-custom"]
        allow_credentials = true
        max_age = 600
        allow_private_network = true
        preflight_status = 200
        preflight_continue = true
        dangerously_allow_insecure_origins = false
    "#;
    let from_toml = PolicyConfig::from_toml_str(toml).unwrap();
    let json = serde_json::to_string(&from_toml).unwrap();
    let from_json = PolicyConfig::from_json_str(&json).unwrap();
    let yaml = serde_yaml::to_string(&from_toml).unwrap();
    let from_yaml: PolicyConfig = serde_yaml::from_str(&yaml).unwrap();
    assert_eq!(from_toml, from_json);
    assert_eq!(from_toml, from_yaml);
    assert!(serde_yaml::from_str::<PolicyConfig>("allow_origins: ['*']\nbogus: 1").is_err());
    Policy::new(&from_yaml).unwrap();
}

#[test]
fn the_bundled_policy_builds() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/policy.toml");
    Policy::from_file(path).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let e = Policy::from_file("/definitely/not/here.toml").unwrap_err();
    assert!(matches!(e.problems()[0].kind, ProblemKind::Syntax(_)));
}

#[test]
fn builder_and_predicate() {
    let p = Policy::builder()
        .allow_origin_predicate(|o| o.ends_with(".trusted.example"))
        .build()
        .unwrap();
    let mut req = cors_core::CorsRequest::new(b"GET");
    req.push_origin(b"https://a.trusted.example");
    assert!(p.evaluate(&req).is_allowed());
    let mut req = cors_core::CorsRequest::new(b"GET");
    req.push_origin(b"https://a.trusted.example/");
    assert!(
        !p.evaluate(&req).is_allowed(),
        "malformed origins never reach the predicate"
    );
    assert!(
        Policy::builder().build().is_err(),
        "no origins and no predicate"
    );
}
