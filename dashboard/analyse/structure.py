"""How a headline's structure bends the tone of its words: events negated or avoided, good states that end,
expectations, contrast between clauses, and the roles of the companies it names.

Pure functions over text and VADER's tokens; ``dashboard.analyse.sentiment`` applies them."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from vaderSentiment.vaderSentiment import N_SCALAR

# --- Events negated or avoided ("avoids layoffs", "court dismisses lawsuit") ---------------------------------
REVERSERS = frozenset(
    "avoid avoids avoided avoiding avert averts averted escape escapes escaped dodge dodges dodged sidestep "
    "sidesteps sidestepped survive survives survived overcome overcomes overcame dismiss dismisses dismissed "
    "deny denies denied overturn overturns overturned without unscathed".split()
)
# Verbs that end a dispute or a penalty only: "drops probe" is good news, "drops 5%" is not.
LEGAL_REVERSERS = frozenset(
    "drop drops dropped end ends ended lift lifts lifted scrap scraps scrapped clear clears cleared withdraw "
    "withdraws withdrew withdrawn close closes closed".split()
)
REVERSER_PHRASES = frozenset(
    {("rules", "out"), ("rule", "out"), ("ruled", "out"), ("shrugs", "off"), ("shrugged", "off"), ("throws", "out"),
     ("threw", "out"), ("thrown", "out"), ("beats", "back"), ("wards", "off"), ("fends", "off")}
)  # fmt: skip
LEGAL_NOUNS = frozenset(
    "lawsuit lawsuits suit suits probe probes investigation investigations inquiry charges charge case claims "
    "ban bans fine fines penalty tariffs tariff restrictions curbs sanctions complaint complaints allegations "
    "wrongdoing antitrust".split()
)
# Bad events the lexicon leaves neutral because the word alone is ambiguous ("fine", "case", "strike").
TROUBLE_NOUNS = LEGAL_NOUNS | frozenset(
    "breakup default downgrade recall strike layoffs cuts shortage outage glitches crisis loss losses slowdown "
    "selloff sell-off penalty job jobs worst".split()
)
TROUBLE_VALENCE = -1.5
# An avoidance that is itself refused or failed keeps the event bad: "fails to avoid", "bid to dismiss".
CANCELLERS = frozenset(
    "not no never fails failed fail refuses refused refuse unable cannot can't couldn't won't bid attempt "
    "tries motion seeks".split()
)
SCOPE = 6  # how many words after a reverser it reaches

# --- Good states that end ("no longer the most valuable", "falls from the top") ------------------------------
ENDINGS = frozenset(
    {("no", "longer"), ("no", "more"), ("falls", "from"), ("fell", "from"), ("stripped", "of"), ("is", "gone"),
     ("are", "gone")}
)  # fmt: skip
ENDED_VALENCE = -1.2  # a state that ends, unless it was a bad one: a position held is lost

# --- Expectations: "as feared", "than hoped" describe the expectation, not the event -------------------------
EXPECTATIONS = frozenset(
    "feared fears fear hoped hopes hoping expected expectations estimates estimated forecast forecasts worried "
    "anticipated predicted thought".split()
)
EXPECTATION_CUES = frozenset("as than short below above ahead beat beats miss misses missed meets met with".split())
# A comparative before "than <expectation>": what it says depends on whether the expectation was a fear or a hope.
BETTER_THAN = {"better": 2.0, "worse": -2.0}
AGAINST_FEARS = {w: 1.8 for w in "smaller lower less milder narrower fewer softer slower".split()} | {
    w: -1.8 for w in "bigger larger higher more deeper wider steeper faster".split()
}
AGAINST_HOPES = {w: -1.8 for w in "slower weaker smaller lower less fewer softer later narrower".split()} | {
    w: 1.8 for w in "faster stronger bigger higher more sooner earlier wider".split()
}
FEARS = frozenset("feared fears fear worried".split())

# --- Measures: "profit slumps" is bad news although "profit" is a good word -----------------------------------
MEASURES = frozenset(
    "growth profit profits gains revenue revenues sales earnings margin margins demand income returns recovery "
    "momentum adoption usage".split()
)

# --- Contrast between clauses --------------------------------------------------------------------------------
CONCESSIVE_WEIGHT = 0.5  # the conceded clause ("despite X", "although X") counts half
ASSERTED_WEIGHT = 1.5  # and what is asserted against it 1.5 times, as VADER weighs the clauses around "but"
BUT_BEFORE, BUT_AFTER = 0.5, 1.5  # VADER's own weights around "but", kept for "but" and ", yet"
_CONCESSIVE = r"despite|in spite of|although|though|even though|even as|even while|notwithstanding"
_LEADING = re.compile(rf"^\W*(?P<marker>{_CONCESSIVE}|while|whereas)\b(?P<body>[^,;]*),\s*", re.IGNORECASE)
_MIDDLE = re.compile(
    rf"(?P<lead>\s*,\s*|\s+)(?:(?P<concessive>{_CONCESSIVE})|(?P<but>but|yet)|(?P<apart>while|whereas|where|as))\b"
    r"|(?P<comma>,)\s+(?=[A-Z])",
    re.IGNORECASE,
)
# "as" splits two clauses only where it is a conjunction: not in "as well as", "such as", "as expected", "as X as".
_AS_BEFORE = frozenset("such well so just not twice same known seen named serve serves served".split())
_AS_AFTER = frozenset(
    "well much many long soon if though part a an the expected feared hoped forecast planned usual of it is "
    "to for in".split()
)
_RIVALS = re.compile(
    r"^\W*(?:as|while|whereas|where|but|yet|even as|despite)?\s*(?:its |their |the |other |big |smaller |larger )*"
    r"(?:rivals|competitors|peers|others|other companies|the rest|rest of)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Segment:
    """A clause of a sentence, [start, end) in its text: how much it counts, what set it apart, and whether it
    is about unnamed rivals (so it says nothing about the company the sentence names)."""

    start: int
    end: int
    weight: float
    marker: str = ""
    rivals: bool = False
    why: str = ""  # what set its weight, for explain: "conceded", "asserted", "before 'but'", "after 'yet'"


def segments(text: str) -> list[Segment]:
    """Split a sentence into clauses at contrast markers, with their weights: a conceded clause counts
    ``CONCESSIVE_WEIGHT``; around "but" (and ", yet") VADER's 0.5 and 1.5; "while", "whereas" and a
    conjunction "as" only separate, so each company's tone can come from its own clause. A clause starts
    after its marker, which is not scored ("despite" is a negation word to VADER)."""
    cuts: list[tuple[int, int, str, str]] = []  # (where the marker starts, where the clause starts, kind, marker)
    leading = _LEADING.match(text)
    if leading:
        cuts += [(0, leading.start("body"), "concessive", leading.group("marker").lower())]
        cuts += [(leading.end(), leading.end(), "main", "")]
    else:
        cuts += [(0, 0, "main", "")]
    for match in _MIDDLE.finditer(text, cuts[-1][1]):
        if match.group("comma"):
            if _joins_clauses(text, cuts[-1][1], match):
                cuts.append((match.start(), match.end(), "apart", ","))
            continue
        kind = next(k for k in ("concessive", "but", "apart") if match.group(k))
        marker = match.group(kind).lower()
        if marker == "yet" and "," not in match.group("lead"):
            continue  # "has yet to": not a conjunction
        if marker == "as" and not _splits_at_as(text, match):
            continue
        cuts.append((match.start(), match.end(), kind, marker))
    spans = []
    for index, (start, body, kind, marker) in enumerate(cuts):
        end = cuts[index + 1][0] if index + 1 < len(cuts) else len(text)
        if text[body:end].strip(" ,;"):
            why = "conceded" if kind == "concessive" else ""
            spans.append(Segment(body, end, _weight(kind), marker, bool(_RIVALS.match(text[start:end])), why))
    if any(kind == "concessive" for _, _, kind, _ in cuts):  # what is asserted against a concession counts more
        spans = [
            s if s.weight != 1.0 or s.rivals else Segment(s.start, s.end, ASSERTED_WEIGHT, s.marker, why="asserted")
            for s in spans
        ]
    first_but, word = next(((start, marker) for start, _, kind, marker in cuts if kind == "but"), (None, ""))
    if first_but is not None:  # VADER's rule: what comes before the first "but" counts half, what follows 1.5x
        spans = [
            Segment(
                s.start,
                s.end,
                s.weight * (BUT_BEFORE if s.start < first_but else BUT_AFTER),
                s.marker,
                s.rivals,
                f"before '{word}'" if s.start < first_but else f"after '{word}'",
            )
            for s in spans
        ]
    return spans or [Segment(0, len(text), 1.0)]


def _weight(kind: str) -> float:
    """A clause's weight from what introduced it (the "but" weights are applied across clauses afterwards)."""
    return CONCESSIVE_WEIGHT if kind == "concessive" else 1.0


def _joins_clauses(text: str, start: int, match: re.Match[str]) -> bool:
    """Whether a comma before a capitalised word joins two clauses ("AMD rallies, Intel slumps") rather than
    listing names ("Meta, Google and Microsoft") or setting off an apposition."""
    before, after = text[start : match.start()].split(), text[match.end() :].split()
    return len(before) >= 2 and len(after) >= 2 and not after[0][:1].islower() and before[-1][-1:].isalpha()


def _splits_at_as(text: str, match: re.Match[str]) -> bool:
    """Whether this "as" joins two clauses ("Nvidia soars as Intel sinks") rather than comparing or naming."""
    before = text[: match.start()].split()
    after = text[match.end() :].split()
    if not before or not after:
        return False
    previous, following = before[-1].lower().strip(",'’\""), after[0].lower().strip(",'’\"")
    if previous in _AS_BEFORE or following in _AS_AFTER:
        return False
    if any(word.lower() == "as" for word in before[-3:]):
        return False  # the second "as" of "not as costly as feared"
    return not any(word.lower() == "as" for word in after[:3])  # the first one


# --- Roles of two parties ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleVerb:
    """A verb that gives the companies around it roles: the subject's valence (before the verb), the
    object's (after it), and a third party's after a preposition (``slot``)."""

    name: str
    pattern: str
    subject: float
    object: float | None  # None: the companies after the verb get no role
    slot: str = ""
    third: float = 0.0
    needs: str = "object"  # "object", "slot" (a party after the preposition) or "" (the subject is enough)
    possessive_subject: bool = False  # "Microsoft's AI chief joins Anthropic", not "Nvidia joins the Dow"


GAIN, LOSS = 2.0, -2.0
ROLE_VERBS = (
    RoleVerb(
        "falls behind",
        r"trails|trail|trailed|lags behind|lags|lag|lagged|falls behind|fell behind|falls further behind|"
        r"loses ground to|lost ground to|loses out to|lost out to",
        LOSS,
        GAIN,
    ),
    RoleVerb(
        "beats",
        r"beats|beat|defeats|defeated|overtakes|overtake|overtook|outpaces|outpace|outpaced|outperforms|"
        r"outperform|outperformed|outsells|outsell|outsold|outshines|surpasses|surpassed|tops|topped|dethrones|"
        r"dethroned|leapfrogs|edges out|matches|matched|gains ground on|gains on|extends (?:its )?lead over|"
        r"widens (?:its )?lead over|pulls ahead of|"
        r"crushes|trounces|bests|outguns|outsmarts|outbids",
        GAIN,
        LOSS,
    ),
    RoleVerb("loses to", r"loses|lost|losing|lose", LOSS, 0.0, r"to", GAIN, needs=""),
    RoleVerb(
        "hires from",
        r"poaches|poach|poached|poaching|lures|lure|lured|hires|hire|hired|recruits|recruit|recruited|snags|snagged|nabs|nabbed|steals|"
        r"stole|wins over|won over|woos|wooed|lands",
        GAIN,
        LOSS,
        r"from|away from",
        LOSS,
        needs="",
    ),
    RoleVerb(
        "wins from",
        r"wins|won|takes market share|takes share|takes customers|grabs|captures",
        GAIN,
        0.0,
        r"from|against|away from",
        LOSS,
        needs="slot",
    ),
    RoleVerb(
        "leaves for",
        r"leaves|left|departs|departed|defects|defected|quits|quit|exits|resigns|resigned|steps down|retires|"
        r"retired|jumps ship|walk out|walks out",
        -1.5,
        0.0,
        r"for|to join|to|joins",
        GAIN,
        needs="",
        possessive_subject=True,
    ),
    RoleVerb("joins", r"joins|joined", -1.5, GAIN, possessive_subject=True),
    RoleVerb(
        "sues",
        r"sues|sued|suing|sue|countersues|accuses|accused|files (?:an? )?(?:[\w-]+ ){0,2}(?:lawsuit|suit|complaint) "
        r"against|takes (?:[\w-]+ ){1,3}to court",
        0.0,
        LOSS,
        needs="",  # the plaintiff is neutral whether or not the defendant is a name we know
    ),
    RoleVerb(
        "buys",
        r"buys|buy|bought|buying|acquires|acquire|acquired|acquiring|to acquire|to buy|completes (?:its )?(?:purchase|"
        r"acquisition|takeover) of|takes (?:an? )?(?:[\d.]+% )?stake in|invests|invested|considers buying|"
        r"in talks to buy|bets on|backs",
        0.0,
        GAIN,
        needs="",  # and so is the buyer
    ),
    RoleVerb(
        "picks",
        r"picks|pick|picked|chooses|choose|chose|selects|select|selected|taps|tap|tapped|"
        r"signs (?:an? )?(?:[\w$.,%-]+ ){0,4}"
        r"(?:deal|contract|agreement|partnership) with|partners with|teams up with|turns to|commits to using|"
        r"awards|awarded|orders(?! to)",
        0.0,
        GAIN,
        r"over|instead of",
        LOSS,
    ),
    RoleVerb(
        "drops",
        r"ends (?:its )?(?:[\w-]+ ){0,2}(?:deal|contract|partnership) with|dumps|ditches|moves (?:its )?"
        r"(?:[\w-]+ ){0,2}away from|cuts ties with",
        0.0,
        LOSS,
    ),
)
_ROLE_RE = re.compile(
    "|".join(rf"(?P<r{i}>\b(?:{verb.pattern})\b)" for i, verb in enumerate(ROLE_VERBS)), re.IGNORECASE
)
_RIVAL_OBJECT = re.compile(r"\s+(?:its |their |all |the )?(?:rivals|competitors|peers|competition)\b", re.IGNORECASE)
_PASSIVE = re.compile(r"\s+by\b", re.IGNORECASE)
_SLOT_RES = {verb.slot: re.compile(rf"\b(?:{verb.slot})\b", re.IGNORECASE) for verb in ROLE_VERBS if verb.slot}


_ROLE_WORDS = frozenset(
    next(w for w in re.findall(r"[a-z]+", alternative) if w not in ("to", "in"))  # "to acquire", "in talks to"
    for verb in ROLE_VERBS
    for alternative in verb.pattern.split("|")
)


def has_role_verb(text: str) -> bool:
    """Whether a text holds a verb that can give companies roles (a cheap test before reading it whole)."""
    return not _ROLE_WORDS.isdisjoint(_WORD.findall(text.lower())) and _ROLE_RE.search(text) is not None


@dataclass(frozen=True)
class Role:
    """A company's part in a clause: the valence it gets and the verb that gave it."""

    company: str
    valence: float
    verb: str
    part: str  # "subject", "object" or the preposition of the third party


def roles(text: str, segment: Segment, mentions: Sequence[tuple[str, int, int]]) -> list[Role]:
    """The roles a clause's first role verb gives the companies named in it (``mentions``: company, start,
    end, offsets in ``text``); none when the verb lacks the parties it needs."""
    inside = [m for m in mentions if segment.start <= m[1] < segment.end]
    if not inside:
        return []
    for match in _ROLE_RE.finditer(text, segment.start, segment.end):
        verb = ROLE_VERBS[int(str(match.lastgroup)[1:])]
        if _negated_verb(text[segment.start : match.start()]):
            continue  # "no longer losing money", "fails to beat": the words say it, not a role
        found = _parties(text, verb, match, inside, segment.end)
        if found is not None:
            return found
    return []


def _negated_verb(before: str) -> bool:
    """Whether the words just before a verb negate or cancel it."""
    words = [w.lower().strip(",.'\"") for w in before.split()[-3:]]
    return any(w in CANCELLERS or w in REVERSERS or w == "longer" or w.endswith("n't") for w in words)


def _parties(
    text: str, verb: RoleVerb, match: re.Match[str], inside: Sequence[tuple[str, int, int]], end: int
) -> list[Role] | None:
    """The roles ``verb`` at ``match`` gives, or None when its required parties are missing."""
    slot = _SLOT_RES[verb.slot].search(text, match.end(), end) if verb.slot else None
    subjects = [m for m in inside if m[2] <= match.start()]
    if verb.possessive_subject:
        subjects = [m for m in subjects if text[m[2] : m[2] + 2] in ("'s", "’s")]
    after = [m for m in inside if m[1] >= match.end()]
    objects = [m for m in after if slot is None or m[1] < slot.start()] if verb.object is not None else []
    thirds = [m for m in after if slot is not None and m[1] >= slot.end()]
    rivals = verb.object is not None and verb.object < 0 and _RIVAL_OBJECT.match(text, match.end()) is not None
    if (verb.needs == "object" and not objects and not rivals) or (verb.needs == "slot" and not thirds):
        return None
    if not subjects and not objects and not thirds:
        return None
    name = match.group(0).lower()
    subject_valence, object_valence = verb.subject, verb.object
    if _PASSIVE.match(text, match.end()):  # "Microsoft sued by authors": the subject is the one sued
        subject_valence, object_valence, name = verb.object or 0.0, verb.subject, f"{name} by"
    found: dict[str, Role] = {}
    for part, parties, valence in (
        ("subject", subjects, subject_valence),
        ("object", objects, object_valence),
        (slot.group(0).lower() if slot else "", thirds, verb.third),
    ):
        for company, _, _ in parties:
            found.setdefault(company, Role(company, float(valence or 0.0), name, part))
    return list(found.values())


_HINTS = frozenset(
    REVERSERS
    | LEGAL_REVERSERS
    | {"as", "than", "despite", "spite", "although", "though", "notwithstanding", "while", "whereas", "where"}
    | {"but", "yet"}
    | MEASURES
    | EXPECTATIONS
)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_PAIRS = REVERSER_PHRASES | ENDINGS


def has_cue(text: str) -> bool:
    """Whether any word or pair of words of a text is a structural cue; a text with none scores exactly as
    VADER with the lexicon scores it (set lookups, so most headlines skip the clause-by-clause reading)."""
    words = _WORD.findall(text.lower())
    return not _HINTS.isdisjoint(words) or not _PAIRS.isdisjoint(itertools.pairwise(words))


# --- Word-level bends inside a clause --------------------------------------------------------------------------


@dataclass(frozen=True)
class Bend:
    """A word whose valence a structural rule changed, and the rule, for ``explain``."""

    index: int
    valence: float
    rule: str


def bend_words(lowered: Sequence[str], base: Sequence[float], valences: Sequence[float]) -> list[Bend]:
    """The structural rules over one clause's words (VADER's tokens, lower-cased), given each word's lexicon
    valence (``base``, 0 when unknown) and its valence after VADER's own rules: negated or avoided events,
    ended states and expectation words. Returns the changed words; reverser words that act become 0."""
    changed: dict[int, Bend] = {}
    n = len(lowered)
    for i, word in enumerate(lowered):
        phrase = i + 1 < n and (word, lowered[i + 1]) in REVERSER_PHRASES
        if word in REVERSERS or word in LEGAL_REVERSERS or phrase:
            _reverse(i, 2 if phrase else 1, lowered, valences, changed)
        elif i + 1 < n and (word, lowered[i + 1]) in ENDINGS:
            _end(i, lowered, base, valences, changed)
        elif word == "than" and i > 0 and i + 1 < n:
            _compare(i, lowered, changed)
        elif (
            word == "as" and i >= 3 and lowered[i - 3] in ("not", "isn't", "wasn't") and lowered[i - 2] in ("as", "so")
        ):
            _not_as(i, lowered, changed)
        if word in MEASURES and valences[i] > 0 and any(v < 0 for v in valences[i + 1 : i + 4]):
            changed.setdefault(i, Bend(i, 0.0, "the measure, not the news: the word after it says which way"))
        if word in EXPECTATIONS and valences[i] and any(w in EXPECTATION_CUES for w in lowered[max(0, i - 3) : i]):
            changed.setdefault(i, Bend(i, 0.0, "an expectation, not the event"))
    return sorted(changed.values(), key=lambda b: b.index)


def _reverse(
    i: int,
    width: int,
    lowered: Sequence[str],
    valences: Sequence[float],
    changed: dict[int, Bend],
) -> None:
    """Flip the bad event a reverser (at ``i``, ``width`` words) negates, unless the reversal is refused."""
    word = " ".join(lowered[i : i + width])
    if any(w in CANCELLERS for w in lowered[max(0, i - 5) : i]):
        return
    legal_only = lowered[i] in LEGAL_REVERSERS
    acted = False
    for j in range(i + width, min(len(lowered), i + width + SCOPE)):
        target = lowered[j]
        if target in REVERSERS or target in LEGAL_REVERSERS or target in CANCELLERS:
            break  # the next negation owns what follows it ("denies the bid to dismiss the lawsuit")
        if j in changed:
            continue
        if legal_only and target not in LEGAL_NOUNS:
            continue
        valence = (
            valences[j] if valences[j] < 0 else TROUBLE_VALENCE if not valences[j] and target in TROUBLE_NOUNS else 0.0
        )
        if valence < 0:
            changed[j] = Bend(j, _negated(valence), f"a bad event negated by '{word}'")
            acted = True
    if legal_only and not acted:  # "drops the lawsuit" but also "lawsuit dropped"
        for j in range(max(0, i - 3), i):
            if lowered[j] in LEGAL_NOUNS and j not in changed:
                valence = valences[j] if valences[j] < 0 else TROUBLE_VALENCE
                changed[j] = Bend(j, _negated(valence), f"a bad event negated by '{word}'")
                acted = True
    if acted:
        for k in range(i, i + width):
            if valences[k]:
                changed[k] = Bend(k, 0.0, "negates the event that follows")


def _negated(valence: float) -> float:
    """A bad event that is avoided or dismissed: good news, at least as strong as a plain trouble word."""
    return round(-N_SCALAR * max(abs(valence), -TROUBLE_VALENCE), 4)


def _compare(i: int, lowered: Sequence[str], changed: dict[int, Bend]) -> None:
    """ "better than expected", "smaller than feared", "slower than investors hoped": the comparative carries
    the news, by whether it beats a fear or falls short of a hope."""
    expectation = next((w for w in lowered[i + 1 : i + 4] if w in EXPECTATIONS), None)
    comparative = lowered[i - 1]
    if expectation is None:
        return
    table = AGAINST_FEARS if expectation in FEARS else AGAINST_HOPES
    valence = BETTER_THAN.get(comparative, table.get(comparative))
    if valence is not None:
        changed[i - 1] = Bend(i - 1, valence, f"'{comparative} than {expectation}'")


def _not_as(i: int, lowered: Sequence[str], changed: dict[int, Bend]) -> None:
    """ "not as costly as feared" is good news, "not as strong as hoped" bad: the adjective is measured
    against the expectation, whatever its own tone."""
    expectation = next((w for w in lowered[i + 1 : i + 4] if w in EXPECTATIONS), None)
    if expectation is not None:
        valence = 1.8 if expectation in FEARS else -1.8
        changed[i - 1] = Bend(i - 1, valence, f"'not as {lowered[i - 1]} as {expectation}'")


def _end(
    i: int, lowered: Sequence[str], base: Sequence[float], valences: Sequence[float], changed: dict[int, Bend]
) -> None:
    """A good state that ends turns bad, a bad one that ends turns good; "no longer" alone is a loss."""
    marker = f"{lowered[i]} {lowered[i + 1]}"
    scope = [j for j in range(i + 2, len(lowered)) if valences[j] and j not in changed]
    polarity = {j: base[j] or valences[j] for j in scope}  # the word's own sign, before any negation
    trouble = any(p < 0 for p in polarity.values())  # a bad state that ends is good news, a good one bad
    for j in scope:
        already = base[j] and (valences[j] > 0) != (base[j] > 0)  # VADER negated it already ("no" 2 words back)
        size = abs(valences[j]) if already else round(abs(valences[j]) * -N_SCALAR, 4)
        if trouble:
            changed[j] = Bend(j, max(size, _negated(valences[j])), f"a bad state ended by '{marker}'")
        else:
            changed[j] = Bend(j, -size, f"a state ended by '{marker}'")
    if not trouble:
        changed[i + 1] = Bend(i + 1, ENDED_VALENCE, f"'{marker}': a position held is lost")
