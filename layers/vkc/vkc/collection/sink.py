"""Where the harvester's findings go: posts at once, comments and authors in pages via the writer."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from vkc.collection.rows import comment_row, group_author_row, post_row, profile_row
from vkc.collection.store import upsert_posts
from vkc.collection.writer import PageWriter
from vkc.vk.models import Comment, Community, Post, Profile

PAGE_ROWS = 2500


class DbSink:
    """A `HarvestSink` that upserts. Idempotent: the harvester may hand the same items twice."""

    def __init__(
        self,
        engine: Engine,
        writer: PageWriter,
        *,
        workspace_id: uuid.UUID,
        community_id: uuid.UUID,
        job_id: uuid.UUID,
    ) -> None:
        self._engine = engine
        self._writer = writer
        self._ws = workspace_id
        self._community = community_id
        self._job = job_id
        self._comments: list[dict[str, Any]] = []
        self._authors: dict[int, dict[str, Any]] = {}
        self.posts_seen = 0
        self.posts_inserted = 0
        self.comments_seen = 0
        self.replies_seen = 0

    def posts(self, owner_id: int, posts: list[Post]) -> None:
        rows = [post_row(p, workspace_id=self._ws, community_id=self._community) for p in posts]
        with Session(self._engine) as session, session.begin():
            result = upsert_posts(session, rows)
        self.posts_seen += len(posts)
        self.posts_inserted += result.inserted

    def comments(self, owner_id: int, post_id: int, comments: list[Comment]) -> None:
        for comment in comments:
            self._comments.append(
                comment_row(
                    comment,
                    workspace_id=self._ws,
                    community_id=self._community,
                    owner_id=owner_id,
                    post_id=post_id,
                    job_id=self._job,
                )
            )
            if comment.root_id is not None:
                self.replies_seen += 1
        self.comments_seen += len(comments)
        if len(self._comments) >= PAGE_ROWS:
            self._submit()

    def authors(self, profiles: list[Profile], groups: list[Community]) -> None:
        for profile in profiles:
            self._authors[profile.id] = profile_row(profile, workspace_id=self._ws)
        for group in groups:
            self._authors[-abs(group.id)] = group_author_row(group, workspace_id=self._ws)

    def _submit(self) -> None:
        authors = list(self._authors.values())
        self._authors.clear()
        self._writer.submit(self._comments, authors)
        self._comments = []

    def flush(self) -> None:
        """Write what is buffered and wait until every page is committed."""
        if self._comments or self._authors:
            self._submit()
        self._writer.flush()
