//! The checks whose assertions are the same for every adapter whose app is a tower
//! service (cors-axum's `Router`, cors-warp's `warp::service`). Each takes the app, built
//! from a policy, with the `serve` example's routes plus:
//!
//! | route | answer |
//! |---|---|
//! | `GET /own-acao` | 200 with its own `Access-Control-Allow-Origin: *`, `…-Allow-Credentials: false`, `…-Expose-Headers: x-secret` |
//! | `GET /vary-origin` | 200 with its own `Vary: Accept, Origin` |
//! | `GET /vary-star` | 200 with its own `Vary: *` |
//! | `OPTIONS /own-options` | 200 `own options`, counting its calls |

use std::sync::atomic::{AtomicUsize, Ordering};

use cors_core::PolicySource;

use super::App;

use crate::cases::{self, Sent, basic};
use crate::{TestRequest, TestResponse, h};

/// One request through `svc` ([`send`](super::send): a failure to send panics).
async fn call<S, B>(svc: S, method: &str, path: &str, headers: &[(String, Vec<u8>)]) -> TestResponse
where
    S: App<B>,
    B: Default,
{
    super::send(svc, &TestRequest::new(method, path, headers)).await
}

/// Every case of the shared suite through `app(policy)`, checked by
/// [`Suite::run_every_case_async`](crate::cases::Suite::run_every_case_async): none may
/// be skipped, and answers have no body and no Content-Type.
pub async fn every_shared_case_passes<S, B>(app: impl Fn(PolicySource) -> S)
where
    S: App<B>,
    B: Default,
{
    cases::load()
        .run_every_case_async(
            "in process",
            &[],
            async |policy, case| match super::try_send(app(policy.clone().into()), &case.request())
                .await
            {
                Ok(res) => Sent::Answer(res),
                Err(e) => Sent::Failed(e),
            },
        )
        .await;
}

/// The handler's `Vary` (routes `/vary`, `/vary-origin`, `/vary-star`) is kept and ours
/// appended without repeats.
pub async fn the_handlers_vary_is_kept_and_ours_appended<S, B>(app: impl Fn(PolicySource) -> S)
where
    S: App<B>,
    B: Default,
{
    let origin = [h("origin", "https://app.example.com")];
    let r = call(app(basic().into()), "GET", "/vary", &origin).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.values("vary"), [&b"accept-encoding"[..], b"origin"]);

    // Items the handler already names (in any case) are not repeated.
    let r = call(app(basic().into()), "GET", "/vary-origin", &origin).await;
    assert_eq!(r.values("vary"), [&b"Accept, Origin"[..]]);

    // `Vary: *` is left alone.
    let r = call(app(basic().into()), "GET", "/vary-star", &origin).await;
    assert_eq!(r.values("vary"), [&b"*"[..]]);

    // Requests without Origin get the same Vary.
    let r = call(app(basic().into()), "GET", "/vary", &[]).await;
    assert_eq!(r.values("vary"), [&b"accept-encoding"[..], b"origin"]);
}

/// The handler's own CORS headers (route `/own-acao`) never survive beside ours.
pub async fn the_handlers_own_cors_headers_are_replaced<S, B>(app: impl Fn(PolicySource) -> S)
where
    S: App<B>,
    B: Default,
{
    let r = call(
        app(basic().into()),
        "GET",
        "/own-acao",
        &[h("origin", "https://app.example.com")],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.values("access-control-allow-origin"),
        [&b"https://app.example.com"[..]]
    );
    assert_eq!(r.values("access-control-allow-credentials"), [&b"true"[..]]);
    assert_eq!(
        r.values("access-control-expose-headers"),
        [&b"x-custom"[..]]
    );

    // A refused origin never sees the handler's own ACAO either.
    let r = call(
        app(basic().into()),
        "GET",
        "/own-acao",
        &[h("origin", "https://evil.example.com")],
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.values("access-control-allow-origin").is_empty());
    assert!(r.values("access-control-allow-credentials").is_empty());
    assert!(r.values("access-control-expose-headers").is_empty());
}

/// Preflights to `/own-options`, whose handler counts its calls in `hits`, never reach
/// it; an `OPTIONS` that is not a preflight does.
pub async fn an_allowed_preflight_never_reaches_the_handler<S, B>(app: S, hits: &AtomicUsize)
where
    S: App<B> + Clone,
    B: Default,
{
    let preflight = [
        h("origin", "https://app.example.com"),
        h("access-control-request-method", "PUT"),
    ];
    let r = call(app.clone(), "OPTIONS", "/own-options", &preflight).await;
    assert_eq!(r.status, 204);
    assert_eq!(hits.load(Ordering::SeqCst), 0);

    // A refused preflight does not reach it either.
    let refused = [
        h("origin", "https://evil.example.com"),
        h("access-control-request-method", "PUT"),
    ];
    let r = call(app.clone(), "OPTIONS", "/own-options", &refused).await;
    assert_eq!(r.status, 403);
    assert_eq!(hits.load(Ordering::SeqCst), 0);

    // An OPTIONS that is not a preflight does.
    let r = call(
        app,
        "OPTIONS",
        "/own-options",
        &[h("origin", "https://app.example.com")],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"own options");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

/// Answers to preflights (allowed and refused) to `/echo`, which has no OPTIONS route:
/// no Content-Type, no body, the full preflight `Vary`.
pub async fn preflight_answers_have_no_content_type_and_no_body<S, B>(
    app: impl Fn(PolicySource) -> S,
) where
    S: App<B>,
    B: Default,
{
    for (origin, status) in [
        ("https://app.example.com", 204),
        ("https://evil.example.com", 403),
    ] {
        let r = call(
            app(basic().into()),
            "OPTIONS",
            "/echo",
            &[
                h("origin", origin),
                h("access-control-request-method", "PUT"),
            ],
        )
        .await;
        assert_eq!(r.status, status);
        assert!(r.values("content-type").is_empty(), "{:?}", r.headers);
        assert!(r.values("content-length").iter().all(|v| *v == b"0"));
        assert!(r.body.is_empty());
        assert_eq!(
            r.values("vary"),
            [&b"origin, access-control-request-method, access-control-request-headers"[..]]
        );
    }
}

/// Malformed and hostile header values through `app(basic().into())`: an answer, never a panic.
pub async fn hostile_requests_never_panic<S, B>(app: impl Fn(PolicySource) -> S)
where
    S: App<B>,
    B: Default,
{
    let weird: Vec<Vec<(String, Vec<u8>)>> = vec![
        vec![(String::from("origin"), vec![0xff; 64])],
        vec![
            h("origin", "https://app.example.com"),
            (
                String::from("access-control-request-method"),
                vec![0x80, 0xfe],
            ),
        ],
        vec![
            h("origin", ""),
            h("access-control-request-method", ""),
            h("access-control-request-headers", ""),
        ],
        (0..100)
            .map(|_| h("access-control-request-headers", "x"))
            .chain([
                h("origin", "https://app.example.com"),
                h("access-control-request-method", "PUT"),
            ])
            .collect(),
    ];
    for headers in &weird {
        for method in ["GET", "OPTIONS", "PROPFIND"] {
            let r = call(app(basic().into()), method, "/echo", headers).await;
            assert!(r.status < 600);
        }
    }
}
