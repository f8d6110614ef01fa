//! Every shared case (cors-testkit's `cases.toml`) through the actix adapter, in process,
//! plus the adapter's own guarantees.

use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::{App, HttpRequest, HttpResponse, test, web};
use cors_actix::Cors;
use cors_core::{Policy, PolicySet};
use cors_testkit::actix::{answer, error_answer};
use cors_testkit::cases::{self, Sent, basic};
use cors_testkit::{TestRequest, h};

// ------------------------------------------------------------------ the app's routes

async fn root() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("x-custom", "1"))
        .body("ok")
}

async fn echo(req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("x-custom", "1"))
        .body(req.method().as_str().to_owned())
}

async fn vary() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("vary", "accept-encoding"))
        .body("vary")
}

async fn error() -> Result<HttpResponse, actix_web::Error> {
    Err(actix_web::error::ErrorInternalServerError("boom"))
}

/// Counts the requests that reach `OPTIONS /own-options`.
static OWN_OPTIONS_CALLS: AtomicUsize = AtomicUsize::new(0);

async fn own_options() -> HttpResponse {
    OWN_OPTIONS_CALLS.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok().body("own options")
}

/// A handler setting its own CORS headers, which the adapter must replace.
async fn own_acao() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("access-control-allow-origin", "*"))
        .insert_header(("access-control-expose-headers", "x-secret"))
        .body("own acao")
}

fn echo_resource() -> actix_web::Resource {
    web::resource("/echo")
        .route(web::get().to(echo))
        .route(web::post().to(echo))
        .route(web::put().to(echo))
        .route(web::patch().to(echo))
        .route(web::delete().to(echo))
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(root))
        .service(echo_resource())
        .route("/vary", web::get().to(vary))
        .route("/error", web::get().to(error))
        .route("/own-options", web::method(Method::OPTIONS).to(own_options))
        .route("/own-acao", web::get().to(own_acao));
}

/// The same routes, each resource wrapped on its own.
fn wrapped_resources(cfg: &mut web::ServiceConfig, policy: &PolicySet) {
    let cors = || Cors::new(policy.clone());
    cfg.service(web::resource("/").wrap(cors()).route(web::get().to(root)))
        .service(echo_resource().wrap(cors()))
        .service(
            web::resource("/vary")
                .wrap(cors())
                .route(web::get().to(vary)),
        )
        .service(
            web::resource("/error")
                .wrap(cors())
                .route(web::get().to(error)),
        )
        .service(
            web::resource("/own-options")
                .wrap(cors())
                .route(web::method(Method::OPTIONS).to(own_options)),
        );
}

// ------------------------------------------------------------------ helpers

fn request(method: &str, path: &str, headers: &[(String, Vec<u8>)]) -> actix_http::Request {
    cors_testkit::actix::request(&TestRequest::new(method, path, headers))
        .expect("an actix request")
}

/// Runs every case through `app(policy)` with paths under `prefix`, except the cases
/// named in `skip`, which must exist.
async fn every_case<F, S, B>(label: &str, prefix: &str, skip: &[&str], app: F)
where
    F: Fn(&PolicySet) -> S,
    S: std::future::Future,
    S::Output:
        Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    let suite = cases::load();
    // Routes match whole paths: under a prefix the route cases' paths are other paths.
    let mut skip = skip.to_vec();
    if !prefix.is_empty() {
        skip.extend(
            suite
                .cases
                .iter()
                .filter(|c| suite.services.contains_key(&c.policy))
                .map(|c| c.name.as_str()),
        );
    }
    let skip = &skip[..];
    suite
        .run_every_case_async(label, skip, async |policy, case| {
            if skip.contains(&case.name.as_str()) {
                return Sent::Skipped;
            }
            let svc = app(policy).await;
            let path = format!("{prefix}{}", case.path);
            let req = TestRequest::new(&case.method, &path, &case.header_lines());
            let Some(req) = cors_testkit::actix::request(&req) else {
                return Sent::Failed("actix cannot express the request".into());
            };
            match svc.call(req).await {
                Ok(res) => Sent::Answer(answer(res).await),
                Err(e) => Sent::Failed(format!("service error {e}")),
            }
        })
        .await;
}

// ------------------------------------------------------------------ the shared cases

#[actix_web::test]
async fn every_case_with_app_wrap() {
    every_case("App::wrap", "", &[], |p| {
        test::init_service(App::new().wrap(Cors::new(p.clone())).configure(routes))
    })
    .await;
}

#[actix_web::test]
async fn every_case_with_scope_wrap() {
    every_case("Scope::wrap", "/api", &[], |p| {
        test::init_service(
            App::new().service(
                web::scope("/api")
                    .wrap(Cors::new(p.clone()))
                    .configure(routes),
            ),
        )
    })
    .await;
}

#[actix_web::test]
async fn every_case_with_resource_wrap() {
    // With the middleware on each resource, a path matching no resource never reaches it.
    let skip = [
        "no origin on an any-origin policy: a 404 carries ACAO * too",
        "404 responses carry CORS headers",
        "routes: a 404 under a routed prefix gets the route's policy",
        "routes: csrf_protection applies only on its routes",
    ];
    every_case("Resource::wrap", "", &skip, |p| {
        let p = p.clone();
        test::init_service(App::new().configure(move |cfg| wrapped_resources(cfg, &p)))
    })
    .await;
}

// ------------------------------------------------------------------ the adapter's guarantees

#[actix_web::test]
async fn handler_vary_is_kept_and_ours_appended() {
    let app = test::init_service(App::new().wrap(Cors::new(basic())).configure(routes)).await;
    let req = request("GET", "/vary", &[h("origin", "https://app.example.com")]);
    let a = answer(app.call(req).await.expect("response")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.values("vary"), [&b"accept-encoding"[..], b"origin"]);
    assert_eq!(a.body, b"vary");
}

#[actix_web::test]
async fn handler_acao_is_replaced() {
    let app = test::init_service(App::new().wrap(Cors::new(basic())).configure(routes)).await;
    let req = request(
        "GET",
        "/own-acao",
        &[h("origin", "https://app.example.com")],
    );
    let a = answer(app.call(req).await.expect("response")).await;
    assert_eq!(
        a.values("access-control-allow-origin"),
        [b"https://app.example.com"]
    );
    assert_eq!(a.values("access-control-expose-headers"), [b"x-custom"]);

    // A refused origin gets none at all, not the handler's `*`.
    let req = request(
        "GET",
        "/own-acao",
        &[h("origin", "https://evil.example.com")],
    );
    let a = answer(app.call(req).await.expect("response")).await;
    assert!(a.values("access-control-allow-origin").is_empty(), "{a:?}");
    assert!(
        a.values("access-control-expose-headers").is_empty(),
        "{a:?}"
    );
    assert_eq!(a.values("vary"), [b"origin"]);
}

#[actix_web::test]
async fn answered_preflights_never_reach_the_handler() {
    static REACHED: AtomicUsize = AtomicUsize::new(0);
    let app = test::init_service(
        App::new()
            .wrap_fn(|req, srv| {
                REACHED.fetch_add(1, Ordering::SeqCst);
                srv.call(req)
            })
            .wrap(Cors::new(basic()))
            .configure(routes),
    )
    .await;
    let before = OWN_OPTIONS_CALLS.load(Ordering::SeqCst);
    for (acrm, status) in [("PUT", 204), ("PROPFIND", 403)] {
        let req = request(
            "OPTIONS",
            "/own-options",
            &[
                h("origin", "https://app.example.com"),
                h("access-control-request-method", acrm),
            ],
        );
        let a = answer(app.call(req).await.expect("response")).await;
        assert_eq!(a.status, status);
        assert!(a.values("content-type").is_empty(), "{a:?}");
        assert!(a.body.is_empty());
    }
    assert_eq!(REACHED.load(Ordering::SeqCst), 0);

    // Without ACRM it is an actual request: the app's own OPTIONS handler answers.
    let req = request(
        "OPTIONS",
        "/own-options",
        &[h("origin", "https://app.example.com")],
    );
    let a = answer(app.call(req).await.expect("response")).await;
    assert_eq!((a.status, a.body.as_slice()), (200, &b"own options"[..]));
    assert_eq!(REACHED.load(Ordering::SeqCst), 1);
    assert!(OWN_OPTIONS_CALLS.load(Ordering::SeqCst) > before);
}

#[actix_web::test]
async fn inner_service_errors_are_decorated() {
    let app = test::init_service(
        App::new()
            .wrap_fn(|_req, _srv| async {
                Err::<ServiceResponse, _>(actix_web::error::ErrorBadRequest("nope"))
            })
            .wrap(Cors::new(basic()))
            .configure(routes),
    )
    .await;
    let req = request("GET", "/", &[h("origin", "https://app.example.com")]);
    let err = match app.call(req).await {
        Err(e) => e,
        Ok(res) => panic!("expected the inner error, got {:?}", res.status()),
    };
    assert_eq!(err.to_string(), "nope");
    let a = error_answer(&err).await;
    assert_eq!(a.status, 400);
    assert_eq!(
        a.values("access-control-allow-origin"),
        [b"https://app.example.com"]
    );
    assert_eq!(a.values("vary"), [b"origin"]);
}

#[actix_web::test]
async fn handler_errors_are_decorated() {
    let app = test::init_service(App::new().wrap(Cors::new(basic())).configure(routes)).await;
    let req = request("GET", "/error", &[h("origin", "https://app.example.com")]);
    let res = app.call(req).await.expect("response");
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(res.response().error().is_some());
    let a = answer(res).await;
    assert_eq!(a.body, b"boom");
    assert_eq!(a.values("access-control-allow-credentials"), [b"true"]);
}

#[actix_web::test]
async fn echoed_values_are_the_request_bytes() {
    let policy = Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = ["*"]
        allow_headers = ["*"]
        allow_credentials = true
        "#,
    )
    .expect("policy");
    let app = test::init_service(App::new().wrap(Cors::new(policy)).configure(routes)).await;
    let req = request(
        "OPTIONS",
        "/echo",
        &[
            h("origin", "https://app.example.com"),
            h("access-control-request-method", "REPORT"),
            h("access-control-request-headers", "x-a"),
            h("access-control-request-headers", "x-b, x-c"),
        ],
    );
    let a = answer(app.call(req).await.expect("response")).await;
    assert_eq!(a.status, 204);
    assert_eq!(a.values("access-control-allow-methods"), [b"REPORT"]);
    assert_eq!(
        a.values("access-control-allow-headers"),
        [&b"x-a"[..], b"x-b, x-c"]
    );
    assert_eq!(
        a.values("vary"),
        [&b"origin, access-control-request-method, access-control-request-headers"[..]]
    );
}
