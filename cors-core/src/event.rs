//! The one place a rejected request is reported.

use crate::decision::Verdict;
use crate::reason::Escaped;
use crate::request::Field;
use crate::{CorsRequest, LogLevel, Reason, RequestKind};

/// Emits one event, target `cors`, at `level` (the policy's `log_level`), for a rejected
/// CORS request (nothing for allowed requests and requests that are not CORS requests),
/// with the request kind, the reason code and the request's values, escaped and
/// truncated: fields `kind`, `reason`, `origin`, `method` (the preflight's requested
/// method; the request's own method for `cross-origin-request` and
/// `cross-origin-websocket`), `header` (the first refused header, for
/// `header-not-allowed`), and, for the origin check's two reasons, `fetch_site` (what
/// `Sec-Fetch-Site` said) and `enforced` (false under `csrf_protection = "report"`: the
/// request went on to the handler).
#[inline]
pub(crate) fn rejected(req: &CorsRequest<'_>, verdict: &Verdict<'_>, level: LogLevel) {
    if let Some(reason) = &verdict.reason
        && level != LogLevel::Off
    {
        emit(req, verdict.kind, reason, verdict.report_only, level);
    }
}

#[cold]
fn emit(
    req: &CorsRequest<'_>,
    kind: RequestKind,
    reason: &Reason<'_>,
    report_only: bool,
    level: LogLevel,
) {
    fn field<'a>(f: Field<'a>) -> Option<&'a [u8]> {
        match f {
            Field::Absent => None,
            Field::One(v) | Field::Repeated(v) => Some(v),
        }
    }
    fn shown(v: Option<&[u8]>) -> Option<tracing::field::DisplayValue<Escaped<'_>>> {
        v.map(Escaped).map(tracing::field::display)
    }
    let header = match reason {
        Reason::HeaderNotAllowed { header } => Some(*header),
        _ => None,
    };
    let (method, fetch_site, enforced) = match reason {
        Reason::CrossOriginRequest { fetch_site, .. }
        | Reason::CrossOriginWebSocket { fetch_site, .. } => (
            Some(req.method()),
            Some(fetch_site.as_str()),
            Some(!report_only),
        ),
        _ => (field(req.request_method()), None, None),
    };
    let what = if report_only {
        "request would be refused (csrf_protection = \"report\")"
    } else {
        "CORS request rejected"
    };
    // `tracing` fixes an event's level at its call site: one site per level.
    macro_rules! event {
        ($level:expr) => {
            tracing::event!(
                target: "cors",
                $level,
                kind = kind.as_str(),
                reason = reason.code(),
                origin = shown(field(req.origin())),
                method = shown(method),
                header = shown(header),
                fetch_site,
                enforced,
                "{what}: {reason}"
            )
        };
    }
    match level {
        LogLevel::Off => {}
        LogLevel::Error => event!(tracing::Level::ERROR),
        LogLevel::Warn => event!(tracing::Level::WARN),
        LogLevel::Info => event!(tracing::Level::INFO),
        LogLevel::Debug => event!(tracing::Level::DEBUG),
        LogLevel::Trace => event!(tracing::Level::TRACE),
    }
}
