//! The framework benchmarks' shape: which apps, which requests, and the one way every
//! consumer (bench, allocation report, tests) walks through them.

use std::fmt;

/// A web framework with an adapter in this workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framework {
    /// axum, through `tower::ServiceExt::oneshot` on a clone of the router.
    Axum,
    /// actix-web, through its test service (`init_service` + `call_service`) on its own
    /// actix system.
    Actix,
    /// Rocket, through its local asynchronous client (untracked: no cookie jar).
    Rocket,
    /// warp, through `warp::test::request()...reply(&filter)`.
    Warp,
}

impl Framework {
    /// Every framework, in report order.
    pub const ALL: [Framework; 4] = [
        Framework::Axum,
        Framework::Actix,
        Framework::Rocket,
        Framework::Warp,
    ];

    /// The lower-case name used in bench ids.
    pub fn name(self) -> &'static str {
        match self {
            Framework::Axum => "axum",
            Framework::Actix => "actix",
            Framework::Rocket => "rocket",
            Framework::Warp => "warp",
        }
    }

    /// The variants [`visit`] builds for this framework, in report order.
    pub fn variants(self) -> &'static [Variant] {
        const FOUR: [Variant; 4] = [
            Variant::Bare,
            Variant::Floor,
            Variant::Ours,
            Variant::Native,
        ];
        match self {
            Framework::Warp => &Variant::ALL,
            _ => &FOUR,
        }
    }

    /// The framework's usual CORS crate, which the `native` variant uses.
    pub fn native_crate(self) -> &'static str {
        match self {
            Framework::Axum => "tower-http CorsLayer",
            Framework::Actix => "actix-cors",
            Framework::Rocket => "rocket_cors (fairing)",
            Framework::Warp => "warp::cors",
        }
    }
}

impl fmt::Display for Framework {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The request a framework benchmark sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An allowed cross-origin `GET /` with `Origin: https://app.example.com`.
    Simple,
    /// An allowed preflight: `OPTIONS /` with that `Origin`,
    /// `Access-Control-Request-Method: PUT` and `Access-Control-Request-Headers:
    /// content-type`. The bare apps do not route it (a 404 or 405).
    Preflight,
    /// The same preflight as Chromium sends it: those three lines among the ten others
    /// a browser adds (`Host`, `User-Agent`, `Sec-Fetch-*`, `Referer`, …), so that an
    /// adapter's cost of reading a real request shows. Answered as [`Kind::Preflight`];
    /// not in [`Kind::ALL`] (the criterion and allocation reports), measured by
    /// `benches/callgrind.sh` in a table of its own.
    BrowserPreflight,
}

impl Kind {
    /// Both kinds, in report order.
    pub const ALL: [Kind; 2] = [Kind::Simple, Kind::Preflight];

    /// [`Kind::ALL`] and [`Kind::BrowserPreflight`].
    pub const EVERY: [Kind; 3] = [Kind::Simple, Kind::Preflight, Kind::BrowserPreflight];

    /// Whether this is a preflight (answered by the CORS middleware).
    pub fn is_preflight(self) -> bool {
        matches!(self, Kind::Preflight | Kind::BrowserPreflight)
    }

    /// The lower-case name used in bench ids.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Simple => "simple",
            Kind::Preflight => "preflight",
            Kind::BrowserPreflight => "browser-preflight",
        }
    }

    /// The request method.
    pub fn method(self) -> &'static str {
        match self {
            Kind::Simple => "GET",
            Kind::Preflight | Kind::BrowserPreflight => "OPTIONS",
        }
    }

    /// The request's header lines (names lower-case), in order.
    pub fn headers(self) -> &'static [(&'static str, &'static str)] {
        const SIMPLE: [(&str, &str); 1] = [("origin", crate::ORIGIN)];
        const PREFLIGHT: [(&str, &str); 3] = [
            ("origin", crate::ORIGIN),
            ("access-control-request-method", crate::PREFLIGHT_METHOD),
            ("access-control-request-headers", crate::PREFLIGHT_HEADER),
        ];
        // Chromium 131's preflight from `https://app.example.com` for a `fetch` with
        // `method: "PUT"` and a `Content-Type: application/json` header, in its order.
        const BROWSER_PREFLIGHT: [(&str, &str); 13] = [
            ("host", "api.example.com"),
            ("connection", "keep-alive"),
            ("accept", "*/*"),
            ("access-control-request-method", crate::PREFLIGHT_METHOD),
            ("access-control-request-headers", crate::PREFLIGHT_HEADER),
            ("origin", crate::ORIGIN),
            (
                "user-agent",
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/131.0.0.0 Safari/537.36",
            ),
            ("sec-fetch-mode", "cors"),
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-dest", "empty"),
            ("referer", "https://app.example.com/"),
            ("accept-encoding", "gzip, deflate, br, zstd"),
            ("accept-language", "en-US,en;q=0.9"),
        ];
        match self {
            Kind::Simple => &SIMPLE,
            Kind::Preflight => &PREFLIGHT,
            Kind::BrowserPreflight => &BROWSER_PREFLIGHT,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How the app is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The example app without any CORS middleware.
    Bare,
    /// The example app with the smallest middleware the framework's own API allows that
    /// writes exactly the header lines our adapter writes for the fixture's request
    /// ([`crate::floor_lines`], static values; for a preflight the same answer status),
    /// reading and deciding nothing: the least any CORS middleware pays on that framework.
    Floor,
    /// The example app with this workspace's adapter and [`crate::policy`].
    Ours,
    /// The example app with the framework's own CORS crate, configured like
    /// [`crate::policy`].
    Native,
    /// warp only: `cors-axum`'s tower layer around `warp::service(app)` (the service
    /// `warp::serve` runs, which hyper-util serves), instead of the `cors_warp::cors!`
    /// filter wrapper.
    OursTower,
}

impl Variant {
    /// Every variant, in report order (`ours-tower` exists for warp only, see
    /// [`Framework::variants`]).
    pub const ALL: [Variant; 5] = [
        Variant::Bare,
        Variant::Floor,
        Variant::Ours,
        Variant::Native,
        Variant::OursTower,
    ];

    /// The bench function name.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Bare => "bare",
            Variant::Floor => "floor",
            Variant::Ours => "ours",
            Variant::Native => "native",
            Variant::OursTower => "ours-tower",
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What one response looked like, for checking that a fixture measures what it claims to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The status code.
    pub status: u16,
    /// The `Access-Control-Allow-Origin` value, if any.
    pub allow_origin: Option<String>,
    /// The `Access-Control-Allow-Headers` value, if any.
    pub allow_headers: Option<String>,
    /// Every header line of the response, names lower-case, sorted by name (a stable
    /// sort: the lines of one name keep their order), values lossily as text.
    pub headers: Vec<(String, String)>,
}

impl Probe {
    /// A probe from a response's status and header lines (in the map's order).
    pub fn new<N: AsRef<str>, V: AsRef<[u8]>>(
        status: u16,
        lines: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        let mut headers: Vec<(String, String)> = lines
            .into_iter()
            .map(|(n, v)| {
                (
                    n.as_ref().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_ref()).into_owned(),
                )
            })
            .collect();
        headers.sort_by(|a, b| a.0.cmp(&b.0));
        let get = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        Self {
            status,
            allow_origin: get("access-control-allow-origin"),
            allow_headers: get("access-control-allow-headers"),
            headers,
        }
    }
}

/// An app built once, with its own single-threaded runtime, that sends one request at a
/// time through the framework in process.
pub trait Fixture {
    /// A request ready to send (building it is not part of what is measured).
    type Request<'a>
    where
        Self: 'a;

    /// Builds one request of the fixture's [`Kind`].
    fn request(&self) -> Self::Request<'_>;

    /// Sends `req` through the app, blocking on the fixture's runtime until the response
    /// (headers and body as the framework hands them over) is there; drops it and returns
    /// its status. The request's future is pinned where it is made and `block_on` gets a
    /// pointer to it: were it passed by value, how often the runtime moves it (a `memcpy`
    /// call each, once it is over 128 bytes) would depend on the future's size and on
    /// tokio's inlining, which a change elsewhere in the binary moves (seen: ±150
    /// instructions on actix-web between two builds of one adapter).
    fn send(&self, req: Self::Request<'_>) -> u16;

    /// Sends one request like [`Fixture::send`] and reports the response's CORS headers.
    fn probe(&self) -> Probe;
}

/// What [`visit`] hands each fixture to.
pub trait Visitor {
    /// Called once per variant, in [`Framework::variants`] order; the fixture is dropped
    /// after.
    fn visit<F: Fixture>(&mut self, variant: Variant, fixture: F);
}

/// Builds fixture `f`-`k`-`variant`, sends it `warmup` requests, then `n` more inside
/// [`measured`], the one function an instruction-count harness collects in
/// (`benches/benches/instructions.rs`). `false` when framework `f` has no such variant.
///
/// ```no_run
/// use cors_benches::{Framework, Kind, Variant};
/// assert!(cors_benches::measure(Framework::Axum, Kind::Simple, Variant::Ours, 100, 1));
/// ```
pub fn measure(f: Framework, k: Kind, variant: Variant, warmup: usize, n: usize) -> bool {
    struct Measure {
        variant: Variant,
        warmup: usize,
        n: usize,
        ran: bool,
    }
    impl Visitor for Measure {
        fn visit<F: Fixture>(&mut self, variant: Variant, fixture: F) {
            if variant == self.variant {
                for _ in 0..self.warmup {
                    std::hint::black_box(fixture.send(fixture.request()));
                }
                measured(&fixture, self.n);
                self.ran = true;
            }
        }
    }
    let mut m = Measure {
        variant,
        warmup,
        n,
        ran: false,
    };
    visit(f, k, &mut m);
    m.ran
}

/// Builds and sends `n` requests through `fixture`: the part [`measure`] has measured.
/// Never inlined, so that callgrind can collect inside it alone
/// (`--toggle-collect=*cors_benches::fixture::measured*`).
#[inline(never)]
pub fn measured<F: Fixture>(fixture: &F, n: usize) {
    for _ in 0..n {
        std::hint::black_box(fixture.send(fixture.request()));
    }
}

/// Builds the variants of framework `f`'s app ([`Framework::variants`]) for requests of
/// kind `k`, one after the other, and hands each to `v`.
///
/// axum's `ours` and `native` wrap the whole `Router` as a tower service
/// (`Layer::layer(&layer, router)`), the same way for both, so the group measures the
/// middleware rather than axum's per-route re-layering that `Router::layer` adds for any
/// layer (the allocation report shows `Router::layer` too, for reference).
pub fn visit<V: Visitor>(f: Framework, k: Kind, v: &mut V) {
    if let Framework::Axum = f {
        return crate::on_axum::visit_around_router(k, v);
    }
    for &variant in f.variants() {
        match f {
            Framework::Axum => {}
            Framework::Actix => crate::on_actix::visit(k, variant, v),
            Framework::Rocket => {
                if let Some(fixture) = crate::on_rocket::fixture(k, variant) {
                    v.visit(variant, fixture)
                }
            }
            Framework::Warp => crate::on_warp::visit(k, variant, v),
        }
    }
}
