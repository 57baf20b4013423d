"""The indexed, mutable store behind the emulator: O(1) lookups and O(page) slices for every method.

Posts and comments share one id sequence per wall, as on VK, so `(owner_id, id)` names either.
Mutations append (new ids are the largest, new dates the latest), so ascending order by id is
kept without re-sorting. Callers hold `lock` around reads that must see a consistent state.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devtools.vk_emulator.detect import find_plants
from devtools.vk_emulator.model import Comment, Community, Plant, Post, User

WALL_FILTERS = ("all", "owner", "others")


@dataclass(slots=True)
class Wall:
    """One owner's posts: the pinned one apart, the rest ascending per filter (read backwards)."""

    pinned: Post | None = None
    by_filter: dict[str, list[Post]] = field(default_factory=lambda: {f: [] for f in WALL_FILTERS})

    def add(self, post: Post) -> None:
        if post.is_pinned:
            if self.pinned is not None:
                self.pinned.is_pinned = False
                self._insert(self.pinned)
            self.pinned = post
            return
        self._insert(post)

    def _insert(self, post: Post) -> None:
        kind = "owner" if post.from_id == post.owner_id else "others"
        for name in ("all", kind):
            posts = self.by_filter[name]
            if posts and posts[-1].id > post.id:
                posts.append(post)
                posts.sort(key=lambda p: p.id)
            else:
                posts.append(post)

    def size(self, filter_name: str) -> int:
        return len(self.by_filter[filter_name]) + (1 if self._pinned_in(filter_name) else 0)

    def page(self, filter_name: str, offset: int, count: int) -> list[Post]:
        """Newest first, the pinned post (if any) at position 0, as wall.get pages them."""
        posts = self.by_filter[filter_name]
        out: list[Post] = []
        pos = offset
        if self.pinned is not None and self._pinned_in(filter_name):
            if offset == 0 and count > 0:
                out.append(self.pinned)
            else:
                pos = offset - 1
        n = len(posts)
        while len(out) < count and pos < n:
            out.append(posts[n - 1 - pos])
            pos += 1
        return out

    def _pinned_in(self, filter_name: str) -> bool:
        if self.pinned is None:
            return False
        if filter_name == "all":
            return True
        is_owner = self.pinned.from_id == self.pinned.owner_id
        return is_owner == (filter_name == "owner")


class Dataset:
    """Users, communities, posts and comments with the indexes the API methods need."""

    def __init__(self, meta: dict[str, Any] | None = None) -> None:
        self.meta: dict[str, Any] = dict(meta or {})
        self.users: dict[int, User] = {}
        self.communities: dict[int, Community] = {}
        self.walls: dict[int, Wall] = {}
        self.lock = threading.RLock()
        self._posts: dict[tuple[int, int], Post] = {}
        self._comments: dict[tuple[int, int], Comment] = {}
        self._names: dict[str, tuple[str, int]] = {}
        self._next_id: dict[int, int] = {}

    # ---- building ----------------------------------------------------------------------------

    def add_user(self, user: User) -> None:
        self.users[user.id] = user
        if user.screen_name:
            self._names[user.screen_name.lower()] = ("user", user.id)

    def add_community(self, community: Community) -> None:
        self.communities[community.id] = community
        if community.screen_name:
            self._names[community.screen_name.lower()] = ("group", community.id)

    def add_post(self, post: Post) -> None:
        """Index a post and the comments it already holds (loader and generator path)."""
        self._posts[(post.owner_id, post.id)] = post
        self.walls.setdefault(post.owner_id, Wall()).add(post)
        self._bump_id(post.owner_id, post.id)
        total = 0
        for comment in post.comments:
            self._index_comment(comment)
            total += 1 + len(comment.replies)
            for reply in comment.replies:
                self._index_comment(reply)
        post.comment_total = total

    def _index_comment(self, comment: Comment) -> None:
        self._comments[(comment.owner_id, comment.id)] = comment
        self._bump_id(comment.owner_id, comment.id)

    def _bump_id(self, owner_id: int, used: int) -> None:
        if used >= self._next_id.get(owner_id, 1):
            self._next_id[owner_id] = used + 1

    def allocate_id(self, owner_id: int) -> int:
        """The next id on this wall (posts and comments share the sequence)."""
        new_id = self._next_id.get(owner_id, 1)
        self._next_id[owner_id] = new_id + 1
        return new_id

    # ---- lookups -----------------------------------------------------------------------------

    def post(self, owner_id: int, post_id: int) -> Post | None:
        return self._posts.get((owner_id, post_id))

    def comment(self, owner_id: int, comment_id: int) -> Comment | None:
        return self._comments.get((owner_id, comment_id))

    def resolve_name(self, screen_name: str) -> tuple[str, int] | None:
        """Custom screen names only; id123/club123 forms are handled by the callers."""
        return self._names.get(screen_name.lower())

    def wall(self, owner_id: int) -> Wall:
        return self.walls.get(owner_id) or Wall()

    def iter_posts(self) -> list[Post]:
        """All posts, by owner then ascending id (stable order for files and ground truth)."""
        out: list[Post] = []
        for owner_id in sorted(self.walls, key=lambda o: (o > 0, abs(o))):
            wall = self.walls[owner_id]
            posts = list(wall.by_filter["all"])
            if wall.pinned is not None:
                posts.append(wall.pinned)
            out.extend(sorted(posts, key=lambda p: p.id))
        return out

    def wall_accessible(self, owner_id: int) -> bool:
        if owner_id < 0:
            community = self.communities.get(-owner_id)
            return community is not None and community.wall_open
        user = self.users.get(owner_id)
        return user is not None and user.deactivated is None and not user.is_closed

    @property
    def comment_count(self) -> int:
        return len(self._comments)

    @property
    def post_count(self) -> int:
        return len(self._posts)

    # ---- mutations (incremental-collection tests) -------------------------------------------

    def new_post(self, owner_id: int, text: str, from_id: int | None = None, date: int | None = None) -> Post:
        """Publish a post now; it becomes the newest on the wall."""
        with self.lock:
            if owner_id < 0 and -owner_id not in self.communities:
                raise KeyError(f"no community {-owner_id}")
            if owner_id > 0 and owner_id not in self.users:
                raise KeyError(f"no user {owner_id}")
            post = Post(
                id=self.allocate_id(owner_id),
                owner_id=owner_id,
                from_id=owner_id if from_id is None else from_id,
                date=self._next_date(date, self._latest_post_date(owner_id)),
                text=text,
            )
            self.add_post(post)
            return post

    def new_comment(
        self,
        owner_id: int,
        post_id: int,
        text: str,
        from_id: int,
        reply_to: int | None = None,
        date: int | None = None,
        planted: list[Plant] | None = None,
    ) -> Comment:
        """Add a comment (or a reply to comment `reply_to`, top-level or reply) with the next id."""
        with self.lock:
            post = self.post(owner_id, post_id)
            if post is None:
                raise KeyError(f"no post {owner_id}_{post_id}")
            parent: Comment | None = None
            if reply_to is not None:
                parent = self.comment(owner_id, reply_to)
                if parent is None or parent.post_id != post_id:
                    raise KeyError(f"no comment {reply_to} on post {owner_id}_{post_id}")
            root = parent if parent is None or parent.parent_id is None else self.comment(owner_id, parent.parent_id)
            siblings = post.comments if root is None else root.replies
            last_date = siblings[-1].date if siblings else post.date
            comment = Comment(
                id=self.allocate_id(owner_id),
                owner_id=owner_id,
                post_id=post_id,
                from_id=from_id,
                date=self._next_date(date, last_date),
                text=text,
                parent_id=None if root is None else root.id,
                reply_to_user=None if parent is None else parent.from_id,
                reply_to_comment=None if parent is None else parent.id,
                planted=find_plants(text) if planted is None else planted,
            )
            siblings.append(comment)
            self._index_comment(comment)
            post.comment_total += 1
            return comment

    def _latest_post_date(self, owner_id: int) -> int:
        wall = self.walls.get(owner_id)
        if wall is None:
            return 0
        dates = [p.date for p in wall.by_filter["all"][-1:]]
        if wall.pinned is not None:
            dates.append(wall.pinned.date)
        return max(dates, default=0)

    @staticmethod
    def _next_date(requested: int | None, after: int) -> int:
        if requested is not None:
            return requested
        return max(int(time.time()), after + 1)

    # ---- export ------------------------------------------------------------------------------

    def ground_truth(self) -> dict[str, Any]:
        """What a perfect collector would get: see ground_truth.build."""
        from devtools.vk_emulator.ground_truth import build

        with self.lock:
            return build(self)

    def to_dict(self) -> dict[str, Any]:
        from devtools.vk_emulator.fileformat import dump

        with self.lock:
            return dump(self)

    def to_json(self, path: str | Path) -> None:
        """Write the documented dataset file (see docs/vk-emulator.md)."""
        from devtools.vk_emulator.fileformat import write

        with self.lock:
            write(self, Path(path))
