"""Every sentence a person sees, in one place, so wording is consistent and tests assert on it."""

from __future__ import annotations

# --- sources: what a link or range may be ---
ACCEPTED_FORMS = (
    "https://github.com/OWNER/REPO/compare/BASE...HEAD (or BASE..HEAD, OWNER:REF on either side), "
    "https://github.com/OWNER/REPO/pull/N, "
    "https://github.com/OWNER/REPO/commit/SHA, "
    "OWNER/REPO BASE...HEAD, "
    "or BASE...HEAD with --git PATH"
)
SOURCE_ERROR = "{reason}. Accepted forms: {forms}."
SOURCE_BAD_OWNER = "'{text}' names an owner GitHub would not accept"
SOURCE_BAD_REPO = "'{text}' names a repository GitHub would not accept"
SOURCE_BAD_REF = "'{text}' is not a valid branch, tag or commit"
SOURCE_NO_RANGE = "'{text}' has no BASE...HEAD range"
SOURCE_RANGE_SIDES = "'{text}' needs both a base and a head"
SOURCE_RANGE_SEPARATORS = "'{text}' has more than one range separator"
SOURCE_NOT_HTTP = "'{text}' is not an http(s) link"
SOURCE_OTHER_HOST = (
    "'{host}' links cannot be read here: this bot reads {configured} (GITHUB_API_URL)"
)
SOURCE_NOT_GITHUB = "'{host}' is not GitHub or the configured GitHub Enterprise host"
SOURCE_NOT_A_CHANGE = "'{text}' does not point at a compare, pull request or commit"
SOURCE_BAD_REPOSITORY = "'{owner}/{repo}' is not a GitHub repository name"
SOURCE_BAD_PULL_NUMBER = "'{part}' is not a pull request number"
SOURCE_NOT_A_PULL = "'{text}' is not a pull request link"
SOURCE_BAD_SHA = "'{part}' is not a commit SHA"
SOURCE_NOT_TEXT = "the source must be text"
SOURCE_EMPTY = "no source was given"
SOURCE_TOO_LONG = "the source is too long to be a link"
SOURCE_LINK_WITH_GIT = (
    "with --git PATH, give a range of that repository such as main...feature, not the link '{text}'"
)
SOURCE_NOT_A_RANGE = "'{text}' is not a BASE...HEAD range"
SOURCE_SPACES = "a link cannot contain spaces"
SOURCE_BAD_OWNER_NAME = "'{owner}' is not a GitHub owner name"
SOURCE_NOT_UNDERSTOOD = "'{text}' is not a link or range we understand"

# --- sources and reading (report engine) ---
USAGE_FORMS = ACCEPTED_FORMS
GITHUB_REPO_NOT_FOUND = (
    "GitHub has no repository {repository}, or {who} cannot see it. Check the link{hint}."
)
GITHUB_HINT_SET_TOKEN = ", or set GITHUB_TOKEN to a token that can read it"
GITHUB_PULL_NOT_FOUND = "{repository} has no pull request #{number}. Check the link."
GITHUB_UNKNOWN_REF = (
    "{repository} has no branch, tag or commit named '{ref}'. Check the spelling, "
    "or push it to GitHub first."
)
GITHUB_BAD_TOKEN = (
    "GitHub rejected GITHUB_TOKEN (bad credentials). Replace the token, or unset it to read "
    "public repositories anonymously."
)
# The bot acting as a GitHub App
GITHUB_APP_NOT_INSTALLED = (
    "The GitHub App {app} is not installed on {repository} (or GitHub has no such "
    "repository). An owner of {owner} can install it at {url} and grant it {repository}."
)
GITHUB_APP_NOT_INSTALLED_NO_URL = (
    "The GitHub App {app} is not installed on {repository} (or GitHub has no such "
    "repository). An owner of {owner} can install it from the App's page on GitHub and grant "
    "it {repository}."
)
GITHUB_APP_UNNAMED = "with ID {app_id}"
GITHUB_APP_REFUSED = (
    "GitHub refused the GitHub App's credentials ({detail}). Check that GITHUB_APP_ID "
    "({app_id}) and the private key belong to the same App, and that this server's clock is right."
)
GITHUB_APP_TOKEN_REFUSED = (
    "GitHub refused the App's installation token for {repository}; it was dropped and a new "
    "one will be asked for. Try again."
)
GITHUB_NOT_VISIBLE = (
    "GitHub has no repository {repository}, or it is not one this bot may read. Check the "
    "link; a private repository needs an operator to allow it (DIFFINSIGHT_ALLOWED_REPOS)."
)
"""Said alike for a repository that does not exist and a private one that is not allowed, so
nobody learns from the answer which private repositories the bot's token can see."""
GITHUB_UNREACHABLE = (
    "Could not reach GitHub at {url} ({reason}). Check the network and GITHUB_API_URL, "
    "then try again."
)
GITHUB_SERVER_ERROR = (
    "GitHub answered {status} while reading {repository}; try again in a few minutes."
)
GITHUB_REFUSED = "GitHub refused to read {repository} ({status}: {detail})."
GITHUB_SAYS_NOT_FOUND = "GitHub could not read this change in {repository}: {detail}"
NOTE_IDENTICAL = (
    "Base and head are identical: both are the same commit ({sha}), so there are no changes "
    "to report."
)
NOTE_REWOUND = (
    "{head} is an ancestor of {base}: going from {base} to {head} undoes {count} commit(s) "
    "(a force-push that rewound the branch); the files below show what was lost."
)
NOTE_REWRITTEN = (
    "{base} has {count} commit(s) beyond the common ancestor that {head} lacks (after a "
    "force-push: what the branch lost); they touched {files}."
)
NOTE_TWO_DOT = (
    "GitHub's API compares from the merge base: {base} is not an ancestor of {head}, so this "
    "report shows what {head} changed since their common ancestor {merge_base} ({base}...{head}), "
    "not the direct {base}..{head} difference."
)
NOTE_MERGE_COMMIT = "{sha} is a merge commit; it is shown against its first parent {parent}."
NOTE_ROOT_COMMIT = "{sha} is the repository's first commit; every file in it is shown as added."
NOTE_DIFFS_WITHHELD = (
    "GitHub left out the diff of {count} file(s) (too large or binary) and {reason}, so their "
    "contents are missing from this report: {names}."
)
FILE_DIFF_WITHHELD = "GitHub left its diff out (too large or binary) and {reason}"
NOTE_FILES_CAPPED = (
    "GitHub lists at most {limit} files of a {what} and {reason}, so any files after the first "
    "{limit} are missing from this report. For a complete report run "
    "`diffinsight report BASE...HEAD --git PATH` on a local clone."
)
NOTE_FILES_COUNTED = (
    "GitHub lists at most {limit} files of a {what} and {reason}; this {what} changes {total} "
    "files, so {missing} of them are missing from this report."
)
DIFF_REFUSED = "refused the full diff ({detail})"
NOTE_HUNKS_ONLY = (
    "{count} file(s) were analysed from their diff hunks only, not read whole ({reason}), "
    "so their API changes may be incomplete: {names}."
)
NOTE_PYTHON_BUDGET = (
    "The Python API of {names} was read from the diff hunks only: with {size} of source it is "
    "over the {limit} a report analyses whole."
)
HUNKS_ONLY_ANONYMOUS = "without GITHUB_TOKEN whole files are not fetched (60 requests an hour)"
HUNKS_ONLY_RATE_RESERVE = "GitHub's hourly request allowance is kept for other reports"
HUNKS_ONLY_RATE_LIMITED = "GitHub's rate limit was reached"
HUNKS_ONLY_GITHUB_ERROR = "GitHub would not send it: {reason}"
NOTE_UNREADABLE = (
    "The diff of {count} file(s) could not be read, so their contents are missing from this "
    "report (each file's section says why): {names}."
)
FILE_MISSING_FROM_DIFF = "GitHub sent no diff for it, neither in the file list nor in the full diff"
NOTE_NAMES_MORE = "{names} and {count} more"
FILE_DIFF_UNPARSABLE = "its diff could not be parsed ({error})"
NOTE_NO_FILES = "No files changed in this range."
NOTE_SIDES_SWAPPED = (
    "{base} is {count} commit(s) ahead of {head}, and {head} has nothing {base} lacks: the "
    "sides may be swapped ({head}...{base} shows those commits)."
)
NOTE_NO_FILES_UNDER_PATHS = "No files changed in this range under the given paths."
NOTE_OUTSIDE_PATHS = (
    "{dropped} of {total} changed files are outside {globs} and are left out of this "
    "per-area report."
)
LANGUAGE_NOT_A_LOCALE = "'{lang}' is not a report language; use a locale such as en_US or ja_JP"
UNKNOWN_SUMMARIZER = "unknown summarizer '{name}' (use heuristic or openai)"
GITHUB_NO_ANSWER = "no answer within {seconds} seconds"
GITHUB_CONNECTION_REFUSED = "connection refused"
GITHUB_UNKNOWN_HOST = "unknown host"
GITHUB_GARBLED = (
    "GitHub at {url} sent an answer that was cut short or was not JSON; "
    "this is usually a passing network or proxy fault, so try again in a minute"
)
GITHUB_CONNECTION_FAILED = "connection failed"
GITHUB_WHO_ANONYMOUS = "an anonymous reader"
# Local repositories (--git PATH)
GIT_MISSING = "git is not installed or not on PATH"
GIT_TIMED_OUT = "git {command} took longer than {seconds:.0f} s"
GIT_FAILED = "git {command} failed: {reason}"
GIT_NO_OUTPUT = "no output"
GIT_UNKNOWN_REF = "unknown ref '{ref}' in {path}"
GIT_PATH_MISSING = "{path} does not exist"
GIT_PATH_IS_FILE = "{path} is a file; --git takes a repository's folder"
GIT_NOT_A_REPOSITORY = "{path} is not a git repository"
GIT_NO_SHARED_HISTORY = (
    "{base} and {head} share no history; compare them with two dots ({base}..{head})"
)

# --- cache, queue and worker ---
SETTINGS_MISSING = (
    "{command} needs {names} in the environment (the Slack app's settings; see README.md, "
    "'Install the Slack app')."
)
REDIS_DOWN_BUILDING = "warning: the cache is not reachable ({reason}); building without it."
SERVICE_UNAVAILABLE = (
    "diffinsight is temporarily unavailable (its Redis cannot be reached). "
    "Please try again in a minute."
)
BUILD_WAIT_TIMEOUT = (
    "Another request has been building this report for a long time; "
    "please try again in a few minutes."
)
JOB_FAILED = "I could not build the report for {source}: {reason}"
JOB_GAVE_UP = (
    "I could not finish the report for {source} after several attempts ({reason}). "
    "Please try again later."
)
JOB_FAILED_UNEXPECTEDLY = (
    "I could not build the report for {source}: something unexpected went wrong ({reason}), "
    "which a retry would not fix. The operator's log has the details."
)
WORKER_LOST = "the worker building it stopped"
REDIS_UNREACHABLE = "its Redis was not reachable"

# --- LLM summarizer ---
LLM_COUNTS = (
    "LLM summary ({model}): {by_model} files summarized by the model, {cached} from the cache, "
    "{metadata} described from metadata only, {fallback} summarized heuristically; "
    "{calls} model call(s), about {tokens} prompt tokens sent (budget {budget})."
)
LLM_FILE_FALLBACK = "Summarized heuristically because {reason}: {files}."
LLM_OVERALL_FALLBACK = (
    "The summary, highlights and insights were written heuristically because {reason}."
)
LLM_CUT_CONTEXT = (
    "Unchanged context lines were left out of the model's prompt to fit the token budget: {files}."
)
LLM_CUT_HUNKS = (
    "Whole hunks (all but their @@ headers) were left out of the model's prompt to fit the "
    "token budget: {files}."
)
LLM_SYNTHESIS_OMITTED = (
    "{count} smaller files were left out of the prompt for the overall summary to fit the "
    "token budget."
)
LLM_FILE_ROUNDS = (
    "The files needed {calls} model calls to fit the per-call token budget, more than the "
    "{concurrency} sent at once, so they took {rounds} rounds instead of one."
)
LLM_MORE = "{names} and {count} more"
LLM_REASON_NOT_CONFIGURED = (
    "no LLM endpoint is configured (set OPENAI_API_KEY, or AZURE_OPENAI_ENDPOINT and "
    "AZURE_OPENAI_API_KEY)"
)
LLM_REASON_INVALID = "the model's replies did not match the schema, even after one repair"
LLM_REASON_BUDGET = "the report's token budget was used up"
LLM_REASON_DEADLINE = "the report's deadline passed"
LLM_REASON_TIMEOUT = "the call timed out"
LLM_REASON_UNREACHABLE = "the server could not be reached"
LLM_REASON_GARBLED = "the server's answer was not valid JSON"
LLM_REASON_HTTP = "the server answered HTTP {status}"
LLM_REASON_NO_TIME = "{reason} and the report's deadline left no time to retry"
LLM_REASON_CREDENTIALS = "the server refused the credentials (HTTP {status})"
LLM_REASON_REQUEST = "the server refused the request (HTTP {status})"
LLM_REASON_QUOTA = "the API quota is exhausted"
LLM_REASON_DECLINED = "the model declined to answer"
LLM_REASON_CONTEXT = "the prompt did not fit the model's context window"
LLM_REASON_CUT = "the model's reply was cut off at the length asked for"
LLM_REASON_FORMAT = (
    "the server refused the response format {mode} (HTTP {status}) and no other was left to try"
)
LLM_REASON_FORMAT_PINNED = (
    "the server refused the response format {mode} that DIFFINSIGHT_LLM_RESPONSE_FORMAT pins"
)
LLM_MODE = {
    "json_object_schema": "JSON mode constrained by the schema",
    "json_object": "JSON mode, with the schema in the instructions",
    "text": "plain text, with the schema in the instructions and the reply read tolerantly",
}
LLM_MODE_NOTE = (
    "The model answered in {words} ({mode}) because {why}; every reply was still checked "
    "against the schema."
)
LLM_MODE_WHY_PINNED = "DIFFINSIGHT_LLM_RESPONSE_FORMAT asks for it"
LLM_MODE_WHY_REFUSED = "the server did not take {refused}"
LLM_MODE_WHY_REMEMBERED = "that is what this server took last time"
LLM_SPLIT = (
    "{calls} model call(s) did not fit the server's context window{window} and were split "
    "into smaller ones."
)
LLM_WINDOW = " of {window} tokens"

# --- Slack ---
SLACK_PLACEHOLDER = ":hourglass_flowing_sand: Building the Diff Insight Report for {where}…"
SLACK_PROGRESS = (
    ":hourglass_flowing_sand: Building the Diff Insight Report for {where}: "
    "{done} of {total} files done…"
)
SLACK_PROGRESS_ONE = (
    ":hourglass_flowing_sand: Building the Diff Insight Report for {where}: "
    "{done} of {total} file done…"
)
SLACK_BUILD_FAILED = (
    ":warning: The Diff Insight Report for {where} could not be built; whoever asked was told "
    "why. Run `/diffinsight` with the link to try again."
)
SLACK_FILE_COUNT = "{files} files"
SLACK_FILE_COUNT_ONE = "{files} file"
SLACK_THIS_CHANGE = "this change"
SLACK_ASKED_BY = "asked by {user}"
SLACK_TRIGGER_MERGED_PR = "merged pull request #{number}"
SLACK_TRIGGER_PUSH = "push to a subscribed branch"
SLACK_TRIGGER_PUSH_TO = "push to {branch}"
SLACK_TRIGGER_FORCE_PUSH_TO = "force-push to {branch}"
SLACK_TRIGGER_SUBSCRIPTION = "subscription"
SLACK_SUMMARY_CONTINUES = "_The summary continues in the thread._"
SLACK_NONE = "None."
SLACK_UNTITLED = "Diff Insight Report"
SLACK_NEW_FEATURES = "New features"
SLACK_BREAKING_CHANGES = "Breaking changes"
SLACK_OTHER_UPDATES = "Other updates"
SLACK_INSIGHTS = "Insights"
SLACK_SUMMARY_TABLE = "Summary table"
SLACK_RENAMED_FROM = "renamed from `{name}`"
SLACK_MORE_IN_THREAD = "…and {n} more in the full report in the thread."
SLACK_MORE_FILES = "{n} more files are described in the full report file in this thread."
SLACK_MORE_FILES_ONE = "{n} more file is described in the full report file in this thread."
SLACK_THREAD_FALLBACK = "{label} (part {n} of {total})"
SLACK_REGENERATE_BUTTON = "Regenerate"
SLACK_FULL_REPORT_BUTTON = "Full report"
SLACK_REPORT_FILE_TITLE = "Full report (Markdown): {title}"
SLACK_NOT_IN_CHANNEL = (
    "I can't post in this channel because I'm not a member of it. "
    "Invite me with `/invite @diffinsight`, then run the command again."
)
SLACK_CHANNEL_NOT_FOUND = (
    "I can't see this channel (a private channel or a direct message I'm not part of). "
    "Invite me with `/invite @diffinsight`, or run the command in a public channel."
)
SLACK_POST_FAILED = "I built the report but Slack refused to post it ({error}). Please try again."
SLACK_USAGE_TEMPLATE = (
    "*/diffinsight* posts a Diff Insight Report of a GitHub change here, with the full report "
    "in the thread.\n"
    "• `/diffinsight {web}/OWNER/REPO/compare/BASE...HEAD [LANG]`\n"
    "• `/diffinsight {web}/OWNER/REPO/pull/N [LANG]` or `.../commit/SHA`\n"
    "• `/diffinsight OWNER/REPO BASE...HEAD [LANG]`\n"
    "• `/diffinsight LINK --path GLOB [GLOB ...]` for one area, e.g. `--path 'docs/**'`\n"
    "• `/diffinsight subscribe OWNER/REPO [BRANCH] [PATH-GLOB ...]`: a report here of each "
    "merged pull request and push into BRANCH (default: the repository's default branch), "
    "only those touching the globs when given\n"
    "• `/diffinsight unsubscribe OWNER/REPO [BRANCH] [PATH-GLOB ...]`, `/diffinsight list`\n"
    "• `/diffinsight digest OWNER/REPO daily|weekly [BRANCH] [PATH-GLOB ...]`: a digest here of "
    "what changed each day or week, posted at {hour} UTC (weekly ones on Mondays), nothing when "
    "nothing changed; `/diffinsight digest list`, `/diffinsight digest stop OWNER/REPO`\n"
    "LANG is a language code such as `ja_JP` (default {lang})."
)
SLACK_USAGE_DEFAULT_LANG = "the server's DIFFINSIGHT_LANG, `en_US` unless set"
SLACK_USAGE_LANG = "`{lang}`, this server's DIFFINSIGHT_LANG"
SLACK_USAGE_DEFAULT_HOUR = "the server's DIFFINSIGHT_DIGEST_HOUR (09:00 unless set)"
SLACK_USAGE = SLACK_USAGE_TEMPLATE.format(
    web="https://github.com", lang=SLACK_USAGE_DEFAULT_LANG, hour=SLACK_USAGE_DEFAULT_HOUR
)
"""The usage without a configuration at hand; handlers render it with theirs."""
SLACK_ACK_BUILDING = "Building the report for {where}… it will appear in this channel."
SLACK_FOR_PATHS = "(files under {paths})"
GLOB_TOO_LONG = "it is longer than {limit} characters"
GLOB_TOO_MANY_GLOBSTARS = "it has more than {limit} '**' (one '**/' already spans any depth)"
GLOB_REFUSED = "The path glob '{glob}' cannot be used: {problem}."
SLACK_PATH_NEEDS_GLOB = "`--path` needs at least one glob, e.g. `--path 'docs/**'`."
SLACK_UNKNOWN_OPTION = "Unknown option `{option}`. Type `/diffinsight help` for the usage."
SLACK_UNAVAILABLE = (
    "diffinsight is temporarily unavailable: its queue (Redis) cannot be reached. "
    "Please try again in a minute."
)
SLACK_REGENERATING = (
    "Regenerating this report; it stays as it is until the new one is ready, and I will tell "
    "you here if that fails."
)
SLACK_REGENERATE_UNUSABLE = "This message cannot be regenerated; run /diffinsight with its link."
SLACK_INTERNAL_ERROR = (
    "Something went wrong on diffinsight's side and nothing was queued. "
    "Please try again; if it keeps failing, tell the operator (the server log has the details)."
)

# --- GitHub webhooks and subscriptions ---
# Webhook answers: shown to whoever reads the delivery log in the repository's webhook settings.
WEBHOOK_NO_SECRET = (
    "GITHUB_WEBHOOK_SECRET is not set on this server, so no delivery can be verified; "
    "set it to the webhook's secret and redeliver."
)
WEBHOOK_NO_SIGNATURE = (
    "The X-Hub-Signature-256 header is missing: give the webhook a secret (the server's "
    "GITHUB_WEBHOOK_SECRET)."
)
WEBHOOK_BAD_SIGNATURE = (
    "The X-Hub-Signature-256 signature does not match: the webhook's secret differs from the "
    "server's GITHUB_WEBHOOK_SECRET, or the body was changed on the way."
)
WEBHOOK_MISSING_HEADER = "The {header} header is missing or malformed."
WEBHOOK_TOO_LARGE = "The delivery is larger than {limit} bytes."
WEBHOOK_NOT_JSON = "The body is not JSON."
WEBHOOK_FORM_ENCODED = (
    "The body is form-encoded: set the webhook's content type to application/json."
)
WEBHOOK_NOT_OBJECT = "The body is JSON but not an object."
WEBHOOK_MISSING_FIELD = "The payload lacks the field {field}."
WEBHOOK_BAD_FIELD = "The payload's field {field} is not valid."
WEBHOOK_STORE_DOWN = "The bot's Redis cannot be reached right now; redeliver in a minute."
WEBHOOK_PONG = "pong"
WEBHOOK_PONG_NO_SUBS = (
    "pong; no channel subscribes to {repo} yet: type /diffinsight subscribe {repo} in one."
)
WEBHOOK_INSTALLATION_GONE = (
    "The App's installation {id} was {action}: its cached token and repositories are forgotten."
)
WEBHOOK_INSTALLATION_SEEN = "The App's installation {id}: '{action}' acknowledged."
WEBHOOK_INSTALLATION_REPOS = (
    "The App's installation {id}: {added} repositories added, {removed} removed; "
    "cached access updated."
)
WEBHOOK_IGNORED_EVENT = "Event '{event}' is not reported (only push and pull_request are)."
WEBHOOK_IGNORED_TAG = "Tag pushes are not reported."
WEBHOOK_IGNORED_REF = "Pushes to {ref} are not reported (only branches are)."
WEBHOOK_IGNORED_DELETED = "Branch {branch} was deleted; nothing to report."
WEBHOOK_IGNORED_CREATED = (
    "Branch {branch} was created; a new branch is not reported, its later pushes are."
)
WEBHOOK_IGNORED_PR_ACTION = "Pull request action '{action}' is not reported (only merges are)."
WEBHOOK_IGNORED_PR_UNMERGED = "Pull request #{number} was closed without merging; not reported."
WEBHOOK_NOT_ALLOWED = (
    "{repo} is private and DIFFINSIGHT_ALLOWED_REPOS does not allow it; nothing is reported."
)
WEBHOOK_NO_SUBSCRIPTIONS = (
    "No channel subscribes to {repo}: type /diffinsight subscribe {repo} in a channel, or "
    "remove this webhook."
)
WEBHOOK_BRANCH_NOT_FOLLOWED = "No subscription follows branch {branch}; not reported."
WEBHOOK_NO_PATH_MATCH = "The push touches none of the subscribed paths; not reported."
WEBHOOK_DUPLICATE_DELIVERY = "This delivery was handled before; nothing more to do."
WEBHOOK_QUEUED = (
    "Reports queued for {count} channel(s); a merge seen as both a pull request and a push "
    "is reported once per channel."
)
# Subscription replies (ephemeral in Slack, so they can carry setup steps).
SUBS_USAGE = (
    "Usage: `/diffinsight subscribe OWNER/REPO [BRANCH] [PATH-GLOB ...]`, "
    "`/diffinsight unsubscribe OWNER/REPO [BRANCH] [PATH-GLOB ...]`, `/diffinsight list`. "
    "Without a branch the repository's default branch is followed; to filter paths on it, "
    "write folders with a trailing slash or a glob (`docs/`, `docs/**/*.md`)."
)
SUBS_DEFAULT_BRANCH = "the default branch"
SUBS_ALL_PATHS = "all paths"
SUBS_ONE = "*{repository}*, {branch}, {paths}"
SUBS_CHECKING = (
    "Checking that I can read {repository}; I will tell you here in a moment whether "
    "{what} is set up."
)
SUBS_NOT_STORED = "The subscription was not stored: {reason}"
SUBS_STORED = "This channel now gets a report for each merge or push into {what}."
SUBS_UPDATED = "Updated: this channel now gets a report for each merge or push into {what}."
SUBS_SETUP = (
    "If the repository has no webhook to this bot yet, add one at {settings}: "
    "Payload URL {payload_url}, Content type `application/json`, Secret: the server's "
    "GITHUB_WEBHOOK_SECRET, events: *Pushes* and *Pull requests*."
)
SUBS_SETUP_APP = (
    "This bot's GitHub App is installed on the repository: the App's webhook (Webhook URL "
    "{payload_url}, secret: the server's GITHUB_WEBHOOK_SECRET) delivers its pushes and "
    "merged pull requests; no repository webhook is needed."
)
SUBS_SETUP_NO_PUBLIC_URL = (
    "this server's public address followed by `{path}` (PUBLIC_URL is not set)"
)
SUBS_SETUP_NO_SECRET = (
    "Note: GITHUB_WEBHOOK_SECRET is not set on the server, so deliveries are refused until it is."
)
SUBS_BAD_REPOSITORY = "'{text}' is not a repository: write OWNER/REPO or its GitHub link"
SUBS_BAD_PATH = "'{text}' is not a usable path glob (no spaces, no '..', at most 200 characters)"
SUBS_TOO_MANY_PATHS = "At most {limit} path globs per subscription"
SUBS_TOO_MANY = "This channel already has {limit} subscriptions; remove one first"
SUBS_PATH_NOT_SUBSCRIBED = "'{path}' is not among the paths of {current}"
SUBS_NARROWED = "Narrowed: this channel now follows {what}."
SUBS_REMOVED = "Removed {count} subscription(s):"
SUBS_NOTHING_TO_REMOVE = "This channel has no matching subscription to {repository}."
SUBS_NONE = "This channel has no subscriptions. Add one with `/diffinsight subscribe OWNER/REPO`."
SUBS_LIST_HEAD = "This channel's {count} subscription(s):"
SUBS_STORE_DOWN = (
    "Subscriptions are unavailable right now (Redis cannot be reached); try again soon."
)

# --- web pages and unfurls ---
WEB_DATE = "Date"
WEB_REPOSITORY = "Repository"
WEB_AREA = "Area"
WEB_RANGE = "Range"
WEB_CHANGES = "Changes"
WEB_PERMALINK = "Permalink"
WEB_FILE_COUNT = "{files} files"
WEB_FILE_COUNT_ONE = "{files} file"
WEB_NONE = "None."
WEB_HIGHLIGHTS = "Highlights"
WEB_NEW_FEATURES = "New features"
WEB_BREAKING_CHANGES = "Breaking changes"
WEB_OTHER_UPDATES = "Other updates"
WEB_SUMMARY = "Summary"
WEB_INSIGHTS = "Insights"
WEB_NOTES = "Notes"
WEB_SUMMARY_TABLE = "Summary Table"
WEB_MERGED = "Merged in this period"
WEB_TABLE_HEADS = ("Filename", "Type", "Title", "Status", "A", "D", "M")
WEB_MODIFIED_CONTENTS = "Modified Contents"
WEB_DIFF = "Diff"
WEB_FILE_SUMMARY = "Summary"
WEB_EXPLANATION = "Explanation"
WEB_VIEW_ON_GITHUB = "View Diff on GitHub"
WEB_AS_MARKDOWN = "Markdown"
WEB_AS_JSON = "JSON"
WEB_NO_DIFF = "No diff is shown for this file (binary, too large, or a rename without changes)."
WEB_DIFF_TRUNCATED = "GitHub sent only part of this file's diff; the rest is not shown."
WEB_RENAMED_FROM = "Renamed from"
WEB_FOOTER = "Generated by diffinsight. This page is served from the report cache until it expires."
WEB_NOT_FOUND_TITLE = "Report not found"
WEB_NOT_FOUND = (
    "There is no report at this address. Check that the link is complete, or ask for a new "
    "report with /diffinsight and the GitHub link."
)
WEB_EXPIRED_TITLE = "Report expired"
WEB_EXPIRED = (
    "This report has expired from the cache and is no longer shown. Ask for it again with "
    "/diffinsight and the GitHub link to get a fresh one."
)
WEB_UNAVAILABLE_TITLE = "Temporarily unavailable"
WEB_UNAVAILABLE = (
    "Reports are temporarily unavailable because the report store cannot be reached. "
    "Please try again in a minute."
)
UNFURL_FACTS = "{repository} · {range} · {files} files, +{additions} −{deletions}"
UNFURL_FACTS_ONE = "{repository} · {range} · {files} file, +{additions} −{deletions}"
UNFURL_NEW = "New:"
UNFURL_BREAKING = "Breaking:"
UNFURL_OTHER = "Other:"
UNFURL_FULL_REPORT = "Full report"

# --- heuristic summarizer ---
HEURISTIC_ENGLISH_ONLY = (
    "The offline (heuristic) summarizer writes in English; {lang} needs the LLM summarizer."
)

# --- digests (diffinsight digest, /diffinsight digest) ---
DIGEST_FORMS = (
    "SOURCE is OWNER/REPO or OWNER/REPO@BRANCH (with --git PATH: a branch or ref, default HEAD); "
    "WHEN is an ISO 8601 date or time (2026-11-23, 2026-11-23T09:00, 2026-11-23T09:00:00+02:00; "
    "UTC unless it carries an offset) or a span back from now (24h, 7d, 2w)"
)
DIGEST_INPUT_ERROR = "{reason}. Accepted forms: {forms}."
WHEN_UNREADABLE = "'{text}' is not a time"
WHEN_ORDER = "--since ({since}) must be before --until ({until})"
WHEN_TOO_FAR = "'{text}' reaches back further than {years} years"
DIGEST_BAD_SOURCE = "'{text}' is not OWNER/REPO or OWNER/REPO@BRANCH"
DIGEST_BAD_REF = "'{text}' is not a valid branch or ref"
DIGEST_EMPTY = "No change on {branch} of {repository} between {since} and {until}."
DIGEST_EMPTY_UNDER_PATHS = (
    "No change under {paths} on {branch} of {repository} between {since} and {until}."
)
DIGEST_UNTITLED = "(no title)"
DIGEST_NOTHING_MERGED = "Nothing was merged; the change came from commits listed on the branch."
NOTE_WINDOW_FROM_ROOT = (
    "No commit on {branch} is older than {since}: the digest starts at the repository's first "
    "commit {sha}, whose own files are not counted."
)
NOTE_MERGED_UNFILTERED = (
    "The merged list names everything that landed on {branch} in the period, not only what "
    "touched {paths}."
)
NOTE_PULLS_CUT = (
    "More than {limit} pull requests into {branch} were updated since the period began; only "
    "those among the latest {limit} are listed by number, the other commits by SHA."
)
DIGEST_WINDOW_TOO_LONG = (
    "{repository} has more than {limit} commits on {branch} since {since}; ask for a shorter window"
)
# Slack: /diffinsight digest ...
DIGEST_USAGE = (
    "Usage: `/diffinsight digest OWNER/REPO daily|weekly [BRANCH] [PATH-GLOB ...]`, "
    "`/diffinsight digest list`, `/diffinsight digest stop OWNER/REPO`. A digest is posted at "
    "{hour}:00 UTC (weekly ones on Mondays) when something changed in the period."
)
DIGEST_BAD_CADENCE = "'{text}' is not a digest period: write `daily` or `weekly`"
DIGEST_ONE = "*{repository}*, {branch}, {paths}, {cadence}"
DIGEST_STORED = (
    "This channel now gets a {cadence} digest of {what} at {hour}:00 UTC{day}, when something "
    "changed. I check now that the repository can be read and tell you here if it cannot."
)
DIGEST_UPDATED = "Updated: " + DIGEST_STORED
DIGEST_ON_MONDAYS = " on Mondays"
DIGEST_TOO_MANY = "This channel already has {limit} digests; stop one first"
DIGEST_NONE = "This channel has no digests. Add one with `/diffinsight digest OWNER/REPO weekly`."
DIGEST_LIST_HEAD = "This channel's {count} digest(s):"
DIGEST_STOPPED = "Stopped the digest of {what}."
DIGEST_NOTHING_TO_STOP = "This channel has no digest of {repository}."
DIGEST_STORE_DOWN = "Digests are unavailable right now (Redis cannot be reached); try again soon."
DIGEST_ACCESS_REFUSED = (
    "The {cadence} digest of {repository} for this channel was removed: {reason}"
)
DIGEST_FAILED = "The {cadence} digest of {repository} for {period} could not be built: {reason}"
SLACK_TRIGGER_DIGEST = "{cadence} digest, {since} to {until}"
SLACK_MERGED_HEAD = "Merged in this period"
SLACK_MERGED_MORE = "…and {n} more in the full report file."
