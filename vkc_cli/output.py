"""Everything the user reads: tables, durations, job summaries, the progress bar, JSON for scripts.

Results go to stdout; progress, notices and errors to stderr, so `--json` output pipes cleanly.
"""

from __future__ import annotations

import json
import shutil
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

TERMINAL = ("succeeded", "failed", "cancelled")


def emit_json(value: Any, stream: TextIO | None = None) -> None:
    (stream or sys.stdout).write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def note(text: str) -> None:
    sys.stderr.write(text + "\n")


def width(text: str) -> int:
    """Display width (wide East Asian characters take two cells)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if width(text) <= limit:
        return text
    cut = ""
    for ch in text:
        if width(cut + ch) > limit - 1:
            break
        cut += ch
    return cut + "…"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, max_col: int = 60) -> str:
    """A plain aligned table; None shows as '-', long cells are cut with '…'."""
    cells = [[truncate(cell(v), max_col) for v in row] for row in rows]
    widths = [width(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], width(value))

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (widths[i] - width(v)) for i, v in enumerate(values)).rstrip()

    return "\n".join([line(headers), *(line(r) for r in cells)])


def cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value) or "-"
    return str(value)


def duration(seconds: float | int | None) -> str:
    """3s, 4m05s, 2h03m: compact, for ETAs and run times."""
    if seconds is None:
        return "-"
    s = max(0, round(float(seconds)))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def when(iso: str | None) -> str:
    """An API timestamp, shortened for tables: 2026-01-02 03:04:05."""
    if not iso:
        return "-"
    return iso.replace("T", " ")[:19]


def number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else cell(value)


def progress_bar(progress: Mapping[str, Any] | None, status: str, *, bar_width: int = 28) -> str:
    """`[##########··········]  42.0%  1,234/2,940 comments  57.3/s  ETA 32s  running`."""
    p = dict(progress or {})
    if "percent" in p:
        percent = float(p.get("percent") or 0.0)
    elif p.get("total"):
        percent = 100.0 * float(p.get("done") or 0) / float(p["total"])
    else:
        percent = 100.0 if status == "succeeded" else 0.0
    filled = round(bar_width * min(100.0, max(0.0, percent)) / 100)
    parts = [f"[{'#' * filled}{'·' * (bar_width - filled)}] {percent:5.1f}%"]
    if "comments_stored" in p:
        parts.append(f"{number(p.get('comments_stored'))}/{number(p.get('comments_expected'))} comments")
    elif "total" in p:
        parts.append(f"{number(p.get('done'))}/{number(p.get('total'))} {p.get('unit') or 'items'}")
    if p.get("rate_per_s"):
        parts.append(f"{p['rate_per_s']:g}/s")
    if status not in TERMINAL and p.get("eta_s") is not None:
        parts.append(f"ETA {duration(p['eta_s'])}")
    parts.append(status)
    return "  ".join(parts)


class LiveLine:
    """One line redrawn in place on a terminal; on a pipe, a new line only when the text changes
    (and at most every `every` polls), so logs stay readable."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = self.stream.isatty()
        self._last = ""
        self._drawn = 0

    def update(self, text: str) -> None:
        if not self.enabled or text == self._last:
            return
        self._last = text
        if self.tty:
            columns = shutil.get_terminal_size((100, 20)).columns
            text = truncate(text, columns - 1)
            pad = max(0, self._drawn - width(text))
            self.stream.write("\r" + text + " " * pad)
            self._drawn = width(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
        self._drawn = 0


def job_line(job: Mapping[str, Any]) -> str:
    """A one-line job summary: id, type, status and its progress."""
    target = job.get("payload", {}).get("community_id") if isinstance(job.get("payload"), dict) else None
    label = f"{job['id']}  {job.get('type')}" + (f" {target}" if target else "")
    return f"{label}  {progress_bar(job.get('progress'), str(job.get('status')), bar_width=16)}"


def job_details(job: Mapping[str, Any]) -> str:
    """Everything worth reading about one job: state, times, progress, error and its result."""
    timings = job.get("timings") or {}
    lines = [
        f"Job        {job['id']}",
        f"Type       {job.get('type')}  (priority {job.get('priority')}, attempts {job.get('attempts')})",
        f"Status     {job.get('status')}",
        f"Created    {when(job.get('created_at'))}   started {when(job.get('started_at'))}   "
        f"finished {when(job.get('finished_at'))}",
    ]
    if timings:
        shown = ", ".join(f"{k} {duration(v / 1000)}" for k, v in timings.items() if isinstance(v, (int, float)))
        if shown:
            lines.append(f"Timings    {shown}")
    payload = job.get("payload") or {}
    if payload:
        lines.append("Payload    " + ", ".join(f"{k}={cell(v)}" for k, v in payload.items() if v is not None))
    if job.get("progress") and job.get("status") not in TERMINAL:
        lines.append(f"Progress   {progress_bar(job.get('progress'), str(job.get('status')))}")
    error = job.get("error")
    if error:
        lines.append(f"Error      {error.get('code', '')}: {error.get('message', '')}".rstrip(": "))
    result = job.get("result")
    if isinstance(result, dict) and result:
        lines.append("")
        if job.get("type") == "collect" or "completeness" in result:
            lines.append(collection_summary(result))
        elif "lines" in result and "summary" in result:
            lines.append(import_report(result))
        else:
            lines.append("Result")
            lines.extend(f"  {k}: {json.dumps(v, ensure_ascii=False, default=str)}" for k, v in result.items())
    return "\n".join(lines)


def collection_summary(result: Mapping[str, Any]) -> str:
    """The totals of a finished collection and how complete it is against VK's own counts."""
    lines = [
        "Totals",
        f"  posts      {number(result.get('posts'))} ({number(result.get('posts_new'))} new)",
        f"  comments   {number(result.get('comments'))} (replies {number(result.get('replies'))}, "
        f"new {number(result.get('comments_new'))}, changed {number(result.get('comments_changed'))})",
        f"  authors    {number(result.get('authors'))}",
        f"  VK         {number(result.get('vk_requests'))} requests ({number(result.get('vk_calls'))} calls)"
        f" in {duration(result.get('duration_s'))}",
    ]
    skipped = result.get("skipped") or []
    if skipped:
        lines.append(f"  skipped    {number(result.get('skipped_total'))}")
        lines.extend(f"    {s.get('count')} × {s.get('code')}: {s.get('reason')}" for s in skipped)
    done = result.get("completeness")
    if isinstance(done, dict):
        lines.append("Completeness")
        stored, expected = done.get("stored_comments"), done.get("vk_comments_count")
        if not done.get("missing") and not done.get("extra"):
            verdict = "complete"
        else:
            verdict = f"{number(done.get('missing'))} missing, {number(done.get('extra'))} extra"
        lines.append(
            f"  stored {number(stored)} of the {number(expected)} comments VK counts"
            f" on {number(done.get('posts'))} posts: {verdict}"
        )
        for d in done.get("differences") or []:
            lines.append(f"    post {d.get('post_id')}: VK {d.get('vk_count')}, stored {d.get('stored')}")
        if done.get("posts_with_differences") and done.get("note"):
            lines.append(f"  ({done['note']})")
    return "\n".join(lines)


def import_report(result: Mapping[str, Any]) -> str:
    """The import job's per-line report and its counts."""
    rows = [
        (r.get("line"), r.get("input"), r.get("outcome"), r.get("community_id"), r.get("reason"))
        for r in result.get("lines") or []
    ]
    summary = result.get("summary") or {}
    counts = ", ".join(
        f"{k} {v}"
        for k, v in summary.items()
        if isinstance(v, int) and not isinstance(v, bool) and v and k not in ("lines", "runs")
    )
    head = f"{summary.get('lines', len(rows))} lines: {counts}" if counts else f"{len(rows)} lines"
    if not result.get("complete", True):
        head += " (incomplete)"
    return head + "\n" + table(["line", "input", "outcome", "community", "reason"], rows, max_col=48)
