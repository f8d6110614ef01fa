//! Reloading the CORS policies from anywhere, without a restart: an axum service whose
//! admin endpoint takes a new whole-service policy file and puts it in force.
//!
//! ```text
//! cargo run -p cors-examples --example reload          # listens on 127.0.0.1:8080
//! curl -X PUT --data-binary @examples/policy.toml http://127.0.0.1:8080/admin/cors
//! curl -X PUT --data 'allow_origins = ["null"]' http://127.0.0.1:8080/admin/cors
//! # 422 with every problem; the old policy stays in force
//! ```
//!
//! The same handle reloads from a database row, a message, a file watcher
//! (`cors_examples::watch`): anything that yields the text of a policy file. Requests in
//! flight finish under the policy they started with; the next ones use the new one.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Router, routing::get, routing::put};
use cors_axum::CorsLayer;
use cors_core::{PolicyHandle, PolicySet};

/// Validates the body as a policy file (TOML) and puts it in force, or answers 422 with
/// every problem (the policy in force stays).
async fn replace_policy(State(handle): State<PolicyHandle>, body: String) -> (StatusCode, String) {
    match handle.reload(PolicySet::from_toml_str(&body)) {
        Ok(()) => (StatusCode::OK, "reloaded\n".into()),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, format!("{e}\n")),
    }
}

/// The service: the API under the CORS layer, the admin endpoint outside it (it is not for
/// browsers; protect it as any admin endpoint).
fn app(handle: PolicyHandle) -> Router {
    let api = Router::new()
        .route("/", get(|| async { "hello" }))
        .layer(CorsLayer::new(handle.clone()));
    let admin = Router::new()
        .route("/admin/cors", put(replace_policy))
        .with_state(handle);
    api.merge(admin)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let set = PolicySet::from_file_and_env(concat!(env!("CARGO_MANIFEST_DIR"), "/policy.toml"))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
    axum::serve(listener, app(PolicyHandle::new(set))).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    async fn acao(app: &Router, origin: &str) -> Option<String> {
        let req = Request::get("/")
            .header("origin", origin)
            .body(Body::empty())
            .unwrap();
        let res = app.clone().oneshot(req).await.unwrap();
        res.headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_owned())
    }

    async fn put_policy(app: &Router, text: &str) -> StatusCode {
        let req = Request::put("/admin/cors")
            .body(Body::from(text.to_owned()))
            .unwrap();
        app.clone().oneshot(req).await.unwrap().status()
    }

    #[tokio::test]
    async fn the_admin_endpoint_reloads_and_refuses_invalid_policies() {
        let set = PolicySet::from_toml_str(r#"allow_origins = ["https://a.example"]"#).unwrap();
        let app = app(PolicyHandle::new(set));
        assert_eq!(
            acao(&app, "https://a.example").await.as_deref(),
            Some("https://a.example")
        );
        assert_eq!(
            put_policy(&app, r#"allow_origins = ["https://b.example"]"#).await,
            StatusCode::OK
        );
        assert_eq!(acao(&app, "https://a.example").await, None);
        assert_eq!(
            acao(&app, "https://b.example").await.as_deref(),
            Some("https://b.example")
        );
        assert_eq!(
            put_policy(&app, r#"allow_origins = ["null"]"#).await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            acao(&app, "https://b.example").await.as_deref(),
            Some("https://b.example")
        );
    }
}
