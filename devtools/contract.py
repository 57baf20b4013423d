"""`make contract`: schemathesis over docs/openapi.json against a running API — every check, every phase.

python -m devtools.contract                  # the `make up` stack if one runs, else a throwaway stack
python -m devtools.contract --own-stack      # always a throwaway stack (own ports, database, Redis db)
python -m devtools.contract -- --seed 7      # anything after `--` goes to `schemathesis run`

The run's settings (checks, phases, examples per operation) live in schemathesis.toml, so this and
the bounded run in the test suite read the same configuration. Operations come from the spec, so
new routes are fuzzed as soon as `make openapi` has documented them.

The developer stack keeps the production rate budgets (300 reads, 60 writes, 10 heavy requests a
minute per key): against it most cases come back 429, which the spec allows, and schemathesis warns
that those operations went largely untested. A throwaway stack raises the budgets instead, as the
contract tests do; the limiter stays in the path.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TextIO

from devtools.local_stack import daemon
from devtools.local_stack.template import REPO_ROOT

SPEC_PATH = REPO_ROOT / "docs" / "openapi.json"
CONFIG_PATH = REPO_ROOT / "schemathesis.toml"
REPORT_DIR = REPO_ROOT / ".local" / "contract"

# Generated cases arrive far faster than any client would: the production budgets would turn most
# of them into 429s that never reach a handler.
GENEROUS_RATE_LIMITS = {f"RATE_LIMIT_{kind}_REQUESTS": "1000000" for kind in ("READ", "WRITE", "HEAVY")}


def schemathesis_command(api_url: str, api_key: str, extra: list[str]) -> list[str]:
    """`schemathesis run` with the project's configuration, against api_url with api_key."""
    executable = Path(sys.executable).with_name("schemathesis")
    return [
        str(executable),
        "--config-file",
        str(CONFIG_PATH),
        "run",
        str(SPEC_PATH),
        "--url",
        api_url,
        "--header",
        f"X-Api-Key: {api_key}",
        "--report",
        "junit,ndjson",
        "--report-dir",
        str(REPORT_DIR),
        *extra,
    ]


def run(api_url: str, api_key: str, extra: list[str], out: TextIO) -> int:
    print(f"schemathesis against {api_url} (reports in {REPORT_DIR.relative_to(REPO_ROOT)})", file=out, flush=True)
    started = time.monotonic()
    command = schemathesis_command(api_url, api_key, extra)
    done = subprocess.run(command, cwd=REPO_ROOT, stdout=out, stderr=out, check=False)
    print(f"contract run took {time.monotonic() - started:.0f}s, exit code {done.returncode}", file=out, flush=True)
    return done.returncode


@contextmanager
def stack_output_to(log_path: Path) -> Iterator[TextIO]:
    """Send this process's stdout/stderr (the stack's logs, its threads' and children's) to log_path;
    yield the terminal for schemathesis's report."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    terminal = os.fdopen(os.dup(saved[0]), "w", encoding="utf-8")
    with log_path.open("wb") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    try:
        yield terminal
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)
        terminal.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.contract", description=__doc__)
    parser.add_argument("--own-stack", action="store_true", help="start a throwaway stack even if `make up` runs")
    parser.add_argument("extra", nargs="*", help="arguments passed to `schemathesis run` (after --)")
    args = parser.parse_args(argv)

    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    state = None if args.own_stack else daemon.read_state()
    if state is not None:
        key = (daemon.STATE_DIR / daemon.KEY_FILE).read_text(encoding="utf-8").strip()
        print("using the running developer stack (`make up`)", flush=True)
        return run(str(state["api_url"]), key, args.extra, sys.stdout)

    from devtools.local_stack import LocalStack  # starting a stack imports the whole application

    with ExitStack() as scope:
        saved = {name: os.environ.get(name) for name in GENEROUS_RATE_LIMITS}
        scope.callback(_restore, saved)
        os.environ.update(GENEROUS_RATE_LIMITS)
        log_path = REPORT_DIR / "stack.log"
        print(f"starting a throwaway local stack (its log: {log_path.relative_to(REPO_ROOT)})", flush=True)
        terminal = scope.enter_context(stack_output_to(log_path))
        stack = scope.enter_context(LocalStack(run_id=f"k{uuid.uuid4().hex[:7]}", auto_schedule=False, emulator=True))
        return run(stack.api_url, stack.api_key, args.extra, terminal)


def _restore(saved: dict[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


if __name__ == "__main__":
    raise SystemExit(main())
