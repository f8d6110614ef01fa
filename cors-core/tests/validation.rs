//! Every validation rule: a policy that breaks it is refused, with the problem named.

use cors_core::{Format, Key, OriginSyntax, Policy, PolicyConfig, PolicyError, ProblemKind};

fn refuse(toml: &str) -> PolicyError {
    match Policy::from_toml_str(toml) {
        Ok(_) => panic!("accepted:\n{toml}"),
        Err(e) => e,
    }
}

/// Builds `toml` and asserts exactly one problem, of the expected kind, mentioning `text`.
fn one(toml: &str, kind: ProblemKind, text: &str) {
    let e = refuse(toml);
    assert_eq!(e.problems().len(), 1, "{toml}\n{e}");
    assert_eq!(e.problems()[0].kind(), &kind, "{toml}\n{e}");
    let shown = e.to_string();
    assert!(shown.contains(text), "{shown:?} lacks {text:?}");
}

fn origin(o: &str, kind: ProblemKind, text: &str) {
    one(&format!("allow_origins = [{o:?}]"), kind, text);
}

fn origin_syntax(o: &str, s: OriginSyntax, fix: Option<&str>) {
    let e = refuse(&format!("allow_origins = [{o:?}]"));
    assert_eq!(e.problems().len(), 1, "{e}");
    let p = &e.problems()[0];
    assert_eq!(p.kind(), &ProblemKind::OriginSyntax(s), "{o}: {e}");
    assert_eq!(p.key(), &Key::AllowOrigins);
    assert_eq!(p.value(), Some(o));
    match fix {
        Some(f) => assert_eq!(
            p.fix(),
            Some(format!("did you mean {f:?}?").as_str()),
            "{o}"
        ),
        None => assert_eq!(p.fix(), None, "{o}"),
    }
}

#[test]
fn origins_must_be_present_and_non_empty() {
    one("allow_origins = []", ProblemKind::EmptyOrigins, "is empty");
    one(
        "allow_credentials = true",
        ProblemKind::MissingKey,
        "allow_origins: is required",
    );
}

#[test]
fn null_and_file_origins_are_refused() {
    origin("null", ProblemKind::NullOrigin, "opaque origin");
    origin("file://", ProblemKind::FileOrigin, "file: origin");
    origin(
        "file:///home/me/index.html",
        ProblemKind::FileOrigin,
        "null",
    );
}

#[test]
fn origins_must_be_in_serialized_form() {
    use OriginSyntax::*;
    origin_syntax(
        "https://example.com/",
        TrailingSlash,
        Some("https://example.com"),
    );
    origin_syntax("https://example.com/app", Path, Some("https://example.com"));
    origin_syntax(
        "https://example.com?x=1",
        Query,
        Some("https://example.com"),
    );
    origin_syntax(
        "https://example.com#top",
        Fragment,
        Some("https://example.com"),
    );
    origin_syntax(
        "https://user:pw@example.com",
        Userinfo,
        Some("https://example.com"),
    );
    origin_syntax(
        "https://Example.com",
        UppercaseHost,
        Some("https://example.com"),
    );
    origin_syntax(
        "HTTPS://example.com",
        UppercaseScheme,
        Some("https://example.com"),
    );
    origin_syntax(
        "https://example.com:443",
        DefaultPort,
        Some("https://example.com"),
    );
    origin_syntax(
        "http://example.com:80",
        DefaultPort,
        Some("http://example.com"),
    );
    origin_syntax("https://example.com:99999", BadPort, None);
    origin_syntax(
        "https://example.com:0443",
        BadPort,
        Some("https://example.com"),
    );
    origin_syntax("example.com", NoScheme, Some("https://example.com"));
    origin_syntax(
        " https://example.com",
        Whitespace,
        Some("https://example.com"),
    );
    origin_syntax(
        "https://bücher.example",
        NotAscii,
        Some("https://xn--bcher-kva.example"),
    );
    origin_syntax("https://exa_mple..com", BadHost, None);
}

#[test]
fn malformed_patterns_are_refused() {
    for p in [
        "https://api.*.example.com",
        "https://*",
        "*://example.com",
        "http://*.127.0.0.1",
        "https://a*b.c*d.example.com",
        "http://localhost:3000:*",
        "https://pr-[0-9].example.com",
    ] {
        let e = refuse(&format!("allow_origins = [{p:?}]"));
        assert_eq!(e.problems().len(), 1, "{p}: {e}");
        assert!(
            matches!(
                e.problems()[0].kind(),
                ProblemKind::BadWildcard(_) | ProblemKind::OriginSyntax(_)
            ),
            "{p}: {e}"
        );
    }
    origin_syntax(
        "https://*.example.com/",
        OriginSyntax::TrailingSlash,
        Some("https://*.example.com"),
    );
    one(
        r#"allow_origins = ["*", "https://a.example"]"#,
        ProblemKind::AnyOriginWithOthers,
        "beside",
    );
}

#[test]
fn credentials_rules() {
    one(
        "allow_origins = [\"*\"]\nallow_credentials = true",
        ProblemKind::AnyOriginWithCredentials,
        "allow_credentials = false",
    );
    one(
        "allow_origins = [\"https://a.example\"]\nexpose_headers = [\"*\"]\nallow_credentials = true",
        ProblemKind::AnyExposeWithCredentials,
        "expose_headers",
    );
    one(
        "allow_origins = [\"http://a.example\"]\nallow_credentials = true",
        ProblemKind::InsecureOriginWithCredentials,
        "did you mean"
            .replace("did you mean", "use \"https://a.example\"")
            .as_str(),
    );
    for p in [
        "https://*.com",
        "https://*.github.io",
        "https://*.co.uk",
        "https://app-*.vercel.app",
    ] {
        one(
            &format!("allow_origins = [{p:?}]\nallow_credentials = true"),
            ProblemKind::PublicSuffixPatternWithCredentials,
            "public suffix",
        );
        // Without credentials such a pattern is the owner's choice.
        assert!(
            Policy::from_toml_str(&format!("allow_origins = [{p:?}]")).is_ok(),
            "{p}"
        );
    }
    // Loopback stays fine over http, and the escape hatch works.
    for ok in [
        "allow_origins = [\"http://localhost:*\", \"http://127.0.0.1:8080\", \"http://[::1]:3000\", \"http://*.localhost\"]\nallow_credentials = true",
        "allow_origins = [\"http://intranet.example\"]\nallow_credentials = true\ndangerously_allow_insecure_origins = true",
        "allow_origins = [\"https://*.example.com\"]\nallow_credentials = true",
    ] {
        Policy::from_toml_str(ok).unwrap_or_else(|e| panic!("{ok}\n{e}"));
    }
}

#[test]
fn methods_rules() {
    one(
        "allow_origins = [\"https://a.example\"]\nallow_methods = [\"GET POST\"]",
        ProblemKind::InvalidMethod,
        "not a method",
    );
    one(
        "allow_origins = [\"https://a.example\"]\nallow_methods = [\" PUT\"]",
        ProblemKind::InvalidMethod,
        "did you mean \"PUT\"?",
    );
    for m in ["CONNECT", "TRACE", "track"] {
        one(
            &format!("allow_origins = [\"https://a.example\"]\nallow_methods = [{m:?}]"),
            ProblemKind::ForbiddenMethod,
            "never send",
        );
    }
}

#[test]
fn header_rules() {
    let h = |key: &str, v: &str, kind: ProblemKind, text: &str| {
        one(
            &format!("allow_origins = [\"https://a.example\"]\n{key} = [{v:?}]"),
            kind,
            text,
        )
    };
    h(
        "allow_headers",
        "x custom",
        ProblemKind::InvalidHeaderName,
        "not a header name",
    );
    h(
        "allow_headers",
        "x-a,x-b",
        ProblemKind::InvalidHeaderName,
        "its own string",
    );
    h(
        "allow_headers",
        "X-Token:",
        ProblemKind::InvalidHeaderName,
        "did you mean \"X-Token\"?",
    );
    for f in [
        "cookie",
        "Host",
        "origin",
        "content-length",
        "sec-fetch-mode",
        "proxy-authorization",
        "access-control-request-method",
    ] {
        h(
            "allow_headers",
            f,
            ProblemKind::ForbiddenRequestHeader,
            "never let a page set",
        );
    }
    for r in [
        "access-control-allow-origin",
        "Access-Control-Max-Age",
        "access-control-expose-headers",
    ] {
        h(
            "allow_headers",
            r,
            ProblemKind::ResponseHeaderInAllowHeaders,
            "response header",
        );
    }
    h(
        "expose_headers",
        "set-cookie",
        ProblemKind::SetCookieExposed,
        "forbidden response header name",
    );
    h(
        "expose_headers",
        "Set-Cookie2",
        ProblemKind::SetCookieExposed,
        "forbidden response header name",
    );
    h(
        "expose_headers",
        "x y",
        ProblemKind::InvalidHeaderName,
        "not a header name",
    );
}

#[test]
fn numbers_rules() {
    one(
        "allow_origins = [\"https://a.example\"]\nmax_age = 86401",
        ProblemKind::MaxAgeTooLarge,
        "86400",
    );
    Policy::from_toml_str("allow_origins = [\"https://a.example\"]\nmax_age = 86400").unwrap();
    for s in [199, 300, 404] {
        one(
            &format!("allow_origins = [\"https://a.example\"]\npreflight_status = {s}"),
            ProblemKind::PreflightStatusOutOfRange,
            "2xx",
        );
    }
}

#[test]
fn unknown_keys_and_types_are_all_reported() {
    let e = refuse(
        "allow_origin = [\"https://a.example\"]\nmax_age = \"ten\"\nallow_credentials = \"yes\"\nfoo = 1",
    );
    let kinds: Vec<_> = e
        .problems()
        .iter()
        .map(|p| (p.key().as_str(), p.kind()))
        .collect();
    assert_eq!(e.problems().len(), 5, "{e}");
    assert!(kinds.contains(&("allow_origin", &ProblemKind::UnknownKey)));
    assert!(kinds.contains(&("foo", &ProblemKind::UnknownKey)));
    assert!(kinds.contains(&("allow_origins", &ProblemKind::MissingKey)));
    assert!(e.to_string().contains("did you mean allow_origins?"), "{e}");
    assert!(
        e.problems()
            .iter()
            .any(|p| p.key() == &Key::MaxAge && matches!(p.kind(), ProblemKind::InvalidType(_)))
    );
    assert!(
        e.problems()
            .iter()
            .any(|p| p.key() == &Key::AllowCredentials
                && matches!(p.kind(), ProblemKind::InvalidType(_)))
    );
    let e = refuse("allow_origins = [");
    assert!(
        matches!(
            e.problems()[0].kind(),
            ProblemKind::Syntax {
                format: Format::Toml,
                line: 1,
                column: 18,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn every_problem_at_once() {
    let e = refuse(
        r#"
        allow_origins = ["https://ok.example", "https://bad.example/", "null", "*"]
        allow_methods = ["TRACE"]
        allow_headers = ["cookie"]
        expose_headers = ["*", "set-cookie"]
        allow_credentials = true
        max_age = 999999
        preflight_status = 500
        "#,
    );
    // trailing slash, null, "*" beside others, "*" with credentials, TRACE, cookie,
    // expose * with credentials, set-cookie, max_age, preflight_status
    assert_eq!(e.problems().len(), 10, "{e}");
    assert!(
        e.to_string()
            .starts_with("invalid CORS policy (10 problems):")
    );
}

#[test]
fn the_same_keys_load_from_toml_json_and_yaml() {
    let toml = r#"
        allow_origins = ["https://app.example.com", "http://localhost:*"]
        allow_methods = ["PUT"]
        allow_headers = ["content-type"]
        expose_headers = ["x-custom"]
        allow_credentials = true
        max_age = 600
        allow_private_network = true
        preflight_status = 200
        preflight_continue = true
        dangerously_allow_insecure_origins = false
        log_level = "info"
        debug = true
    "#;
    let from_toml = PolicyConfig::from_toml_str(toml).unwrap();
    let json = serde_json::to_string(&from_toml).unwrap();
    let from_json = PolicyConfig::from_json_str(&json).unwrap();
    let yaml = serde_yaml_ng::to_string(&from_toml).unwrap();
    let from_yaml = PolicyConfig::from_yaml_str(&yaml).unwrap();
    assert_eq!(from_toml, from_json);
    assert_eq!(from_toml, from_yaml);
    // The derived serde impls refuse unknown keys in any serde format too.
    assert!(serde_yaml_ng::from_str::<PolicyConfig>("allow_origins: ['*']\nbogus: 1").is_err());
    Policy::new(&from_yaml).unwrap();
}

#[test]
fn the_bundled_policy_builds() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/policy.toml");
    Policy::from_file(path).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let e = Policy::from_file("/definitely/not/here.toml").unwrap_err();
    assert!(matches!(
        e.problems()[0].kind(),
        ProblemKind::Unreadable {
            error: std::io::ErrorKind::NotFound,
            ..
        }
    ));
}

#[test]
fn builder_and_predicate() {
    let p = Policy::builder()
        .allow_origin_predicate(|o| o.ends_with(".trusted.example"))
        .build()
        .unwrap();
    let mut req = cors_core::CorsRequest::new(b"GET");
    req.push_origin(b"https://a.trusted.example");
    assert!(p.evaluate(&req).is_allowed());
    let mut req = cors_core::CorsRequest::new(b"GET");
    req.push_origin(b"https://a.trusted.example/");
    assert!(
        !p.evaluate(&req).is_allowed(),
        "malformed origins never reach the predicate"
    );
    assert!(
        Policy::builder().build().is_err(),
        "no origins and no predicate"
    );
}

/// A fresh directory under the system's temporary one, removed on drop.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "cors-core-validation-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> std::path::PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn multibyte_origins_are_problems_not_panics() {
    // Both used to panic: `&o[..5]` sliced inside a character.
    let e = refuse(r#"allow_origins = ["пример.рф", "abcdé", "https://bücher.example"]"#);
    assert_eq!(e.problems().len(), 3, "{e}");
    for p in e.problems() {
        assert_eq!(
            p.kind(),
            &ProblemKind::OriginSyntax(OriginSyntax::NotAscii),
            "{e}"
        );
    }
    assert_eq!(
        e.problems()[0].fix(),
        Some("did you mean \"https://xn--e1afmkfd.xn--p1ai\"?")
    );
    assert_eq!(
        e.problems()[1].fix(),
        Some("did you mean \"https://xn--abcd-epa\"?")
    );
    // Every key, through the builder as well, with characters of every width.
    for v in [
        "é",
        "fïle:",
        "ﬁle:",
        "e\u{301}",
        "\u{202e}evil",
        "🦀",
        "a\0b",
        "\u{feff}",
    ] {
        let e = Policy::builder()
            .allow_origins([v])
            .allow_methods([v])
            .allow_headers([v])
            .expose_headers([v])
            .build()
            .unwrap_err();
        let keys: Vec<&Key> = e.problems().iter().map(|p| p.key()).collect();
        assert_eq!(
            keys,
            [
                &Key::AllowOrigins,
                &Key::AllowMethods,
                &Key::AllowHeaders,
                &Key::ExposeHeaders
            ],
            "{v:?}: {e}"
        );
    }
}

#[test]
fn problems_are_typed() {
    let e = refuse(
        "allow_origins = [\"https://a.example/\"]\nallow_methodz = [\"PUT\"]\nmax_age = \"x\"",
    );
    let p = e
        .problems()
        .iter()
        .find(|p| p.kind() == &ProblemKind::UnknownKey)
        .unwrap();
    assert_eq!(p.key(), &Key::Unknown("allow_methodz".into()));
    assert_eq!(p.fix(), Some("did you mean allow_methods?"));
    assert_eq!(
        p.to_string(),
        "allow_methodz: is not a policy key; did you mean allow_methods?"
    );
    assert!(
        e.problems()
            .iter()
            .any(|p| p.key() == &Key::MaxAge && matches!(p.kind(), ProblemKind::InvalidType(_)))
    );
    for key in Key::ALL {
        assert_eq!(Key::from(key.as_str()), key);
        assert_eq!(key.to_string(), key.as_str());
    }
    assert_eq!(Key::Document.to_string(), "policy");
    let e = PolicyConfig::from_json_str("[1, 2]").unwrap_err();
    assert_eq!(e.problems().len(), 1);
    assert_eq!(e.problems()[0].key(), &Key::Document);
    assert_eq!(e.problems()[0].kind(), &ProblemKind::NotATable);
    assert_eq!(e.file(), None);
}

#[test]
fn syntax_errors_carry_line_and_column() {
    let at = |e: PolicyError| match e.problems() {
        [p] => match p.kind() {
            ProblemKind::Syntax {
                format,
                line,
                column,
                message,
                ..
            } => {
                assert_eq!(p.key(), &Key::Document);
                assert!(!message.is_empty());
                // The position is in the fields, not repeated in the message.
                let here = format!(" at line {line} column {column}");
                assert!(!message.contains(&here), "{message}");
                (*format, *line, *column)
            }
            other => panic!("not a syntax error: {other:?}"),
        },
        ps => panic!("{ps:?}"),
    };
    let toml = "allow_origins = [\n  \"https://a.example\",\n  oops,\n]\n";
    let e = PolicyConfig::from_toml_str(toml).unwrap_err();
    assert!(
        e.to_string().contains("line 3, column 3: invalid TOML: "),
        "{e}"
    );
    assert_eq!(at(e), (Format::Toml, 3, 3));
    // Columns count characters, not bytes.
    let toml = "allow_origins = [\"пример\" x]";
    assert_eq!(
        at(PolicyConfig::from_toml_str(toml).unwrap_err()),
        (Format::Toml, 1, 27)
    );
    let json = "{\n  \"allow_origins\": [\"https://a.example\"],\n  \"max_age\": 60,,\n}";
    assert_eq!(
        at(PolicyConfig::from_json_str(json).unwrap_err()),
        (Format::Json, 3, 17)
    );
    let json = "{\"allow_origins\": [\"é\" x]}";
    assert_eq!(
        at(PolicyConfig::from_json_str(json).unwrap_err()),
        (Format::Json, 1, 24)
    );
    let yaml = "allow_origins:\n  - https://a.example\n max_age: 60\n";
    let (format, line, _) = at(PolicyConfig::from_yaml_str(yaml).unwrap_err());
    assert_eq!((format, line), (Format::Yaml, 3));
    let yaml = "allow_origins: [\"пример\" x]";
    assert_eq!(
        at(PolicyConfig::from_yaml_str(yaml).unwrap_err()),
        (Format::Yaml, 1, 26)
    );
    let yaml = "allow_origins: [\"a\", \"b\"\nmax_age: 1";
    let (format, line, column) = at(PolicyConfig::from_yaml_str(yaml).unwrap_err());
    assert_eq!(format, Format::Yaml);
    assert!(line >= 1 && column >= 1);
    // An error found at the end points at the last character.
    assert_eq!(
        at(PolicyConfig::from_json_str("{\"allow_origins\": [").unwrap_err()),
        (Format::Json, 1, 19)
    );
}

#[test]
fn yaml_reports_every_problem_like_toml_and_json() {
    let yaml =
        "allow_origin:\n  - https://a.example\nmax_age: ten\nallow_credentials: 'yes'\nfoo: 1\n";
    let json = r#"{"allow_origin": ["https://a.example"], "max_age": "ten", "allow_credentials": "yes", "foo": 1}"#;
    let toml = "allow_origin = [\"https://a.example\"]\nmax_age = \"ten\"\nallow_credentials = \"yes\"\nfoo = 1";
    let summary = |e: PolicyError| {
        let mut v: Vec<(String, String)> = e
            .problems()
            .iter()
            .map(|p| {
                let kind = format!("{:?}", p.kind());
                (
                    p.key().to_string(),
                    kind.split('(').next().unwrap().to_owned(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let from_yaml = summary(PolicyConfig::from_yaml_str(yaml).unwrap_err());
    assert_eq!(from_yaml.len(), 5, "{from_yaml:?}");
    assert_eq!(
        from_yaml,
        summary(PolicyConfig::from_json_str(json).unwrap_err())
    );
    assert_eq!(
        from_yaml,
        summary(PolicyConfig::from_toml_str(toml).unwrap_err())
    );
    let e = PolicyConfig::from_yaml_str(yaml).unwrap_err();
    assert!(e.to_string().contains("did you mean allow_origins?"), "{e}");
    // An empty YAML document, or one that is a list, is not a table.
    for doc in ["", "- a\n- b", "just a string"] {
        let e = PolicyConfig::from_yaml_str(doc).unwrap_err();
        assert_eq!(e.problems()[0].kind(), &ProblemKind::NotATable, "{doc:?}");
    }
}

#[test]
fn files_load_by_extension_and_name_the_file() {
    let dir = TempDir::new("ext");
    let yaml = "allow_origins: ['https://a.example']\nmax_age: 60\n";
    let json = r#"{"allow_origins": ["https://a.example"], "max_age": 60}"#;
    let toml = "allow_origins = ['https://a.example']\nmax_age = 60\n";
    for (name, text) in [
        ("p.yaml", yaml),
        ("p.yml", yaml),
        ("P.YML", yaml),
        ("p.json", json),
        ("p.JSON", json),
        ("p.toml", toml),
        ("p.conf", toml),
        ("policy", toml),
    ] {
        let path = dir.write(name, text);
        let c = PolicyConfig::from_file(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(c.max_age, Some(60), "{name}");
        Policy::from_file(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // YAML read as TOML would be a syntax error: the extension decides.
    let path = dir.write("cors.yaml", "allow_origins:\n  - https://a.example\n");
    PolicyConfig::from_file(&path).unwrap();
    // A byte order mark is skipped.
    let path = dir.write("bom.toml", "\u{feff}allow_origins = ['*']\n");
    PolicyConfig::from_file(&path).unwrap();

    // Problems found in a file name it, and syntax errors read like a compiler's.
    let path = dir.write(
        "bad.toml",
        "allow_origins = [\n  \"https://a.example\",\n  oops,\n]\n",
    );
    let e = PolicyConfig::from_file(&path).unwrap_err();
    assert_eq!(e.file(), Some(path.as_path()));
    let shown = e.to_string();
    assert!(
        shown.contains(&format!("{}:3:3: invalid TOML: ", path.display())),
        "{shown}"
    );
    let path = dir.write("keys.yml", "allow_origin: []\n");
    let e = PolicyConfig::from_file(&path).unwrap_err();
    assert!(
        e.to_string().contains(&format!(
            "{}: allow_origin: is not a policy key; did you mean allow_origins?",
            path.display()
        )),
        "{e}"
    );
}

#[test]
fn unreadable_files_are_their_own_problem() {
    let dir = TempDir::new("unreadable");
    let unreadable = |path: &std::path::Path| {
        let e = PolicyConfig::from_file(path).unwrap_err();
        assert_eq!(e.problems().len(), 1, "{e}");
        assert_eq!(e.file(), Some(path));
        assert_eq!(e.problems()[0].key(), &Key::Document);
        assert!(
            e.to_string()
                .contains(&format!("{}: cannot be read: ", path.display())),
            "{e}"
        );
        match e.problems()[0].kind() {
            ProblemKind::Unreadable { error, .. } => *error,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        unreadable(&dir.0.join("missing.toml")),
        std::io::ErrorKind::NotFound
    );
    // Not UTF-8 is unreadable, not a syntax error.
    let latin1 = dir.write(
        "latin1.toml",
        b"allow_origins = [\"https://b\xfccher.example\"]\n",
    );
    assert_eq!(unreadable(&latin1), std::io::ErrorKind::InvalidData);
    // A directory cannot be read as a file either.
    let sub = dir.0.join("sub.toml");
    std::fs::create_dir(&sub).unwrap();
    unreadable(&sub);
}

#[test]
fn expose_headers_refuses_what_no_page_can_read() {
    let h = |v: &str, kind: ProblemKind, text: &str| {
        one(
            &format!("allow_origins = [\"https://a.example\"]\nexpose_headers = [{v:?}]"),
            kind,
            text,
        )
    };
    for r in [
        "access-control-allow-origin",
        "Access-Control-Allow-Methods",
        "access-control-allow-headers",
        "access-control-allow-credentials",
        "access-control-allow-private-network",
        "access-control-expose-headers",
        "access-control-max-age",
    ] {
        h(
            r,
            ProblemKind::CorsResponseHeaderExposed,
            "is a CORS response header the policy sets itself; browsers never expose it",
        );
    }
    for r in [
        "origin",
        "Origin",
        "access-control-request-method",
        "access-control-request-headers",
        "access-control-request-private-network",
    ] {
        h(
            r,
            ProblemKind::RequestHeaderExposed,
            "is a request header; responses do not carry it",
        );
    }
    // Safelisted response headers are readable anyway: listing them is accepted.
    Policy::from_toml_str(
        "allow_origins = [\"https://a.example\"]\nexpose_headers = [\"cache-control\", \"content-language\", \"content-length\", \"content-type\", \"expires\", \"last-modified\", \"pragma\", \"x-request-id\", \"etag\"]",
    )
    .unwrap();
}

#[test]
fn trailing_dot_hosts_are_configurable() {
    let policy = Policy::from_toml_str(
        r#"
        allow_origins = ["http://localhost.:3000", "https://example.com.", "https://*.example.org."]
        allow_credentials = true
        "#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let allowed = |o: &[u8]| {
        let mut req = cors_core::CorsRequest::new(b"GET");
        req.push_origin(o);
        policy.evaluate(&req).is_allowed()
    };
    assert!(allowed(b"http://localhost.:3000"));
    assert!(allowed(b"https://example.com."));
    assert!(allowed(b"https://a.example.org."));
    // Without the dot it is another origin.
    assert!(!allowed(b"http://localhost:3000"));
    assert!(!allowed(b"https://example.com"));
    assert!(!allowed(b"https://a.example.org"));
    assert!(!allowed(b"https://example.org."));
    // `localhost.` is loopback: plain http with credentials stays allowed; other hosts not.
    one(
        "allow_origins = [\"http://intranet.example.\"]\nallow_credentials = true",
        ProblemKind::InsecureOriginWithCredentials,
        "https://intranet.example.",
    );
    // A trailing dot does not hide a public suffix.
    one(
        "allow_origins = [\"https://*.github.io.\"]\nallow_credentials = true",
        ProblemKind::PublicSuffixPatternWithCredentials,
        "public suffix",
    );
    // Browsers drop the dot from an IP address; two dots are no host.
    origin_syntax(
        "http://127.0.0.1.:8080",
        OriginSyntax::BadHost,
        Some("http://127.0.0.1:8080"),
    );
    origin_syntax("https://example.com..", OriginSyntax::BadHost, None);
}

#[test]
fn invalid_punycode_is_refused() {
    for o in [
        "http://xn--f",
        "https://xn--a.example.com",
        "https://*.xn--ss-.example",
    ] {
        origin(
            o,
            ProblemKind::InvalidPunycode,
            "is not valid Punycode; browsers refuse such a host",
        );
    }
    Policy::from_toml_str(
        "allow_origins = [\"https://xn--bcher-kva.example\", \"https://*.xn--p1ai\"]",
    )
    .unwrap();
}

#[test]
fn max_age_names_every_engines_cap() {
    let e = refuse("allow_origins = [\"https://a.example\"]\nmax_age = 86401");
    let shown = e.to_string();
    for cap in [
        "Firefox at 86400 s (24 h)",
        "Chromium at 7200 s (2 h)",
        "WebKit/Safari at 600 s (10 min)",
    ] {
        assert!(shown.contains(cap), "{shown}");
    }
}

#[test]
fn deep_or_exploding_documents_are_syntax_errors_not_crashes() {
    let deep = "[".repeat(100_000);
    type Loader = fn(&str) -> Result<PolicyConfig, PolicyError>;
    let loaders: [(Format, Loader); 3] = [
        (Format::Toml, PolicyConfig::from_toml_str),
        (Format::Json, PolicyConfig::from_json_str),
        (Format::Yaml, PolicyConfig::from_yaml_str),
    ];
    for (format, load) in loaders {
        let text = match format {
            Format::Toml => format!("allow_origins = {deep}"),
            _ => deep.clone(),
        };
        let e = load(&text).unwrap_err();
        assert!(
            matches!(e.problems(), [p] if matches!(p.kind(), ProblemKind::Syntax { format: f, .. } if *f == format)),
            "{format}: {e}"
        );
    }
    // YAML aliases that would expand to billions of nodes.
    let mut bomb = String::from("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
    for (prev, next) in ('a'..='h').zip('b'..='i') {
        let refs = vec![format!("*{prev}"); 9].join(",");
        bomb.push_str(&format!("{next}: &{next} [{refs}]\n"));
    }
    let e = PolicyConfig::from_yaml_str(&bomb).unwrap_err();
    assert!(e.to_string().contains("repetition limit exceeded"), "{e}");
    assert!(
        matches!(
            e.problems()[0].kind(),
            ProblemKind::Syntax {
                format: Format::Yaml,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn an_unknown_key_with_a_newline_is_shown_on_one_line() {
    // Found by the property test `arbitrary_bytes_through_every_loader`.
    let err =
        cors_core::PolicyConfig::from_json_str(r#"{"allow_origins": [""], "\n": 1}"#).unwrap_err();
    let shown = err.to_string();
    assert_eq!(shown.lines().count(), err.problems().len() + 1, "{shown}");
    assert!(shown.contains("\\n: is not a policy key"), "{shown}");
}

#[test]
fn an_empty_unknown_key_is_named_visibly() {
    let err = cors_core::ServiceConfig::from_toml_str("\"\" = 1\nallow_origins = [\"https://a.example\"]\n[policies.p]\nallow_origins = [\"https://a.example\"]\n\"\" = 2\n").unwrap_err();
    let keys: Vec<String> = err.problems().iter().map(|p| p.full_key()).collect();
    assert_eq!(keys, ["\"\"", "policies.p.\"\""], "{err}");
}

/// The bytes of a file, read already, load exactly as the file does: the same format by
/// extension, the same byte order mark handling, the same problems naming the same file.
#[test]
fn file_bytes_load_as_the_file_does() {
    use cors_core::{PolicySet, ServiceConfig};
    let dir = TempDir::new("bytes");
    let cases: [(&str, &[u8]); 7] = [
        (
            "p.yaml",
            b"allow_origins: ['https://a.example']\nmax_age: 60\n",
        ),
        (
            "p.JSON",
            br#"{"allow_origins": ["https://a.example"], "max_age": 60}"#,
        ),
        (
            "policy",
            b"allow_origins = ['https://a.example']\nmax_age = 60\n",
        ),
        ("bom.toml", "\u{feff}allow_origins = ['*']\n".as_bytes()),
        ("bad.toml", b"allow_origins = [\n  oops,\n]\n"),
        ("keys.yml", b"allow_origin: []\n"),
        (
            "latin1.toml",
            b"allow_origins = ['https://caf\xe9.example']\n",
        ),
    ];
    for (name, bytes) in cases {
        let path = dir.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        let from_file = ServiceConfig::from_file(&path);
        let from_bytes = ServiceConfig::from_file_bytes(&path, bytes);
        match (&from_file, &from_bytes) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{name}"),
            (Err(a), Err(b)) => {
                assert_eq!(a.to_string(), b.to_string(), "{name}");
                assert_eq!(b.file(), Some(path.as_path()), "{name}");
            }
            _ => panic!("{name}: {from_file:?} against {from_bytes:?}"),
        }
        let configs = |set: PolicySet| {
            set.policies()
                .map(|(n, p)| (n.to_owned(), p.config().clone()))
                .collect::<Vec<_>>()
        };
        let set = PolicySet::from_file_and_env(&path).map(configs);
        let from_bytes = PolicySet::from_file_bytes_and_env(&path, bytes).map(configs);
        assert_eq!(
            set.as_ref().map_err(ToString::to_string),
            from_bytes.as_ref().map_err(ToString::to_string),
            "{name}"
        );
    }
    // The bytes given are what is loaded, whatever the file holds now (or whether it
    // exists at all).
    let path = dir.0.join("gone.toml");
    let set = PolicySet::from_file_bytes_and_env(&path, b"allow_origins = ['https://b.example']")
        .unwrap();
    assert_eq!(
        set.default_policy().config().allow_origins,
        ["https://b.example"]
    );
}
