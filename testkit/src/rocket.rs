//! Requests in process through Rocket's local blocking client.

use std::str::FromStr;

use ::rocket::http::uri::Origin;
use ::rocket::http::{Header, Method};
use ::rocket::local::blocking::{Client, LocalResponse};

use crate::{TestRequest, TestResponse};

/// Sends `req` through `client`, header lines as given; `None` when Rocket's local client
/// cannot carry it: a header value that is not UTF-8 (Rocket headers are strings), a
/// method Rocket does not know, or an invalid path.
pub fn send(client: &Client, req: &TestRequest) -> Option<TestResponse> {
    let method = Method::from_str(&req.method).ok()?;
    Origin::parse(&req.path).ok()?;
    let mut local = client.req(method, req.path.clone());
    for (name, value) in &req.headers {
        let value = String::from_utf8(value.clone()).ok()?;
        local = local.header(Header::new(name.clone(), value));
    }
    Some(answer(local.dispatch()))
}

/// A local response: names lower-case, in order, and its whole body (empty when it
/// cannot be read).
pub fn answer(res: LocalResponse<'_>) -> TestResponse {
    let status = res.status().code;
    let headers = res
        .headers()
        .iter()
        .map(|h| {
            (
                h.name().as_str().to_ascii_lowercase(),
                h.value().as_bytes().to_vec(),
            )
        })
        .collect();
    let body = res.into_bytes().unwrap_or_default();
    TestResponse {
        status,
        headers,
        body,
    }
}
