"""Deterministic dataset generator: the same (preset, seed) always yields the same dataset.

Shapes follow real VK walls: heavy-tailed comment counts (some posts with > 100 top-level comments,
some threads with > 10 and > 100 replies), a pinned post per wall, replies to replies, comments by
communities, deleted placeholders, deleted/banned authors, one closed community, one post with
closed comments. Ids are given in date order per wall (posts and comments share the sequence).
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass
from typing import Any

from devtools.vk_emulator import vocabulary as voc
from devtools.vk_emulator.dataset import Dataset
from devtools.vk_emulator.model import Comment, Community, Post, User
from devtools.vk_emulator.textgen import TextMaker

BASE_DATE = 1_717_200_000  # 2024-06-01: generated data never depends on the wall clock
DAY = 86_400


@dataclass(frozen=True, slots=True)
class Preset:
    communities: int
    posts_per_community: int
    users: int
    top_level_mean: float
    hot_posts: int  # per community: posts with 100+ top-level comments
    hot_threads: int  # per community: threads with 100+ replies
    days: int
    hot_communities: int  # how many open communities get the hot posts and threads
    hot_max: int  # the most top-level comments a hot post gets


PRESETS: dict[str, Preset] = {
    "tiny": Preset(
        communities=2,
        posts_per_community=4,
        users=40,
        top_level_mean=4,
        hot_posts=1,
        hot_threads=1,
        days=20,
        hot_communities=1,
        hot_max=125,
    ),
    "small": Preset(
        communities=4,
        posts_per_community=60,
        users=600,
        top_level_mean=4,
        hot_posts=1,
        hot_threads=1,
        days=120,
        hot_communities=3,
        hot_max=180,
    ),
    "large": Preset(
        communities=8,
        posts_per_community=600,
        users=30_000,
        top_level_mean=17,
        hot_posts=6,
        hot_threads=4,
        days=365,
        hot_communities=8,
        hot_max=600,
    ),
}

_LATIN = ("alex", "kotik", "sunny", "masha", "dimon", "lisa", "max", "nika", "vovan", "katya", "fox", "lucky")


def generate_dataset(preset: str = "small", seed: int = 42) -> Dataset:
    """Build a dataset of the given size preset ("tiny", "small", "large")."""
    try:
        spec = PRESETS[preset]
    except KeyError:
        raise ValueError(f"unknown preset {preset!r}; choose from {sorted(PRESETS)}") from None
    return _Generator(spec, preset, seed).run()


class _Generator:
    def __init__(self, spec: Preset, preset: str, seed: int) -> None:
        self.spec = spec
        self.rng = random.Random(f"vk-emulator:{preset}:{seed}")
        self.text = TextMaker(self.rng)
        self.ds = Dataset(meta={"generator": "devtools.vk_emulator", "preset": preset, "seed": seed})
        self.user_ids: list[int] = []
        self.user_cum_weights: list[float] = []
        self.reply_targets: dict[int, Comment] = {}  # id(reply) -> the comment it answers

    def run(self) -> Dataset:
        self._users()
        communities = self._communities()
        closed_comments_done = False
        for index, community in enumerate(communities):
            if community.deactivated is not None:
                continue
            hot = community.wall_open and index < self.spec.hot_communities
            closed = not closed_comments_done and community.wall_open
            self._wall(community, hot, closed_comments=closed)
            closed_comments_done = closed_comments_done or closed
        return self.ds

    # ---- people ------------------------------------------------------------------------------

    def _users(self) -> None:
        rng = self.rng
        uid = 100_000 + rng.randrange(1000)
        for i in range(self.spec.users):
            uid += rng.randint(1, 97)
            sex = rng.choice((1, 2))
            first = rng.choice(voc.FEMALE_NAMES if sex == 1 else voc.MALE_NAMES)
            last = rng.choice(voc.SURNAMES)
            if sex == 1:
                last = last[:-2] + "ая" if last.endswith("ий") else last + "а"
            if rng.random() < 0.03:
                last = rng.choice(voc.NICKNAMES)
            roll = rng.random()
            deactivated = "deleted" if roll < 0.03 else "banned" if roll < 0.045 else None
            # Every preset gets at least one deleted and one banned author among the first users.
            deactivated = {1: "deleted", 2: "banned"}.get(i, deactivated)
            screen = f"{rng.choice(_LATIN)}{uid % 10_000}" if rng.random() < 0.25 else None
            self.ds.add_user(
                User(
                    id=uid,
                    first_name=first,
                    last_name=last,
                    screen_name=screen,
                    sex=sex,
                    deactivated=deactivated,
                    is_closed=deactivated is None and rng.random() < 0.12,
                )
            )
            self.user_ids.append(uid)
        # Zipf-like activity: a few users write most comments, as in real communities.
        total = 0.0
        for rank in range(len(self.user_ids)):
            total += 1.0 / (rank + 1) ** 0.8
            self.user_cum_weights.append(total)
        rng.shuffle(self.user_ids)

    def _communities(self) -> list[Community]:
        rng = self.rng
        specs = [voc.COMMUNITIES[i % len(voc.COMMUNITIES)] for i in range(self.spec.communities)]
        out: list[Community] = []
        cid = 20_000_000 + rng.randrange(1_000_000)
        for i, (name, screen, kind, description) in enumerate([*specs, voc.CLOSED_COMMUNITY, voc.BANNED_COMMUNITY]):
            cid += rng.randint(1, 5_000_000)
            suffix = "" if i < len(voc.COMMUNITIES) else f"_{i}"
            community = Community(
                id=cid,
                name=name,
                screen_name=f"{screen}{suffix}" if screen else f"club{cid}",
                type=kind,
                description=description,
                members_count=int(rng.paretovariate(0.9) * 800),
                verified=1 if i == 0 else 0,
            )
            if (name, screen, kind, description) == voc.CLOSED_COMMUNITY:
                community.is_closed = 1
            if (name, screen, kind, description) == voc.BANNED_COMMUNITY:
                community.deactivated = "banned"
                community.members_count = 0
            self.ds.add_community(community)
            out.append(community)
        return out

    def _author(self) -> int:
        weights = self.user_cum_weights
        return self.user_ids[bisect.bisect(weights, self.rng.random() * weights[-1])]

    # ---- walls -------------------------------------------------------------------------------

    def _wall(self, community: Community, hot_wall: bool, *, closed_comments: bool) -> None:
        rng = self.rng
        spec = self.spec
        owner_id = -community.id
        n_posts = max(2, round(spec.posts_per_community * rng.uniform(0.8, 1.2)))
        if community.is_closed:
            n_posts = max(2, n_posts // 10)
        start = BASE_DATE - spec.days * DAY
        dates = sorted(rng.randrange(start, BASE_DATE - DAY) for _ in range(n_posts))
        posts = [self._post(owner_id, date) for date in dates]
        posts[rng.randrange(max(1, n_posts // 2))].is_pinned = True
        hot = set(rng.sample(range(n_posts), min(spec.hot_posts, n_posts))) if hot_wall else set()
        threads_left = spec.hot_threads if hot_wall else 0
        calm = [i for i in range(n_posts) if i not in hot]
        closed_at = rng.choice(calm) if closed_comments and calm else -1
        events: list[tuple[int, int, Post | Comment]] = [(p.date, 0, p) for p in posts]
        seq = 1
        for i, post in enumerate(posts):
            top_count = self._top_level_count(i in hot)
            if i == closed_at:
                post.comments_closed = True
                top_count = max(top_count, 3)
            hot_thread = threads_left > 0 and top_count > 0 and i != closed_at and (i in hot or rng.random() < 0.1)
            if hot_thread:
                threads_left -= 1
            for made in self._comments(community, post, top_count, hot_thread):
                events.append((made.date, seq, made))
                seq += 1
        self._guarantee_variety(community, [p for i, p in enumerate(posts) if i != closed_at])
        # Ids follow time, one sequence per wall, as VK allocates them.
        events.sort(key=lambda e: (e[0], e[1]))
        for new_id, (_, _, obj) in enumerate(events, start=1 + rng.randrange(50)):
            obj.id = new_id
        for post in posts:
            for top in post.comments:
                top.post_id = post.id
                for reply in top.replies:
                    reply.post_id = post.id
                    reply.parent_id = top.id
                    reply.reply_to_comment = self.reply_targets.pop(id(reply)).id
            self.ds.add_post(post)

    def _guarantee_variety(self, community: Community, posts: list[Post]) -> None:
        """Every wall gets a deleted placeholder and a community-authored comment, whatever the dice say."""
        tops = [c for p in posts for c in p.comments]
        if not any(c.deleted for c in tops):
            with_replies = [c for c in tops if c.replies]
            if with_replies:
                top = self.rng.choice(with_replies)
                top.deleted, top.text, top.planted, top.tone, top.attachments = True, "", [], None, []
        if not any(c.from_id < 0 for c in tops):
            lonely = [c for c in tops if not c.replies and not c.deleted]
            if lonely:
                self.rng.choice(lonely).from_id = -community.id

    def _post(self, owner_id: int, date: int) -> Post:
        rng = self.rng
        by_user = rng.random() < 0.08
        post = Post(
            id=0,
            owner_id=owner_id,
            from_id=self._author() if by_user else owner_id,
            date=date,
            text=self.text.post(),
            likes=int(rng.paretovariate(1.1) * 5),
            reposts=int(rng.paretovariate(1.3)) - 1,
            views=int(rng.paretovariate(1.0) * 300),
            marked_as_ads=1 if rng.random() < 0.03 else 0,
            signer_id=None,
        )
        if by_user:
            post.signer_id = post.from_id
        if rng.random() < 0.6:
            post.attachments = [_photo(owner_id, rng.randrange(400_000_000, 460_000_000), date)]
        return post

    def _top_level_count(self, hot: bool) -> int:
        rng = self.rng
        if hot:
            return rng.randint(101, self.spec.hot_max)
        if rng.random() < 0.1:
            return 0
        sigma = 1.1
        mu = math.log(self.spec.top_level_mean) - sigma * sigma / 2
        return min(int(rng.lognormvariate(mu, sigma)), 95)

    def _reply_count(self) -> int:
        r = self.rng.random()
        if r < 0.62:
            return 0
        if r < 0.87:
            return self.rng.randint(1, 3)
        if r < 0.97:
            return self.rng.randint(4, 10)
        if r < 0.995:
            return self.rng.randint(11, 40)
        return self.rng.randint(41, 99)

    def _comments(self, community: Community, post: Post, top_count: int, hot_thread: bool) -> list[Comment]:
        rng = self.rng
        made: list[Comment] = []
        date = post.date
        hot_index = rng.randrange(top_count) if hot_thread else -1
        for i in range(top_count):
            date += 1 + int(rng.expovariate(1 / 900))
            top = self._comment(community, post, date, None, None)
            made.append(top)
            post.comments.append(top)
            n_replies = rng.randint(101, 160) if i == hot_index else self._reply_count()
            if i < 3 and not hot_thread and rng.random() < 0.3:
                n_replies = max(n_replies, rng.randint(11, 25))  # threads just over the inline 10
            reply_date = date
            for _ in range(n_replies):
                reply_date += 1 + int(rng.expovariate(1 / 600))
                target = top if not top.replies or rng.random() < 0.7 else rng.choice(top.replies)
                reply = self._comment(community, post, reply_date, top, target)
                top.replies.append(reply)
                made.append(reply)
            if top.replies and rng.random() < 0.04:
                top.deleted, top.text, top.planted, top.tone, top.attachments = True, "", [], None, []
        return made

    def _comment(
        self, community: Community, post: Post, date: int, root: Comment | None, target: Comment | None
    ) -> Comment:
        rng = self.rng
        from_id = -community.id if rng.random() < 0.03 else self._author()
        mention = None
        if target is not None and rng.random() < 0.6:
            mention = self._mention(target.from_id)
        text, plants, tone = self.text.comment(mention)
        comment = Comment(
            id=0,
            owner_id=post.owner_id,
            post_id=0,
            from_id=from_id,
            date=date,
            text=text,
            likes=int(rng.paretovariate(1.6)) - 1,
            planted=plants,
            tone=tone,
        )
        if target is not None:
            comment.reply_to_user = target.from_id
            comment.reply_to_comment = -1  # set once ids are assigned
            self.reply_targets[id(comment)] = target
        if rng.random() < 0.03:
            comment.attachments = (
                [_sticker(rng)] if rng.random() < 0.5 else [_photo(from_id, rng.randrange(10**8), date)]
            )
        return comment

    def _mention(self, target_id: int) -> str:
        if target_id < 0:
            community = self.ds.communities[-target_id]
            return f"[club{community.id}|{community.name}],"
        return f"[id{target_id}|{self.ds.users[target_id].first_name}],"


def _photo(owner_id: int, photo_id: int, date: int) -> dict[str, Any]:
    base = f"https://sun9-{photo_id % 90}.userapi.com/impg/{photo_id:x}"
    return {
        "type": "photo",
        "photo": {
            "id": photo_id,
            "owner_id": owner_id,
            "album_id": -7,
            "date": date,
            "sizes": [
                {"type": "m", "url": f"{base}_m.jpg", "width": 130, "height": 97},
                {"type": "x", "url": f"{base}_x.jpg", "width": 604, "height": 453},
            ],
            "text": "",
            "has_tags": False,
        },
    }


def _sticker(rng: random.Random) -> dict[str, Any]:
    sticker_id = rng.randrange(1, 90_000)
    return {
        "type": "sticker",
        "sticker": {
            "sticker_id": sticker_id,
            "product_id": sticker_id // 48 + 1,
            "images": [{"url": f"https://vk.com/sticker/1-{sticker_id}-128", "width": 128, "height": 128}],
        },
    }
