"""The words of the synthetic demo corpus: what each kind of story says, in the several ways outlets word one
piece of news, with the slots that make each story its own and summaries of varied tone.

Every phrasing of one story shares its telling words (the company, the figure, the rare nouns), so its
copies are one story by dashboard.analyse.likeness, as real syndicated copies are, while their headlines
differ (``tests/test_demo.py`` holds both)."""

from __future__ import annotations

import random
from dataclasses import dataclass

PUBLISHERS = [
    "Demo Wire (demo)",
    "Synthetic Tech Daily (demo)",
    "Example Business Review (demo)",
    "Sample AI Weekly (demo)",
    "Placeholder Markets (demo)",
    "Mock Valley Times (demo)",
    "Imaginary Register (demo)",
    "Fictional Ledger (demo)",
]
PRODUCTS = {
    "Meta": "Llama",
    "OpenAI": "ChatGPT",
    "Google": "Gemini",
    "Microsoft": "Copilot",
    "Anthropic": "Claude",
    "Nvidia": "Blackwell",
    "Amazon": "Alexa",
    "Apple": "Siri",
    "xAI": "Grok",
    "Mistral": "Le Chat",
}
# Slot values: each story draws its own, so stories of one kind at one company say different things.
SLOTS: dict[str, list[str]] = {
    "aud": "hospitals banks schoolteachers lawyers retailers insurers farmers carmakers airlines "
    "pharmacies accountants architects journalists translators recruiters logistics firms".split(),
    "region": "Europe India Brazil Japan Canada Mexico Indonesia Germany France Korea Nigeria Australia Spain "
    "Vietnam Egypt Poland".split(),
    "place": "Texas Ohio Arizona Oregon Virginia Georgia Nevada Iowa Finland Ireland Norway Denmark Quebec "
    "Malaysia Chile Portugal".split(),
    "field": "robotics biology climate chemistry medicine materials weather genomics fusion logistics "
    "translation mathematics".split(),
    "bank": "Morgan Goldman Barclays Jefferies Bernstein Citi Wedbush Mizuho UBS Evercore".split(),
    "plaintiff": "novelists photographers musicians newspapers illustrators screenwriters publishers "
    "coders actors".split(),
    "feature": "voice memory vision search agents coding translation scheduling shopping".split(),
    "quarter": "Q1 Q2 Q3 Q4 first-quarter second-quarter third-quarter fourth-quarter".split(),
    # How a burnout story puts it: the tone toward the company differs from story to story.
    "strain": [
        "burnout",
        "severe burnout",
        "burnout and anxiety",
        "burnout and low morale",
        "burnout despite generous pay",
        "burnout but strong team spirit",
        "some burnout",
        "burnout and a toxic culture",
    ],
}
ATTRIBUTIONS = (", reports say", ", report says")  # what a copy adds when it reuses a wording: no news in it
NUMBERS: dict[str, tuple[int, int]] = {"n": (2, 49), "m": (1, 90), "pct": (2, 29), "h": (60, 100), "k": (11, 999)}


@dataclass(frozen=True)
class Kind:
    """A kind of story: its topic (None: general news), the ways its headline is worded, and the sentences
    a summary is drawn from."""

    topic: str | None
    headlines: tuple[str, ...]
    summaries: tuple[str, ...]


def _kind(topic: str | None, headlines: str, summaries: str) -> Kind:
    return Kind(topic, tuple(headlines.strip().split("\n")), tuple(summaries.strip().split("\n")))


BACKGROUND = [
    _kind(
        None,
        """{c} unveils {p} {v} model for {aud}
{c} launches {p} {v} model for {aud}
{c} debuts {p} {v} model for {aud}""",
        """The update adds features that early testers praised.
Reviewers said it still trails rivals on accuracy.
Pricing was not disclosed.
The company called it its most capable release yet.""",
    ),
    _kind(
        None,
        """{c} expands {p} {feature} features to {n} more countries
{c} brings {p} {feature} features to {n} more countries
{c} rolls out {p} {feature} features in {n} more countries""",
        """The rollout continues through the quarter.
Local regulators have raised privacy questions.
Users had waited months for the launch.
The company hopes to win back customers it lost to rivals.""",
    ),
    _kind(
        None,
        """{c} shares soar {pct}% after strong {quarter} results
{c} shares jump {pct}% after strong {quarter} results
{c} shares surge {pct}% on strong {quarter} results""",
        """Revenue beat estimates as demand for AI products grew.
Analysts cheered the outlook.
Some investors still worry about the cost of its data centers.""",
    ),
    _kind(
        None,
        """{c} shares fall {pct}% as investors question ${m} billion AI spending
{c} shares slide {pct}% as investors question ${m} billion AI spending
{c} shares drop {pct}% as investors question its ${m} billion AI spending""",
        """Analysts warned about rising costs.
The company defended its investment plans.
Capital spending is set to double next year.""",
    ),
    _kind(
        None,
        """{bank} upgrades {c} to buy on AI momentum, sees {pct}% upside
{bank} analysts upgrade {c} to buy on AI momentum, see {pct}% upside
{bank} upgrades {c} to buy, citing AI momentum and {pct}% upside""",
        """The firm raised its price target.
It sees years of growth ahead.
The note was more cautious about margins.""",
    ),
    _kind(
        None,
        """{c} partners with {o} on ${m} million {field} research push
{c} teams up with {o} on ${m} million {field} research push
{c} and {o} partner on ${m} million {field} research push""",
        """The partnership covers joint work on new models.
Terms were not disclosed.
Both companies will share the results openly.""",
    ),
    _kind(
        "compute",
        """{c} orders {n},000 GPUs for new {place} data center
{c} buys {n},000 GPUs for new {place} data center
{c} to deploy {n},000 GPUs at new {place} data center""",
        """The supercomputer will train the next {p} models.
Local residents worry about the power and water it will use.
Construction starts next year.""",
    ),
    _kind(
        "compute",
        """{c} signs ${m} billion chip supply deal with {o} amid compute crunch
{c} inks ${m} billion chip supply deal with {o} amid compute crunch
{c} strikes ${m} billion chip supply deal with {o} amid compute crunch""",
        """Demand for AI chips keeps outrunning supply.
The deal runs for five years.
Analysts called the price steep.""",
    ),
    _kind(
        "talent",
        """{c} poaches {n} top {field} researchers from {o}
{c} hires {n} top {field} researchers from {o}
{c} lures {n} top {field} researchers from {o}""",
        """The hires follow a bidding war for AI talent.
Pay packages reportedly run to eight figures.
The departures are a blow to the team left behind.""",
    ),
    _kind(
        "regulation",
        """{c} faces {region} antitrust probe over ${m} billion AI deal
{region} opens antitrust probe into {c}'s ${m} billion AI deal
{c} hit with {region} antitrust probe over ${m} billion AI deal""",
        """Regulators are examining the company's investments.
The company says it will cooperate fully.
Fines could reach billions.""",
    ),
    _kind(
        "regulation",
        """{c} sued by {n} {plaintiff} over copyright
{c} is sued by {n} {plaintiff} over copyright
{c} sued by {n} {plaintiff} over copyright claims""",
        """The lawsuit seeks damages for training on their work.
The company says its use is fair.
Similar cases have had mixed results in court.""",
    ),
    _kind(
        "safety",
        """{c} red team finds new {feature} jailbreak in {p} {v}
{c} red team uncovers new {feature} jailbreak in {p} {v}
New {feature} jailbreak found in {p} {v} by {c} red team""",
        """The company says it has patched the flaw.
Security experts called the issue serious.
No misuse has been reported.""",
    ),
    _kind(
        "open_source",
        """{c} releases {n}-billion-parameter open-weight {field} model
{c} open-sources {n}-billion-parameter {field} model
{c} publishes {n}-billion-parameter open-weight {field} model""",
        """Developers can download the model weights.
The release was welcomed by researchers.
Critics say open weights make misuse easier.""",
    ),
    _kind(
        "funding",
        """{c} raises ${m} billion at record valuation
{c} secures ${m} billion at record valuation
{c} lands ${m} billion at a record valuation""",
        """Investors are betting on enterprise demand.
Some investors warn of a bubble.
The round was led by sovereign funds.""",
    ),
    _kind(
        "burnout",
        """Engineers at {c} describe {strain} after {h}-hour weeks on {p}
{c} engineers report {strain} after {h}-hour weeks on {p}
{c} engineers describe {strain} from {h}-hour weeks on {p}""",
        """Staff say the pace is unsustainable.
Managers say the workload will ease after the launch.
Some say the crunch is exhausting but exciting.
{c} says it offers generous leave and support.
Staff say {c} leadership ignores the problem.""",
    ),
    _kind(
        "layoffs",
        """{c} lays off {n}00 workers in {feature} restructuring
{c} to lay off {n}00 workers in {feature} restructuring
{c} lays off {n}00 staff in {feature} restructuring""",
        """The job cuts hit several product teams.
Severance will be generous, the company said.
Shares rose on the news.""",
    ),
]
# Each planted story carries its own figure ({k}), so an event is many distinct stories, not one retold; their
# summaries name no other topic, so an event is an episode of its own topic alone.
EVENTS: dict[str, Kind] = {
    "burnout": _kind(
        "burnout",
        """{c} AI staff describe burnout and exhaustion after {k} days of crunch
{c} AI staff report burnout and exhaustion after {k} days of crunch
{c} AI staff describe burnout, exhaustion after {k} days of crunch""",
        """Several engineers said they were close to breaking point.
The company says help is on the way.
Morale is at a low, staff say.""",
    ),
    "layoffs": _kind(
        "layoffs",
        """{c} lays off {k}0 more as it restructures around AI
{c} to lay off {k}0 more as it restructures around AI
{c} lays off another {k}0 as it restructures around AI""",
        """The cuts hit sales and engineering.
The company says it is refocusing on AI.
Employees learned of the cuts by email.""",
    ),
    "controversy": _kind(
        "controversy",
        """{c} faces backlash after {k} {p} safety failures
{c} faces criticism after {k} {p} safety failures
{c} faces backlash over {k} {p} safety failures""",
        """Researchers signed an open letter of concern.
The company promised an independent review.
Users voiced anger online.""",
    ),
}


def fill(template: str, values: dict[str, str]) -> str:
    """A template with its slots filled in."""
    return template.format(**values)


def story_values(rng: random.Random, company: str, others: list[str]) -> dict[str, str]:
    """The slots of one story: the same in every outlet's copy."""
    values = {name: rng.choice(pool) for name, pool in SLOTS.items()}
    values.update({name: str(rng.randint(lo, hi)) for name, (lo, hi) in NUMBERS.items()})
    values.update(c=company, p=PRODUCTS.get(company, "its model"), o=rng.choice(others or [company]))
    values["v"] = f"{rng.randint(2, 9)}.{rng.randint(0, 9)}"  # a product version
    return values


def copy_texts(rng: random.Random, kind: Kind, values: dict[str, str], copies: int) -> list[tuple[str, str]]:
    """Each outlet's headline and summary of one story: a wording of its own (once every wording is taken, one
    with the attribution wire copies add), and one or two sentences of summary of its own choosing."""
    wordings = rng.sample(kind.headlines, len(kind.headlines))
    out = []
    for index in range(copies):
        title = fill(wordings[index % len(wordings)], values)
        if index >= len(wordings):
            title += ATTRIBUTIONS[(index - len(wordings)) % len(ATTRIBUTIONS)]
        sentences = rng.sample(kind.summaries, rng.choice((1, 2)))
        out.append((title[:1].upper() + title[1:], fill(" ".join(sentences), values)))
    return out
