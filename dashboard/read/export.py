"""Tables as CSV and JSON for downloads and the command line; feed text cannot turn into spreadsheet formulas."""

from __future__ import annotations

import json

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def to_csv(frame: pd.DataFrame) -> str:
    """A table as CSV, formula-safe."""
    return csv_safe(frame).to_csv(index=False)


def to_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """A table as JSON-ready rows: times in ISO 8601, missing values as null."""
    return json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
