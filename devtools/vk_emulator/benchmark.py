"""Measures the emulator itself, so benchmarks of the collector can tell whether it is the bottleneck.

python -m devtools.vk_emulator.benchmark [--preset large] [--seed 42]

Prints the generation time, then the time of an execute with 25 wall.getComments (count=100,
thread_items_count=10, extended=1, need_likes=1) on the busiest and on typical posts, in process
and over HTTP.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import httpx

from devtools.vk_emulator.api import ApiCore
from devtools.vk_emulator.config import EmulatorConfig
from devtools.vk_emulator.generator import PRESETS, generate_dataset
from devtools.vk_emulator.model import Post
from devtools.vk_emulator.server import start_emulator


def batch_code(posts: list[Post]) -> str:
    calls = ",".join(
        f'API.wall.getComments({{"owner_id":{p.owner_id},"post_id":{p.id},"count":100,"offset":0,"sort":"asc",'
        f'"preview_length":0,"thread_items_count":10,"need_likes":1,"extended":1}})'
        for p in posts
    )
    return f"return [{calls}];"


def _median_ms(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    size = run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        size = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.vk_emulator.benchmark", description=__doc__)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="large")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    ds = generate_dataset(args.preset, args.seed)
    print(f"generate {args.preset}/{args.seed}: {time.perf_counter() - started:.2f} s, "
          f"{ds.post_count} posts, {ds.comment_count} comments")  # fmt: skip

    config = EmulatorConfig(dataset=ds, tokens={"bench": "user"}, rate_limits=False, execute_max_response_bytes=1 << 30)
    core = ApiCore(config, ds)
    posts = sorted(
        (p for p in ds.iter_posts() if ds.wall_accessible(p.owner_id) and not p.comments_closed),
        key=lambda p: -len(p.comments),
    )
    batches = {"busiest 25 posts": posts[:25], "typical 25 posts": posts[len(posts) // 4 :][:25]}
    with start_emulator(config) as emu, httpx.Client(timeout=60) as http:
        for label, batch in batches.items():
            form = {"access_token": "bench", "v": "5.199", "code": batch_code(batch)}
            pairs = list(form.items())
            inproc, size = _median_ms(lambda: len(core.handle("execute", pairs).body), args.repeat)  # noqa: B023
            over_http, _ = _median_ms(lambda: len(http.post(f"{emu.url}/execute", data=form).content), args.repeat)  # noqa: B023
            print(f"execute 25 x wall.getComments, {label}: {size / 1e6:.2f} MB, "
                  f"{inproc:.1f} ms in process, {over_http:.1f} ms over HTTP (median)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
