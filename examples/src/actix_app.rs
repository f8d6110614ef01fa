//! The example routes on actix. (Being written.)
