//! The `Vary` items a decision adds.

/// Items a decision appends to `Vary`.
///
/// ```
/// use cors_core::Vary;
/// assert_eq!(Vary::Preflight.as_str(),
///            "origin, access-control-request-method, access-control-request-headers");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Vary {
    /// Nothing (a policy allowing any origin, on a response that is not a preflight's:
    /// its headers do not depend on the request).
    None,
    /// `origin`.
    Origin,
    /// `origin, access-control-request-method, access-control-request-headers`.
    Preflight,
    /// `access-control-request-method, access-control-request-headers`: a preflight of a
    /// policy allowing any origin.
    PreflightAnyOrigin,
}

const ORIGIN: &str = "origin";
const ACRM: &str = "access-control-request-method";
const ACRH: &str = "access-control-request-headers";

/// The items, by bit: 1 `origin`, 2 `access-control-request-method`, 4
/// `access-control-request-headers`.
const ITEMS: [&str; 3] = [ORIGIN, ACRM, ACRH];

/// Every subset of [`ITEMS`], indexed by bit mask, joined.
const JOINED: [&str; 8] = [
    "",
    "origin",
    "access-control-request-method",
    "origin, access-control-request-method",
    "access-control-request-headers",
    "origin, access-control-request-headers",
    "access-control-request-method, access-control-request-headers",
    "origin, access-control-request-method, access-control-request-headers",
];

/// One `Vary` line a decision writes ([`crate::ResponseHeaders::append_vary`]): a
/// non-empty set of `origin`, `access-control-request-method` and
/// `access-control-request-headers`, joined with `", "`, in that order. One of seven, so
/// an adapter can write it from a table of its header value type indexed by
/// [`VaryLine::index`], without comparing strings.
///
/// ```
/// use cors_core::VaryLine;
/// // A table of an adapter's values, built once (here `String`s):
/// let table: Vec<String> = VaryLine::LINES.iter().map(|l| l.to_string()).collect();
/// let line = cors_core::Vary::Origin.line().unwrap();
/// assert_eq!(table[line.index()], "origin");
/// assert_eq!(line.as_str(), "origin");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VaryLine(u8);

impl VaryLine {
    /// Every line by [`VaryLine::index`]: `LINES[line.index()] == line.as_str()`. Index 0,
    /// the empty set, is no line's index.
    pub const LINES: [&'static str; 8] = JOINED;

    /// This line's index in [`VaryLine::LINES`], 1 to 7.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// The line's value.
    pub fn as_str(self) -> &'static str {
        JOINED[self.index()]
    }

    /// The line of the items of `mask` (bits over [`ITEMS`]), `None` for no item.
    fn of(mask: usize) -> Option<Self> {
        match u8::try_from(mask) {
            Ok(m @ 1..=7) => Some(Self(m)),
            _ => None,
        }
    }
}

/// [`JOINED`] as `http` 1.x values, validated at compile time.
#[cfg(feature = "http")]
static JOINED_HTTP: [http::HeaderValue; 8] = [
    http::HeaderValue::from_static(JOINED[0]),
    http::HeaderValue::from_static(JOINED[1]),
    http::HeaderValue::from_static(JOINED[2]),
    http::HeaderValue::from_static(JOINED[3]),
    http::HeaderValue::from_static(JOINED[4]),
    http::HeaderValue::from_static(JOINED[5]),
    http::HeaderValue::from_static(JOINED[6]),
    http::HeaderValue::from_static(JOINED[7]),
];

impl Vary {
    /// The bit mask over [`ITEMS`].
    fn mask(self) -> usize {
        match self {
            Vary::None => 0,
            Vary::Origin => 1,
            Vary::Preflight => 7,
            Vary::PreflightAnyOrigin => 6,
        }
    }

    /// The items, lower-case.
    ///
    /// ```
    /// assert_eq!(cors_core::Vary::Origin.items(), ["origin"]);
    /// assert_eq!(cors_core::Vary::None.items(), [] as [&str; 0]);
    /// ```
    pub fn items(self) -> &'static [&'static str] {
        match self {
            Vary::None => &[],
            Vary::Origin => &[ORIGIN],
            Vary::Preflight => &ITEMS,
            Vary::PreflightAnyOrigin => &[ACRM, ACRH],
        }
    }

    /// The items joined with `", "`, as on a response that has no `Vary` yet (empty for
    /// [`Vary::None`]).
    pub fn as_str(self) -> &'static str {
        JOINED[self.mask()]
    }

    /// The line written on a response that has no `Vary` yet; `None` for [`Vary::None`].
    ///
    /// ```
    /// assert_eq!(cors_core::Vary::Origin.line().map(|l| l.as_str()), Some("origin"));
    /// assert_eq!(cors_core::Vary::None.line(), None);
    /// ```
    pub fn line(self) -> Option<VaryLine> {
        VaryLine::of(self.mask())
    }

    /// Given the response's existing `Vary` lines, the value of one more `Vary` line to
    /// append, or `None` when nothing needs adding: the existing items are kept, items
    /// already present (in any case) are not repeated, and `Vary: *` is left alone.
    pub(crate) fn append_to<'v, I>(self, existing: I) -> Option<VaryLine>
    where
        I: IntoIterator<Item = &'v [u8]>,
    {
        VaryLine::of(self.missing(existing))
    }

    /// The bit mask of this value's items that `existing` lacks (`0` also for `Vary: *`).
    fn missing<'v, I>(self, existing: I) -> usize
    where
        I: IntoIterator<Item = &'v [u8]>,
    {
        let mut mask = self.mask();
        if mask == 0 {
            return 0;
        }
        for line in existing {
            for item in line.split(|&b| b == b',') {
                let item = crate::token::trim_ows(item);
                if item == b"*" {
                    return 0;
                }
                for (bit, name) in ITEMS.iter().enumerate() {
                    if item.eq_ignore_ascii_case(name.as_bytes()) {
                        mask &= !(1 << bit);
                    }
                }
            }
        }
        mask
    }
}

/// The `http` 1.x value of a `Vary` line, without validating it again.
#[cfg(feature = "http")]
pub(crate) fn http_value(line: VaryLine) -> http::HeaderValue {
    JOINED_HTTP[line.index()].clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_and_joined_agree() {
        for v in [
            Vary::None,
            Vary::Origin,
            Vary::Preflight,
            Vary::PreflightAnyOrigin,
        ] {
            assert_eq!(v.items().join(", "), v.as_str(), "{v:?}");
        }
    }

    #[test]
    fn appends_only_what_is_missing() {
        let existing: [&[u8]; 1] = [b"Accept-Encoding, Origin"];
        assert_eq!(
            Vary::Preflight.append_to(existing).map(VaryLine::as_str),
            Some("access-control-request-method, access-control-request-headers")
        );
        assert_eq!(Vary::Origin.append_to([b"*" as &[u8]]), None);
        assert_eq!(
            Vary::Origin.append_to(std::iter::empty::<&[u8]>()),
            Vary::Origin.line()
        );
        assert_eq!(Vary::None.append_to(std::iter::empty::<&[u8]>()), None);
    }

    #[cfg(feature = "http")]
    #[test]
    fn lines_and_http_values_are_the_joined_items() {
        assert_eq!(VaryLine::of(0), None);
        assert_eq!(VaryLine::of(8), None);
        for mask in 1..8 {
            let line = VaryLine::of(mask).unwrap();
            let items: Vec<&str> = (0..3)
                .filter(|bit| mask & (1 << bit) != 0)
                .map(|bit| ITEMS[bit])
                .collect();
            assert_eq!(line.as_str(), items.join(", "), "{mask}");
            assert_eq!(VaryLine::LINES[line.index()], line.as_str());
            assert_eq!(http_value(line), line.as_str());
        }
    }
}
