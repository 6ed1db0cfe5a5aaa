"""Stories: each new article joins the story that reports the same news, or starts one, in the transaction that
stores it; the story roll-ups count each story once, on its first day, with the mean tone of its articles.

An article joins a story when Google News put them in one cluster (a shared article token), or when its
headline is a near-duplicate (dashboard.analyse.likeness) of one of the story's headlines published within
WINDOW of it. A cluster that links two stories merges them. New articles are taken in publication order, so
the same articles stored in the same batches always make the same stories; ``rebuild`` redoes them all.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, update

from dashboard.analyse import likeness
from dashboard.models import label_for
from dashboard.store.rollups import day_of, upsert_add
from dashboard.store.schema import (
    any_of,
    article_companies,
    article_tokens,
    articles,
    chunks,
    in_each,
    insert_many,
    insert_rows,
    lock_for_schema_work,
    marker,
    meta,
    rollup_story_company,
    rollup_story_day,
    stories,
    story_companies,
    story_keys,
)

WINDOW = likeness.WINDOW
_REBUILD_BATCH = 5000
# Stories compared with each new headline: those sharing the most MinHash bands with it (a flood of templated
# headlines, "X story number N", would otherwise make every new one compare with every earlier one).
CANDIDATES = 20
# Stored stories kept for each new headline before the exact time checks narrow them to CANDIDATES: busy days
# put hundreds of same-kind stories ("X shares rise N%") under one band, and counting them all one by one in
# Python was most of the cost of storing a million articles.
SHORTLIST = 3 * CANDIDATES
_EPOCH = date(1970, 1, 1)
_STORY_BITS = 40  # story ids below 2**40, headlines in one batch below 2**23
# A stored band key carries its headline's week in its top bits, above 47 bits of the band's hash. Headlines
# more than WINDOW apart are never one story, so a headline seeks only the weeks its days within WINDOW fall
# in (one or two); and one week's keys sit together in story_keys' index, where a load's inserts and lookups
# find their pages cached. Random 64-bit keys put every insert on a page of its own once the table outgrows
# the cache: at 14 million rows a key cost 28.2 us to write against 7.6 (python -m bench.story_keys).
_WEEK_DAYS = 2 * WINDOW.days + 1  # any 2 * WINDOW + 1 consecutive days span at most two weeks
_HASH_BITS = 47
_HASH_MASK = (1 << _HASH_BITS) - 1
_WEEKS = 1 << (63 - _HASH_BITS)  # weeks wrap after 1,256 years, so every key is a non-negative 64-bit integer


@dataclass(frozen=True)
class Member:
    """A new article as a story sees it: when, its headline, its Google tokens, and what it counts."""

    id: int
    published_at: datetime
    title: str
    tokens: tuple[int, ...]
    tone: float | None
    companies: dict[str, float | None]  # tone toward each company it names (None: a language without one)
    company_mask: int
    topic_mask: int


@dataclass
class Tally:
    """A story's sums over its articles: all the roll-ups need to count it."""

    first_published_at: datetime
    articles: int = 0
    toned: int = 0
    tone_sum: float = 0.0
    company_mask: int = 0
    topic_mask: int = 0
    companies: dict[str, list[float]] = field(default_factory=dict)  # name -> [articles, toned, tone sum]

    def add(self, member: Member) -> None:
        """Count one more article in."""
        self.first_published_at = min(self.first_published_at, member.published_at)
        self.articles += 1
        if member.tone is not None:
            self.toned += 1
            self.tone_sum += member.tone
        self.company_mask |= member.company_mask
        self.topic_mask |= member.topic_mask
        for name, tone in member.companies.items():
            sums = self.companies.setdefault(name, [0, 0, 0.0])
            sums[0] += 1
            if tone is not None:
                sums[1] += 1
                sums[2] += tone

    def absorb(self, other: Tally) -> None:
        """Count another story's articles in (the two were found to be one)."""
        self.first_published_at = min(self.first_published_at, other.first_published_at)
        self.articles += other.articles
        self.toned += other.toned
        self.tone_sum += other.tone_sum
        self.company_mask |= other.company_mask
        self.topic_mask |= other.topic_mask
        for name, (n, toned, tone) in other.companies.items():
            sums = self.companies.setdefault(name, [0, 0, 0.0])
            sums[0] += n
            sums[1] += toned
            sums[2] += tone

    def copy(self) -> Tally:
        return Tally(
            self.first_published_at,
            self.articles,
            self.toned,
            self.tone_sum,
            self.company_mask,
            self.topic_mask,
            {k: list(v) for k, v in self.companies.items()},
        )


DayKey = tuple[date, int, int]
# story -> (headline, companies it names) -> when each article with them was published
Headlines = dict[int, dict[tuple[str, int], list[datetime]]]
Bands = dict[int, dict[date, set[int]]]  # band key -> day -> stories
CompanyKey = tuple[date, str, int]


def _tone_values(mean: float | None) -> list[float]:
    """[tone sum, tone square, negative, positive] of one story's mean tone (zeros when it has none)."""
    if mean is None:
        return [0.0, 0.0, 0, 0]
    label = label_for(mean)
    return [mean, mean * mean, int(label == "neg"), int(label == "pos")]


def contribution(tally: Tally) -> tuple[dict[DayKey, list[float]], dict[CompanyKey, list[float]]]:
    """What one story adds to each roll-up: one story, its mean tone, and its mean tone toward each company."""
    day = day_of(tally.first_published_at)
    mean = tally.tone_sum / tally.toned if tally.toned else None
    days = {(day, tally.company_mask, tally.topic_mask): [1, int(mean is not None), *_tone_values(mean)]}
    per_company = {
        (day, name, tally.topic_mask): [1, int(toned > 0), *_tone_values(tone / toned if toned else None)]
        for name, (_, toned, tone) in tally.companies.items()
    }
    return days, per_company


def _lookup_tokens(conn: Connection, tokens: set[int]) -> dict[int, set[int]]:
    """Stories already stored under these Google token keys (any day)."""
    by_token: dict[int, set[int]] = defaultdict(set)
    # Driver-level, as in dashboard.store.write: compiling long IN lists costs more than the lookups.
    for where, params in any_of(conn, "key", sorted(tokens), "BIGINT"):
        for key, story in conn.exec_driver_sql(f"SELECT key, story_id FROM story_keys WHERE {where}", params):
            by_token[key].add(story)
    return by_token


def _day_number(day: date) -> int:
    return (day - _EPOCH).days


def _week(day_number: int) -> int:
    """The top bits a band key stored on this day carries."""
    return (day_number // _WEEK_DAYS) % _WEEKS << _HASH_BITS


def _in_weeks(band_keys: likeness.BandKeys, day_number: int) -> likeness.BandKeys:
    """A headline's band keys as story_keys holds them: stored under its own week, sought under the weeks of
    the days within WINDOW of it."""
    weeks = sorted({_week(day_number - WINDOW.days), _week(day_number + WINDOW.days)})
    mine = _week(day_number)
    return likeness.BandKeys(
        tuple(key & _HASH_MASK | mine for key in band_keys.stored),
        tuple(key & _HASH_MASK | week for week in weeks for key in band_keys.sought),
    )


@dataclass(frozen=True)
class BandRows:
    """Stored story_keys rows under some band keys, sorted by key: columns as arrays, days counted from 1970."""

    key: np.ndarray
    day: np.ndarray
    story: np.ndarray

    def of(self, chosen: set[int]) -> set[tuple[int, date, int]]:
        """The (key, day, story) rows of some stories."""
        mask = np.isin(self.story, np.fromiter(chosen, dtype=np.int64, count=len(chosen)))
        return {
            (key, _EPOCH + timedelta(days=day), story)
            for key, day, story in zip(
                self.key[mask].tolist(), self.day[mask].tolist(), self.story[mask].tolist(), strict=True
            )
        }


def _lookup_bands(conn: Connection, bands: set[int], lo: date, hi: date) -> BandRows:
    """Stored rows under these band keys on days lo..hi."""
    day_type = story_keys.c.day.type._cached_bind_processor(conn.dialect)  # type: ignore[attr-defined]
    low, high = (day_type(lo), day_type(hi)) if day_type else (lo, hi)
    m = marker(conn)
    rows: list[tuple[int, object, int]] = []
    for where, params in any_of(conn, "key", sorted(bands), "BIGINT"):
        sql = f"SELECT key, day, story_id FROM story_keys WHERE {where} AND day >= {m} AND day <= {m}"
        rows.extend(conn.exec_driver_sql(sql, (*params, low, high)).fetchall())  # type: ignore[arg-type]
    keys, days, story_ids = zip(*rows, strict=True) if rows else ((), (), ())
    key = np.array(keys, dtype=np.int64)
    order = np.argsort(key, kind="stable")
    # ISO text on SQLite, dates on PostgreSQL; a batch's rows fall on a few days, so each is converted once
    # (numpy converts date objects one by one in Python: 38 ms for a batch's 42,000 rows against 3).
    number = {d: int(np.datetime64(d, "D").astype(np.int64)) for d in set(days)}
    day = np.fromiter(map(number.__getitem__, days), dtype=np.int64, count=len(days))
    return BandRows(key[order], day[order], np.array(story_ids, dtype=np.int64)[order])


def _shortlists(days: Sequence[int], band_keys: Sequence[Sequence[int]], stored: BandRows) -> list[dict[int, int]]:
    """For each new headline (its day number and band keys), the SHORTLIST stored stories with the most bands
    in common with it on days within WINDOW of its own: story -> bands shared (ties: the oldest story)."""
    lengths = np.fromiter((len(keys) for keys in band_keys), dtype=np.int64, count=len(band_keys))
    at = np.repeat(np.arange(len(band_keys)), lengths)
    keys = np.fromiter((k for ks in band_keys for k in ks), dtype=np.int64, count=int(lengths.sum()))
    # Every (headline, stored row) pair with a key in common: the rows of each key are one run of the sorted arrays.
    start = np.searchsorted(stored.key, keys, "left")
    found = np.searchsorted(stored.key, keys, "right") - start
    offsets = np.repeat(start - np.concatenate(([0], np.cumsum(found)[:-1])), found) + np.arange(found.sum())
    who = np.repeat(at, found)
    mine = np.repeat(np.asarray(days, dtype=np.int64)[at], found)
    near = np.abs(stored.day[offsets] - mine) <= WINDOW.days
    pairs, shared = np.unique((who[near] << _STORY_BITS) | stored.story[offsets[near]], return_counts=True)
    who, story = pairs >> _STORY_BITS, pairs & ((1 << _STORY_BITS) - 1)
    rank = np.lexsort((story, -shared, who))
    who, story, shared = who[rank], story[rank], shared[rank]
    keep = np.arange(len(who)) - np.searchsorted(who, who, "left") < SHORTLIST
    out: list[dict[int, int]] = [{} for _ in band_keys]
    for at_, story_, shared_ in zip(who[keep].tolist(), story[keep].tolist(), shared[keep].tolist(), strict=True):
        out[at_][story_] = shared_
    return out


def _headlines(
    conn: Connection, ids: Sequence[int], lo: datetime, hi: datetime
) -> tuple[Headlines, dict[int, datetime]]:
    """The headlines, published within lo..hi, of some stories, and when each story first appeared."""
    out: Headlines = defaultdict(lambda: defaultdict(list))
    first_at: dict[int, datetime] = {}
    for among_stories, among_articles in zip(
        in_each(conn, stories.c.id, ids), in_each(conn, articles.c.story_id, ids), strict=True
    ):
        first_at.update(conn.execute(select(stories.c.id, stories.c.first_published_at).where(among_stories)).all())
        rows = conn.execute(
            select(articles.c.story_id, articles.c.published_at, articles.c.title, articles.c.company_mask)
            .where(among_articles, articles.c.published_at >= lo, articles.c.published_at <= hi)
            .order_by(articles.c.id)
        )
        for story, when, title, companies in rows:
            out[story][(title, companies)].append(when)
    return out, first_at


def _tallies(conn: Connection, ids: Sequence[int]) -> dict[int, Tally]:
    """The stored sums of some stories."""
    out: dict[int, Tally] = {}
    for chunk in chunks(list(ids)):
        for row in conn.execute(select(stories).where(stories.c.id.in_(chunk))):
            out[row.id] = Tally(
                row.first_published_at, row.articles, row.toned, row.tone_sum, row.company_mask, row.topic_mask
            )
        for row in conn.execute(select(story_companies).where(story_companies.c.story_id.in_(chunk))):
            out[row.story_id].companies[row.company] = [row.articles, row.toned, row.tone_sum]
    return out


def _bounds(story: int, when: datetime, known: Headlines, first_at: dict[int, datetime]) -> tuple[datetime, datetime]:
    """The first and last publication of a story's articles known here (``when`` for a story known only by
    a Google token)."""
    times = [t for ts in known.get(story, {}).values() for t in ts]
    if story in first_at:
        times.append(first_at[story])
    return (min(times), max(times)) if times else (when, when)


def _best_match(member: Member, words: likeness.Words, candidates: Iterable[int], known: Headlines) -> int | None:
    """The candidate story with the most similar headline published within WINDOW (ties: the oldest). Two
    headlines that name companies must name one in common: "Meta shares soar" is not "Apple shares soar"."""
    best: tuple[float, int] | None = None
    for story in sorted(candidates):
        for (title, companies), times in known.get(story, {}).items():
            if member.company_mask and companies and not member.company_mask & companies:
                continue
            if all(abs(when - member.published_at) > WINDOW for when in times):
                continue
            other = likeness.headline_words(title)
            if not likeness.same_news(words, other):
                continue
            score = likeness.similarity(words, other)
            if best is None or score > best[0]:
                best = (score, story)
    return best[1] if best else None


def assign(conn: Connection, members: Sequence[Member]) -> dict[int, int]:
    """Put new articles into stories (the caller inserts them with the ids returned, article id -> story id),
    and keep the stories, their keys and the story roll-ups current, in the caller's transaction."""
    if not members:
        return {}
    order = sorted(members, key=lambda m: (m.published_at, m.id))
    words = [likeness.headline_words(m.title) for m in order]
    days = [day_of(m.published_at) for m in order]
    day_numbers = [_day_number(d) for d in days]
    band_keys = [_in_weeks(k, n) for k, n in zip(likeness.bands(words), day_numbers, strict=True)]
    lo = min(m.published_at for m in order) - WINDOW
    hi = max(m.published_at for m in order) + WINDOW
    by_token = _lookup_tokens(conn, {t for m in order for t in m.tokens})
    stored_bands = _lookup_bands(conn, {k for keys in band_keys for k in keys.sought}, lo.date(), hi.date())
    reach = WINDOW.days

    def sharing(bands: Bands, keys: Sequence[int], day: date) -> dict[int, int]:
        """Stories with a band in common with these keys, published within WINDOW of the day: how many."""
        counts: dict[int, int] = {}
        for key in keys:
            for when, found in bands.get(key, {}).items():  # a band key is seen on a day or two, rarely more
                if abs((when - day).days) <= reach:
                    for story in found:
                        counts[story] = counts.get(story, 0) + 1
        return counts

    shared_stored = _shortlists(day_numbers, [k.sought for k in band_keys], stored_bands)
    banded = {s for counts in shared_stored for s in counts}
    known, first_at = _headlines(conn, sorted(banded), lo, hi)
    stored = {s for hits in by_token.values() for s in hits} | banded
    by_band_new: Bands = defaultdict(lambda: defaultdict(set))  # the bands of stories this batch starts or grows
    bounds: dict[int, tuple[datetime, datetime]] = {}  # each story's first and last publication known here

    root: dict[int, int] = {}

    def find(story: int) -> int:
        while story in root:
            story = root[story]
        return story

    chosen: dict[int, int] = {}
    for member, member_words, keys, day, old in zip(order, words, band_keys, days, shared_stored, strict=True):
        linked = {find(s) for t in member.tokens for s in by_token.get(t, ())}
        shared: Counter[int] = Counter()
        for counts in (old, sharing(by_band_new, keys.sought, day)):
            for story, n in counts.items():
                shared[find(story)] += n
        # A story spans at most WINDOW: a copy later than that is news again, however alike.
        when = member.published_at
        for story in shared:  # (not ``shared.keys() - bounds.keys()``: that walks every story of the batch)
            if story not in bounds:
                bounds[story] = _bounds(story, when, known, first_at)
        recent = [s for s in shared if max(bounds[s][1], when) - min(bounds[s][0], when) <= WINDOW]
        near = sorted(recent, key=lambda s: (-shared[s], s))[:CANDIDATES]
        best = _best_match(member, member_words, near, known)
        group = linked | ({best} if best is not None else set())
        story = min(group) if group else member.id
        spans = [bounds.get(s) or _bounds(s, when, known, first_at) for s in group] + [(when, when)]
        bounds[story] = (min(b[0] for b in spans), max(b[1] for b in spans))
        for other in sorted(group - {story}):
            root[other] = story
            for headline, times in known.pop(other, {}).items():
                known[story][headline].extend(times)
        chosen[member.id] = story
        for token in member.tokens:
            by_token[token].add(story)
        for key in keys.stored:
            by_band_new[key][day].add(story)
        known[story][(member.title, member.company_mask)].append(member.published_at)

    chosen = {article: find(story) for article, story in chosen.items()}
    merged = {story: find(story) for story in root}
    _write(conn, order, days, band_keys, chosen, merged, stored, stored_bands.of({*chosen.values(), *merged.values()}))
    return chosen


def _write(
    conn: Connection,
    order: Sequence[Member],
    days: Sequence[date],
    band_keys: Sequence[likeness.BandKeys],
    chosen: dict[int, int],
    merged: dict[int, int],
    stored: set[int],
    has_key: set[tuple[int, date, int]],
) -> None:
    """Store what ``assign`` decided: merge stories, grow tallies, record keys (not those a stored story
    already has on that day: a syndicated copy repeats its story's bands), and move the roll-ups."""
    touched = sorted(({*chosen.values(), *merged} & stored) | (set(merged.values()) & stored))
    old = _tallies(conn, touched)
    new: dict[int, Tally] = {}
    for story in sorted(old):
        final = merged.get(story, story)
        if final in new:
            new[final].absorb(old[story])
        else:
            new[final] = old[story].copy()
    for member in order:
        story = chosen[member.id]
        new.setdefault(story, Tally(member.published_at)).add(member)
    if any(story in stored for story in merged):
        # Older articles move to another story: readers that keep per-article facts reload (facts.data_version).
        conn.execute(delete(meta).where(meta.c.key == "stories_version"))
        conn.execute(insert(meta).values(key="stories_version", value=str(max(chosen))))
    for story, final in sorted(merged.items()):
        if story not in stored:
            continue
        conn.execute(update(articles).where(articles.c.story_id == story).values(story_id=final))
        m = marker(conn)
        conn.exec_driver_sql(
            f"INSERT INTO story_keys (key, day, story_id) SELECT key, day, {m} FROM story_keys WHERE story_id = {m} "
            "ON CONFLICT DO NOTHING",
            (final, story),
        )
        conn.execute(delete(story_keys).where(story_keys.c.story_id == story))
    gone = sorted(old)
    for chunk in chunks(gone):
        conn.execute(delete(story_companies).where(story_companies.c.story_id.in_(chunk)))
        conn.execute(delete(stories).where(stories.c.id.in_(chunk)))
    insert_many(
        conn,
        stories,
        [
            {
                "id": story,
                "first_published_at": t.first_published_at,
                "day": day_of(t.first_published_at),
                "articles": t.articles,
                "toned": t.toned,
                "tone_sum": t.tone_sum,
                "company_mask": t.company_mask,
                "topic_mask": t.topic_mask,
            }
            for story, t in sorted(new.items())
        ],
    )
    insert_many(
        conn,
        story_companies,
        [
            {"story_id": story, "company": name, "articles": int(n), "toned": int(toned), "tone_sum": tone}
            for story, t in sorted(new.items())
            for name, (n, toned, tone) in sorted(t.companies.items())
        ],
    )
    keys = {
        (key, day, chosen[member.id])
        for member, day, member_keys in zip(order, days, band_keys, strict=True)
        for key in (*member_keys.stored, *member.tokens)
    }
    keys -= has_key
    # A story this batch starts has its first article's id, new in this transaction: none of its keys can be
    # stored, so they go in plainly (COPY on PostgreSQL, a third cheaper in the server than ON CONFLICT).
    # A stored story may have a key already (one this batch did not look up), so its keys are skipped if so.
    ordered = sorted(keys)
    for fresh in (True, False):
        rows = [row for row in ordered if (row[2] not in stored) == fresh]
        insert_rows(conn, story_keys, ("key", "day", "story_id"), rows, "" if fresh else "ON CONFLICT DO NOTHING")
    _move_rollups(conn, old.values(), new.values())


def record_tokens(conn: Connection, members: Sequence[Member]) -> None:
    """Keep new articles' Google tokens (once the articles are stored), so ``rebuild`` can use them again."""
    insert_many(
        conn, article_tokens, [{"article_id": m.id, "token": t} for m in members for t in sorted(set(m.tokens))]
    )


def _move_rollups(conn: Connection, before: Iterable[Tally], after: Iterable[Tally]) -> None:
    """Take the old stories out of the story roll-ups and put the new ones in; drop rows left at zero."""
    days: dict[DayKey, list[float]] = defaultdict(lambda: [0, 0, 0.0, 0.0, 0, 0])
    per_company: dict[CompanyKey, list[float]] = defaultdict(lambda: [0, 0, 0.0, 0.0, 0, 0])
    for sign, tallies in ((-1, before), (1, after)):
        for tally in tallies:
            day_rows, company_rows = contribution(tally)
            for key, values in day_rows.items():
                days[key] = [a + sign * b for a, b in zip(days[key], values, strict=True)]
            for key, values in company_rows.items():
                per_company[key] = [a + sign * b for a, b in zip(per_company[key], values, strict=True)]
    day_names = ["stories", "toned", "tone_sum", "tone_sq", "neg", "pos"]
    company_names = ["stories", "toned", "tone_sum", "tone_sq", "neg", "pos"]
    upsert_add(
        conn,
        rollup_story_day,
        ["day", "company_mask", "topic_mask"],
        [
            {"day": d, "company_mask": cm, "topic_mask": tm, **dict(zip(day_names, v, strict=True))}
            for (d, cm, tm), v in days.items()
            if any(v)
        ],
    )
    upsert_add(
        conn,
        rollup_story_company,
        ["day", "company", "topic_mask"],
        [
            {"day": d, "company": name, "topic_mask": tm, **dict(zip(company_names, v, strict=True))}
            for (d, name, tm), v in per_company.items()
            if any(v)
        ],
    )
    for table, changed in ((rollup_story_day, days), (rollup_story_company, per_company)):
        emptied = sorted({key[0] for key, values in changed.items() if values[0] < 0})
        for chunk in chunks(emptied):  # type: ignore[arg-type]
            conn.execute(delete(table).where(table.c.stories == 0, table.c.day.in_(chunk)))


def members_of(conn: Connection, rows: Sequence[tuple[int, datetime, str, float | None, int, int]]) -> list[Member]:
    """Members for stored articles (id, published, title, tone, company mask, topic mask), with their company
    tones and Google tokens read back."""
    ids = [r[0] for r in rows]
    companies: dict[int, dict[str, float | None]] = defaultdict(dict)
    tokens: dict[int, list[int]] = defaultdict(list)
    for chunk in chunks(ids):
        for article, name, tone in conn.execute(
            select(article_companies.c.article_id, article_companies.c.company, article_companies.c.tone).where(
                article_companies.c.article_id.in_(chunk)
            )
        ):
            companies[article][name] = tone
        for article, token in conn.execute(
            select(article_tokens.c.article_id, article_tokens.c.token).where(article_tokens.c.article_id.in_(chunk))
        ):
            tokens[article].append(token)
    return [
        Member(i, when, title, tuple(sorted(tokens.get(i, ()))), tone, companies.get(i, {}), cm, tm)
        for i, when, title, tone, cm, tm in rows
    ]


def rebuild(conn: Connection) -> int:
    """Redo every story from the stored articles in publication order (after a rescore or a migration), in
    the caller's transaction; returns the number of stories."""
    conn.execute(update(articles).values(story_id=None))
    for table in (story_keys, story_companies, stories, rollup_story_day, rollup_story_company):
        conn.execute(delete(table))
    last: tuple[datetime, int] | None = None
    columns = (
        articles.c.id,
        articles.c.published_at,
        articles.c.title,
        articles.c.tone,
        articles.c.company_mask,
        articles.c.topic_mask,
    )
    while True:
        statement = select(*columns).order_by(articles.c.published_at, articles.c.id).limit(_REBUILD_BATCH)
        if last is not None:
            statement = statement.where(
                (articles.c.published_at > last[0]) | ((articles.c.published_at == last[0]) & (articles.c.id > last[1]))
            )
        rows = [tuple(r) for r in conn.execute(statement)]
        if not rows:
            break
        chosen = assign(conn, members_of(conn, rows))  # type: ignore[arg-type]
        conn.execute(
            update(articles).where(articles.c.id == bindparam("row_id")).values(story_id=bindparam("story")),
            [{"row_id": a, "story": s} for a, s in sorted(chosen.items())],
        )
        last = (rows[-1][1], rows[-1][0])  # type: ignore[assignment]
    conn.execute(delete(meta).where(meta.c.key == "stories"))
    return conn.execute(select(func.count()).select_from(stories)).scalar_one()


def ensure_current(engine: Engine) -> bool:
    """Rebuild the stories if a migration left them stale; True if it did (one process does it, the others
    wait for it and then find them current)."""
    query = select(meta.c.value).where(meta.c.key == "stories")
    with engine.connect() as conn:
        if conn.execute(query).scalar() != "stale":
            return False
    with engine.begin() as conn:
        lock_for_schema_work(conn)
        if conn.execute(query).scalar() != "stale":
            return False
        rebuild(conn)
    return True
