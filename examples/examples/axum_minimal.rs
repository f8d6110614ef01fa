//! The smallest axum service with CORS from a policy file:
//! `cargo run -p cors-examples --example axum_minimal` (listens on 127.0.0.1:8080).

use axum::{Router, routing::get};
use cors_axum::CorsLayer;
use cors_core::Policy;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = Policy::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/policy.toml"))?;
    let app = Router::new()
        .route("/", get(|| async { "hello" }))
        .layer(CorsLayer::new(policy));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
