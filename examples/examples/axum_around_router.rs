//! axum with the CORS layer around the whole `Router` instead of `Router::layer`:
//! preflights are answered before routing (BENCHMARKS.md, "axum with `Router::layer`").
//! `cargo run -p cors-examples --example axum_around_router` (listens on 127.0.0.1:8080).

use axum::extract::Request;
use axum::{Router, ServiceExt, routing::get};
use cors_axum::CorsLayer;
use cors_core::Policy;
use tower::Layer;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = Policy::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/policy.toml"))?;
    let router = Router::new().route("/", get(|| async { "hello" }));
    let app = CorsLayer::new(policy).layer(router);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
    axum::serve(listener, ServiceExt::<Request>::into_make_service(app)).await?;
    Ok(())
}
