"""Untrusted feed text in the UI: links only to http(s), never rendered as markup."""

from __future__ import annotations

from urllib.parse import urlsplit

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_link(url: object) -> str | None:
    """The URL when it is an absolute http(s) address, else None (a ``javascript:`` link shows as no link)."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.hostname else None


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot run as spreadsheet formulas (a leading = + - @ gets a quote)."""
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = [
                f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value
                for value in out[column]
            ]
    return out
