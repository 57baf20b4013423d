"""The dashboard in a real browser (Debian's chromium through Playwright) on the local stack.

The stack's workspace gets the large emulator dataset collected and analysed (its first four open
communities, ≥ 160,000 comments, through the product's own collect and analyze tasks), then:

- `web.bundle_gzip_bytes`: every JS and CSS file of web/, gzipped (budget 150 KB);
- `web.overview_to_data_ms` (median of 5 loads, `…_first_ms` the first): from navigation start until the
  KPI values and the timeline show the API's data, for a custom period covering the whole dataset;
- `web.timeline_render_ms_8760x3` (median of 5): the overview's TimelineChart mounting a one-year hourly
  series (8,760 points × 3 series) until the chart has painted;
- `web.comments_scroll_*`: the comments screen scrolled through 10,000 loaded rows (bench/web_comments_scroll.py).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import statistics
import subprocess
import time
import uuid
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from vkc.db.engine import get_engine
from vkc.db.models_collection import Comment, Community

from bench.vk_bench import COMMUNITIES, PRESET, SEED, _start_emulator
from devtools.inprocess import Harness
from devtools.local_stack import LocalStack
from devtools.vk_emulator import generate_dataset
from devtools.web_bundle import measure

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5

OVERVIEW_READY = """() => {
  const kpi = document.querySelector('[data-testid="kpi-comments"]');
  const chart = document.querySelector('[data-testid="timeline"] canvas');
  return kpi && /\\d/.test(kpi.textContent) && chart ? performance.now() : null;
}"""

TIMELINE_RENDER = """async () => {
  const { h, render } = await import("preact");
  const { TimelineChart } = await import("./js/components/timeline-chart.js");
  const start = Date.UTC(2025, 0, 1);
  const points = Array.from({ length: 8760 }, (_, i) => ({
    start: new Date(start + i * 3600e3).toISOString(),
    comments: 50 + (i * 7919) % 200, negative: (i * 104729) % 40, positive: (i * 1299709) % 60,
  }));
  const series = [
    { key: "comments", label: "all", stroke: "#2563eb" },
    { key: "negative", label: "negative", stroke: "#dc2626" },
    { key: "positive", label: "positive", stroke: "#16a34a" },
  ];
  const box = document.createElement("div");
  box.style.width = "1200px";
  document.body.append(box);
  const began = performance.now();
  render(h(TimelineChart, { points, series, label: "bench", interval: "hour" }), box);
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const took = performance.now() - began;
  render(null, box);
  box.remove();
  return took;
}"""


def _chromium() -> str:
    done = subprocess.run([str(ROOT / "scripts" / "ensure-chromium.sh")], check=True, capture_output=True, text=True)
    return done.stdout.strip().splitlines()[-1]


def _collect_large_dataset(stack: LocalStack) -> tuple[int, str, str]:
    """The large dataset's first communities in the stack's workspace; returns (comments, first day, last day)."""
    dataset = generate_dataset(preset=PRESET, seed=SEED)
    open_owners = sorted(-c.id for c in dataset.communities.values() if c.is_closed == 0 and c.deactivated is None)
    owners = open_owners[:COMMUNITIES]
    tokens = [f"bench-web-{i}-{uuid.uuid4().hex[:6]}" for i in range(4)]
    proc, url = _start_emulator(tokens)
    try:
        engine = get_engine(stack.settings)
        workspace_id = uuid.UUID(stack.workspace_id)
        with Session(engine, expire_on_commit=False) as s, s.begin():
            ids = {}
            for owner in owners:
                c = dataset.communities[-owner]
                row = Community(
                    id=uuid.uuid4(), workspace_id=workspace_id, vk_id=c.id, name=c.name, type=c.type,
                    source_input=c.screen_name,
                )  # fmt: skip
                s.add(row)
                ids[c.id] = row.id
        harness = Harness(engine, stack.settings, url, workspace_id, ids, tokens=tokens)
        for owner in owners:
            harness.start(-owner)
        harness.drain(workers=4)  # collection, then the analysis it queued
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    with Session(engine) as s:
        count, first, last = s.execute(
            select(func.count(), func.min(Comment.date), func.max(Comment.date)).where(
                Comment.workspace_id == workspace_id
            )
        ).one()
    if first is None or last is None:
        raise RuntimeError("the collected comments carry no dates")
    return int(count), first.date().isoformat(), last.date().isoformat()


def run() -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    figures: dict[str, float] = {"web.bundle_gzip_bytes": float(measure()["gzip_bytes"])}
    with LocalStack(run_id=f"wb{uuid.uuid4().hex[:6]}", auto_schedule=False, emulator=False) as stack:
        comments, first_day, last_day = _collect_large_dataset(stack)
        figures["web.overview_dataset_comments"] = float(comments)
        overview = f"{stack.api_url}/#/overview?period=custom&from={first_day}&to={last_day}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=_chromium())
            try:
                context = browser.new_context(viewport={"width": 1366, "height": 900})
                context.add_init_script(f"sessionStorage.setItem('vkc.apiKey', {json.dumps(stack.api_key)})")
                page = context.new_page()
                loads = []
                for _ in range(RUNS):
                    page.goto(overview)
                    handle = page.wait_for_function(OVERVIEW_READY, timeout=60_000)
                    loads.append(float(handle.json_value()))
                    page.goto("about:blank")
                figures["web.overview_to_data_first_ms"] = round(loads[0])
                figures["web.overview_to_data_ms"] = round(statistics.median(loads))
                page.goto(f"{stack.api_url}/")
                renders = [float(page.evaluate(TIMELINE_RENDER)) for _ in range(RUNS)]
                figures["web.timeline_render_ms_8760x3"] = round(statistics.median(renders), 1)
            finally:
                browser.close()
        if importlib.util.find_spec("bench.web_comments_scroll") is not None:
            figures.update(importlib.import_module("bench.web_comments_scroll").run())
    return figures


if __name__ == "__main__":
    started = time.perf_counter()
    print(json.dumps(run(), indent=2))
    print(f"{time.perf_counter() - started:.0f} s")
