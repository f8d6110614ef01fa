//! A [`Decision`] detached from its request, small enough to move through response
//! futures: what every adapter that forwards a request to a handler needs to keep.

use crate::{CorsHeader, Decision, Policy, Value, Vary};

/// Echoed values kept inline; more (several echoed `Access-Control-Request-Headers`
/// lines) spill into a `Vec`.
const INLINE: usize = 2;

/// A decision's headers, clears and `Vary`, detached from the request, with the echoed
/// values converted by the adapter into its framework's header value type `V` (usually a
/// reference-counted clone of the request's own value) and the policy's values only noted,
/// to be written from the adapter's table of converted policy values.
///
/// Small (the typical case holds one echoed value) because adapters move it into and
/// through response futures.
///
/// ```
/// use cors_core::{CorsHeader, CorsRequest, Detached, Policy, Value};
///
/// let policy = Policy::from_toml_str(r#"
///     allow_origins = ["https://a.example"]
///     allow_credentials = true
/// "#)?;
/// let mut req = CorsRequest::new(b"GET");
/// req.push_origin(b"https://a.example");
/// let d = policy.evaluate(&req);
///
/// // Echoed values become owned strings here; an adapter makes header values.
/// let detached = Detached::new(&policy, &d, |_, v: Value<'_>| {
///     Some(String::from_utf8_lossy(v.as_bytes()).into_owned())
/// });
/// let mut out = Vec::new();
/// detached.write(
///     |h| policy.value(h).map(|v| v.as_str().to_owned()),
///     |h, v| out.push((h, v)),
/// );
/// assert_eq!(out, [
///     (CorsHeader::AllowOrigin, "https://a.example".to_owned()),
///     (CorsHeader::AllowCredentials, "true".to_owned()),
/// ]);
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Detached<V> {
    /// Bit `h as u8` set: header `h` has the policy's value.
    from_policy: u8,
    /// Bit `h as u8` set: header `h` has echoed values (in `echoed`, then `spilled`).
    from_request: u8,
    echoed: [Option<(CorsHeader, V)>; INLINE],
    spilled: Vec<(CorsHeader, V)>,
    clears: &'static [CorsHeader],
    vary: Vary,
}

impl<V> Detached<V> {
    /// Detaches `decision` (made by `policy`): `own` converts each value that is not the
    /// policy's own (echoed request bytes) into a `V`; a `None` from it drops that header.
    pub fn new<'a>(
        policy: &Policy,
        decision: &Decision<'a>,
        mut own: impl FnMut(CorsHeader, Value<'a>) -> Option<V>,
    ) -> Self {
        let mut detached = Self {
            from_policy: 0,
            from_request: 0,
            echoed: [const { None }; INLINE],
            spilled: Vec::new(),
            clears: decision.clears(),
            vary: decision.vary(),
        };
        let mut inline = 0;
        let mut add = |h: CorsHeader, value: Value<'a>| {
            if let Value::Policy(v) = value
                && policy.value(h).is_some_and(|p| std::ptr::eq(p, v))
            {
                detached.from_policy |= 1 << h as u8;
                return;
            }
            let Some(value) = own(h, value) else {
                return;
            };
            detached.from_request |= 1 << h as u8;
            match detached.echoed.get_mut(inline) {
                Some(slot) => {
                    *slot = Some((h, value));
                    inline += 1;
                }
                None => detached.spilled.push((h, value)),
            }
        };
        for h in decision.headers() {
            add(h.name, h.value);
        }
        detached
    }

    /// The CORS headers to remove from a forwarded response first
    /// ([`Decision::clears`]).
    pub fn clears(&self) -> &'static [CorsHeader] {
        self.clears
    }

    /// The `Vary` items to add ([`Decision::vary`]).
    pub fn vary(&self) -> Vary {
        self.vary
    }

    /// How many headers [`Detached::write`] writes (at most; a policy value the adapter
    /// has no conversion for is skipped).
    pub fn len(&self) -> usize {
        self.from_policy.count_ones() as usize
            + self.echoed.iter().flatten().count()
            + self.spilled.len()
    }

    /// Whether it writes no header at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the headers in the decision's order: `policy_value(h)` gives the adapter's
    /// converted policy value for `h`, `put` receives each header.
    pub fn write(
        self,
        policy_value: impl Fn(CorsHeader) -> Option<V>,
        mut put: impl FnMut(CorsHeader, V),
    ) {
        let Self {
            from_policy,
            from_request,
            mut echoed,
            spilled,
            ..
        } = self;
        // The echoed values are in the decision's order: inline ones first, then spilled.
        let mut next = 0;
        let mut spilled = spilled.into_iter().peekable();
        let mut bits = from_policy | from_request;
        while bits != 0 {
            let bit = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let Some(&h) = CorsHeader::ALL.get(bit) else {
                break;
            };
            if from_policy & (1 << bit) != 0
                && let Some(v) = policy_value(h)
            {
                put(h, v);
            }
            if from_request & (1 << bit) == 0 {
                continue;
            }
            loop {
                let taken = match echoed.get_mut(next) {
                    Some(slot) => slot.take_if(|(name, _)| *name == h),
                    None => None,
                };
                match taken {
                    Some((name, v)) => {
                        put(name, v);
                        next += 1;
                    }
                    None => break,
                }
            }
            if next == INLINE {
                while let Some((name, v)) = spilled.next_if(|(name, _)| *name == h) {
                    put(name, v);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CorsRequest;

    fn written(policy: &Policy, req: &CorsRequest<'_>) -> Vec<(CorsHeader, Vec<u8>)> {
        let d = policy.evaluate(req);
        let detached = Detached::new(policy, &d, |_, v| Some(v.as_bytes().to_vec()));
        assert_eq!(detached.len(), d.headers().len());
        let mut out = Vec::new();
        detached.write(
            |h| policy.value(h).map(|v| v.as_bytes().to_vec()),
            |h, v| out.push((h, v)),
        );
        out
    }

    #[test]
    fn writes_exactly_the_decisions_headers_in_order() {
        let policies = [
            "allow_origins = [\"https://a.example\"]\nallow_headers = [\"*\"]\nallow_credentials = true\nmax_age = 5\nallow_private_network = true\nallow_methods = [\"*\"]",
            "allow_origins = [\"*\"]\nallow_methods = [\"PATCH\"]\nallow_headers = [\"x-a\"]\nexpose_headers = [\"x-e\"]\nmax_age = 5",
        ];
        for text in policies {
            let policy = Policy::from_toml_str(text).unwrap();
            let mut preflight = CorsRequest::new(b"OPTIONS");
            preflight.push_origin(b"https://a.example");
            preflight.push_request_method(b"PATCH");
            preflight.push_private_network(b"true");
            for line in ["x-a", "", "x-a", "x-a"] {
                preflight.push_request_headers(line.as_bytes());
            }
            let mut actual = CorsRequest::new(b"GET");
            actual.push_origin(b"https://a.example");
            for req in [&preflight, &actual] {
                let d = policy.evaluate(req);
                let expected: Vec<_> = d
                    .headers()
                    .map(|h| (h.name, h.value.as_bytes().to_vec()))
                    .collect();
                assert!(!expected.is_empty());
                assert_eq!(written(&policy, req), expected, "{text}");
            }
        }
    }
}
