//! The browser's side of the protocol (`cors_core::browser`), table-tested against the
//! Fetch standard's algorithms: each row names the rule it pins.

use cors_core::browser::{
    Blocked, Engine, FetchRequest, NotSafelisted, Trigger, is_forbidden_request_header,
    is_safelisted_method, max_age, normalize_method, safelisted_request_header,
};

const ORIGIN: &str = "https://app.example.com";

#[test]
fn safelisted_methods_are_get_head_post_byte_for_byte() {
    for (method, safe) in [
        ("GET", true),
        ("HEAD", true),
        ("POST", true),
        ("get", false),
        ("Post", false),
        ("PUT", false),
        ("PATCH", false),
        ("DELETE", false),
        ("OPTIONS", false),
        ("", false),
    ] {
        assert_eq!(is_safelisted_method(method.as_bytes()), safe, "{method:?}");
    }
}

#[test]
fn fetch_normalizes_six_methods_only() {
    for (given, sent) in [
        ("get", "GET"),
        ("pOsT", "POST"),
        ("delete", "DELETE"),
        ("options", "OPTIONS"),
        ("put", "PUT"),
        ("head", "HEAD"),
        ("patch", "patch"),
        ("PATCH", "PATCH"),
        ("purge", "purge"),
    ] {
        assert_eq!(
            normalize_method(given.as_bytes()),
            sent.as_bytes(),
            "{given}"
        );
        assert_eq!(FetchRequest::new(ORIGIN, given).method(), sent.as_bytes());
    }
}

/// "CORS-safelisted request-header": one row per rule, both sides of each boundary.
#[test]
fn safelisted_request_headers() {
    let long_accept = "a".repeat(128);
    let too_long_accept = "a".repeat(129);
    let rows: Vec<(&str, &str, Result<(), &str>)> = vec![
        // Names.
        ("accept", "*/*", Ok(())),
        ("Accept", "text/html, application/json;q=0.9", Ok(())),
        ("ACCEPT-LANGUAGE", "en-US,en;q=0.5", Ok(())),
        ("content-language", "de-DE", Ok(())),
        ("x-request-id", "1", Err("name-not-safelisted")),
        ("authorization", "Bearer x", Err("name-not-safelisted")),
        ("cache-control", "no-cache", Err("name-not-safelisted")),
        ("last-event-id", "1", Err("name-not-safelisted")),
        // Length: 128 bytes pass, 129 do not.
        ("accept", &long_accept, Ok(())),
        ("accept", &too_long_accept, Err("value-too-long")),
        // accept: CORS-unsafe request-header bytes.
        ("accept", "text/html\tx", Ok(())),
        ("accept", "a\"b", Err("unsafe-byte")),
        ("accept", "a(b", Err("unsafe-byte")),
        ("accept", "a:b", Err("unsafe-byte")),
        ("accept", "a<b", Err("unsafe-byte")),
        ("accept", "a?b", Err("unsafe-byte")),
        ("accept", "a@b", Err("unsafe-byte")),
        ("accept", "a[b", Err("unsafe-byte")),
        ("accept", "a\\b", Err("unsafe-byte")),
        ("accept", "a{b", Err("unsafe-byte")),
        ("accept", "a\x7fb", Err("unsafe-byte")),
        ("accept", "a\x01b", Err("unsafe-byte")),
        // accept-language, content-language: letters, digits, space, *,-.;=
        ("accept-language", "fr-CH, fr;q=0.9, *;q=0.5", Ok(())),
        ("accept-language", "en_US", Err("language-byte")),
        ("content-language", "en/US", Err("language-byte")),
        ("content-language", "en\u{e9}", Err("language-byte")),
        // content-type: parsed MIME type essence.
        ("content-type", "text/plain", Ok(())),
        ("content-type", "Text/Plain; charset=UTF-8", Ok(())),
        ("content-type", "application/x-www-form-urlencoded", Ok(())),
        ("content-type", "multipart/form-data; boundary=x", Ok(())),
        ("content-type", "text/plain ;charset=utf-8", Ok(())),
        ("content-type", "text/plain;garbage", Ok(())),
        (
            "content-type",
            "application/json",
            Err("mime-type-not-safelisted"),
        ),
        ("content-type", "text/html", Err("mime-type-not-safelisted")),
        (
            "content-type",
            "text/plain2",
            Err("mime-type-not-safelisted"),
        ),
        ("content-type", "text", Err("invalid-mime-type")),
        ("content-type", "/plain", Err("invalid-mime-type")),
        ("content-type", "text/", Err("invalid-mime-type")),
        ("content-type", "te xt/plain", Err("invalid-mime-type")),
        // An unsafe byte fails before the MIME type is parsed.
        (
            "content-type",
            "text/plain; charset=\"utf-8\"",
            Err("unsafe-byte"),
        ),
        ("content-type", "text/plain; a=b:c", Err("unsafe-byte")),
        // range: one simple range with a start.
        ("range", "bytes=0-", Ok(())),
        ("range", "bytes=0-499", Ok(())),
        ("range", "bytes=500-500", Ok(())),
        ("range", "bytes=500-499", Err("range-not-simple")),
        ("range", "bytes=-500", Err("range-not-simple")),
        ("range", "bytes=0-1,5-6", Err("range-not-simple")),
        ("range", "bytes = 0-1", Err("range-not-simple")),
        ("range", "Bytes=0-1", Err("range-not-simple")),
        ("range", "items=0-1", Err("range-not-simple")),
        ("range", "bytes=-", Err("range-not-simple")),
        (
            "range",
            "bytes=99999999999999999999999-100000000000000000000000",
            Ok(()),
        ),
        (
            "range",
            "bytes=100000000000000000000000-99999999999999999999999",
            Err("range-not-simple"),
        ),
    ];
    for (name, value, expected) in rows {
        let got = safelisted_request_header(name.as_bytes(), value.as_bytes());
        assert_eq!(
            got.as_ref().map(|_| ()).map_err(NotSafelisted::code),
            expected,
            "{name}: {value:?} -> {got:?}"
        );
    }
}

#[test]
fn not_safelisted_reasons_carry_their_data() {
    assert_eq!(
        safelisted_request_header(b"content-type", b"Application/JSON; charset=utf-8"),
        Err(NotSafelisted::MimeType {
            essence: "application/json".into()
        })
    );
    assert_eq!(
        safelisted_request_header(b"accept", b"a@b"),
        Err(NotSafelisted::UnsafeByte { byte: b'@' })
    );
    assert_eq!(
        safelisted_request_header(b"accept", "x".repeat(200).as_bytes()),
        Err(NotSafelisted::TooLong { len: 200 })
    );
    let sentence = NotSafelisted::UnsafeByte { byte: 0 }.to_string();
    assert_eq!(sentence, "its value has the CORS-unsafe byte \"\\x00\"");
}

/// "CORS-unsafe request-header names" and when "HTTP fetch" sends a preflight.
#[test]
fn preflight_needed() {
    type Row<'a> = (
        &'a str,
        &'a [(&'a str, &'a str)],
        Option<&'a str>,
        &'a [&'a str],
    );
    let rows: &[Row] = &[
        ("GET", &[], None, &[]),
        ("HEAD", &[], None, &[]),
        ("POST", &[("content-type", "text/plain")], None, &[]),
        ("get", &[("accept", "application/json")], None, &[]),
        ("PUT", &[], None, &["method-not-safelisted"]),
        ("patch", &[], None, &["method-not-safelisted"]),
        (
            "POST",
            &[("content-type", "application/json")],
            Some("content-type"),
            &["header-not-safelisted"],
        ),
        (
            "GET",
            &[("X-B", "1"), ("x-a", "1"), ("x-b", "2"), ("accept", "*/*")],
            Some("x-a,x-b"),
            &[
                "header-not-safelisted",
                "header-not-safelisted",
                "header-not-safelisted",
            ],
        ),
        (
            "DELETE",
            &[("Authorization", "Bearer t")],
            Some("authorization"),
            &["method-not-safelisted", "header-not-safelisted"],
        ),
        ("GET", &[("range", "bytes=0-")], None, &[]),
        (
            "GET",
            &[("range", "bytes=-1")],
            Some("range"),
            &["header-not-safelisted"],
        ),
    ];
    for &(method, headers, acrh, codes) in rows {
        let mut req = FetchRequest::new(ORIGIN, method);
        for (n, v) in headers {
            req = req.header(n, v);
        }
        let p = req.preflight();
        let got: Vec<_> = p.triggers().iter().map(Trigger::code).collect();
        assert_eq!(got, codes, "{method} {headers:?}");
        assert_eq!(p.is_needed(), !codes.is_empty(), "{method} {headers:?}");
        assert_eq!(p.request_headers().as_deref(), acrh, "{method} {headers:?}");
    }
}

#[test]
fn safelisted_values_above_1024_bytes_in_all_make_every_safelisted_name_unsafe() {
    let v = "a".repeat(128);
    let mut req = FetchRequest::new(ORIGIN, "GET");
    // 8 × 128 = 1024: still fine.
    for _ in 0..8 {
        req = req.header("accept", &v);
    }
    assert!(!req.preflight().is_needed());
    let req = req.header("Accept-Language", "e");
    let p = req.preflight();
    assert_eq!(p.triggers(), [Trigger::SafelistedTooLarge { bytes: 1025 }]);
    assert_eq!(p.unsafe_names(), ["accept", "accept-language"]);
}

#[test]
fn header_values_are_normalized_as_headers_append_does() {
    let req = FetchRequest::new(ORIGIN, "POST").header("content-type", " \ttext/plain\r\n");
    assert_eq!(req.headers()[0].1, b"text/plain");
    assert!(!req.preflight().is_needed());
    let req = FetchRequest::new(ORIGIN, "GET").header("x-a", "   ");
    assert_eq!(req.headers()[0].1, b"");
}

#[test]
fn forbidden_request_headers() {
    for (name, forbidden) in [
        ("cookie", true),
        ("Host", true),
        ("origin", true),
        ("Sec-Fetch-Site", true),
        ("proxy-authorization", true),
        ("access-control-request-method", true),
        ("authorization", false),
        ("content-type", false),
        ("x-cookie", false),
    ] {
        assert_eq!(
            is_forbidden_request_header(name.as_bytes()),
            forbidden,
            "{name}"
        );
    }
}

/// The "CORS check": ACAO, then ACAC with credentials.
#[test]
fn cors_check() {
    type Row<'a> = (bool, &'a [(&'a str, &'a str)], Result<(), &'a str>);
    let rows: &[Row] = &[
        (false, &[("access-control-allow-origin", "*")], Ok(())),
        (false, &[("Access-Control-Allow-Origin", ORIGIN)], Ok(())),
        (
            false,
            &[("access-control-allow-origin", " https://app.example.com ")],
            Ok(()),
        ),
        (false, &[], Err("missing-allow-origin")),
        (
            false,
            &[("x-allow-origin", "*")],
            Err("missing-allow-origin"),
        ),
        (
            false,
            &[
                ("access-control-allow-origin", ORIGIN),
                ("access-control-allow-origin", ORIGIN),
            ],
            Err("multiple-allow-origin"),
        ),
        (
            false,
            &[
                ("access-control-allow-origin", "*"),
                ("access-control-allow-origin", "*"),
            ],
            Err("multiple-allow-origin"),
        ),
        (
            false,
            &[(
                "access-control-allow-origin",
                "https://app.example.com, https://b.example",
            )],
            Err("allow-origin-mismatch"),
        ),
        (
            false,
            &[("access-control-allow-origin", "https://App.example.com")],
            Err("allow-origin-mismatch"),
        ),
        (
            false,
            &[("access-control-allow-origin", "https://app.example.com/")],
            Err("allow-origin-mismatch"),
        ),
        (
            false,
            &[("access-control-allow-origin", "null")],
            Err("allow-origin-mismatch"),
        ),
        (
            false,
            &[("access-control-allow-origin", "")],
            Err("allow-origin-mismatch"),
        ),
        // Without credentials, ACAC is ignored.
        (
            false,
            &[
                ("access-control-allow-origin", ORIGIN),
                ("access-control-allow-credentials", "false"),
            ],
            Ok(()),
        ),
        // With credentials.
        (
            true,
            &[
                ("access-control-allow-origin", ORIGIN),
                ("access-control-allow-credentials", "true"),
            ],
            Ok(()),
        ),
        (
            true,
            &[
                ("access-control-allow-origin", "*"),
                ("access-control-allow-credentials", "true"),
            ],
            Err("any-origin-with-credentials"),
        ),
        (
            true,
            &[("access-control-allow-origin", ORIGIN)],
            Err("credentials-not-allowed"),
        ),
        (
            true,
            &[
                ("access-control-allow-origin", ORIGIN),
                ("access-control-allow-credentials", "True"),
            ],
            Err("credentials-not-allowed"),
        ),
        (
            true,
            &[
                ("access-control-allow-origin", ORIGIN),
                ("access-control-allow-credentials", "1"),
            ],
            Err("credentials-not-allowed"),
        ),
        (
            true,
            &[
                ("access-control-allow-origin", ORIGIN),
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-credentials", "true"),
            ],
            Err("credentials-not-allowed"),
        ),
    ];
    for &(credentials, headers, expected) in rows {
        let req = FetchRequest::new(ORIGIN, "GET").credentials(credentials);
        let got = req.cors_check(headers);
        assert_eq!(
            got.as_ref().map(|_| ()).map_err(Blocked::code),
            expected,
            "credentials {credentials} {headers:?} -> {got:?}"
        );
    }
}

#[test]
fn cors_check_reasons_carry_their_data() {
    let req = FetchRequest::new(ORIGIN, "GET").credentials(true);
    assert_eq!(
        req.cors_check(&[("access-control-allow-origin", "https://b.example")]),
        Err(Blocked::OriginMismatch {
            allowed: "https://b.example".into()
        })
    );
    assert_eq!(
        req.cors_check(&[
            ("access-control-allow-origin", ORIGIN),
            ("access-control-allow-credentials", "True")
        ]),
        Err(Blocked::CredentialsNotAllowed {
            value: Some("True".into())
        })
    );
    let three = [("access-control-allow-origin", "*"); 3];
    assert_eq!(
        req.cors_check(&three),
        Err(Blocked::MultipleAllowOrigin { count: 3 })
    );
    // The opaque origin matches a literal null, as the standard byte-compares.
    let null = FetchRequest::new("null", "GET");
    assert_eq!(
        null.cors_check(&[("access-control-allow-origin", "null")]),
        Ok(())
    );
}

/// The checks of "CORS-preflight fetch" on an answer.
#[test]
fn preflight_check() {
    const ACAO: (&str, &str) = ("access-control-allow-origin", ORIGIN);
    const STAR: (&str, &str) = ("access-control-allow-origin", "*");
    const ACAC: (&str, &str) = ("access-control-allow-credentials", "true");
    type Row<'a> = (
        &'a str,
        &'a [(&'a str, &'a str)],
        bool,
        u16,
        &'a [(&'a str, &'a str)],
        Result<(), &'a str>,
    );
    let rows: &[Row] = &[
        (
            "PUT",
            &[],
            false,
            204,
            &[ACAO, ("access-control-allow-methods", "PUT")],
            Ok(()),
        ),
        (
            "PUT",
            &[],
            false,
            200,
            &[ACAO, ("access-control-allow-methods", "GET, PUT")],
            Ok(()),
        ),
        (
            "PUT",
            &[],
            false,
            299,
            &[ACAO, ("access-control-allow-methods", "PUT")],
            Ok(()),
        ),
        // Status: ok status only; a redirect fails.
        (
            "PUT",
            &[],
            false,
            300,
            &[ACAO, ("access-control-allow-methods", "PUT")],
            Err("preflight-status-not-ok"),
        ),
        (
            "PUT",
            &[],
            false,
            301,
            &[ACAO, ("access-control-allow-methods", "PUT")],
            Err("preflight-status-not-ok"),
        ),
        (
            "PUT",
            &[],
            false,
            403,
            &[ACAO, ("access-control-allow-methods", "PUT")],
            Err("preflight-status-not-ok"),
        ),
        (
            "PUT",
            &[],
            false,
            199,
            &[ACAO, ("access-control-allow-methods", "PUT")],
            Err("preflight-status-not-ok"),
        ),
        // The CORS check comes first.
        ("PUT", &[], false, 403, &[], Err("missing-allow-origin")),
        (
            "PUT",
            &[],
            true,
            204,
            &[STAR, ACAC, ("access-control-allow-methods", "PUT")],
            Err("any-origin-with-credentials"),
        ),
        (
            "PUT",
            &[],
            true,
            204,
            &[ACAO, ("access-control-allow-methods", "PUT")],
            Err("credentials-not-allowed"),
        ),
        // Methods: byte for byte.
        ("PUT", &[], false, 204, &[ACAO], Err("method-not-allowed")),
        (
            "PUT",
            &[],
            false,
            204,
            &[ACAO, ("access-control-allow-methods", "put")],
            Err("method-not-allowed"),
        ),
        (
            "patch",
            &[],
            false,
            204,
            &[ACAO, ("access-control-allow-methods", "PATCH")],
            Err("method-not-allowed"),
        ),
        (
            "PATCH",
            &[],
            false,
            204,
            &[ACAO, ("access-control-allow-methods", "PATCH")],
            Ok(()),
        ),
        (
            "PUT",
            &[],
            false,
            204,
            &[
                ACAO,
                ("access-control-allow-methods", "GET"),
                ("access-control-allow-methods", "PUT"),
            ],
            Ok(()),
        ),
        (
            "PUT",
            &[],
            false,
            204,
            &[ACAO, ("access-control-allow-methods", ",PUT,,")],
            Ok(()),
        ),
        // `*` covers any method only without credentials.
        (
            "PUT",
            &[],
            false,
            204,
            &[ACAO, ("access-control-allow-methods", "*")],
            Ok(()),
        ),
        (
            "PUT",
            &[],
            true,
            204,
            &[ACAO, ACAC, ("access-control-allow-methods", "*")],
            Err("method-not-allowed"),
        ),
        (
            "PUT",
            &[],
            true,
            204,
            &[ACAO, ACAC, ("access-control-allow-methods", "PUT")],
            Ok(()),
        ),
        // A safelisted method needs no listing (a preflight due to headers).
        (
            "GET",
            &[("x-a", "1")],
            false,
            204,
            &[ACAO, ("access-control-allow-headers", "x-a")],
            Ok(()),
        ),
        (
            "POST",
            &[("x-a", "1")],
            true,
            204,
            &[ACAO, ACAC, ("access-control-allow-headers", "x-a")],
            Ok(()),
        ),
        // Lists that do not parse.
        (
            "PUT",
            &[],
            false,
            204,
            &[ACAO, ("access-control-allow-methods", "PUT GET")],
            Err("invalid-allow-methods"),
        ),
        (
            "GET",
            &[("x-a", "1")],
            false,
            204,
            &[ACAO, ("access-control-allow-headers", "x-a;")],
            Err("invalid-allow-headers"),
        ),
        // Headers: case-insensitive names.
        (
            "GET",
            &[("X-A", "1")],
            false,
            204,
            &[ACAO, ("access-control-allow-headers", "x-a")],
            Ok(()),
        ),
        (
            "GET",
            &[("x-a", "1")],
            false,
            204,
            &[ACAO, ("access-control-allow-headers", "X-A")],
            Ok(()),
        ),
        (
            "GET",
            &[("x-a", "1"), ("x-b", "1")],
            false,
            204,
            &[ACAO, ("access-control-allow-headers", "x-a")],
            Err("header-not-allowed"),
        ),
        (
            "GET",
            &[("x-a", "1"), ("x-b", "1")],
            false,
            204,
            &[ACAO, ("access-control-allow-headers", "x-b, x-a")],
            Ok(()),
        ),
        (
            "GET",
            &[("x-a", "1")],
            false,
            204,
            &[ACAO],
            Err("header-not-allowed"),
        ),
        // Safelisted headers need no listing.
        (
            "PUT",
            &[("accept", "*/*"), ("content-type", "text/plain")],
            false,
            204,
            &[ACAO, ("access-control-allow-methods", "PUT")],
            Ok(()),
        ),
        (
            "POST",
            &[("content-type", "application/json")],
            false,
            204,
            &[ACAO],
            Err("header-not-allowed"),
        ),
        (
            "POST",
            &[("content-type", "application/json")],
            false,
            204,
            &[ACAO, ("access-control-allow-headers", "Content-Type")],
            Ok(()),
        ),
        // `*`: any name without credentials, never authorization.
        (
            "GET",
            &[("x-a", "1")],
            false,
            204,
            &[ACAO, ("access-control-allow-headers", "*")],
            Ok(()),
        ),
        (
            "GET",
            &[("x-a", "1")],
            true,
            204,
            &[ACAO, ACAC, ("access-control-allow-headers", "*")],
            Err("header-not-allowed"),
        ),
        (
            "GET",
            &[("authorization", "x")],
            false,
            204,
            &[ACAO, ("access-control-allow-headers", "*")],
            Err("header-not-allowed"),
        ),
        (
            "GET",
            &[("Authorization", "x")],
            false,
            204,
            &[ACAO, ("access-control-allow-headers", "*, Authorization")],
            Ok(()),
        ),
        (
            "GET",
            &[("authorization", "x")],
            true,
            204,
            &[
                ACAO,
                ACAC,
                ("access-control-allow-headers", "authorization"),
            ],
            Ok(()),
        ),
    ];
    for &(method, req_headers, credentials, status, headers, expected) in rows {
        let mut req = FetchRequest::new(ORIGIN, method).credentials(credentials);
        for (n, v) in req_headers {
            req = req.header(n, v);
        }
        let got = req.preflight_check(status, headers);
        assert_eq!(
            got.as_ref().map(|_| ()).map_err(Blocked::code),
            expected,
            "{method} {req_headers:?} credentials {credentials} {status} {headers:?} -> {got:?}"
        );
    }
}

#[test]
fn preflight_reasons_say_why_star_did_not_count() {
    let req = FetchRequest::new(ORIGIN, "GET").header("Authorization", "x");
    let err = req
        .preflight_check(
            204,
            &[
                ("access-control-allow-origin", "*"),
                ("access-control-allow-headers", "*"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        err,
        Blocked::HeaderNotAllowed {
            name: "authorization".into(),
            star: true
        }
    );
    assert!(
        err.to_string()
            .ends_with("(\"*\" never covers authorization)"),
        "{err}"
    );
    let req = FetchRequest::new(ORIGIN, "PUT").credentials(true);
    let err = req
        .preflight_check(
            204,
            &[
                ("access-control-allow-origin", ORIGIN),
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-methods", "*"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the method \"PUT\" is not in Access-Control-Allow-Methods \
         (\"*\" does not count when the request includes credentials)"
    );
}

/// "CORS-preflight fetch": max-age, 5 when absent or failure, capped per engine.
#[test]
fn cache_lifetime_per_engine() {
    type Row<'a> = (&'a [(&'a str, &'a str)], Option<u64>, [u64; 3]);
    let rows: &[Row] = &[
        (&[], None, [5, 5, 5]),
        (&[("access-control-max-age", "0")], Some(0), [0, 0, 0]),
        (
            &[("access-control-max-age", "600")],
            Some(600),
            [600, 600, 600],
        ),
        (
            &[("access-control-max-age", "601")],
            Some(601),
            [600, 601, 601],
        ),
        (
            &[("access-control-max-age", "7200")],
            Some(7200),
            [600, 7200, 7200],
        ),
        (
            &[("access-control-max-age", "86400")],
            Some(86400),
            [600, 7200, 86400],
        ),
        (
            &[("Access-Control-Max-Age", "100000")],
            Some(100000),
            [600, 7200, 86400],
        ),
        (
            &[("access-control-max-age", "99999999999999999999999")],
            Some(u64::MAX),
            [600, 7200, 86400],
        ),
        (&[("access-control-max-age", "-1")], None, [5, 5, 5]),
        (&[("access-control-max-age", "1.5")], None, [5, 5, 5]),
        (&[("access-control-max-age", "")], None, [5, 5, 5]),
        (
            &[
                ("access-control-max-age", "60"),
                ("access-control-max-age", "60"),
            ],
            None,
            [5, 5, 5],
        ),
    ];
    for &(headers, parsed, lifetimes) in rows {
        assert_eq!(max_age(headers), parsed, "{headers:?}");
        for (engine, expected) in Engine::ALL.into_iter().zip(lifetimes) {
            assert_eq!(
                engine.cache_lifetime(headers),
                expected,
                "{engine} {headers:?}"
            );
        }
    }
    let caps: Vec<_> = Engine::ALL
        .iter()
        .map(|e| (e.as_str(), e.max_age_cap()))
        .collect();
    assert_eq!(
        caps,
        [("WebKit", 600), ("Chromium", 7200), ("Firefox", 86400)]
    );
}

/// Our own policy's answers pass the browser's checks: the two sides agree.
#[test]
fn policy_answers_pass_the_browser_checks() {
    use cors_core::{CorsRequest, Policy};
    let policy = Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = ["PUT", "*"]
        allow_headers = ["*", "authorization"]
        allow_credentials = true
        max_age = 7200
    "#,
    )
    .unwrap();
    let req = FetchRequest::new(ORIGIN, "PATCH")
        .header("authorization", "Bearer t")
        .header("x-trace", "1")
        .credentials(true);
    let p = req.preflight();
    let acrh = p.request_headers().unwrap();
    let mut view = CorsRequest::new(b"OPTIONS");
    view.push_origin(ORIGIN.as_bytes());
    view.push_request_method(req.method());
    view.push_request_headers(acrh.as_bytes());
    let d = policy.evaluate(&view);
    let headers: Vec<(&str, Vec<u8>)> = d
        .headers()
        .map(|h| (h.name.as_str(), h.value.as_bytes().to_vec()))
        .collect();
    let status = match d.action() {
        cors_core::Action::Respond { status } => status.as_u16(),
        cors_core::Action::Forward => 200,
    };
    assert_eq!(req.preflight_check(status, &headers), Ok(()));
    assert_eq!(Engine::WebKit.cache_lifetime(&headers), 600);
    assert_eq!(Engine::Chromium.cache_lifetime(&headers), 7200);

    // And a refused origin fails the browser's check.
    let other = FetchRequest::new("https://evil.example", "PATCH").credentials(true);
    let mut view = CorsRequest::new(b"OPTIONS");
    view.push_origin(b"https://evil.example");
    view.push_request_method(b"PATCH");
    let d = policy.evaluate(&view);
    let headers: Vec<(&str, Vec<u8>)> = d
        .headers()
        .map(|h| (h.name.as_str(), h.value.as_bytes().to_vec()))
        .collect();
    assert_eq!(
        other.preflight_check(403, &headers),
        Err(Blocked::MissingAllowOrigin)
    );
}
