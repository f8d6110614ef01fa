//! Reloading a policy file when it changes (`serve --watch`), with the `notify` crate.
//!
//! The file's directory is watched, not the file: editors replace files by renaming, and
//! Kubernetes ConfigMap volumes swap a `..data` symlink beside the file, neither of which
//! a watch on the file itself would see. After each burst of changes to the file or to
//! `..`-names (100 ms quiet, 500 ms at most) the file is read again; when its bytes
//! changed, it is validated and handed over.
//!
//! ```no_run
//! use cors_core::{PolicyHandle, PolicySet};
//!
//! let loaded = std::fs::read("policy.toml").ok();
//! let handle = PolicyHandle::new(PolicySet::from_file_and_env("policy.toml")?);
//! let for_watcher = handle.clone();
//! std::thread::spawn(move || {
//!     cors_examples::watch::watch("policy.toml".as_ref(), loaded, |set| {
//!         // Counted and logged; an invalid file keeps the old policy.
//!         let _ = for_watcher.reload(set);
//!     })
//! });
//! // … give `handle` to the adapter: CorsLayer::new(handle), Cors::new(handle), …
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cors_core::{PolicyError, PolicySet};
use notify::{RecursiveMode, Watcher};

/// How long events must stop before the file is read again.
const QUIET: Duration = Duration::from_millis(100);
/// The longest a burst of events delays reading the file.
const MAX_WAIT: Duration = Duration::from_millis(500);

/// Watches `path` until the watcher fails, calling `apply` with the newly loaded set
/// ([`PolicySet::from_file_and_env`]) each time the file's content changes: `Err` with
/// every problem when the new content is invalid or unreadable.
///
/// `loaded` is the content the set in force was loaded from (read before loading it):
/// a change made before the watch starts is applied at once, not missed.
pub fn watch(
    path: &Path,
    loaded: Option<Vec<u8>>,
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
    let name = path.file_name().map(ToOwned::to_owned);
    // Changes to the file itself, or to a ConfigMap's `..data` link and `..`-directories;
    // not reads (the directory may hold logs that are read all the time).
    let relevant = |event: &notify::Result<notify::Event>| match event {
        Err(e) => {
            tracing::warn!(target: "cors", "watching {}: {e}", dir.display());
            false
        }
        Ok(e) => {
            !matches!(e.kind, notify::EventKind::Access(_))
                && e.paths.iter().any(|p| {
                    let file = p.file_name();
                    file == name.as_deref()
                        || file.is_some_and(|f| f.as_encoded_bytes().starts_with(b".."))
                })
        }
    };
    let mut last = loaded;
    loop {
        let now = std::fs::read(path).ok();
        if now != last {
            last = now;
            apply(PolicySet::from_file_and_env(path));
        }
        // The next relevant event, then until things are quiet (at most `MAX_WAIT`).
        loop {
            match rx.recv() {
                Ok(event) if relevant(&event) => break,
                Ok(_) => {}
                Err(_) => return Ok(()),
            }
        }
        let start = Instant::now();
        while start.elapsed() < MAX_WAIT && rx.recv_timeout(QUIET).is_ok() {}
    }
}
