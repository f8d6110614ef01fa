//! The CORS response headers a decision sets.

use std::fmt;

/// A CORS response header a decision sets.
///
/// ```
/// use cors_core::CorsHeader;
/// assert_eq!(CorsHeader::MaxAge.to_string(), "access-control-max-age");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CorsHeader {
    /// `Access-Control-Allow-Origin`.
    AllowOrigin,
    /// `Access-Control-Allow-Credentials`.
    AllowCredentials,
    /// `Access-Control-Expose-Headers`.
    ExposeHeaders,
    /// `Access-Control-Allow-Methods`.
    AllowMethods,
    /// `Access-Control-Allow-Headers`.
    AllowHeaders,
    /// `Access-Control-Max-Age`.
    MaxAge,
    /// `Access-Control-Allow-Private-Network`.
    AllowPrivateNetwork,
}

impl CorsHeader {
    /// Every CORS response header, in the order a decision writes them (each variant's
    /// discriminant is its index here).
    pub const ALL: [CorsHeader; 7] = [
        Self::AllowOrigin,
        Self::AllowCredentials,
        Self::ExposeHeaders,
        Self::AllowMethods,
        Self::AllowHeaders,
        Self::MaxAge,
        Self::AllowPrivateNetwork,
    ];

    /// Whether `name` (any case) is an `Access-Control-*` header name: the core looks for
    /// one in a response before removing what a decision clears, since most responses
    /// have none and a removal costs a lookup. Inlined into that scan: its first test,
    /// the length, rejects most names without a call.
    #[inline]
    pub(crate) fn is_access_control_name(name: &str) -> bool {
        name.as_bytes()
            .get(..15)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"access-control-"))
    }

    /// The lower-case header name.
    ///
    /// ```
    /// assert_eq!(cors_core::CorsHeader::AllowOrigin.as_str(), "access-control-allow-origin");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AllowOrigin => "access-control-allow-origin",
            Self::AllowCredentials => "access-control-allow-credentials",
            Self::ExposeHeaders => "access-control-expose-headers",
            Self::AllowMethods => "access-control-allow-methods",
            Self::AllowHeaders => "access-control-allow-headers",
            Self::MaxAge => "access-control-max-age",
            Self::AllowPrivateNetwork => "access-control-allow-private-network",
        }
    }

    /// The `http` 1.x header name.
    #[cfg(feature = "http")]
    pub(crate) fn http_name(self) -> http::HeaderName {
        use http::header;
        match self {
            Self::AllowOrigin => header::ACCESS_CONTROL_ALLOW_ORIGIN,
            Self::AllowCredentials => header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            Self::ExposeHeaders => header::ACCESS_CONTROL_EXPOSE_HEADERS,
            Self::AllowMethods => header::ACCESS_CONTROL_ALLOW_METHODS,
            Self::AllowHeaders => header::ACCESS_CONTROL_ALLOW_HEADERS,
            Self::MaxAge => header::ACCESS_CONTROL_MAX_AGE,
            Self::AllowPrivateNetwork => {
                const ACAPN: http::HeaderName =
                    http::HeaderName::from_static("access-control-allow-private-network");
                ACAPN
            }
        }
    }
}

impl fmt::Display for CorsHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
