//! Requests in process through an `http` 1.x tower service (axum's `Router`,
//! `warp::service`), and the [`checks`] whose assertions are the same for every adapter
//! whose app is one.

pub mod checks;

use std::fmt::Debug;

use ::tower::{Service, ServiceExt};
use http::{HeaderName, HeaderValue, Method, Request, Response};
use http_body_util::BodyExt;

use crate::{TestRequest, TestResponse};

/// An `http` 1.x tower service the kit can send [`TestRequest`]s through, with request
/// body `B`: any whose error and response body error can be printed.
pub trait App<B>:
    Service<Request<B>, Response = Response<Self::Body>, Error = Self::Failure>
{
    /// The response body.
    type Body: http_body::Body<Error: Debug>;
    /// The service's error.
    type Failure: Debug;
}

impl<S, B, RB> App<B> for S
where
    S: Service<Request<B>, Response = Response<RB>>,
    S::Error: Debug,
    RB: http_body::Body<Error: Debug>,
{
    type Body = RB;
    type Failure = S::Error;
}

/// Sends `req` through `svc`: header lines as given (repeated names kept); the answer's
/// names lower-case, in order, and its whole body.
///
/// Fails, saying why, when the request cannot be built (an invalid method, path, header
/// name or value), the service fails, or the body cannot be read.
pub async fn try_send<S, B>(svc: S, req: &TestRequest) -> Result<TestResponse, String>
where
    S: App<B>,
    B: Default,
{
    let request = build(req)?;
    let res = svc
        .oneshot(request)
        .await
        .map_err(|e| format!("service error: {e:?}"))?;
    let status = res.status().as_u16();
    let headers = res
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    let body = res
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("body error: {e:?}"))?
        .to_bytes()
        .to_vec();
    Ok(TestResponse {
        status,
        headers,
        body,
    })
}

/// [`try_send`], for tests: panics (a test failure) when it fails.
pub async fn send<S, B>(svc: S, req: &TestRequest) -> TestResponse
where
    S: App<B>,
    B: Default,
{
    match try_send(svc, req).await {
        Ok(res) => res,
        Err(e) => panic!("{} {}: {e}", req.method, req.path),
    }
}

/// [`try_send`] on a fresh current-thread runtime: call it outside any async runtime.
///
/// Returns [`TestResponse::UNSENDABLE`] (status 0) when the request cannot be built or
/// sent, its answer cannot be read, or the runtime cannot start.
pub fn send_blocking<S, B>(svc: S, req: &TestRequest) -> TestResponse
where
    S: App<B>,
    B: Default,
{
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return TestResponse::UNSENDABLE;
    };
    runtime
        .block_on(try_send(svc, req))
        .unwrap_or(TestResponse::UNSENDABLE)
}

fn build<B: Default>(req: &TestRequest) -> Result<Request<B>, String> {
    let method = Method::from_bytes(req.method.as_bytes())
        .map_err(|e| format!("method {:?}: {e}", req.method))?;
    let mut builder = Request::builder().method(method).uri(&req.path);
    for (name, value) in &req.headers {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| format!("header name {name:?}: {e}"))?;
        let value = HeaderValue::from_bytes(value)
            .map_err(|e| format!("header {name:?} value {value:?}: {e}"))?;
        builder = builder.header(header, value);
    }
    builder
        .body(B::default())
        .map_err(|e| format!("request {} {:?}: {e}", req.method, req.path))
}
