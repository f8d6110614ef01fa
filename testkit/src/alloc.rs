//! The setup the adapters' allocation tests share: the policy they run and the warm-up
//! before counting. The counting itself stays in each test crate
//! (`allocation_counter::measure`): that crate replaces the global allocator of whatever
//! links it, so this kit, which the `serve` binary links, must not.
//!
//! ```
//! use cors_testkit::alloc::after_warm_up;
//!
//! let mut runs = Vec::new();
//! let counted = after_warm_up(1, || 10, |n| runs.push(n));
//! counted(); // what a test hands to `allocation_counter::measure`
//! assert_eq!(runs, [1, 10]);
//! ```

/// The policy cors-actix, cors-axum and cors-warp measure: one origin, one method, one
/// request header, an exposed header, credentials and a max age, so that every kind of
/// decision writes every header it can.
pub const POLICY: &str = r#"
allow_origins = ["https://app.example.com"]
allow_methods = ["PUT"]
allow_headers = ["content-type"]
expose_headers = ["x-custom"]
allow_credentials = true
max_age = 600
"#;

/// The header lines of a preflight [`POLICY`] allows.
pub const PREFLIGHT: [(&str, &str); 3] = [
    ("origin", "https://app.example.com"),
    ("access-control-request-method", "PUT"),
    ("access-control-request-headers", "content-type"),
];

/// Runs `run(warm_up)` now, so that lazily initialised caches (globset's regex pools,
/// tracing's callsite registry, a framework's request pool) are filled, then builds the
/// batch (`batch()`), and returns the run to count: `run` on that batch.
pub fn after_warm_up<T>(
    warm_up: T,
    batch: impl FnOnce() -> T,
    mut run: impl FnMut(T),
) -> impl FnOnce() {
    run(warm_up);
    let batch = batch();
    move || run(batch)
}

#[cfg(feature = "tower")]
pub use on_tower::{ready_calls, requests};

#[cfg(feature = "tower")]
mod on_tower {
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use ::tower::Service;
    use http::{HeaderValue, Request};

    /// `count` requests with these static header lines (values borrowed, not copied).
    pub fn requests<B: Default>(
        count: usize,
        method: &str,
        headers: &[(&'static str, &'static str)],
    ) -> Vec<Request<B>> {
        (0..count)
            .map(|_| {
                let mut req = Request::builder().method(method).uri("/");
                for (n, v) in headers {
                    req = req.header(*n, HeaderValue::from_static(v));
                }
                req.body(B::default()).expect("a valid request")
            })
            .collect()
    }

    /// Calls `svc` on the last request as a warm-up, and returns the run to count: calling
    /// it on each other request and polling the response future once, with a no-op waker,
    /// to completion. The service must answer without awaiting anything (a test app):
    /// a pending future panics.
    pub fn ready_calls<S, R>(mut svc: S, mut requests: Vec<R>) -> impl FnOnce()
    where
        S: Service<R>,
    {
        let mut cx = Context::from_waker(Waker::noop());
        if let Some(req) = requests.pop() {
            let _ = pin!(svc.call(req)).poll(&mut cx);
        }
        move || {
            for req in requests {
                let fut = pin!(svc.call(req));
                let Poll::Ready(Ok(res)) = fut.poll(&mut cx) else {
                    panic!("not ready");
                };
                drop(res);
            }
        }
    }
}
