//! Byte-level helpers for RFC 9110 tokens and the Fetch standard's name lists.

/// `tchar` from RFC 9110 §5.6.2, as a lookup table.
const TCHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        i += 1;
    }
    t
};

/// Whether `b` is a non-empty RFC 9110 token (a valid method or header name).
pub(crate) fn is_token(b: &[u8]) -> bool {
    !b.is_empty() && b.iter().all(|&c| TCHAR[c as usize])
}

/// Strips optional whitespace (space and horizontal tab) from both ends.
pub(crate) fn trim_ows(mut b: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = b {
        b = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = b {
        b = rest;
    }
    b
}

/// Forbidden request-header names from the Fetch standard (exact names).
const FORBIDDEN_REQUEST_HEADERS: &[&str] = &[
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "access-control-request-private-network",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Whether a lower-case header name is one a browser never lets a page set.
pub(crate) fn is_forbidden_request_header(lower: &str) -> bool {
    FORBIDDEN_REQUEST_HEADERS.contains(&lower)
        || lower.starts_with("proxy-")
        || lower.starts_with("sec-")
}

/// Whether a lower-case header name is a CORS response header.
pub(crate) fn is_cors_response_header(lower: &str) -> bool {
    lower.starts_with("access-control-allow-")
        || lower == "access-control-expose-headers"
        || lower == "access-control-max-age"
}

/// Whether a lower-case header name is a forbidden response-header name (Fetch standard):
/// browsers never expose it to a page.
pub(crate) fn is_forbidden_response_header(lower: &str) -> bool {
    lower == "set-cookie" || lower == "set-cookie2"
}

/// Whether a lower-case header name is a CORS request header (`origin`,
/// `access-control-request-*`), which only requests carry.
pub(crate) fn is_cors_request_header(lower: &str) -> bool {
    lower == "origin" || lower.starts_with("access-control-request-")
}

/// Whether a lower-case header name starts `access-control-` (the CORS protocol's own).
pub(crate) fn is_access_control_header(lower: &str) -> bool {
    lower.starts_with("access-control-")
}

/// Methods a browser refuses to send at all.
pub(crate) fn is_forbidden_method(m: &str) -> bool {
    ["CONNECT", "TRACE", "TRACK"]
        .iter()
        .any(|f| f.eq_ignore_ascii_case(m))
}

/// The methods whose case `fetch()` normalizes, which the policy normalizes too.
pub(crate) fn normalize_method(m: &str) -> String {
    for n in ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"] {
        if n.eq_ignore_ascii_case(m) {
            return n.to_owned();
        }
    }
    m.to_owned()
}

/// Compares `lower` (already lower-case) with `name` lower-cased, byte by byte, without
/// copying `name`: the order of `lower.cmp(&name.to_ascii_lowercase())`.
pub(crate) fn cmp_lowercase(lower: &[u8], name: &[u8]) -> std::cmp::Ordering {
    for (a, b) in lower.iter().zip(name) {
        match a.cmp(&b.to_ascii_lowercase()) {
            std::cmp::Ordering::Equal => {}
            other => return other,
        }
    }
    lower.len().cmp(&name.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmp_lowercase_orders_like_comparing_the_lowercased_name() {
        use std::cmp::Ordering::*;
        assert_eq!(cmp_lowercase(b"content-type", b"Content-Type"), Equal);
        assert_eq!(cmp_lowercase(b"content-type", b"CONTENT-TYPE"), Equal);
        assert_eq!(cmp_lowercase(b"content", b"Content-Type"), Less);
        assert_eq!(cmp_lowercase(b"content-type", b"Content"), Greater);
        assert_eq!(cmp_lowercase(b"x-b", b"X-A"), Greater);
        assert_eq!(cmp_lowercase(b"x-a", b"X-B"), Less);
        assert_eq!(cmp_lowercase(b"", b""), Equal);
    }

    #[test]
    fn tokens() {
        assert!(is_token(b"x-custom"));
        assert!(is_token(b"PATCH"));
        assert!(!is_token(b""));
        assert!(!is_token(b"x custom"));
        assert!(!is_token(b"x:y"));
        assert!(!is_token(b"caf\xc3\xa9"));
    }

    #[test]
    fn ows() {
        assert_eq!(trim_ows(b" \t a b \t"), b"a b");
        assert_eq!(trim_ows(b"   "), b"");
    }

    #[test]
    fn forbidden() {
        assert!(is_forbidden_request_header("cookie"));
        assert!(is_forbidden_request_header("sec-fetch-mode"));
        assert!(is_forbidden_request_header("proxy-authorization"));
        assert!(!is_forbidden_request_header("authorization"));
        assert!(is_cors_response_header("access-control-allow-origin"));
        assert!(!is_cors_response_header("access-control-request-method"));
        assert!(is_forbidden_method("trace"));
        assert!(is_forbidden_response_header("set-cookie2"));
        assert!(!is_forbidden_response_header("set-cookie3"));
        assert!(is_cors_request_header(
            "access-control-request-private-network"
        ));
        assert!(is_cors_request_header("origin"));
        assert!(!is_cors_request_header("access-control-allow-origin"));
        assert!(is_access_control_header("access-control-max-age"));
        assert!(!is_access_control_header("access-controls"));
        assert_eq!(normalize_method("delete"), "DELETE");
        assert_eq!(normalize_method("patch"), "patch");
    }
}
