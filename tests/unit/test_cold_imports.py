"""What each Lambda door imports at a cold start: only what its common paths need.

Each door is imported in a fresh interpreter (the way Lambda loads `app`) and the heavy modules that
only some routes or task types use must not be loaded yet: the analysis engine, the VK client and
harvester, httpx, openpyxl, the Swagger UI. Tracing is disabled: X-Ray's patch_all imports every
library it can patch (httpx included) in a traced Lambda; this guards what our code imports.
Timing-free on purpose; `bench/coldstart_bench.py` measures the milliseconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "vkc"

ENGINE = ["vkc.analysis.analyzer", "vkc.analysis.matcher", "rumorph"]  # morphology itself loads rumorph lazily
VK = ["vkc.vk.client", "vkc.vk.harvest", "vkc.vk.transport", "tenacity"]
EXPORTS = ["vkc.exports.writers", "openpyxl"]
SWAGGER = [
    "aws_lambda_powertools.event_handler.openapi.swagger_ui",
    "aws_lambda_powertools.event_handler.openapi.models",
]
#: the registry imports these on a task type's first use
HANDLERS = [
    "vkc.probe.task",
    "vkc.collection.plan",
    "vkc.collection.harvest_task",
    "vkc.communities.importer",
    "vkc.analysis_store.reanalysis",
    "vkc.analysis_store.task",
    "vkc.exports.task",
    "vkc.webhooks.delivery",
]
#: pydantic-settings: vkc.settings reads the environment itself (its import cost ~25 ms of every cold start)
EVERYWHERE = [*ENGINE, *VK, *EXPORTS, "httpx", "vkc.webhooks.delivery", "pydantic_settings"]

NOT_AT_COLD_START = {
    "api": [*EVERYWHERE, *SWAGGER],
    "parse_worker": [*EVERYWHERE, *HANDLERS],
    "analyze_worker": [*EVERYWHERE, *HANDLERS],
    "scheduler": [*EVERYWHERE, *HANDLERS, *SWAGGER],
    "migrate": [*EVERYWHERE, *HANDLERS, *SWAGGER],
}
#: task types by the worker that consumes them (root jobs by their JobSpec; sub-tasks by the queue they are sent to)
PARSE_TASKS = ["probe", "collect", "communities.import", "collect.harvest", "communities.import.continue"]
ANALYZE_TASKS = ["reanalyze", "export", "reanalyze.range", "analyze.comments", "webhooks.deliver"]


#: what only some API routes need: AWS SDK (SQS, S3, secrets; Powertools' idempotency imports boto3 with
#: its package), the route modules of other paths
API_OTHER_ROUTES = [
    "boto3",
    "botocore.session",  # the package itself is imported by Powertools (a user-agent hook, ~0.5 ms)
    "botocore.client",
    "aws_lambda_powertools.utilities.idempotency",
    *(f"api_routes.{m}" for m in ("analysis", "comments", "stats", "webhooks", "exports", "keywords", "jobs")),
    "api_routes.collections",  # its routes live under /v1/communities/<community_id>/…
    "vkc.communities.bulk",  # POST /v1/communities/import
    "vkc.wiring.catalogue",
    "vkc.vk.models",
    # the tables of other features: their mappers are neither built nor configured by a community listing
    "vkc.db.models_analysis",
    "vkc.db.models_webhooks",
    "vkc.db.models_search",
    # posts, comments, authors, tasks, tokens, runs: a listing needs only vkc.db.models_community
    "vkc.db.models_collection",
    # botocore's signer: the RDS auth token is signed with hashlib/hmac (vkc.db.iam_token)
    "botocore.auth",
    "urllib3",
]
#: a traced Lambda: Powertools' Tracer is on where LAMBDA_TASK_ROOT is set
TRACED = {
    "LAMBDA_TASK_ROOT": "/var/task",
    "AWS_LAMBDA_FUNCTION_NAME": "vkc-ApiFunction",
    "POWERTOOLS_TRACE_DISABLED": "false",
}


def _env(stage: str, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "AWS_REGION": "eu-central-1",
        "STAGE": stage,
        "DB_HOST": "db.invalid",
        "REDIS_URL": "redis://redis.invalid:6379/0",
        "POWERTOOLS_TRACE_DISABLED": "true",
        **extra,
    }


def _loaded_after(
    code: str, door: str, watched: list[str], *, stage: str = "prod", env: dict[str, str] | None = None
) -> list[str]:
    """Run `code` in a fresh interpreter with the door on sys.path; the watched modules it left loaded."""
    directory = ROOT / "functions" / door
    script = (
        f"import json, sys; sys.path[:0] = [{str(directory)!r}, {str(LAYER)!r}]\n"
        f"{code}\n"
        f"print(json.dumps(sorted(m for m in {watched!r} if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=directory,
        env=_env(stage, **(env or {})),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize("door", sorted(NOT_AT_COLD_START))
def test_a_cold_start_imports_only_what_the_common_paths_need(door: str) -> None:
    assert _loaded_after("import app", door, NOT_AT_COLD_START[door]) == []


def test_the_parse_workers_task_types_never_load_the_analysis_engine() -> None:
    code = "from vkc.wiring.catalogue import REGISTRY as R\n" + "\n".join(
        f"(R.roots.get({t!r}) or R.tasks[{t!r}])" for t in PARSE_TASKS
    )
    assert _loaded_after(code, "parse_worker", [*ENGINE, *EXPORTS]) == []


def test_the_analyze_workers_task_types_never_load_the_vk_client() -> None:
    code = "from vkc.wiring.catalogue import REGISTRY as R\n" + "\n".join(
        f"(R.roots.get({t!r}) or R.tasks.get({t!r}) or R.detached[{t!r}])" for t in ANALYZE_TASKS
    )
    vk_client = ["vkc.vk.client", "vkc.vk.harvest", "vkc.vk.transport", "vkc.collection.harvest_task"]
    assert _loaded_after(code, "analyze_worker", vk_client) == []  # webhook deliveries do use httpx, tenacity


def test_swagger_ui_still_renders_outside_prod() -> None:
    code = (
        "import app\n"
        "assert 'ui' in app.openapi_doc.swagger_html(app.openapi_schema(app.app)).lower()\n"
        "assert any(r.rule.pattern.startswith('^/swagger') for r in app.app._static_routes)"
    )
    assert _loaded_after(code, "api", SWAGGER, stage="dev") == sorted(SWAGGER)


def test_a_traced_api_get_loads_neither_the_aws_sdk_nor_the_other_routes() -> None:
    """Tracing on, as in Lambda: X-Ray patches pg8000 at start and botocore/httpx on first use only."""
    code = "import app\napp.routes_of(app.app).include_for('/v1/communities')"
    assert _loaded_after(code, "api", [*API_OTHER_ROUTES, "httpx"], env=TRACED) == []


def test_the_snapshot_keeps_every_route_module_and_connects_to_nothing() -> None:
    """Before a SnapStart snapshot the door includes every route (DB_HOST is unresolvable: a connection fails)."""
    modules = [
        "api_routes.analysis",
        "api_routes.collections",
        "api_routes.comments",
        "api_routes.stats",
        "api_routes.webhooks",
        "vkc.db.models_analysis",
        "vkc.db.models_search",
        "vkc.db.models_webhooks",
    ]
    code = (
        "import app\nfrom vkc.wiring import snapstart\nsnapstart.LOCAL.run_before_snapshot()\n"
        "from vkc.db.base import Base\n"
        "mappers = Base.registry.mappers\n"
        "assert len(mappers) >= 17 and all(m.configured for m in mappers)  # every table's mapper configured"
    )
    assert _loaded_after(code, "api", modules, env={"DB_IAM_AUTH": "1"}) == modules


def test_the_api_import_turns_the_garbage_collector_back_on_with_its_objects_frozen() -> None:
    """app.py pauses the collector during its import: a process left without one would grow without bound."""
    code = (
        "import gc\nassert gc.isenabled()\nimport app\n"
        "assert gc.isenabled(), 'the collector is off after the import'\n"
        "assert gc.get_freeze_count() > 10_000, gc.get_freeze_count()\n"
        "import json as _j; print(_j.dumps([]))"
    )
    assert _loaded_after(code, "api", []) == []


def test_the_collector_is_back_on_after_the_first_request_even_a_failing_one() -> None:
    """The first request runs with the collector paused (app.lambda_handler); it must not stay paused."""
    code = (
        "import gc\nimport app\n"
        "class Context:\n"
        "    function_name = 'vkc-ApiFunction'; memory_limit_in_mb = 512; aws_request_id = 'r'\n"
        "    invoked_function_arn = 'arn:aws:lambda:eu-central-1:123456789012:function:vkc-ApiFunction'\n"
        "    def get_remaining_time_in_millis(self): return 29_000\n"
        "def event(path):\n"
        "    http = {'method': 'GET', 'path': path, 'protocol': 'HTTP/1.1', 'sourceIp': '203.0.113.9'}\n"
        "    return {'version': '2.0', 'routeKey': '$default', 'rawPath': path, 'rawQueryString': '',\n"
        "            'headers': {'host': 'api.example.com'}, 'isBase64Encoded': False,\n"
        "            'requestContext': {'http': http, 'requestId': 'r', 'stage': '$default'}}\n"
        "frozen = gc.get_freeze_count()\n"
        "assert app.lambda_handler(event('/health/live'), Context())['statusCode'] == 200\n"
        "assert gc.isenabled() and gc.get_freeze_count() > frozen\n"
        "gc.disable(); gc.enable()\n"
        "app._first_request = True\n"
        "try:\n"
        "    app.lambda_handler(None, Context())  # not an event: raises inside the handler\n"
        "except Exception:\n"
        "    pass\n"
        "assert app._first_request is False, 'the failing request did not reach the handler'\n"
        "assert gc.isenabled(), 'the collector is off after a failing first request'\n"
        "print('[]')"
    )
    assert _loaded_after(code, "api", [], env={"POWERTOOLS_METRICS_NAMESPACE": "VkComments"}) == []
