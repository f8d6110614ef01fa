//! The example routes on actix-web, with [`cors_actix::Cors`].
//!
//! [`configure`] registers the routes; wrap the app to add CORS:
//!
//! ```
//! use actix_web::{App, test};
//! use cors_examples::actix_app;
//!
//! # actix_web::rt::System::new().block_on(async {
//! let policy = cors_core::Policy::any_origin();
//! // With CORS (the middleware must be the outermost `wrap`, i.e. the last one):
//! let app = test::init_service(
//!     App::new().wrap(cors_actix::Cors::new(policy)).configure(actix_app::configure),
//! )
//! .await;
//! let res = test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
//! assert_eq!(test::read_body(res).await, "ok");
//!
//! // Bare, for comparison:
//! let bare = test::init_service(App::new().configure(actix_app::configure)).await;
//! let res = test::call_service(&bare, test::TestRequest::get().uri("/echo").to_request()).await;
//! assert_eq!(test::read_body(res).await, "GET");
//! # });
//! ```

use std::net::SocketAddr;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header;
use actix_web::{App, Error, HttpRequest, HttpResponse, HttpServer, test, web};
use cors_actix::Cors;
use cors_core::{PolicySet, PolicySource};

use crate::{TestRequest, TestResponse};

async fn root() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("x-custom", "1"))
        .body("ok")
}

async fn echo(req: HttpRequest) -> HttpResponse {
    let method: &'static str = match *req.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        _ => "",
    };
    HttpResponse::Ok()
        .insert_header(("x-custom", "1"))
        .body(method)
}

async fn vary() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("vary", "accept-encoding"))
        .body("vary")
}

async fn error() -> Result<HttpResponse, Error> {
    Err(actix_web::error::ErrorInternalServerError("boom"))
}

async fn whoami(req: HttpRequest) -> HttpResponse {
    let cookie = req
        .headers()
        .get(header::COOKIE)
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    HttpResponse::Ok()
        .insert_header((header::SET_COOKIE, crate::SESSION_COOKIE))
        .body(cookie)
}

async fn own_options() -> HttpResponse {
    HttpResponse::Ok().body("own options")
}

/// `GET /ws`: a WebSocket echo (`actix-ws`).
async fn ws(req: HttpRequest, body: web::Payload) -> Result<HttpResponse, Error> {
    let (response, mut session, mut stream) = actix_ws::handle(&req, body)?;
    actix_web::rt::spawn(async move {
        while let Some(Ok(message)) = stream.recv().await {
            let sent = match message {
                actix_ws::Message::Text(text) => session.text(text).await,
                actix_ws::Message::Binary(bytes) => session.binary(bytes).await,
                actix_ws::Message::Ping(bytes) => session.pong(&bytes).await,
                actix_ws::Message::Close(reason) => {
                    let _ = session.close(reason).await;
                    return;
                }
                _ => Ok(()),
            };
            if sent.is_err() {
                return;
            }
        }
        let _ = session.close(None).await;
    });
    Ok(response)
}

/// Registers the example routes (see the [crate] docs); anything else is actix's own 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(root))
        .service(
            web::resource("/echo")
                .route(web::get().to(echo))
                .route(web::post().to(echo))
                .route(web::put().to(echo))
                .route(web::patch().to(echo))
                .route(web::delete().to(echo)),
        )
        .route("/vary", web::get().to(vary))
        .route("/error", web::get().to(error))
        .route("/own-options", web::method(Method::OPTIONS).to(own_options))
        .route("/whoami", web::get().to(whoami))
        .route("/ws", web::get().to(ws));
}

/// The example app with CORS: `App::new().wrap(Cors::new(policy)).configure(configure)`.
pub fn app(
    policy: impl Into<PolicySource>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new().wrap(Cors::new(policy)).configure(configure)
}

/// Runs the example routes with `policy` on `addr`, blocking the calling thread on its
/// own actix system; prints `actix listening on http://<addr>` once it accepts connections.
pub fn run(
    policy: impl Into<PolicySource>,
    addr: SocketAddr,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    run_with(Some(policy.into()), addr)
}

/// As [`run`]; `None` = the same routes without the CORS middleware
/// (`App::new().configure(configure)`, for `serve --no-cors`).
pub fn run_with(
    policy: Option<PolicySource>,
    addr: SocketAddr,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    actix_web::rt::System::new().block_on(async move {
        // The two apps have different types, hence two servers built the same way.
        let (server, bound) = match policy {
            Some(policy) => {
                let server = HttpServer::new(move || app(policy.clone())).bind(addr)?;
                let bound = server.addrs().first().copied().unwrap_or(addr);
                (server.run(), bound)
            }
            None => {
                let server = HttpServer::new(|| App::new().configure(configure)).bind(addr)?;
                let bound = server.addrs().first().copied().unwrap_or(addr);
                (server.run(), bound)
            }
        };
        crate::announce("actix", bound)?;
        server.await?;
        Ok(())
    })
}

/// Sends one request through the app (with CORS) in process; header names lower-case.
///
/// Returns status 0 when the request cannot be expressed (an invalid method, path or
/// header). Builds its own actix system: call it outside any async runtime.
pub fn in_process(policy: &PolicySet, req: &TestRequest) -> TestResponse {
    let Some(request) = cors_testkit::actix::request(req) else {
        return TestResponse::UNSENDABLE;
    };
    let policy = policy.clone();
    actix_web::rt::System::new().block_on(async move {
        let app = test::init_service(app(policy)).await;
        match app.call(request).await {
            Ok(res) => cors_testkit::actix::answer(res).await,
            Err(e) => cors_testkit::actix::error_answer(&e).await,
        }
    })
}
