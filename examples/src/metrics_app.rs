//! `serve --metrics`: the Prometheus text of the process's metrics at `GET /metrics`, on a
//! listener of its own (apart from the CORS-wrapped routes, so that a scraper needs no
//! `Origin` and the metrics are never behind a policy).

use std::net::SocketAddr;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The Prometheus text exposition format's content type.
pub const CONTENT_TYPE_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Installs the Prometheus recorder as the process's global `metrics` recorder, or says
/// why it cannot (another recorder is installed already).
///
/// ```
/// let handle = cors_examples::metrics_app::install()?;
/// assert!(cors_examples::metrics_app::install().is_err()); // one per process
/// cors_core::Policy::any_origin().with_metrics_label("framework", "doc").register_metrics();
/// assert!(handle.render().contains(r#"cors_requests_total{kind="actual",outcome="allowed",reason="",framework="doc"} 0"#));
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
pub fn install() -> Result<PrometheusHandle, Box<dyn std::error::Error + Send + Sync>> {
    Ok(PrometheusBuilder::new().install_recorder()?)
}

/// The metrics route: `GET /metrics` answers the rendered metrics; anything else is a 404.
pub fn router(handle: PrometheusHandle) -> Router {
    Router::new().route(
        "/metrics",
        get(move || async move {
            // Upkeep drains histogram buffers; counters need none, but it is cheap and
            // keeps the page right if histograms are added.
            handle.run_upkeep();
            ([(CONTENT_TYPE, CONTENT_TYPE_TEXT)], handle.render()).into_response()
        }),
    )
}

/// Serves [`router`] on `addr`, blocking the calling thread on its own tokio runtime;
/// prints `metrics listening on http://<addr>` (the bound address) once it accepts
/// connections.
pub fn run(
    handle: PrometheusHandle,
    addr: SocketAddr,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let bound = listener.local_addr()?;
        crate::announce("metrics", bound)?;
        axum::serve(listener, router(handle)).await?;
        Ok(())
    })
}
