"""Complete, resumable collection of a wall's posts and every comment on them, replies included.

The algorithm (vk-api.md §2.3, §5), as explicit units of work so a caller can persist them, fan them
out to queue tasks and resume:

1. `WallPageRequest`: wall.get pages of 100, 25 per execute; stop at the date window (`since`/`until`;
   the pinned post, which comes first whatever its date, never triggers a stop), at `max_posts`, or at
   the newest post already seen. wall.get has a daily quota, so pages are asked for as the walk needs
   them: the caller's first guess (`first_wall_pages`), then what the pages' dates say (`pages_ahead`).
2. `CommentPageRequest(comment_id=None)`: the top level of a post with `comments.count > 0`, 100 per
   page with `thread_items_count=10`; the next page is fetched while the page was full OR the offset is
   still below `current_level_count`, and never after an empty page (neither counter is trusted alone).
3. `CommentPageRequest(comment_id=root)`: a thread whose `thread.count` exceeds the inline preview (or
   than the items it came with), 100 per page, same rule. Its inline items are then not emitted.
4. Authors come from the pages' `profiles`/`groups` (`extended=1`): no per-comment users.get.
5. Closed or missing objects are recorded in `skipped` with VK's code (15 closed wall, 212 closed
   comments …); transient failures that outlive the client's retries leave their units in `pending`,
   and so do units no token could take (every one cooling down or out of daily quota), also listed
   in `blocked` with the moment the pool expects a token back.
6. Cursors: a `PostCursor` per finished post (its `comments.count` and the top-level offset consumed).
   With `sort=asc`, new top-level comments arrive at the end, so a rerun resumes at that offset; a post
   whose count did not change costs nothing. If the resumed pass finds fewer new comments than the
   count grew by, the new ones are replies in older threads and the post is rescanned from 0 (sinks
   upsert, so rescans are harmless). A run with nothing new costs the wall pages only.

Units from every post and page are packed together, 25 calls per execute, and up to
`client.pipeline_depth` batches are in flight while the shared rate limiter paces them.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel

from vkc.vk import methods
from vkc.vk.calls import CallResult, VkCall
from vkc.vk.client import VkClient
from vkc.vk.deadline import Deadline
from vkc.vk.errors import (
    Action,
    VkApiError,
    VkDeadlineError,
    VkError,
    VkNoTokenError,
    VkQuotaError,
    action_for,
    unavailable_until,
)
from vkc.vk.execute import MAX_CALLS
from vkc.vk.models import Comment, CommentsPage, Community, Post, Profile, WallPage

log = logging.getLogger(__name__)

PAGE = methods.PAGE


@dataclass(frozen=True, slots=True)
class WallPageRequest:
    owner_id: int
    offset: int = 0
    count: int = PAGE

    def call(self) -> VkCall:
        return methods.wall_get(self.owner_id, self.offset, self.count)


@dataclass(frozen=True, slots=True)
class CommentPageRequest:
    """One page of a post's top level (`comment_id=None`) or of one thread."""

    owner_id: int
    post_id: int
    offset: int = 0
    comment_id: int | None = None

    def call(self) -> VkCall:
        return methods.wall_get_comments(self.owner_id, self.post_id, self.offset, self.comment_id)


Unit = WallPageRequest | CommentPageRequest


class WallWindow(BaseModel):
    """Which posts to take: unix-time bounds, a cap, and the newest post already collected."""

    since: int | None = None
    until: int | None = None
    max_posts: int | None = None
    newer_than_post_id: int | None = None


class PostCursor(BaseModel):
    """Where a post's collection stands (persist it; pass it back next run)."""

    comments_count: int
    top_level_done: int


@dataclass(frozen=True, slots=True)
class Skipped:
    owner_id: int
    post_id: int | None
    comment_id: int | None
    code: int
    reason: str


class HarvestSink(Protocol):
    """Receives what the harvester collects, as it arrives. Must be idempotent (rescans repeat items)."""

    def posts(self, owner_id: int, posts: list[Post]) -> None: ...

    def comments(self, owner_id: int, post_id: int, comments: list[Comment]) -> None: ...

    def authors(self, profiles: list[Profile], groups: list[Community]) -> None: ...


class CollectingSink:
    """Keeps everything in memory, de-duplicated by owner-scoped keys (for tests, benchmarks, small runs)."""

    def __init__(self) -> None:
        self.post_map: dict[tuple[int, int], Post] = {}
        self.comment_map: dict[tuple[int, int, int], Comment] = {}
        self.profile_map: dict[int, Profile] = {}
        self.group_map: dict[int, Community] = {}

    def posts(self, owner_id: int, posts: list[Post]) -> None:
        for post in posts:
            self.post_map[(owner_id, post.id)] = post

    def comments(self, owner_id: int, post_id: int, comments: list[Comment]) -> None:
        for comment in comments:
            self.comment_map[(owner_id, post_id, comment.id)] = comment

    def authors(self, profiles: list[Profile], groups: list[Community]) -> None:
        for profile in profiles:
            self.profile_map[profile.id] = profile
        for group in groups:
            self.group_map[group.id] = group


@dataclass
class HarvestReport:
    posts: int = 0
    comments: int = 0
    requests: int = 0
    calls: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    cursors: dict[tuple[int, int], PostCursor] = field(default_factory=dict)
    newest_post_id: dict[int, int] = field(default_factory=dict)
    pending: list[Unit] = field(default_factory=list)
    failed: list[tuple[Unit, str]] = field(default_factory=list)
    # pending units no token could take (all cooling down or out of daily quota), and the earliest
    # moment (epoch seconds) the pool expects one back, with why
    blocked: list[Unit] = field(default_factory=list)
    blocked_until: float | None = None
    blocked_reason: str | None = None

    def block(self, unit: Unit, until: float, reason: str) -> None:
        self.blocked.append(unit)
        if self.blocked_until is None or until < self.blocked_until:
            self.blocked_until, self.blocked_reason = until, reason

    @property
    def complete(self) -> bool:
        return not self.pending and not self.failed


@dataclass
class _Wall:
    owner_id: int
    window: WallWindow
    taken: int = 0
    next_offset: int = 0
    total: int | None = None
    stop_at: int | None = None
    seen: set[int] = field(default_factory=set)

    def beyond(self, offset: int) -> bool:
        return self.stop_at is not None and offset > self.stop_at


@dataclass
class _Post:
    owner_id: int
    post_id: int
    expected: int | None
    cursor: PostCursor | None
    resume_from: int = 0
    outstanding: int = 0
    new_found: int = 0
    top_seen: int = 0
    broken: bool = False
    rescanned: bool = False


def needs_thread_fetch(comment: Comment) -> bool:
    """A thread larger than its inline preview (or whose preview is missing) is fetched with comment_id."""
    thread = comment.thread
    if thread is None or thread.count <= 0:
        return False
    return thread.count > methods.THREAD_PREVIEW or len(thread.items) < thread.count


def has_more(offset: int, page_items: int, level_count: int | None) -> bool:
    """Next page? Only after a non-empty page that was full or is still below `current_level_count`."""
    if page_items == 0:
        return False
    return page_items >= PAGE or (level_count is not None and offset + page_items < level_count)


def pages_ahead(window: WallWindow, unit: WallPageRequest, items: list[Post], *, next_offset: int, taken: int) -> int:
    """How many more wall pages to queue after a full page that did not end the walk.

    wall.get counts against a daily quota (5,000 a token), so pages past the window's end are waste:
    - with `since`, the page's own dates estimate how many posts are left before `since` (its pinned
      post aside), and only the pages still needed beyond those queued or in flight are added; at most
      as many as the walk has read so far, because a burst of posts on one page makes the rest of the
      wall look as busy (the estimate can only double the pages read, never ask for 25 at once);
    - with `max_posts`, no more than the cap needs;
    - otherwise (or when the page's dates tell nothing), up to one execute's worth.
    An underestimate costs one more round trip, never a post: the next full page asks again, and at
    least one page is always queued while none of this wall is queued or in flight.
    """
    ahead = max(0, (next_offset - (unit.offset + unit.count)) // PAGE)  # this wall's pages queued or in flight
    want = MAX_CALLS - ahead
    if window.max_posts is not None:
        want = min(want, math.ceil(max(0, window.max_posts - taken) / PAGE) - ahead)
    dates = [p.date for p in items if not p.is_pinned and p.date]
    if window.since is not None and len(dates) >= 2 and max(dates) > min(dates):
        per_post = (max(dates) - min(dates)) / (len(dates) - 1)  # seconds between posts on this page
        left = max(0.0, (min(dates) - window.since) / per_post)  # posts still inside the window, estimated
        end = unit.offset + len(items) + left
        read = (unit.offset + unit.count) // PAGE
        want = min(want, math.ceil((end - next_offset) / PAGE), read - ahead)
    return max(want, 0 if ahead else 1)


def plan_post(post: Post, cursor: PostCursor | None) -> list[CommentPageRequest]:
    """The first unit for a post: none if unchanged, resume at the cursor, or start at 0."""
    if post.comments.count <= 0 and cursor is None:
        return []
    if cursor is None:
        return [CommentPageRequest(post.owner_id, post.id, 0)]
    if post.comments.count == cursor.comments_count:
        return []
    return [CommentPageRequest(post.owner_id, post.id, cursor.top_level_done)]


class Harvester:
    def __init__(
        self,
        client: VkClient,
        sink: HarvestSink | None = None,
        *,
        unit_attempts: int = 3,
        include_threads: bool = True,
    ) -> None:
        self.client = client
        self.sink: HarvestSink = sink if sink is not None else CollectingSink()
        self.unit_attempts = unit_attempts
        # False: top-level comments only (no inline previews, no thread pages) — faster, fewer requests
        self.include_threads = include_threads

    # --- entry points ----------------------------------------------------------------------------
    def harvest(
        self,
        owner_ids: int | Sequence[int],
        *,
        window: WallWindow | None = None,
        cursors: Mapping[tuple[int, int], PostCursor] | None = None,
        deadline: Deadline | None = None,
        max_requests: int | None = None,
        first_wall_pages: int | None = None,
    ) -> HarvestReport:
        """Walk the walls of `owner_ids` and collect every comment of the posts in the window."""
        owners = [owner_ids] if isinstance(owner_ids, int) else list(owner_ids)
        run = _Run(self, window or WallWindow(), cursors or {}, deadline or Deadline.never(), max_requests)
        for owner in owners:
            run.walls[owner] = _Wall(owner, run.window)
            # before the wall's size is known: a few pages in one execute, one page for plain calls
            pages = first_wall_pages or (4 if self.client.execute_available else 1)
            if run.window.max_posts is not None:
                pages = min(pages, math.ceil((run.window.max_posts + 1) / PAGE))
            run.add_wall_pages(owner, max(1, pages))
        return run.go()

    def collect_posts(
        self,
        posts: Iterable[Post],
        *,
        cursors: Mapping[tuple[int, int], PostCursor] | None = None,
        deadline: Deadline | None = None,
        max_requests: int | None = None,
    ) -> HarvestReport:
        """Collect the comments of posts already known (e.g. from wall.getById)."""
        run = _Run(self, WallWindow(), cursors or {}, deadline or Deadline.never(), max_requests)
        for post in posts:
            run.add_post(post)
        return run.go()

    def run_units(
        self,
        units: Iterable[Unit],
        *,
        window: WallWindow | None = None,
        cursors: Mapping[tuple[int, int], PostCursor] | None = None,
        deadline: Deadline | None = None,
        max_requests: int | None = None,
    ) -> HarvestReport:
        """Resume persisted units (e.g. a queue task's `pending` list) and everything they lead to."""
        run = _Run(self, window or WallWindow(), cursors or {}, deadline or Deadline.never(), max_requests)
        for unit in units:
            if isinstance(unit, WallPageRequest):
                wall = run.walls.setdefault(unit.owner_id, _Wall(unit.owner_id, run.window))
                wall.next_offset = max(wall.next_offset, unit.offset + unit.count)
                run.enqueue(unit)
            else:
                key = (unit.owner_id, unit.post_id)
                if key not in run.post_states:
                    cursor = run.cursors.get(key)
                    run.post_states[key] = _Post(unit.owner_id, unit.post_id, None, cursor, unit.offset)
                run.enqueue(unit)
        return run.go()


class _Run:
    """One harvest: the queues, the in-flight batches and the per-wall / per-post bookkeeping."""

    def __init__(
        self,
        owner: Harvester,
        window: WallWindow,
        cursors: Mapping[tuple[int, int], PostCursor],
        deadline: Deadline,
        max_requests: int | None,
    ) -> None:
        self.h = owner
        self.client = owner.client
        self.sink = owner.sink
        self.window = window
        self.cursors = cursors
        self.deadline = deadline
        self.max_requests = max_requests
        self.walls: dict[int, _Wall] = {}
        self.post_states: dict[tuple[int, int], _Post] = {}
        self.wall_queue: deque[Unit] = deque()
        self.comment_queue: deque[Unit] = deque()
        self.attempts: dict[Unit, int] = {}
        self.report = HarvestReport()
        self.batches = 0

    # --- scheduling ------------------------------------------------------------------------------
    def enqueue(self, unit: Unit) -> None:
        if isinstance(unit, WallPageRequest):
            self.wall_queue.append(unit)
        else:
            state = self.post_states[(unit.owner_id, unit.post_id)]
            state.outstanding += 1
            self.comment_queue.append(unit)

    def add_wall_pages(self, owner_id: int, pages: int) -> None:
        wall = self.walls[owner_id]
        for _ in range(pages):
            if wall.total is not None and wall.next_offset >= wall.total:
                break
            self.enqueue(WallPageRequest(owner_id, wall.next_offset))
            wall.next_offset += PAGE

    def add_post(self, post: Post) -> None:
        key = (post.owner_id, post.id)
        if key in self.post_states:
            return
        cursor = self.cursors.get(key)
        units = plan_post(post, cursor)
        if not units:
            if cursor is None:
                self.report.cursors[key] = PostCursor(comments_count=0, top_level_done=0)
            return
        self.post_states[key] = _Post(post.owner_id, post.id, post.comments.count, cursor, units[0].offset)
        for unit in units:
            self.enqueue(unit)

    def _take_batch(self, size: int) -> list[Unit]:
        batch: list[Unit] = []
        while self.wall_queue and len(batch) < size:
            unit = self.wall_queue.popleft()
            if isinstance(unit, WallPageRequest) and not self.walls[unit.owner_id].beyond(unit.offset):
                batch.append(unit)
        while self.comment_queue and len(batch) < size:
            batch.append(self.comment_queue.popleft())
        return batch

    def go(self) -> HarvestReport:
        before = self.client.stats.snapshot()
        batch_size = MAX_CALLS if self.client.execute_available else 1
        depth = self.client.pipeline_depth
        in_flight: dict[Future[list[CallResult]], list[Unit]] = {}
        stopping = False
        while True:
            while not stopping and len(in_flight) < depth:
                queued = len(self.wall_queue) + len(self.comment_queue)
                if queued == 0 or (queued < batch_size and in_flight):
                    break  # a fuller batch is coming: in-flight answers add units
                if self.deadline.expired or (self.max_requests is not None and self.batches >= self.max_requests):
                    stopping = True
                    break
                batch = self._take_batch(batch_size)
                if not batch:
                    break
                self.batches += 1
                future = self.client.submit([u.call() for u in batch], deadline=self.deadline)
                in_flight[future] = batch
            if not in_flight:
                break
            done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
            for future in done:
                batch = in_flight.pop(future)
                try:
                    results = future.result()
                except VkError as exc:  # the client returns errors per call; this is a safety net
                    results = [CallResult(u.call(), error=exc) for u in batch]
                for unit, result in zip(batch, results, strict=True):
                    self._handle(unit, result)
        self.report.pending.extend(
            u for u in self.wall_queue if isinstance(u, WallPageRequest) and not self.walls[u.owner_id].beyond(u.offset)
        )
        self.report.pending.extend(self.comment_queue)
        after = self.client.stats.snapshot()
        self.report.requests = after["requests"] - before["requests"]
        self.report.calls = after["inner_calls"] - before["inner_calls"]
        return self.report

    # --- results -------------------------------------------------------------------------------
    def _handle(self, unit: Unit, result: CallResult) -> None:
        if result.error is not None:
            self._failed(unit, result.error)
            return
        try:
            if isinstance(unit, WallPageRequest):
                self._wall_page(unit, WallPage.model_validate(result.value))
            else:
                self._comment_page(unit, CommentsPage.model_validate(result.value))
        except ValueError as exc:  # pydantic.ValidationError: a shape we cannot read
            log.error("unreadable %s answer for %s: %s", result.call.method, unit, type(exc).__name__)
            self._give_up(unit, "unreadable answer")

    def _failed(self, unit: Unit, error: VkError) -> None:
        action = action_for(error)
        if action is Action.SKIP and isinstance(error, VkApiError):
            if isinstance(unit, WallPageRequest) and self.walls[unit.owner_id].stop_at == -1:
                return  # the wall's closure is already recorded
            post_id = unit.post_id if isinstance(unit, CommentPageRequest) else None
            comment_id = unit.comment_id if isinstance(unit, CommentPageRequest) else None
            self.report.skipped.append(Skipped(unit.owner_id, post_id, comment_id, error.code, error.vk_message))
            log.info("skipped %s: VK %s %s", unit, error.code, error.vk_message)
            if isinstance(unit, WallPageRequest):
                self.walls[unit.owner_id].stop_at = -1  # the whole wall is closed
            else:
                self._unit_done(unit)
            return
        attempts = self.attempts.get(unit, 0) + 1
        self.attempts[unit] = attempts
        transient = not isinstance(error, VkDeadlineError | VkNoTokenError) and action is not Action.FAIL
        if transient and attempts < self.h.unit_attempts and not self.deadline.expired:
            if isinstance(unit, WallPageRequest):
                self.wall_queue.append(unit)
            else:
                self.comment_queue.append(unit)  # still outstanding: not counted again
            return
        if isinstance(error, VkDeadlineError | VkNoTokenError) or transient:
            self.report.pending.append(unit)
            until = unavailable_until(error)
            if until is not None:
                self.report.block(unit, until, "quota" if isinstance(error, VkQuotaError) else "cooldown")
        else:
            self.report.failed.append((unit, str(error)))
        if isinstance(unit, CommentPageRequest):
            self.post_states[(unit.owner_id, unit.post_id)].broken = True
            self._unit_done(unit)

    def _give_up(self, unit: Unit, why: str) -> None:
        self.report.failed.append((unit, why))
        if isinstance(unit, CommentPageRequest):
            self.post_states[(unit.owner_id, unit.post_id)].broken = True
            self._unit_done(unit)

    def _wall_page(self, unit: WallPageRequest, page: WallPage) -> None:
        wall = self.walls[unit.owner_id]
        if wall.beyond(unit.offset):
            return  # an older page than where the walk already stopped
        wall.total = page.count
        fresh, stop = self._select(wall, page.items)
        if fresh:
            self.sink.posts(unit.owner_id, fresh)
            self.report.posts += len(fresh)
            newest = max(p.id for p in fresh)
            self.report.newest_post_id[unit.owner_id] = max(newest, self.report.newest_post_id.get(unit.owner_id, 0))
            for post in fresh:
                self.add_post(post)
        if stop or len(page.items) < unit.count:
            wall.stop_at = unit.offset if wall.stop_at is None else min(wall.stop_at, unit.offset)
            return
        want = pages_ahead(wall.window, unit, page.items, next_offset=wall.next_offset, taken=wall.taken)
        if want > 0:
            self.add_wall_pages(unit.owner_id, want)

    @staticmethod
    def _select(wall: _Wall, items: list[Post]) -> tuple[list[Post], bool]:
        """Posts of a page inside the window, and whether the walk stops here (pinned posts never stop it)."""
        window = wall.window
        fresh: list[Post] = []
        for post in items:
            if post.id in wall.seen:
                continue
            date = post.date or 0
            old = (window.since is not None and date < window.since) or (
                window.newer_than_post_id is not None and post.id <= window.newer_than_post_id
            )
            if old and not post.is_pinned:
                return fresh, True
            if window.max_posts is not None and wall.taken >= window.max_posts:
                return fresh, True
            if old or (window.until is not None and date > window.until):
                continue
            wall.seen.add(post.id)
            wall.taken += 1
            fresh.append(post)
        return fresh, False

    def _comment_page(self, unit: CommentPageRequest, page: CommentsPage) -> None:
        key = (unit.owner_id, unit.post_id)
        state = self.post_states[key]
        if state.expected is None and unit.comment_id is None:
            state.expected = page.count
        flat: list[Comment] = []
        for comment in page.items:
            flat.append(comment)
            if unit.comment_id is not None or not self.h.include_threads:
                continue
            if needs_thread_fetch(comment):
                self.enqueue(CommentPageRequest(unit.owner_id, unit.post_id, 0, comment.id))
            elif comment.thread is not None:
                flat.extend(comment.thread.items)
        if unit.comment_id is None:
            state.top_seen += len(page.items)
        state.new_found += len(flat)
        if flat:
            self.sink.comments(unit.owner_id, unit.post_id, flat)
            self.report.comments += len(flat)
        if page.profiles or page.groups:
            self.sink.authors(page.profiles, page.groups)
        if has_more(unit.offset, len(page.items), page.current_level_count):
            self.enqueue(
                CommentPageRequest(unit.owner_id, unit.post_id, unit.offset + len(page.items), unit.comment_id)
            )
        self._unit_done(unit)

    def _unit_done(self, unit: CommentPageRequest) -> None:
        key = (unit.owner_id, unit.post_id)
        state = self.post_states[key]
        state.outstanding -= 1
        if state.outstanding > 0:
            return
        if state.broken:
            return  # no cursor: the next run redoes this post from its previous cursor
        if state.cursor is not None and state.resume_from > 0 and not state.rescanned:
            grew = (state.expected or 0) - state.cursor.comments_count
            if state.new_found < grew:
                log.info("post %s_%s: %d new of %d: rescanning threads", *key, state.new_found, grew)
                state.rescanned = True
                state.resume_from = 0
                state.top_seen = 0
                self.enqueue(CommentPageRequest(unit.owner_id, unit.post_id, 0))
                return
        self.report.cursors[key] = PostCursor(
            comments_count=state.expected or 0, top_level_done=state.resume_from + state.top_seen
        )


def units_to_json(units: Iterable[Unit]) -> list[dict[str, Any]]:
    """Persistable form of units (for queue messages or a job's checkpoint)."""
    out: list[dict[str, Any]] = []
    for unit in units:
        if isinstance(unit, WallPageRequest):
            out.append({"kind": "wall", "owner_id": unit.owner_id, "offset": unit.offset, "count": unit.count})
        else:
            out.append(
                {
                    "kind": "comments",
                    "owner_id": unit.owner_id,
                    "post_id": unit.post_id,
                    "offset": unit.offset,
                    "comment_id": unit.comment_id,
                }
            )
    return out


def units_from_json(items: Iterable[Mapping[str, Any]]) -> list[Unit]:
    out: list[Unit] = []
    for item in items:
        if item["kind"] == "wall":
            out.append(WallPageRequest(int(item["owner_id"]), int(item["offset"]), int(item.get("count", PAGE))))
        else:
            comment_id = item.get("comment_id")
            out.append(
                CommentPageRequest(
                    int(item["owner_id"]),
                    int(item["post_id"]),
                    int(item["offset"]),
                    int(comment_id) if comment_id is not None else None,
                )
            )
    return out
