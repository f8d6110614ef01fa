//! Requests in process through actix-web's test services (`actix_web::test`).

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, Uri};
use actix_web::test;

use crate::{TestRequest, TestResponse};

/// `req` as an actix test request, header lines as given (repeated names kept); `None`
/// when actix cannot express it (an invalid method, path, header name or value).
pub fn request(req: &TestRequest) -> Option<actix_http::Request> {
    let method = Method::from_bytes(req.method.as_bytes()).ok()?;
    req.path.parse::<Uri>().ok()?;
    let mut test_req = test::TestRequest::default().method(method).uri(&req.path);
    for (name, value) in &req.headers {
        let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
        let value = HeaderValue::from_bytes(value).ok()?;
        test_req = test_req.append_header((name, value));
    }
    Some(test_req.to_request())
}

/// A service's response: names lower-case, in order, and its whole body (reading it
/// panics, as `actix_web::test::read_body` does, when the body fails).
pub async fn answer<B: MessageBody>(res: ServiceResponse<B>) -> TestResponse {
    let status = res.status().as_u16();
    let headers = lines(res.headers());
    let body = test::read_body(res).await.to_vec();
    TestResponse {
        status,
        headers,
        body,
    }
}

/// The response actix sends for an error a service returned (`error_response`), with
/// its whole body (empty when it cannot be read).
pub async fn error_answer(e: &actix_web::Error) -> TestResponse {
    let res = e.error_response();
    let status = res.status().as_u16();
    let headers = lines(res.headers());
    let body = actix_web::body::to_bytes(res.into_body())
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    TestResponse {
        status,
        headers,
        body,
    }
}

fn lines(map: &HeaderMap) -> Vec<(String, Vec<u8>)> {
    map.iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect()
}
