//! # cors-core
//!
//! A framework-agnostic engine for the [Fetch standard's CORS protocol][fetch]. A
//! [`Policy`] is validated once (every problem reported at once, never a panic) and then
//! evaluates borrowed [`CorsRequest`] views into [`Decision`]s: plain data saying what
//! kind of request it was, whether to answer now or forward to the handler, which headers
//! to set and which `Vary` items to append. Evaluation never allocates.
//!
//! The adapter crates (`cors-axum`, `cors-actix`, `cors-rocket`, `cors-warp`) only
//! translate between this data and their framework's types.
//!
//! ```
//! use cors_core::{Action, CorsHeader, CorsRequest, Policy, RequestKind};
//!
//! let policy = Policy::from_toml_str(r#"
//!     allow_origins = ["https://app.example.com", "https://*.example.org"]
//!     allow_methods = ["PUT", "DELETE"]
//!     allow_headers = ["content-type"]
//!     allow_credentials = true
//!     max_age = 600
//! "#)?;
//!
//! let mut req = CorsRequest::new(b"OPTIONS");
//! req.push_origin(b"https://shop.example.org");
//! req.push_request_method(b"PUT");
//! req.push_request_headers(b"content-type");
//!
//! let decision = policy.evaluate(&req);
//! assert_eq!(decision.kind(), RequestKind::Preflight);
//! assert_eq!(decision.action(), Action::Respond { status: 204 });
//! let acao = decision.header(CorsHeader::AllowOrigin).unwrap();
//! assert_eq!(acao.as_bytes(), b"https://shop.example.org");
//! # Ok::<(), cors_core::PolicyError>(())
//! ```
//!
//! [fetch]: https://fetch.spec.whatwg.org/#http-cors-protocol
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod config;
mod decision;
mod detached;
mod error;
#[cfg(feature = "http")]
pub mod http1;
mod matcher;
mod origin;
mod policy;
mod request;
mod token;

pub use config::PolicyConfig;
pub use decision::{
    Action, CorsHeader, Decision, Header, Headers, MAX_DECISION_HEADERS, Malformed, PolicyValue,
    Reason, RequestKind, Value, Vary,
};
pub use detached::Detached;
pub use error::{Format, Key, PolicyError, Problem, ProblemKind};
pub use origin::{MAX_ORIGIN_LEN, OriginSyntax};
pub use policy::{Policy, PolicyBuilder};
pub use request::{CorsRequest, Field, MAX_REQUEST_HEADER_LINES, names};

/// Parses an origin in serialized form, as the policy does for every request's `Origin`.
///
/// Exposed for fuzzing and tools; `Ok` means the value is an origin a policy could match.
///
/// ```
/// assert!(cors_core::check_origin(b"https://example.com").is_ok());
/// assert_eq!(cors_core::check_origin(b"https://example.com/"),
///            Err(cors_core::OriginSyntax::TrailingSlash));
/// ```
pub fn check_origin(value: &[u8]) -> Result<(), OriginSyntax> {
    origin::parse(value).map(|_| ())
}
