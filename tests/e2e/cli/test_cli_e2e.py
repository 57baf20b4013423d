"""The `vkc` command end to end, as a user runs it (a subprocess), against one local stack over HTTP."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.local_stack import LocalStack
from devtools.local_stack.emulator import DEV_VK_TOKENS
from devtools.vk_emulator import generate_dataset

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(run_id=f"c{uuid.uuid4().hex[:7]}", auto_schedule=False, emulator=True) as s:
        yield s


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("vkc-home")


def run(
    home: Path, *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("VKC_")}
    base.update({"XDG_CONFIG_HOME": str(home / "config"), "HOME": str(home), **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "vkc_cli", *args],
        capture_output=True,
        text=True,
        env=base,
        cwd=home,
        input=stdin,
        timeout=120,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    return result


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(ok(result).stdout)


@pytest.fixture(scope="module")
def configured(stack: LocalStack, home: Path) -> Path:
    local = home / "project" / ".local"
    local.mkdir(parents=True)
    (local / "stack.json").write_text(json.dumps({"api_url": stack.api_url}), encoding="utf-8")
    (local / "dev-api-key").write_text(stack.api_key + "\n", encoding="utf-8")
    saved = as_json(run(home, "configure", "--local", "--local-dir", str(local), "--json"))
    assert saved["endpoint"] == stack.api_url.rstrip("/")
    path = home / "config" / "vkc" / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stack.api_key in path.read_text(encoding="utf-8")
    return home


@pytest.fixture(scope="module")
def community(configured: Path) -> dict[str, Any]:
    token = next(t for t, kind in DEV_VK_TOKENS.items() if kind == "user")
    added = as_json(run(configured, "tokens", "add", "-", "--label", "emulator", "--json", stdin=token + "\n"))
    assert added["type"] == "user"
    dataset = generate_dataset(preset="small", seed=42)
    open_one = next(c for c in dataset.communities.values() if c.is_closed == 0 and c.deactivated is None)
    truth = [c for c in dataset.ground_truth()["comments"] if c["owner_id"] == -open_one.id]
    report = as_json(run(configured, "communities", "add", f"https://vk.com/{open_one.screen_name}", "--json"))
    assert report["lines"][0]["outcome"] == "created", report
    return {"id": report["lines"][0]["community_id"], "screen_name": open_one.screen_name, "comments": len(truth)}


def test_configure_shows_sources_and_lists_tokens(
    configured: Path, stack: LocalStack, community: dict[str, Any]
) -> None:
    shown = as_json(run(configured, "configure", "--json"))
    assert shown["endpoint"] == stack.api_url.rstrip("/")
    assert shown["api_key"] != stack.api_key  # masked
    from_env = as_json(run(configured, "configure", "--json", env={"VKC_ENDPOINT": "http://elsewhere:1"}))
    assert (from_env["endpoint"], from_env["endpoint_source"]) == ("http://elsewhere:1", "env VKC_ENDPOINT")
    tokens_text = ok(run(configured, "tokens", "list")).stdout
    assert "type" in tokens_text.splitlines()[0]


def test_collect_waits_and_reports_true_totals(configured: Path, community: dict[str, Any]) -> None:
    job = as_json(run(configured, "collect", community["id"], "--json"))
    assert job["status"] == "succeeded", job
    assert job["result"]["comments"] == community["comments"]
    assert (
        job["result"]["completeness"]["stored_comments"]
        >= community["comments"] - job["result"]["completeness"]["missing"]
    )
    assert job["progress"]["percent"] == 100.0
    # the human form: progress on stderr, totals and completeness on stdout (collecting by short name)
    again = ok(run(configured, "collect", community["screen_name"]))
    assert "Totals" in again.stdout
    assert "Completeness" in again.stdout
    assert f"comments   {community['comments']:,}" in again.stdout
    assert "%" in again.stderr


def test_jobs_list_and_show(configured: Path, community: dict[str, Any]) -> None:
    jobs = as_json(run(configured, "jobs", "list", "--status", "succeeded", "--json"))
    collect = next(j for j in jobs if j["type"] == "collect")
    shown = as_json(run(configured, "jobs", "show", collect["id"], "--json"))
    assert shown["id"] == collect["id"]
    text = ok(run(configured, "jobs", "show", collect["id"])).stdout
    assert "Status     succeeded" in text
    assert "Completeness" in text
    listing = ok(run(configured, "jobs", "list")).stdout
    assert collect["id"] in listing
    tail = ok(run(configured, "jobs", "tail", collect["id"], "--json"))
    assert json.loads(tail.stdout.splitlines()[0])["status"] == "succeeded"
    assert ok(run(configured, "communities", "list")).stdout.count(community["id"]) == 1


def test_comments_search_pages_with_the_cursor(configured: Path, community: dict[str, Any]) -> None:
    first = as_json(run(configured, "comments", "search", "--community", community["id"], "--limit", "5", "--json"))
    assert len(first) == 5
    every = as_json(run(configured, "comments", "search", "--community", community["screen_name"], "--all", "--json"))
    assert len(every) == community["comments"]
    assert len({c["id"] for c in every}) == len(every)
    assert [c["id"] for c in every[:5]] == [c["id"] for c in first]
    text = ok(run(configured, "comments", "search", "--limit", "3")).stdout
    assert text.splitlines()[0].startswith("date")


def test_export_downloads_a_csv_that_opens_with_cyrillic(configured: Path, community: dict[str, Any]) -> None:
    target = configured / "out.csv"
    done = as_json(
        run(configured, "export", "--format", "csv", "--community", community["id"], "-o", str(target), "--json")
    )
    assert done["status"] == "succeeded"
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == done["row_count"] == community["comments"]
    assert any(any("а" <= ch <= "я" for ch in row["text"].lower()) for row in rows)
    refused = run(configured, "export", "--format", "csv", "-o", str(target))
    assert refused.returncode == 1
    assert "exists" in refused.stderr


def test_communities_file_import_reports_every_line(configured: Path, community: dict[str, Any]) -> None:
    dataset = generate_dataset(preset="small", seed=42)
    other = next(c.screen_name for c in dataset.communities.values() if c.screen_name != community["screen_name"])
    (configured / "list.txt").write_text(f"{other}\n!!not a community!!\n{other}\n", encoding="utf-8")
    result = run(configured, "communities", "add", "--file", "list.txt", "--json")
    assert result.returncode == 1, result.stderr  # a line was invalid
    job = json.loads(result.stdout)
    assert job["type"] == "communities.import"
    assert [line["outcome"] for line in job["result"]["lines"]] == ["created", "invalid", "duplicate"]
    text = run(configured, "jobs", "show", job["id"]).stdout
    assert "invalid" in text
    assert "Repeats line 1." in text


def test_cancelling_a_finished_job_is_exit_1_with_the_conflict(configured: Path, community: dict[str, Any]) -> None:
    jobs = as_json(run(configured, "jobs", "list", "--status", "succeeded", "--limit", "1", "--json"))
    result = run(configured, "jobs", "cancel", jobs[0]["id"])
    assert result.returncode == 1
    assert "Conflict" in result.stderr or "409" in result.stderr, result.stderr


def test_bad_key_is_exit_1_with_the_problem(configured: Path) -> None:
    result = run(configured, "jobs", "list", env={"VKC_API_KEY": "not-a-real-key"})
    assert result.returncode == 1
    assert "Unauthorized:" in result.stderr
    assert "Check the API key" in result.stderr
    as_json_error = run(configured, "jobs", "list", "--json", env={"VKC_API_KEY": "not-a-real-key"})
    assert as_json_error.returncode == 1
    assert json.loads(as_json_error.stderr.split("\nError:")[0])["status"] == 401


def test_api_validation_problem_shows_field_errors(configured: Path, community: dict[str, Any]) -> None:
    result = run(configured, "collect", community["id"], "--since", "2025-02-01", "--until", "2025-01-01")
    assert result.returncode == 1
    assert "Error: Invalid input: " in result.stderr, result.stderr
    assert "  - body.payload: " in result.stderr
    assert "since must not be after until" in result.stderr
    missing = run(configured, "jobs", "show", str(uuid.uuid4()))
    assert missing.returncode == 1
    assert "does not exist" in missing.stderr


def test_unreachable_endpoint_is_exit_1_with_a_hint(configured: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: connection refused
        result = run(configured, "jobs", "list", "--endpoint", f"http://127.0.0.1:{port}")
    assert result.returncode == 1
    assert "Cannot connect" in result.stderr
    assert "make up" in result.stderr
