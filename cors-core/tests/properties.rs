//! Property tests for the parsers (origin, ACRH), the matcher, and `Pending::write_to`.

use cors_core::{CorsHeader, CorsRequest, Policy};
use cors_testkit::headers::{Line, Lines};
use proptest::prelude::*;

fn label() -> impl Strategy<Value = String> {
    // `xn--` labels must be valid Punycode, which configuration checks: keep them out.
    "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?"
        .prop_filter("no Punycode prefix", |l| !l.starts_with("xn--"))
}

fn host() -> impl Strategy<Value = String> {
    prop::collection::vec(label(), 1..4).prop_map(|l| format!("{}.test", l.join(".")))
}

fn origin() -> impl Strategy<Value = String> {
    (
        prop_oneof!["http", "https"],
        host(),
        prop::option::of(1024u16..65535),
    )
        .prop_map(|(s, h, p)| match p {
            Some(p) => format!("{s}://{h}:{p}"),
            None => format!("{s}://{h}"),
        })
}

fn preflight<'a>(origin: &'a [u8], method: &'a [u8], acrh: &'a [&'a [u8]]) -> CorsRequest<'a> {
    let mut req = CorsRequest::new(b"OPTIONS");
    req.push_origin(origin);
    req.push_request_method(method);
    for line in acrh {
        req.push_request_headers(line);
    }
    req
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn origin_parser_never_panics_and_accepts_only_clean_ascii(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if cors_core::__private::check_origin(&bytes).is_ok() {
            prop_assert!(bytes.is_ascii());
            prop_assert!(!bytes.iter().any(|b| *b <= b' '));
            let s = std::str::from_utf8(&bytes).unwrap();
            prop_assert!(s.contains("://"));
            prop_assert!(!s.ends_with('/'));
            prop_assert_eq!(s.to_ascii_lowercase(), s);
        }
    }

    #[test]
    fn generated_origins_parse(o in origin()) {
        prop_assert!(cors_core::__private::check_origin(o.as_bytes()).is_ok(), "{}", o);
        // Any change of case, a trailing slash or a path breaks serialized form.
        let upper = o.to_ascii_uppercase();
        let slashed = format!("{o}/");
        let pathed = format!("{o}/x");
        prop_assert!(cors_core::__private::check_origin(upper.as_bytes()).is_err());
        prop_assert!(cors_core::__private::check_origin(slashed.as_bytes()).is_err());
        prop_assert!(cors_core::__private::check_origin(pathed.as_bytes()).is_err());
    }

    #[test]
    fn exact_origins_allow_exactly_themselves(list in prop::collection::btree_set(origin(), 1..20), probe in origin()) {
        let policy = Policy::builder().allow_origins(list.iter().cloned()).build().unwrap();
        for o in list.iter().chain(std::iter::once(&probe)) {
            let mut req = CorsRequest::new(b"GET");
            req.push_origin(o.as_bytes());
            let d = policy.evaluate(&req);
            prop_assert_eq!(d.is_allowed(), list.contains(o), "{}", o);
            if d.is_allowed() {
                let acao = d.header(CorsHeader::AllowOrigin).unwrap();
                prop_assert_eq!(acao.as_bytes(), o.as_bytes());
            }
        }
    }

    #[test]
    fn subdomain_patterns_match_only_below_their_base(base in host(), sub in label(), other in host()) {
        let policy = Policy::builder().allow_origin(format!("https://*.{base}")).build().unwrap();
        let allowed = |o: String| {
            let mut req = CorsRequest::new(b"GET");
            req.push_origin(o.as_bytes());
            policy.evaluate(&req).is_allowed()
        };
        let below = format!("https://{}.{}", sub, base);
        let apex = format!("https://{}", base);
        let downgraded = format!("http://{}.{}", sub, base);
        let glued = format!("https://{}{}", sub, base);
        let elsewhere = format!("https://{}", other);
        let under = format!(".{}", base);
        prop_assert!(allowed(below));
        prop_assert!(!allowed(apex));
        prop_assert!(!allowed(downgraded));
        prop_assert!(!allowed(glued));
        if !other.ends_with(&under) {
            prop_assert!(!allowed(elsewhere));
        }
    }

    #[test]
    fn acrh_parser_never_panics(lines in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..200), 0..12)) {
        let policy = Policy::builder().allow_origin("https://a.test").allow_headers(["x-a", "*"]).build().unwrap();
        let refs: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
        let req = preflight(b"https://a.test", b"POST", &refs);
        let d = policy.evaluate(&req);
        if d.is_allowed() {
            // Allowed preflights never carry anything but tokens in what they echo.
            for h in d.headers() {
                prop_assert!(h.value.as_bytes().iter().all(|b| *b >= b' ' && *b != 0x7f || *b == b'\t'));
            }
        } else {
            prop_assert!(d.headers().len() == 0);
        }
    }

    #[test]
    fn allowed_names_in_any_case_order_and_spacing_pass(
        picks in prop::collection::vec((0usize..3, any::<bool>(), 0usize..3, 0usize..3), 1..10),
        split in 0usize..10,
    ) {
        const NAMES: [&str; 3] = ["content-type", "x-requested-with", "authorization"];
        const WS: [&str; 3] = ["", " ", " \t "];
        let policy = Policy::builder().allow_origin("https://a.test").allow_headers(NAMES).build().unwrap();
        let elements: Vec<String> = picks
            .iter()
            .map(|(i, up, l, r)| {
                let n = if *up { NAMES[*i].to_ascii_uppercase() } else { NAMES[*i].to_owned() };
                format!("{}{n}{}", WS[*l], WS[*r])
            })
            .collect();
        let at = split.min(elements.len());
        let (a, b) = elements.split_at(at);
        let (a, b) = (a.join(","), b.join(","));
        let lines: Vec<&[u8]> = [a.as_bytes(), b.as_bytes()].into_iter().filter(|l| !l.is_empty()).collect();
        let req = preflight(b"https://a.test", b"POST", &lines);
        let d = policy.evaluate(&req);
        prop_assert!(d.reason().is_none(), "{:?}", d.reason());

        // One name outside the policy turns it into a rejection naming that header.
        let bad = format!("{a},x-forbidden-{split}");
        let lines2: Vec<&[u8]> = vec![bad.as_bytes()];
        let req = preflight(b"https://a.test", b"POST", &lines2);
        let d = policy.evaluate(&req);
        let expected = format!("x-forbidden-{split}");
        prop_assert_eq!(
            d.reason().copied(),
            Some(cors_core::Reason::HeaderNotAllowed { header: expected.as_bytes() })
        );
    }

    #[test]
    fn pending_decisions_write_exactly_the_decisions_headers(
        policy_index in 0usize..7,
        method in prop_oneof![Just("GET"), Just("OPTIONS"), Just("POST")],
        origin in prop_oneof![
            Just(Some("https://a.test")),
            Just(Some("https://b.test")),
            Just(Some("null")),
            Just(None),
        ],
        request_method in prop_oneof![Just("PUT"), Just("GET"), Just("x-custom"), Just("")],
        lines in prop::collection::vec(
            prop_oneof![
                4 => Just("x-a"),
                2 => Just("Content-Type"),
                2 => Just(" x-b , x-c "),
                1 => Just(""),
                1 => Just("  "),
                1 => Just("bad name"),
            ],
            0..11,
        ),
        private_network in any::<bool>(),
        fetch_site in prop_oneof![Just(None), Just(Some("cross-site")), Just(Some("same-origin"))],
        websocket in any::<bool>(),
        stale in any::<bool>(),
    ) {
        // Policies exercising every kind of value: echoed origin, method and header lines
        // (credentials with `*`), `*` values, and the policy's own lists; and the paths
        // beside them: debug mode, and the origin checks (enforced and reported).
        let policies = [
            "allow_origins = [\"https://a.test\"]\nallow_methods = [\"*\"]\nallow_headers = [\"*\"]\nallow_credentials = true\nmax_age = 5\nallow_private_network = true",
            "allow_origins = [\"*\"]\nallow_methods = [\"*\"]\nallow_headers = [\"*\"]\nexpose_headers = [\"x-e\"]",
            "allow_origins = [\"https://a.test\", \"https://b.test\"]\nallow_methods = [\"PUT\"]\nallow_headers = [\"x-a\", \"content-type\"]\nexpose_headers = [\"x-e\"]\nallow_credentials = true",
            "allow_origins = [\"https://*.test\"]\nallow_headers = [\"*\"]\nallow_private_network = true\npreflight_continue = true",
            "allow_origins = [\"https://a.test\"]\nallow_headers = [\"x-a\"]\ndebug = true",
            "allow_origins = [\"https://a.test\"]\nexpose_headers = [\"x-e\"]\ncsrf_protection = \"enforce\"\nwebsocket_origin_check = true",
            "allow_origins = [\"https://a.test\"]\nallow_credentials = true\ncsrf_protection = \"report\"",
        ];
        let policy = Policy::from_toml_str(policies[policy_index]).unwrap();
        let mut req = CorsRequest::new(method.as_bytes());
        if let Some(origin) = origin {
            req.push_origin(origin.as_bytes());
        }
        req.push_request_method(request_method.as_bytes());
        for line in &lines {
            req.push_request_headers(line.as_bytes());
        }
        if private_network {
            req.push_private_network(b"true");
        }
        if let Some(site) = fetch_site {
            req.push_fetch_site(site.as_bytes());
        }
        req.push_host(b"api.test");
        if websocket {
            req.push_upgrade(b"websocket");
        }
        let d = policy.evaluate(&req);
        let expected: Vec<(CorsHeader, Vec<u8>)> =
            d.headers().map(|h| (h.name, h.value.as_bytes().to_vec())).collect();
        prop_assert_eq!(d.headers().len(), expected.len());

        let pending = policy.decide(&req, |v| Some(v.as_bytes().to_vec()));
        prop_assert_eq!(pending.len(), expected.len());
        prop_assert_eq!(pending.action(), d.action());
        let mut out = Lines::new(&policy);
        // A handler's response with its own CORS headers: exactly those the decision
        // clears are replaced.
        let own = [CorsHeader::AllowOrigin, CorsHeader::MaxAge];
        if stale {
            for h in own {
                out.lines.push(Line::Other(h.as_str().to_owned(), b"stale".to_vec()));
            }
        }
        pending.write_to(&mut out);
        let vary = out.vary_lines();
        let kept: Vec<CorsHeader> = out
            .lines
            .iter()
            .filter_map(|l| match l {
                Line::Other(n, _) => own.into_iter().find(|h| h.as_str() == n),
                _ => None,
            })
            .collect();
        let expected_kept: Vec<CorsHeader> = own
            .into_iter()
            .filter(|h| stale && !d.clears().contains(h))
            .collect();
        prop_assert_eq!(kept, expected_kept);
        let written = out.cors();
        let expected_vary = (!d.vary().as_str().is_empty()).then(|| d.vary().as_str().as_bytes().to_vec());
        prop_assert_eq!(vary, expected_vary.into_iter().collect::<Vec<_>>());
        prop_assert_eq!(written, expected);
    }
}
