"""An alert's words: a subject, the sentence that describes the episode, its largest stories and the link that
opens the dashboard on it (plain text: headlines from feeds are never sent as markup)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from dashboard.notify.watch import Found


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def link(found: Found, base_url: str) -> str:
    """The dashboard's address for the episode's view (the Spikes view of its company, topic and dates)."""
    return f"{base_url.rstrip('/')}/?{urlencode(found.filters.to_params(), doseq=True)}"


def _days(found: Found) -> str:
    if found.start == found.end:
        return f"on {found.start:%d %b %Y}"
    return f"from {found.start:%d %b} to {found.end:%d %b %Y}"


def _outlets(n: int) -> str:
    return f"{n} outlet" if n == 1 else f"{n} outlets"


def _signed(value: float) -> str:
    return f"{value:+.2f}".replace("-", "\u2212")


def sentence(found: Found) -> str:
    """What happened, with its uncertainty: size against the usual range, dates, tone against the usual tone."""
    what = found.series.replace(" · ", " at ") if found.topic else f"Coverage of {found.company}"
    what = what[:1].upper() + what[1:]
    if found.filters.q:
        what += f' matching "{found.filters.q}"'
    out = (
        f"{what}: {found.stories} stories ({found.articles} articles, {_outlets(found.outlets)}) {_days(found)}, "
        f"{found.times:g} times the {found.expected:g} expected (90% of quiet runs: {found.usual_low} to "
        f"{found.usual_high})."
    )
    if found.tone is None:
        return out + f" Too few articles carry a tone toward {found.company} to say how they read."
    tone = f" Tone toward {found.company} {_signed(found.tone)}"
    if found.tone_low is not None and found.tone_high is not None:
        tone += f" (95% {_signed(found.tone_low)} to {_signed(found.tone_high)})"
    if found.usual_tone is not None and found.shift_low is not None and found.shift_high is not None:
        verdict = (
            "more negative than" if found.shift_high < 0 else "more positive than" if found.shift_low > 0 else "near"
        )
        tone += f", {verdict} its usual {_signed(found.usual_tone)}"
        tone += f" (shift 95% {_signed(found.shift_low)} to {_signed(found.shift_high)})"
    else:
        tone += ", with too little history to compare"
    return out + tone + "."


def compose(found: Found, base_url: str, level: int, told_stories: int | None) -> Text:
    """The subject and text of an alert; ``level`` > 0 is a follow-up on an episode told at ``told_stories``."""
    kind = "Tone episode" if found.kind == "tone" else "Episode"
    subject = f"{kind}: {found.series}, {found.stories} stories since {found.start:%d %b}"
    lines = []
    if level and told_stories:
        subject = f"Doubled: {subject}"
        lines.append(
            f"Update: this episode has doubled since it was last told ({told_stories} -> {found.stories} stories)."
        )
    lines.append(sentence(found))
    if found.top:
        lines += ["", "Largest stories:"] + [f"- {title} ({_outlets(n)})" for title, n in found.top]
    lines += ["", f"Open it: {link(found, base_url)}"]
    return Text(subject, "\n".join(lines))
