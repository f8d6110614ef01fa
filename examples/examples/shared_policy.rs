//! Two services on two frameworks, one policy file: an axum API on 127.0.0.1:8090 and an
//! actix-web API on 127.0.0.1:8091, both loading the same `policy.toml` (or the file given
//! as the first argument), so a browser sees identical CORS answers from both.
//!
//! `cargo run -p cors-examples --example shared_policy -- [POLICY_FILE]`

use cors_core::Policy;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/policy.toml").to_owned());
    // One policy, validated once; every problem is printed if it is invalid.
    let policy = Policy::from_file(&path)?;

    let for_axum = policy.clone();
    let axum = std::thread::spawn(move || -> std::io::Result<()> {
        let rt = tokio::runtime::Runtime::new()?;
        rt.block_on(async move {
            let app = axum::Router::new()
                .route("/", axum::routing::get(|| async { "axum says hi" }))
                .layer(cors_axum::CorsLayer::new(for_axum));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:8090").await?;
            axum::serve(listener, app).await
        })
    });

    actix_web::rt::System::new().block_on(async move {
        actix_web::HttpServer::new(move || {
            actix_web::App::new()
                .wrap(cors_actix::Cors::new(policy.clone()))
                .route("/", actix_web::web::get().to(|| async { "actix says hi" }))
        })
        .bind("127.0.0.1:8091")?
        .run()
        .await
    })?;
    axum.join().map_err(|_| "axum thread panicked")??;
    Ok(())
}
