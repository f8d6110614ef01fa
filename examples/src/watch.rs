//! Reloading a policy file when it changes (`serve --watch`), with the `notify` crate.
//!
//! The file's directory is watched, not the file: editors replace files by renaming, and
//! Kubernetes ConfigMap volumes swap a `..data` symlink beside the file, neither of which
//! a watch on the file itself would see. After each burst of changes to the file or to
//! `..`-names (100 ms quiet, 500 ms at most) the file is read again; when its bytes
//! changed, it is validated and handed over.
//!
//! ```no_run
//! use cors_core::PolicyHandle;
//!
//! let (loaded, set) = cors_examples::watch::load("policy.toml".as_ref());
//! let handle = PolicyHandle::new(set?);
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

/// Reads `path` once and builds the set from those bytes
/// ([`PolicySet::from_file_bytes_and_env`]): the bytes (`None` when the file cannot be
/// read) and the set, so that a later comparison with the file's content is against
/// exactly what was loaded, even when the file changes in between.
pub fn load(path: &Path) -> (Option<Vec<u8>>, Result<PolicySet, PolicyError>) {
    let bytes = std::fs::read(path).ok();
    let set = build(path, bytes.as_deref());
    (bytes, set)
}

/// The set from the file's bytes, read already; `None`: the file could not be read, and
/// the core's problem says why (reading it once more only to name the cause).
fn build(path: &Path, bytes: Option<&[u8]>) -> Result<PolicySet, PolicyError> {
    match bytes {
        Some(bytes) => PolicySet::from_file_bytes_and_env(path, bytes),
        None => PolicySet::from_file_and_env(path),
    }
}

/// Watches `path` until the watcher fails, calling `apply` with the newly loaded set
/// ([`PolicySet::from_file_bytes_and_env`]) each time the file's content changes: `Err` with
/// every problem when the new content is invalid or unreadable.
///
/// `loaded` is the content the set in force was loaded from ([`load`]): a change made
/// before the watch starts is applied at once, not missed.
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
            // Built from the bytes just compared, so that `last` always describes what
            // was loaded.
            apply(build(path, now.as_deref()));
            last = now;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_returns_the_bytes_it_built_the_set_from() {
        let dir = std::env::temp_dir().join(format!("cors-watch-load-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("policy.toml");
        let text = "allow_origins = [\"https://a.example\"]\n";
        std::fs::write(&path, text).unwrap();
        let (bytes, set) = load(&path);
        assert_eq!(bytes.as_deref(), Some(text.as_bytes()));
        let set = set.unwrap();
        assert_eq!(
            set.default_policy().config().allow_origins,
            ["https://a.example"]
        );
        // An invalid file: its bytes (what `watch` compares with) and every problem.
        std::fs::write(&path, "allow_origins = []\n").unwrap();
        let (bytes, set) = load(&path);
        assert_eq!(bytes.as_deref(), Some(&b"allow_origins = []\n"[..]));
        assert_eq!(set.unwrap_err().file(), Some(path.as_path()));
        // A missing file: no bytes, and the core's unreadable problem naming it.
        std::fs::remove_file(&path).unwrap();
        let (bytes, set) = load(&path);
        assert_eq!(bytes, None);
        let e = set.unwrap_err();
        assert!(e.to_string().contains("cannot be read"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
