"""`invoke <LogicalId> <event.json>`: one function, once, like `sam local invoke` but without Docker.

The handler runs in a fresh container process, started the way the stack starts its containers.

With `make up` running, the function runs against that stack's moto queues, database and Redis
(so a job posted through ApiFunction is picked up by the running workers). Otherwise a throwaway
stack is started (moto, a fresh migrated database, no pollers) and torn down afterwards.
The literal `{{dev-api-key}}` in an event file is replaced by the stack's API key.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from devtools.local_stack.container import ContainerImage, ContainerProcess, FunctionError, reserved_environment
from devtools.local_stack.daemon import KEY_FILE, STATE_DIR, read_state
from devtools.local_stack.env import LocalResources, stack_environment
from devtools.local_stack.stack import LocalStack
from devtools.local_stack.template import SamTemplate

API_KEY_PLACEHOLDER = "{{dev-api-key}}"


def load_event(path: Path, api_key: str) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8").replace(API_KEY_PLACEHOLDER, api_key)
    event: dict[str, Any] = json.loads(text)
    return event


def invoke_attached(logical_id: str, event_path: Path, state: dict[str, Any], state_dir: Path) -> Any:
    """Run against the stack `make up` started (its state file says where everything is)."""
    tpl = SamTemplate.load()
    res = LocalResources(
        run_id=str(state["run_id"]),
        region="eu-central-1",
        moto_url=str(state["moto_url"]),
        db_name=str(state["db_name"]),
        queue_urls=state["queues"],
        queue_arns=state["queue_arns"],
        buckets=state["buckets"],
        redis_url=str(state["redis_url"]),
        vk_api_url=state.get("vk_api_url"),
        api_url=str(state["api_url"]),
    )
    api_key = (state_dir / KEY_FILE).read_text().strip()
    event = load_event(event_path, api_key)
    env = {**stack_environment(tpl, res), **reserved_environment(tpl.function(logical_id), res.region, res.run_id)}
    container = ContainerProcess(ContainerImage.of(tpl, logical_id, env, log_file=None), res.region, index=0)
    try:
        return container.invoke(event)
    finally:
        container.stop()


def invoke_isolated(logical_id: str, event_path: Path) -> Any:
    with LocalStack(pollers=False, auto_schedule=False) as stack:
        try:
            return stack.invoke(logical_id, load_event(event_path, stack.api_key))
        finally:  # the throwaway stack's log directory goes away with it
            log = stack.log_file(logical_id)
            if log.exists():
                sys.stderr.write(log.read_text(errors="replace"))


def main(logical_id: str, event_path: Path, state_dir: Path = STATE_DIR) -> int:
    """Print the handler's JSON result on stdout; logs (Powertools writes to stdout) go to stderr."""
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        state = read_state(state_dir)
        if state is not None:
            print(f"[invoke] {logical_id} against the running local stack ({state['api_url']})")
            result = invoke_attached(logical_id, event_path, state, state_dir)
        else:
            print(f"[invoke] {logical_id} against a throwaway local stack")
            result = invoke_isolated(logical_id, event_path)
    except FunctionError as exc:  # what `sam local invoke` prints for a function error
        print(json.dumps(exc.error, indent=2), file=real_stdout)
        return 1
    finally:
        sys.stdout = real_stdout
    print(json.dumps(result, indent=2, default=str))
    return 0
