//! The smallest Rocket service with CORS from a policy file:
//! `cargo run -p cors-examples --example rocket_minimal` (listens on 127.0.0.1:8082).

use cors_core::Policy;
use cors_rocket::Cors;
use rocket::{get, routes};

#[get("/")]
fn hello() -> &'static str {
    "hello"
}

#[rocket::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = Policy::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/policy.toml"))?;
    let config = rocket::Config {
        port: 8082,
        ..rocket::Config::default()
    };
    rocket::custom(config)
        .attach(Cors::new(policy))
        .mount("/", routes![hello])
        .launch()
        .await?;
    Ok(())
}
