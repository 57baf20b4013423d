"""Rows for analysis tests: a workspace, its community, comments under chosen posts, keywords."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from vkc.analysis import spam
from vkc.analysis_store.apply import AnalyzeCounts, Scope, analyze_comments
from vkc.analysis_store.hooks import NewMatchesStored
from vkc.analysis_store.ruleset import AnalyzerCache
from vkc.db.models_analysis import KeywordMatch
from vkc.db.models_collection import Comment
from vkc.events import EventBus
from vkc.keywords import service
from vkc.keywords.schemas import KeywordCreate, KeywordView

from tests.support.factories import make_community


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Space:
    """One workspace with one community; comment ids count up per instance."""

    engine: Engine
    workspace_id: uuid.UUID
    community_id: uuid.UUID
    cache: AnalyzerCache = field(default_factory=AnalyzerCache)
    # hear NewMatchesStored as hook(session, workspace_id, matches), like the alerts do in a worker
    hooks: list[Any] = field(default_factory=list)
    _next: int = 1

    def comments(self, *texts: str, post: int = 1, fingerprint: bool = True) -> list[int]:
        """Store comments as the collection does, with their fingerprint (``fingerprint=False``: none,
        as an older version stored them)."""
        rows = []
        for text in texts:
            rows.append(
                Comment(
                    workspace_id=self.workspace_id,
                    community_id=self.community_id,
                    owner_id=-1001,
                    post_id=post,
                    comment_id=self._next,
                    text=text,
                    content_hash=_hash(text),
                    fingerprint=spam.fingerprint(text) if fingerprint else None,
                )
            )
            self._next += 1
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            s.add_all(rows)
        return [r.id for r in rows]

    def edit(self, comment_id: int, text: str) -> None:
        with Session(self.engine) as s, s.begin():
            s.execute(update(Comment).where(Comment.id == comment_id).values(text=text, content_hash=_hash(text)))

    def keyword(self, text: str, **options: Any) -> KeywordView:
        with Session(self.engine, expire_on_commit=False) as s:
            return service.create_keyword(
                s, self.workspace_id, KeywordCreate(text=text, **options), on_change=lambda *_: None
            )

    def analyze(
        self, ids: list[int] | None = None, *, force: bool = False, source: str = "collection"
    ) -> AnalyzeCounts:
        scope = Scope(ids=ids) if ids is not None else Scope(lo=0, hi=2**62)
        with Session(self.engine) as s, s.begin():
            return analyze_comments(
                s, self.workspace_id, scope, analyzers=self.cache, force=force, source=source, events=self.events()
            )

    def events(self) -> EventBus:
        def hear(event: NewMatchesStored) -> None:
            for hook in list(self.hooks):
                hook(event.session, event.workspace_id, event.matches)

        return EventBus({NewMatchesStored: [hear]})

    def row(self, comment_id: int) -> Comment:
        with Session(self.engine) as s:
            found = s.get(Comment, comment_id)
            assert found is not None
            return found

    def matches(self) -> list[tuple[int, int, uuid.UUID, int, int, str]]:
        """(id, comment_id, keyword_id, start, end, matched_text) of the workspace, in id order."""
        with Session(self.engine) as s:
            rows = s.execute(
                select(
                    KeywordMatch.id,
                    KeywordMatch.comment_id,
                    KeywordMatch.keyword_id,
                    KeywordMatch.start,
                    KeywordMatch.end,
                    KeywordMatch.matched_text,
                )
                .where(KeywordMatch.workspace_id == self.workspace_id)
                .order_by(KeywordMatch.id)
            ).all()
        return [tuple(r) for r in rows]  # type: ignore[misc]


@pytest.fixture
def space(engine: Engine) -> Space:
    workspace_id, community_id = make_community(engine)
    return Space(engine, workspace_id, community_id)


@pytest.fixture
def hooks(space: Space) -> list[Any]:
    """Subscribers of the space's `NewMatchesStored` (called as hook(session, workspace_id, matches))."""
    return space.hooks
