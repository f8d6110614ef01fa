//! The page's `fetch()` as `cors explain` and `cors probe` read it from the command line.

use cors_core::browser::{Engine, FetchRequest, is_forbidden_request_header};

/// The arguments describing the page's `fetch()`, shared by `explain` and `probe`.
#[derive(Debug, clap::Args)]
pub(crate) struct FetchArgs {
    /// The page's origin, as the browser sends it (`https://app.example.com`, or `null`).
    #[arg(long)]
    pub(crate) origin: String,
    /// The request's method, as passed to fetch() (normalized as fetch() does).
    #[arg(long, default_value = "GET")]
    pub(crate) method: String,
    /// A header the script sets, `NAME:VALUE` (or `NAME` for an empty value); repeatable.
    #[arg(long = "header", value_name = "NAME[:VALUE]")]
    pub(crate) headers: Vec<String>,
    /// The request includes credentials (`credentials: "include"`).
    #[arg(long)]
    pub(crate) credentials: bool,
}

/// The `fetch()` the arguments describe.
pub(crate) struct Fetch {
    /// The request as the browser makes it (method and header values normalized).
    pub(crate) req: FetchRequest,
    /// The headers it sends, as text, for display.
    pub(crate) shown_headers: Vec<(String, String)>,
    /// What `fetch()` drops (headers a page can never set).
    pub(crate) warnings: Vec<String>,
}

impl FetchArgs {
    /// The `fetch()` they describe, or the usage error to report (exit 2): an origin not
    /// in serialized form (but `null`), a method that is not a token or that `fetch()`
    /// refuses, a header name that is not a token or a value with NUL, CR or LF.
    pub(crate) fn fetch(&self) -> Result<Fetch, String> {
        if self.origin != "null"
            && let Err(syntax) = cors_core::__private::check_origin(self.origin.as_bytes())
        {
            return Err(format!(
                "--origin {:?} {}; browsers send scheme://host[:port]",
                self.origin,
                syntax.explain()
            ));
        }
        if self.method.is_empty() || !self.method.bytes().all(is_tchar) {
            return Err(format!("--method {:?} is not a method name", self.method));
        }
        if matches!(
            self.method.to_ascii_uppercase().as_str(),
            "CONNECT" | "TRACE" | "TRACK"
        ) {
            return Err(format!("fetch() refuses the method {}", self.method));
        }
        let mut req = FetchRequest::new(&self.origin, &self.method).credentials(self.credentials);
        let mut shown_headers = Vec::new();
        let mut warnings = Vec::new();
        for h in &self.headers {
            let (name, value) = h.split_once(':').unwrap_or((h.as_str(), ""));
            let name = name.trim();
            if name.is_empty() || !name.bytes().all(is_tchar) {
                return Err(format!("--header {h:?}: {name:?} is not a header name"));
            }
            if value.bytes().any(|b| matches!(b, 0 | b'\r' | b'\n')) {
                return Err(format!("--header {h:?}: a value cannot hold NUL, CR or LF"));
            }
            if is_forbidden_request_header(name.as_bytes()) {
                warnings.push(format!(
                    "fetch() drops the header {name}: browsers never let a page set it"
                ));
                continue;
            }
            req = req.header(name, value);
            let (n, v) = req
                .headers()
                .last()
                .map(|(n, v)| (lossy(n), lossy(v)))
                .unwrap_or_default();
            shown_headers.push((n, v));
        }
        Ok(Fetch {
            req,
            shown_headers,
            warnings,
        })
    }
}

/// Bytes as text, invalid UTF-8 replaced.
pub(crate) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// An RFC 9110 token character.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// How long each engine caches a preflight answer with these headers:
/// `WebKit 600 s, Chromium 7200 s, Firefox 86400 s`.
pub(crate) fn engine_lifetimes(headers: &[(String, String)]) -> String {
    let uses: Vec<String> = Engine::ALL
        .iter()
        .map(|e| format!("{e} {} s", e.cache_lifetime(headers)))
        .collect();
    uses.join(", ")
}
