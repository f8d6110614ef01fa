//! The status of a response the middleware answers itself.

use std::fmt;

/// The status of an answer the middleware sends without the handler
/// ([`Action::Respond`](crate::Action::Respond)): a policy's `preflight_status` (validated
/// to be 200..=299) or `403 Forbidden` for a refused preflight. No other value can be
/// built, so an adapter converts it without a fallback.
///
/// ```
/// use cors_core::{Action, CorsRequest, Policy, Status};
/// let policy = Policy::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?;
/// let mut req = CorsRequest::new(b"OPTIONS");
/// req.push_origin(b"https://evil.example");
/// req.push_request_method(b"GET");
/// let Action::Respond { status } = policy.evaluate(&req).action() else { unreachable!() };
/// assert_eq!(status, Status::FORBIDDEN);
/// assert_eq!(status.as_u16(), 403);
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Status {
    #[cfg(feature = "http")]
    code: http::StatusCode,
    #[cfg(not(feature = "http"))]
    code: u16,
}

impl Status {
    /// `403 Forbidden`: the answer to a refused preflight.
    pub const FORBIDDEN: Status = Status {
        #[cfg(feature = "http")]
        code: http::StatusCode::FORBIDDEN,
        #[cfg(not(feature = "http"))]
        code: 403,
    };

    /// `204 No Content`: the default answer to an allowed preflight.
    pub const NO_CONTENT: Status = Status {
        #[cfg(feature = "http")]
        code: http::StatusCode::NO_CONTENT,
        #[cfg(not(feature = "http"))]
        code: 204,
    };

    /// A successful preflight status, when `code` is in 200..=299.
    pub(crate) fn success(code: u16) -> Option<Status> {
        if !(200..=299).contains(&code) {
            return None;
        }
        #[cfg(feature = "http")]
        let code = http::StatusCode::from_u16(code).ok()?;
        Some(Status { code })
    }

    /// The numeric code: 200..=299 or 403.
    pub fn as_u16(self) -> u16 {
        #[cfg(feature = "http")]
        return self.code.as_u16();
        #[cfg(not(feature = "http"))]
        return self.code;
    }

    /// The `http` 1.x status code, without a fallible conversion.
    ///
    /// ```
    /// assert_eq!(cors_core::Status::FORBIDDEN.to_http(), http::StatusCode::FORBIDDEN);
    /// ```
    #[cfg(feature = "http")]
    #[cfg_attr(docsrs, doc(cfg(feature = "http")))]
    pub fn to_http(self) -> http::StatusCode {
        self.code
    }
}

impl fmt::Debug for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.as_u16(), f)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.as_u16(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::Status;

    #[test]
    fn only_success_codes_and_forbidden_exist() {
        for code in 0..=1000u16 {
            match Status::success(code) {
                Some(s) => {
                    assert!((200..=299).contains(&code));
                    assert_eq!(s.as_u16(), code);
                }
                None => assert!(!(200..=299).contains(&code), "{code}"),
            }
        }
        assert_eq!(Status::FORBIDDEN.as_u16(), 403);
        assert_eq!(Status::NO_CONTENT.as_u16(), 204);
    }
}
