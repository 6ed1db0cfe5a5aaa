"""Re-analyse stored articles after a config or lexicon change, in batches, without refetching."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, bindparam, delete, func, select, update

from dashboard.analysis import Analyzer
from dashboard.schema import article_companies, article_topics, articles
from dashboard.store import write_analysis_rows

RescoreProgress = Callable[[int, int], None]  # (articles done, articles in all)


def rescore(engine: Engine, analyzer: Analyzer, batch_size: int = 2000, progress: RescoreProgress | None = None) -> int:
    """Replace every article's tone, companies and topics; each batch is one transaction. Returns the count."""
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(articles)).scalar_one()
    done = 0
    last_id = 0
    set_tone = (
        update(articles)
        .where(articles.c.id == bindparam("row_id"))
        .values(tone=bindparam("new_tone"), tone_label=bindparam("new_label"))
    )
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(articles.c.id, articles.c.title, articles.c.summary)
                .where(articles.c.id > last_id)
                .order_by(articles.c.id)
                .limit(batch_size)
            ).all()
        if not rows:
            break
        analysed = [(row.id, analyzer.analyse(row.title, row.summary)) for row in rows]
        ids = [row.id for row in rows]
        with engine.begin() as conn:
            conn.execute(delete(article_companies).where(article_companies.c.article_id.in_(ids)))
            conn.execute(delete(article_topics).where(article_topics.c.article_id.in_(ids)))
            conn.execute(
                set_tone,
                [{"row_id": i, "new_tone": a.tone.compound, "new_label": a.tone.label} for i, a in analysed],
            )
            write_analysis_rows(conn, analysed)
        last_id = ids[-1]
        done += len(rows)
        if progress:
            progress(done, total)
    return done
