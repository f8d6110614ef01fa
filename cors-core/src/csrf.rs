//! Cross-site request forgery protection and WebSocket origin checks, from the same origin
//! list as CORS: the rule ([`check`]) and its vocabulary.
//!
//! CORS decides whether a page may *read* a response; it never stops a request from
//! reaching the handler. A cross-site HTML form POST, a `fetch` in `no-cors` mode, or a
//! WebSocket handshake (which browsers never submit to CORS) still arrives with the user's
//! cookies. [`PolicyConfig::csrf_protection`](crate::PolicyConfig::csrf_protection) and
//! [`PolicyConfig::websocket_origin_check`](crate::PolicyConfig::websocket_origin_check)
//! refuse those from origins the policy does not list.

use serde::{Deserialize, Serialize};

use crate::matcher::OriginMatcher;
use crate::origin;
use crate::request::{CorsRequest, Field};
use crate::token;

/// What a policy does with an unsafe request (any method but GET, HEAD and OPTIONS) from
/// another origin that it does not list ([`PolicyConfig::csrf_protection`]); lower-case in
/// a policy file.
///
/// ```
/// use cors_core::{CsrfProtection, PolicyConfig};
/// let c = PolicyConfig::from_toml_str(r#"
///     allow_origins = ["https://app.example.com"]
///     csrf_protection = "enforce"
/// "#)?;
/// assert_eq!(c.csrf_protection, CsrfProtection::Enforce);
/// assert_eq!(PolicyConfig::default().csrf_protection, CsrfProtection::Off);
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
///
/// [`PolicyConfig::csrf_protection`]: crate::PolicyConfig::csrf_protection
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CsrfProtection {
    /// No check (the default): the handler sees every request, as with CORS alone.
    #[default]
    Off,
    /// The same decision as `Enforce`, but nothing is refused: each request `Enforce` would
    /// refuse is logged (the rejection event) and counted (`outcome="reported"`), and reaches
    /// the handler. To try the check on live traffic before enforcing it.
    Report,
    /// Refused with 403, before the handler runs.
    Enforce,
}

impl CsrfProtection {
    /// Every mode, from `off` to `enforce`.
    pub const ALL: [CsrfProtection; 3] = [
        CsrfProtection::Off,
        CsrfProtection::Report,
        CsrfProtection::Enforce,
    ];

    /// The mode as written in a policy file: `"off"`, `"report"` or `"enforce"`.
    ///
    /// ```
    /// assert_eq!(cors_core::CsrfProtection::Report.as_str(), "report");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            CsrfProtection::Off => "off",
            CsrfProtection::Report => "report",
            CsrfProtection::Enforce => "enforce",
        }
    }

    /// Whether the check looks at requests with this method at all: every method but GET,
    /// HEAD and OPTIONS (byte-exact), which must not change state. For adapters that must
    /// route the checked methods ahead of the application's handlers.
    ///
    /// ```
    /// use cors_core::CsrfProtection;
    /// assert!(CsrfProtection::checks_method(b"POST"));
    /// assert!(CsrfProtection::checks_method(b"PROPFIND"));
    /// assert!(!CsrfProtection::checks_method(b"GET"));
    /// ```
    pub fn checks_method(method: &[u8]) -> bool {
        !is_safe_method(method)
    }

    /// Whether it is the default, `Off` (not written when a configuration is serialized).
    pub(crate) fn is_off(&self) -> bool {
        *self == CsrfProtection::Off
    }
}

/// The `Sec-Fetch-Site` header of a request refused by the origin check (one of the two
/// values that let a request through, `same-origin` and `none`, never appears here).
///
/// ```
/// assert_eq!(cors_core::FetchSite::CrossSite.as_str(), "cross-site");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FetchSite {
    /// No `Sec-Fetch-Site` (an older browser): `Origin` did not match `Host`.
    Absent,
    /// `same-site`: another origin of the same site (another subdomain, another port).
    SameSite,
    /// `cross-site`.
    CrossSite,
    /// Any other value, or more than one `Sec-Fetch-Site` header.
    Other,
}

impl FetchSite {
    /// `absent`, `same-site`, `cross-site` or `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            FetchSite::Absent => "absent",
            FetchSite::SameSite => "same-site",
            FetchSite::CrossSite => "cross-site",
            FetchSite::Other => "other",
        }
    }
}

/// Lower-case names of the request headers the origin check reads.
pub(crate) mod names {
    /// `Sec-Fetch-Site`.
    pub const SEC_FETCH_SITE: &str = "sec-fetch-site";
    /// `Host`.
    pub const HOST: &str = "host";
    /// `Upgrade`.
    pub const UPGRADE: &str = "upgrade";
}

/// GET, HEAD and OPTIONS, which must not change state, are never checked (methods are
/// case-sensitive: `get` is not GET).
#[inline]
pub(crate) fn is_safe_method(method: &[u8]) -> bool {
    matches!(method, b"GET" | b"HEAD" | b"OPTIONS")
}

/// Whether an `Upgrade` value asks for the WebSocket protocol (a comma-separated list of
/// protocols, compared case-insensitively).
pub(crate) fn is_websocket(upgrade: &[u8]) -> bool {
    upgrade
        .split(|&b| b == b',')
        .any(|p| token::trim_ows(p).eq_ignore_ascii_case(b"websocket"))
}

/// Whether `origin` (serialized) names the same host and port as the request's `Host`
/// header, the port of a `Host` without one being the default of the origin's scheme.
/// `Host` carries no scheme: an `http://` page posting to the `https://` site of the same
/// host passes (Go's `CrossOriginProtection` does the same; HSTS closes that gap).
pub(crate) fn same_host(origin: &[u8], host: &[u8]) -> bool {
    let Ok(o) = origin::parse(origin) else {
        return false;
    };
    let default = origin::default_port(o.scheme);
    let Some(origin_port) = o.port.or(default) else {
        return false;
    };
    let host = token::trim_ows(host);
    let (name, port) = if host.first() == Some(&b'[') {
        match host.iter().position(|&b| b == b']') {
            Some(close) => host.split_at(close + 1),
            None => return false,
        }
    } else {
        match host.iter().position(|&b| b == b':') {
            Some(colon) => host.split_at(colon),
            None => (host, &b""[..]),
        }
    };
    let host_port = match port {
        [] => default,
        [b':', digits @ ..] => parse_port(digits),
        _ => None,
    };
    host_port == Some(origin_port) && name.eq_ignore_ascii_case(o.host.as_bytes())
}

fn parse_port(digits: &[u8]) -> Option<u16> {
    if digits.is_empty() || digits.len() > 5 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits
        .iter()
        .try_fold(0u32, |n, &d| Some(n * 10 + u32::from(d - b'0')))
        .and_then(|n| u16::try_from(n).ok())
}

/// The origin rule, for an unsafe request or a WebSocket handshake: `Ok` when
/// `Sec-Fetch-Site` is `same-origin` or `none`; without `Sec-Fetch-Site`, when there is no
/// `Origin` either (not a browser, or a same-origin request of an old one) or when
/// `Origin` names the request's own `Host`; otherwise only when `origins` allows the
/// `Origin`. `Err` carries what `Sec-Fetch-Site` said.
pub(crate) fn check(req: &CorsRequest<'_>, origins: &OriginMatcher) -> Result<(), FetchSite> {
    let fetch_site = match req.fetch_site() {
        Field::One(b"same-origin" | b"none") => return Ok(()),
        Field::Absent => {
            match (req.origin(), req.host()) {
                (Field::Absent, _) => return Ok(()),
                (Field::One(o), Field::One(h)) if same_host(o, h) => return Ok(()),
                _ => {}
            }
            FetchSite::Absent
        }
        Field::One(b"same-site") => FetchSite::SameSite,
        Field::One(b"cross-site") => FetchSite::CrossSite,
        Field::One(_) | Field::Repeated(_) => FetchSite::Other,
    };
    match req.origin() {
        Field::One(o) if origins.allows(o) => Ok(()),
        _ => Err(fetch_site),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_host_compares_host_and_effective_port() {
        let yes = [
            (&b"https://a.example"[..], &b"a.example"[..]),
            (b"https://a.example", b"A.Example:443"),
            (b"http://a.example", b"a.example:80"),
            (b"http://localhost:3000", b"localhost:3000"),
            (b"http://127.0.0.1:3000", b"127.0.0.1:3000"),
            (b"http://[::1]:3000", b"[::1]:3000"),
            (b"https://[::1]", b"[::1]"),
            // No scheme in Host: http and https of one host and port are not told apart.
            (b"http://a.example:8443", b"a.example:8443"),
        ];
        for (o, h) in yes {
            assert!(same_host(o, h), "{o:?} {h:?}");
        }
        let no = [
            (&b"https://a.example"[..], &b"a.example:8443"[..]),
            (b"https://a.example:8443", b"a.example"),
            (b"https://a.example", b"b.example"),
            (b"https://a.example", b"a.example."),
            (b"http://localhost:3000", b"127.0.0.1:3000"),
            (b"http://localhost:3000", b"localhost:3001"),
            (b"http://localhost:3000", b"localhost:"),
            (b"http://localhost:3000", b"localhost:03000x"),
            (b"http://localhost:3000", b"localhost:99999999"),
            (b"http://[::1]:3000", b"[::1"),
            (b"null", b"null"),
            (b"https://a.example/", b"a.example"),
            (b"chrome-extension://abc", b"abc"),
            (b"https://a.example", b""),
        ];
        for (o, h) in no {
            assert!(!same_host(o, h), "{o:?} {h:?}");
        }
    }

    #[test]
    fn websocket_upgrades_are_recognized_in_any_case_and_list() {
        assert!(is_websocket(b"websocket"));
        assert!(is_websocket(b"WebSocket"));
        assert!(is_websocket(b"h2c, websocket"));
        assert!(!is_websocket(b"h2c"));
        assert!(!is_websocket(b"websockets"));
        assert!(!is_websocket(b""));
    }

    #[test]
    fn safe_methods_are_exact() {
        for m in [&b"GET"[..], b"HEAD", b"OPTIONS"] {
            assert!(is_safe_method(m));
        }
        for m in [
            &b"POST"[..],
            b"get",
            b"PUT",
            b"DELETE",
            b"PATCH",
            b"CONNECT",
            b"",
        ] {
            assert!(!is_safe_method(m));
        }
    }
}
