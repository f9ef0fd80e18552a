"""Every name check is a full match (issue 11 #17): ``$`` also matches before a trailing
newline, so ``acme\\n`` passed as an owner and became a second cache entry."""

from __future__ import annotations

import pytest

from bot.names import is_full_sha, is_owner, is_repo_name, is_report_id
from bot.reading.github import FULL_SHA
from bot.render.slack import parent as blocks
from bot.request import LanguageError, normalize_lang
from bot.sources import SourceError, parse_source
from bot.store.deliveries import is_delivery_id
from handlers import github_webhook, slash

SHA = "a" * 40


@pytest.mark.parametrize(
    "name",
    [
        lambda: is_owner("acme\n"),
        lambda: is_repo_name("repo\n"),
        lambda: is_full_sha(SHA + "\n"),
        lambda: is_report_id("0" * 32 + "\n"),
        lambda: is_delivery_id("72d3162e-cc78-11e3-81ab-4c9367dc0958\n"),
        lambda: FULL_SHA.fullmatch(SHA + "\n") is not None,
        lambda: blocks._requester("U0ASKER\n") != "",
        lambda: github_webhook._EVENT_RE.fullmatch("push\n") is not None,
        lambda: slash._LANG_RE.fullmatch("ja_JP\n") is not None,
    ],
)
def test_names_with_a_trailing_newline_do_not_pass(name) -> None:
    assert name() is False


def test_links_with_an_encoded_newline_are_refused() -> None:
    for link in (
        "https://github.com/acme%0A/repo/compare/a...b",
        "https://github.com/acme/repo%0A/pull/1",
        "https://github.com/acme/repo/compare/main%0A...dev",
    ):
        with pytest.raises(SourceError):
            parse_source(link)
    with pytest.raises(LanguageError):
        normalize_lang("ja_JP\nx")
