"""Who may run an ingest from the dashboard: anyone locally, only the admin token's holder elsewhere."""

from __future__ import annotations

import pytest

from dashboard.ui.app import may_refresh


@pytest.mark.parametrize(
    ("url", "token", "offered", "allowed"),
    [
        ("sqlite:///data/news.db", None, None, True),
        ("postgresql+psycopg://db/news", None, None, False),
        ("postgresql+psycopg://db/news", "s3cret", None, False),
        ("postgresql+psycopg://db/news", "s3cret", "wrong", False),
        ("postgresql+psycopg://db/news", "s3cret", "s3cret", True),
        ("sqlite:///data/news.db", "s3cret", None, False),
        ("sqlite:///data/news.db", "s3cret", "s3cret", True),
    ],
)
def test_refresh_needs_the_admin_token_when_one_is_set_or_the_store_is_not_local(
    monkeypatch: pytest.MonkeyPatch, url: str, token: str | None, offered: str | None, allowed: bool
) -> None:
    if token:
        monkeypatch.setenv("ADMIN_TOKEN", token)
    else:
        monkeypatch.delenv("ADMIN_TOKEN", raising=False)
    assert may_refresh(url, offered) is allowed
