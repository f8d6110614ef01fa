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
//! use cors_core::{Action, CorsHeader, CorsRequest, Policy, RequestKind, Status};
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
//! assert_eq!(decision.action(), Action::Respond { status: Status::NO_CONTENT });
//! let acao = decision.header(CorsHeader::AllowOrigin).unwrap();
//! assert_eq!(acao.as_bytes(), b"https://shop.example.org");
//! # Ok::<(), cors_core::PolicyError>(())
//! ```
//!
//! [fetch]: https://fetch.spec.whatwg.org/#http-cors-protocol
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod browser;
mod config;
mod counters;
mod csrf;
mod decision;
mod error;
mod event;
mod handle;
mod header;
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub mod http1;
mod matcher;
mod origin;
mod path;
mod pending;
mod policy;
mod reason;
mod request;
mod response;
mod routes;
mod status;
mod token;
mod value;
mod vary;

pub use config::{LogLevel, PolicyConfig};
pub use csrf::{CsrfProtection, FetchSite};
pub use decision::{Action, Decision, Headers, RequestKind};
pub use error::{Format, Key, PolicyError, Problem, ProblemKind, Scope};
pub use handle::{PolicyHandle, PolicySource, Snapshot};
pub use header::CorsHeader;
pub use origin::OriginSyntax;
pub use pending::{AnswerTemplates, Pending};
pub use policy::{Policy, PolicyBuilder};
pub use reason::{Malformed, Reason};
pub use request::CorsRequest;
pub use response::ResponseHeaders;
pub use routes::{PolicySet, RouteConfig, ServiceConfig, Warning};
pub use status::Status;
pub use value::{Header, PolicyValue, Value};
pub use vary::{Vary, VaryLine};

/// Entry points for fuzzing and tools; not part of the supported API.
#[doc(hidden)]
pub mod __private {
    /// Parses an origin in serialized form, as the policy does for every request's
    /// `Origin`; `Ok` means the value is an origin a policy could match.
    pub fn check_origin(value: &[u8]) -> Result<(), crate::OriginSyntax> {
        crate::origin::parse(value).map(|_| ())
    }
}
