//! The example routes on warp. (Being written.)
