"""Cold import time of each function's handler module, from the artifact `sam build` ships.

What Lambda's init phase pays before the first event: `import app` in a fresh interpreter that sees
only the function's artifact (as /var/task), the layer's `python/` (as /opt/python) and the standard
library, with Lambda's reserved environment variables (they change what Powertools and the X-Ray SDK
do at import) and the template's own (Globals + the function's; intrinsics get plausible
placeholders, STAGE is prod; nothing is contacted at import time). Bytecode is never written, as on
Lambda's read-only file system.

The artifacts are built by packaging/Makefile, the recipe `sam build` runs, from the committed tree;
only the wheels' platform differs (this machine's instead of arm64, so they can be imported here).
Median of `RUNS` interleaved runs → `coldstart.<function>_ms`. Targets: API < 300 ms, workers < 1 s.

`coldstart.api_first_response_ms` is what a user waits for on a cold container without SnapStart: a
fresh process imports the API's handler and answers its first authenticated GET (`GET /v1/communities`
with a real API key, one fresh process per round of `RUNS`, median) against a migrated database on the local
PostgreSQL and the local Redis. The environment is the deployed one except where this machine differs:
the database and Redis addresses (plain TCP: the proxy's and ElastiCache's TLS handshakes are network
time only AWS measures), and the X-Ray daemon on 127.0.0.1. DB_IAM_AUTH stays on, so the first
connection signs an RDS auth token as on Lambda (with placeholder credentials; the local server
trusts the connection and ignores it). `coldstart.api_first_request_ms` is the request part alone, and
`coldstart.load_avg_1m` the machine's load when the figures were taken. Goal: first response ≤ 500 ms.

Two more figures explain the API's import: `coldstart.api_without_bytecode_ms`, the same artifact without
its .pyc files (what sam's python3.13 builder ships), and `coldstart.api_library_floor_ms`, importing
only the libraries every API request needs (Powertools' resolver/logger/metrics/tracer and the X-Ray
SDK under it, SQLAlchemy ORM + its PostgreSQL dialect + pg8000, redis, pydantic; not boto3, which no
GET imports) — below that, an import-time figure only moves work into the first request.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from devtools.local_stack.template import is_intrinsic, load_template, merge_globals
from devtools.pg import migrated_database

ROOT = Path(__file__).resolve().parents[1]
RUNS = 11
FIRST_PATH = "/v1/communities"
FUNCTIONS = {
    "api": "ApiFunction",
    "parse_worker": "ParseWorkerFunction",
    "analyze_worker": "AnalyzeWorkerFunction",
    "scheduler": "SchedulerFunction",
    "migrate": "MigrateFunction",
}
LAYER = "VkcLayer"
# values for the template's intrinsics (Ref/GetAtt/Sub/If): shapes as deployed, nothing is contacted
PLACEHOLDERS = {
    "DB_HOST": "vkc-proxy.proxy-abc.eu-central-1.rds.amazonaws.com",
    "REDIS_URL": "rediss://master.vkc.abc.euc1.cache.amazonaws.com:6379/0",
    "VK_API_URL": "https://api.vk.com/method",
    "STAGE": "prod",
    "DB_NAME": "vkc",
    "DB_USER": "vkc",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "CORS_ORIGINS": "https://app.example.com",
}
# what the import measures: the first line puts the artifact where Lambda has /var/task and /opt/python
PROBE = (
    "import sys, time\n"
    "sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
    "t = time.perf_counter()\n"
    "import {module}\n"
    "print((time.perf_counter() - t) * 1000)\n"
)
# a fresh API process: import the handler, then answer one authenticated GET as API Gateway sends it
FIRST_PROBE = """
import json, sys, time
sys.path[:0] = [sys.argv[1], sys.argv[2]]
api_key, path = sys.argv[3], sys.argv[4]
started = time.perf_counter()
import app
imported = time.perf_counter()


class Context:
    function_name = "vkc-ApiFunction"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:vkc-ApiFunction"
    aws_request_id = "0b5c7e52-4a51-4b8f-9d5a-1a2b3c4d5e6f"
    log_group_name = "/aws/lambda/vkc-ApiFunction"
    log_stream_name = "2026/12/05/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self):
        return 29_000


http = {"method": "GET", "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.9", "userAgent": "bench"}
event = {
    "version": "2.0", "routeKey": "ANY /v1/{proxy+}", "rawPath": path, "rawQueryString": "",
    "headers": {"x-api-key": api_key, "host": "api.example.com", "accept": "application/json"},
    "requestContext": {
        "accountId": "123456789012", "apiId": "abc", "domainName": "api.example.com", "domainPrefix": "api",
        "http": http, "requestId": "AbCdEfGhIjKlMn=", "routeKey": "ANY /v1/{proxy+}", "stage": "$default",
        "time": "05/Dec/2026:04:40:00 +0000", "timeEpoch": 1796445600000,
    },
    "pathParameters": {"proxy": path.removeprefix("/v1/")}, "isBase64Encoded": False,
}
response = app.lambda_handler(event, Context())
answered = time.perf_counter()
print(json.dumps({"import_ms": (imported - started) * 1000, "request_ms": (answered - imported) * 1000,
                  "status": response["statusCode"]}))
"""
API_LIBRARIES = (
    "aws_lambda_powertools.event_handler, aws_lambda_powertools.logging, aws_lambda_powertools.metrics, "
    "aws_lambda_powertools.tracing, aws_xray_sdk.core, sqlalchemy.orm, sqlalchemy.dialects.postgresql, "
    "pg8000.native, redis, pydantic"
)


def lambda_env(template: dict[str, Any], logical_id: str, task_root: Path) -> dict[str, str]:
    """Lambda's reserved variables for this function plus the template's own."""
    props = merge_globals(
        template.get("Globals", {}).get("Function", {}), template["Resources"][logical_id]["Properties"]
    )
    name = f"vkc-{logical_id}"
    env = {
        "PATH": "/var/lang/bin:/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": str(task_root),
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(props.get("MemorySize", 128)),
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/22/[$LATEST]0123456789abcdef",
        "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
        "AWS_REGION": "eu-central-1",
        "AWS_DEFAULT_REGION": "eu-central-1",
        "AWS_ACCESS_KEY_ID": "ASIAPLACEHOLDER",
        "AWS_SECRET_ACCESS_KEY": "placeholder",
        "AWS_SESSION_TOKEN": "placeholder",
        "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000",
        "_AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129",
        "_AWS_XRAY_DAEMON_PORT": "2000",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "_HANDLER": str(props.get("Handler", "app.lambda_handler")),
    }
    for key, value in (props.get("Environment", {}).get("Variables", {}) or {}).items():
        if not is_intrinsic(value):
            env[key] = str(value)
        elif key.startswith("QUEUE_URL_"):
            env[key] = f"https://sqs.eu-central-1.amazonaws.com/123456789012/vkc-{key[10:].lower()}"
        else:
            env[key] = PLACEHOLDERS.get(key, f"placeholder-{key.lower()}")
    return env


def import_ms(task_root: Path, layer: Path, env: dict[str, str], module: str = "app") -> float:
    """One cold import: -I -S so that nothing but the artifact and the standard library is on sys.path."""
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", PROBE.format(module=module), str(task_root), str(layer / "python")],
        env=env,
        cwd=task_root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"import {module} failed in {task_root.name}: {done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def local_services_env(api_env: dict[str, str], db_name: str) -> dict[str, str]:
    """The API's Lambda environment pointed at this machine's PostgreSQL, Redis and X-Ray daemon port."""
    return {
        **api_env,
        "DB_HOST": "127.0.0.1",
        "DB_PORT": "5432",
        "DB_NAME": db_name,
        "DB_USER": "postgres",
        "DB_SSL": "0",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        "_AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1",
        "_X_AMZN_TRACE_ID": "Root=1-6751f0a0-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1",
    }


def first_response(task_root: Path, layer: Path, env: dict[str, str], api_key: str) -> dict[str, float]:
    """One fresh process: import + the first authenticated GET; refuses anything but a 200."""
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            "-B",
            "-c",
            FIRST_PROBE,
            str(task_root),
            str(layer / "python"),
            api_key,
            FIRST_PATH,
        ],
        env=env,
        cwd=task_root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the first request failed: {done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    if result["status"] != 200:
        raise RuntimeError(f"GET {FIRST_PATH} answered {result['status']}: {done.stdout[-2000:]}")
    return result


@contextmanager
def api_key_on_local_services(api_env: dict[str, str]) -> Iterator[tuple[dict[str, str], str]]:
    """A migrated database with one workspace: the API's environment pointed at it, and the key."""
    from vkc.db.engine import dispose_engines, session_scope
    from vkc.workspaces.service import create_workspace

    db_name = f"vkc_bench_coldstart_{os.getpid()}"
    with migrated_database(db_name) as settings:
        with session_scope(settings) as session:
            _, api_key = create_workspace(session, "coldstart bench")
        dispose_engines()
        yield local_services_env(api_env, db_name), api_key


Probe = tuple[Path, Path, dict[str, str], str]


def medians_ms(
    probes: dict[str, Probe], first: tuple[Path, Path, dict[str, str], str] | None = None
) -> dict[str, float]:
    """Median per probe over `RUNS` rounds, the probes interleaved so that a noisy moment of the
    machine spreads over all of them instead of skewing one; `first` (the API's artifact, environment
    and key) adds one first response per round."""
    for task_root, layer, env, module in probes.values():
        import_ms(task_root, layer, env, module)  # the first run fills the OS page cache
    if first is not None:
        first_response(*first)
    samples: dict[str, list[float]] = {name: [] for name in probes}
    responses: list[dict[str, float]] = []
    for _ in range(RUNS):
        for name, (task_root, layer, env, module) in probes.items():
            samples[name].append(import_ms(task_root, layer, env, module))
        if first is not None:
            responses.append(first_response(*first))
    figures = {name: round(statistics.median(values), 1) for name, values in samples.items()}
    if responses:
        total = statistics.median(r["import_ms"] + r["request_ms"] for r in responses)
        figures["coldstart.api_first_response_ms"] = round(total, 1)
        figures["coldstart.api_first_request_ms"] = round(statistics.median(r["request_ms"] for r in responses), 1)
    return figures


def build_artifacts(into: Path, template: dict[str, Any]) -> dict[str, Path]:
    """Every function and the layer as packaging/Makefile builds them, for this machine's platform."""
    archive = subprocess.run(
        ["git", "archive", "HEAD", "functions", "layers", "packaging"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    source = into / "source"
    source.mkdir()
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    artifacts: dict[str, Path] = {}
    for logical_id in [*FUNCTIONS.values(), LAYER]:
        props = template["Resources"][logical_id]["Properties"]
        code_uri = props.get("CodeUri") or props["ContentUri"]
        scratch = into / "scratch" / logical_id
        shutil.copytree(source / code_uri, scratch)
        out = into / "artifacts" / logical_id
        out.mkdir(parents=True)  # sam build creates it before running make
        subprocess.run(
            [
                "make",
                "--no-print-directory",
                "--makefile",
                str(source / "packaging" / "Makefile"),
                f"build-{logical_id}",
                f"ARTIFACTS_DIR={out}",
                f"PYTHON={sys.executable}",
                "PIP_PLATFORM=",
            ],
            cwd=scratch,
            check=True,
            capture_output=True,
        )
        artifacts[logical_id] = out
    return artifacts


def without_bytecode(tree: Path, into: Path) -> Path:
    shutil.copytree(tree, into, ignore=shutil.ignore_patterns("__pycache__"))
    return into


def run() -> dict[str, float]:
    template = load_template()
    with tempfile.TemporaryDirectory(prefix="vkc-coldstart-") as tmp:
        artifacts = build_artifacts(Path(tmp), template)
        layer = artifacts[LAYER]
        probes = {
            f"coldstart.{name}_ms": (
                artifacts[logical_id],
                layer,
                lambda_env(template, logical_id, artifacts[logical_id]),
                "app",
            )
            for name, logical_id in FUNCTIONS.items()
        }
        api = artifacts["ApiFunction"]
        api_env = lambda_env(template, "ApiFunction", api)
        bare_api = without_bytecode(api, Path(tmp) / "bare" / "ApiFunction")
        bare_layer = without_bytecode(layer, Path(tmp) / "bare" / LAYER)
        probes["coldstart.api_without_bytecode_ms"] = (bare_api, bare_layer, api_env, "app")
        probes["coldstart.api_library_floor_ms"] = (api, layer, api_env, API_LIBRARIES)
        with api_key_on_local_services(api_env) as (first_env, api_key):
            load_before = os.getloadavg()[0]
            figures = medians_ms(probes, first=(api, layer, first_env, api_key))
            figures["coldstart.load_avg_1m"] = round((load_before + os.getloadavg()[0]) / 2, 2)
        return figures


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
