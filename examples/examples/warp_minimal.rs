//! The smallest warp service with CORS from a policy file:
//! `cargo run -p cors-examples --example warp_minimal` (listens on 127.0.0.1:8083).

use cors_core::Policy;
use warp::Filter;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = Policy::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/policy.toml"))?;
    let routes = warp::path::end()
        .map(|| "hello")
        // Turn rejections (404, 405) into replies inside the wrapper so they get CORS headers.
        .recover(|r: warp::Rejection| async move { Err::<String, _>(r) })
        .with(cors_warp::cors!(policy));
    warp::serve(routes).run(([127, 0, 0, 1], 8083)).await;
    Ok(())
}
