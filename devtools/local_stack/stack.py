"""LocalStack: the whole application on one machine, wired from template.yaml.

PostgreSQL + Redis (real), SQS + S3 (moto server), the VK emulator, and every function in its own
OS processes (one per execution environment, started on demand up to the function's concurrency, as
Lambda scales) behind an HTTP API adapter, SQS pollers and a scheduler ticker. Used by `make up`,
`make invoke`, the e2e tests and the demo:

    with LocalStack(run_id="t123", api_port=0, moto_port=0, emulator=True) as stack:
        httpx.get(f"{stack.api_url}/health/live")
        stack.drain(30)
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devtools.local_stack import aws, database, static_site
from devtools.local_stack.container import ContainerImage, describe_failure, reserved_environment
from devtools.local_stack.emulator import DEV_VK_TOKENS, RunningEmulator, start_vk_emulator
from devtools.local_stack.env import LocalResources, applied, stack_environment
from devtools.local_stack.function_pool import FunctionPool
from devtools.local_stack.http_adapter import HttpApiServer, cors_from_template, routes_from_template
from devtools.local_stack.scheduler import SchedulerTicker
from devtools.local_stack.sqs_poller import QueueBinding, SqsPoller, queue_depths, wait_until
from devtools.local_stack.template import TEMPLATE_PATH, SamTemplate

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient
    from vkc.settings import Settings

API_FUNCTION = "ApiFunction"
#: Local cap on concurrent batches per worker function (AWS runs up to the sum of the caps).
DEFAULT_LOCAL_CONCURRENCY = 2
#: Local cap on concurrent API containers: enough that concurrent requests really interleave.
DEFAULT_API_CONCURRENCY = 4


class LocalStack:
    """Start with `with LocalStack(...) as stack:` (or `start()`/`stop()`)."""

    def __init__(
        self,
        run_id: str | None = None,
        *,
        api_port: int = 0,
        moto_port: int = 0,
        emulator: bool = True,
        emulator_port: int = 0,
        persistent: bool = False,
        db_name: str | None = None,
        redis_db: int | None = None,
        pollers: bool = True,
        auto_schedule: bool = True,
        local_concurrency: int = DEFAULT_LOCAL_CONCURRENCY,
        api_concurrency: int = DEFAULT_API_CONCURRENCY,
        env_overrides: Mapping[str, str] | None = None,
        log_dir: Path | None = None,
        template_path: Path = TEMPLATE_PATH,
        region: str = "eu-central-1",
        dev_api_key: str | None = None,
    ) -> None:
        self.run_id = run_id or secrets.token_hex(4)
        self.persistent = persistent
        self.db_name = db_name or ("vkc_local" if persistent else database.database_name(self.run_id))
        self.redis_db = redis_db if redis_db is not None else database.redis_db_for(self.run_id, persistent=persistent)
        self.region = region
        self.tpl = SamTemplate.load(template_path)
        self._api_port = api_port
        self._moto_port = moto_port
        self._want_emulator = emulator
        self._emulator_port = emulator_port
        self._want_pollers = pollers
        self._auto_schedule = auto_schedule
        self._local_concurrency = max(1, local_concurrency)
        self._api_concurrency = max(1, api_concurrency)
        self._env_overrides = dict(env_overrides or {})
        self._own_log_dir = log_dir is None
        self.log_dir = log_dir or Path()
        self._reuse_key = dev_api_key
        self._exit = ExitStack()
        self._pools: dict[str, FunctionPool] = {}
        self._pollers: list[SqsPoller] = []
        self._tickers: dict[str, SchedulerTicker] = {}
        self._started = False
        self.moto = aws.MotoServer(port=moto_port)
        self.emulator = RunningEmulator(url=None)
        self.http: HttpApiServer | None = None
        self.resources = aws.StackResources()
        self.env: dict[str, str] = {}
        self.api_key = ""
        self.workspace_id = ""
        self.sqs: SQSClient
        self.s3: S3Client

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> LocalStack:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self._started = True
        database.ensure_services()
        moto_url = self.moto.start()
        self.sqs = aws.aws_client("sqs", moto_url, self.region)
        self.s3 = aws.aws_client("s3", moto_url, self.region)
        self.resources = aws.create_resources(self.tpl, self.run_id, self.sqs, self.s3, self.region)
        if self._want_emulator:
            self.emulator = start_vk_emulator(port=self._emulator_port)
        # Bind the HTTP port before building the environment: CORS_ORIGINS is the API's own URL.
        self.http = HttpApiServer(
            call=lambda event: self.invoke(API_FUNCTION, event),
            routes=routes_from_template(self.tpl),
            cors=None,
            port=self._api_port,
            static_root=static_site.WEB_ROOT,
            describe=describe_failure,
        )
        res = LocalResources(
            run_id=self.run_id,
            region=self.region,
            moto_url=moto_url,
            db_name=self.db_name,
            queue_urls=self.resources.queue_urls,
            queue_arns=self.resources.queue_arns,
            buckets=self.resources.buckets,
            redis_url=f"redis://127.0.0.1:6379/{self.redis_db}",
            vk_api_url=self.emulator.vk_api_url,
            api_url=self.http.url,
            extra=self._env_overrides,
        )
        self.env = stack_environment(self.tpl, res)
        self._exit.enter_context(applied(self.env))  # this process too: tests reach the database directly
        self.http.cors = cors_from_template(self.tpl, self.settings.cors_origin_list)
        if self._own_log_dir:
            self.log_dir = Path(tempfile.mkdtemp(prefix=f"vkc-local-{self.run_id}-"))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._create_pools()

        # The first API container cold-starts while the database is created and migrated.
        warming = _Background(lambda: self._pools[API_FUNCTION].warm_up(1))
        created = database.create_database(self.db_name)
        if not created and not self.persistent:
            raise RuntimeError(f"database {self.db_name} already exists: is run id {self.run_id} in use?")
        database.migrate(self.settings)
        self._ensure_api_key()
        warming.join()

        self.http.start()
        self._wait_live()
        if self._want_pollers:
            self._start_pollers()
        for spec in self.tpl.schedules():
            ticker = SchedulerTicker(spec, self._caller(spec.function_id), self.region)
            self._tickers[spec.function_id] = ticker
            if self._auto_schedule:
                ticker.start()

    def stop(self) -> None:
        """Stop threads and containers; a non-persistent run also drops its database, Redis db and moto resources."""
        if not self._started:
            return
        self._started = False
        for ticker in self._tickers.values():
            ticker.stop()
        for poller in self._pollers:
            poller.stop()
        if self.http is not None:
            self.http.stop()
        _all_at_once([pool.close for pool in self._pools.values()])
        self.emulator.stop()
        try:
            if not self.persistent and self.resources.queue_urls:
                aws.delete_resources(self.resources, self.sqs, self.s3)
        finally:
            self._exit.close()  # restores the environment and disposes engines/clients
            if not self.persistent:
                database.drop_database(self.db_name)
                database.flush_redis(f"redis://127.0.0.1:6379/{self.redis_db}")
            self.moto.stop()
            if self._own_log_dir and self.log_dir != Path():
                shutil.rmtree(self.log_dir, ignore_errors=True)

    # ------------------------------------------------------------------ public API

    @property
    def api_url(self) -> str:
        return self.http.url if self.http else ""

    @property
    def moto_url(self) -> str:
        return self.moto.url

    @property
    def vk_api_url(self) -> str | None:
        return self.emulator.vk_api_url

    @property
    def vk_tokens(self) -> dict[str, str]:
        return dict(self.emulator.tokens)

    @property
    def settings(self) -> Settings:
        from vkc.settings import get_settings

        return get_settings()

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        """Invoke a template function with `event` in one of its container processes (cold-starting one
        when all are busy, waiting when the function is at its concurrency). A handler exception or a
        timeout raises `FunctionError`."""
        return self._pools[logical_id].invoke(event)

    def warm(self, logical_id: str, count: int | None = None) -> None:
        """Cold-start `count` containers of `logical_id` now (default: up to its concurrency), in parallel,
        so a test's first invocations don't pay for imports."""
        pool = self._pools[logical_id]
        pool.warm_up(pool.cap if count is None else count)

    def function_pids(self) -> dict[str, list[int]]:
        """Process ids of each function's live containers."""
        return {fid: pool.pids() for fid, pool in self._pools.items()}

    def log_file(self, logical_id: str) -> Path:
        """Where the containers of `logical_id` write their stdout and stderr."""
        return self.log_dir / f"{logical_id}.log"

    def restart_function(self, logical_id: str, env: Mapping[str, str] | None = None) -> None:
        """Retire `logical_id`'s containers; later invocations cold-start with the stack environment
        plus `env` (as after a configuration update in Lambda). `env=None` restores the stack's."""
        self._pools[logical_id].restart(self._image(logical_id, env or {}))

    @contextmanager
    def function_env(self, logical_id: str, env: Mapping[str, str]) -> Iterator[None]:
        """`logical_id` runs with `env` on top of the stack environment inside the block (e.g. REDIS_URL
        pointing at a closed port), then with the stack's own again."""
        self.restart_function(logical_id, env)
        try:
            yield
        finally:
            self.restart_function(logical_id)

    def tick_scheduler(self, logical_id: str = "SchedulerFunction") -> Any:
        """One scheduler tick now (the event its schedule sends); returns the handler's result."""
        return self._tickers[logical_id].tick()

    def queue_depths(self) -> dict[str, dict[str, int]]:
        return queue_depths(self.sqs, self.resources.queue_urls)

    def drain(self, timeout: float = 30.0, *, include_retries: bool = True) -> None:
        """Wait until every consumed queue is empty and no batch is in flight.

        `include_retries=False` ignores failed messages waiting out their visibility timeout.
        """
        consumed = {ev.queue_id: self.resources.queue_urls[ev.queue_id] for ev in self.tpl.sqs_events()}

        def idle() -> bool:
            if any(p.busy for p in self._pollers):
                return False
            for d in queue_depths(self.sqs, consumed).values():
                if d["visible"] or d["delayed"] or (include_retries and d["not_visible"]):
                    return False
            return not any(p.busy for p in self._pollers)

        def settled() -> bool:  # twice, apart: a batch may enqueue follow-up work as it ends
            if not idle():
                return False
            time.sleep(0.05)
            return idle()

        if not wait_until(settled, timeout, interval=0.1):
            raise TimeoutError(f"queues not drained after {timeout}s: {queue_depths(self.sqs, consumed)}")

    def state(self) -> dict[str, Any]:
        """What `.local/stack.json` records for other tools."""
        return {
            "run_id": self.run_id,
            "api_url": self.api_url,
            "moto_url": self.moto_url,
            "emulator_url": self.emulator.url,
            "vk_api_url": self.vk_api_url,
            "db_name": self.db_name,
            "redis_url": self.env.get("REDIS_URL"),
            "queues": dict(self.resources.queue_urls),
            "queue_arns": dict(self.resources.queue_arns),
            "buckets": dict(self.resources.buckets),
            "workspace_id": self.workspace_id,
            "vk_tokens": sorted(self.vk_tokens),
            "log_dir": str(self.log_dir),
            "functions": {
                fid: {"pids": pool.pids(), "concurrency": pool.cap, "log": str(self.log_file(fid))}
                for fid, pool in self._pools.items()
            },
        }

    # ------------------------------------------------------------------ internals

    def _caller(self, logical_id: str) -> Callable[[dict[str, Any]], Any]:
        return lambda event: self.invoke(logical_id, event)

    def _concurrency(self, logical_id: str) -> int:
        """The API: api_concurrency; a worker: its queues' caps, at most local_concurrency; others: 1."""
        if logical_id == API_FUNCTION:
            return self._api_concurrency
        events = self.tpl.sqs_events(logical_id)
        if events:
            caps = sum(ev.maximum_concurrency or 1000 for ev in events)
            return min(caps, self._local_concurrency)
        return 1

    def _image(self, logical_id: str, overrides: Mapping[str, str]) -> ContainerImage:
        spec = self.tpl.function(logical_id)
        env = {**self.env, **reserved_environment(spec, self.region, self.run_id), **overrides}
        return ContainerImage.of(self.tpl, logical_id, env, self.log_file(logical_id))

    def _create_pools(self) -> None:
        for fid in self.tpl.function_ids:
            self._pools[fid] = FunctionPool(self._image(fid, {}), self.region, self._concurrency(fid))

    def _start_pollers(self) -> None:
        queues = self.resources
        by_function: dict[str, list[QueueBinding]] = {}
        for ev in self.tpl.sqs_events():
            by_function.setdefault(ev.function_id, []).append(
                QueueBinding(
                    name=ev.queue_id,
                    url=queues.queue_urls[ev.queue_id],
                    arn=queues.queue_arns[ev.queue_id],
                    batch_size=min(ev.batch_size, 10),
                    max_concurrency=ev.maximum_concurrency or 1000,
                )
            )
        for function_id, bindings in by_function.items():
            pool = self._pools[function_id]
            poller = SqsPoller(
                function_id, self.sqs, bindings, [pool.invoke] * pool.cap, self.region, describe=describe_failure
            )
            poller.start()
            self._pollers.append(poller)

    def _ensure_api_key(self) -> None:
        from vkc.db.engine import session_scope
        from vkc.workspaces.service import authenticate, create_workspace

        reused = False
        if self._reuse_key:
            try:
                with session_scope(self.settings) as session:
                    principal = authenticate(session, self._reuse_key)
                self.api_key, self.workspace_id = self._reuse_key, str(principal.workspace_id)
                reused = True
            except Exception:  # noqa: S110 - a stale key from an older database: make a new one
                pass
        if not reused:
            with session_scope(self.settings) as session:
                workspace, key = create_workspace(session, f"local-{self.run_id}")
                self.api_key, self.workspace_id = key, str(workspace.id)
        if self.persistent:
            self._register_dev_tokens()

    def _register_dev_tokens(self) -> None:
        """`make up`'s dev workspace gets the emulator's tokens, so a collection works right away.

        At every start: the database keeps the token rows between runs but the secrets lived in the
        previous moto, so adding them again stores their secrets anew (the product's repair path).
        Test and demo stacks don't: they add tokens through the API like a user would.
        """
        import uuid as uuid_mod

        from pydantic import SecretStr
        from vkc.adapters.redis_client import get_redis
        from vkc.adapters.secrets import secret_store
        from vkc.db.engine import session_scope
        from vkc.errors import Conflict
        from vkc.vk_tokens.clients import transport
        from vkc.vk_tokens.schemas import VkTokenCreate
        from vkc.vk_tokens.service import add_token

        if not self.emulator.url:
            return
        for token, kind in self.emulator.tokens.items() or DEV_VK_TOKENS.items():
            try:
                with session_scope(self.settings) as session:
                    add_token(
                        session,
                        uuid_mod.UUID(self.workspace_id),
                        VkTokenCreate(token=SecretStr(token), label=f"emulator {kind}"),
                        settings=self.settings,
                        redis_client=get_redis(self.settings),
                        secrets=secret_store(self.settings),
                        transport=transport(self.settings),
                    )
            except Conflict:
                continue  # already registered in this dev database

    def _wait_live(self, timeout: float = 30.0) -> None:
        url = f"{self.api_url}/health/live"

        def live() -> bool:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own localhost URL
                    return bool(response.status == 200)
            except OSError:
                return False

        if not wait_until(live, timeout, interval=0.2):
            raise RuntimeError(f"{url} did not answer 200 within {timeout}s")


def dump_state(stack: LocalStack, directory: Path) -> None:
    """Write `.local/stack.json` and `.local/dev-api-key` (0600) for the developer and other tools."""
    directory.mkdir(parents=True, exist_ok=True)
    key_file = directory / "dev-api-key"
    key_file.touch(mode=0o600, exist_ok=True)
    key_file.chmod(0o600)
    key_file.write_text(stack.api_key + "\n")
    partial = directory / "stack.json.tmp"
    partial.write_text(json.dumps(stack.state(), indent=2) + "\n")
    partial.replace(directory / "stack.json")  # readers never see half a file


class _Background:
    """Run `work` in a thread; `join()` re-raises what it raised."""

    def __init__(self, work: Callable[[], None]) -> None:
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:
            self._error = exc

    def join(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


def _all_at_once(calls: list[Callable[[], None]]) -> None:
    threads = [threading.Thread(target=call) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
