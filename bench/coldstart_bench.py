"""Cold import time of each function's handler module, in a fresh interpreter per run.

What Lambda's init phase pays before the first event: `import app` with the function's CodeUri and
the layer on `sys.path` (as `/var/task` and `/opt/python`), the template's environment (Globals +
the function's own variables; intrinsic values get plausible placeholders, AWS is never called at
import time). Median of `RUNS` runs → `coldstart.<function>_ms`. Targets: API < 300 ms, workers < 1 s.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from devtools.local_stack.template import is_intrinsic, load_template, merge_globals

ROOT = Path(__file__).resolve().parents[1]
RUNS = 7
FUNCTIONS = {
    "api": "ApiFunction",
    "parse_worker": "ParseWorkerFunction",
    "analyze_worker": "AnalyzeWorkerFunction",
    "scheduler": "SchedulerFunction",
    "migrate": "MigrateFunction",
}
# values for the template's intrinsics (Ref/GetAtt/Sub/If): shapes as deployed, nothing is contacted
PLACEHOLDERS = {
    "DB_HOST": "vkc-proxy.proxy-abc.eu-central-1.rds.amazonaws.com",
    "REDIS_URL": "rediss://master.vkc.abc.euc1.cache.amazonaws.com:6379/0",
    "VK_API_URL": "https://api.vk.com/method",
    "STAGE": "dev",
    "DB_NAME": "vkc",
    "DB_USER": "vkc",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "CORS_ORIGINS": "https://app.example.com",
}
PROBE = (
    "import sys, time\n"
    "sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
    "t = time.perf_counter()\n"
    "import app\n"
    "print((time.perf_counter() - t) * 1000)\n"
)


def function_env(template: dict[str, Any], logical_id: str) -> dict[str, str]:
    props = merge_globals(
        template.get("Globals", {}).get("Function", {}), template["Resources"][logical_id]["Properties"]
    )
    env: dict[str, str] = {}
    for name, value in (props.get("Environment", {}).get("Variables", {}) or {}).items():
        if not is_intrinsic(value):
            env[name] = str(value)
        elif name.startswith("QUEUE_URL_"):
            env[name] = f"https://sqs.eu-central-1.amazonaws.com/123456789012/vkc-{name[10:].lower()}"
        else:
            env[name] = PLACEHOLDERS.get(name, f"placeholder-{name.lower()}")
    return env


def cold_import_ms(code_uri: Path, layer: Path, env: dict[str, str]) -> float:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    base |= {"AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "eu-central-1", "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(code_uri), str(layer)],
        env=base | env,
        cwd=code_uri,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        raise RuntimeError(f"import app failed in {code_uri.name}: {done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def committed_tree(into: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", "HEAD", "functions", "layers"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def run() -> dict[str, float]:
    template = load_template()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="vkc-coldstart-") as tmp:
        tree = committed_tree(Path(tmp))
        for name, logical_id in FUNCTIONS.items():
            code_uri = tree / str(template["Resources"][logical_id]["Properties"]["CodeUri"])
            env = function_env(template, logical_id)
            cold_import_ms(code_uri, tree / "layers" / "vkc", env)  # the first run fills the OS page cache
            samples = [cold_import_ms(code_uri, tree / "layers" / "vkc", env) for _ in range(RUNS)]
            figures[f"coldstart.{name}_ms"] = round(statistics.median(samples), 1)
    return figures


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
