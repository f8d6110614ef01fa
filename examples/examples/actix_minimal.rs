//! The smallest actix-web service with CORS from a policy file:
//! `cargo run -p cors-examples --example actix_minimal` (listens on 127.0.0.1:8081).

use actix_web::{App, HttpServer, web};
use cors_actix::Cors;
use cors_core::Policy;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let policy = Policy::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/policy.toml"))
        .map_err(std::io::Error::other)?;
    HttpServer::new(move || {
        App::new()
            .wrap(Cors::new(policy.clone()))
            .route("/", web::get().to(|| async { "hello" }))
    })
    .bind("127.0.0.1:8081")?
    .run()
    .await
}
