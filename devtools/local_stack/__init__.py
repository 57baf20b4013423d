"""Local stack: the SAM application on one machine without Docker (dev-only, never in a Lambda artifact).

template.yaml is the source: queues/bucket in moto, each function's environment, every function in
its own container processes, HTTP API adapter, SQS pollers, scheduler ticker. See docs/local-stack.md.
"""

from devtools.local_stack.stack import LocalStack

__all__ = ["LocalStack"]
