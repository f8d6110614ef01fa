//! Writing results: colour on terminals, JSON documents.

use std::io::IsTerminal;

/// ANSI colours when stdout is a terminal and `NO_COLOR` is not set.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paint {
    on: bool,
}

impl Paint {
    /// Colours only for a terminal.
    pub(crate) fn stdout() -> Self {
        let on = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Self { on }
    }

    fn wrap(self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// Success.
    pub(crate) fn green(self, text: &str) -> String {
        self.wrap("32", text)
    }

    /// Failure.
    pub(crate) fn red(self, text: &str) -> String {
        self.wrap("31", text)
    }

    /// Warnings.
    pub(crate) fn yellow(self, text: &str) -> String {
        self.wrap("33", text)
    }

    /// Step names.
    pub(crate) fn bold(self, text: &str) -> String {
        self.wrap("1", text)
    }
}

/// Prints one JSON document on stdout.
pub(crate) fn print_json(value: &serde_json::Value) {
    // A `Value` always serializes.
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into())
    );
}

/// Reports a usage error of `cors COMMAND` (one JSON document `{"error": …}` in JSON
/// format, a line on stderr in text) and returns its exit code, 2.
pub(crate) fn usage(command: &str, format: crate::Format, message: &str) -> u8 {
    match format {
        crate::Format::Json => print_json(&serde_json::json!({ "error": message })),
        crate::Format::Text => eprintln!("cors {command}: {message}"),
    }
    2
}

/// The `preflight:` line of `explain` and `probe`: whether a browser sends one, and why.
pub(crate) fn print_preflight_need(paint: Paint, need: &cors_core::browser::Preflight) {
    if need.is_needed() {
        let reasons: Vec<String> = need.triggers().iter().map(ToString::to_string).collect();
        println!(
            "{} needed: {}",
            paint.bold("preflight:"),
            reasons.join("; ")
        );
    } else {
        println!(
            "{} not needed: a CORS-safelisted method with CORS-safelisted headers only",
            paint.bold("preflight:")
        );
    }
}
