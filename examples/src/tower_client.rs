//! One request through an `http` 1.x tower service in process, for the apps whose
//! framework is a tower service (axum's `Router`, warp's `warp::service`).

use std::convert::Infallible;

use axum::http::{HeaderName, HeaderValue, Method, Request, Response};
use http_body_util::BodyExt;
use tower::{Service, ServiceExt};

use crate::{TestRequest, TestResponse};

/// Sends `req` through `service` on a fresh current-thread runtime; header names
/// lower-case, in order.
///
/// Returns status 0 when the request cannot be built (an invalid method, path, header
/// name or value) or the runtime cannot start. Call it outside any async runtime.
pub(crate) fn send<S, B, RB>(service: S, req: &TestRequest) -> TestResponse
where
    S: Service<Request<B>, Response = Response<RB>, Error = Infallible>,
    B: Default,
    RB: http_body::Body,
{
    let unsendable = TestResponse {
        status: 0,
        headers: Vec::new(),
        body: Vec::new(),
    };
    let Some(request) = build(req) else {
        return unsendable;
    };
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return unsendable;
    };
    runtime.block_on(async {
        let Ok(res) = service.oneshot(request).await;
        let status = res.status().as_u16();
        let headers = res
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
            .collect();
        let body = match res.into_body().collect().await {
            Ok(collected) => collected.to_bytes().to_vec(),
            Err(_) => Vec::new(),
        };
        TestResponse {
            status,
            headers,
            body,
        }
    })
}

fn build<B: Default>(req: &TestRequest) -> Option<Request<B>> {
    let mut builder = Request::builder()
        .method(Method::from_bytes(req.method.as_bytes()).ok()?)
        .uri(&req.path);
    for (name, value) in &req.headers {
        builder = builder.header(
            HeaderName::from_bytes(name.as_bytes()).ok()?,
            HeaderValue::from_bytes(value).ok()?,
        );
    }
    builder.body(B::default()).ok()
}
