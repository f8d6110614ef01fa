//! Reloading a policy file when it changes (`serve --watch`), with the `notify` crate.
//!
//! The file's directory is watched, not the file: editors replace files by renaming, and
//! Kubernetes ConfigMap volumes swap a `..data` symlink beside the file, neither of which
//! a watch on the file itself would see. After each burst of events (100 ms quiet) the
//! file is read again; when its bytes changed, it is validated and handed over.
//!
//! ```no_run
//! use cors_core::{PolicyHandle, PolicySet};
//!
//! let handle = PolicyHandle::new(PolicySet::from_file_and_env("policy.toml")?);
//! let for_watcher = handle.clone();
//! std::thread::spawn(move || {
//!     cors_examples::watch::watch("policy.toml".as_ref(), |set| {
//!         // Counted and logged; an invalid file keeps the old policy.
//!         let _ = for_watcher.reload(set);
//!     })
//! });
//! // … give `handle` to the adapter: CorsLayer::new(handle), Cors::new(handle), …
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use cors_core::{PolicyError, PolicySet};
use notify::{RecursiveMode, Watcher};

/// How long events must stop before the file is read again.
const QUIET: Duration = Duration::from_millis(100);

/// Watches `path` until the watcher fails, calling `apply` with the newly loaded set
/// ([`PolicySet::from_file_and_env`]) each time the file's content changes: `Err` with
/// every problem when the new content is invalid or unreadable.
pub fn watch(
    path: &Path,
    mut apply: impl FnMut(Result<PolicySet, PolicyError>),
) -> notify::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })?;
    watcher.watch(dir, RecursiveMode::NonRecursive)?;
    let mut last = std::fs::read(path).ok();
    while let Ok(event) = rx.recv() {
        if let Err(e) = event {
            tracing::warn!(target: "cors", "watching {}: {e}", dir.display());
        }
        while rx.recv_timeout(QUIET).is_ok() {}
        let now = std::fs::read(path).ok();
        if now == last {
            continue;
        }
        last = now;
        apply(PolicySet::from_file_and_env(path));
    }
    Ok(())
}
