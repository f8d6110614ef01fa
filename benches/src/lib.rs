//! Fixtures shared by the criterion benchmarks (`benches/cors.rs`), the allocation
//! report (`src/bin/allocs.rs`) and the fixture tests (`tests/fixtures.rs`): the same
//! policies, apps and requests for all three.
//!
//! * `core/*`: [`core_cases`], one [`Policy::evaluate`] each.
//! * `F-K` for each [`Framework`] F and [`Kind`] K: [`visit`] builds the example app of
//!   `cors-examples` three ways ([`Variant`]: bare, with our adapter, with the
//!   framework's own CORS crate configured like [`policy`]), each once, as a [`Fixture`]
//!   that sends one request through the app in process. The `floor` variant writes
//!   [`floor_lines`] with the framework's smallest middleware; `tests/fixtures.rs` checks
//!   that they are exactly the lines our adapter writes.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod fixture;
pub mod on_actix;
pub mod on_axum;
pub mod on_rocket;
pub mod on_warp;

pub use fixture::{Fixture, Framework, Kind, Probe, Variant, Visitor, measure, measured, visit};

use cors_core::{CorsRequest, Policy, PolicyHandle, PolicySet};

/// The origin every allowed request comes from.
pub const ORIGIN: &str = "https://app.example.com";

/// The methods [`policy`] allows (besides the safelisted ones).
pub const METHODS: [&str; 3] = ["GET", "POST", "PUT"];

/// The request headers [`policy`] allows.
pub const ALLOW_HEADERS: [&str; 2] = ["content-type", "x-requested-with"];

/// The response header [`policy`] exposes.
pub const EXPOSE_HEADER: &str = "x-custom";

/// [`policy`]'s max age, in seconds.
pub const MAX_AGE: u32 = 600;

/// The method an allowed preflight asks for.
pub const PREFLIGHT_METHOD: &str = "PUT";

/// The one header an allowed preflight asks for.
pub const PREFLIGHT_HEADER: &str = "content-type";

/// The path every framework request goes to: `GET /` answers 200 `ok` in every example app.
pub const PATH: &str = "/";

/// The status our adapters answer an allowed preflight with, which the preflight floor
/// answers with too.
pub const PREFLIGHT_STATUS: u16 = 204;

/// The CORS header lines our adapter writes for an allowed simple request under
/// [`policy`] (onto a response without `Vary`), in the order it writes them.
pub const SIMPLE_LINES: [(&str, &str); 4] = [
    ("access-control-allow-origin", ORIGIN),
    ("access-control-allow-credentials", "true"),
    ("access-control-expose-headers", EXPOSE_HEADER),
    ("vary", "origin"),
];

/// The header lines of our adapter's answer to an allowed preflight under [`policy`],
/// in the order it writes them.
pub const PREFLIGHT_LINES: [(&str, &str); 6] = [
    ("access-control-allow-origin", ORIGIN),
    ("access-control-allow-credentials", "true"),
    ("access-control-allow-methods", "GET,HEAD,POST,PUT"),
    (
        "access-control-allow-headers",
        "content-type,x-requested-with",
    ),
    ("access-control-max-age", "600"),
    (
        "vary",
        "origin, access-control-request-method, access-control-request-headers",
    ),
];

/// The lines the `floor` variant writes for requests of kind `k`: [`SIMPLE_LINES`] or
/// [`PREFLIGHT_LINES`].
pub fn floor_lines(k: Kind) -> &'static [(&'static str, &'static str)] {
    match k {
        Kind::Simple => &SIMPLE_LINES,
        Kind::Preflight | Kind::BrowserPreflight => &PREFLIGHT_LINES,
    }
}

/// The floor's header lines as `http` 1.x constants (axum, warp), validated at compile
/// time, so that writing one costs no validation and no reference count.
pub mod http_lines {
    use http::header::{self, HeaderName, HeaderValue};

    /// [`crate::SIMPLE_LINES`].
    pub const SIMPLE: [(HeaderName, HeaderValue); 4] = [
        (
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static(crate::ORIGIN),
        ),
        (
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        ),
        (
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(crate::EXPOSE_HEADER),
        ),
        (header::VARY, HeaderValue::from_static("origin")),
    ];

    /// [`crate::PREFLIGHT_LINES`].
    pub const PREFLIGHT: [(HeaderName, HeaderValue); 6] = [
        (
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static(crate::ORIGIN),
        ),
        (
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        ),
        (
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET,HEAD,POST,PUT"),
        ),
        (
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type,x-requested-with"),
        ),
        (
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        ),
        (
            header::VARY,
            HeaderValue::from_static(
                "origin, access-control-request-method, access-control-request-headers",
            ),
        ),
    ];

    /// Appends [`SIMPLE`] to a response's headers.
    #[inline]
    pub fn append_simple(map: &mut http::HeaderMap) {
        for (n, v) in SIMPLE {
            map.append(n, v);
        }
    }

    /// A preflight answer's headers: [`PREFLIGHT`], with room for the `Content-Length`
    /// a server adds (as our adapter reserves).
    #[inline]
    pub fn preflight_map() -> http::HeaderMap {
        let mut map = http::HeaderMap::with_capacity(PREFLIGHT.len() + 1);
        for (n, v) in PREFLIGHT {
            map.append(n, v);
        }
        map
    }
}

/// The policy the framework benchmarks configure (ours and each native crate alike):
/// one exact origin, GET/POST/PUT, `content-type` and `x-requested-with`, credentials,
/// `x-custom` exposed, max age 600.
pub fn policy() -> Policy {
    Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = ["GET", "POST", "PUT"]
        allow_headers = ["content-type", "x-requested-with"]
        expose_headers = ["x-custom"]
        allow_credentials = true
        max_age = 600
        "#,
    )
    .unwrap_or_else(|e| panic!("benchmark policy: {e}"))
}

/// One `Policy::evaluate` case: a policy and a request's header lines.
pub struct CoreCase {
    /// The bench function name within group `core`.
    pub id: &'static str,
    /// The policy.
    pub policy: Policy,
    /// The request method.
    pub method: &'static str,
    /// The request's header lines.
    pub headers: Vec<(&'static str, Vec<u8>)>,
    /// For route cases: the reloadable handle on a whole-service set and the request's
    /// path, which picks the policy (instead of `policy`) as adapters do.
    pub routes: Option<(PolicyHandle, &'static str)>,
}

impl CoreCase {
    /// Builds the case's request view and hands it with the case's policy (for route
    /// cases, the one the path picks, as adapters pick it) to `f`; `None` where a route
    /// switches CORS off.
    fn with_request<R>(&self, f: impl FnOnce(&CorsRequest<'_>, &Policy) -> R) -> Option<R> {
        let mut req = CorsRequest::new(self.method.as_bytes());
        for (n, v) in &self.headers {
            req.push_header(n.as_bytes(), v);
        }
        match &self.routes {
            None => Some(f(&req, &self.policy)),
            Some((handle, path)) => handle.load().select(path).map(|p| f(&req, p)),
        }
    }

    /// Evaluates the case once; returns a checksum so the work cannot be optimised away.
    pub fn run(&self) -> usize {
        self.with_request(|req, policy| {
            let d = policy.evaluate(req);
            d.headers().map(|h| h.value.as_bytes().len()).sum::<usize>() + d.is_allowed() as usize
        })
        .unwrap_or(0)
    }

    /// Decides the case once with [`Policy::decide`], what adapters call (the request
    /// counted and, when rejected, reported; echoed values converted to their lengths);
    /// returns a checksum.
    pub fn decide(&self) -> usize {
        self.with_request(|req, policy| {
            let pending = policy.decide(req, |v| Some(v.as_bytes().len()));
            pending.len() + usize::from(pending.action() == cors_core::Action::Forward)
        })
        .unwrap_or(0)
    }

    /// Whether the case's decision allows the request.
    pub fn allowed(&self) -> bool {
        self.with_request(|req, policy| policy.evaluate(req).is_allowed())
            .unwrap_or(false)
    }
}

/// A whole-service set: [`policy`] as the default, a public policy, and `n` routes
/// `/svc{i}/**` (the last one public, the others the default), as a reloadable handle.
pub fn routed(n: usize) -> PolicyHandle {
    let mut text = String::from(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = ["GET", "POST", "PUT"]
        allow_headers = ["content-type", "x-requested-with"]
        expose_headers = ["x-custom"]
        allow_credentials = true
        max_age = 600
        [policies.public]
        allow_origins = ["*"]
        "#,
    );
    for i in 0..n {
        let policy = if i + 1 == n { "public" } else { "default" };
        text.push_str(&format!(
            "[[routes]]\npaths = [\"/svc{i}/**\"]\npolicy = \"{policy}\"\n"
        ));
    }
    PolicyHandle::new(PolicySet::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}")))
}

fn origin(o: &str) -> (&'static str, Vec<u8>) {
    ("origin", o.as_bytes().to_vec())
}

/// Every `core/*` case, in bench order.
pub fn core_cases() -> Vec<CoreCase> {
    let p = policy();
    let patterns = Policy::from_toml_str(
        r#"allow_origins = ["https://*.example.org", "https://pr-*.preview.example.net"]"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let list: Vec<String> = (0..1000)
        .map(|i| format!("\"https://o{i}.example.com\""))
        .collect();
    let thousand = Policy::from_toml_str(&format!("allow_origins = [{}]", list.join(",")))
        .unwrap_or_else(|e| panic!("{e}"));
    let hostile: Vec<u8> = b", ".iter().copied().cycle().take(64 * 1024).collect();
    let acrm = |m: &str| ("access-control-request-method", m.as_bytes().to_vec());
    let acrh = |h: &[u8]| ("access-control-request-headers", h.to_vec());
    vec![
        CoreCase {
            id: "simple-allowed",
            policy: p.clone(),
            method: "GET",
            headers: vec![origin(ORIGIN)],
            routes: None,
        },
        CoreCase {
            id: "handle-simple-allowed",
            policy: p.clone(),
            method: "GET",
            headers: vec![origin(ORIGIN)],
            routes: Some((PolicyHandle::new(p.clone()), "/")),
        },
        CoreCase {
            id: "routes-1",
            policy: p.clone(),
            method: "GET",
            headers: vec![origin(ORIGIN)],
            routes: Some((routed(1), "/svc0/items/42")),
        },
        CoreCase {
            id: "routes-100",
            policy: p.clone(),
            method: "GET",
            headers: vec![origin(ORIGIN)],
            routes: Some((routed(100), "/svc99/items/42")),
        },
        CoreCase {
            id: "routes-100-unmatched",
            policy: p.clone(),
            method: "GET",
            headers: vec![origin(ORIGIN)],
            routes: Some((routed(100), "/other/items/42")),
        },
        CoreCase {
            id: "simple-rejected",
            policy: p.clone(),
            method: "GET",
            headers: vec![origin("https://evil.example.com")],
            routes: None,
        },
        CoreCase {
            id: "no-origin",
            policy: p.clone(),
            method: "GET",
            headers: vec![],
            routes: None,
        },
        CoreCase {
            id: "preflight-allowed",
            policy: p.clone(),
            method: "OPTIONS",
            headers: vec![origin(ORIGIN), acrm("PUT"), acrh(b"content-type")],
            routes: None,
        },
        CoreCase {
            id: "preflight-rejected",
            policy: p.clone(),
            method: "OPTIONS",
            headers: vec![origin(ORIGIN), acrm("PUT"), acrh(b"x-not-allowed")],
            routes: None,
        },
        CoreCase {
            id: "1000-origins-allowed",
            policy: thousand,
            method: "GET",
            headers: vec![origin("https://o500.example.com")],
            routes: None,
        },
        CoreCase {
            id: "subdomain-pattern-allowed",
            policy: patterns.clone(),
            method: "GET",
            headers: vec![origin("https://shop.eu.example.org")],
            routes: None,
        },
        CoreCase {
            id: "glob-allowed",
            policy: patterns,
            method: "GET",
            headers: vec![origin("https://pr-1234.preview.example.net")],
            routes: None,
        },
        CoreCase {
            id: "hostile-acrh",
            policy: p,
            method: "OPTIONS",
            headers: vec![origin(ORIGIN), acrm("PUT"), acrh(&hostile)],
            routes: None,
        },
    ]
}

/// The runtime every tokio-based fixture runs on: current-thread, so that all the work of
/// a request happens on the calling (measuring) thread.
pub fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("tokio runtime: {e}"))
}

/// The [`Probe`] of an `http` 1.x response.
pub(crate) fn http_probe(status: http::StatusCode, headers: &http::HeaderMap) -> Probe {
    Probe::new(
        status.as_u16(),
        headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())),
    )
}
