//! The reloadable handle adapters hold: one atomic load per request, replaced at once.

use std::fmt;
use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;

use arc_swap::{ArcSwap, Guard};

use crate::{Policy, PolicyError, PolicySet};

/// The counter of reload attempts, labelled `result="ok"` or `result="error"`.
pub(crate) const RELOADS: &str = "cors_policy_reloads_total";

/// A cheap-to-clone handle on a [`PolicySet`] that can be replaced while requests are
/// served: what every adapter holds.
///
/// A request is decided entirely by one snapshot ([`PolicyHandle::load`]: one atomic load,
/// no lock); [`PolicyHandle::replace`] swaps in a new, already validated set for the
/// requests that start afterwards. An invalid new configuration never gets that far:
/// [`PolicyHandle::reload`] keeps the old set in force and returns every problem.
///
/// Every adapter accepts a handle, a [`PolicySet`] or a single [`Policy`] (both convert
/// into a handle). Reload from anywhere — a file watcher, a database, an admin endpoint —
/// through any clone of the handle the adapter was given:
///
/// ```
/// use cors_core::{PolicyHandle, PolicySet};
///
/// let handle = PolicyHandle::new(PolicySet::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?);
/// let for_admin = handle.clone(); // e.g. moved into an admin endpoint
///
/// // An invalid configuration keeps the old policy and says why.
/// let err = for_admin.reload(PolicySet::from_toml_str(r#"allow_origins = ["null"]"#)).unwrap_err();
/// assert!(err.to_string().contains("null"));
/// assert_eq!(handle.load().default_policy().config().allow_origins, ["https://a.example"]);
///
/// // A valid one is in force for the next request.
/// for_admin.reload(PolicySet::from_toml_str(r#"allow_origins = ["https://b.example"]"#))?;
/// assert_eq!(handle.load().default_policy().config().allow_origins, ["https://b.example"]);
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
#[derive(Clone)]
pub struct PolicyHandle {
    current: Arc<ArcSwap<PolicySet>>,
}

impl fmt::Debug for PolicyHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PolicyHandle")
            .field(&*self.current.load())
            .finish()
    }
}

impl From<Policy> for PolicyHandle {
    fn from(policy: Policy) -> Self {
        Self::new(policy)
    }
}

impl From<PolicySet> for PolicyHandle {
    fn from(set: PolicySet) -> Self {
        Self::new(set)
    }
}

impl PolicyHandle {
    /// A handle on `set` (a [`PolicySet`] or a single [`Policy`]).
    pub fn new(set: impl Into<PolicySet>) -> Self {
        Self {
            current: Arc::new(ArcSwap::from_pointee(set.into())),
        }
    }

    /// The set in force now, for one request: every decision of that request uses it,
    /// even if the set is replaced meanwhile. One atomic load; hold it briefly (a
    /// request's decision), use [`PolicyHandle::load_full`] to keep it longer.
    #[inline]
    pub fn load(&self) -> Snapshot<'_> {
        Snapshot(Snap::Live(self.current.load()))
    }

    /// The set in force now, as an `Arc` that can be kept (across a response, in a
    /// request's state).
    pub fn load_full(&self) -> Arc<PolicySet> {
        self.current.load_full()
    }

    /// Puts `set` in force for the requests that start from now on; neither counted nor
    /// logged (see [`PolicyHandle::reload`]).
    pub fn replace(&self, set: impl Into<PolicySet>) {
        self.current.store(Arc::new(set.into()));
    }

    /// Replaces the set with a newly built one, counting the reload
    /// (`cors_policy_reloads_total{result="ok"}`) and logging it (one `tracing` info
    /// event, target `cors`, and a warning per [`PolicySet::warnings`]); or — when
    /// building it failed — keeps the set in force, counts the failure
    /// (`result="error"`), logs every problem (one `tracing` error event) and returns them.
    pub fn reload(&self, new: Result<PolicySet, PolicyError>) -> Result<(), PolicyError> {
        match new {
            Ok(set) => {
                tracing::info!(
                    target: "cors",
                    policies = set.policies().len(),
                    routes = set.routes(),
                    "CORS policy reloaded"
                );
                for w in set.warnings() {
                    tracing::warn!(target: "cors", "CORS policy warning: {w}");
                }
                self.replace(set);
                metrics::counter!(RELOADS, "result" => "ok").increment(1);
                Ok(())
            }
            Err(e) => {
                metrics::counter!(RELOADS, "result" => "error").increment(1);
                tracing::error!(target: "cors", "CORS policy not reloaded, the old one stays in force: {e}");
                Err(e)
            }
        }
    }

    /// [`PolicyHandle::reload`] from a policy file and this process's `CORS_*` variables
    /// ([`PolicySet::from_file_and_env`]).
    pub fn reload_file(&self, path: impl AsRef<Path>) -> Result<(), PolicyError> {
        self.reload(PolicySet::from_file_and_env(path))
    }

    /// Describes the reload counter to the installed `metrics` recorder (its help text),
    /// so that exporters show it before the first reload.
    pub fn register_metrics(&self) {
        metrics::describe_counter!(
            RELOADS,
            metrics::Unit::Count,
            "CORS policy reloads, by result (ok: in force; error: refused, the old policy stays)"
        );
        for result in ["ok", "error"] {
            metrics::counter!(RELOADS, "result" => result).increment(0);
        }
    }
}

/// The [`PolicySet`] in force when a request started ([`PolicyHandle::load`],
/// [`PolicySource::load`]).
pub struct Snapshot<'a>(Snap<'a>);

enum Snap<'a> {
    Fixed(&'a PolicySet),
    Live(Guard<Arc<PolicySet>>),
}

impl Deref for Snapshot<'_> {
    type Target = PolicySet;

    #[inline]
    fn deref(&self) -> &PolicySet {
        match &self.0 {
            Snap::Fixed(set) => set,
            Snap::Live(guard) => guard,
        }
    }
}

/// What an adapter applies: a fixed [`Policy`] or [`PolicySet`] (nothing to reload, so
/// no atomic load per request), or a [`PolicyHandle`] (reloadable, one atomic load per
/// request). Every adapter's constructor takes `impl Into<PolicySource>`: a `Policy`, a
/// `PolicySet` or a handle.
///
/// ```
/// use cors_core::{Policy, PolicyHandle, PolicySource};
///
/// let fixed = PolicySource::from(Policy::any_origin());
/// assert!(fixed.handle().is_none());
/// let handle = PolicyHandle::new(Policy::any_origin());
/// let live = PolicySource::from(handle.clone());
/// assert!(live.handle().is_some());
/// assert!(live.load().select("/").is_some());
/// ```
#[derive(Clone)]
pub struct PolicySource(Source);

#[derive(Clone)]
enum Source {
    Fixed(Arc<PolicySet>),
    Live(PolicyHandle),
}

impl PolicySource {
    /// The set to decide one request by: the fixed one, or the handle's current one.
    #[inline]
    pub fn load(&self) -> Snapshot<'_> {
        match &self.0 {
            Source::Fixed(set) => Snapshot(Snap::Fixed(set)),
            Source::Live(handle) => handle.load(),
        }
    }

    /// The set to decide by, as an `Arc` that can be kept.
    pub fn load_full(&self) -> Arc<PolicySet> {
        match &self.0 {
            Source::Fixed(set) => Arc::clone(set),
            Source::Live(handle) => handle.load_full(),
        }
    }

    /// The handle that reloads it, when it is one.
    pub fn handle(&self) -> Option<&PolicyHandle> {
        match &self.0 {
            Source::Fixed(_) => None,
            Source::Live(handle) => Some(handle),
        }
    }
}

impl fmt::Debug for PolicySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PolicySource").field(&*self.load()).finish()
    }
}

impl From<Policy> for PolicySource {
    fn from(policy: Policy) -> Self {
        Self(Source::Fixed(Arc::new(policy.into())))
    }
}

impl From<PolicySet> for PolicySource {
    fn from(set: PolicySet) -> Self {
        Self(Source::Fixed(Arc::new(set)))
    }
}

impl From<PolicyHandle> for PolicySource {
    fn from(handle: PolicyHandle) -> Self {
        Self(Source::Live(handle))
    }
}

impl From<&PolicyHandle> for PolicySource {
    fn from(handle: &PolicyHandle) -> Self {
        Self(Source::Live(handle.clone()))
    }
}

impl fmt::Debug for Snapshot<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}
