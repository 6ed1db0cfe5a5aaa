"""Re-analyse stored articles after a config or lexicon change, in batches, without refetching."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, bindparam, delete, func, select, update

from dashboard.store import rollups, stories
from dashboard.store.schema import article_companies, article_topics, articles
from dashboard.store.write import AnalyseMany, write_analysis_rows

RescoreProgress = Callable[[int, int], None]  # (articles done, articles in all)


def rescore(
    engine: Engine, analyse: AnalyseMany, batch_size: int = 2000, progress: RescoreProgress | None = None
) -> int:
    """Replace every article's tone, companies and topics (each batch one transaction), then recount the
    roll-ups and redo the stories in one more. Until that last step the roll-ups are marked stale, so an
    interrupted rescore is finished by the next one or repaired when the database is next opened. Returns the
    count."""
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(articles)).scalar_one()
    rollups.mark_stale(engine)
    done = 0
    last_id = 0
    set_tone = (
        update(articles)
        .where(articles.c.id == bindparam("row_id"))
        .values(
            tone=bindparam("new_tone"),
            tone_label=bindparam("new_label"),
            language=bindparam("new_language"),
            day=bindparam("new_day"),
            company_mask=bindparam("new_companies"),
            topic_mask=bindparam("new_topics"),
        )
    )
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(articles.c.id, articles.c.title, articles.c.summary, articles.c.published_at)
                .where(articles.c.id > last_id)
                .order_by(articles.c.id)
                .limit(batch_size)
            ).all()
        if not rows:
            break
        analyses = analyse([(row.title, row.summary) for row in rows])
        ids = [row.id for row in rows]
        with engine.begin() as conn:
            keyed = rollups.keyed(conn, [(row.published_at, a) for row, a in zip(rows, analyses, strict=True)])
            conn.execute(delete(article_companies).where(article_companies.c.article_id.in_(ids)))
            conn.execute(delete(article_topics).where(article_topics.c.article_id.in_(ids)))
            conn.execute(
                set_tone,
                [
                    {
                        "row_id": i,
                        "new_tone": a.tone.compound if a.tone else None,
                        "new_label": a.tone.label if a.tone else None,
                        "new_language": a.language,
                        "new_day": k.day,
                        "new_companies": k.company_mask,
                        "new_topics": k.topic_mask,
                    }
                    for i, a, k in zip(ids, analyses, keyed, strict=True)
                ],
            )
            write_analysis_rows(conn, list(zip(ids, analyses, strict=True)))
        last_id = ids[-1]
        done += len(rows)
        if progress:
            progress(done, total)
    with engine.begin() as conn:
        rollups.rebuild(conn)
        stories.rebuild(conn)
    return done
