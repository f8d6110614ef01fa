//! Path patterns and the route index: which route a request path belongs to, without
//! allocating and without trying the routes that cannot match.
//!
//! A request path is matched in a canonical form, the same for every framework, so that
//! no spelling of a path reaches a handler under another route's policy:
//! - segments are compared percent-decoded (`/%65cho` is `/echo`), but `%2F` stays inside
//!   its segment (it never splits one, as in every framework's router);
//! - empty segments are dropped (`//echo`, `/echo/` are `/echo`);
//! - dot segments are resolved as the URL standard does (`.`, `..`, and their
//!   percent-encoded forms `%2e`, `.%2E`, …): `/a/../echo` is `/echo`, and `..` never
//!   climbs above the root.
//!
//! Frameworks route a subset of these spellings to the handler of the canonical path
//! (actix-web decodes, Rocket collapses `//` and trailing slashes, …); the others reach no
//! handler at all, so choosing the canonical path's policy is right for every framework.

use std::cmp::Ordering;

use globset::{GlobBuilder, GlobMatcher};

/// One segment of a path pattern.
#[derive(Debug, Clone)]
enum Seg {
    /// A literal segment, percent-decoded.
    Literal(Box<[u8]>),
    /// `*`: exactly one segment.
    One,
    /// `**`: any number of segments, none included.
    Any,
    /// A glob inside one segment (`*.json`, `v[12]`, `{a,b}`), matched on the decoded
    /// segment.
    Glob(GlobMatcher),
}

/// A compiled path pattern: `/public/**`, `/api/*/items`, `/files/*.json`.
#[derive(Debug, Clone)]
pub(crate) struct PathPattern {
    segs: Box<[Seg]>,
}

impl PathPattern {
    /// Compiles a pattern, or says why it is not one.
    pub(crate) fn parse(pattern: &str) -> Result<Self, String> {
        let Some(rest) = pattern.strip_prefix('/') else {
            return Err("a path pattern starts with '/'".into());
        };
        if pattern.contains('#') {
            return Err("'#' starts a fragment, which is never part of a request's path".into());
        }
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let mut segs = Vec::new();
        if !rest.is_empty() {
            for seg in rest.split('/') {
                segs.push(Self::segment(seg)?);
            }
        }
        Ok(Self {
            segs: segs.into_boxed_slice(),
        })
    }

    fn segment(seg: &str) -> Result<Seg, String> {
        match seg {
            "" => return Err("it has an empty segment ('//'); request paths are matched with empty segments removed".into()),
            "**" => return Ok(Seg::Any),
            "*" => return Ok(Seg::One),
            _ => {}
        }
        if seg.contains("**") {
            return Err(format!(
                "'**' must be a whole segment ('/**/'), not part of {seg:?}"
            ));
        }
        if seg.contains(['*', '?', '[', '{']) {
            return GlobBuilder::new(seg)
                .literal_separator(true)
                .build()
                .map(|g| Seg::Glob(g.compile_matcher()))
                .map_err(|e| e.kind().to_string());
        }
        let decoded = decode_strict(seg)?;
        if decoded == b"." || decoded == b".." {
            return Err(
                "dot segments ('.', '..') are resolved in request paths, so this never matches"
                    .into(),
            );
        }
        Ok(Seg::Literal(decoded.into_boxed_slice()))
    }

    /// The literal segments the pattern starts with and those it ends with (the same
    /// ones twice when all are literal; none for a pattern starting and ending with `*`,
    /// `**` or a glob). A pattern covers another ([`PathPattern::covers`]) only if its
    /// first are the first of the other's and its last the last of the other's: its
    /// literal segments at either end meet the other's at that end.
    pub(crate) fn literal_ends(&self) -> (Vec<&[u8]>, Vec<&[u8]>) {
        fn literal(s: &Seg) -> Option<&[u8]> {
            match s {
                Seg::Literal(l) => Some(l),
                _ => None,
            }
        }
        let prefix: Vec<&[u8]> = self.segs.iter().map_while(literal).collect();
        let mut suffix: Vec<&[u8]> = self.segs.iter().rev().map_while(literal).collect();
        suffix.reverse();
        (prefix, suffix)
    }

    /// The literal first segment, if the pattern has one.
    fn first_literal(&self) -> Option<&[u8]> {
        match self.segs.first() {
            Some(Seg::Literal(l)) => Some(l),
            _ => None,
        }
    }

    /// Whether the canonical segments `path` match.
    fn matches(&self, path: &[&[u8]]) -> bool {
        wildcard(&self.segs, path, |p, s| match p {
            // `**` is handled by `wildcard` itself.
            Seg::Any => false,
            Seg::One => true,
            Seg::Literal(l) => decoded_cmp(s, l) == Ordering::Equal,
            Seg::Glob(g) => glob_match(g, s),
        })
    }

    /// Whether every path `other` matches also matches this pattern (so a route with this
    /// pattern, placed first, shadows `other`).
    pub(crate) fn covers(&self, other: &PathPattern) -> bool {
        // Match this pattern against the other's segments: a `**` of the other can only be
        // covered by a `**` here; a `*` or glob of the other only by a `*` here (or the
        // identical glob).
        wildcard(&self.segs, &other.segs, |p, s| match (p, s) {
            (_, Seg::Any) => false,
            (Seg::One, _) => true,
            (Seg::Literal(a), Seg::Literal(b)) => a == b,
            (Seg::Glob(g), Seg::Literal(b)) => std::str::from_utf8(b).is_ok_and(|b| g.is_match(b)),
            (Seg::Glob(a), Seg::Glob(b)) => a.glob() == b.glob(),
            _ => false,
        })
    }
}

/// Matches `pattern` against `items`, `Seg::Any` standing for any run of items (none
/// included) and `one` deciding each other segment; linear backtracking to the last `**`,
/// as glob matchers do, so no pattern makes it exponential.
fn wildcard<T>(pattern: &[Seg], items: &[T], one: impl Fn(&Seg, &T) -> bool) -> bool {
    let (mut p, mut i) = (0, 0);
    let mut back: Option<(usize, usize)> = None;
    loop {
        match pattern.get(p) {
            Some(Seg::Any) => {
                back = Some((p, i));
                p += 1;
                continue;
            }
            Some(seg) => {
                if let Some(item) = items.get(i)
                    && one(seg, item)
                {
                    p += 1;
                    i += 1;
                    continue;
                }
            }
            None if i == items.len() => return true,
            None => {}
        }
        // Mismatch: let the last `**` take one more item, or fail.
        match back {
            Some((bp, bi)) if bi < items.len() => {
                back = Some((bp, bi + 1));
                p = bp + 1;
                i = bi + 1;
            }
            _ => return false,
        }
    }
}

/// The value of a hexadecimal digit.
fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The percent-decoded bytes of a raw segment, one at a time; a `%` not followed by two
/// hexadecimal digits is itself.
fn decoded(raw: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let b = *raw.get(i)?;
        if b == b'%'
            && let (Some(h), Some(l)) = (
                raw.get(i + 1).copied().and_then(hex),
                raw.get(i + 2).copied().and_then(hex),
            )
        {
            i += 3;
            return Some(h << 4 | l);
        }
        i += 1;
        Some(b)
    })
}

/// Compares a raw segment, decoded, with decoded bytes.
fn decoded_cmp(raw: &[u8], decoded_bytes: &[u8]) -> Ordering {
    decoded(raw).cmp(decoded_bytes.iter().copied())
}

/// Decodes a pattern's literal segment; a `%` must start an escape.
fn decode_strict(seg: &str) -> Result<Vec<u8>, String> {
    let b = seg.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'%'
            && !(b.get(i + 1).copied().and_then(hex).is_some()
                && b.get(i + 2).copied().and_then(hex).is_some())
        {
            return Err(format!(
                "'%' in {seg:?} does not start a percent-escape (write '%25' for a '%')"
            ));
        }
    }
    Ok(decoded(b).collect())
}

/// Matches a glob on a raw segment, decoded; a segment that does not decode to UTF-8 never
/// matches a glob.
fn glob_match(glob: &GlobMatcher, raw: &[u8]) -> bool {
    const STACK: usize = 256;
    let mut buf = [0u8; STACK];
    let mut n = 0;
    let mut heap = Vec::new();
    for b in decoded(raw) {
        match buf.get_mut(n) {
            Some(slot) if heap.is_empty() => {
                *slot = b;
                n += 1;
            }
            _ => {
                if heap.is_empty() {
                    heap.extend_from_slice(buf.get(..n).unwrap_or_default());
                }
                heap.push(b);
            }
        }
    }
    let bytes = if heap.is_empty() {
        buf.get(..n).unwrap_or_default()
    } else {
        &heap
    };
    std::str::from_utf8(bytes).is_ok_and(|s| glob.is_match(s))
}

/// Segments kept on the stack; a deeper path spills into a `Vec`.
const INLINE_SEGMENTS: usize = 24;

/// The canonical segments of a request path, borrowed from it (still percent-encoded).
pub(crate) struct Segments<'p> {
    inline: [&'p [u8]; INLINE_SEGMENTS],
    len: usize,
    /// Every segment once there are more than fit inline (`spilled`).
    spill: Vec<&'p [u8]>,
    spilled: bool,
}

impl<'p> Segments<'p> {
    /// Splits and canonicalizes `path` (the path only: no query).
    pub(crate) fn new(path: &'p [u8]) -> Self {
        let mut s = Self {
            inline: [b""; INLINE_SEGMENTS],
            len: 0,
            spill: Vec::new(),
            spilled: false,
        };
        for seg in path.split(|&b| b == b'/') {
            if seg.is_empty() || is_dot(seg) {
                continue;
            }
            if is_dot_dot(seg) {
                s.pop();
                continue;
            }
            s.push(seg);
        }
        s
    }

    fn push(&mut self, seg: &'p [u8]) {
        if !self.spilled {
            if let Some(slot) = self.inline.get_mut(self.len) {
                *slot = seg;
                self.len += 1;
                return;
            }
            self.spill.extend_from_slice(&self.inline);
            self.spilled = true;
        }
        self.spill.push(seg);
    }

    fn pop(&mut self) {
        if self.spilled {
            self.spill.pop();
        } else {
            self.len = self.len.saturating_sub(1);
        }
    }

    pub(crate) fn as_slice(&self) -> &[&'p [u8]] {
        if self.spilled {
            &self.spill
        } else {
            self.inline.get(..self.len).unwrap_or_default()
        }
    }
}

/// `.` or `%2e` (any case).
fn is_dot(seg: &[u8]) -> bool {
    match seg {
        b"." => true,
        [b'%', b'2', e] => e.eq_ignore_ascii_case(&b'e'),
        _ => false,
    }
}

/// `..`, `.%2e`, `%2e.`, `%2e%2e` (any case).
fn is_dot_dot(seg: &[u8]) -> bool {
    // Most segments are ruled out by their length or first byte, without decoding.
    matches!(seg.len(), 2 | 4 | 6)
        && matches!(seg.first(), Some(b'.' | b'%'))
        && decoded_cmp(seg, b"..") == Ordering::Equal
}

/// A pattern and the route it belongs to.
#[derive(Debug, Clone)]
struct Entry {
    route: usize,
    pattern: PathPattern,
}

/// Every route's patterns, indexed by their literal first segment: a path tries only the
/// patterns under its own first segment and those starting with a wildcard, in file order.
#[derive(Debug, Clone, Default)]
pub(crate) struct RouteIndex {
    entries: Vec<Entry>,
    /// Literal first segments, sorted, with the entries (ascending) that start with them.
    by_first: Vec<(Box<[u8]>, Vec<usize>)>,
    /// Entries (ascending) whose first segment is not literal, or that have none (`/`).
    wild: Vec<usize>,
}

impl RouteIndex {
    /// Adds a pattern of route `route`; routes are added in file order.
    pub(crate) fn push(&mut self, route: usize, pattern: PathPattern) {
        let at = self.entries.len();
        match pattern.first_literal() {
            Some(first) => match self.by_first.binary_search_by(|(k, _)| (**k).cmp(first)) {
                Ok(i) => {
                    if let Some((_, list)) = self.by_first.get_mut(i) {
                        list.push(at);
                    }
                }
                Err(i) => self.by_first.insert(i, (first.into(), vec![at])),
            },
            None => self.wild.push(at),
        }
        self.entries.push(Entry { route, pattern });
    }

    /// Whether no route was added.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The first route (in file order) with a pattern matching `path`.
    pub(crate) fn find(&self, path: &[u8]) -> Option<usize> {
        let segs = Segments::new(path);
        let segs = segs.as_slice();
        let literal: &[usize] = match segs.first() {
            Some(first) => self
                .by_first
                .binary_search_by(|(k, _)| decoded_cmp(first, k).reverse())
                .ok()
                .and_then(|i| self.by_first.get(i))
                .map_or(&[], |(_, list)| list),
            None => &[],
        };
        let (mut a, mut b) = (literal.iter().peekable(), self.wild.iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(&&x), Some(&&y)) if x < y => a.next(),
                (Some(_), Some(_)) | (None, Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, None) => return None,
            };
            let e = next.and_then(|&i| self.entries.get(i))?;
            if e.pattern.matches(segs) {
                return Some(e.route);
            }
        }
    }

    /// The patterns of `route`: one run of the entries, which are added in route order.
    pub(crate) fn patterns(&self, route: usize) -> impl Iterator<Item = &PathPattern> {
        let start = self.entries.partition_point(|e| e.route < route);
        let end = self.entries.partition_point(|e| e.route <= route);
        self.entries
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .map(|e| &e.pattern)
    }

    /// Every route's patterns, with the route, in file order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (usize, &PathPattern)> {
        self.entries.iter().map(|e| (e.route, &e.pattern))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        let p = PathPattern::parse(pattern).unwrap();
        p.matches(Segments::new(path.as_bytes()).as_slice())
    }

    #[test]
    fn patterns_match_segments() {
        assert!(m("/echo", "/echo"));
        assert!(!m("/echo", "/echo/x"));
        assert!(m("/public/**", "/public"));
        assert!(m("/public/**", "/public/a/b"));
        assert!(!m("/public/**", "/publicx"));
        assert!(m("/api/*/items", "/api/7/items"));
        assert!(!m("/api/*/items", "/api/items"));
        assert!(!m("/api/*/items", "/api/1/2/items"));
        assert!(m("/**/items", "/items"));
        assert!(m("/**/items", "/a/b/items"));
        assert!(m("/**/a/**/b", "/x/a/y/z/b"));
        assert!(!m("/**/a/**/b", "/x/a/y/z/c"));
        assert!(m("/files/*.json", "/files/a.json"));
        assert!(!m("/files/*.json", "/files/a.txt"));
        assert!(m("/", "/"));
        assert!(m("/", ""));
        assert!(!m("/", "/a"));
        assert!(m("/**", "/"));
    }

    #[test]
    fn every_spelling_of_a_path_is_the_same_path() {
        for spelling in [
            "/echo",
            "/%65cho",
            "/%65%63%68%6F",
            "//echo",
            "/echo/",
            "/echo//",
            "/./echo",
            "/%2e/echo",
            "/a/../echo",
            "/a/%2e%2E/echo",
            "/a/.%2e/echo",
            "/../../echo",
            "///a//..//echo",
        ] {
            assert!(m("/echo", spelling), "{spelling}");
            assert!(m("/%65cho", spelling), "{spelling}");
        }
        // An encoded slash stays inside its segment.
        assert!(!m("/a/b", "/a%2Fb"));
        assert!(m("/*", "/a%2Fb"));
        assert!(!m("/a/**", "/a%2F..%2F../b") || m("/a/**", "/a"));
    }

    #[test]
    fn bad_patterns_say_why() {
        for bad in [
            "echo", "/a//b", "/a/../b", "/a/.", "/x**", "/%zz", "/a#b", "/[a",
        ] {
            assert!(PathPattern::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn deep_paths_spill_and_still_match() {
        let deep = "/a".repeat(100) + "/end";
        assert!(m("/**/end", &deep));
        let back = "/x".repeat(40) + &"/..".repeat(40) + "/echo";
        assert!(m("/echo", &back));
    }

    #[test]
    fn the_index_keeps_file_order() {
        let mut idx = RouteIndex::default();
        idx.push(0, PathPattern::parse("/**/x").unwrap());
        idx.push(1, PathPattern::parse("/a/**").unwrap());
        idx.push(2, PathPattern::parse("/b").unwrap());
        idx.push(2, PathPattern::parse("/*").unwrap());
        assert_eq!(idx.find(b"/a/x"), Some(0));
        assert_eq!(idx.find(b"/a/y"), Some(1));
        assert_eq!(idx.find(b"/%61/y"), Some(1));
        assert_eq!(idx.find(b"/b"), Some(2));
        assert_eq!(idx.find(b"/c"), Some(2));
        assert_eq!(idx.find(b"/c/d"), None);
        assert_eq!(idx.find(b"/"), None);
    }

    #[test]
    fn covering() {
        let c = |a: &str, b: &str| {
            PathPattern::parse(a)
                .unwrap()
                .covers(&PathPattern::parse(b).unwrap())
        };
        assert!(c("/**", "/a/**"));
        assert!(c("/a/**", "/a/b"));
        assert!(c("/a/*", "/a/b"));
        assert!(!c("/a/*", "/a/**"));
        assert!(!c("/a/b", "/a/*"));
        assert!(c("/*.json", "/a.json"));
        assert!(!c("/a", "/b"));
    }
}
