//! A decision detached from its request, small enough to move through response futures,
//! and the one routine that writes it onto a response.

use std::sync::OnceLock;

use crate::decision::{Outcome, Verdict, clears_bits, echoed_line};
use crate::policy::Shortcut;
use crate::{Action, CorsHeader, PolicyValue, RequestKind};
use crate::{Policy, ResponseHeaders, Value, Vary};

/// Echoed values kept inline; more spill into a `Vec` (two allocations): only where a
/// preflight's answer echoes several `Access-Control-Request-Headers` lines, or a method
/// without a method bit beside the origin and the requested headers; browsers send
/// neither. (A method with a bit, `GET` … `OPTIONS`, is named from static text,
/// [`ResponseHeaders::append_static`], so that a browser's preflight to a policy
/// allowing anything keeps two echoed values: its origin and its one
/// `Access-Control-Request-Headers` line.)
const INLINE: usize = 2;

/// A decision detached from its request, ready to be written onto a response with
/// [`Pending::write_to`]: what every adapter keeps between the request and the response.
///
/// Made by [`Policy::decide`]. The echoed values (the request's `Origin`, …) are already
/// converted to the adapter's header value type `V` (usually a reference-counted clone of
/// the request's own value); the policy's values are only noted, and written from
/// [`ResponseHeaders::policy_value`]. Small (the typical case holds one echoed value),
/// because adapters move it into and through response futures.
///
/// See [`ResponseHeaders`] for a complete toy adapter.
#[derive(Debug, Clone)]
#[must_use = "a pending decision does nothing until it is written onto a response"]
pub struct Pending<V> {
    action: Action,
    /// Bit `h as u8` set: header `h` has the policy's value.
    from_policy: u8,
    /// Bit `h as u8` set: header `h` has echoed values (in `echoed`, then `spilled`) or,
    /// for `Access-Control-Allow-Methods`, the static text `method` names; never set with
    /// the same bit of `from_policy`.
    from_request: u8,
    /// Bit `h as u8` set: header `h` is removed first ([`Decision::clears`]).
    clears: u8,
    vary: Vary,
    /// The method bit (`policy::method_bit`) of the method `Access-Control-Allow-Methods`
    /// names from static text (its bit set in `from_request`, with no echoed value); 0:
    /// none.
    method: u8,
    /// The first echoed values, with their header names in `echoed_names`: kept apart so
    /// that `Option<V>` uses `V`'s niche and the whole stays small enough to be moved
    /// without a `memcpy` call.
    echoed: [Option<V>; INLINE],
    echoed_names: [CorsHeader; INLINE],
    /// Echoed values past the inline ones (see `INLINE`): rare, so boxed to keep
    /// `Pending` small.
    // One pointer instead of a `Vec`'s three words: the extra allocation is paid only in
    // the rare spill, the smaller size on every request.
    #[allow(clippy::box_collection)]
    spilled: Option<Box<Vec<(CorsHeader, V)>>>,
}

impl Policy {
    /// Evaluates a request ([`Policy::evaluate`]), counts it (`cors_requests_total`, see
    /// [`Policy::with_metrics_label`]), reports a rejection (one `tracing` event, target
    /// `cors`, at the policy's [`log_level`](crate::PolicyConfig::log_level), debug by
    /// default, with the kind, the reason code and the escaped values), and detaches the
    /// decision from the request.
    ///
    /// `own` converts each value echoed from the request ([`Value::Origin`],
    /// [`Value::RequestMethod`], [`Value::RequestHeaders`]) into the adapter's header
    /// value type; a `None` from it drops that header. Adapters call this once per
    /// request.
    ///
    /// ```
    /// use cors_core::{Action, CorsRequest, Policy, Status, Value};
    /// let policy = Policy::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?;
    /// let mut req = CorsRequest::new(b"OPTIONS");
    /// req.push_origin(b"https://a.example");
    /// req.push_request_method(b"PUT"); // not allowed
    /// let pending = policy.decide(&req, |v: Value<'_>| Some(v.as_bytes().to_vec()));
    /// assert_eq!(pending.action(), Action::Respond { status: Status::FORBIDDEN });
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn decide<'a, V>(
        &'a self,
        req: &crate::CorsRequest<'a>,
        own: impl FnMut(Value<'a>) -> Option<V>,
    ) -> Pending<V> {
        // The most common requests, allowed actual requests and preflights: the decision
        // recorded from the general path when the policy was built, with this origin.
        match self.shortcut(req) {
            Shortcut::Recorded(shape, origin) => {
                self.count(&Verdict::new(shape.kind()));
                shape.pending(origin, own)
            }
            // Checked on the way: not checked again.
            Shortcut::Refused(reason) => self.decide_by(req, own, |b| self.actual(Err(reason), b)),
            Shortcut::Preflight(origin) => self.decide_preflight(req, origin, own),
            Shortcut::Evaluate => self.decide_by(req, own, |b| self.evaluate_into(req, b)),
        }
    }

    /// [`Policy::decide`] for a preflight with one `Origin`, to a policy with recorded
    /// preflight decisions: its checks, done once, then the recorded decision of its
    /// shape, or the answer written from the checks' outcome.
    #[inline(never)]
    fn decide_preflight<'a, V>(
        &'a self,
        req: &crate::CorsRequest<'a>,
        origin: &'a [u8],
        own: impl FnMut(Value<'a>) -> Option<V>,
    ) -> Pending<V> {
        let (origin, checked) = self.check_preflight_from(req, origin);
        if let Ok((origin, _, any_headers)) = checked
            && let Some(shape) = self.recorded_preflight(req, any_headers)
        {
            self.count(&Verdict::new(RequestKind::Preflight));
            return shape.pending(origin, own);
        }
        self.decide_by(req, own, |b| self.answer_preflight(req, origin, checked, b))
    }

    /// [`Policy::decide`] by evaluating the request with `evaluate`.
    #[inline]
    fn decide_by<'a, V, F: FnMut(Value<'a>) -> Option<V>>(
        &'a self,
        req: &crate::CorsRequest<'a>,
        own: F,
        evaluate: impl FnOnce(&mut Building<'a, V, F>),
    ) -> Pending<V> {
        // Evaluated straight into the pending decision: no `Decision` in between.
        let mut b = Building {
            pending: Pending::EMPTY,
            own,
            inline: 0,
            verdict: Verdict::new(RequestKind::NotCors),
        };
        evaluate(&mut b);
        self.count(&b.verdict);
        crate::event::rejected(req, &b.verdict, self.config().log_level);
        let mut pending = b.pending;
        let sets_origin = (pending.from_policy | pending.from_request)
            & (1 << CorsHeader::AllowOrigin as u8)
            != 0;
        pending.clears = clears_bits(b.verdict.kind, pending.action, sets_origin);
        pending
    }
}

/// What a policy decides for every allowed request of one shape (an actual request; a
/// preflight asking for headers or not, for private-network access or not) but for the
/// echoed origin: recorded once, when the policy is built, from the general evaluation
/// ([`Recorded::record`]), so that [`Policy::decide`] answers the most common requests
/// with a copy and the origin, and the general path stays the one definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Recorded {
    kind: RequestKind,
    action: Action,
    from_policy: u8,
    /// `Access-Control-Allow-Origin` echoes the origin (else it is the policy's `*`, in
    /// `from_policy`).
    echoes_origin: bool,
    clears: u8,
    vary: Vary,
}

impl Recorded {
    /// Records what `evaluate` (an allowed request's evaluation, its checks passed)
    /// decides; `None` unless that is allowing a request of `kind` with no echoed value
    /// but the origin.
    pub(crate) fn record<'a>(
        kind: RequestKind,
        evaluate: impl FnOnce(&mut Building<'a, (), fn(Value<'a>) -> Option<()>>),
    ) -> Option<Self> {
        fn keep(_: Value<'_>) -> Option<()> {
            Some(())
        }
        let mut b = Building {
            pending: Pending::EMPTY,
            own: keep as fn(Value<'a>) -> Option<()>,
            inline: 0,
            verdict: Verdict::new(RequestKind::NotCors),
        };
        evaluate(&mut b);
        let p = &b.pending;
        let origin_bit = 1 << CorsHeader::AllowOrigin as u8;
        let allowed = b.verdict.kind == kind
            && b.verdict.reason.is_none()
            && p.spilled.is_none()
            && p.from_request & !origin_bit == 0
            && b.inline == usize::from(p.from_request != 0);
        let sets_origin = (p.from_policy | p.from_request) & origin_bit != 0;
        allowed.then_some(Self {
            kind,
            action: p.action,
            from_policy: p.from_policy,
            echoes_origin: p.from_request != 0,
            clears: clears_bits(kind, p.action, sets_origin),
            vary: p.vary,
        })
    }

    /// The kind of request it decides.
    #[inline]
    pub(crate) fn kind(self) -> RequestKind {
        self.kind
    }

    /// Whether `Access-Control-Allow-Origin` echoes the request's origin.
    #[cfg(test)]
    pub(crate) fn echoes_origin(self) -> bool {
        self.echoes_origin
    }

    /// The pending decision for a request from `origin`.
    #[inline]
    pub(crate) fn pending<'a, V>(
        self,
        origin: &'a [u8],
        mut own: impl FnMut(Value<'a>) -> Option<V>,
    ) -> Pending<V> {
        let first = if self.echoes_origin {
            own(Value::Origin(origin))
        } else {
            None
        };
        // One literal, built where the caller keeps it (no copy of a finished value).
        Pending {
            action: self.action,
            from_policy: self.from_policy,
            from_request: if first.is_some() {
                1 << CorsHeader::AllowOrigin as u8
            } else {
                0
            },
            clears: self.clears,
            vary: self.vary,
            method: 0,
            echoed: [first, None],
            echoed_names: [CorsHeader::AllowOrigin; INLINE],
            spilled: None,
        }
    }
}

/// A [`Pending`] decision being evaluated ([`Policy::decide`]): echoed values are
/// converted with `own` as they are set, and what the count and the rejection event need
/// is kept beside.
pub(crate) struct Building<'a, V, F> {
    pending: Pending<V>,
    own: F,
    /// Inline echoed slots used.
    inline: usize,
    verdict: Verdict<'a>,
}

impl<'a, V, F: FnMut(Value<'a>) -> Option<V>> Building<'a, V, F> {
    #[inline]
    fn policy(&mut self, h: CorsHeader) {
        self.pending.from_policy |= 1 << h as u8;
    }

    /// Converts `value` and keeps it as a value of `h` (dropped when `own` gives `None`).
    #[inline]
    fn echo(&mut self, h: CorsHeader, value: Value<'a>) {
        let Some(value) = (self.own)(value) else {
            return;
        };
        let p = &mut self.pending;
        p.from_request |= 1 << h as u8;
        match (
            p.echoed.get_mut(self.inline),
            p.echoed_names.get_mut(self.inline),
        ) {
            (Some(slot), Some(name)) => {
                *slot = Some(value);
                *name = h;
                self.inline += 1;
            }
            _ => p.spilled.get_or_insert_default().push((h, value)),
        }
    }

    #[inline]
    fn set(&mut self, h: CorsHeader, value: Value<'a>) {
        match value {
            Value::Policy(_) => self.policy(h),
            _ => self.echo(h, value),
        }
    }
}

impl<'a, V, F: FnMut(Value<'a>) -> Option<V>> Outcome<'a> for Building<'a, V, F> {
    #[inline]
    fn start(&mut self, kind: RequestKind, action: Action, vary: Vary) {
        let p = &mut self.pending;
        if p.from_policy | p.from_request != 0 || p.spilled.is_some() {
            // Starting over (the origin check refusing after the CORS decision): nothing of
            // that decision is kept.
            *p = Pending::EMPTY;
            self.inline = 0;
        }
        self.pending.action = action;
        self.pending.vary = vary;
        self.verdict = Verdict::new(kind);
    }

    fn verdict(&self) -> &Verdict<'a> {
        &self.verdict
    }

    fn verdict_mut(&mut self) -> &mut Verdict<'a> {
        &mut self.verdict
    }

    #[inline]
    fn allow_origin(&mut self, value: Value<'a>) {
        self.set(CorsHeader::AllowOrigin, value);
    }

    #[inline]
    fn allow_credentials(&mut self, _: &'a PolicyValue) {
        self.policy(CorsHeader::AllowCredentials);
    }

    #[inline]
    fn expose_headers(&mut self, _: &'a PolicyValue) {
        self.policy(CorsHeader::ExposeHeaders);
    }

    #[inline]
    fn allow_methods(&mut self, value: Value<'a>) {
        // A standard method the request names is written from static text: one echoed
        // value fewer to keep.
        if let Value::RequestMethod(m) = value
            && let bit @ 1.. = crate::policy::method_bit(m)
        {
            self.pending.from_request |= 1 << CorsHeader::AllowMethods as u8;
            self.pending.method = bit;
            return;
        }
        self.set(CorsHeader::AllowMethods, value);
    }

    #[inline]
    fn allow_headers(&mut self, _: &'a PolicyValue) {
        self.policy(CorsHeader::AllowHeaders);
    }

    fn echo_allow_headers(&mut self, lines: &[&'a [u8]]) {
        for &line in lines.iter().filter(|l| echoed_line(l)) {
            self.echo(CorsHeader::AllowHeaders, Value::RequestHeaders(line));
        }
    }

    #[inline]
    fn max_age(&mut self, _: &'a PolicyValue) {
        self.policy(CorsHeader::MaxAge);
    }

    #[inline]
    fn allow_private_network(&mut self, _: &'a PolicyValue) {
        self.policy(CorsHeader::AllowPrivateNetwork);
    }

    fn vary(&self) -> Vary {
        self.pending.vary
    }
}

impl<V> Pending<V> {
    /// Nothing to write: what [`Outcome::start`] fills in.
    const EMPTY: Self = Self {
        action: Action::Forward,
        from_policy: 0,
        from_request: 0,
        clears: 0,
        vary: Vary::None,
        method: 0,
        echoed: [const { None }; INLINE],
        echoed_names: [CorsHeader::AllowOrigin; INLINE],
        spilled: None,
    };

    /// What the adapter does: forward the request to the handler and write this onto its
    /// response, or answer now with a response of that status (and an empty body) and
    /// write this onto it.
    pub fn action(&self) -> Action {
        self.action
    }

    /// How many CORS headers it writes (at most: a policy value the adapter has no
    /// conversion for is skipped).
    pub fn len(&self) -> usize {
        self.from_policy.count_ones() as usize
            + usize::from(self.method != 0)
            + self.echoed.iter().flatten().count()
            + self.spilled.as_ref().map_or(0, |s| s.len())
    }

    /// For an answer whose echoed headers have one value each: which headers it writes,
    /// which of them are echoed, and its `Vary` line. Answers of one shape written onto
    /// empty maps differ only in their echoed values.
    #[inline]
    fn answer_shape(&self) -> Option<AnswerShape> {
        if !matches!(self.action, Action::Respond { .. }) || self.spilled.is_some() {
            return None;
        }
        // A method from static text has its bit in `from_request` and no echoed value: the
        // counts differ, and such an answer is written line by line.
        let echoed = self.echoed.iter().flatten().count() as u32;
        (echoed == self.from_request.count_ones()).then_some(AnswerShape(
            u32::from(self.from_policy)
                | u32::from(self.from_request) << 8
                | (self.vary as u32) << 16,
        ))
    }

    /// The same decision with every echoed value replaced by `placeholder`.
    fn with_placeholders(&self, placeholder: V) -> Self
    where
        V: Clone,
    {
        Pending {
            action: self.action,
            from_policy: self.from_policy,
            from_request: self.from_request,
            clears: self.clears,
            vary: self.vary,
            method: self.method,
            echoed: self
                .echoed
                .each_ref()
                .map(|v| v.as_ref().map(|_| placeholder.clone())),
            echoed_names: self.echoed_names,
            spilled: None,
        }
    }

    /// Writes an answer ([`Action::Respond`]) onto `map`, the adapter's fresh (empty)
    /// header map, as [`Pending::write_to`] would (`write` is the adapter's call of it),
    /// but from a template: the first answer of each shape (which headers, which of them
    /// echoed, which `Vary`) is written with `placeholder` for its echoed values and kept
    /// in `templates`; later ones clone it and `replace` each placeholder with their own
    /// echoed value (the template has one line of that header: replaced where it
    /// stands). A clone costs an allocation or two and a copy, where writing hashes every
    /// line into the map. Any other decision is written by `write`.
    ///
    /// `map` must be the answer's own new map: a template replaces its contents. Worth it
    /// where cloning a map costs less than writing its lines: `http` 1.x's `HeaderMap`
    /// (what `http1::PendingHeaders` does), not actix-web's map of small vectors
    /// (measured: BENCHMARKS.md, third round).
    ///
    /// ```
    /// use cors_core::{AnswerTemplates, CorsHeader, CorsRequest, Pending, Policy, Value};
    ///
    /// let policy = Policy::from_toml_str(r#"allow_origins = ["https://a.example", "https://b.example"]
    /// allow_methods = ["PUT"]"#)?;
    /// let templates = AnswerTemplates::<Vec<(CorsHeader, String)>>::default();
    /// // The toy adapter's whole writer: the lines in order, the policy's values as text.
    /// let write = |p: Pending<String>, map: &mut Vec<(CorsHeader, String)>| {
    ///     # struct W<'a>(&'a mut Vec<(CorsHeader, String)>, &'a Policy);
    ///     # impl cors_core::ResponseHeaders for W<'_> {
    ///     #     type Value = String;
    ///     #     fn policy_value(&self, h: CorsHeader) -> Option<String> { self.1.value(h).map(|v| v.as_str().to_owned()) }
    ///     #     fn any_name(&self, _: impl FnMut(&str) -> bool) -> bool { false }
    ///     #     fn remove(&mut self, _: CorsHeader) {}
    ///     #     fn append(&mut self, h: CorsHeader, v: String) { self.0.push((h, v)) }
    ///     #     fn vary(&self) -> impl Iterator<Item = &[u8]> { std::iter::empty() }
    ///     #     fn remove_vary(&mut self) {}
    ///     #     fn append_vary(&mut self, _: cors_core::VaryLine) {}
    ///     #     fn append_static(&mut self, h: CorsHeader, v: &'static str) { self.0.push((h, v.to_owned())) }
    ///     # }
    ///     p.write_to(&mut W(map, &policy));
    /// };
    /// for origin in ["https://a.example", "https://b.example"] {
    ///     let mut req = CorsRequest::new(b"OPTIONS");
    ///     req.push_origin(origin.as_bytes());
    ///     req.push_request_method(b"PUT");
    ///     let pending = policy.decide(&req, |v: Value<'_>| Some(String::from_utf8_lossy(v.as_bytes()).into_owned()));
    ///     let mut answer = Vec::new();
    ///     pending.write_answer(&mut answer, &templates, String::new(), write, |map, h, v| {
    ///         if let Some(line) = map.iter_mut().find(|(n, _)| *n == h) {
    ///             line.1 = v;
    ///         }
    ///     });
    ///     assert_eq!(answer[0], (CorsHeader::AllowOrigin, origin.to_owned()));
    ///     assert_eq!(answer[1], (CorsHeader::AllowMethods, "GET,HEAD,POST,PUT".to_owned()));
    /// }
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn write_answer<M: Clone + Default>(
        self,
        map: &mut M,
        templates: &AnswerTemplates<M>,
        placeholder: V,
        mut write: impl FnMut(Self, &mut M),
        mut replace: impl FnMut(&mut M, CorsHeader, V),
    ) where
        V: Clone,
    {
        let template = self.answer_shape().and_then(|shape| {
            templates.get_or_build(shape, || {
                let mut template = M::default();
                write(self.with_placeholders(placeholder), &mut template);
                template
            })
        });
        let Some(template) = template else {
            return write(self, map);
        };
        map.clone_from(template);
        let Self {
            echoed,
            echoed_names,
            ..
        } = self;
        for (h, v) in echoed_names.into_iter().zip(echoed) {
            if let Some(v) = v {
                replace(map, h, v);
            }
        }
    }

    /// Whether it writes no CORS header (it may still add `Vary`).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the decision onto a response's headers: the handler's response when the
    /// action is [`Action::Forward`], the adapter's empty answer when it is
    /// [`Action::Respond`].
    ///
    /// In order: if the response has an `Access-Control-*` header (or, on an answer, a
    /// `Vary`), the headers the decision clears are removed (and an answer's `Vary`);
    /// then the decision's headers are appended in the decision's order; then `Vary`:
    /// an answer gets the decision's items, a forwarded response one more line with the
    /// items its own `Vary` lacks (none under `Vary: *`).
    #[inline]
    pub fn write_to<H: ResponseHeaders<Value = V>>(mut self, out: &mut H) {
        let answer = matches!(self.action, Action::Respond { .. });
        let clears = self.clears;
        // Whether the response has a `Vary` line, when the scan for stale headers looked
        // at every name (it found none): then no second lookup of `Vary` is needed.
        let mut has_vary = None;
        let stale = clears != 0 && {
            let mut saw_vary = false;
            let stale = out.any_name(|n| {
                if n.eq_ignore_ascii_case("vary") {
                    saw_vary = true;
                    return answer;
                }
                CorsHeader::is_access_control_name(n)
            });
            if !stale {
                has_vary = Some(saw_vary);
            }
            stale
        };
        if stale {
            for h in CorsHeader::ALL {
                if clears & (1 << h as u8) != 0 {
                    out.remove(h);
                }
            }
            if answer {
                out.remove_vary();
            }
        }
        let vary = self.vary;
        if answer {
            // One more for the `Content-Length` the server adds to an answer.
            out.reserve(self.len() + 2);
        }
        self.write_headers(out);
        self.drop_written();
        let line = if answer || has_vary == Some(false) {
            vary.line()
        } else {
            vary.append_to(out.vary())
        };
        if let Some(line) = line {
            out.append_vary(line);
        }
    }

    /// Appends the headers in the decision's order. Through `&mut self`, taking the echoed
    /// values out: the decision is not copied again on its way here.
    #[inline]
    fn write_headers<H: ResponseHeaders<Value = V>>(&mut self, out: &mut H) {
        // One loop, compiled twice: without the test for a method from static text on
        // every request that has none (a test in the loop cost about 20 instructions per
        // request, callgrind), with it for the answers that have one.
        if self.method == 0 {
            self.write_lines::<H, false>(out);
        } else {
            self.write_lines_with_static_method(out);
        }
    }

    /// [`Pending::write_headers`] for a decision with a method from static text: out of
    /// line, so that the common path's code stays as it was.
    #[inline(never)]
    fn write_lines_with_static_method<H: ResponseHeaders<Value = V>>(&mut self, out: &mut H) {
        self.write_lines::<H, true>(out);
    }

    /// [`Pending::write_headers`]'s loop; `STATIC_METHOD`: `method` is set.
    fn write_lines<H: ResponseHeaders<Value = V>, const STATIC_METHOD: bool>(
        &mut self,
        out: &mut H,
    ) {
        let (from_policy, from_request) = (self.from_policy, self.from_request);
        // The echoed values are in the decision's order: inline ones first, then spilled.
        let mut next = 0;
        let mut bits = from_policy | from_request;
        while bits != 0 {
            let bit = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let Some(&h) = CorsHeader::ALL.get(bit) else {
                break;
            };
            // A header has the policy's value or echoed ones, never both.
            if from_policy & (1 << bit) != 0 {
                if let Some(v) = out.policy_value(h) {
                    out.append(h, v);
                }
                continue;
            }
            // From the request: a standard method from static text, or echoed values.
            if STATIC_METHOD && h == CorsHeader::AllowMethods {
                let at = self.method.trailing_zeros() as usize;
                if let Some(m) = crate::policy::BIT_METHODS.get(at) {
                    out.append_static(h, m);
                }
                continue;
            }
            while self.echoed_names.get(next) == Some(&h)
                && let Some(v) = self.echoed.get_mut(next).and_then(Option::take)
            {
                out.append(h, v);
                next += 1;
            }
            if next == INLINE && self.spilled.is_some() {
                self.write_spilled(h, out);
            }
        }
    }

    /// Drops what [`Pending::write_headers`] left: nothing, unless a header was not
    /// written. Slot by slot, so that no call to the decision's drop glue is made only
    /// to find empty slots.
    #[inline]
    fn drop_written(self) {
        let mut rest = std::mem::ManuallyDrop::new(self);
        for slot in &mut rest.echoed {
            if slot.is_some() {
                *slot = None;
            }
        }
        if rest.spilled.is_some() {
            rest.spilled = None;
        }
    }

    /// Appends the spilled values of `h` (the first ones left: they are in the
    /// decision's order). Rare (see `INLINE`), so kept out of the loop above.
    #[cold]
    #[inline(never)]
    fn write_spilled<H: ResponseHeaders<Value = V>>(&mut self, h: CorsHeader, out: &mut H) {
        let Some(spilled) = self.spilled.as_mut() else {
            return;
        };
        let n = spilled.iter().take_while(|(name, _)| *name == h).count();
        for (name, v) in spilled.drain(..n) {
            out.append(name, v);
        }
    }
}

/// Which headers an answer writes, which of them are echoed, and its `Vary` line: the key
/// of [`AnswerTemplates`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AnswerShape(u32);

/// How many answer shapes [`AnswerTemplates`] keeps: a policy's allowed preflights with
/// and without requested headers, its refused ones; another shape is written line by line.
const ANSWER_SHAPES: usize = 4;

/// Templates of a policy's answers in an adapter's header map type `M`, each built on
/// first use ([`Pending::write_answer`]) and kept as long as the adapter keeps this
/// (next to the policy's converted values). Thread-safe; lookups are atomic loads.
///
/// ```
/// use cors_core::AnswerTemplates;
/// // Any header map type: an adapter's (`http::HeaderMap`), or here a list of lines.
/// let templates: AnswerTemplates<Vec<(String, String)>> = AnswerTemplates::default();
/// assert_eq!(format!("{templates:?}"), "AnswerTemplates { built: 0 }");
/// ```
pub struct AnswerTemplates<M> {
    slots: [OnceLock<(AnswerShape, M)>; ANSWER_SHAPES],
}

impl<M> Default for AnswerTemplates<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M> std::fmt::Debug for AnswerTemplates<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let built = self.slots.iter().filter(|s| s.get().is_some()).count();
        f.debug_struct("AnswerTemplates")
            .field("built", &built)
            .finish()
    }
}

impl<M> AnswerTemplates<M> {
    /// No template yet (usable in a `static`).
    ///
    /// ```
    /// use cors_core::AnswerTemplates;
    /// static TEMPLATES: AnswerTemplates<Vec<u8>> = AnswerTemplates::new();
    /// # let _ = &TEMPLATES;
    /// ```
    pub const fn new() -> Self {
        Self {
            slots: [const { OnceLock::new() }; ANSWER_SHAPES],
        }
    }

    /// The template of `shape`, built with `build` if no slot has it and one is free.
    #[inline]
    fn get_or_build(&self, shape: AnswerShape, build: impl FnOnce() -> M) -> Option<&M> {
        let mut build = Some(build);
        for slot in &self.slots {
            let (key, map) = match slot.get() {
                Some(entry) => entry,
                None => {
                    // Built once: if another thread fills this slot first (with another
                    // shape), this template is dropped and later free slots are left to
                    // later answers.
                    let _ = slot.set((shape, build.take()?()));
                    slot.get()?
                }
            };
            if *key == shape {
                return Some(map);
            }
        }
        None
    }
}
