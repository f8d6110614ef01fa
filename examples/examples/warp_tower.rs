//! warp behind `cors-axum`'s tower layer, served with hyper-util: the fast path for warp
//! users (fewer instructions and allocations per request than the `cors_warp::cors!`
//! filter wrapper, see BENCHMARKS.md). `cargo run -p cors-examples --example warp_tower`
//! (listens on 127.0.0.1:8084).
//!
//! `warp::service(filter)` is the tower service `warp::serve` runs; wrapping it with
//! `cors_axum::Cors` reads the request's headers in place (no header-map clone), and since
//! `warp::service` turns rejections into responses, 404s and 405s get CORS headers too.

use cors_core::Policy;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use warp::Filter;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = Policy::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/policy.toml"))?;
    let routes = warp::path::end().map(|| String::from("hello"));
    let service = cors_axum::Cors::new(warp::service(routes), policy);

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 8084)).await?;
    println!(
        "warp (tower layer) listening on http://{}",
        listener.local_addr()?
    );
    loop {
        let (io, _) = listener.accept().await?;
        let service = TowerToHyperService::new(service.clone());
        tokio::spawn(async move {
            if let Err(e) = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(io), service)
                .await
            {
                eprintln!("connection error: {e}");
            }
        });
    }
}
