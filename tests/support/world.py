"""A small, fully known set of stored comments (rows written directly: no VK, no analyze step).

Two workspaces; the first has two communities, three posts, five comments (one reply, one without
a date or analysis, one matched by two keywords three times) and three keywords in two categories;
the second has a look-alike comment (same VK ids) that must never leak into the first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from vkc.db.models_analysis import Keyword, KeywordMatch
from vkc.db.models_collection import Author, Comment, Community, Post
from vkc.workspaces.service import create_workspace


def ts(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


@dataclass
class World:
    workspace_id: uuid.UUID
    api_key: str
    other_workspace_id: uuid.UUID
    other_api_key: str
    communities: dict[str, uuid.UUID] = field(default_factory=dict)
    keywords: dict[str, uuid.UUID] = field(default_factory=dict)
    comments: dict[str, int] = field(default_factory=dict)  # name -> comments.id
    other_comment: int = 0

    def names(self, ids: list[int]) -> list[str]:
        by_id = {v: k for k, v in self.comments.items()}
        return [by_id.get(i, f"?{i}") for i in ids]


def _community(s: Session, ws: uuid.UUID, vk_id: int, name: str) -> Community:
    row = Community(id=uuid.uuid4(), workspace_id=ws, vk_id=vk_id, name=name, type="group", source_input=str(vk_id))
    s.add(row)
    return row


def _post(s: Session, ws: uuid.UUID, community: Community, post_id: int, text_: str) -> Post:
    row = Post(
        workspace_id=ws,
        community_id=community.id,
        owner_id=-community.vk_id,
        post_id=post_id,
        date=ts("2024-01-01T00:00:00"),
        text=text_,
        content_hash=f"p{post_id}",
    )
    s.add(row)
    return row


def _comment(s: Session, post: Post, comment_id: int, text_: str, **values: Any) -> Comment:
    row = Comment(
        workspace_id=post.workspace_id,
        community_id=post.community_id,
        owner_id=post.owner_id,
        post_id=post.post_id,
        comment_id=comment_id,
        text=text_,
        content_hash=f"c{comment_id}",
        **values,
    )
    s.add(row)
    s.flush()
    return row


def _match(s: Session, c: Comment, kw: Keyword, needle: str, nth: int = 0) -> None:
    start = -1
    for _ in range(nth + 1):
        start = c.text.lower().index(needle, start + 1)
    end = start + len(needle)
    s.add(
        KeywordMatch(
            workspace_id=c.workspace_id,
            comment_id=c.id,
            keyword_id=kw.id,
            matched_text=c.text[start:end],
            start=start,
            end=end,
            lemmas=[kw.text],
            snippet=c.text,
            highlight_start=start,
            highlight_end=end,
        )
    )


def build_world(engine: Engine) -> World:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        ws, key = create_workspace(s, f"comments-{uuid.uuid4().hex[:6]}")
        other, other_key = create_workspace(s, f"comments-other-{uuid.uuid4().hex[:6]}")
        s.flush()
        world = World(ws.id, key, other.id, other_key)
        c1 = _community(s, ws.id, 101, "Городские новости")
        c2 = _community(s, ws.id, 202, "Барахолка")
        world.communities = {"c1": c1.id, "c2": c2.id}
        s.flush()
        p1 = _post(s, ws.id, c1, 1, "Ставки растут")
        p2 = _post(s, ws.id, c1, 2, "Новая школа")
        p3 = _post(s, ws.id, c2, 1, "Продам")
        bank = Keyword(workspace_id=ws.id, text="банк", category="finance")
        credit = Keyword(workspace_id=ws.id, text="кредит", category="finance")
        school = Keyword(workspace_id=ws.id, text="школа", category="education")
        s.add_all([bank, credit, school])
        for vk_id, name in [(11, "Иван Петров"), (12, "Мария Сидорова"), (13, "Спам Бот")]:
            s.add(Author(workspace_id=ws.id, vk_id=vk_id, name=name, screen_name=f"id{vk_id}"))
        s.flush()
        world.keywords = {"bank": bank.id, "credit": credit.id, "school": school.id}
        analyzed = {
            "language": "ru",
            "is_spam": False,
            "has_profanity": False,
            "analyzed_at": ts("2024-04-01T00:00:00"),
        }
        a = _comment(
            s, p1, 1, "Банк снова поднял ставки по кредиту, банк жадный", from_id=11, date=ts("2024-01-10T10:00:00"),
            likes_count=5, sentiment="negative", sentiment_score=-0.6, match_count=3, thread_count=1,
            lemmas=["банк", "поднять", "ставка", "кредит", "банк", "жадный"], **analyzed,
        )  # fmt: skip
        b = _comment(
            s, p1, 2, "Согласен, банки совсем обнаглели, сволочи", from_id=12, date=ts("2024-01-10T11:00:00"),
            likes_count=1, sentiment="negative", sentiment_score=-0.8, match_count=1, root_comment_id=1,
            reply_to_comment=1, lemmas=["согласный", "банк", "обнаглеть"],
            **{**analyzed, "has_profanity": True},
        )  # fmt: skip
        c = _comment(
            s, p2, 3, "Отличная школа, дети довольны", from_id=11, date=ts("2024-02-01T08:30:00"), likes_count=9,
            sentiment="positive", sentiment_score=0.7, match_count=1, viewed_at=ts("2024-02-02T00:00:00"),
            lemmas=["отличный", "школа", "ребёнок", "довольный"], **analyzed,
        )  # fmt: skip
        d = _comment(
            s, p3, 1, "Купите дешевые телефоны, пишите в лс", from_id=13, date=ts("2024-03-05T12:00:00"),
            likes_count=0, sentiment="neutral", sentiment_score=0.0, match_count=0,
            archived_at=ts("2024-03-06T00:00:00"), lemmas=["купить", "дешёвый", "телефон", "писать"],
            **{**analyzed, "is_spam": True},
        )  # fmt: skip
        e = _comment(s, p3, 2, "Hello from the other side", from_id=14, date=None, likes_count=None)
        world.comments = {"a": a.id, "b": b.id, "c": c.id, "d": d.id, "e": e.id}
        _match(s, a, bank, "банк")
        _match(s, a, bank, "банк", 1)
        _match(s, a, credit, "кредиту")
        _match(s, b, bank, "банки")
        _match(s, c, school, "школа")
        # the other workspace: same VK ids, its own keyword
        oc = _community(s, other.id, 101, "Городские новости")
        s.flush()
        op = _post(s, other.id, oc, 1, "Ставки растут")
        okw = Keyword(workspace_id=other.id, text="банк", category="finance")
        s.add(okw)
        s.flush()
        o = _comment(
            s, op, 1, "Банк снова поднял ставки", from_id=11, date=ts("2024-01-10T10:00:00"), sentiment="negative",
            match_count=1, **analyzed,
        )  # fmt: skip
        _match(s, o, okw, "банк")
        world.other_comment = o.id
    return world
