"""The fakes' fault switch (tests/fakes/faults.py) bends answers as tests ask, for all three."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from tests.fakes.github import FakeGitHub
from tests.fakes.openai import FakeOpenAI
from tests.fakes.slack import FakeSlack


def slack_call(slack: FakeSlack, timeout: float = 5) -> httpx.Response:
    return httpx.post(
        f"{slack.api_url}auth.test",
        headers={"Authorization": f"Bearer {slack.token}"},
        timeout=timeout,
    )


def github_call(gh: FakeGitHub, timeout: float = 5) -> httpx.Response:
    return httpx.get(
        f"{gh.api_url}/rate_limit", headers={"Authorization": "token x"}, timeout=timeout
    )


def openai_call(ai: FakeOpenAI, timeout: float = 5) -> httpx.Response:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    return httpx.post(
        f"{ai.base_url}/chat/completions",
        headers={"Authorization": f"Bearer {ai.api_key}"},
        json=body,
        timeout=timeout,
    )


FAKES: list[tuple[Callable[[], object], Callable[[object], httpx.Response]]] = [
    (FakeSlack, slack_call),
    (FakeGitHub, github_call),
    (FakeOpenAI, openai_call),
]


@pytest.mark.parametrize(("make", "call"), FAKES)
def test_status_truncate_drop_and_times(make, call) -> None:
    with make() as fake:
        normal = call(fake)
        fake.faults.inject(status=503, times=1)
        assert call(fake).status_code == 503
        assert call(fake).status_code == normal.status_code  # used up
        fake.faults.inject(truncate=True, times=1)
        cut = call(fake)
        assert cut.status_code == normal.status_code
        with pytest.raises(json.JSONDecodeError):
            json.loads(cut.content)
        fake.faults.inject(drop=True, times=1)
        with pytest.raises(httpx.TransportError):
            call(fake)
        fake.faults.inject(delay=1.0, times=1)
        with pytest.raises(httpx.ReadTimeout):
            call(fake, timeout=0.2)
        assert call(fake).status_code == normal.status_code
        fake.faults.inject(status=500)
        fake.faults.clear()
        assert call(fake).status_code == normal.status_code
