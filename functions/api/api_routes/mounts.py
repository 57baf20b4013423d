"""Route modules included in the resolver on the first request under the path they serve.

A cold container answers its first request after importing only the route modules of that request's
path: a GET /v1/communities does not build the pydantic models, services and clients of stats,
comments, webhooks or exports. The table of mounts is explicit (app.py) and importing a route module
registers nothing by itself; `include_for` includes a module's router the way `include_router` always
did, in table order, and `include_all` includes every one (the OpenAPI spec, a SnapStart snapshot).

Resolution is unchanged by the laziness: a mount serves every path under its prefix, and every route
of a module lives under the prefixes its mounts declare (tests/unit/test_api_mounts.py checks it), so
by the time a path is resolved all routes that could match it — and all that the 404/405 answers
consult — are included.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.api_gateway import Router


@dataclass(frozen=True, slots=True)
class Mount:
    """`api_routes.<module>.<router>` included under `prefix`, needed by requests under `serves`.

    A `<name>` segment of `serves` stands for any one segment, as in a route: a module whose routes all
    live under /v1/communities/<community_id> is not loaded for GET /v1/communities.
    """

    serves: str
    module: str
    router: str = "router"
    prefix: str = "/v1"

    def serves_path(self, path: str) -> bool:
        if "<" not in self.serves:
            return path == self.serves or path.startswith(self.serves + "/")
        wanted = self.serves.split("/")
        segments = path.split("/")
        if len(segments) < len(wanted):
            return False
        return all(
            got == want or (want.startswith("<") and want.endswith(">") and got != "")
            for want, got in zip(wanted, segments, strict=False)
        )

    def load(self) -> Router:
        router: Router = getattr(importlib.import_module(f"api_routes.{self.module}"), self.router)
        return router


class LazyRoutes:
    """The mounts of one resolver, each included at most once."""

    def __init__(self, api: APIGatewayHttpResolver, mounts: Sequence[Mount]) -> None:
        self._api = api
        self._mounts = tuple(mounts)
        self._included: set[Mount] = set()
        self._lock = threading.Lock()

    def include_for(self, path: str) -> None:
        """Include every mount that serves `path` (cheap once they are: a set lookup per mount)."""
        self._include([m for m in self._mounts if m.serves_path(path)])

    def include_all(self) -> None:
        self._include(self._mounts)

    @property
    def included(self) -> list[Mount]:
        return [m for m in self._mounts if m in self._included]

    def _include(self, mounts: Sequence[Mount]) -> None:
        if all(m in self._included for m in mounts):
            return
        with self._lock:
            for mount in mounts:
                if mount not in self._included:
                    self._api.include_router(mount.load(), prefix=mount.prefix)
                    self._included.add(mount)
