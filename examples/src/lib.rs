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
//! | `GET /ws` | a WebSocket echo (text and binary messages sent back), on each framework's own WebSocket support |
//! | anything else | the framework's own 404 |
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod actix_app;
pub mod axum_app;
pub mod metrics_app;
pub mod raw_http;
pub mod rocket_app;
pub mod warp_app;
pub mod watch;

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

/// The request and response of the in-process and raw-HTTP clients: cors-testkit's, the
/// same types the workspace's tests use.
pub use cors_testkit::{TestRequest, TestResponse};
