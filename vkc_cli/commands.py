"""The commands. Each takes the parsed arguments and a connected `Api` (except `configure`) and
returns the exit code; results go to stdout (JSON with `--json`), progress and notes to stderr."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vkc_cli import config
from vkc_cli.client import Api
from vkc_cli.errors import EXIT_ERROR, EXIT_OK, ApiError, CliError
from vkc_cli.output import (
    TERMINAL,
    LiveLine,
    collection_summary,
    duration,
    emit_json,
    import_report,
    job_details,
    job_line,
    note,
    number,
    out,
    progress_bar,
    table,
    truncate,
    when,
)

POLL_S = 1.0
IMPORT_FAILURES = {"invalid", "not_found", "not_a_community", "failed", "not_processed"}


# --- configure -----------------------------------------------------------------------------------


def cmd_configure(args: argparse.Namespace) -> int:
    path = config.config_path()
    profile = args.profile or config.DEFAULT_PROFILE
    if args.local:
        endpoint, api_key = config.read_local_stack(Path(args.local_dir) if args.local_dir else config.find_local_dir())
        endpoint = config.normalize_endpoint(args.endpoint) if args.endpoint else endpoint
    elif args.endpoint or args.api_key:
        stored = config.load_file(path).get("profiles", {}).get(profile, {})
        endpoint = args.endpoint or stored.get("endpoint") or ""
        api_key = args.api_key or stored.get("api_key") or ""
        if args.api_key == "-":
            api_key = sys.stdin.readline().strip()
        if not endpoint:
            raise CliError(f"Give the endpoint with --endpoint URL (profile {profile!r} has none yet).", exit_code=2)
        endpoint = config.normalize_endpoint(endpoint)
        if not api_key:
            if not sys.stdin.isatty():
                raise CliError("Give the API key with --api-key KEY (or --api-key - to read it from stdin).")
            api_key = getpass.getpass("API key: ").strip()
    else:
        return _show_config(args)
    if not args.no_verify:
        with Api(endpoint, api_key, timeout=args.timeout) as api:
            api.get("/v1/jobs", {"limit": 1})  # proves the endpoint answers and the key authenticates
    config.save_profile(path, profile, endpoint, api_key, make_default=args.profile is None or args.default)
    if args.json:
        emit_json({"profile": profile, "endpoint": endpoint, "api_key": config.mask_key(api_key), "path": str(path)})
    else:
        out(f"Saved profile {profile!r} in {path}: {endpoint} (key {config.mask_key(api_key)})")
        if not args.no_verify:
            out("The endpoint answers and the key works.")
    return EXIT_OK


def _show_config(args: argparse.Namespace) -> int:
    settings = config.resolve(profile=args.profile, endpoint=args.endpoint, api_key=args.api_key)
    view = {
        "profile": settings.profile,
        "endpoint": settings.endpoint,
        "endpoint_source": settings.endpoint_source,
        "api_key": config.mask_key(settings.api_key),
        "api_key_source": settings.api_key_source,
        "config_file": str(settings.path),
    }
    if args.json:
        emit_json(view)
    else:
        out(f"Profile   {settings.profile}   (config file {settings.path})")
        out(f"Endpoint  {settings.endpoint or '-'}   ({settings.endpoint_source})")
        out(f"API key   {view['api_key']}   ({settings.api_key_source})")
    return EXIT_OK


# --- VK tokens -----------------------------------------------------------------------------------


def cmd_tokens_add(args: argparse.Namespace, api: Api) -> int:
    token = args.token
    if token in (None, "-"):
        prompt = token is None and sys.stdin.isatty()
        token = getpass.getpass("VK token: ") if prompt else sys.stdin.readline()
    token = token.strip()
    if not token:
        raise CliError("No token given.", hint="vkc tokens add TOKEN (or `-` to read it from stdin).")
    view = api.post("/v1/vk-tokens", {"token": token, "label": args.label})
    if args.json:
        emit_json(view)
    else:
        out(f"Added {view['type']} token {view['hint']} (id {view['id']}, state {view['state']}).")
    return EXIT_OK


def cmd_tokens_list(args: argparse.Namespace, api: Api) -> int:
    items = api.get("/v1/vk-tokens").get("items") or []
    if args.json:
        emit_json(items)
        return EXIT_OK
    if not items:
        out("No VK tokens yet: add one with `vkc tokens add TOKEN`.")
        return EXIT_OK
    rows = [
        (t["id"], t["type"], t["state"], t["hint"], t.get("label"), t.get("requests_today"), t.get("state_reason"))
        for t in items
    ]
    out(table(["id", "type", "state", "hint", "label", "requests today", "reason"], rows))
    return EXIT_OK


# --- communities ---------------------------------------------------------------------------------


def cmd_communities_add(args: argparse.Namespace, api: Api) -> int:
    if args.file and args.inputs:
        raise CliError("Give communities as arguments or with --file, not both.", exit_code=2)
    if args.file:
        return _import_file(args, api)
    if not args.inputs:
        raise CliError(
            "Nothing to add.", hint="vkc communities add INPUT... (an id, a link or a short name) or --file F"
        )
    reports = []
    for n, text in enumerate(args.inputs, start=1):
        reports.append(_add_one(api, n, text))
    failed = any(r["outcome"] in IMPORT_FAILURES for r in reports)
    result = {"complete": True, "summary": _counts(reports), "lines": reports}
    if args.json:
        emit_json(result)
    else:
        out(import_report(result))
    return EXIT_ERROR if failed else EXIT_OK


def _add_one(api: Api, n: int, text: str) -> dict[str, Any]:
    report: dict[str, Any] = {"line": n, "input": text, "community_id": None, "reason": None}
    try:
        view = api.post("/v1/communities", {"input": text})
    except ApiError as exc:
        if exc.status == 409 and exc.problem.get("existing_id"):
            return {
                **report,
                "outcome": "exists",
                "community_id": exc.problem["existing_id"],
                "reason": "Already added.",
            }
        outcome = {422: "invalid", 404: "not_found"}.get(exc.status, "failed")
        return {**report, "outcome": outcome, "reason": exc.message.replace("\n", " ")}
    reason = None if view.get("can_collect") else view.get("cannot_collect_reason")
    return {**report, "outcome": "created", "community_id": view["id"], "reason": reason or view.get("name")}


def _counts(reports: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {"lines": len(reports)}
    for r in reports:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    return counts


def _import_file(args: argparse.Namespace, api: Api) -> int:
    try:
        content = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"Cannot read {args.file}: {exc}", hint="Give a UTF-8 text or CSV file.") from exc
    body: dict[str, Any] = {"content": content}
    if args.format:
        body["format"] = args.format
    elif str(args.file).lower().endswith(".csv"):
        body["format"] = "csv"
    if args.priority:
        body["priority"] = args.priority
    job = api.post("/v1/communities/import", body)
    if not args.json:
        note(f"Import job {job['id']} started; resolving the list through VK…")
    job = wait_for_job(api, job["id"], show=not args.json, timeout=args.wait_timeout)
    result = job.get("result") or {}
    if args.json:
        emit_json(job)
    elif result:
        out(import_report(result))
    if job["status"] != "succeeded":
        raise _job_failed(job)
    failed = any(line.get("outcome") in IMPORT_FAILURES for line in result.get("lines") or [])
    return EXIT_ERROR if failed else EXIT_OK


def cmd_communities_list(args: argparse.Namespace, api: Api) -> int:
    params = {"q": args.q, "can_collect": args.can_collect, "monitoring_enabled": args.monitoring}
    items = list(api.pages("/v1/communities", params, limit=args.limit))
    if args.json:
        emit_json(items)
        return EXIT_OK
    if not items:
        out("No communities yet: add one with `vkc communities add https://vk.com/<name>`.")
        return EXIT_OK
    rows = [
        (
            c["id"],
            c["vk_id"],
            c.get("screen_name"),
            c["name"],
            number(c.get("members_count")),
            c["can_collect"] if c["can_collect"] else f"no ({c.get('cannot_collect_reason')})",
            when(c.get("last_collected_at")),
            f"every {c['monitoring_interval_minutes']}m" if c.get("monitoring_enabled") else "off",
        )
        for c in items
    ]
    out(
        table(
            ["id", "vk id", "short name", "name", "members", "can collect", "last collected", "monitoring"],
            rows,
            max_col=40,
        )
    )
    return EXIT_OK


def resolve_community(api: Api, text: str, *, create: bool) -> dict[str, Any]:
    """A community of this workspace from its id, or from what you would paste (added when `create`)."""
    if _is_uuid(text):
        return dict(api.get(f"/v1/communities/{text}"))
    if create:
        try:
            return dict(api.post("/v1/communities", {"input": text}))
        except ApiError as exc:
            if exc.status == 409 and exc.problem.get("existing_id"):
                return dict(api.get(f"/v1/communities/{exc.problem['existing_id']}"))
            raise
    wanted = text.strip().rstrip("/").rsplit("/", 1)[-1].lower()
    for community in api.pages("/v1/communities", {"q": wanted}, limit=200):
        names = {str(community.get("screen_name") or "").lower(), str(community["vk_id"]), f"club{community['vk_id']}"}
        if wanted in names or wanted.lstrip("-") in names:
            return dict(community)
    raise CliError(f"No community {text!r} in this workspace.", hint="`vkc communities list` shows them; add it first.")


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


# --- collections and jobs ------------------------------------------------------------------------


def cmd_collect(args: argparse.Namespace, api: Api) -> int:
    community = resolve_community(api, args.community, create=True)
    body: dict[str, Any] = {"since": args.since, "until": args.until, "max_posts": args.max_posts}
    if args.priority:
        body["priority"] = args.priority
    try:
        job = api.post(
            f"/v1/communities/{community['id']}/collections", {k: v for k, v in body.items() if v is not None}
        )
    except ApiError as exc:
        if exc.status != 409 or not exc.problem.get("job_id") or args.no_wait:
            raise
        job = api.get(f"/v1/jobs/{exc.problem['job_id']}")
        if not args.json:
            note(f"A collection of this community is already running (job {job['id']}); following it.")
    if args.no_wait:
        if args.json:
            emit_json(job)
        else:
            out(f"Started collection job {job['id']} of {community['name']}.")
            out(f"Follow it with `vkc jobs tail {job['id']}` or `vkc jobs show {job['id']}`.")
        return EXIT_OK
    if not args.json:
        note(f"Collecting {community['name']} ({community.get('url')}): job {job['id']}")
    job = wait_for_job(api, job["id"], show=not args.json, timeout=args.wait_timeout)
    if args.json:
        emit_json(job)
    elif job.get("result"):
        out(collection_summary(job["result"]))
    if job["status"] != "succeeded":
        raise _job_failed(job)
    return EXIT_OK


def wait_for_job(api: Api, job_id: str, *, show: bool, timeout: float | None = None) -> dict[str, Any]:
    """Poll a job until it finishes, drawing its progress bar and ETA on stderr when `show`."""
    live = LiveLine(enabled=show)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            job: dict[str, Any] = api.get(f"/v1/jobs/{job_id}")
            live.update(progress_bar(job.get("progress"), job["status"]))
            if job["status"] in TERMINAL:
                return job
            if deadline is not None and time.monotonic() > deadline:
                raise CliError(
                    f"Job {job_id} is still {job['status']} after {duration(timeout)}.",
                    hint=f"It keeps running: `vkc jobs tail {job_id}` follows it, `vkc jobs cancel {job_id}` stops it.",
                )
            time.sleep(POLL_S)
    except KeyboardInterrupt:
        live.close()
        note(f"Stopped watching; job {job_id} keeps running (`vkc jobs tail {job_id}`, `vkc jobs cancel {job_id}`).")
        raise
    finally:
        live.close()


def _job_failed(job: dict[str, Any]) -> CliError:
    error = job.get("error") or {}
    reason = f": {error.get('code')}: {error.get('message')}" if error else ""
    return CliError(f"Job {job['id']} {job['status']}{reason}", hint=f"`vkc jobs show {job['id']}` has the details.")


def cmd_jobs_list(args: argparse.Namespace, api: Api) -> int:
    items = list(api.pages("/v1/jobs", {"status": args.status}, limit=args.limit))
    if args.json:
        emit_json(items)
        return EXIT_OK
    if not items:
        out("No jobs." if not args.status else f"No {args.status} jobs.")
        return EXIT_OK
    rows = [
        (
            j["id"],
            j["type"],
            j["status"],
            j["priority"],
            when(j.get("created_at")),
            _percent(j),
            duration((j.get("timings") or {}).get("run_ms", 0) / 1000)
            if (j.get("timings") or {}).get("run_ms")
            else None,
        )
        for j in items
    ]
    out(table(["id", "type", "status", "priority", "created", "progress", "run time"], rows))
    return EXIT_OK


def _percent(job: dict[str, Any]) -> str | None:
    progress = job.get("progress") or {}
    if "percent" in progress:
        return f"{progress['percent']:.1f}%"
    if progress.get("total"):
        return f"{progress.get('done', 0)}/{progress['total']}"
    return None


def cmd_jobs_show(args: argparse.Namespace, api: Api) -> int:
    job = api.get(f"/v1/jobs/{args.job_id}")
    if args.json:
        emit_json(job)
    else:
        out(job_details(job))
    return EXIT_OK


def cmd_jobs_cancel(args: argparse.Namespace, api: Api) -> int:
    job = api.post(f"/v1/jobs/{args.job_id}/cancel")
    if args.json:
        emit_json(job)
    else:
        out(f"Job {job['id']} is {job['status']}; what it stored is kept (`vkc jobs retry {job['id']}` resumes it).")
    return EXIT_OK


def cmd_jobs_retry(args: argparse.Namespace, api: Api) -> int:
    job = api.post(f"/v1/jobs/{args.job_id}/retry")
    if not args.wait:
        if args.json:
            emit_json(job)
        else:
            out(f"Started job {job['id']} (a retry of {args.job_id}).")
        return EXIT_OK
    job = wait_for_job(api, job["id"], show=not args.json, timeout=args.wait_timeout)
    if args.json:
        emit_json(job)
    else:
        out(job_details(job))
    return EXIT_OK if job["status"] == "succeeded" else EXIT_ERROR


def cmd_jobs_tail(args: argparse.Namespace, api: Api) -> int:
    """Follow the given jobs, or every active one (new ones included), until none is left running."""
    board = _Board(enabled=not args.json)
    followed: dict[str, dict[str, Any]] = {}
    finished: list[dict[str, Any]] = []
    fixed = list(args.job_ids or [])
    try:
        while True:
            current: dict[str, dict[str, Any]] = {}
            if fixed:
                for job_id in fixed:
                    if job_id not in {j["id"] for j in finished}:
                        current[job_id] = api.get(f"/v1/jobs/{job_id}")
            else:
                for status in ("running", "queued"):
                    for job in api.pages("/v1/jobs", {"status": status}, limit=500):
                        current[job["id"]] = job
                for job_id in set(followed) - set(current):
                    current[job_id] = api.get(f"/v1/jobs/{job_id}")
            done_now = [j for j in current.values() if j["status"] in TERMINAL]
            active = [j for j in current.values() if j["status"] not in TERMINAL]
            for job in done_now:
                finished.append(job)
                followed.pop(job["id"], None)
                if args.json:
                    sys.stdout.write(_compact(job) + "\n")
                    sys.stdout.flush()
            followed.update({j["id"]: j for j in active})
            board.draw([_final_line(j) for j in done_now], [job_line(j) for j in active])
            if not active:
                break
            time.sleep(args.interval)
    finally:
        board.close()
    if not finished and not args.json:
        out("No active jobs.")
    return EXIT_ERROR if any(j["status"] != "succeeded" for j in finished) and fixed else EXIT_OK


def _final_line(job: dict[str, Any]) -> str:
    run_ms = (job.get("timings") or {}).get("run_ms")
    mark = {"succeeded": "done", "failed": "FAILED", "cancelled": "cancelled"}.get(job["status"], job["status"])
    extra = ""
    result = job.get("result") or {}
    if job.get("type") == "collect" and "comments" in result:
        extra = f"  {number(result['comments'])} comments ({number(result.get('comments_new'))} new)"
    if job.get("error"):
        extra += f"  {job['error'].get('code')}: {job['error'].get('message')}"
    took = f" in {duration(run_ms / 1000)}" if run_ms else ""
    return f"{job['id']}  {job.get('type')}  {mark}{took}{extra}"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


class _Board:
    """Finished jobs printed once; active jobs redrawn in place on a terminal (on a pipe: when changed)."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self._drawn = 0
        self._last: dict[str, str] = {}

    def draw(self, permanent: list[str], live: list[str]) -> None:
        if not self.enabled:
            return
        stream = sys.stderr
        if self.tty:
            if self._drawn:
                stream.write(f"\x1b[{self._drawn}F\x1b[J")
            for line in permanent:
                stream.write(line + "\n")
            for line in live:
                stream.write(truncate(line, 200) + "\n")
            self._drawn = len(live)
        else:
            for line in permanent:
                stream.write(line + "\n")
            for line in live:
                key = line.split("  ", 1)[0]
                if self._last.get(key) != line:
                    self._last[key] = line
                    stream.write(line + "\n")
        stream.flush()

    def close(self) -> None:
        self._drawn = 0


# --- comments and exports ------------------------------------------------------------------------


def comment_filters(args: argparse.Namespace, api: Api) -> dict[str, Any]:
    """The search filters shared by `comments search` and `export`, in the API's names."""
    filters: dict[str, Any] = {
        "community_id": [resolve_community(api, c, create=False)["id"] for c in args.community or []] or None,
        "keyword_id": [_keyword_id(api, k) for k in args.keyword or []] or None,
        "category": args.category or None,
        "q": args.q,
        "sentiment": args.sentiment or None,
        "has_match": args.has_match,
        "is_spam": args.spam,
        "has_profanity": args.profanity,
        "post": args.post,
        "date_from": args.date_from,
        "date_to": args.date_to,
    }
    return {k: v for k, v in filters.items() if v is not None}


def _keyword_id(api: Api, text: str) -> str:
    if _is_uuid(text):
        return text
    for keyword in api.pages("/v1/keywords", {"q": text}, limit=500):
        if str(keyword.get("text", "")).casefold() == text.casefold():
            return str(keyword["id"])
    raise CliError(f"No keyword {text!r} in this workspace.", hint="Give its exact text or its id (GET /v1/keywords).")


def cmd_comments_search(args: argparse.Namespace, api: Api) -> int:
    params = {**comment_filters(args, api), "sort": args.sort}
    limit = None if args.all else args.limit
    items = list(api.pages("/v1/comments", params, limit=limit))
    if args.json:
        emit_json(items)
        return EXIT_OK
    if not items:
        out("No comments match.")
        return EXIT_OK
    rows = [
        (
            when(c.get("date"))[:16],
            (c.get("author") or {}).get("name") or c.get("from_id"),
            c.get("sentiment"),
            ", ".join(str(k.get("text")) for k in c.get("keywords") or []) or None,
            truncate(c.get("text") or "", 70),
            c.get("url"),
        )
        for c in items
    ]
    out(table(["date", "author", "sentiment", "keywords", "text", "url"], rows, max_col=70))
    if not args.all and len(items) == args.limit:
        note(f"First {len(items)} shown; --all lists every match, --limit N more or fewer.")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, api: Api) -> int:
    body: dict[str, Any] = {"format": args.format, "filters": comment_filters(args, api), "sort": args.sort}
    if args.columns:
        body["columns"] = [c.strip() for c in args.columns.split(",") if c.strip()]
    target = Path(args.output) if args.output else None
    if target is not None and target.exists() and not args.force:
        raise CliError(f"{target} exists.", hint="Give another --output, or --force to replace it.")
    export = api.post("/v1/exports", body)
    live = LiveLine(enabled=not args.json)
    deadline = None if args.wait_timeout is None else time.monotonic() + args.wait_timeout
    try:
        while export["status"] not in TERMINAL:
            live.update(f"export {export['id']}: {export['status']}…")
            if deadline is not None and time.monotonic() > deadline:
                raise CliError(
                    f"Export {export['id']} is still {export['status']}.", hint=f"`vkc jobs show {export['id']}`"
                )
            time.sleep(POLL_S)
            export = api.get(f"/v1/exports/{export['id']}")
        live.update(f"export {export['id']}: {export['status']}, {number(export.get('row_count'))} rows")
    finally:
        live.close()
    if export["status"] != "succeeded":
        error = export.get("error") or {}
        raise CliError(f"Export {export['id']} {export['status']}: {error.get('message') or 'no reason given'}")
    if not export.get("download_url"):
        raise CliError(f"Export {export['id']} has no file (expired).", hint="Run the export again.")
    if target is None:
        target = Path(Path(export.get("filename") or f"vkc-export-{export['id']}.{args.format}").name)
        if target.exists() and not args.force:
            raise CliError(f"{target} exists.", hint="Give --output FILE, or --force to replace it.")
    size = api.download(export["download_url"], target)
    if args.json:
        emit_json({**export, "path": str(target), "bytes": size})
    else:
        out(f"Saved {number(export.get('row_count'))} comments to {target} ({_size(size)}).")
    return EXIT_OK


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"  # pragma: no cover


Handler = Callable[[argparse.Namespace, Api], int]
