"""The communities.import job through the real runner: per-line report, continuation, limits."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from vkc.communities import bulk, service
from vkc.communities.errors import PayloadTooLarge
from vkc.communities.importer import IMPORT_CONTINUE_TASK, batch_size, import_progress
from vkc.communities.schemas import CommunityImportRequest
from vkc.communities.upload import MAX_UPLOAD_BYTES
from vkc.db.models import Job
from vkc.db.models_collection import Community
from vkc.errors import InvalidInput
from vkc.jobs.context import WorkerDeps
from vkc.jobs.runner import run_task
from vkc.jobs.schemas import JobStatus, JobView
from vkc.jobs.service import get_job
from vkc.settings import Priority, WorkerKind
from vkc.vk_tokens.clients import workspace_client, workspace_client_factory
from vkc.wiring.worker import build_worker_deps

from devtools.recording_queue import RecordingQueue
from tests.integration.communities.test_service import communities
from tests.support.harness import VkEnv, add, fresh_token


@pytest.fixture
def ws(engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID) -> uuid.UUID:
    add(engine, vk_env, workspace_id, fresh_token(vk_env))
    return workspace_id


def deps(engine: Engine, env: VkEnv, queue: RecordingQueue, remaining_ms: int = 80_000) -> WorkerDeps:
    return build_worker_deps(
        env.settings,
        engine=engine,
        queue=queue,
        vk_client=workspace_client_factory(engine, env.settings, env.redis, env.secrets),
        remaining_ms=lambda: remaining_ms,
    )


def start(engine: Engine, ws: uuid.UUID, content: str, queue: RecordingQueue, **kw: Any) -> JobView:
    with Session(engine, expire_on_commit=False) as s:
        request = CommunityImportRequest.model_validate({"content": content, **kw})
        return bulk.start_import(s, queue, workspace_id=ws, request=request, correlation_id="c-imp")


def job(engine: Engine, ws: uuid.UUID, job_id: uuid.UUID) -> JobView:
    with Session(engine) as s:
        return get_job(s, ws, job_id)


def test_report_covers_every_outcome(engine: Engine, vk_env: VkEnv, ws: uuid.UUID) -> None:
    roles = communities(vk_env)
    user_id = next(iter(vk_env.emulator.dataset.users))
    with Session(engine, expire_on_commit=False) as s, s.begin():
        opener = lambda: workspace_client(  # noqa: E731
            s, ws, settings=vk_env.settings, redis_client=vk_env.redis, secrets=vk_env.secrets
        )
        existing = service.create_community(s, ws, roles["open2"].screen_name, open_client=opener)
    content = "\n".join(
        [
            "# exported from a spreadsheet",
            "url,note",
            f"https://vk.com/{roles['open'].screen_name},first",  # 3 created
            f"club{roles['open'].id},same community by id",  # 4 duplicate of line 3 (after resolving)
            f"{roles['open2'].screen_name},added before",  # 5 duplicate of the existing row
            f"{roles['closed'].screen_name},closed",  # 6 created, not collectable
            f"club{roles['banned'].id},banned",  # 7 created, not collectable
            "no_such_name_zzz,unknown",  # 8 not_found
            "club999999999,unknown id",  # 9 not_found
            f"id{user_id},a user",  # 10 not_a_community
            "апиклуб,cyrillic",  # 11 invalid
            "vk.com/wall5_1,a user's wall",  # 12 not_a_community (parse)
            "",
            f"https://vk.com/{roles['open'].screen_name},again",  # 14 duplicate of line 3 (in the file)
        ]
    )
    queue = RecordingQueue()
    view = start(engine, ws, content, queue)
    assert view.type == "communities.import"
    [sent] = queue.sent
    assert (sent.worker, sent.priority) == (WorkerKind.PARSE, Priority.LOW)
    outcome = run_task(sent.message, deps(engine, vk_env, queue), receive_count=1)
    assert outcome.status == "succeeded"
    done = job(engine, ws, view.id)
    assert done.status is JobStatus.SUCCEEDED
    assert done.result is not None
    lines = {r["line"]: r for r in done.result["lines"]}
    outcomes = {n: r["outcome"] for n, r in lines.items()}
    assert outcomes == {
        3: "created",
        4: "duplicate",
        5: "duplicate",
        6: "created",
        7: "created",
        8: "not_found",
        9: "not_found",
        10: "not_a_community",
        11: "invalid",
        12: "not_a_community",
        14: "duplicate",
    }
    assert lines[4]["reason"] == "Same community as line 3."
    assert lines[4]["community_id"] == lines[3]["community_id"]
    assert lines[5]["community_id"] == str(existing.id)
    assert "Already in this workspace" in lines[5]["reason"]
    assert lines[14]["reason"] == "Repeats line 3."
    assert all(lines[n]["reason"] for n in (8, 9, 10, 11, 12))
    assert lines[3]["input"] == f"https://vk.com/{roles['open'].screen_name}"
    summary = done.result["summary"]
    assert summary["created"] == 3
    assert summary["duplicate"] == 3
    assert summary["header"] == ["url", "note"]
    assert summary["format"] == "csv"
    assert summary["ignored_lines"] == 2
    with Session(engine) as s:
        stored = {c.vk_id: c for c in s.scalars(select(Community).where(Community.workspace_id == ws))}
    assert set(stored) == {roles[k].id for k in ("open", "open2", "closed", "banned")}
    assert not stored[roles["closed"].id].can_collect
    assert stored[roles["open"].id].source_input == f"https://vk.com/{roles['open'].screen_name}"


def test_out_of_time_continues_in_another_task_and_finishes_there(engine: Engine, vk_env: VkEnv, ws: uuid.UUID) -> None:
    roles = communities(vk_env)
    queue = RecordingQueue()
    view = start(engine, ws, f"{roles['open'].screen_name}\nclub{roles['open2'].id}\n", queue, priority="normal")
    # 10 s left: below the reserve plus one batch, so the first run only checkpoints and hands over
    first = run_task(queue.sent[0].message, deps(engine, vk_env, queue, remaining_ms=10_000), receive_count=1)
    assert first.status == "fanned_out"
    continuation = queue.sent[1]
    assert continuation.message.task == IMPORT_CONTINUE_TASK
    assert continuation.message.params == {"run": 1}
    assert continuation.priority is Priority.NORMAL
    running = job(engine, ws, view.id)
    assert running.status is JobStatus.RUNNING
    with Session(engine) as s:
        row = s.get(Job, view.id)
        assert row is not None
        assert import_progress(row) == {"percent": 0.0, "lines_done": 0, "lines_total": 2, "runs": 2}
    # a stale (older) delivery is ignored; the expected run finishes the job
    assert run_task(queue.sent[0].message, deps(engine, vk_env, queue), receive_count=2).status == "fanned_out"
    assert len(queue.sent) == 2
    run_task(continuation.message, deps(engine, vk_env, queue), receive_count=1)
    done = job(engine, ws, view.id)
    assert done.status is JobStatus.SUCCEEDED
    assert done.result is not None
    assert [r["outcome"] for r in done.result["lines"]] == ["created", "created"]
    assert done.result["summary"]["runs"] == 2
    with Session(engine) as s:
        row = s.get(Job, view.id)
        assert row is not None
        assert import_progress(row)["percent"] == 100.0


def test_without_tokens_the_job_fails_with_the_reason(engine: Engine, vk_env: VkEnv, workspace_id: uuid.UUID) -> None:
    queue = RecordingQueue()
    view = start(engine, workspace_id, "apiclub\n", queue)
    assert run_task(queue.sent[0].message, deps(engine, vk_env, queue), receive_count=1).status == "failed"
    failed = job(engine, workspace_id, view.id)
    assert failed.status is JobStatus.FAILED
    assert failed.error is not None
    assert "POST /v1/vk-tokens" in failed.error.message


def test_file_level_problems_are_refused_before_queueing(engine: Engine, ws: uuid.UUID) -> None:
    queue = RecordingQueue()
    with pytest.raises(PayloadTooLarge):
        start(engine, ws, "a" * (MAX_UPLOAD_BYTES + 1), queue)
    with pytest.raises(InvalidInput, match="no communities"):
        start(engine, ws, "# nothing\n\n", queue)
    with pytest.raises(InvalidInput, match="10000"):
        start(engine, ws, "\n".join(f"club{i}" for i in range(1, 10_002)), queue)
    assert queue.sent == []


def test_batch_size_follows_the_pools_speed(engine: Engine, vk_env: VkEnv, ws: uuid.UUID) -> None:
    factory = workspace_client_factory(engine, vk_env.settings, vk_env.redis, vk_env.secrets)
    with factory(ws) as client:
        assert batch_size(client) == 500  # a user token resolves 75 names/s through execute
    with factory(uuid.uuid4()) as client:
        assert batch_size(client) == 25  # no tokens: the floor
