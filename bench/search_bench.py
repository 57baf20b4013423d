"""Comment search over 1,000,000 stored comments: p50/p95/p99 of typical searches (`search.*`).

    python -m bench.run search
    python -m bench.search_bench [rows]      # alone; rows defaults to 1,000,000

Comments are stored roughly in the order they were written (dates rise with the row number, ±3 days
of jitter), as monitoring stores them: new comments arrive after old ones. A throwaway migrated
database is filled in SQL (INSERT … SELECT generate_series, on two
connections): eight communities of skewed sizes, dates over a year, a sentiment mix, spam and
profanity flags, ~30 % of comments matched by 1–3 of 20 keywords (rows in keyword_matches), and
Russian text drawn from a Zipf-like vocabulary of inflected forms (`search_vector` is generated from it,
as for every stored comment). The comments table's secondary indexes are
dropped for the load and rebuilt from their own definitions afterwards (faster than maintaining
them row by row), then ANALYZE.

Every search goes through `vkc.comments.search.search_comments`, the code behind GET /v1/comments
(page query + author and keyword enrichment), with varied parameters per repetition. Reported:
`search.p95_ms_1m` (p95 over all typical searches together) and p50/p95/p99 per kind.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session
from vkc.comments.filters import CommentFilters
from vkc.comments.search import search_comments
from vkc.db.engine import database_url, get_engine, make_engine

from devtools.pg import migrated_database

ROWS = 1_000_000
REPEATS = 60
COMMUNITIES = 8
POSTS_PER_COMMUNITY = 2500
KEYWORDS = 20
CHUNK = 50_000
NOW = datetime(2026, 1, 1, tzinfo=UTC)

# Inflected forms, most frequent first (index drawn as n·u² → a Zipf-like tail).
_WORDS = """
это не на что как так все уже только если когда очень просто можно нужно надо был была будет люди
человек людей деньги денег цены цена ценами город города городе дорога дороги дорогу дом дома работа
работу работы зарплата зарплаты зарплату власть власти администрация администрации мэр мэра школа
школы школе дети детей ребенок больница больницы врач врачи врачей автобус автобусы транспорт
магазин магазины магазине продукты продуктов молоко хлеб бензин бензина тариф тарифы тарифов ЖКХ
свет вода воды отопление отопления ремонт ремонта ремонте двор дворе парк парке снег снега уборка
хорошо плохо отлично ужасно спасибо молодцы позор стыдно радует нравится согласен правильно кредит
кредита кредиту банк банка банки банке ипотека ипотеки ставка ставки вклад вклады карта новости
новость пост статья видео фото комментарий комментарии вопрос вопросы ответ ответа президент
губернатор депутат депутаты выборы закон законы налог налоги налогов штраф штрафы полиция полиции
авария аварии пожар пожара пробка пробки мост моста строительство стройка погода погоды дождь жара
мороз лето зима весна осень праздник праздники концерт выставка футбол матч команда команды игра
игры победа чемпионат тренер болельщики стадион интернет связь телефон телефоны приложение сайт
сервис доставка доставку заказ заказа купить продам продаю куплю недорого скидка скидки акция
бесплатно пишите звоните почему зачем кто где сколько когда наконец опять снова всегда никогда давно
скоро
"""
VOCABULARY = tuple(_WORDS.split())
SENTIMENTS = ("neutral", "negative", "positive")


def _load(engine: Engine, rows: int) -> dict[str, object]:
    """Create the workspace, communities, posts, keywords; fill comments and matches; rebuild indexes."""
    ws = uuid.uuid4()
    communities = [uuid.uuid4() for _ in range(COMMUNITIES)]
    keywords = [uuid.uuid4() for _ in range(KEYWORDS)]
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO workspaces (id, name) VALUES (:id, 'bench')"), {"id": ws})
        for i, cid in enumerate(communities):
            conn.execute(
                text(
                    "INSERT INTO communities (id, workspace_id, vk_id, name, type, is_closed, source_input, "
                    "can_collect, monitoring_enabled, monitoring_interval_minutes, monitoring_priority) "
                    "VALUES (:id, :ws, :vk, :name, 'group', 0, :src, true, false, 60, 'normal')"
                ),
                {"id": cid, "ws": ws, "vk": 1000 + i, "src": str(1000 + i), "name": f"Сообщество {i}"},
            )
        categories = ("finance", "city", "politics", "commerce")
        for i, kid in enumerate(keywords):
            conn.execute(
                text(
                    "INSERT INTO keywords (id, workspace_id, text, category, kind, case_sensitive, whole_word, "
                    "phrase_mode, negatives, fuzzy, active) VALUES (:id, :ws, :t, :c, 'word', false, true, "
                    "'any_order', '[]', true, true)"
                ),
                {"id": kid, "ws": ws, "t": VOCABULARY[60 + i * 7], "c": categories[i % len(categories)]},
            )
        conn.execute(
            text(
                "INSERT INTO authors (workspace_id, vk_id, name) "
                "SELECT :ws, g, 'Автор ' || g FROM generate_series(1, 50000) g"
            ),
            {"ws": ws},
        )
        dropped = conn.execute(
            text(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'comments' AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
            )
        ).all()
        for name, _ in dropped:
            conn.execute(text(f'DROP INDEX "{name}"'))
    # comments: chunks of the series on two connections (each statement well inside the socket timeout)
    chunks = [(lo, min(lo + CHUNK - 1, rows)) for lo in range(1, rows + 1, CHUNK)]
    errors: list[BaseException] = []
    _parallel(errors, lambda: _fill(engine, chunks, rows, ws, communities))
    with engine.begin() as conn:
        conn.execute(
            text(
                'INSERT INTO keyword_matches (workspace_id, comment_id, keyword_id, matched_text, start, "end", '
                "lemmas, fuzzy, snippet, highlight_start, highlight_end) "
                "SELECT c.workspace_id, c.id, (CAST(:kws AS uuid[]))[1 + floor(20 * power(random(), 2))::int], "
                "'слово', "
                "k * 10, k * 10 + 5, '{}', false, left(c.text, 80), 0, 5 "
                "FROM comments c, generate_series(1, c.match_count) k WHERE c.workspace_id = :ws AND c.match_count > 0"
            ),
            {"ws": ws, "kws": keywords},
        )
    # rebuild the dropped indexes from their definitions, two at a time
    definitions = [d for _, d in dropped]
    _parallel(errors, lambda: _build(engine, definitions))
    return {"workspace_id": ws, "communities": communities, "keywords": keywords}


_lock = threading.Lock()


def _take[T](pending: list[T]) -> T | None:
    with _lock:
        return pending.pop(0) if pending else None


def _fill(
    engine: Engine, chunks: list[tuple[int, int]], rows: int, ws: uuid.UUID, communities: list[uuid.UUID]
) -> None:
    while (chunk := _take(chunks)) is not None:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
            params = {"ws": ws, "lo": chunk[0], "hi": chunk[1], "rows": rows, "comms": communities}
            params["vocab"] = list(VOCABULARY)
            conn.execute(_COMMENTS_SQL, params)


def _build(engine: Engine, pending: list[str]) -> None:
    with engine.connect() as conn:
        conn.execute(text("SET maintenance_work_mem = '256MB'"))
        while (ddl := _take(pending)) is not None:
            conn.execute(text(ddl))
            conn.commit()


def _parallel(errors: list[BaseException], work: Callable[[], None], threads: int = 2) -> None:
    """Run `work` on `threads` threads (each takes items from a shared list); re-raise the first error."""

    def guarded() -> None:
        try:
            work()
        except BaseException as exc:
            errors.append(exc)

    running = [threading.Thread(target=guarded) for _ in range(threads)]
    for t in running:
        t.start()
    for t in running:
        t.join()
    if errors:
        raise errors[0]


_COMMENTS_SQL = text(
    """
    INSERT INTO comments (workspace_id, community_id, owner_id, post_id, comment_id, from_id, date, text,
        root_comment_id, likes_count, attachments, is_deleted, content_hash, analyzed_at, sentiment,
        sentiment_score, is_spam, has_profanity, language, match_count, viewed_at, archived_at)
    SELECT :ws, (CAST(:comms AS uuid[]))[ci], -(1000 + ci - 1), 1 + mod(g * 7919, 2500), g, 1 + mod(g * 104729, 50000),
        TIMESTAMPTZ '2026-01-01 00:00:00+00' - ((1 - g::float8 / :rows) * INTERVAL '365 days')
            - (r1 * INTERVAL '3 days'),
        t.body,
        CASE WHEN r2 < 0.3 THEN g - 1 END,
        floor(r3 * r3 * r3 * 200)::int, '[]'::jsonb, false, md5(g::text), now(),
        CASE WHEN r4 < 0.05 THEN NULL WHEN r4 < 0.55 THEN 'neutral' WHEN r4 < 0.80 THEN 'negative'
             ELSE 'positive' END,
        CASE WHEN r4 < 0.05 THEN NULL ELSE round((r4 * 2 - 1)::numeric, 3)::float END,
        r5 < 0.03, r6 < 0.05, CASE WHEN r6 < 0.9 THEN 'ru' WHEN r6 < 0.95 THEN 'en' ELSE 'uk' END,
        CASE WHEN r7 < 0.3 THEN 1 + floor(r8 * r8 * 3)::int ELSE 0 END,
        CASE WHEN r2 < 0.6 AND r1 > 0.05 THEN now() END,
        CASE WHEN r2 < 0.1 AND r1 > 0.1 THEN now() END
    FROM (
        SELECT g, 1 + floor(8 * power(random(), 1.6))::int AS ci,
            random() AS r1, random() AS r2, random() AS r3, random() AS r4,
            random() AS r5, random() AS r6, random() AS r7, random() AS r8
        FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) g
    ) s
    CROSS JOIN (SELECT CAST(:vocab AS text[]) AS w) v
    CROSS JOIN LATERAL (
        SELECT string_agg(v.w[1 + floor(cardinality(v.w) * power(random(), 2))::int], ' ' ORDER BY i) AS body
        FROM generate_series(1, 4 + mod(s.g, 17)::int) i
    ) t
    """
)


def _pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _kinds(world: dict[str, object], rng: random.Random) -> dict[str, Callable[[Session], object]]:
    ws = world["workspace_id"]
    assert isinstance(ws, uuid.UUID)
    communities = world["communities"]
    keywords = world["keywords"]
    assert isinstance(communities, list)
    assert isinstance(keywords, list)

    def latest(s: Session) -> object:
        return search_comments(s, ws, CommentFilters())

    def community_dates(s: Session) -> object:
        start = NOW - timedelta(days=rng.randint(30, 360))
        filters = CommentFilters(
            community_id=[rng.choice(communities)], date_from=start, date_to=start + timedelta(days=30)
        )
        return search_comments(s, ws, filters)

    def keyword(s: Session) -> object:
        return search_comments(s, ws, CommentFilters(keyword_id=[rng.choice(keywords)]))

    def sentiment_match(s: Session) -> object:
        sentiment = rng.choice(["negative", "positive"])
        return search_comments(s, ws, CommentFilters(sentiment=[sentiment], has_match=True))

    def moderation_queue(s: Session) -> object:
        return search_comments(s, ws, CommentFilters(has_match=True, viewed=False, archived=False))

    def full_text(s: Session) -> object:
        words = [rng.choice(VOCABULARY[40 : 40 + 150]) for _ in range(rng.choice([1, 1, 2]))]
        return search_comments(s, ws, CommentFilters(q=" ".join(words)))

    def second_page(s: Session) -> object:
        filters = rng.choice([CommentFilters(), CommentFilters(community_id=[rng.choice(communities)])])
        first = search_comments(s, ws, filters)
        assert first.next_cursor is not None
        started = time.perf_counter()
        search_comments(s, ws, filters, cursor=first.next_cursor)
        return time.perf_counter() - started  # only the second page is timed

    return {
        "latest": latest,
        "community_dates": community_dates,
        "keyword": keyword,
        "sentiment_match": sentiment_match,
        "moderation_queue": moderation_queue,
        "full_text": full_text,
        "second_page": second_page,
    }


def _measure(engine: Engine, world: dict[str, object], repeats: int) -> dict[str, list[float]]:
    rng = random.Random(7)
    kinds = _kinds(world, rng)
    samples: dict[str, list[float]] = {k: [] for k in kinds}
    with Session(engine) as session:
        for fn in kinds.values():  # warm the cache and the connection
            for _ in range(3):
                fn(session)
                session.rollback()
        for _ in range(repeats):
            for name, fn in kinds.items():
                started = time.perf_counter()
                result = fn(session)
                elapsed = result if isinstance(result, float) else time.perf_counter() - started
                samples[name].append(elapsed * 1000)
                session.rollback()
    return samples


def run(rows: int = ROWS, repeats: int = REPEATS) -> dict[str, float]:
    keep = os.environ.get("VKC_BENCH_KEEP") == "1"  # keep the database to EXPLAIN by hand
    name = "vkc_bench_search" if keep else f"vkc_bench_search_{uuid.uuid4().hex[:6]}"
    with migrated_database(name, keep=keep) as settings:
        engine = get_engine(settings)
        loader = make_engine(settings.model_copy(update={"db_socket_timeout_s": 900.0}), pool_size=3)
        started = time.perf_counter()
        world = _load(loader, rows)
        loader.dispose()
        vacuum = create_engine(database_url(settings), isolation_level="AUTOCOMMIT")
        with vacuum.connect() as conn:
            conn.execute(text("VACUUM ANALYZE"))  # visibility map for index-only scans, fresh statistics
        vacuum.dispose()
        load_s = time.perf_counter() - started
        print(f"[search] loaded {rows:,} comments in {load_s:.1f} s", file=sys.stderr, flush=True)
        samples = _measure(engine, world, repeats)
    suffix = "1m" if rows == ROWS else f"{rows // 1000}k"
    everything = [v for values in samples.values() for v in values]
    figures: dict[str, float] = {
        f"search.p95_ms_{suffix}": round(_pct(everything, 0.95), 2),
        f"search.p50_ms_{suffix}": round(statistics.median(everything), 2),
        f"search.p99_ms_{suffix}": round(_pct(everything, 0.99), 2),
        f"search.load_s_{suffix}": round(load_s, 1),
    }
    for kind, values in samples.items():
        for label, p in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
            figures[f"search.{kind}.{label}_ms_{suffix}"] = round(_pct(values, p), 2)
    return figures


if __name__ == "__main__":
    import json

    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else ROWS), indent=2))
