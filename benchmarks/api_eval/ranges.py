# ruff: noqa: E501  (one range per line reads best)
"""Expected Breaking / New features items per release range, from the maintainers' changelogs.

Each item: (group, changelog words (short), [regex keys]). A bullet matches an item when any
key matches it. Keys are names the changelog entry is about; an item that names no API (e.g.
"Drop support for Python 3.7") is keyed by its distinctive words.
"""

B, F = "breaking", "feature"

RANGES = {
    # ---------------- tuning set (looked at while developing) ----------------
    "flask-2.2.0-2.3.0": dict(
        lang="python",
        kind="sdist",
        a="Flask-2.2.0",
        b="Flask-2.3.0",
        tuned=True,
        items=[
            (B, "Drop support for Python 3.7", [r"3\.7"]),
            (
                B,
                "Update minimum requirements Werkzeug>=2.3.0 ...",
                [
                    r"(?i)werkzeug",
                    r"(?i)itsdangerous",
                    r"(?i)\bclick\b.*8\.1",
                    r"(?i)jinja2?\b.*3\.1",
                ],
            ),
            (
                B,
                "_app_ctx_stack/_request_ctx_stack push/pop removed",
                [r"_app_ctx_stack", r"_request_ctx_stack"],
            ),
            (B, "FLASK_ENV, ENV, app.env removed", [r"FLASK_ENV", r"\benv\b`", r"\.env\b"]),
            (
                B,
                "session_cookie_name ... properties removed",
                [
                    r"session_cookie_name",
                    r"send_file_max_age_default",
                    r"use_x_sendfile",
                    r"propagate_exceptions",
                    r"templates_auto_reload",
                ],
            ),
            (
                B,
                "JSON_AS_ASCII ... config keys removed",
                [
                    r"JSON_AS_ASCII",
                    r"JSON_SORT_KEYS",
                    r"JSONIFY_MIMETYPE",
                    r"JSONIFY_PRETTYPRINT_REGULAR",
                ],
            ),
            (
                B,
                "before_first_request decorators removed",
                [r"before_first_request", r"before_app_first_request"],
            ),
            (
                B,
                "json_encoder/json_decoder, JSONEncoder/JSONDecoder removed",
                [r"json_encoder", r"json_decoder", r"JSONEncoder", r"JSONDecoder"],
            ),
            (B, "json.htmlsafe_dumps/htmlsafe_dump removed", [r"htmlsafe_dump"]),
            (
                B,
                "Importing escape and Markup from flask deprecated",
                [r"\bescape\b", r"\bMarkup\b"],
            ),
            (B, "app.got_first_request deprecated", [r"got_first_request"]),
            (B, "locked_cached_property deprecated", [r"locked_cached_property"]),
            (B, "signals_available deprecated", [r"signals_available"]),
            (F, "config.from_file text=False", [r"from_file"]),
            (F, "routes command shows subdomain/host", [r"\broutes\b", r"routes_command"]),
            (
                F,
                "Signals support async subscriber functions",
                [r"(?i)signals?.*async|async.*signal"],
            ),
            (F, "--debug option for flask run", [r"--debug", r"`debug`"]),
        ],
    ),
    "click-8.0.0-8.1.0": dict(
        lang="python",
        kind="sdist",
        a="click-8.0.0",
        b="click-8.1.0",
        tuned=True,
        items=[
            (B, "Drop support for Python 3.6", [r"3\.6"]),
            (B, "Group.resultcallback renamed to result_callback", [r"resultcallback"]),
            (B, "autocompletion parameter to Command renamed shell_complete", [r"autocompletion"]),
            (B, "get_terminal_size removed", [r"get_terminal_size"]),
            (B, "get_os_args removed", [r"get_os_args"]),
            (
                B,
                "locale encoding detection removed",
                [r"(?i)_verify_python_env|_unicodefun|locale"],
            ),
            (F, "Path type can check executable", [r"executable"]),
            (
                F,
                "command/group decorators with or without parentheses",
                [r"`(click\.)?(decorators\.)?(command|group)`"],
            ),
            (F, "pass a list of params to @command", [r"\bparams\b"]),
        ],
    ),
    "commander-9.5.0-10.0.0": dict(
        lang="js",
        kind="git",
        repo="tj+commander.js",
        a="v9.5.0",
        b="v10.0.0",
        tuned=True,
        items=[
            (B, "Commander 10 requires Node.js v14 or higher", [r"(?i)node(\.js)?\b.*14|engines"]),
            (F, "wrap command description in help", [r"(?i)wrap"]),
        ],
    ),
    "bytes-1.4.0-1.5.0": dict(
        lang="rust",
        kind="git",
        repo="tokio-rs+bytes",
        a="v1.4.0",
        b="v1.5.0",
        tuned=True,
        items=[
            (
                F,
                "Add UninitSlice::{new,uninit}",
                [
                    r"UninitSlice::new|UninitSlice\.new|`new`.*UninitSlice|UninitSlice.*`new`",
                    r"uninit\b",
                ],
            ),
            (F, "Implement BufMut for &mut [MaybeUninit<u8>]", [r"MaybeUninit"]),
        ],
    ),
    "uuid-1.3.1-1.5.0": dict(
        lang="go",
        kind="git",
        repo="google+uuid",
        a="v1.3.1",
        b="v1.5.0",
        tuned=True,
        items=[
            (F, "UUIDs slice type with Strings()", [r"\bUUIDs\b", r"Strings"]),
            (F, "Validate UUID without creating new UUID", [r"\bValidate\b"]),
        ],
    ),
    # ---------------- held-out set (not looked at while developing) ----------------
    "flask-2.3.0-3.0.0": dict(
        lang="python",
        kind="sdist",
        a="Flask-2.3.0",
        b="flask-3.0.0",
        tuned=False,
        items=[
            (
                B,
                "Remove previously deprecated code",
                [
                    r"escape",
                    r"Markup",
                    r"got_first_request",
                    r"locked_cached_property",
                    r"signals_available",
                    r"_app_ctx_stack",
                    r"_request_ctx_stack",
                    r"JSONEncoder",
                    r"json_encoder",
                ],
            ),
            (B, "Deprecate the __version__ attribute", [r"__version__"]),
            (B, "Require Werkzeug >= 3.0.0", [r"(?i)werkzeug"]),
            (F, "Allow self as an argument to url_for", [r"url_for"]),
            (F, "Sans-IO bases for Flask and Blueprint", [r"(?i)sansio|sans-io"]),
        ],
    ),
    "attrs-22.2.0-23.1.0": dict(
        lang="python",
        kind="sdist",
        a="attrs-22.2.0",
        b="attrs-23.1.0",
        tuned=False,
        items=[
            (B, "Python 3.6 has been dropped", [r"3\.6"]),
            (B, "attrs.validators.provides deprecated", [r"provides"]),
            (B, "evolve(inst=...) keyword deprecated", [r"evolve"]),
            (
                F,
                "filters.exclude/include accept names as strings",
                [r"\bexclude\b", r"\binclude\b"],
            ),
            (
                F,
                "type parameter to attrs.field()",
                [r"`(attr\.|attrs\.)?field`|\bfield\b.*type|type.*\bfield\b"],
            ),
            (F, "resolve_types include_extras", [r"resolve_types", r"include_extras"]),
            (F, "validators.optional accepts a tuple", [r"optional"]),
            (F, "AttrsInstance protocol for asdict/astuple", [r"AttrsInstance"]),
        ],
    ),
    "httpx-0.24.0-0.25.0": dict(
        lang="python",
        kind="sdist",
        a="httpx-0.24.0",
        b="httpx-0.25.0",
        tuned=False,
        items=[
            (B, "Drop support for Python 3.7", [r"3\.7"]),
            (F, "Support HTTPS proxies", [r"(?i)https prox|proxy"]),
            (F, "socket_options argument to HTTPTransport", [r"socket_options"]),
            (F, "Response.raise_for_status returns the response", [r"raise_for_status"]),
            (F, "Extensions is MutableMapping", [r"Extensions"]),
            (F, "InvalidURL exceptions give more context", [r"InvalidURL"]),
        ],
    ),
    "requests-2.28.0-2.31.0": dict(
        lang="python",
        kind="sdist",
        a="requests-2.28.0",
        b="requests-2.31.0",
        tuned=False,
        items=[
            (B, "urllib3 2.0 support may contain minor breaking changes", [r"(?i)urllib3"]),
            (F, "Added support for urllib3 2.0", [r"(?i)urllib3"]),
            (
                F,
                "supports charset_normalizer 3.x / chardet 5",
                [r"(?i)charset.normalizer", r"(?i)chardet"],
            ),
        ],
    ),
    "werkzeug-2.2.0-2.3.0": dict(
        lang="python",
        kind="sdist",
        a="Werkzeug-2.2.0",
        b="Werkzeug-2.3.0",
        tuned=False,
        items=[
            (B, "Drop support for Python 3.7", [r"3\.7"]),
            (
                B,
                "Passing bytes / charset and errors parameters deprecated",
                [r"\bcharset\b", r"\berrors\b"],
            ),
            (
                B,
                "werkzeug.urls module deprecated",
                [
                    r"werkzeug\.urls|`urls`|url_parse|url_quote|url_encode|url_decode|url_unquote|url_join|url_fix|BaseURL|URL\b"
                ],
            ),
            (B, "safe_conversion parameter of iri_to_uri deprecated", [r"safe_conversion"]),
            (
                B,
                "make_line_iter and make_chunk_iter deprecated",
                [r"make_line_iter", r"make_chunk_iter"],
            ),
            (B, "is_filename parameter to unquote_header_value deprecated", [r"is_filename"]),
            (
                B,
                "extra_chars, allow_token, cls parameters deprecated",
                [r"extra_chars", r"allow_token", r"parse_dict_header"],
            ),
            (
                B,
                "parse_authorization_header, parse_www_authenticate_header deprecated",
                [r"parse_authorization_header", r"parse_www_authenticate_header"],
            ),
            (
                B,
                "WWWAuthenticate.set_basic and set_digest deprecated",
                [r"set_basic", r"set_digest"],
            ),
            (B, "dump_cookie charset deprecated", [r"dump_cookie", r"parse_cookie"]),
            (B, "test client cookie_jar deprecated", [r"cookie_jar"]),
            (B, "server_name parameter to set_cookie/delete_cookie deprecated", [r"server_name"]),
            (B, "Map charset and Request.url_charset deprecated", [r"url_charset"]),
            (
                B,
                "Request/Response/Client charset, encoding_errors deprecated",
                [r"encoding_errors"],
            ),
            (B, "Remove previously deprecated code", [r"(?i)removed public|deprecated code"]),
            (
                F,
                "Authorization/WWWAuthenticate from_header, type, parameters, token",
                [r"from_header", r"\btoken\b"],
            ),
            (F, "test client get_cookie method", [r"get_cookie"]),
            (F, "Cookies decoded_key and decoded_value", [r"decoded_key", r"decoded_value"]),
        ],
    ),
    "commander-11.0.0-12.0.0": dict(
        lang="js",
        kind="git",
        repo="tj+commander.js",
        a="v11.0.0",
        b="v12.0.0",
        tuned=False,
        items=[
            (B, "requires Node.js v18 or higher", [r"(?i)node(\.js)?\b.*18|engines"]),
            (
                B,
                "removed default export of a global Command instance",
                [r"(?i)default export|global.*program|module\.exports"],
            ),
            (
                B,
                "throw if option flag already in use",
                [r"(?i)already in use|_registerOption|clash"],
            ),
            (B, "throw if command name or alias already in use", [r"(?i)alias|_registerCommand"]),
            (B, ".addHelpCommand() passing string or boolean deprecated", [r"addHelpCommand"]),
            (
                B,
                "storeOptionsAsProperties after setting an option value throws",
                [r"storeOptionsAsProperties"],
            ),
            (F, ".addHelpOption()", [r"addHelpOption"]),
            (F, ".helpCommand()", [r"helpCommand\b"]),
            (F, "registeredArguments property (11.1)", [r"registeredArguments"]),
            (F, "Option envVar, presetArg declarations (11.1)", [r"envVar", r"presetArg"]),
            (
                F,
                "Argument argChoices, defaultValue declarations (11.1)",
                [r"argChoices", r"defaultValueDescription"],
            ),
        ],
    ),
    "bytes-1.6.0-1.7.0": dict(
        lang="rust",
        kind="git",
        repo="tokio-rs+bytes",
        a="v1.6.0",
        b="v1.7.0",
        tuned=False,
        items=[
            (
                F,
                "Add conversion from Bytes to BytesMut",
                [r"BytesMut.*From|From.*BytesMut|try_into_mut|`From<Bytes>`"],
            ),
            (F, "Add reclaim method without additional allocation", [r"try_reclaim|reclaim"]),
        ],
    ),
    "bytes-1.5.0-1.6.0": dict(
        lang="rust",
        kind="git",
        repo="tokio-rs+bytes",
        a="v1.5.0",
        b="v1.6.0",
        tuned=False,
        items=[
            (F, "Add Bytes::is_unique", [r"is_unique"]),
        ],
    ),
    "uuid-1.5.0-1.6.0": dict(
        lang="go",
        kind="git",
        repo="google+uuid",
        a="v1.5.0",
        b="v1.6.0",
        tuned=False,
        items=[
            (F, "add Max UUID constant", [r"\bMax\b"]),
        ],
    ),
    # ---------------- second held-out set (labelled at 21:46, after the code was written) ----------------
    "jinja-3.0.0-3.1.0": dict(
        lang="python",
        kind="sdist",
        a="Jinja2-3.0.0",
        b="Jinja2-3.1.0",
        tuned=False,
        items=[
            (B, "Drop support for Python 3.6", [r"3\.6"]),
            (
                B,
                "WithExtension and AutoEscapeExtension are built-in now",
                [r"WithExtension", r"AutoEscapeExtension"],
            ),
            (
                B,
                "contextfilter/contextfunction/... replaced by pass_*",
                [
                    r"contextfilter",
                    r"contextfunction",
                    r"evalcontextfilter",
                    r"evalcontextfunction",
                    r"environmentfilter",
                    r"environmentfunction",
                ],
            ),
            (
                B,
                "Markup and escape should be imported from MarkupSafe",
                [r"\bMarkup\b", r"\bescape\b"],
            ),
            (
                B,
                "Legacy resolve mode for Context subclasses no longer supported",
                [r"resolve_or_missing", r"`[\w.]*resolve`"],
            ),
            (B, "unicode_urlencode is renamed to url_quote", [r"unicode_urlencode"]),
            (F, "native types in macros", [r"(?i)native"]),
            (F, "trans tag can use pgettext and npgettext", [r"pgettext"]),
            (F, "Add items filter", [r"do_items", r"`items`"]),
            (F, "groupby case_sensitive parameter", [r"case_sensitive"]),
        ],
    ),
    "markupsafe-2.0.0-2.1.0": dict(
        lang="python",
        kind="sdist",
        a="MarkupSafe-2.0.0",
        b="MarkupSafe-2.1.0",
        tuned=False,
        items=[
            (B, "Drop support for Python 3.6", [r"3\.6"]),
            (B, "Remove soft_unicode, previously deprecated", [r"soft_unicode"]),
        ],
    ),
    # ---------------- third held-out set (Java; labelled at 21:56 from CHANGELOG.md) ----------------
    "gson-2.9.0-2.9.1": dict(
        lang="java",
        kind="git",
        repo="google+gson",
        a="gson-parent-2.9.0",
        b="gson-parent-2.9.1",
        tuned=False,
        items=[
            (B, "Removed support for building Gson with Gradle", [r"(?i)gradle"]),
            (B, "Removed obsolete codegen hierarchy", [r"(?i)codegen"]),
            (F, "Add support for reflection access filter", [r"ReflectionAccessFilter"]),
            (
                F,
                "Add explicit support for float in JsonWriter",
                [r"(?i)JsonWriter.*float|float.*JsonWriter"],
            ),
        ],
    ),
}
