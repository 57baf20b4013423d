"""The comments screen with 10,000 rows loaded: does scrolling stay smooth? (issue: web.* figures)

A local stack (no VK emulator, no workers) gets 10,000 stored comments, a third of them matched by a
keyword (so rows carry highlights); Debian's chromium signs in, opens #/comments and presses
"load more" until 10,000 rows are loaded (100 keyset pages), then scrolls the list from top to bottom
one step per animation frame and records every frame's duration: a fling (1,000 px a frame, the whole
list) and a fast wheel (240 px a frame, 600 frames). A frame over 50 ms is a visible stutter. The same
loop over an empty scroller of the same height gives the machine's floor (`*_floor_*`): on a busy
2-core machine headless chromium misses frames with nothing to render, and the list's figures are to
be read against it. Also recorded: how long the last "load more" (9,900 → 10,000 rows) takes from the
click to the rows being counted in the list.

    python -m bench.web_comments_scroll
"""

from __future__ import annotations

import json
import statistics
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
ROWS = 10_000
PAGE = 100
FLING_PX = 1_000  # per frame: the whole list (≈1 M px) in about a thousand frames, every row replaced each frame
WHEEL_PX = 240  # per frame: a fast mouse wheel, most rows stay in view from one frame to the next
WHEEL_FRAMES = 600
SLOW_FRAME_MS = 50.0

WORDS = [
    "банк",
    "снова",
    "поднял",
    "ставки",
    "по",
    "кредиту",
    "и",
    "все",
    "недовольны",
    "а",
    "в",
    "отделении",
    "очередь",
    "на",
    "час",
    "никто",
    "не",
    "отвечает",
    "по",
    "телефону",
    "зато",
    "реклама",
    "везде",
    "спасибо",
    "за",
    "новости",
    "школа",
    "открылась",
    "дети",
    "довольны",
]

# In the page: scroll `el` by `step` px per animation frame (from `from`, for at most `frames` frames or to
# the end) and return every frame's duration (ms). `plain` measures the same loop on an empty scroller
# of the same height: the machine's own floor, with no list rendering at all.
LOADED_JS = "n => Number(document.querySelector('[data-testid=comment-row]')?.getAttribute('aria-setsize')) >= n"
SCROLL_JS = """async ({step, from, frames, plain}) => {
  let el = document.querySelector('[data-testid="comments-list"]');
  if (plain) {
    const box = document.createElement('div');
    box.style.cssText = 'position:fixed;inset:0;overflow-y:auto;z-index:99;background:#fff';
    const inner = document.createElement('div');
    inner.style.height = el.scrollHeight + 'px';
    box.append(inner);
    document.body.append(box);
    el = box;
  }
  el.scrollTop = from;
  const times = [];
  await new Promise((resolve) => {
    let last = null;
    const tick = (ts) => {
      if (last !== null) times.push(ts - last);
      last = ts;
      if (times.length >= frames || el.scrollTop + el.clientHeight >= el.scrollHeight - 1) { resolve(); return; }
      el.scrollTop += step;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  if (plain) el.remove();
  return times;
}"""


def _figures(prefix: str, times: list[float]) -> dict[str, float]:
    frames = sorted(times)
    return {
        f"{prefix}_frames": float(len(frames)),
        f"{prefix}_frames_over_50ms": float(sum(1 for f in frames if f > SLOW_FRAME_MS)),
        f"{prefix}_frame_median_ms": round(statistics.median(frames), 1),
        f"{prefix}_frame_p95_ms": round(frames[max(0, int(len(frames) * 0.95) - 1)], 1),
        f"{prefix}_frame_max_ms": round(frames[-1], 1),
    }


def _seed(settings: Any, workspace_id: uuid.UUID, rows: int) -> None:
    """Stored comments written directly (the bench is about the browser, not collection)."""
    from vkc.db.engine import get_engine
    from vkc.db.models_analysis import Keyword, KeywordMatch
    from vkc.db.models_collection import Comment, Community, Post

    start = datetime(2024, 1, 1, tzinfo=UTC)
    with Session(get_engine(settings)) as s, s.begin():
        community = Community(
            id=uuid.uuid4(), workspace_id=workspace_id, vk_id=900_001, name="Бенчмарк", type="group", source_input="b"
        )
        s.add(community)
        s.flush()
        s.add(
            Post(
                workspace_id=workspace_id, community_id=community.id, owner_id=-900_001, post_id=1, date=start,
                text="Пост", content_hash="bench-post",
            )
        )  # fmt: skip
        bank = Keyword(workspace_id=workspace_id, text="банк", category="finance")
        s.add(bank)
        s.flush()
        values = []
        for i in range(rows):
            words = [WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(8 + i % 40)]
            if i % 3 == 0:
                words[0] = "банк"
            values.append(
                {
                    "workspace_id": workspace_id, "community_id": community.id, "owner_id": -900_001, "post_id": 1,
                    "comment_id": i + 1, "from_id": 1_000 + i % 500, "date": start + timedelta(minutes=i),
                    "text": " ".join(words), "likes_count": i % 17, "attachments": [], "is_deleted": False,
                    "content_hash": f"bench-{i}", "sentiment": ("positive", "neutral", "negative")[i % 3],
                    "sentiment_score": 0.0, "is_spam": i % 50 == 0, "has_profanity": False, "language": "ru",
                    "match_count": 1 if i % 3 == 0 else 0,
                }
            )  # fmt: skip
        ids = s.scalars(insert(Comment).returning(Comment.id, sort_by_parameter_order=True), values).all()
        s.execute(
            insert(KeywordMatch),
            [
                {
                    "workspace_id": workspace_id,
                    "comment_id": ids[i],
                    "keyword_id": bank.id,
                    "matched_text": "банк",
                    "start": 0,
                    "end": 4,
                    "lemmas": ["банк"],
                    "snippet": "банк",
                    "highlight_start": 0,
                    "highlight_end": 4,
                }
                for i in range(0, rows, 3)
            ],
        )


def _chromium() -> str:
    done = subprocess.run([str(ROOT / "scripts" / "ensure-chromium.sh")], check=True, capture_output=True, text=True)
    return done.stdout.strip().splitlines()[-1]


def _loaded(page: Any) -> int:
    first = page.get_by_test_id("comment-row").first
    return int(first.get_attribute("aria-setsize") or 0)


def run(rows: int = ROWS) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from devtools.local_stack import LocalStack

    with LocalStack(run_id=f"b{uuid.uuid4().hex[:7]}", emulator=False, pollers=False, auto_schedule=False) as stack:
        _seed(stack.settings, uuid.UUID(str(stack.workspace_id)), rows)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox", "--disable-dev-shm-usage"])
            page = browser.new_context(base_url=stack.api_url, viewport={"width": 1280, "height": 900}).new_page()
            page.goto("/")
            page.locator('input[name="api-key"]').fill(stack.api_key)
            page.get_by_role("button", name="Войти").click()
            page.get_by_test_id("workspace-name").wait_for()
            page.goto("/#/comments")
            page.get_by_test_id("comment-row").first.wait_for()
            more = page.get_by_role("button", name="Загрузить ещё")
            last_ms = 0.0
            while _loaded(page) < rows:
                want = min(rows, _loaded(page) + PAGE)
                started = time.perf_counter()
                more.click()
                page.wait_for_function(LOADED_JS, arg=want)
                last_ms = (time.perf_counter() - started) * 1000
            loaded = _loaded(page)
            page.get_by_test_id("comments-list").focus()
            fling = page.evaluate(SCROLL_JS, {"step": FLING_PX, "from": 0, "frames": 10**6, "plain": False})
            rendered = page.get_by_test_id("comment-row").count()
            wheel = page.evaluate(
                SCROLL_JS, {"step": WHEEL_PX, "from": 300_000, "frames": WHEEL_FRAMES, "plain": False}
            )
            floor = page.evaluate(SCROLL_JS, {"step": FLING_PX, "from": 0, "frames": 10**6, "plain": True})
            browser.close()
    return {
        "web.comments_scroll_rows_loaded": float(loaded),
        "web.comments_scroll_rows_in_dom": float(rendered),
        **_figures("web.comments_scroll", fling),
        **_figures("web.comments_scroll_wheel", wheel),
        **_figures("web.comments_scroll_floor", floor),
        "web.comments_load_more_at_10k_ms": round(last_ms, 1),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
