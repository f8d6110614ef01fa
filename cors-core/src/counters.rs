//! The one place decisions are counted: `cors_requests_total`, through the `metrics`
//! facade (any exporter works; nothing is recorded until the program installs one).

use metrics::{Key, KeyName, Label, Level, Metadata};

use crate::decision::Verdict;
use crate::{CsrfProtection, Reason, RequestKind};

/// The counter's name.
pub(crate) const REQUESTS: &str = "cors_requests_total";

/// The label names the policy sets itself; a caller's label of the same name is ignored.
const RESERVED: [&str; 3] = ["kind", "outcome", "reason"];

/// `kind` label values, indexed by [`RequestKind`] (`not_cors` with an underscore, as
/// Prometheus label values conventionally are).
const KINDS: [(RequestKind, &str); 3] = [
    (RequestKind::NotCors, "not_cors"),
    (RequestKind::Actual, "actual"),
    (RequestKind::Preflight, "preflight"),
];

/// `outcome` and `reason` label values: slot 0 is allowed (empty reason), the others the
/// stable reason codes ([`Reason::code`]); `reported` is what `csrf_protection = "report"`
/// lets through and `"enforce"` would refuse.
const OUTCOMES: [(&str, &str); 8] = [
    ("allowed", ""),
    ("rejected", "origin-not-allowed"),
    ("rejected", "method-not-allowed"),
    ("rejected", "header-not-allowed"),
    ("rejected", "malformed"),
    ("rejected", "cross-origin-request"),
    ("rejected", "cross-origin-websocket"),
    ("reported", "cross-origin-request"),
];

const SLOTS: usize = KINDS.len() * OUTCOMES.len();

/// What a recorder is told about where the counter comes from.
static METADATA: Metadata<'static> = Metadata::new("cors", Level::INFO, Some(module_path!()));

/// The counter's keys, one per (kind, outcome, reason) combination, built once when the
/// policy (or its labelled copy) is made: counting a request then only picks a key and
/// hands it to the recorder, without building labels or allocating.
#[derive(Debug, Clone)]
pub(crate) struct Counters {
    keys: Box<[Key]>,
    /// The caller's labels ([`crate::Policy::with_metrics_label`]), after the policy's own.
    extra: Vec<(String, String)>,
}

impl Default for Counters {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl Counters {
    fn new(extra: Vec<(String, String)>) -> Self {
        let mut keys = Vec::with_capacity(SLOTS);
        for (_, kind) in KINDS {
            for (outcome, reason) in OUTCOMES {
                let mut labels = vec![
                    Label::from_static_parts("kind", kind),
                    Label::from_static_parts("outcome", outcome),
                    Label::from_static_parts("reason", reason),
                ];
                labels.extend(extra.iter().map(|(n, v)| Label::new(n.clone(), v.clone())));
                // Retained (labels shared behind one reference count): recorders call
                // `Key::to_retained` on every registration, which copies a key built
                // from owned strings (the caller's labels) and is a reference count for
                // a retained one.
                keys.push(Key::from_parts(REQUESTS, labels).to_retained());
            }
        }
        Self {
            keys: keys.into_boxed_slice(),
            extra,
        }
    }

    /// A copy with one more label (or `name` set to `value` if it has that label);
    /// reserved names are ignored.
    pub(crate) fn with_label(&self, name: String, value: String) -> Self {
        if RESERVED.contains(&name.as_str()) {
            return self.clone();
        }
        let mut extra = self.extra.clone();
        match extra.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => extra.push((name, value)),
        }
        Self::new(extra)
    }

    /// The caller's labels, in the order given.
    pub(crate) fn labels(&self) -> &[(String, String)] {
        &self.extra
    }

    /// Adds one to the counter of a decision's kind, outcome and reason. With no
    /// recorder installed this is a thread-local read, an atomic load and a call that
    /// returns a no-op handle: no allocation.
    #[inline]
    pub(crate) fn count(&self, v: &Verdict<'_>) {
        if let Some(key) = self
            .keys
            .get(slot(v.kind, v.reason.as_ref(), v.report_only))
        {
            metrics::with_recorder(|r| r.register_counter(key, &METADATA)).increment(1);
        }
    }

    /// Describes the counter and registers every combination a policy with these
    /// origin-check settings can produce, at 0, with the installed recorder (so that a
    /// scrape lists them before the first request).
    pub(crate) fn register(&self, csrf: CsrfProtection, websocket: bool) {
        metrics::with_recorder(|r| {
            r.describe_counter(
                KeyName::from_const_str(REQUESTS),
                None,
                "CORS requests seen by the policy, by kind (preflight, actual, not_cors), \
                 outcome (allowed, rejected, reported) and reason (the rejection's code, empty \
                 when allowed)"
                    .into(),
            );
            for (k, (kind, _)) in KINDS.iter().enumerate() {
                for (o, _) in OUTCOMES.iter().enumerate() {
                    if reachable(*kind, o, csrf, websocket)
                        && let Some(key) = self.keys.get(k * OUTCOMES.len() + o)
                    {
                        drop(r.register_counter(key, &METADATA));
                    }
                }
            }
        });
    }
}

/// Whether a decision of `kind` can have the outcome in slot `outcome` of [`OUTCOMES`]:
/// a request that is not CORS is never rejected, an actual request only for its origin
/// (or a repeated `Origin`), a preflight never by the origin check; the origin check's
/// outcomes only when it is on.
fn reachable(kind: RequestKind, outcome: usize, csrf: CsrfProtection, websocket: bool) -> bool {
    let checked = match outcome {
        5 => csrf == CsrfProtection::Enforce,
        6 => websocket && kind == RequestKind::Actual,
        7 => csrf == CsrfProtection::Report,
        _ => false,
    };
    match kind {
        RequestKind::NotCors => outcome == 0 || checked,
        RequestKind::Actual => matches!(outcome, 0 | 1 | 4) || checked,
        RequestKind::Preflight => outcome <= 4,
    }
}

fn slot(kind: RequestKind, reason: Option<&Reason<'_>>, report_only: bool) -> usize {
    let k = match kind {
        RequestKind::NotCors => 0,
        RequestKind::Actual => 1,
        RequestKind::Preflight => 2,
    };
    let o = match reason {
        None => 0,
        Some(Reason::OriginNotAllowed { .. }) => 1,
        Some(Reason::MethodNotAllowed { .. }) => 2,
        Some(Reason::HeaderNotAllowed { .. }) => 3,
        Some(Reason::Malformed(_)) => 4,
        Some(Reason::CrossOriginRequest { .. }) if report_only => 7,
        Some(Reason::CrossOriginRequest { .. }) => 5,
        Some(Reason::CrossOriginWebSocket { .. }) => 6,
    };
    k * OUTCOMES.len() + o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FetchSite, Malformed};

    #[test]
    fn slots_match_the_labels() {
        let csrf = Reason::CrossOriginRequest {
            origin: None,
            fetch_site: FetchSite::CrossSite,
        };
        let reasons = [
            (None, false),
            (Some(Reason::OriginNotAllowed { origin: b"x" }), false),
            (Some(Reason::MethodNotAllowed { method: b"x" }), false),
            (Some(Reason::HeaderNotAllowed { header: b"x" }), false),
            (Some(Reason::Malformed(Malformed::RepeatedOrigin)), false),
            (Some(csrf), false),
            (
                Some(Reason::CrossOriginWebSocket {
                    origin: b"x",
                    fetch_site: FetchSite::Absent,
                }),
                false,
            ),
            (Some(csrf), true),
        ];
        let counters = Counters::default();
        for (kind, kind_label) in KINDS {
            for (r, reported) in &reasons {
                let key = &counters.keys[slot(kind, r.as_ref(), *reported)];
                let labels: Vec<(&str, &str)> =
                    key.labels().map(|l| (l.key(), l.value())).collect();
                let outcome = match (r, reported) {
                    (None, _) => "allowed",
                    (Some(_), false) => "rejected",
                    (Some(_), true) => "reported",
                };
                let code = r.map_or("", |r| r.code());
                assert_eq!(
                    labels,
                    [("kind", kind_label), ("outcome", outcome), ("reason", code)]
                );
            }
        }
    }

    #[test]
    fn labels_are_added_replaced_and_reserved_names_ignored() {
        let c = Counters::default()
            .with_label("framework".into(), "axum".into())
            .with_label("framework".into(), "warp".into())
            .with_label("kind".into(), "x".into());
        assert_eq!(c.labels(), [("framework".to_owned(), "warp".to_owned())]);
        let last = c.keys[0].labels().last().map(|l| (l.key(), l.value()));
        assert_eq!(last, Some(("framework", "warp")));
    }
}
