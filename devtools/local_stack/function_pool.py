"""Lambda's scaling for one function: containers start on demand, up to a concurrency cap.

An invocation takes a warm idle container, else cold-starts a new one while fewer than `cap` exist,
else waits for one to become free. Each container serves one invocation at a time. `restart(env)`
retires every container (busy ones when their invocation ends), so later invocations cold-start with
the new environment, as after a configuration update in Lambda.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from devtools.local_stack.container import ContainerImage, ContainerProcess, stop_all


class FunctionPool:
    """The execution environments of one function."""

    def __init__(self, image: ContainerImage, region: str, cap: int) -> None:
        if cap < 1:
            raise ValueError("a function needs a concurrency of at least 1")
        self.image = image
        self.region = region
        self.cap = cap
        self._idle: list[ContainerProcess] = []
        self._busy: set[ContainerProcess] = set()
        self._retired: set[ContainerProcess] = set()
        self._next_index = 0
        self._cond = threading.Condition()
        self._closed = False
        self.cold_starts = 0

    @property
    def function_id(self) -> str:
        return self.image.function.logical_id

    def pids(self) -> list[int]:
        with self._cond:
            containers = [*self._idle, *self._busy]
        return sorted(pid for c in containers if (pid := c.pid) is not None)

    def invoke(self, event: dict[str, Any]) -> Any:
        container = self._acquire()
        try:
            return container.invoke(event)
        finally:
            self._release(container)

    def warm_up(self, count: int = 1) -> None:
        """Start `count` containers now, in parallel (a cold start is mostly imports)."""
        count = min(count, self.cap)
        taken = [self._acquire() for _ in range(count)]
        errors: list[BaseException] = []

        def start(container: ContainerProcess) -> None:
            try:
                if not container.warm:
                    container.start()
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=start, args=(c,)) for c in taken]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for container in taken:
            self._release(container)
        if errors:
            raise errors[0]

    def restart(self, image: ContainerImage | None = None) -> None:
        """Retire every container; the next invocations cold-start (with `image`, if given)."""
        with self._cond:
            if image is not None:
                self.image = image
            idle, self._idle = self._idle, []
            self._retired |= self._busy
            self._cond.notify_all()
        stop_all(idle)

    def close(self) -> None:
        """Stop every container (busy ones are killed: the stack is going away)."""
        with self._cond:
            self._closed = True
            containers = [*self._idle, *self._busy]
            self._idle, self._busy = [], set()
            self._cond.notify_all()
        stop_all(containers)

    def _acquire(self) -> ContainerProcess:
        with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError(f"{self.function_id}: the local stack is stopping")
                warm = next((c for c in reversed(self._idle) if c.warm), None)
                if warm is not None:
                    self._idle.remove(warm)
                    self._busy.add(warm)
                    return warm
                if self._idle:  # a container whose process ended: it cold-starts on its next invocation
                    container = self._idle.pop()
                    self._busy.add(container)
                    return container
                if len(self._busy) < self.cap:
                    container = ContainerProcess(self.image, self.region, self._next_index)
                    self._next_index += 1
                    self.cold_starts += 1
                    self._busy.add(container)
                    return container
                self._cond.wait()

    def _release(self, container: ContainerProcess) -> None:
        with self._cond:
            self._busy.discard(container)
            retired = container in self._retired or self._closed
            self._retired.discard(container)
            if not retired:
                self._idle.append(container)
            self._cond.notify()
        if retired:
            container.stop()


Invoke = Callable[[dict[str, Any]], Any]
