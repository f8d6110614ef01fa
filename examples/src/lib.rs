//! The `serve` example's apps, one per framework, all with the same routes and one policy:
//!
//! | route | answer |
//! |---|---|
//! | `GET /` | 200 `ok`, header `x-custom: 1` |
//! | `GET, POST, PUT, PATCH, DELETE /echo` | 200, body = the method name, header `x-custom: 1` |
//! | `GET /vary` | 200 `vary`, with the handler's own `Vary: accept-encoding` |
//! | `GET /error` | 500 `boom`, returned as the handler's error |
//! | `OPTIONS /own-options` | 200 `own options` |
//! | `GET /whoami` | 200, body = the request's `Cookie` header (empty without one), and `Set-Cookie: sid=s3cret; Path=/; SameSite=Lax` (for the browser tests' credentialed requests) |
//! | anything else | the framework's own 404 |
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod actix_app;
pub mod axum_app;
pub mod raw_http;
pub mod rocket_app;
mod tower_client;
pub mod warp_app;

/// Prints `<framework> listening on http://<addr>` on stdout and flushes it: the line
/// `serve`'s users and tests wait for, written only once the server accepts connections.
pub fn announce(framework: &str, addr: std::net::SocketAddr) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{framework} listening on http://{addr}")?;
    out.flush()
}

/// The cookie `GET /whoami` sets.
pub const SESSION_COOKIE: &str = "sid=s3cret; Path=/; SameSite=Lax";

/// A request for an app in process: method, path and raw header lines.
#[derive(Debug, Clone)]
pub struct TestRequest {
    /// The method.
    pub method: String,
    /// The path.
    pub path: String,
    /// Header lines in order (names as given, values as raw bytes).
    pub headers: Vec<(String, Vec<u8>)>,
}

/// A response from an app in process.
#[derive(Debug, Clone)]
pub struct TestResponse {
    /// The status code.
    pub status: u16,
    /// Header lines in order, names lower-case.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body.
    pub body: Vec<u8>,
}

impl TestResponse {
    /// The values of every `name` line (a lower-case name), in order.
    pub fn values(&self, name: &str) -> Vec<&[u8]> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
            .collect()
    }

    /// Every `Vary` item over all `Vary` lines, lower-cased.
    pub fn vary_items(&self) -> std::collections::BTreeSet<String> {
        self.values("vary")
            .into_iter()
            .flat_map(|v| {
                String::from_utf8_lossy(v)
                    .split(',')
                    .map(|i| i.trim().to_ascii_lowercase())
                    .collect::<Vec<_>>()
            })
            .filter(|i| !i.is_empty())
            .collect()
    }
}
