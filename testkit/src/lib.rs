//! What the workspace's tests share, in one unpublished crate: the case table every
//! adapter is held to ([`cases`]), the request and response types of the in-process and
//! raw-HTTP clients ([`TestRequest`], [`TestResponse`]), the in-process clients themselves
//! (modules `tower`, `actix` and `rocket`, each behind the feature of the same name), the
//! checks cors-axum and cors-warp share (`tower::checks`), the helpers that start the
//! `serve` binary ([`serve`]), canned live HTTP servers ([`canned`]), Chromium driven
//! headless with a page server ([`browser`]), the setup of the allocation-count tests ([`alloc`]), and an
//! in-memory response that decisions are written onto ([`headers`]). It also compiles and
//! runs the README's Rust examples as doctests.
//!
//! Without features it depends on cors-core, serde and toml only, so cors-core's own
//! tests (which need the case table alone) build it quickly.
//!
//! ```
//! use cors_testkit::{cases, h};
//!
//! let suite = cases::load();
//! let case = &suite.cases[0];
//! let req = case.request();
//! assert_eq!(req.method, case.method);
//! assert_eq!(h("origin", "https://a.example"), ("origin".to_owned(), b"https://a.example".to_vec()));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "actix")]
pub mod actix;
pub mod alloc;
pub mod browser;
pub mod canned;
pub mod cases;
pub mod headers;
mod message;
#[cfg(feature = "rocket")]
pub mod rocket;
pub mod serve;
#[cfg(feature = "tower")]
pub mod tower;

pub use message::{TestRequest, TestResponse, h};

/// The README's Rust examples, compiled and run as doctests by the test command.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct Readme;
