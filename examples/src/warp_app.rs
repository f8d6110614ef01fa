//! The example routes on warp, with the [`cors_warp`] wrapper around the whole app.
//!
//! Rejections are turned into responses inside the wrapper (`routes.recover(handle)`), so
//! 404s, 405s and the handler error carry CORS headers; the 404 and 405 look like warp's
//! own (an empty 404; a 405 `HTTP method not allowed`).
//!
//! ```
//! use cors_examples::{TestRequest, warp_app};
//!
//! let req = TestRequest {
//!     method: "GET".into(),
//!     path: "/no-such-route".into(),
//!     headers: vec![("Origin".into(), b"https://a.example".to_vec())],
//! };
//! let res = warp_app::in_process(&cors_core::Policy::any_origin().into(), &req);
//! assert_eq!(res.status, 404);
//! assert!(res.body.is_empty());
//! assert!(res.headers.contains(&("access-control-allow-origin".into(), b"*".to_vec())));
//! ```

use std::net::SocketAddr;

use cors_core::{PolicySet, PolicySource};
use warp::filters::BoxedFilter;
use warp::http::header::CONTENT_TYPE;
use warp::http::{HeaderValue, Method, StatusCode};
use warp::reject::{MethodNotAllowed, Reject};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::{TestRequest, TestResponse};

/// The `/error` handler's error, answered as a 500 `boom`.
#[derive(Debug)]
struct AppError;

impl Reject for AppError {}

/// Turns the app's rejections into responses, as warp itself would (but inside the CORS
/// wrapper, so that they get CORS headers); the handler error becomes a 500 `boom`.
async fn handle(r: Rejection) -> Result<Response, Rejection> {
    if r.find::<AppError>().is_some() {
        Ok(warp::reply::with_status("boom", StatusCode::INTERNAL_SERVER_ERROR).into_response())
    } else if r.is_not_found() {
        Ok(StatusCode::NOT_FOUND.into_response())
    } else if let Some(e) = r.find::<MethodNotAllowed>() {
        let mut res =
            warp::reply::with_status(e.to_string(), StatusCode::METHOD_NOT_ALLOWED).into_response();
        res.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        Ok(res)
    } else {
        // Nothing in this app rejects otherwise; warp answers as usual.
        Err(r)
    }
}

/// The example routes, rejections turned into responses.
fn app() -> impl Filter<Extract = (Response,), Error = Rejection> + Clone + Send + Sync + 'static {
    use warp::{delete, get, options, patch, path, post, put};
    let with_custom = |body: String| warp::reply::with_header(body, "x-custom", "1");
    // Paths first, then methods, so that an unknown path is a 404 and not a 405.
    let root = path::end()
        .and(get())
        .map(move || with_custom("ok".to_owned()));
    let echo = path!("echo")
        .and(
            get()
                .or(post())
                .unify()
                .or(put())
                .unify()
                .or(patch())
                .unify()
                .or(delete())
                .unify(),
        )
        .and(warp::method())
        .map(move |m: Method| with_custom(m.as_str().to_owned()));
    let vary = path!("vary")
        .and(get())
        .map(|| warp::reply::with_header("vary", "vary", "accept-encoding"));
    let error = path!("error")
        .and(get())
        .and_then(|| async { Err::<&'static str, _>(warp::reject::custom(AppError)) });
    let own_options = path!("own-options").and(options()).map(|| "own options");
    let whoami = path!("whoami")
        .and(get())
        .and(warp::header::optional::<String>("cookie"))
        .map(|cookie: Option<String>| {
            warp::reply::with_header(
                cookie.unwrap_or_default(),
                "set-cookie",
                crate::SESSION_COOKIE,
            )
        });
    // `GET /ws`: a WebSocket echo (warp's `websocket` feature).
    let ws = path!("ws")
        .and(get())
        .and(warp::ws())
        .map(|ws: warp::ws::Ws| {
            ws.on_upgrade(|socket| async move {
                use futures_util::{StreamExt, TryStreamExt};
                let (tx, rx) = socket.split();
                let echoed = rx.try_take_while(|m| std::future::ready(Ok(!m.is_close())));
                let _ = echoed.forward(tx).await;
            })
        });
    root.or(echo)
        .or(ws)
        .or(whoami)
        .or(vary)
        .or(error)
        .or(own_options)
        .map(Reply::into_response)
        .recover(handle)
        .unify()
}

/// The example app with CORS, unboxed.
pub fn with_cors(
    policy: impl cors_warp::Policies,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone + Send + Sync + 'static {
    app().with(cors_warp::cors!(policy))
}

/// The example app without CORS, unboxed (for benchmarks).
pub fn bare()
-> impl Filter<Extract = (Response,), Error = Rejection> + Clone + Send + Sync + 'static {
    app()
}

/// The example app, boxed; `None` = bare, without CORS (for benchmarks). Prefer
/// [`with_cors`] and [`bare`] where the filter type need not be named: boxing costs one
/// allocation per request.
pub fn routes(policy: Option<PolicySource>) -> BoxedFilter<(Response,)> {
    match policy {
        Some(policy) => with_cors(policy).boxed(),
        None => bare().boxed(),
    }
}

/// Runs the example routes with `policy` on `addr`, blocking the calling thread on its
/// own tokio runtime; prints `warp listening on http://<addr>` (the bound address) once
/// it accepts connections.
pub fn run(
    policy: impl Into<PolicySource>,
    addr: SocketAddr,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    run_with(Some(policy.into()), addr)
}

/// As [`run`]; `None` = the same routes without the CORS wrapper (`serve --no-cors`).
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
        crate::announce("warp", bound)?;
        // Unboxed either way, as without `--no-cors` before.
        match policy {
            Some(policy) => {
                warp::serve(with_cors(policy))
                    .incoming(listener)
                    .run()
                    .await
            }
            None => warp::serve(bare()).incoming(listener).run().await,
        }
        Ok(())
    })
}

/// Sends one request through the app (with CORS) in process; header names lower-case,
/// in order.
///
/// Goes through `warp::service` rather than `warp::test`, whose request builder replaces
/// repeated header lines. Returns status 0 when the request cannot be built (an invalid
/// method, path, header name or value) or its answer cannot be read. Builds its own runtime: call it outside any
/// async runtime.
pub fn in_process(policy: &PolicySet, req: &TestRequest) -> TestResponse {
    cors_testkit::tower::send_blocking::<_, String>(warp::service(with_cors(policy.clone())), req)
}
