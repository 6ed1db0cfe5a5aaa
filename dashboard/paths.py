"""Where the project's committed data (configuration, lexicon) and its default database live."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
