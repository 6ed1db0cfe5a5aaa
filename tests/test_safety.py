"""Untrusted feed text leaving the dashboard: links only to http(s), CSV cells that cannot become formulas."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.read.export import csv_safe
from dashboard.ui.safety import safe_link


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://example.com/a", "https://example.com/a"),
        ("http://example.com", "http://example.com"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,x", None),
        ("//example.com/a", None),
        ("https://", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_only_absolute_http_links_are_links(url: object, link: str | None) -> None:
    assert safe_link(url) == link


def test_csv_cells_that_look_like_formulas_are_quoted_and_numbers_are_not() -> None:
    titles = ['=HYPERLINK("http://x")', "+1 shares", "-bad", "@SUM(A1)", "Plain"]
    frame = pd.DataFrame({"title": titles, "tone": [-0.5, 0.1, -0.2, 0.0, 0.3]})
    safe = csv_safe(frame)
    assert list(safe["title"]) == ['\'=HYPERLINK("http://x")', "'+1 shares", "'-bad", "'@SUM(A1)", "Plain"]
    assert list(safe["tone"]) == [-0.5, 0.1, -0.2, 0.0, 0.3]
    assert frame["title"].iloc[0].startswith("=")  # the original is untouched
