"""The lazy task registry: every declared task resolves to a handler of the right shape, lookups stay cheap."""

from __future__ import annotations

import inspect
import types
import typing
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from vkc.analysis_store.reanalysis import RANGE_TASK
from vkc.analysis_store.task import ANALYZE_TASK
from vkc.collection.harvest_task import HARVEST_TASK
from vkc.communities.importer import IMPORT_CONTINUE_TASK
from vkc.errors import PermanentJobError
from vkc.exports.task import EXPORT_CONTINUE_TASK
from vkc.jobs.context import TaskContext
from vkc.jobs.outcomes import Deferred
from vkc.jobs.registry import LazyHandlers
from vkc.jobs.runner import run_task
from vkc.jobs.schemas import TaskMessage
from vkc.webhooks.alerts import DELIVER_TASK
from vkc.wiring.catalogue import JOBS, REGISTRY, JobType

ROOT_HANDLERS = REGISTRY.roots
TASK_HANDLERS = REGISTRY.tasks
DETACHED_HANDLERS = REGISTRY.detached
CLOSED_HANDLERS = REGISTRY.closed


def test_every_job_type_has_a_root_handler() -> None:
    assert set(ROOT_HANDLERS) == {t.value for t in JobType} == set(JOBS)


def test_every_spec_is_listed_under_its_own_name() -> None:
    assert all(spec.name == name for name, spec in JOBS.items())


def test_sub_task_names_are_their_modules_constants() -> None:
    assert set(TASK_HANDLERS) == {HARVEST_TASK, IMPORT_CONTINUE_TASK, RANGE_TASK, EXPORT_CONTINUE_TASK}
    assert set(DETACHED_HANDLERS) == {ANALYZE_TASK, DELIVER_TASK}


def _hints(handler: Callable[..., object]) -> tuple[list[object], object]:
    params = list(inspect.signature(handler).parameters.values())
    hints = typing.get_type_hints(handler)
    return [hints[p.name] for p in params], hints["return"]


@pytest.mark.parametrize("name", sorted(ROOT_HANDLERS))
def test_root_targets_take_a_context_and_return_a_result_or_deferred(name: str) -> None:
    handler = ROOT_HANDLERS[name]
    params, returns = _hints(handler)
    assert params == [TaskContext], name
    answers = set(typing.get_args(returns)) if isinstance(returns, types.UnionType) else {returns}
    assert answers <= {dict[str, Any], Deferred}, (name, returns)


def test_closed_handlers_are_for_job_types() -> None:
    assert set(CLOSED_HANDLERS) <= set(JOBS)


@pytest.mark.parametrize("name", sorted([*TASK_HANDLERS, *DETACHED_HANDLERS, *CLOSED_HANDLERS]))
def test_task_targets_take_a_context_and_return_nothing(name: str) -> None:
    handler = TASK_HANDLERS.get(name) or DETACHED_HANDLERS.get(name) or CLOSED_HANDLERS[name]
    assert _hints(handler) == ([TaskContext], type(None)), name


def test_unknown_names_behave_like_a_dict() -> None:
    assert "nope" not in TASK_HANDLERS
    assert ROOT_HANDLERS.get("nope") is None
    with pytest.raises(KeyError):
        DETACHED_HANDLERS["nope"]


def test_membership_does_not_import() -> None:
    handlers: LazyHandlers[Callable[[TaskContext], None]] = LazyHandlers({"t": "vkc.no_such_module:run"})
    assert "t" in handlers
    assert list(handlers) == ["t"]
    with pytest.raises(ModuleNotFoundError):
        handlers["t"]


def test_an_unknown_task_fails_permanently_before_touching_anything() -> None:
    message = TaskMessage(job_id=uuid.uuid4(), task="no.such.task", task_id="x")
    with pytest.raises(PermanentJobError, match=r"Unknown task 'no\.such\.task'"):
        run_task(message, deps=types.SimpleNamespace(registry=REGISTRY), receive_count=1)  # type: ignore[arg-type]
