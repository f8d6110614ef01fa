//! The example routes on axum, with [`cors_axum::CorsLayer`] around the whole router.
//!
//! ```
//! use cors_examples::{TestRequest, axum_app};
//!
//! let req = TestRequest {
//!     method: "GET".into(),
//!     path: "/".into(),
//!     headers: vec![("Origin".into(), b"https://a.example".to_vec())],
//! };
//! let res = axum_app::in_process(&cors_core::Policy::any_origin().into(), &req);
//! assert_eq!(res.status, 200);
//! assert_eq!(res.body, b"ok");
//! assert!(res.headers.contains(&("access-control-allow-origin".into(), b"*".to_vec())));
//! ```

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::header::VARY;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, options};
use cors_axum::CorsLayer;
use cors_core::{PolicySet, PolicySource};

use crate::{TestRequest, TestResponse};

/// The `/error` handler's error: a 500 `boom`.
struct AppError;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response()
    }
}

async fn root() -> impl IntoResponse {
    ([("x-custom", "1")], "ok")
}

async fn echo(method: Method) -> impl IntoResponse {
    ([("x-custom", "1")], method.as_str().to_owned())
}

async fn vary() -> impl IntoResponse {
    ([(VARY, "accept-encoding")], "vary")
}

async fn error() -> Result<&'static str, AppError> {
    Err(AppError)
}

async fn whoami(headers: axum::http::HeaderMap) -> impl IntoResponse {
    let cookie = headers
        .get(axum::http::header::COOKIE)
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    (
        [(axum::http::header::SET_COOKIE, crate::SESSION_COOKIE)],
        cookie,
    )
}

async fn own_options() -> &'static str {
    "own options"
}

/// `GET /ws`: a WebSocket echo (axum's `ws` feature).
async fn ws(upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(echo_socket)
}

async fn echo_socket(mut socket: WebSocket) {
    while let Some(Ok(message)) = socket.recv().await {
        match message {
            Message::Text(_) | Message::Binary(_) => {
                if socket.send(message).await.is_err() {
                    break;
                }
            }
            Message::Close(_) => break,
            Message::Ping(_) | Message::Pong(_) => {}
        }
    }
}

/// The example app; `None` = bare, without the CORS layer (for benchmarks). Unmatched
/// paths get axum's own 404 and unmatched methods its 405, through the layer.
pub fn router(policy: Option<PolicySource>) -> Router {
    let router = Router::new()
        .route("/", get(root))
        .route(
            "/echo",
            get(echo).post(echo).put(echo).patch(echo).delete(echo),
        )
        .route("/vary", get(vary))
        .route("/error", get(error))
        .route("/own-options", options(own_options))
        .route("/whoami", get(whoami))
        .route("/ws", get(ws));
    match policy {
        Some(policy) => router.layer(CorsLayer::new(policy)),
        None => router,
    }
}

/// Runs the example routes with `policy` on `addr`, blocking the calling thread on its
/// own tokio runtime; prints `axum listening on http://<addr>` (the bound address) once
/// it accepts connections.
pub fn run(
    policy: impl Into<PolicySource>,
    addr: SocketAddr,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    run_with(Some(policy.into()), addr)
}

/// As [`run`]; `None` = the same routes without the CORS layer (`serve --no-cors`).
pub fn run_with(
    policy: Option<PolicySource>,
    addr: SocketAddr,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let bound = listener.local_addr()?;
        crate::announce("axum", bound)?;
        axum::serve(listener, router(policy)).await?;
        Ok(())
    })
}

/// Sends one request through the app (with CORS) in process (`tower::ServiceExt::oneshot`);
/// header names lower-case, in order.
///
/// Returns status 0 when the request cannot be built (an invalid method, path, header
/// name or value) or its answer cannot be read. Builds its own runtime: call it outside
/// any async runtime.
pub fn in_process(policy: &PolicySet, req: &TestRequest) -> TestResponse {
    cors_testkit::tower::send_blocking::<_, Body>(router(Some(policy.clone().into())), req)
}
