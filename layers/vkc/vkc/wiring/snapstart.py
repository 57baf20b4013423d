"""Lambda SnapStart runtime hooks: what a snapshot may carry into its restores, and what it must not.

With SnapStart, Lambda runs a function's init once per published version, snapshots the memory and
restores copies of that snapshot for cold starts. Whatever init made is shared by every copy:
- `random`'s state: every copy would draw the same "random" numbers (retry jitter, sampling);
- sockets: a database or Redis connection opened before the snapshot would be used by many copies;
- credentials: the snapshot's temporary credentials expire; clients and cached secrets made with them
  must be rebuilt from the restored environment.
`after_restore` undoes all three. Before the snapshot a door may warm what is worth keeping (imports,
mappers), never connections.

The hooks go through `snapshot_restore_py`, which the Python managed runtime provides (it is not a
dependency of ours). Without it (tests, the local stack, a non-Lambda interpreter) they go to
`LOCAL`, a registry with the same order rules that tests run by hand.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from typing import Any

from vkc.adapters import redis_client
from vkc.db import engine as db_engine
from vkc.db import iam_token
from vkc.wiring.once import PerSettings

Hook = Callable[[], None]


class LocalHooks:
    """The runtime's registry where there is no runtime: before-snapshot hooks run in reverse order of
    registration, after-restore hooks in order, as `snapshot_restore_py` runs them."""

    def __init__(self) -> None:
        self.before: list[Hook] = []
        self.after: list[Hook] = []

    def register_before_snapshot(self, hook: Hook) -> Hook:
        self.before.append(hook)
        return hook

    def register_after_restore(self, hook: Hook) -> Hook:
        self.after.append(hook)
        return hook

    def run_before_snapshot(self) -> None:
        for hook in reversed(self.before):
            hook()

    def run_after_restore(self) -> None:
        for hook in self.after:
            hook()


LOCAL = LocalHooks()


def _runtime_registry() -> tuple[Callable[[Hook], Any], Callable[[Hook], Any]]:
    try:
        from snapshot_restore_py import (  # type: ignore[import-not-found]
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        return LOCAL.register_before_snapshot, LOCAL.register_after_restore
    return register_before_snapshot, register_after_restore


def register(*, before_snapshot: Hook, after_restore: Hook) -> None:
    """Register a door's hooks with the runtime (or `LOCAL`); harmless where SnapStart is off."""
    on_snapshot, on_restore = _runtime_registry()
    on_snapshot(before_snapshot)
    on_restore(after_restore)


# AWS adapters cached per process; cleared only if loaded (a restore must not import boto3 to forget it)
_AWS_CACHES = (
    ("vkc.adapters.aws", "client"),
    ("vkc.adapters.s3", "_client"),
    ("vkc.adapters.secrets", "_store"),  # the client and the secrets it read
)


def forget_aws_clients() -> None:
    """Drop cached boto3 clients and secrets: rebuilt on next use from the restored credentials."""
    for module_name, attribute in _AWS_CACHES:
        module = sys.modules.get(module_name)
        if module is not None:
            getattr(module, attribute).cache_clear()
    iam_token.forget_credentials()


def after_restore(*built: PerSettings[Any]) -> None:
    """What every restored process runs before its first event; `built` are the door's dependencies."""
    random.seed()  # from os.urandom: each restored copy gets its own sequence
    db_engine.forget_connections()
    redis_client.forget_connections()
    forget_aws_clients()
    for deps in built:
        deps.reset()
