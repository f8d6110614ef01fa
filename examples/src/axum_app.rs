//! The example routes on axum. (Being written.)
