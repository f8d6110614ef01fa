//! The policy file: one format for every framework, loaded from TOML, JSON or YAML.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::csrf::CsrfProtection;
use crate::error::{Format, Key, PolicyError, Problem, ProblemKind};
use crate::matcher::{Pattern, PatternError};
use crate::token;

/// The keys of a policy file. Every field but `allow_origins` has a default.
///
/// Each field's documentation says what it permits and what it refuses; [`Policy::new`]
/// (and [`Policy::builder`], which has the same vocabulary) checks every rule and reports
/// every broken one at once, never panicking, whatever the strings hold.
///
/// It derives serde's traits with `deny_unknown_fields`, so the same keys load from any
/// serde format; [`PolicyConfig::from_toml_str`], [`PolicyConfig::from_json_str`],
/// [`PolicyConfig::from_yaml_str`] and [`PolicyConfig::from_file`] also report every
/// unknown key, missing key and wrong type at once, and syntax errors with their line and
/// column.
///
/// ```
/// let config = cors_core::PolicyConfig::from_toml_str(r#"
///     allow_origins = ["https://app.example.com", "http://localhost:*"]
///     allow_methods = ["GET", "PUT"]
///     max_age = 600
/// "#).unwrap();
/// assert_eq!(config.preflight_status, 204);
/// let policy = cors_core::Policy::new(&config).unwrap();
/// # let _ = policy;
/// ```
///
/// [`Policy::new`]: crate::Policy::new
/// [`Policy::builder`]: crate::Policy::builder
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// The origins whose pages may read responses. Required and non-empty (in code, an
    /// origin predicate given to [`PolicyBuilder::allow_origin_predicate`] may stand in).
    ///
    /// Permitted:
    /// - **Exact origins** in the serialized form browsers send in `Origin`:
    ///   `scheme://host[:port]`, scheme and host lower-case, no default port (`:443` for
    ///   https, `:80` for http), no path, trailing slash, query, fragment or user name:
    ///   `"https://app.example.com"`, `"http://localhost:3000"`, `"http://127.0.0.1:8080"`,
    ///   `"http://[::1]:8080"`, `"chrome-extension://abcdefghijklmnop"`. Internationalized
    ///   hosts are written in Punycode (`"https://xn--bcher-kva.example"`, not
    ///   `"https://bücher.example"`), IP addresses canonically (IPv6 per RFC 5952).
    ///   A fully qualified host with a trailing dot (`"http://localhost.:3000"`,
    ///   `"https://example.com."`) is allowed: browsers send it as written, and it is a
    ///   different origin from the one without the dot, so each matches only itself.
    /// - **`"*"`**, alone: every origin (`Access-Control-Allow-Origin: *`).
    /// - **Subdomain patterns** `"https://*.example.com"`: one or more labels below
    ///   `example.com` (`https://a.example.com`, `https://a.b.example.com`), never
    ///   `https://example.com` itself. `"https://*.example.com."` matches the trailing-dot
    ///   hosts below `example.com.` only.
    /// - **One-label globs** in the leftmost label, of letters, digits, `-`, `_` and `*`:
    ///   `"https://pr-*.preview.example.com"` matches `https://pr-12.preview.example.com`
    ///   but not `https://pr-1.x.preview.example.com`.
    /// - **Port wildcards** `"http://localhost:*"`: any port, the default one included.
    ///
    /// Refused, with the reason and, where there is one, a fix:
    /// - `"null"` (the opaque origin of sandboxed pages, `file:` pages and redirects:
    ///   trusting it trusts everyone) and `file:` origins (sent as `null`).
    /// - Anything not in serialized form: `"https://example.com/"` (did you mean
    ///   `"https://example.com"`?), `"example.com"`, `"https://Example.com"`,
    ///   `"https://example.com:443"`, `"https://bücher.example"`, `"пример.рф"`.
    /// - Hosts with an `xn--` label that is not valid Punycode (`"http://xn--f"`):
    ///   browsers refuse such URLs. Longer than 1024 bytes.
    /// - Wildcards in the scheme, in an IP address, outside the leftmost label
    ///   (`"https://api.*.example.com"`), with no fixed domain (`"https://*"`), and a port
    ///   together with a port wildcard.
    /// - `"*"` beside other origins.
    /// - With `allow_credentials`: `"*"`; plain `http://` origins on a host that is not
    ///   loopback (`localhost`, `*.localhost`, `127.0.0.0/8`, `[::1]`), unless
    ///   `dangerously_allow_insecure_origins`; patterns directly on a public suffix
    ///   (`"https://*.github.io"`, `"https://app-*.vercel.app"`), which anyone can register
    ///   under.
    ///
    /// On requests, an `Origin` longer than 1024 bytes or not in
    /// serialized form never matches an exact origin or a pattern (`"*"` allows every
    /// value).
    ///
    /// [`PolicyBuilder::allow_origin_predicate`]: crate::PolicyBuilder::allow_origin_predicate
    pub allow_origins: Vec<String>,
    /// Methods allowed besides GET, HEAD and POST, which are always allowed (the Fetch
    /// standard never preflights them). Default: none.
    ///
    /// Permitted: method names (RFC 9110 tokens), compared case-sensitively as HTTP
    /// does, except the six that `fetch()` upper-cases (`delete`, `get`, `head`,
    /// `options`, `post`, `put`), which are upper-cased here too: `"PUT"`, `"PATCH"`,
    /// `"delete"`. `"*"`: any method (the request's method is echoed).
    ///
    /// Refused: what is not a token (`"GET POST"`, `" PUT"`: did you mean `"PUT"`?), and
    /// the methods browsers never send: `CONNECT`, `TRACE`, `TRACK` (any case).
    #[serde(default)]
    pub allow_methods: Vec<String>,
    /// Request headers a page may send. Default: none (CORS-safelisted headers such as
    /// `accept` or a simple `content-type` never need listing).
    ///
    /// Permitted: header names (RFC 9110 tokens), compared case-insensitively:
    /// `"content-type"`, `"X-Request-Id"`, `"authorization"`. `"*"`: any name but
    /// `authorization`, which must still be listed by name (as the Fetch standard
    /// requires); with `allow_credentials`, `"*"` echoes the requested names instead of
    /// sending `*`, which browsers would read as a literal name.
    ///
    /// Refused: what is not a token (`"x-a,x-b"`: list each header as its own string;
    /// `"X-Token:"`), the names browsers never let a page set (`cookie`, `host`,
    /// `origin`, `content-length`, `access-control-request-method`, `sec-*`, `proxy-*`,
    /// …), and CORS response headers (`access-control-allow-*`,
    /// `access-control-expose-headers`, `access-control-max-age`).
    ///
    /// On requests, a preflight's `Access-Control-Request-Headers` is refused as
    /// malformed beyond 8 header lines, 1024 names in all,
    /// or 16 empty elements (`a,,b`); browsers send one line with a few names.
    #[serde(default)]
    pub allow_headers: Vec<String>,
    /// Response headers a page may read besides the CORS-safelisted ones
    /// (`cache-control`, `content-language`, `content-length`, `content-type`, `expires`,
    /// `last-modified`, `pragma`), which it can always read. Default: none.
    ///
    /// Permitted: header names (RFC 9110 tokens), case-insensitive: `"x-request-id"`,
    /// `"ETag"`. Safelisted names are accepted, though listing them changes nothing.
    /// `"*"`: every header, only without credentials (with credentials browsers read it
    /// as a literal name).
    ///
    /// Refused, because no page could ever read them:
    /// - `set-cookie`, `set-cookie2`: forbidden response-header names, never exposed.
    /// - CORS response headers, `access-control-*` (`access-control-allow-origin`,
    ///   `access-control-max-age`, …): the policy sets them itself, and browsers never
    ///   expose them.
    /// - Request headers `origin` and `access-control-request-*`: responses do not carry
    ///   them.
    /// - What is not a token (`"x y"`), and `"*"` together with `allow_credentials`.
    #[serde(default)]
    pub expose_headers: Vec<String>,
    /// Whether pages may send cookies and HTTP authentication and read credentialed
    /// responses (`Access-Control-Allow-Credentials: true`). Default: `false`.
    ///
    /// With `true`, `"*"` is refused in `allow_origins` and `expose_headers`, plain
    /// `http://` origins must be loopback (or `dangerously_allow_insecure_origins` set),
    /// and patterns directly on a public suffix are refused.
    #[serde(default)]
    pub allow_credentials: bool,
    /// How long, in seconds, a browser may cache a preflight's answer
    /// (`Access-Control-Max-Age`). Default: absent, so the header is not sent and browsers
    /// cache for 5 seconds. `0` asks them not to cache.
    ///
    /// Permitted: 0 to 86400. Browsers cap the value: Firefox at 86400 s (24 h),
    /// Chromium at 7200 s (2 h), WebKit/Safari at 600 s (10 min); a larger value is
    /// shortened, so 600 behaves the same everywhere.
    ///
    /// Refused: above 86400, longer than any browser caches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u64>,
    /// Whether to answer Private Network Access preflights (those with
    /// `Access-Control-Request-Private-Network: true`) with
    /// `Access-Control-Allow-Private-Network: true`. Default: `false`.
    ///
    /// Legacy: Chrome put [Private Network Access](https://wicg.github.io/private-network-access/)
    /// preflights on hold in October 2024 and replaced them with
    /// [Local Network Access](https://developer.chrome.com/blog/local-network-access)
    /// (launched in Chrome 142): a permission the user grants, which no response header
    /// can. The key keeps working for the browsers that still send
    /// `Access-Control-Request-Private-Network`.
    #[serde(default)]
    pub allow_private_network: bool,
    /// The status of a successful preflight answer. Default: 204.
    ///
    /// Permitted: 200 to 299 (200 for old clients that mishandle 204). Refused: anything
    /// else, which browsers treat as a failed preflight.
    #[serde(default = "default_preflight_status")]
    pub preflight_status: u16,
    /// Whether successful preflights reach the handler (with the CORS headers added)
    /// instead of being answered at once. Default: `false`. Refused preflights are always
    /// answered at once (403, or as `debug` describes).
    #[serde(default)]
    pub preflight_continue: bool,
    /// Allows plain `http://` origins on hosts that are not loopback together with
    /// `allow_credentials`. Default: `false`. Anyone on the network path can then read
    /// credentialed responses; use it only on networks you control.
    #[serde(default)]
    pub dangerously_allow_insecure_origins: bool,
    /// The level of the one `tracing` event (target `cors`) emitted for each rejected
    /// request, with its kind, reason code, origin, requested method and first refused
    /// header. Default: `"debug"`.
    ///
    /// Permitted: `"off"` (no event), `"error"`, `"warn"`, `"info"`, `"debug"`,
    /// `"trace"`. Refused: anything else (`"DEBUG"`, `"verbose"`).
    #[serde(default)]
    pub log_level: LogLevel,
    /// Debug mode: a refused preflight is answered so that the browser's console names
    /// the check that failed, instead of a generic "does not have HTTP ok status".
    /// Default: `false`. For development: `serve` warns when it is on.
    ///
    /// - An origin that is not allowed (or a malformed preflight) still gets a 403
    ///   without CORS headers, exactly as with `false`: the console says the
    ///   `Access-Control-Allow-Origin` header is missing, and nothing about the allowed
    ///   origins is revealed to an origin that is not one of them.
    /// - An allowed origin asking for a method that is not allowed gets the preflight
    ///   status with `Access-Control-Allow-Origin` (and `-Credentials`) and the allowed
    ///   methods: the console names the method refused by `Access-Control-Allow-Methods`.
    /// - An allowed origin asking for a header that is not allowed gets the same plus the
    ///   allowed headers: the console names the header refused by
    ///   `Access-Control-Allow-Headers`.
    ///
    /// Such a preflight is still counted and logged as rejected, and the browser still
    /// refuses the request: only the answer's detail changes, and only for allowed
    /// origins, which learn the allowed methods and headers.
    #[serde(default)]
    pub debug: bool,
    /// Cross-site request forgery (CSRF) protection, from the same origin list: what to do
    /// with an unsafe request (any method but GET, HEAD and OPTIONS, which must not change
    /// state) that comes from another origin `allow_origins` does not list. CORS alone
    /// never stops such a request: a cross-site HTML form POST, or a `fetch` in `no-cors`
    /// mode, reaches the handler with the user's cookies. Default: `"off"`.
    ///
    /// Permitted: `"off"`, `"report"` (decide, refuse nothing, log each request
    /// `"enforce"` would refuse with the rejection event and count it with
    /// `outcome="reported"`), `"enforce"` (refuse it with an empty 403 before the handler
    /// runs, reason `cross-origin-request`). The rule, for an unsafe request:
    /// - `Sec-Fetch-Site: same-origin` or `none` (a page of the same origin, or the user
    ///   typing or bookmarking): allowed.
    /// - no `Sec-Fetch-Site` (browsers before 2023) and no `Origin`: not a browser, or a
    ///   same-origin request of an old browser: allowed.
    /// - no `Sec-Fetch-Site`, and an `Origin` naming the request's own `Host` (host and
    ///   port; `Host` has no scheme, so `http` and `https` are not told apart): allowed.
    /// - otherwise (`cross-site`, `same-site`, an unknown value): allowed only when
    ///   `Origin` is allowed by `allow_origins` (or the builder's predicate), the same
    ///   matcher as CORS; `Origin: null` never is.
    ///
    /// Refused: anything else (`"on"`, `true`: did you mean `"enforce"`?), and any mode
    /// but `"off"` together with `allow_origins = ["*"]`, which would trust every origin.
    ///
    /// Behind a proxy, `Host` must reach the server as the browser sent it (or the proxy
    /// must keep `Sec-Fetch-Site`): a rewritten `Host` makes same-origin requests of old
    /// browsers look cross-origin.
    #[serde(default, skip_serializing_if = "CsrfProtection::is_off")]
    pub csrf_protection: CsrfProtection,
    /// Refuses WebSocket handshakes (a GET with `Upgrade: websocket`) whose `Origin` is
    /// another origin that `allow_origins` does not list: browsers never apply CORS to
    /// WebSocket, so without this any site can open a socket with the user's cookies
    /// (cross-site WebSocket hijacking). The rule is `csrf_protection`'s; a refused
    /// handshake gets an empty 403 (reason `cross-origin-websocket`), never the handler.
    /// A handshake without `Origin` (not a browser) is allowed. Default: `false`.
    ///
    /// Refused: `true` together with `allow_origins = ["*"]`, which would trust every
    /// origin.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub websocket_origin_check: bool,
}

/// The level of the rejection event ([`PolicyConfig::log_level`]); lower-case in a policy
/// file.
///
/// ```
/// let c = cors_core::PolicyConfig::from_toml_str("allow_origins = [\"*\"]\nlog_level = \"warn\"")?;
/// assert_eq!(c.log_level, cors_core::LogLevel::Warn);
/// let err = cors_core::PolicyConfig::from_toml_str("allow_origins = [\"*\"]\nlog_level = \"loud\"").unwrap_err();
/// assert!(err.to_string().contains("log_level"));
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// No event.
    Off,
    /// `tracing::Level::ERROR`.
    Error,
    /// `tracing::Level::WARN`.
    Warn,
    /// `tracing::Level::INFO`.
    Info,
    /// `tracing::Level::DEBUG` (the default).
    #[default]
    Debug,
    /// `tracing::Level::TRACE`.
    Trace,
}

impl LogLevel {
    /// Every level, from `off` to `trace`.
    pub const ALL: [LogLevel; 6] = [
        LogLevel::Off,
        LogLevel::Error,
        LogLevel::Warn,
        LogLevel::Info,
        LogLevel::Debug,
        LogLevel::Trace,
    ];

    /// The level as written in a policy file: `"off"`, `"error"`, … `"trace"`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Off => "off",
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

fn default_preflight_status() -> u16 {
    204
}

impl Default for PolicyConfig {
    /// No origins (which does not validate), every other key at its default.
    fn default() -> Self {
        Self {
            allow_origins: Vec::new(),
            allow_methods: Vec::new(),
            allow_headers: Vec::new(),
            expose_headers: Vec::new(),
            allow_credentials: false,
            max_age: None,
            allow_private_network: false,
            preflight_status: default_preflight_status(),
            preflight_continue: false,
            dangerously_allow_insecure_origins: false,
            log_level: LogLevel::Debug,
            debug: false,
            csrf_protection: CsrfProtection::Off,
            websocket_origin_check: false,
        }
    }
}

impl PolicyConfig {
    /// Reads a TOML policy, reporting every unknown key, missing key and wrong type, or
    /// the syntax error with its line and column.
    ///
    /// ```
    /// use cors_core::{Key, PolicyConfig, ProblemKind};
    /// let err = PolicyConfig::from_toml_str("allow_origin = [1]\nmax_age = -1").unwrap_err();
    /// assert_eq!(err.problems().len(), 3); // unknown key, missing allow_origins, bad max_age
    /// assert!(err.to_string().contains("did you mean allow_origins?"));
    /// assert!(err.problems().iter().any(|p| p.key() == &Key::MaxAge));
    ///
    /// let err = PolicyConfig::from_toml_str("allow_origins = [\n  \"a\",\n  b\n]").unwrap_err();
    /// assert!(matches!(err.problems()[0].kind(), ProblemKind::Syntax { line: 3, column: 3, .. }));
    /// ```
    pub fn from_toml_str(text: &str) -> Result<Self, PolicyError> {
        Self::parse(text, Format::Toml)
    }

    /// Reads a JSON policy, reporting every unknown key, missing key and wrong type, or
    /// the syntax error with its line and column.
    ///
    /// ```
    /// let c = cors_core::PolicyConfig::from_json_str(r#"{"allow_origins": ["*"]}"#).unwrap();
    /// assert_eq!(c.allow_origins, ["*"]);
    /// ```
    pub fn from_json_str(text: &str) -> Result<Self, PolicyError> {
        Self::parse(text, Format::Json)
    }

    /// Reads a YAML policy (one document), reporting every unknown key, missing key and
    /// wrong type, or the syntax error with its line and column.
    ///
    /// ```
    /// let c = cors_core::PolicyConfig::from_yaml_str("
    /// allow_origins:
    ///   - https://app.example.com
    /// max_age: 600
    /// ").unwrap();
    /// assert_eq!(c.allow_origins, ["https://app.example.com"]);
    /// assert_eq!(c.max_age, Some(600));
    ///
    /// let err = cors_core::PolicyConfig::from_yaml_str("allow_origin: []").unwrap_err();
    /// assert!(err.to_string().contains("did you mean allow_origins?"));
    /// ```
    pub fn from_yaml_str(text: &str) -> Result<Self, PolicyError> {
        Self::parse(text, Format::Yaml)
    }

    /// Reads a policy file, choosing the format by the file name's extension (ignoring
    /// case): `.json` is JSON, `.yaml` and `.yml` are YAML, and anything else (`.toml`,
    /// another extension, none) is TOML. A UTF-8 byte order mark is skipped.
    ///
    /// Every problem of the file is reported at once, and [`PolicyError::file`] names the
    /// file: a file that cannot be read (missing, not permitted, not UTF-8) is one
    /// [`ProblemKind::Unreadable`] problem; a syntax error is one [`ProblemKind::Syntax`]
    /// problem, shown as `policy.toml:3:14: invalid TOML: …`.
    ///
    /// ```
    /// use cors_core::{PolicyConfig, ProblemKind};
    /// let err = PolicyConfig::from_file("/no/such/cors.yaml").unwrap_err();
    /// assert!(matches!(err.problems()[0].kind(), ProblemKind::Unreadable { .. }));
    /// ```
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, PolicyError> {
        let path = path.as_ref();
        let (text, format) = read_file(path)?;
        Self::parse(&text, format).map_err(|e| e.in_file(path))
    }

    /// Parses `text` as `format` and converts it key by key.
    fn parse(text: &str, format: Format) -> Result<Self, PolicyError> {
        Self::from_value(parse_document(text, format)?)
    }

    /// Converts a parsed document key by key, collecting every problem.
    pub(crate) fn from_value(value: serde_json::Value) -> Result<Self, PolicyError> {
        let serde_json::Value::Object(map) = value else {
            return Err(PolicyError::new(vec![Problem::new(
                Key::Document,
                None,
                ProblemKind::NotATable,
            )]));
        };
        Self::from_map(map)
    }
}

/// Reads a policy file and picks its format from the extension (`.json`, `.yaml`/`.yml`,
/// anything else TOML).
pub(crate) fn read_file(path: &Path) -> Result<(String, Format), PolicyError> {
    let bytes = std::fs::read(path).map_err(|e| unreadable(path, &e))?;
    file_text(path, bytes)
}

/// The text of a policy file read as `bytes`, and its format from the extension
/// ([`read_file`] without the read): one [`ProblemKind::Unreadable`] problem (kind
/// `InvalidData`, as `read_to_string` reports it) when the bytes are not UTF-8.
pub(crate) fn file_text(path: &Path, bytes: Vec<u8>) -> Result<(String, Format), PolicyError> {
    let text = String::from_utf8(bytes).map_err(|_| {
        unreadable(
            path,
            &std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            ),
        )
    })?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let format = match ext.as_deref() {
        Some("json") => Format::Json,
        Some("yaml" | "yml") => Format::Yaml,
        _ => Format::Toml,
    };
    Ok((text, format))
}

/// The one problem of a policy file that cannot be read.
fn unreadable(path: &Path, e: &std::io::Error) -> PolicyError {
    PolicyError::new(vec![Problem::new(
        Key::Document,
        None,
        ProblemKind::Unreadable {
            error: e.kind(),
            message: e.to_string(),
        },
    )])
    .in_file(path)
}

/// Parses `text` as `format` into a document, or the syntax problem with its position.
pub(crate) fn parse_document(text: &str, format: Format) -> Result<serde_json::Value, PolicyError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value = match format {
        Format::Toml => toml::from_str::<serde_json::Value>(text).map_err(|e| {
            let at = e.span().map_or(text.len(), |s| s.start);
            syntax(text, format, at, e.message().trim_end().to_owned())
        }),
        Format::Json => serde_json::from_str::<serde_json::Value>(text).map_err(|e| {
            let message = strip_position(e.to_string(), e.line(), e.column());
            match line_start(text, e.line()) {
                // serde_json counts columns in bytes, from 1.
                Some(start) if e.line() > 0 => {
                    let at = start.saturating_add(e.column().saturating_sub(1));
                    syntax(text, format, at, message)
                }
                _ => syntax(text, format, text.len(), message),
            }
        }),
        Format::Yaml => {
            serde_yaml_ng::from_str::<serde_json::Value>(text).map_err(|e| match e.location() {
                Some(l) => Problem::new(
                    Key::Document,
                    None,
                    ProblemKind::Syntax {
                        format,
                        line: l.line(),
                        column: l.column(),
                        message: strip_position(e.to_string(), l.line(), l.column()),
                    },
                ),
                None => syntax(text, format, text.len(), e.to_string()),
            })
        }
    };
    value.map_err(|p| PolicyError::new(vec![p]))
}

impl PolicyConfig {
    /// Converts a table of keys key by key, collecting every problem.
    pub(crate) fn from_map(
        map: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Self, PolicyError> {
        let mut problems = Vec::new();
        for name in map.keys() {
            let key = Key::from(name.as_str());
            if let Key::Unknown(_) = key {
                let mut p = Problem::new(key, None, ProblemKind::UnknownKey);
                if let Some(k) = closest_key(name) {
                    p = p.with_fix(format!("did you mean {k}?"));
                } else if name == "policies" || name == "routes" {
                    p = p.with_fix("named policies and routes belong in a whole-service file: load it with PolicySet (PolicySet::from_file), not Policy");
                }
                problems.push(p);
            }
        }
        let origins = Key::AllowOrigins.as_str();
        if !map.contains_key(origins) {
            problems.push(
                Problem::new(Key::AllowOrigins, None, ProblemKind::MissingKey)
                    .with_fix("list the origins that may read responses, e.g. allow_origins = [\"https://app.example.com\"]"),
            );
        }
        // Check each known key on its own, so one bad value does not hide the others.
        let mut clean = serde_json::Map::new();
        for key in Key::ALL {
            let name = key.as_str();
            let Some(v) = map.get(name) else { continue };
            let mut probe = serde_json::Map::new();
            probe.insert(name.to_owned(), v.clone());
            probe
                .entry(origins)
                .or_insert(serde_json::Value::Array(vec![]));
            match serde_json::from_value::<PolicyConfig>(serde_json::Value::Object(probe)) {
                Ok(_) => {
                    clean.insert(name.to_owned(), v.clone());
                }
                Err(e) => {
                    let mut p =
                        Problem::new(key.clone(), None, ProblemKind::InvalidType(e.to_string()));
                    if let Some(fix) = type_fix(&key, v) {
                        p = p.with_fix(fix);
                    }
                    problems.push(p);
                }
            }
        }
        if !problems.is_empty() {
            return Err(PolicyError::new(problems));
        }
        serde_json::from_value(serde_json::Value::Object(clean)).map_err(|e| {
            PolicyError::new(vec![Problem::new(
                Key::Document,
                None,
                ProblemKind::InvalidType(e.to_string()),
            )])
        })
    }

    /// Every problem of this configuration, in key order; empty when it is valid.
    ///
    /// `has_predicate` says whether an origin predicate complements `allow_origins`
    /// (which may then be empty).
    pub(crate) fn problems(&self, has_predicate: bool) -> (Vec<Problem>, Vec<Pattern>) {
        let mut problems = Vec::new();
        let patterns = self.check_origins(has_predicate, &mut problems);
        self.check_methods(&mut problems);
        self.check_headers(&mut problems);
        if let Some(m) = self.max_age
            && m > 86_400
        {
            problems.push(
                Problem::new(Key::MaxAge, Some(&m.to_string()), ProblemKind::MaxAgeTooLarge)
                    .with_fix("use at most 86400; browsers cap it anyway: Firefox at 86400 s (24 h), Chromium at 7200 s (2 h), WebKit/Safari at 600 s (10 min)"),
            );
        }
        if !(200..=299).contains(&self.preflight_status) {
            problems.push(
                Problem::new(
                    Key::PreflightStatus,
                    Some(&self.preflight_status.to_string()),
                    ProblemKind::PreflightStatusOutOfRange,
                )
                .with_fix("use 204 (the default) or 200"),
            );
        }
        self.check_origin_checks(&mut problems);
        (problems, patterns)
    }

    /// `csrf_protection` and `websocket_origin_check` trust the origins CORS allows: with
    /// `"*"` they would trust every one, and check nothing.
    fn check_origin_checks(&self, problems: &mut Vec<Problem>) {
        if !self.allow_origins.iter().any(|o| o == "*") {
            return;
        }
        if !self.csrf_protection.is_off() {
            problems.push(
                Problem::new(
                    Key::CsrfProtection,
                    Some(self.csrf_protection.as_str()),
                    ProblemKind::OriginCheckWithAnyOrigin,
                )
                .with_fix("list the origins that may send unsafe requests in allow_origins, or set csrf_protection = \"off\""),
            );
        }
        if self.websocket_origin_check {
            problems.push(
                Problem::new(
                    Key::WebsocketOriginCheck,
                    Some("true"),
                    ProblemKind::OriginCheckWithAnyOrigin,
                )
                .with_fix("list the origins that may open WebSockets in allow_origins, or set websocket_origin_check = false"),
            );
        }
    }

    fn check_origins(&self, has_predicate: bool, problems: &mut Vec<Problem>) -> Vec<Pattern> {
        const KEY: Key = Key::AllowOrigins;
        if self.allow_origins.is_empty() && !has_predicate {
            problems.push(Problem::new(KEY, None, ProblemKind::EmptyOrigins).with_fix(
                "list origins such as \"https://app.example.com\", or \"*\" for a public API",
            ));
        }
        let any = self.allow_origins.iter().any(|o| o == "*");
        let mut patterns = Vec::new();
        for o in &self.allow_origins {
            let value = Some(o.as_str());
            if o.eq_ignore_ascii_case("null") {
                problems.push(Problem::new(KEY, value, ProblemKind::NullOrigin).with_fix(
                    "remove it; serve the page from a real origin and list that origin instead",
                ));
                continue;
            }
            // Bytes, not `&o[..5]`: the fifth byte may be inside a character ("abcdé").
            if o.as_bytes()
                .get(..5)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"file:"))
            {
                problems.push(
                    Problem::new(KEY, value, ProblemKind::FileOrigin)
                        .with_fix("serve the page over http://localhost and list that origin"),
                );
                continue;
            }
            let pattern = match Pattern::parse(o) {
                Ok(p) => p,
                Err(PatternError::Syntax(s)) => {
                    let mut p = Problem::new(KEY, value, ProblemKind::OriginSyntax(s));
                    if let Some(fix) = suggest_origin(o) {
                        p = p.with_fix(format!("did you mean {fix:?}?"));
                    }
                    problems.push(p);
                    continue;
                }
                Err(PatternError::Punycode) => {
                    problems.push(Problem::new(KEY, value, ProblemKind::InvalidPunycode).with_fix(
                        "check the name; written in Unicode (https://bücher.example), the host is refused with its Punycode form as the fix",
                    ));
                    continue;
                }
                Err(PatternError::Wildcard(why)) => {
                    problems.push(Problem::new(KEY, value, ProblemKind::BadWildcard(why)));
                    continue;
                }
            };
            if any && pattern != Pattern::Any {
                problems.push(
                    Problem::new(KEY, value, ProblemKind::AnyOriginWithOthers)
                        .with_fix("remove either \"*\" or the other origins"),
                );
            }
            if self.allow_credentials {
                self.check_credentialed_origin(&pattern, o, problems);
            }
            patterns.push(pattern);
        }
        patterns
    }

    fn check_credentialed_origin(&self, pattern: &Pattern, o: &str, problems: &mut Vec<Problem>) {
        const KEY: Key = Key::AllowOrigins;
        let value = Some(o);
        if *pattern == Pattern::Any {
            problems.push(
                Problem::new(KEY, value, ProblemKind::AnyOriginWithCredentials)
                    .with_fix("list the origins explicitly, or set allow_credentials = false"),
            );
            return;
        }
        if pattern.scheme() == Some("http")
            && !pattern.is_loopback()
            && !self.dangerously_allow_insecure_origins
        {
            problems.push(
                Problem::new(KEY, value, ProblemKind::InsecureOriginWithCredentials).with_fix(format!(
                    "use {:?}, or set dangerously_allow_insecure_origins = true if you accept the risk",
                    o.replacen("http://", "https://", 1)
                )),
            );
        }
        if let Some(base) = pattern.wildcard_base()
            && !pattern.is_loopback()
        {
            // A trailing dot names the same registrable domain: `*.github.io.` is as open.
            let bare = base.strip_suffix('.').unwrap_or(base);
            if psl::suffix_str(bare) == Some(bare) {
                problems.push(
                    Problem::new(KEY, value, ProblemKind::PublicSuffixPatternWithCredentials)
                        .with_fix(format!("list your own sites under {bare} explicitly")),
                );
            }
        }
    }

    fn check_methods(&self, problems: &mut Vec<Problem>) {
        const KEY: Key = Key::AllowMethods;
        for m in &self.allow_methods {
            if m == "*" {
                continue;
            }
            let value = Some(m.as_str());
            if !token::is_token(m.as_bytes()) {
                let mut p = Problem::new(KEY, value, ProblemKind::InvalidMethod);
                let trimmed = m.trim();
                if trimmed != m && token::is_token(trimmed.as_bytes()) {
                    p = p.with_fix(format!("did you mean {trimmed:?}?"));
                }
                problems.push(p);
            } else if token::is_forbidden_method(m) {
                problems.push(
                    Problem::new(KEY, value, ProblemKind::ForbiddenMethod).with_fix("remove it"),
                );
            }
        }
    }

    fn check_headers(&self, problems: &mut Vec<Problem>) {
        for h in &self.allow_headers {
            if h == "*" {
                continue;
            }
            const KEY: Key = Key::AllowHeaders;
            let value = Some(h.as_str());
            let lower = h.to_ascii_lowercase();
            if !token::is_token(h.as_bytes()) {
                problems.push(header_name_problem(KEY, h));
            } else if token::is_forbidden_request_header(&lower) {
                problems.push(
                    Problem::new(KEY, value, ProblemKind::ForbiddenRequestHeader)
                        .with_fix("remove it"),
                );
            } else if token::is_cors_response_header(&lower) {
                problems.push(
                    Problem::new(KEY, value, ProblemKind::ResponseHeaderInAllowHeaders)
                        .with_fix("remove it; the policy sets CORS response headers itself"),
                );
            }
        }
        for h in &self.expose_headers {
            const KEY: Key = Key::ExposeHeaders;
            let value = Some(h.as_str());
            if h == "*" {
                if self.allow_credentials {
                    problems.push(
                        Problem::new(KEY, value, ProblemKind::AnyExposeWithCredentials)
                            .with_fix("list the headers to expose explicitly"),
                    );
                }
                continue;
            }
            let lower = h.to_ascii_lowercase();
            let kind = if !token::is_token(h.as_bytes()) {
                problems.push(header_name_problem(KEY, h));
                continue;
            } else if token::is_forbidden_response_header(&lower) {
                ProblemKind::SetCookieExposed
            } else if token::is_cors_request_header(&lower) {
                ProblemKind::RequestHeaderExposed
            } else if token::is_access_control_header(&lower) {
                ProblemKind::CorsResponseHeaderExposed
            } else {
                continue;
            };
            problems.push(Problem::new(KEY, value, kind).with_fix("remove it"));
        }
    }
}

/// A fix for a value of the wrong type, for the keys whose values are easy to guess wrong.
fn type_fix(key: &Key, value: &serde_json::Value) -> Option<String> {
    match (key, value) {
        (Key::CsrfProtection, serde_json::Value::Bool(true)) => {
            Some("did you mean \"enforce\"? (or \"report\" to log first)".into())
        }
        (Key::CsrfProtection, serde_json::Value::Bool(false)) => {
            Some("did you mean \"off\"?".into())
        }
        (Key::CsrfProtection, serde_json::Value::String(s)) => {
            let lower = s.trim().to_ascii_lowercase();
            let fix = crate::CsrfProtection::ALL
                .into_iter()
                .find(|m| m.as_str() == lower)
                .map(|m| format!("did you mean {:?}?", m.as_str()));
            Some(fix.unwrap_or_else(|| "use \"off\", \"report\" or \"enforce\"".into()))
        }
        (Key::CsrfProtection, _) => Some("use \"off\", \"report\" or \"enforce\"".into()),
        (Key::WebsocketOriginCheck, _) => Some("use true or false".into()),
        _ => None,
    }
}

/// A syntax problem at byte offset `at` of `text` (clamped to it), with its line and
/// column counted in characters from 1.
fn syntax(text: &str, format: Format, at: usize, message: String) -> Problem {
    let before = text.as_bytes().get(..at).unwrap_or(text.as_bytes());
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    // Characters, not bytes: count the bytes that start one (no UTF-8 continuation byte).
    let column = before[line_start..]
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count()
        + 1;
    Problem::new(
        Key::Document,
        None,
        ProblemKind::Syntax {
            format,
            line,
            column,
            message,
        },
    )
}

/// The byte offset where line `line` (from 1) of `text` starts.
fn line_start(text: &str, line: usize) -> Option<usize> {
    if line <= 1 {
        return Some(0);
    }
    text.bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .nth(line - 2)
        .map(|(i, _)| i + 1)
}

/// A parser's message without the " at line L column C" it appends.
fn strip_position(message: String, line: usize, column: usize) -> String {
    let suffix = format!(" at line {line} column {column}");
    match message.find(&suffix) {
        Some(i) => {
            let mut m = message;
            m.replace_range(i..i + suffix.len(), "");
            m
        }
        None => message,
    }
}

fn header_name_problem(key: Key, h: &str) -> Problem {
    let mut p = Problem::new(key, Some(h), ProblemKind::InvalidHeaderName);
    let trimmed = h.trim().trim_end_matches(':');
    if trimmed != h && token::is_token(trimmed.as_bytes()) {
        p = p.with_fix(format!("did you mean {trimmed:?}?"));
    } else if h.contains(',') {
        p = p.with_fix("list each header as its own string");
    }
    p
}

/// The serialized origin a browser would send for what the user wrote, if it differs.
fn suggest_origin(o: &str) -> Option<String> {
    let (body, port_wild) = match o.trim().strip_suffix(":*") {
        Some(b) => (b, ":*"),
        None => (o.trim(), ""),
    };
    // No scheme: guess https (as for "example.com" or "пример.рф").
    let candidate = if !body.contains("://") {
        format!("https://{body}")
    } else {
        body.to_owned()
    };
    // Keep a leading wildcard label out of the URL parser's way.
    let (wild, parse_me) = match candidate.split_once("://*.") {
        Some((s, rest)) => ("*.", format!("{s}://{rest}")),
        None => ("", candidate),
    };
    let url = url::Url::parse(&parse_me).ok()?;
    let origin = url.origin();
    if !origin.is_tuple() {
        return None;
    }
    let mut s = origin.ascii_serialization();
    if !wild.is_empty() {
        s = s.replacen("://", "://*.", 1);
    }
    s.push_str(port_wild);
    (s != o).then_some(s)
}

/// The known key nearest to `key`, if it is near enough to be a typo.
fn closest_key(key: &str) -> Option<Key> {
    // No key is longer than 34 bytes and a typo is at most 8 edits away: skip long names
    // (and the quadratic distance on them).
    if key.len() > 64 {
        return None;
    }
    Key::ALL
        .into_iter()
        .map(|k| (edit_distance(key, k.as_str()), k))
        .filter(|(d, k)| *d <= 3.max(k.as_str().len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let s = suggest_origin;
        assert_eq!(
            s("https://example.com/").as_deref(),
            Some("https://example.com")
        );
        assert_eq!(
            s("https://Example.COM:443/x?y").as_deref(),
            Some("https://example.com")
        );
        assert_eq!(s("example.com").as_deref(), Some("https://example.com"));
        assert_eq!(
            s("https://*.Example.com/").as_deref(),
            Some("https://*.example.com")
        );
        assert_eq!(
            s("http://localhost/:*").as_deref(),
            Some("http://localhost:*")
        );
        assert_eq!(
            s("https://bücher.example").as_deref(),
            Some("https://xn--bcher-kva.example")
        );
        assert_eq!(closest_key("allow_origin"), Some(Key::AllowOrigins));
        assert_eq!(closest_key("maxage"), Some(Key::MaxAge));
        assert_eq!(closest_key("zzzzzzzzzzzzzzzzzzzz"), None);
    }
}
