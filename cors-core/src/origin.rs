//! A strict, allocation-free parser for origins in their serialized form
//! (`scheme://host[:port]`, exactly as a browser sends them in `Origin`).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The longest `Origin` value considered at all; longer ones are never allowed.
pub(crate) const MAX_ORIGIN_LEN: usize = 1024;

/// Why a string is not an origin in serialized form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OriginSyntax {
    /// The value is empty.
    Empty,
    /// The value is longer than 1024 bytes.
    TooLong,
    /// The value has bytes outside ASCII (an internationalized host must be in punycode).
    NotAscii,
    /// The value has whitespace or control characters.
    Whitespace,
    /// There is no `scheme://`.
    NoScheme,
    /// The scheme has characters a scheme cannot have.
    BadScheme,
    /// The scheme has upper-case letters.
    UppercaseScheme,
    /// There is a `user:password@` part.
    Userinfo,
    /// There is a path after the host.
    Path,
    /// There is a trailing `/`.
    TrailingSlash,
    /// There is a `?query`.
    Query,
    /// There is a `#fragment`.
    Fragment,
    /// The host is empty.
    EmptyHost,
    /// The host has upper-case letters.
    UppercaseHost,
    /// The host is not a valid domain, IPv4 or bracketed IPv6 address in canonical form.
    BadHost,
    /// The port is not a number from 1 to 65535 without leading zeros.
    BadPort,
    /// The port is the scheme's default, which browsers leave out.
    DefaultPort,
}

impl OriginSyntax {
    /// A short explanation, as used in configuration errors.
    pub fn explain(self) -> &'static str {
        match self {
            Self::Empty => "is empty",
            Self::TooLong => "is too long",
            Self::NotAscii => {
                "has non-ASCII characters; browsers send internationalized hosts in punycode (xn--)"
            }
            Self::Whitespace => "has whitespace or control characters",
            Self::NoScheme => "has no scheme; an origin is scheme://host[:port]",
            Self::BadScheme => "has an invalid scheme",
            Self::UppercaseScheme => {
                "has upper-case letters in its scheme; browsers send it lower-case"
            }
            Self::Userinfo => "has a user name or password; an origin is scheme://host[:port]",
            Self::Path => "has a path; an origin is scheme://host[:port]",
            Self::TrailingSlash => "has a trailing slash; browsers send origins without one",
            Self::Query => "has a query; an origin is scheme://host[:port]",
            Self::Fragment => "has a fragment; an origin is scheme://host[:port]",
            Self::EmptyHost => "has no host",
            Self::UppercaseHost => {
                "has upper-case letters in its host; browsers send it lower-case"
            }
            Self::BadHost => "has an invalid host",
            Self::BadPort => "has an invalid port (1 to 65535, no leading zeros)",
            Self::DefaultPort => "names the scheme's default port, which browsers leave out",
        }
    }
}

impl fmt::Display for OriginSyntax {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.explain())
    }
}

/// What kind of host an origin has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostKind {
    Domain,
    Ipv4,
    Ipv6,
}

/// An origin in serialized form, split into its parts (all borrowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Origin<'a> {
    pub scheme: &'a str,
    /// The host as it appears, brackets included for IPv6.
    pub host: &'a str,
    pub kind: HostKind,
    /// The explicit port, which is never the scheme's default.
    pub port: Option<u16>,
}

impl Origin<'_> {
    /// Whether the host is loopback (`localhost`, `*.localhost`, 127.0.0.0/8, `[::1]`; a
    /// domain with or without its trailing dot).
    pub fn is_loopback(&self) -> bool {
        match self.kind {
            HostKind::Domain => is_loopback_domain(self.host),
            HostKind::Ipv4 => self.host.starts_with("127."),
            HostKind::Ipv6 => self.host == "[::1]",
        }
    }
}

/// Whether a domain is `localhost` or below it, with or without a trailing dot.
pub(crate) fn is_loopback_domain(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    host == "localhost" || host.ends_with(".localhost")
}

/// The default port of the special schemes.
pub(crate) fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

/// Parses `input` as an origin in serialized form, without allocating.
pub(crate) fn parse(input: &[u8]) -> Result<Origin<'_>, OriginSyntax> {
    if input.is_empty() {
        return Err(OriginSyntax::Empty);
    }
    if input.len() > MAX_ORIGIN_LEN {
        return Err(OriginSyntax::TooLong);
    }
    // One pass: ASCII, no whitespace or controls.
    let mut non_ascii = false;
    let mut control = false;
    for &b in input {
        non_ascii |= b >= 0x80;
        control |= b <= b' ' || b == 0x7f;
    }
    if non_ascii {
        return Err(OriginSyntax::NotAscii);
    }
    if control {
        return Err(OriginSyntax::Whitespace);
    }
    // ASCII was checked above, so this cannot fail; stay panic-free regardless.
    let s = std::str::from_utf8(input).map_err(|_| OriginSyntax::NotAscii)?;
    // A scheme has no ':', so the first one ends it and must start "://".
    let colon = input
        .iter()
        .position(|&b| b == b':')
        .ok_or(OriginSyntax::NoScheme)?;
    let (scheme, after) = s.split_at(colon);
    let rest = after.strip_prefix("://").ok_or(OriginSyntax::NoScheme)?;
    check_scheme(scheme)?;
    let auth_end = rest
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(auth_end);
    if authority.bytes().any(|b| b == b'@') {
        return Err(OriginSyntax::Userinfo);
    }
    match tail.as_bytes().first() {
        None => {}
        Some(b'/') if tail == "/" => return Err(OriginSyntax::TrailingSlash),
        Some(b'/') => return Err(OriginSyntax::Path),
        Some(b'?') => return Err(OriginSyntax::Query),
        _ => return Err(OriginSyntax::Fragment),
    }
    let (host, port_str) = split_host_port(authority)?;
    let kind = check_host(host)?;
    let port = match port_str {
        None => None,
        Some(p) => {
            let port = parse_port(p)?;
            if default_port(scheme) == Some(port) {
                return Err(OriginSyntax::DefaultPort);
            }
            Some(port)
        }
    };
    Ok(Origin {
        scheme,
        host,
        kind,
        port,
    })
}

fn check_scheme(scheme: &str) -> Result<(), OriginSyntax> {
    let b = scheme.as_bytes();
    let Some(first) = b.first() else {
        return Err(OriginSyntax::NoScheme);
    };
    if !first.is_ascii_alphabetic()
        || !b
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
    {
        return Err(OriginSyntax::BadScheme);
    }
    if b.iter().any(u8::is_ascii_uppercase) {
        return Err(OriginSyntax::UppercaseScheme);
    }
    Ok(())
}

fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), OriginSyntax> {
    if authority.starts_with('[') {
        let close = authority.find(']').ok_or(OriginSyntax::BadHost)?;
        let (host, after) = authority.split_at(close + 1);
        return match after.strip_prefix(':') {
            Some(p) => Ok((host, Some(p))),
            None if after.is_empty() => Ok((host, None)),
            None => Err(OriginSyntax::BadHost),
        };
    }
    Ok(match authority.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    })
}

fn parse_port(p: &str) -> Result<u16, OriginSyntax> {
    let b = p.as_bytes();
    if b.is_empty() || b.len() > 5 || b[0] == b'0' || !b.iter().all(u8::is_ascii_digit) {
        return Err(OriginSyntax::BadPort);
    }
    p.parse::<u16>().map_err(|_| OriginSyntax::BadPort)
}

/// Checks a host in serialized form and says what kind it is.
pub(crate) fn check_host(host: &str) -> Result<HostKind, OriginSyntax> {
    if host.is_empty() {
        return Err(OriginSyntax::EmptyHost);
    }
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or(OriginSyntax::BadHost)?;
        let addr: Ipv6Addr = inner.parse().map_err(|_| OriginSyntax::BadHost)?;
        // Canonical (RFC 5952) text only, compared without allocating.
        let mut buf = StackStr::<48>::new();
        use fmt::Write;
        write!(buf, "{addr}").map_err(|_| OriginSyntax::BadHost)?;
        return if buf.as_str() == inner {
            Ok(HostKind::Ipv6)
        } else {
            Err(OriginSyntax::BadHost)
        };
    }
    // A fully qualified name keeps its trailing dot (`localhost.`): browsers send it as
    // written, and it is another origin than the name without the dot.
    let name = host.strip_suffix('.').unwrap_or(host);
    if name.len() > 253 {
        return Err(OriginSyntax::BadHost);
    }
    // One pass over the labels: lower-case letters, digits, '-' and '_', 1 to 63 each.
    let (mut label_len, mut last_numeric, mut upper, mut bad) = (0usize, true, false, false);
    for &c in name.as_bytes() {
        if c == b'.' {
            bad |= label_len == 0;
            label_len = 0;
            last_numeric = true;
            continue;
        }
        label_len += 1;
        bad |= label_len > 63;
        upper |= c.is_ascii_uppercase();
        bad |= !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_');
        last_numeric &= c.is_ascii_digit();
    }
    if upper {
        return Err(OriginSyntax::UppercaseHost);
    }
    if bad || label_len == 0 {
        return Err(OriginSyntax::BadHost);
    }
    // A numeric last label makes the host an IPv4 address, which must be canonical: no
    // trailing dot (browsers drop it from an address).
    if last_numeric {
        return match name.parse::<Ipv4Addr>() {
            Ok(_) if name.len() == host.len() => Ok(HostKind::Ipv4),
            _ => Err(OriginSyntax::BadHost),
        };
    }
    Ok(HostKind::Domain)
}

/// A fixed-capacity string buffer for formatting without allocating.
struct StackStr<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> StackStr<N> {
    fn new() -> Self {
        Self {
            buf: [0; N],
            len: 0,
        }
    }
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl<const N: usize> fmt::Write for StackStr<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> OriginSyntax {
        parse(s.as_bytes()).expect_err(s)
    }

    #[test]
    fn accepts_serialized_origins() {
        for s in [
            "https://example.com",
            "http://localhost:3000",
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
            "https://a-b.c_d.example.co.uk",
            "chrome-extension://abcdefghijklmnop",
            "https://xn--bcher-kva.example",
            "http://localhost.:3000",
            "https://example.com.",
        ] {
            assert!(parse(s.as_bytes()).is_ok(), "{s}");
        }
        let o = parse(b"http://localhost.:3000").unwrap();
        assert_eq!(
            (o.host, o.port, o.kind),
            ("localhost.", Some(3000), HostKind::Domain)
        );
        assert!(o.is_loopback());
        assert!(parse(b"http://a.localhost.").unwrap().is_loopback());
        assert!(!parse(b"http://localhost.evil.").unwrap().is_loopback());
        let o = parse(b"http://[::1]:8080").unwrap();
        assert_eq!(o.host, "[::1]");
        assert_eq!(o.port, Some(8080));
        assert!(o.is_loopback());
    }

    #[test]
    fn refuses_everything_else() {
        assert_eq!(err(""), OriginSyntax::Empty);
        assert_eq!(err("example.com"), OriginSyntax::NoScheme);
        assert_eq!(err("https://example.com/"), OriginSyntax::TrailingSlash);
        assert_eq!(err("https://example.com/app"), OriginSyntax::Path);
        assert_eq!(err("https://example.com?x"), OriginSyntax::Query);
        assert_eq!(err("https://example.com#x"), OriginSyntax::Fragment);
        assert_eq!(err("https://u:p@example.com"), OriginSyntax::Userinfo);
        assert_eq!(err("https://Example.com"), OriginSyntax::UppercaseHost);
        assert_eq!(err("HTTPS://example.com"), OriginSyntax::UppercaseScheme);
        assert_eq!(err("https://example.com:443"), OriginSyntax::DefaultPort);
        assert_eq!(err("http://example.com:80"), OriginSyntax::DefaultPort);
        assert_eq!(err("http://example.com:0"), OriginSyntax::BadPort);
        assert_eq!(err("http://example.com:08080"), OriginSyntax::BadPort);
        assert_eq!(err("http://example.com:65536"), OriginSyntax::BadPort);
        assert_eq!(err("http://example.com:"), OriginSyntax::BadPort);
        assert_eq!(err(" https://example.com"), OriginSyntax::Whitespace);
        assert_eq!(err("https://exa mple.com"), OriginSyntax::Whitespace);
        assert_eq!(err("https://bücher.example"), OriginSyntax::NotAscii);
        assert_eq!(err("https://"), OriginSyntax::EmptyHost);
        assert_eq!(err("https://a..b"), OriginSyntax::BadHost);
        assert_eq!(err("https://.a"), OriginSyntax::BadHost);
        assert_eq!(err("http://[0:0::1]"), OriginSyntax::BadHost);
        assert_eq!(err("http://1.2.3"), OriginSyntax::BadHost);
        assert_eq!(err("http://01.2.3.4"), OriginSyntax::BadHost);
        assert_eq!(err("https://example.com.."), OriginSyntax::BadHost);
        assert_eq!(err("https://."), OriginSyntax::BadHost);
        assert_eq!(err("http://127.0.0.1."), OriginSyntax::BadHost);
        assert_eq!(err("http://a.1."), OriginSyntax::BadHost);
        assert_eq!(err("https://Example.com."), OriginSyntax::UppercaseHost);
        assert_eq!(err("1https://a.com"), OriginSyntax::BadScheme);
        assert_eq!(err("null"), OriginSyntax::NoScheme);
        let long = format!("https://{}.com", "a".repeat(MAX_ORIGIN_LEN));
        assert_eq!(err(&long), OriginSyntax::TooLong);
        assert_eq!(
            parse(b"https://ex\xffample.com"),
            Err(OriginSyntax::NotAscii)
        );
    }
}
