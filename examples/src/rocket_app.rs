//! The example routes on rocket. (Being written.)
