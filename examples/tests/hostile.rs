//! Hostile traffic against `serve` over real HTTP, one test per framework: huge and
//! repeated CORS headers, a 64 KiB origin, non-UTF-8 bytes and obs-text, and thousands of
//! distinct origins. Every request gets a well-formed answer within the framework's
//! limits (the CORS answer, or the framework's 400/413/431), the server keeps answering
//! normally afterwards, and its resident memory stays flat over the distinct-origin burst.
//!
//! Rocket keeps only UTF-8 header values and drops the others before the fairing sees
//! them (documented in cors-rocket): there, a request with such a line must get the CORS
//! answer of the same request without it.

use std::time::{Duration, Instant};

use cors_examples::raw_http::{self, Connection};
use cors_examples::{TestRequest, TestResponse};
use cors_testkit::serve::{self as server, Server};

const SERVE: &str = env!("CARGO_BIN_EXE_serve");

const POLICY: &str = r#"
allow_origins = ["https://app.example.com", "https://*.example.org", "http://localhost:*"]
allow_methods = ["GET", "POST", "PUT", "DELETE"]
allow_headers = ["content-type", "x-requested-with"]
expose_headers = ["x-custom"]
allow_credentials = true
max_age = 600
"#;

const ALLOWED: &[u8] = b"https://app.example.com";
const PREFLIGHT_VARY: [&str; 3] = [
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
];
/// Statuses a framework may answer a request with when it exceeds its limits.
const FRAMEWORK_REFUSALS: [u16; 3] = [400, 413, 431];
/// Generous sanity bounds, not performance assertions.
const MAX_ANSWER_TIME: Duration = Duration::from_secs(5);
const MAX_BURST_TIME: Duration = Duration::from_secs(30);
const MAX_RSS_GROWTH_KIB: u64 = 20 * 1024;
const BURST: usize = 3000;
const CONNECTIONS: usize = 4;

type Lines<'a> = Vec<(&'a str, Vec<u8>)>;

fn request(method: &str, path: &str, headers: Lines) -> TestRequest {
    TestRequest {
        method: method.into(),
        path: path.into(),
        headers: headers
            .into_iter()
            .map(|(n, v)| (n.to_owned(), v))
            .collect(),
    }
}

fn preflight(origin: &[u8], method: &[u8], extra: Lines) -> TestRequest {
    let mut lines = vec![
        ("Origin", origin.to_vec()),
        ("Access-Control-Request-Method", method.to_vec()),
    ];
    lines.extend(extra);
    request("OPTIONS", "/echo", lines)
}

/// The answer to a request the policy refuses: the framework's own refusal (no CORS
/// headers), or the CORS refusal — a preflight's 403 with the three `Vary` items, or an
/// actual request's handler status without CORS headers and with `Vary: origin`.
fn refused(res: &TestResponse, preflight: bool) -> Result<(), String> {
    if FRAMEWORK_REFUSALS.contains(&res.status) {
        return res.no_cors_headers();
    }
    if preflight {
        if res.status != 403 {
            return Err(format!("not 403: {}", res.describe()));
        }
        res.no_cors_headers()?;
        res.has_vary(&PREFLIGHT_VARY)
    } else {
        if res.status != 200 {
            return Err(format!("not 200: {}", res.describe()));
        }
        res.no_cors_headers()?;
        res.has_vary(&["origin"])
    }
}

fn allowed(res: &TestResponse, origin: &[u8], status: u16) -> Result<(), String> {
    if res.status != status {
        return Err(format!("not {status}: {}", res.describe()));
    }
    if res.values("access-control-allow-origin") != [origin]
        || res.values("access-control-allow-credentials") != [b"true"]
    {
        return Err(format!(
            "not allowed for {}: {}",
            origin.escape_ascii(),
            res.describe()
        ));
    }
    res.has_vary(&["origin"])
}

fn vm_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// One hostile request: it must be answered within [`MAX_ANSWER_TIME`] and pass `check`.
fn hostile(
    server: &Server,
    failures: &mut Vec<String>,
    what: &str,
    req: &TestRequest,
    check: impl FnOnce(&TestResponse) -> Result<(), String>,
) {
    let started = Instant::now();
    let result = raw_http::send(server.addr, req);
    let elapsed = started.elapsed();
    let status = match &result {
        Ok(res) => res.status.to_string(),
        Err(e) => format!("no answer ({e})"),
    };
    println!("{}: {what}: {status} in {elapsed:?}", server.framework);
    let result = result
        .map_err(|e| format!("no well-formed answer: {e}"))
        .and_then(|res| {
            if elapsed > MAX_ANSWER_TIME {
                return Err(format!("answered after {elapsed:?}"));
            }
            check(&res)
        });
    if let Err(e) = result {
        failures.push(format!("{}: {what}: {e}", server.framework));
    }
}

/// A hostile request with non-UTF-8 values whose policy answer is `check`; on Rocket, the
/// answer of the request without those lines.
fn non_utf8(
    server: &Server,
    failures: &mut Vec<String>,
    what: &str,
    req: &TestRequest,
    check: impl FnOnce(&TestResponse) -> Result<(), String>,
) {
    if server.framework == "rocket" {
        let mut kept = req.clone();
        kept.headers.retain(|(_, v)| std::str::from_utf8(v).is_ok());
        let reference = raw_http::send(server.addr, &kept);
        hostile(server, failures, what, req, |res| {
            let reference = reference.map_err(|e| format!("reference: {e}"))?;
            res.same_cors_answer(&reference)
                .map_err(|e| format!("the request without its non-UTF-8 lines {e}"))
        });
    } else {
        hostile(server, failures, what, req, check);
    }
}

/// Every byte from 0x80 to 0xFF.
fn obs_text() -> Vec<u8> {
    (0x80..=0xFFu8).collect()
}

fn oversized_and_malformed(server: &Server, failures: &mut Vec<String>) {
    let mib = 1 << 20;
    hostile(
        server,
        failures,
        "1 MiB ACRH of \", \"",
        &preflight(
            ALLOWED,
            b"PUT",
            vec![("Access-Control-Request-Headers", b", ".repeat(mib / 2))],
        ),
        |r| refused(r, true),
    );
    hostile(
        server,
        failures,
        "1 MiB ACRH of names",
        &preflight(
            ALLOWED,
            b"PUT",
            vec![(
                "Access-Control-Request-Headers",
                b"content-type,".repeat(mib / 13),
            )],
        ),
        |r| refused(r, true),
    );
    hostile(
        server,
        failures,
        "1000 ACRH lines",
        &preflight(
            ALLOWED,
            b"PUT",
            (0..1000)
                .map(|_| ("Access-Control-Request-Headers", b"content-type".to_vec()))
                .collect(),
        ),
        |r| refused(r, true),
    );
    let long_origin = [
        &b"https://"[..],
        &b"a".repeat(64 << 10),
        &b".example.org"[..],
    ]
    .concat();
    hostile(
        server,
        failures,
        "64 KiB origin, GET",
        &request("GET", "/", vec![("Origin", long_origin.clone())]),
        |r| refused(r, false),
    );
    hostile(
        server,
        failures,
        "64 KiB origin, preflight",
        &preflight(&long_origin, b"PUT", vec![]),
        |r| refused(r, true),
    );
    // 64 KiB of dotted labels under an allowed wildcard.
    let many_labels = [
        &b"https://"[..],
        &b"a.".repeat(32 << 10),
        &b"example.org"[..],
    ]
    .concat();
    hostile(
        server,
        failures,
        "64 KiB origin of labels, GET",
        &request("GET", "/", vec![("Origin", many_labels)]),
        |r| refused(r, false),
    );

    // Non-UTF-8 bytes.
    let bad_origin = b"https://app.example.com\xc3\x28".to_vec();
    non_utf8(
        server,
        failures,
        "non-UTF-8 origin, GET",
        &request("GET", "/", vec![("Origin", bad_origin.clone())]),
        |r| refused(r, false),
    );
    non_utf8(
        server,
        failures,
        "non-UTF-8 origin, preflight",
        &preflight(&bad_origin, b"PUT", vec![]),
        |r| refused(r, true),
    );
    non_utf8(
        server,
        failures,
        "non-UTF-8 ACRM",
        &preflight(ALLOWED, b"P\xffT", vec![]),
        |r| refused(r, true),
    );
    non_utf8(
        server,
        failures,
        "non-UTF-8 ACRH",
        &preflight(
            ALLOWED,
            b"PUT",
            vec![(
                "Access-Control-Request-Headers",
                b"content-\xfetype".to_vec(),
            )],
        ),
        |r| refused(r, true),
    );
    // A non-UTF-8 header the policy does not read: the allowed answer, unchanged.
    non_utf8(
        server,
        failures,
        "non-UTF-8 unrelated header",
        &request(
            "GET",
            "/",
            vec![
                ("Origin", ALLOWED.to_vec()),
                ("X-Junk", b"\xff\xfe\xfd\xc3\x28".to_vec()),
            ],
        ),
        |r| allowed(r, ALLOWED, 200),
    );

    // obs-text: every byte 0x80..=0xFF.
    let obs = obs_text();
    non_utf8(
        server,
        failures,
        "obs-text origin, GET",
        &request("GET", "/", vec![("Origin", [ALLOWED, &obs[..]].concat())]),
        |r| refused(r, false),
    );
    non_utf8(
        server,
        failures,
        "obs-text origin host, preflight",
        &preflight(
            &[&b"https://"[..], &obs[..], &b".example.org"[..]].concat(),
            b"PUT",
            vec![],
        ),
        |r| refused(r, true),
    );
    non_utf8(
        server,
        failures,
        "obs-text ACRM",
        &preflight(ALLOWED, &[&b"PUT"[..], &obs[..]].concat(), vec![]),
        |r| refused(r, true),
    );
    non_utf8(
        server,
        failures,
        "obs-text ACRH",
        &preflight(
            ALLOWED,
            b"PUT",
            vec![(
                "Access-Control-Request-Headers",
                [&b"content-type,"[..], &obs[..]].concat(),
            )],
        ),
        |r| refused(r, true),
    );
    non_utf8(
        server,
        failures,
        "obs-text unrelated header",
        &request(
            "GET",
            "/",
            vec![("Origin", ALLOWED.to_vec()), ("X-Junk", obs.clone())],
        ),
        |r| allowed(r, ALLOWED, 200),
    );
    // UTF-8 obs-text (valid UTF-8, so Rocket keeps it too): still not an origin.
    hostile(
        server,
        failures,
        "UTF-8 non-ASCII origin",
        &preflight("https://äpp.example.com".as_bytes(), b"PUT", vec![]),
        |r| refused(r, true),
    );
}

/// `n` requests with distinct origins (every other allowed by the wildcard, every third
/// a preflight) over [`CONNECTIONS`] kept-alive connections; checks every answer.
fn distinct_origins_burst(server: &Server, tag: &str, n: usize) -> Result<(), String> {
    let per = n.div_ceil(CONNECTIONS);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..CONNECTIONS)
            .map(|c| {
                s.spawn(move || -> Result<usize, String> {
                    let mut conn = Connection::open(server.addr).map_err(|e| e.to_string())?;
                    let mut reconnects = 0;
                    for i in (c * per)..((c + 1) * per).min(n) {
                        let allowed_origin = i % 2 == 0;
                        let origin = if allowed_origin {
                            format!("https://{tag}-{i}.example.org")
                        } else {
                            format!("https://{tag}-{i}.evil.test")
                        };
                        let is_preflight = i % 3 == 0;
                        let req = if is_preflight {
                            preflight(
                                origin.as_bytes(),
                                b"PUT",
                                vec![("Access-Control-Request-Headers", b"content-type".to_vec())],
                            )
                        } else {
                            request("GET", "/", vec![("Origin", origin.clone().into_bytes())])
                        };
                        if conn.is_closed() {
                            conn = Connection::open(server.addr).map_err(|e| e.to_string())?;
                            reconnects += 1;
                        }
                        let res = conn.send(&req).map_err(|e| format!("{origin}: {e}"))?;
                        let check = match (allowed_origin, is_preflight) {
                            (true, true) => allowed(&res, origin.as_bytes(), 204),
                            (true, false) => allowed(&res, origin.as_bytes(), 200),
                            (false, p) => refused(&res, p),
                        };
                        check.map_err(|e| format!("{origin}: {e}"))?;
                    }
                    Ok(reconnects)
                })
            })
            .collect();
        let mut reconnects = 0;
        for w in workers {
            reconnects += w.join().map_err(|_| "worker panicked".to_owned())??;
        }
        if reconnects > 0 {
            println!("{}: {tag}: {reconnects} reconnects", server.framework);
        }
        Ok(())
    })
}

fn run(framework: &'static str) {
    let server = server::start(SERVE, framework, POLICY);
    let normal = request("GET", "/", vec![("Origin", ALLOWED.to_vec())]);
    let mut failures = Vec::new();

    oversized_and_malformed(&server, &mut failures);
    // Still serving, normally.
    match raw_http::send(server.addr, &normal) {
        Ok(res) => {
            if let Err(e) = allowed(&res, ALLOWED, 200) {
                failures.push(format!("{framework}: after the hostile requests: {e}"));
            }
        }
        Err(e) => failures.push(format!(
            "{framework}: no answer after the hostile requests: {e}"
        )),
    }

    // Warm-up, then the measured burst, with distinct origins throughout.
    let started = Instant::now();
    if let Err(e) = distinct_origins_burst(&server, "warm", BURST) {
        failures.push(format!("{framework}: warm-up burst: {e}"));
    }
    let warm_time = started.elapsed();
    let before = vm_rss_kib(server.pid());
    let started = Instant::now();
    if let Err(e) = distinct_origins_burst(&server, "burst", BURST) {
        failures.push(format!("{framework}: burst: {e}"));
    }
    let burst_time = started.elapsed();
    let after = vm_rss_kib(server.pid());
    println!(
        "{framework}: {BURST} distinct origins over {CONNECTIONS} connections: warm-up {warm_time:?}, \
         burst {burst_time:?}; VmRSS before {before} KiB, after {after} KiB, growth {} KiB",
        after as i64 - before as i64
    );
    if after.saturating_sub(before) > MAX_RSS_GROWTH_KIB {
        failures.push(format!(
            "{framework}: VmRSS grew from {before} KiB to {after} KiB over {BURST} distinct origins"
        ));
    }
    if warm_time + burst_time > MAX_BURST_TIME {
        failures.push(format!(
            "{framework}: bursts took {warm_time:?} + {burst_time:?}"
        ));
    }

    match raw_http::send(server.addr, &normal) {
        Ok(res) => {
            if let Err(e) = allowed(&res, ALLOWED, 200) {
                failures.push(format!("{framework}: after the bursts: {e}"));
            }
        }
        Err(e) => failures.push(format!("{framework}: no answer after the bursts: {e}")),
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn hostile_traffic_axum() {
    run("axum");
}

#[test]
fn hostile_traffic_actix() {
    run("actix");
}

#[test]
fn hostile_traffic_rocket() {
    run("rocket");
}

#[test]
fn hostile_traffic_warp() {
    run("warp");
}
