"""Helpers for tests that race transactions: one connection per racer, and interleavings forced by
holding one transaction open while another runs until it finishes or waits for a lock."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from vkc.db.engine import make_engine
from vkc.settings import Settings

RACERS = 20


@pytest.fixture
def racing_engine(settings: Settings) -> Iterator[Engine]:
    """Enough connections that every racer holds its own at once."""
    engine = make_engine(settings, pool_size=RACERS + 2)
    yield engine
    engine.dispose()


def backend_pid(session: Session) -> int:
    return int(session.scalar(text("SELECT pg_backend_pid()")) or 0)


def wait_until_done_or_blocked(engine: Engine, thread: threading.Thread, pid: list[int]) -> None:
    """Until `thread` has finished, or its backend (pid[0], once known) waits for a lock."""
    with Session(engine) as probe:
        while thread.is_alive():
            if pid:
                waiting = probe.scalar(
                    text("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid[0]}
                )
                probe.rollback()  # a fresh snapshot of pg_stat_activity on the next look
                if waiting:
                    return
            thread.join(0.01)


@dataclass
class Outcomes:
    """What each racer's call returned or raised."""

    results: list[Any] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, call: Callable[[], Any]) -> None:
        try:
            result = call()
        except BaseException as exc:
            with self.lock:
                self.errors.append(exc)
        else:
            with self.lock:
                self.results.append(result)


def in_background(target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target)
    thread.start()
    return thread


def race(engine: Engine, acts: list[Callable[[Session], Any]]) -> Outcomes:
    """Run each act in its own thread and transaction-owning session, all released at once."""
    barrier = threading.Barrier(len(acts))
    outcomes = Outcomes()

    def racer(act: Callable[[Session], Any]) -> None:
        with Session(engine, expire_on_commit=False) as session:
            session.connection()  # connected before the start line, so the calls truly overlap
            barrier.wait()
            outcomes.run(lambda: act(session))

    threads = [in_background(lambda act=act: racer(act)) for act in acts]
    for thread in threads:
        thread.join()
    return outcomes
