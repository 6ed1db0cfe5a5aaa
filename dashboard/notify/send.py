"""Delivery through Apprise, one target at a time: secrets from the environment, masked for people to read,
and the chart attached where the target is e-mail."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import apprise

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
EMAIL_SCHEMES = ("mailto", "mailtos")


class MissingSecret(LookupError):
    """A target names an environment variable that is not set."""


def expand(url: str) -> str:
    """A configured target with its ``${NAME}`` placeholders filled from the environment (where Streamlit's
    root-level secrets are too)."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise MissingSecret(f"environment variable {name} is not set")
        return os.environ[name]

    return _PLACEHOLDER.sub(value, url)


def mask(url: str) -> str:
    """A configured target as people may read it: Apprise's own privacy form (tokens and passwords hidden),
    or only its scheme where Apprise cannot read it yet (a placeholder not set)."""
    scheme = url.split("://", 1)[0]
    try:
        targets = apprise.Apprise()
        if targets.add(expand(url)):
            return str(targets[0].url(privacy=True))
    except MissingSecret:
        pass
    return f"{scheme}://..."


def is_email(url: str) -> bool:
    return url.split("://", 1)[0].lower() in EMAIL_SCHEMES


def deliver(url: str, subject: str, body: str, image: bytes | None = None) -> str | None:
    """Send one message to one configured target; None when it was accepted, else what went wrong."""
    try:
        expanded = expand(url)
    except MissingSecret as exc:
        return str(exc)
    targets = apprise.Apprise()
    if not targets.add(expanded):
        return f"not a URL Apprise can send to: {mask(url)}"
    with tempfile.TemporaryDirectory() as folder:
        attach = None
        if image is not None and is_email(url):
            path = Path(folder) / "trend.png"
            path.write_bytes(image)
            attach = apprise.AppriseAttachment(str(path))
        ok = targets.notify(title=subject, body=body, body_format=apprise.NotifyFormat.TEXT, attach=attach)
    return None if ok else f"{mask(url)} did not accept the message"
