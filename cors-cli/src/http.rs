//! The HTTP client of `cors probe` and `cors audit`: one request at a time, any method,
//! headers exactly as given, no redirect followed, every response header line kept.

use std::time::Duration;

use ureq::http;
use url::Url;

use crate::request::lossy;

/// The `--timeout` option of the commands that talk to a live server.
#[derive(Debug, clap::Args)]
pub(crate) struct TimeoutArg {
    /// Give up on a request after this many seconds.
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    pub(crate) timeout: f64,
}

/// A live server's answer: the status and every header line, names lowercased, in order
/// (values that are not UTF-8 are shown with replacement characters).
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
}

/// Sends requests exactly as given and follows no redirect.
pub(crate) struct Client {
    agent: ureq::Agent,
}

impl Client {
    /// A client giving up on each request after `timeout` seconds, or the usage error
    /// for a timeout that is not above 0 and at most a day.
    pub(crate) fn new(timeout: &TimeoutArg) -> Result<Self, String> {
        let t = timeout.timeout;
        if !(t.is_finite() && t > 0.0 && t <= 86_400.0) {
            return Err("--timeout must be a number of seconds above 0 and at most 86400".into());
        }
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .allow_non_standard_methods(true)
            .timeout_global(Some(Duration::from_secs_f64(t)))
            .build()
            .into();
        Ok(Self { agent })
    }

    /// Sends one request; the answer, or why there is none (connection refused, timeout,
    /// a malformed or oversized answer).
    pub(crate) fn send(
        &self,
        method: &[u8],
        url: &Url,
        headers: &[(Vec<u8>, Vec<u8>)],
    ) -> Result<Answer, String> {
        let method = http::Method::from_bytes(method).map_err(|e| format!("method: {e}"))?;
        let mut builder = http::Request::builder()
            .method(method.clone())
            .uri(url.as_str());
        for (n, v) in headers {
            builder = builder.header(n.as_slice(), v.as_slice());
        }
        let request = builder
            .body(())
            .map_err(|e| format!("cannot build the request: {e}"))?;
        let response = self
            .agent
            .run(request)
            .map_err(|e| format!("{method} {url}: {e}"))?;
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), lossy(v.as_bytes())))
            .collect();
        Ok(Answer {
            status: response.status().as_u16(),
            headers,
        })
    }
}

/// The URL argument of `probe` and `audit`: an `http://` or `https://` URL.
pub(crate) fn parse_url(url: &str) -> Result<Url, String> {
    match Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(u),
        Ok(u) => Err(format!(
            "{:?}: only http:// and https:// URLs are supported",
            u.as_str()
        )),
        Err(e) => Err(format!("{url:?} is not a URL: {e}")),
    }
}

/// The values of every line of the header `name` (any case).
pub(crate) fn values<'a>(
    headers: &'a [(String, String)],
    name: &'a str,
) -> impl Iterator<Item = &'a str> {
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Whether a `Vary` line names `name` (or is `*`).
pub(crate) fn varies_on(headers: &[(String, String)], name: &str) -> bool {
    values(headers, "vary")
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|v| v == "*" || v.eq_ignore_ascii_case(name))
}

/// Whether a response header line bears on CORS: `access-control-*`, `vary`, `location`.
pub(crate) fn is_cors_line(name: &str) -> bool {
    name.starts_with("access-control-") || name == "vary" || name == "location"
}
