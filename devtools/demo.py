"""`make demo`: the product end to end on this machine, through its real HTTP API.

Starts a fresh local stack (PostgreSQL, Redis, moto SQS/S3/Secrets Manager, the VK API emulator with
its seeded Russian dataset, the real Lambda handlers), then does what a user does: adds a VK token,
communities and keywords, collects every comment with a live progress bar, and prints the totals,
the completeness report, the analysis (top keywords, sentiment, matched comments with the matched
forms highlighted) and writes an export file. Exits non-zero if any step fails.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from devtools.local_stack import LocalStack
from devtools.local_stack.emulator import DEV_VK_TOKENS
from devtools.vk_emulator import generate_dataset
from devtools.vk_emulator.planted import KEYWORDS

ROOT = Path(__file__).resolve().parents[1]
EXPORT_FILE = ROOT / ".local" / "demo-export.csv"
LOG_FILE = ROOT / ".local" / "demo.log"
_term = sys.stdout  # the demo's own lines; the stack's JSON logs go to LOG_FILE (see main)
BOLD, DIM, RED, GREEN, YELLOW, RESET = "\033[1m", "\033[2m", "\033[31m", "\033[32m", "\033[33m", "\033[0m"


class DemoFailed(RuntimeError):
    pass


def say(text: str = "") -> None:
    print(text, file=_term, flush=True)


def step(title: str) -> None:
    say(f"\n{BOLD}▶ {title}{RESET}")


def check(response: httpx.Response, *expected: int) -> Any:
    if response.status_code not in expected:
        raise DemoFailed(
            f"{response.request.method} {response.request.url.path} → {response.status_code}: {response.text}"
        )
    return response.json() if response.content else None


def bar(percent: float, width: int = 30) -> str:
    filled = int(width * percent / 100)
    return "█" * filled + "░" * (width - filled)


def watch(api: httpx.Client, jobs: dict[str, str], timeout: float = 600) -> dict[str, dict[str, Any]]:
    """Poll every job and draw one progress line each until all are finished."""
    done: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + timeout
    drawn = 0
    while len(done) < len(jobs):
        if time.monotonic() > deadline:
            raise DemoFailed(f"collections did not finish within {timeout:.0f} s")
        lines = []
        for name, job_id in jobs.items():
            job = done.get(job_id) or check(api.get(f"/v1/jobs/{job_id}"), 200)
            if job["status"] in ("succeeded", "failed", "cancelled"):
                done[job_id] = job
            p = job.get("progress") or {}
            pct = float(p.get("percent") or 0)
            eta = f"ETA {p['eta_s']}s" if p.get("eta_s") is not None else ""
            lines.append(
                f"  {name[:28]:<28} {bar(pct)} {pct:5.1f}%  {p.get('comments_stored', 0):>6}/"
                f"{p.get('comments_expected', 0):<6} comments  {p.get('rate_per_s', 0):>7}/s  {eta:<10} {job['status']}"
            )
        if drawn:
            _term.write(f"\033[{drawn}F")
        _term.write("\n".join(f"{line}\033[K" for line in lines) + "\n")
        _term.flush()
        drawn = len(lines)
        if len(done) < len(jobs):
            time.sleep(0.5)
    return done


def highlight(snippet: str, start: int, end: int) -> str:
    return f"{snippet[:start]}{YELLOW}{BOLD}{snippet[start:end]}{RESET}{snippet[end:]}"


def run() -> None:
    dataset = generate_dataset(preset="small", seed=42)
    step("Starting the local stack (PostgreSQL, Redis, moto, VK emulator, Lambda handlers)")
    with LocalStack(run_id=f"demo{uuid.uuid4().hex[:6]}", auto_schedule=False, emulator=True) as stack:
        say(f"  API {stack.api_url}   VK emulator {stack.vk_api_url}   database {stack.db_name}")
        with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": stack.api_key}, timeout=60) as api:
            check(api.get("/health/ready"), 200)
            demo(api, dataset)


def demo(api: httpx.Client, dataset: Any) -> None:
    step("Adding the emulator's VK user token to the workspace pool")
    token = next(t for t, kind in DEV_VK_TOKENS.items() if kind == "user")
    added = check(api.post("/v1/vk-tokens", json={"token": token, "label": "emulator user"}), 201)
    say(f"  token {added['hint']} detected as a {added['type']} token")

    step("Adding communities (as users paste them: links, screen names, ids)")
    communities: dict[str, dict[str, Any]] = {}
    for c in dataset.communities.values():
        pasted = f"https://vk.com/{c.screen_name}" if c.is_closed == 0 else str(c.id)
        body = check(api.post("/v1/communities", json={"input": pasted}), 201)
        flag = f"{GREEN}collectable{RESET}" if body["can_collect"] else f"{RED}{body['cannot_collect_reason']}{RESET}"
        say(f"  {pasted:<40} → {body['name']} ({body['members_count']} members) {flag}")
        communities[body["id"]] = body

    step("Adding keywords (matched in every Russian word form)")
    for word in KEYWORDS:
        kind = "phrase" if " " in word else "word"
        check(api.post("/v1/keywords", json={"text": word, "kind": kind, "category": "demo"}), 201)
    say(f"  {len(KEYWORDS)} keywords: {', '.join(KEYWORDS)}")

    step("Collecting every post and every comment, replies included (priority: high)")
    jobs = {}
    for cid, body in communities.items():
        if body["can_collect"]:
            job = check(api.post(f"/v1/communities/{cid}/collections", json={}), 202)
            jobs[body["name"]] = job["id"]
    finished = watch(api, jobs)

    step("Totals and completeness (stored comments vs VK's own counts)")
    for name, job_id in jobs.items():
        job = finished[job_id]
        if job["status"] != "succeeded":
            raise DemoFailed(f"collection of {name} ended {job['status']}: {job.get('error')}")
        t = job["result"]
        c = t["completeness"]
        say(
            f"  {name[:30]:<30} posts {t['posts']:>4}  comments {t['comments']:>5} (replies {t['replies']:>5})  "
            f"authors {t['authors']:>4}  VK requests {t['vk_requests']:>3}  {t['duration_s']:.1f}s"
        )
        say(
            f"  {'':<30} {DIM}VK counts {c['vk_comments_count']}, stored {c['stored_comments']}, "
            f"missing {c['missing']} ({c['posts_with_differences']} posts differ: {c['note']}){RESET}"
        )
        skipped = ", ".join(f"{s['count']}× {s['reason']} (VK {s['code']})" for s in t["skipped"]) or "none"
        say(f"  {'':<30} {DIM}skipped: {skipped}{RESET}")

    step("Waiting for analysis of the collected comments")
    wait_for_analysis(api)
    show_analysis(api)
    export_csv(api)


def wait_for_analysis(api: httpx.Client, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        totals = check(api.get("/v1/stats/totals"), 200)
        done, total = totals["analyzed_comments"], totals["comments"]
        pct = 100.0 * done / total if total else 100.0
        _term.write(f"\r  {bar(pct)} {done}/{total} comments analyzed\033[K")
        _term.flush()
        if done >= total:
            say()
            return
        time.sleep(0.5)
    raise DemoFailed("analysis did not finish in time")


def show_analysis(api: httpx.Client) -> None:
    step("Top keywords")
    rows = check(api.get("/v1/stats/keywords"), 200)
    for row in sorted(rows, key=lambda r: -r["matches"])[:11]:
        say(f"  {row['text']:<16} {row['matches']:>5} matches in {row['matched_comments']:>5} comments")
    step("Sentiment")
    for row in check(api.get("/v1/stats/sentiment"), 200)["rows"]:
        total = row["total"] or 1
        say(
            f"  {GREEN}positive {row['positive']} ({100 * row['positive'] / total:.0f}%){RESET}  "
            f"neutral {row['neutral']} ({100 * row['neutral'] / total:.0f}%)  "
            f"{RED}negative {row['negative']} ({100 * row['negative'] / total:.0f}%){RESET}  "
            f"average score {row['average_score']:+.2f}"
        )
    step("Matched comments, matched forms highlighted")
    page = check(api.get("/v1/comments", params={"has_match": "true", "limit": 4}), 200)
    for item in page["items"]:
        detail = check(api.get(f"/v1/comments/{item['id']}"), 200)
        for m in detail["matches"][:2]:
            form = f"{m['keyword_text']} ← «{m['matched_text']}»"
            say(f"  {form:<36} {highlight(m['snippet'], m['highlight_start'], m['highlight_end'])}")
        say(f"  {DIM}{detail['url']}{RESET}")


def export_csv(api: httpx.Client) -> None:
    step("Exporting matched comments to CSV (a low-priority job streaming to S3)")
    job = check(api.post("/v1/exports", json={"format": "csv", "filters": {"has_match": True}}), 202)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        export = check(api.get(f"/v1/exports/{job['id']}"), 200)
        if export["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.5)
    if export["status"] != "succeeded":
        raise DemoFailed(f"export ended {export['status']}: {export}")
    data = httpx.get(export["download_url"], timeout=60).content
    EXPORT_FILE.parent.mkdir(exist_ok=True)
    EXPORT_FILE.write_bytes(data)
    say(f"  {export['row_count']} rows, {len(data)} bytes → {EXPORT_FILE.relative_to(ROOT)}")


def _logs_to_file() -> None:
    """Lambda handlers log JSON to stdout: keep that in LOG_FILE, and the terminal for the demo."""
    global _term
    LOG_FILE.parent.mkdir(exist_ok=True)
    _term = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
    log = LOG_FILE.open("w", encoding="utf-8")
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log.fileno(), sys.stdout.fileno())
    os.dup2(log.fileno(), sys.stderr.fileno())  # the local HTTP adapter's access lines too


def main() -> int:
    started = time.monotonic()
    _logs_to_file()
    say(f"{DIM}(service logs: {LOG_FILE.relative_to(ROOT)}){RESET}")
    try:
        run()
    except DemoFailed as exc:
        say(f"\n{RED}demo failed: {exc}{RESET}")
        return 1
    except Exception as exc:
        say(f"\n{RED}demo failed: {type(exc).__name__}: {exc} (see {LOG_FILE.relative_to(ROOT)}){RESET}")
        raise
    say(f"\n{GREEN}{BOLD}Demo finished in {time.monotonic() - started:.0f} s.{RESET}")
    say("The dashboard: run `make up`, open http://127.0.0.1:3000/ and sign in with the key in .local/dev-api-key.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
