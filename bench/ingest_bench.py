"""Bulk ingest into PostgreSQL: comments upserted per second by one worker process.

Measured on the real local PostgreSQL through the same code the parse worker uses
(`vkc.collection.writer.PageWriter`: pages of 2,500 comments — what one execute returns at most —
each upserted in one statement and one transaction, on the worker's two DB connections). Fresh
inserts and a second pass of the same rows (the at-least-once case: all conflicts, nothing changes)
are reported separately.
"""

from __future__ import annotations

import json
import time
import uuid

from sqlalchemy.orm import Session
from vkc.collection.rows import comment_row
from vkc.collection.writer import PageWriter
from vkc.db.engine import get_engine
from vkc.db.models_collection import Community
from vkc.vk.models import Comment
from vkc.workspaces.service import create_workspace

from devtools.pg import migrated_database

N_COMMENTS = 200_000
PAGE = 2_500  # what one execute of 25 comment pages returns at most


def _comments(n: int) -> list[Comment]:
    words = ["доставка", "курьер", "опоздал", "спасибо", "отличный", "сервис"]
    words += ["интернет", "тариф", "квартира", "ремонт"]
    out = []
    for i in range(1, n + 1):
        text = " ".join(words[(i * 7 + k) % len(words)] for k in range(8 + i % 20))
        out.append(
            Comment.model_validate(
                {
                    "id": i,
                    "from_id": 1000 + i % 5000,
                    "date": 1_700_000_000 + i,
                    "text": text,
                    "parents_stack": [i - 1] if i % 4 == 0 else [],
                    "reply_to_comment": i - 1 if i % 4 == 0 else None,
                    "likes": {"count": i % 13},
                    "thread": {"count": 0, "items": []},
                }
            )
        )
    return out


def run() -> dict[str, float]:
    with migrated_database(f"vkc_bench_ingest_{uuid.uuid4().hex[:6]}") as settings:
        engine = get_engine(settings)
        with Session(engine, expire_on_commit=False) as s, s.begin():
            ws, _ = create_workspace(s, "bench")
            community = Community(
                id=uuid.uuid4(), workspace_id=ws.id, vk_id=1, name="b", type="group", source_input="1"
            )
            s.add(community)
        comments = _comments(N_COMMENTS)
        rows = [
            comment_row(c, workspace_id=ws.id, community_id=community.id, owner_id=-1, post_id=i // 500, job_id=None)
            for i, c in enumerate(comments)
        ]

        def one_pass() -> tuple[float, int]:
            started = time.perf_counter()
            with PageWriter(engine, connections=settings.db_pool_size) as writer:
                for i in range(0, len(rows), PAGE):
                    writer.submit(rows[i : i + PAGE])
                touched = len(writer.flush().touched_ids)
            return time.perf_counter() - started, touched

        fresh_s, fresh_touched = one_pass()
        again_s, again_touched = one_pass()
        assert fresh_touched == N_COMMENTS
        assert again_touched == 0
    return {
        "ingest.comments_per_s": round(N_COMMENTS / fresh_s),
        "ingest.comments_per_s_repeat_noop": round(N_COMMENTS / again_s),
        "ingest.comments_measured": N_COMMENTS,
        "ingest.db_connections": settings.db_pool_size,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
